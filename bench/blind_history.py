"""How the rules of past commits score on a folder of cases none of them was tuned on.

    python bench/blind_history.py CASES_DIR COMMIT [COMMIT ...]

Each commit is checked out in a temporary git worktree and its own reviewer (code and
`models/`) scores CASES_DIR with `reviewer eval`, run with PYTHONPATH pointing at the worktree.
Give it a held-out set (one whose cases no commit listed was tuned on) to see whether rule work
carries over to files nobody has looked at, rather than only to the sets it was written on:

    python bench/blind_history.py /tmp/set_a 2da93e1 a88b0ec 7258442 HEAD

Prints one row per commit: status accuracy, gap precision and gap recall.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_FIGURE = re.compile(r"(status_accuracy|gap_precision|gap_recall) ([\d.]+)")


def score(commit: str, cases: Path) -> dict[str, float]:
    """The overall figures of COMMIT's rules on CASES (an empty dict if that commit cannot run)."""
    with tempfile.TemporaryDirectory() as tmp:
        wt = Path(tmp) / "wt"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "-f", "-q", "--detach", str(wt), commit], check=True)
        try:
            env = dict(os.environ, PYTHONPATH=str(wt))
            run = subprocess.run([sys.executable, "-m", "reviewer.cli", "eval", str(cases), "--untuned", os.devnull],
                                 cwd=tmp, env=env, capture_output=True, text=True)
            line = next((x for x in run.stdout.splitlines() if x.startswith("overall")), "")
            return {k: float(v) for k, v in _FIGURE.findall(line)}
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(wt)], check=False)


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__)
        return 2
    cases = Path(argv[0]).resolve()
    print(f"{'commit':12} {'status acc':>10} {'gap P':>7} {'gap R':>7}")
    for commit in argv[1:]:
        sha = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", commit], capture_output=True, text=True).stdout.strip()
        f = score(commit, cases)
        if not f:
            print(f"{sha:12} {'(could not run)':>26}")
            continue
        print(f"{sha:12} {f['status_accuracy']:10.3f} {f['gap_precision']:7.3f} {f['gap_recall']:7.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
