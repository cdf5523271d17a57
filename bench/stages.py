"""Time each stage of one review (where the time goes): python bench/stages.py BUNDLE"""
import sys
import time

from reviewer import Reviewer
from reviewer.checklist import Checker
from reviewer.extraction import add_schedule_tables, extract_case
from reviewer.pipeline import unwrap_soft_breaks
from reviewer.segmentation import find_parties, segment
from reviewer.tagging import _owner, tag
from reviewer.timeline import build_timeline

rv = Reviewer()
path = sys.argv[1]
T = {}


def timed(name, fn):
    t = time.perf_counter()
    out = fn()
    T[name] = time.perf_counter() - t
    return out


ex = timed("extract", lambda: extract_case(path))
docs = timed("segment", lambda: segment(ex.pages, rv.doc_rules))
nums = {n for d in docs if d.kind in ("MG6C", "MG6D") for n in range(d.first_page, d.last_page + 1)}
timed(f"tables ({len(nums)} pages)", lambda: add_schedule_tables(ex, nums))
parties = timed("parties", lambda: find_parties(ex.pages, rv.doc_rules))
for p in ex.pages:
    p.text = unwrap_soft_breaks(p.text)
tg = timed("tag (spaCy + subjects)", lambda: tag(ex.pages, docs, parties, rv.nlp, rv.doc_rules))
tl, _ = timed("timeline", lambda: build_timeline(tg.sentences))
ch = Checker(tg, docs, tl, {d.id: _owner(d, parties) for d in docs}, rv.checklist_rules)
timed("checklist", lambda: (ch.run(), ch.find_concerns()))
timed("evidence", lambda: rv._evidence(tg, set()))
total = sum(T.values())
for k, v in T.items():
    print(f"{k:28} {v:6.3f} s")
print(f"{'total':28} {total:6.3f} s  ({len(ex.pages) / total:.0f} pages/s)")
