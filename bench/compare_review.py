"""Speed of this tree against another commit, measured in turns: python bench/compare_review.py REV [--runs N]

This machine's speed drifts by a fifth between runs minutes apart, so a figure from one day set
against one from another says little about a change. Here the two trees take turns: each run is
bench_review's fresh process pinned to one core that loads a Reviewer and reviews the 300-page
bench bundle once, this tree then REV, N times. REV is checked out with ``git worktree`` into
bench/out/ (not committed) and removed afterwards. Prints each tree's median review time after
start-up and median start-up, and the ratio of the review times.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from bench_review import OUT, make_bundle, run  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("rev", help="the commit to compare with (HEAD~1, a tag, a hash)")
    ap.add_argument("--runs", type=int, default=6)
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    bundle = make_bundle(OUT / "bundle_300.pdf", 300)
    other = OUT / "compare-tree"
    if other.exists():
        subprocess.run(["git", "worktree", "remove", "--force", str(other)], cwd=ROOT, check=False)
    subprocess.run(["git", "worktree", "add", "--detach", "-q", str(other), args.rev], cwd=ROOT, check=True)
    trees = {"this tree": ROOT, args.rev: other}
    runs: dict[str, list[dict]] = {name: [] for name in trees}
    try:
        for _ in range(args.runs):
            for name, tree in trees.items():
                runs[name].append(run(bundle, tree))
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(other)], cwd=ROOT, check=False)
    review = {}
    for name, got in runs.items():
        review[name] = statistics.median(r["review_s"] for r in got)
        print(f"{name:>12}: {got[0]['pages'] / review[name]:.0f} pages/s after start-up (median review {review[name]:.2f} s, "
              f"fastest {min(r['review_s'] for r in got):.2f} s), start-up {statistics.median(r['startup_s'] for r in got):.2f} s")
    print(f"this tree's review takes {review['this tree'] / review[args.rev]:.2f} of the time of {args.rev}'s "
          f"(medians of {args.runs} turns each)")


if __name__ == "__main__":
    main()
