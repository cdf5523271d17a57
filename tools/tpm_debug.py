"""Show each third-party request with the context findings that set its flags."""
import sys

from reviewer.checklist import Checker
from reviewer.extraction import extract_case
from reviewer.review import Reviewer
from reviewer.segmentation import find_parties, segment
from reviewer.tagging import _owner, tag
from reviewer.timeline import build_timeline

rv = Reviewer()
ex = extract_case(sys.argv[1])
docs = segment(ex.pages, rv.doc_rules)
parties = find_parties(ex.pages, rv.doc_rules)
t = tag(ex.pages, docs, parties, rv.nlp, rv.doc_rules)
tl, _ = build_timeline(t.sentences)
ch = Checker(t, docs, tl, {d.id: _owner(d, parties) for d in docs}, rv.checklist_rules)
ch.find_tpm_requests()
cfg = rv.checklist_rules.tpm
keep = set(cfg["reason"] + cfg["trawl"] + cfg["scope"] + cfg["unlimited"] + cfg["notice"] + cfg["device_notice"] + cfg["device_scope"] + cfg["device_unlimited"])
for r, ctx in zip(ch.tpm_requests, ch._tpm_context):
    print(r["category"], r["page"], r["assessment"], "reason", r["reason_stated"], "scope", r["scope_limited"], "notice", r["victim_notified"])
    print("   ", " ".join(r["quote"].split())[:150])
    print("   ", [(f.label, f.text, f.status) for f in ctx if f.label in keep])
