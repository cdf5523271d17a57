"""How sure the held-out figures are: a bootstrap over cases.

    python tools/heldout_interval.py [SAMPLES_DIR] [--resamples N] [--seed S]

Reviews the cases listed in SAMPLES_DIR/untuned.txt (default: samples), then resamples whole cases
with replacement and prints status accuracy and gap recall with their 95% intervals, and how often
a resample reaches the targets of the core review issue (0.85 and 0.90). Cases, not items, are
resampled: the items of one file share its author and its officer's habits.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from reviewer.evaluate import find_cases, held_out  # noqa: E402
from reviewer.review import Reviewer  # noqa: E402

from agreement import compare  # noqa: E402

TARGETS = (0.85, 0.90)


def case_counts(root: Path, names: set[str]) -> list[tuple[int, int, int, int]]:
    """Per case, scored by the project's Tally: (statuses right, statuses, true gaps flagged as
    gaps, true gaps)."""
    rv = Reviewer()
    rows = []
    for name, case, truth_path in find_cases(root):
        if name not in names:
            continue
        truth = json.loads(truth_path.read_text())["checklist"]
        got = {row.item: row.status for row in rv.review(case).checklist}
        t = compare({name: truth}, {name: got})
        rows.append((t.correct, t.n, t.tp, t.tp + t.fn))
    return rows


def figures(rows) -> tuple[float, float]:
    return sum(r[0] for r in rows) / sum(r[1] for r in rows), sum(r[2] for r in rows) / max(1, sum(r[3] for r in rows))


def interval(rows, resamples: int = 4000, seed: int = 7) -> dict:
    rng = random.Random(seed)
    draws = [figures([rng.choice(rows) for _ in rows]) for _ in range(resamples)]
    acc = sorted(d[0] for d in draws)
    rec = sorted(d[1] for d in draws)
    lo, hi = int(0.025 * resamples), int(0.975 * resamples) - 1
    point = figures(rows)
    return {"cases": len(rows), "status_accuracy": point[0], "status_interval": (acc[lo], acc[hi]),
            "gap_recall": point[1], "recall_interval": (rec[lo], rec[hi]),
            "reach_status": sum(a >= TARGETS[0] for a in acc) / resamples,
            "reach_recall": sum(r >= TARGETS[1] for r in rec) / resamples}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("samples", nargs="?", default="samples")
    ap.add_argument("--resamples", type=int, default=4000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    root = Path(args.samples)
    names = held_out(root / "untuned.txt")
    out = interval(case_counts(root, names), args.resamples, args.seed)
    print(f"{out['cases']} held-out cases")
    print(f"status accuracy {out['status_accuracy']:.3f} (95% {out['status_interval'][0]:.3f}-{out['status_interval'][1]:.3f}); "
          f"resamples at or above {TARGETS[0]}: {out['reach_status']:.3f}")
    print(f"gap recall      {out['gap_recall']:.3f} (95% {out['recall_interval'][0]:.3f}-{out['recall_interval'][1]:.3f}); "
          f"resamples at or above {TARGETS[1]}: {out['reach_recall']:.3f}")


if __name__ == "__main__":
    main()
