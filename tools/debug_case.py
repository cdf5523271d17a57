"""Print each sentence of a case with its findings: label, status, subject and modifiers."""
import sys

from reviewer.review import Reviewer
from reviewer.extraction import extract_case
from reviewer.segmentation import find_parties, segment
from reviewer.tagging import tag

rv = Reviewer()
ex = extract_case(sys.argv[1])
docs = segment(ex.pages, rv.doc_rules)
parties = find_parties(ex.pages, rv.doc_rules)
print("PARTIES", parties)
for d in docs:
    print("DOC", d)
t = tag(ex.pages, docs, parties, rv.nlp, rv.doc_rules)
want = set(sys.argv[2].split(",")) if len(sys.argv) > 2 else None
for s in t.sentences:
    fs = t.in_sentence(s)
    if want and not any(f.label in want for f in fs):
        continue
    print(f"[p{s.page} {s.doc_kind} sec={s.section}] {' '.join(s.text.split())[:200]}")
    for f in fs:
        if want and f.label not in want:
            continue
        mods = ",".join(f"{m['category']}:{m['text']}" for m in f.modifiers)
        print(f"     {f.label:16} {f.text!r:28} {f.status:11} {f.subject:11} ({f.subject_cue}) {mods}")
