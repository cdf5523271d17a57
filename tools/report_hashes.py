"""Whether a change moved any report: python tools/report_hashes.py OUT.json [--against EARLIER.json]

Reviews every sample case twice, with the calibration and with the rules alone, and writes one
hash per report to OUT.json (the pipeline and calibration stamps left out: they name the code
and rule versions, which a refactoring changes on purpose). With --against, lists the cases whose
reports differ from an earlier run's. Run it before and after a change meant to alter nothing
(a speed-up, a tidying): the reports must be identical. Scanned samples need Tesseract, so
compare runs made on machines that both have it.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from reviewer import Reviewer  # noqa: E402
from reviewer.evaluate import find_cases  # noqa: E402


def report_hashes(samples: Path) -> dict[str, str]:
    """{"CASE|calibrated" or "CASE|rules": sha1 of the report JSON} for every case under SAMPLES."""
    out = {}
    cases = find_cases(samples)
    for calibrated in (True, False):
        rv = Reviewer(calibrate=calibrated)
        for name, path, _ in cases:
            report = rv.review(path).to_dict()
            report["case"].pop("pipeline", None)
            report["case"].pop("calibration", None)
            key = f"{name}|{'calibrated' if calibrated else 'rules'}"
            out[key] = hashlib.sha1(json.dumps(report, sort_keys=True).encode()).hexdigest()
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--against", type=Path, help="an earlier OUT.json to compare with")
    ap.add_argument("--samples", type=Path, default=ROOT / "samples")
    args = ap.parse_args()
    now = report_hashes(args.samples)
    args.out.write_text(json.dumps(now, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{len(now)} reports hashed into {args.out}")
    if not args.against:
        return 0
    before = json.loads(args.against.read_text(encoding="utf-8"))
    changed = sorted(k for k in now.keys() | before.keys() if now.get(k) != before.get(k))
    print(f"{len(changed)} of {len(now)} reports differ from {args.against}" + (": " + ", ".join(changed[:20]) if changed else ""))
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())
