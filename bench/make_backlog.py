#!/usr/bin/env python3
"""Generate a synthetic backlog for bench/bench_batch.py from the rendered samples (never commit one).

    python bench/make_backlog.py /tmp/backlog --cases 200 --seed 1

Each case has 20 to 60 pages: a one-page cover naming the case (so every case has its own key) and
whole sample bundles (a_ to h_ and the folder i_mixed_folder, the tuned samples only: the held-out
u* samples are left alone), the last one cut to fit. Four cases in five are one PDF bundle, the rest a
case folder (the DOCX/TXT/PDF files of i_mixed_folder plus a PDF). Output is deterministic for a seed.
"""
from __future__ import annotations

import argparse
import io
import random
import shutil
from pathlib import Path

import pypdfium2 as pdfium

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
BUNDLES = sorted(p for p in SAMPLES.glob("[a-h]_*.pdf"))
FOLDER = SAMPLES / "i_mixed_folder"
FOLDER_PAGES = 9


def cover(n: int, pages: int) -> bytes:
    from reportlab import rl_config

    rl_config.invariant = 1
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.setFont("Helvetica", 14)
    c.drawString(72, 760, f"OFFICIAL-SENSITIVE  Backlog case BL{n:05d}")
    c.drawString(72, 740, f"Synthetic bench case of {pages} pages, assembled from the sample bundles.")
    c.showPage()
    c.save()
    return buf.getvalue()


def bundle(n: int, pages: int, rng: random.Random, dest: Path) -> None:
    out = pdfium.PdfDocument.new()
    out.import_pages(pdfium.PdfDocument(cover(n, pages)))
    while len(out) < pages:
        src = pdfium.PdfDocument(str(rng.choice(BUNDLES)))
        take = min(len(src), pages - len(out))
        out.import_pages(src, list(range(take)))
        src.close()
    out.save(str(dest))
    out.close()


def make_backlog(dest: Path, cases: int = 200, seed: int = 1, min_pages: int = 20, max_pages: int = 60) -> dict:
    """Write CASES cases into DEST; returns {"cases", "pages", "folders"}."""
    if not BUNDLES or not FOLDER.is_dir():
        raise SystemExit("render the samples first: python samples/render.py")
    dest.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    total = folders = 0
    for n in range(1, cases + 1):
        pages = rng.randint(min_pages, max_pages)
        if rng.random() < 0.2:
            case = dest / f"BL{n:05d}"
            shutil.copytree(FOLDER, case)
            bundle(n, pages - FOLDER_PAGES, rng, case / "05_further_material.pdf")
            folders += 1
        else:
            bundle(n, pages, rng, dest / f"BL{n:05d}.pdf")
        total += pages
    return {"cases": cases, "pages": total, "folders": folders}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dest", type=Path)
    ap.add_argument("--cases", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    info = make_backlog(a.dest, a.cases, a.seed)
    print(f"{info['cases']} cases ({info['folders']} folders), {info['pages']} pages in {a.dest}")


if __name__ == "__main__":
    main()
