"""Speed and memory of one review.

    python bench/bench_review.py            # 300-page bundle: pages/s after start-up; 1,000-page bundle: peak memory

The bundles are real PDFs assembled from the typed sample bundles' pages (pypdfium2), written
to bench/out/ (not committed). Each measurement runs in a fresh process
pinned to one core (taskset when available), so start-up and peak memory are its own.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"


def make_bundle(path: Path, pages: int) -> Path:
    """A bundle of PAGES pages made of the typed sample PDFs' real pages, in turn, as a
    real backlog file would hold whole documents (MG3, statements, schedules, e-mails)."""
    import pypdfium2 as pdfium

    if path.exists():
        return path
    sources = [f for f in sorted((ROOT / "samples").glob("[a-h]_*.pdf"))]
    out = pdfium.PdfDocument.new()
    while len(out) < pages:
        for f in sources:
            src = pdfium.PdfDocument(str(f))
            take = min(len(src), pages - len(out))
            out.import_pages(src, list(range(take)))
            src.close()
            if len(out) >= pages:
                break
    out.save(str(path))
    out.close()
    return path


CHILD = r"""
import json, resource, sys, time
t0 = time.perf_counter()
from reviewer import Reviewer
rv = Reviewer()
t1 = time.perf_counter()
r = rv.review(sys.argv[1])
t2 = time.perf_counter()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"pages": len(r.pages), "startup_s": t1 - t0, "review_s": t2 - t1,
                  "pages_per_s": len(r.pages) / (t2 - t1), "peak_mb": peak,
                  "words": sum(len(p.text.split()) for p in r.pages)}))
"""


def run(path: Path) -> dict:
    cmd = [sys.executable, "-c", CHILD, str(path)]
    if shutil.which("taskset"):
        cmd = ["taskset", "-c", "0"] + cmd
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT,
                         env={**os.environ, "OMP_NUM_THREADS": "1"})
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    b300 = make_bundle(OUT / "bundle_300.pdf", 300)
    b1000 = make_bundle(OUT / "bundle_1000.pdf", 1000)
    runs = [run(b300) for _ in range(3)]
    runs.sort(key=lambda r: r["pages_per_s"])
    med = runs[1]
    print(f"300-page bundle ({med['words'] // med['pages']} words a page), median of 3, one core: "
          f"{med['pages_per_s']:.0f} pages/s after start-up ({med['review_s']:.2f} s), start-up {med['startup_s']:.2f} s, "
          f"peak {med['peak_mb']:.0f} MB")
    big = run(b1000)
    print(f"1,000-page bundle: {big['pages_per_s']:.0f} pages/s, peak memory {big['peak_mb']:.0f} MB")


if __name__ == "__main__":
    main()
