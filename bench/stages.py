"""Where one review's time goes, stage by stage: python bench/stages.py BUNDLE [--runs N]

The stages are the ones ``Reviewer.review`` times itself (``Reviewer.timings``); the first
review warms the process up and is not counted. For the split inside the spaCy pipeline run
bench/components.py.
"""
import argparse

from reviewer import Reviewer

ap = argparse.ArgumentParser()
ap.add_argument("bundle")
ap.add_argument("--runs", type=int, default=3)
args = ap.parse_args()
rv = Reviewer()
pages = len(rv.review(args.bundle).pages)
best: dict[str, float] = {}
for _ in range(args.runs):
    rv.review(args.bundle)
    for k, v in rv.timings.items():
        best[k] = min(best.get(k, v), v)
total = sum(best.values())
for k, v in best.items():
    print(f"{k:12} {v:6.3f} s")
print(f"{'total':12} {total:6.3f} s  ({pages / total:.0f} pages/s; best of {args.runs} per stage)")
