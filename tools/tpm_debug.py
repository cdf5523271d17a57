"""Show each third-party request with the context findings that set its flags."""
import sys

from reviewer.review import Reviewer

rv = Reviewer()
ch = rv.checker(rv.prepare(sys.argv[1]))  # the case read exactly as a review reads it
ch.find_tpm_requests()
cfg = rv.checklist_rules.tpm
keep = set(cfg["reason"] + cfg["trawl"] + cfg["scope"] + cfg["unlimited"] + cfg["notice"] + cfg["device_notice"] + cfg["device_scope"] + cfg["device_unlimited"])
for r, ctx in zip(ch.tpm_requests, ch._tpm_context):
    print(r["category"], r["page"], r["assessment"], "reason", r["reason_stated"], "scope", r["scope_limited"], "notice", r["victim_notified"])
    print("   ", " ".join(r["quote"].split())[:150])
    print("   ", [(f.label, f.text, f.status) for f in ctx if f.label in keep])
