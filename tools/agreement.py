"""How far two readers' truth files agree, and how the reviewer compares with each.

    python tools/agreement.py REFERENCE_DIR SECOND_DIR [CASES_DIR]

REFERENCE_DIR and SECOND_DIR hold NAME.truth.json files for the same cases, labelled
independently (the author's, and a second reader's who saw only the rendered files). For the
cases both hold, prints the second reader's status agreement with the reference and, taking
the reference as truth, the second reader's gap precision and recall: the ceiling a reviewer can
be expected to reach on those files. With CASES_DIR (where the case files are), the reviewer's
own figures against each reader are printed beside it.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from reviewer.evaluate import Tally, find_cases


def _statuses(folder: Path) -> dict[str, dict[str, str]]:
    return {p.name.removesuffix(".truth.json"): json.loads(p.read_text())["checklist"]
            for p in sorted(folder.glob("*.truth.json"))}


def compare(reference: dict[str, dict[str, str]], other: dict[str, dict[str, str]]) -> Tally:
    """OTHER's statuses scored against REFERENCE's, over the cases and items both hold."""
    tally = Tally()
    for name in sorted(set(reference) & set(other)):
        for item, truth in reference[name].items():
            if item in other[name]:
                tally.add(truth, other[name][item])
    return tally


def _line(title: str, t: Tally) -> str:
    return f"{title:34} {t.n:5d} {t.accuracy:8.3f} {t.precision:7.3f} {t.recall:7.3f}"


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3):
        print(__doc__)
        return 2
    ref, second = _statuses(Path(argv[0])), _statuses(Path(argv[1]))
    common = sorted(set(ref) & set(second))
    if not common:
        print("no case is labelled in both folders", file=sys.stderr)
        return 1
    print(f"{len(common)} cases labelled by both readers")
    print(f"{'':34} {'items':>5} {'agree':>8} {'gap P':>7} {'gap R':>7}")
    print(_line("second reader vs reference", compare(ref, second)))
    if len(argv) == 3:
        from reviewer.review import Reviewer

        rv = Reviewer()
        got = {}
        for name, case, _ in find_cases(Path(argv[2])):
            if name in common:
                got[name] = {row.item: row.status for row in rv.review(case).checklist}
        print(_line("reviewer vs reference", compare({k: ref[k] for k in got}, got)))
        print(_line("reviewer vs second reader", compare({k: second[k] for k in got}, got)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
