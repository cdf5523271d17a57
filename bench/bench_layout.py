"""Cost of reading text-layer pages in reading order (:mod:`reviewer.layout`).

    python bench/bench_layout.py

Times pdfium's own text (``get_textpage().get_text_range()``, what extraction did before)
against :func:`reviewer.layout.read_text` on three bundles in bench/out/ (not committed): the
300-page bundle of ordinary pages from bench_review.py, 100 pages in two columns drawn row by
row across both, and 100 ordinary pages given /Rotate 90; then the whole extraction stage
(``extract_case``, OCR off) of the 300-page bundle with either reader. Best of 7 passes, one
process, the two readers taking turns; prints milliseconds a page and how many pages' text
changed. Pin it to one core for steadier figures: ``taskset -c 0 python bench/bench_layout.py``.
"""
from __future__ import annotations

import sys
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from bench_review import OUT, make_bundle, source_pages  # noqa: E402

from reviewer.layout import read_text  # noqa: E402


def _sample_pdf(path: Path, pages: int, draw_page) -> Path:
    """PATH with PAGES pages of sample text, each drawn by DRAW_PAGE(canvas, page number,
    source pages); kept if it already exists."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    if path.exists():
        return path
    src = source_pages()
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    for p in range(pages):
        draw_page(c, p, src)
        c.showPage()
    c.save()
    return path


def make_columns(path: Path, pages: int) -> Path:
    """PAGES pages in two columns of sample text, each row drawn across both columns."""
    def draw(c, p, src):
        lines = [ln for para in src[p % len(src)] + src[(p + 7) % len(src)] for ln in textwrap.wrap(para, 56)]
        rows = min(64, (len(lines) + 1) // 2)
        c.setFont("Helvetica-Bold", 11)
        c.drawString(40, 805, f"MG11 WITNESS STATEMENT (continued), page {p + 1}")
        c.setFont("Helvetica", 9)
        for i in range(rows):
            for k in (0, 1):
                j = k * rows + i
                if j < len(lines):
                    c.drawString(40 + 265 * k, 780 - 11 * i, lines[j])
    return _sample_pdf(path, pages, draw)


def make_rotated(path: Path, pages: int) -> Path:
    """PAGES ordinary pages of sample text given /Rotate 90."""
    def draw(c, p, src):
        c.setFont("Helvetica", 9)
        y = 800
        for line in (ln for para in src[p % len(src)] for ln in textwrap.wrap(para, 112)):
            if y < 40:
                break
            c.drawString(40, y, line)
            y -= 11
        c.setPageRotation(90)
    return _sample_pdf(path, pages, draw)


def pdfium_text(page) -> str:
    textpage = page.get_textpage()
    try:
        return textpage.get_text_range()
    finally:
        textpage.close()


def timed(pdf, read) -> tuple[float, list[str]]:
    t0 = time.perf_counter()
    texts = []
    for i in range(len(pdf)):
        page = pdf[i]
        texts.append(read(page))
        page.close()
    return time.perf_counter() - t0, texts


def bench(path: Path, passes: int = 7) -> None:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    n = len(pdf)
    best = {"pdfium": float("inf"), "layout": float("inf")}
    texts = {}
    for _ in range(passes):
        for name, read in (("pdfium", pdfium_text), ("layout", read_text)):
            seconds, texts[name] = timed(pdf, read)
            best[name] = min(best[name], seconds)
    pdf.close()
    changed = sum(a != b for a, b in zip(texts["pdfium"], texts["layout"]))
    before, after = best["pdfium"] / n * 1000, best["layout"] / n * 1000
    print(f"{path.name:24} {n:4d} pages  pdfium {before:.3f} ms/page ({n / best['pdfium']:.0f} pages/s)  "
          f"layout {after:.3f} ms/page ({n / best['layout']:.0f} pages/s)  +{(after - before) / before:.1%}  "
          f"text changed on {changed} pages")


def bench_extraction(path: Path, passes: int = 7) -> None:
    """The extraction stage (quality scores, boilerplate, duplicates) with pdfium's text or in reading order."""
    from reviewer import extraction

    best = {"pdfium": float("inf"), "layout": float("inf")}
    n = 0
    for _ in range(passes):
        for name, read in (("pdfium", pdfium_text), ("layout", read_text)):
            extraction.read_text = read
            t0 = time.perf_counter()
            n = len(extraction.extract_case(path, ocr="never").pages)
            best[name] = min(best[name], time.perf_counter() - t0)
    extraction.read_text = read_text
    before, after = best["pdfium"] / n * 1000, best["layout"] / n * 1000
    print(f"extract_case {path.name:11} {n:4d} pages  pdfium {before:.3f} ms/page  layout {after:.3f} ms/page  "
          f"+{(after - before) / before:.1%}")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    bundle = make_bundle(OUT / "bundle_300.pdf", 300)
    bench(bundle)
    bench(make_columns(OUT / "columns_100.pdf", 100))
    bench(make_rotated(OUT / "rotated_100.pdf", 100))
    bench_extraction(bundle)


if __name__ == "__main__":
    main()
