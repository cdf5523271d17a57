"""Print each sentence of a case with its findings: label, status, subject and modifiers.

    python tools/debug_case.py CASE [LABEL,LABEL...]

The case is read exactly as a review reads it (``Reviewer.prepare``).
"""
import sys

from reviewer.review import Reviewer

rv = Reviewer()
prep = rv.prepare(sys.argv[1])
print("PARTIES", prep.parties)
for d in prep.docs:
    print("DOC", d)
t = prep.tagged
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
