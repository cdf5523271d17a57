#!/usr/bin/env python3
"""OCR throughput: pages a second with 1 and 2 workers, and the added cost of a scanned page.

    python bench/bench_ocr.py [--pages 8]

Builds an image-only PDF of PAGES noisy, skewed A4 scans (~330 words each, samples/render_scanned.py)
and the same text as a typed PDF, then times extract_case on each (median of 3 runs).
"""
from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("render_scanned", ROOT / "samples" / "render_scanned.py")
rs = importlib.util.module_from_spec(spec)
spec.loader.exec_module(rs)

from reportlab.pdfgen import canvas  # noqa: E402

from reviewer import ocr  # noqa: E402
from reviewer.extraction import Options, extract_case  # noqa: E402

PARA = ("On Saturday 2nd March 2024 at about 23:40 I called my friend and told her that he had raped me. She came round "
        "and I told her everything that had happened. The suspect later sent me a message saying sorry and asking me "
        "not to tell anyone. I was interviewed on video at the Sexual Assault Referral Centre on 4th March 2024.")


def build(tmp: Path, n: int) -> tuple[Path, Path]:
    paras = [f"MG11 WITNESS STATEMENT (page {{i}})"] + [PARA] * 5
    images = [rs.degrade(rs.text_page_image([p.format(i=i) for p in paras]), angle=0.5 + (i % 3), seed=i) for i in range(n)]
    scanned = tmp / "scanned.pdf"
    scanned.write_bytes(rs.image_pdf(images))
    typed = tmp / "typed.pdf"
    c = canvas.Canvas(str(typed))
    for i in range(n):
        y = 800
        for p in [paras[0].format(i=i)] + [PARA] * 5:
            for k in range(0, len(p), 95):
                c.drawString(40, y, p[k:k + 95])
                y -= 14
        c.showPage()
    c.save()
    return scanned, typed


def timed(fn, runs: int = 3) -> float:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return statistics.median(out)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=8)
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    print(f"{ocr.tesseract_version()}, {ocr.default_workers()} cores available, {a.pages} pages, median of {a.runs}")
    with tempfile.TemporaryDirectory() as d:
        scanned, typed = build(Path(d), a.pages)
        t_typed = timed(lambda: extract_case(typed), a.runs)
        print(f"typed PDF:            {t_typed:7.3f}s  {a.pages / t_typed:8.1f} pages/s")
        conf = []
        for w in (1, 2):
            t = timed(lambda: conf.append(extract_case(scanned, options=Options(workers=w, find_duplicates=False))), a.runs)
            print(f"scanned, {w} worker(s): {t:7.3f}s  {a.pages / t:8.2f} pages/s  "
                  f"added {(t - t_typed) / a.pages:.2f}s a scanned page")
        c = [p.ocr_confidence for p in conf[-1].pages]
        print(f"mean OCR confidence {sum(c) / len(c):.1f}; problems {len(conf[-1].problems)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
