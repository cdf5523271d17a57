"""Speed and memory of one review.

    python bench/bench_review.py            # 300-page bundle: pages/s after start-up; 1,000-page bundle: peak memory

The bundles are real PDFs typed with reportlab from the sample sources' pages (distinct pages,
about 570 words each), written to bench/out/ (not committed). The sources are the cases listed in
bench/bundle_sources.txt, fixed so that the bundle does not change as samples are added (it did
before: the same code read 123 pages/s on a bundle made from the samples of one session and 101 on
one made from the next session's); a bundle made from another list is remade. Each measurement runs
in a fresh process pinned to one core (taskset when available), so start-up and peak memory are its own.
"""
from __future__ import annotations

import hashlib
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


SOURCES = ROOT / "bench" / "bundle_sources.txt"


def source_names() -> list[str]:
    """The sample cases the bundles are made from (bench/bundle_sources.txt), in order."""
    return sorted(n for n in SOURCES.read_text(encoding="utf-8").split() if n)


def source_pages() -> list[list[str]]:
    """The pages of the listed sample sources (samples/src/<name>.case), as lists of lines."""
    pages = []
    for f in (ROOT / "samples" / "src" / f"{n}.case" for n in source_names()):
        page: list[str] = []
        for line in f.read_text(encoding="utf-8").splitlines():
            if line.startswith("@page"):
                if page:
                    pages.append(page)
                page = []
            elif line.strip() and not line.startswith("@"):
                page.append(line.strip().lstrip("#").strip())
        if page:
            pages.append(page)
    return pages


def make_bundle(path: Path, pages: int) -> Path:
    """A bundle of PAGES distinct typed pages (reportlab), each made of the lines of two
    sample source pages taken in turn, so that documents start where their headings fall
    and no page repeats another (a backlog bundle rarely does)."""
    import random
    import textwrap

    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    key = hashlib.sha256(("\n".join(source_names()) + f"|{pages}").encode()).hexdigest()[:16]
    stamp = path.with_suffix(".key")
    if path.exists() and stamp.exists() and stamp.read_text() == key:
        return path
    src = source_pages()
    rnd = random.Random(7)
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    for p in range(pages):
        lines = src[p % len(src)] + rnd.choice(src)
        c.setFont("Helvetica", 9)
        c.drawString(40, 810, f"OFFICIAL-SENSITIVE    URN 01XY{p:07d}/24    Page {p + 1} of {pages}")
        y = 790
        for para in lines:
            for line in textwrap.wrap(para.replace("|", " "), 112):
                if y < 40:
                    break
                c.drawString(40, y, line)
                y -= 11
            y -= 5
        c.showPage()
    c.save()
    stamp.write_text(key)
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


def run(path: Path, tree: Path = ROOT) -> dict:
    """One review of PATH in a fresh process pinned to one core, with the reviewer of TREE
    (a checkout: the process starts in it, so its ``reviewer`` is the one imported)."""
    cmd = [sys.executable, "-c", CHILD, str(path)]
    if shutil.which("taskset"):
        cmd = ["taskset", "-c", "0"] + cmd
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=tree,
                         env={**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(tree)})
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
    print(f"1,000-page bundle ({big['words'] // big['pages']} words a page): {big['pages_per_s']:.0f} pages/s, "
          f"peak memory {big['peak_mb']:.0f} MB")


if __name__ == "__main__":
    main()
