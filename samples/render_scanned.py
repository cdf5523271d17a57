#!/usr/bin/env python3
"""Build the scanned, image and e-mail sample cases (s1_... s5_...) from the rendered typed samples.

    python samples/render.py            # first: the typed samples these are made from
    python samples/render_scanned.py    # then: s1..s5 and nothing else

Each case is an existing typed case delivered the way real bundles arrive: photocopied and
scanned (noise, blur, skew, a page fed in sideways), as image files, inside an e-mail, or
submitted twice. So each truth file is its source's truth with the page numbers moved where the
delivery moves them (notes say how). Output is deterministic: seeded noise, reportlab invariant
mode, a content-derived PDF /ID, fixed e-mail boundaries and dates.

The same functions build the scanned pages of the tests (``tests/test_ocr.py``):
``text_page_image`` (typed text drawn on an A4 image), ``degrade`` and ``image_pdf``.
"""
from __future__ import annotations

import copy
import hashlib
import io
import json
import os
import random
import re
import shutil
import sys
import textwrap
from email.message import EmailMessage
from email.policy import default as email_policy
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont
from reportlab import rl_config

rl_config.invariant = 1

from reportlab.lib.utils import ImageReader  # noqa: E402
from reportlab.pdfgen import canvas as rl_canvas  # noqa: E402

HERE = Path(__file__).resolve().parent
A4_IN = (8.27, 11.69)


def _font(size_px: int):
    import reportlab

    return ImageFont.truetype(os.path.join(os.path.dirname(reportlab.__file__), "fonts", "Vera.ttf"), size_px)


# --------------------------------------------------------------------------- images
def text_page_image(paragraphs: list[str], dpi: int = 150, columns: int = 1, header: str | None = None,
                    footer: str | None = None, point: float = 11) -> Image.Image:
    """Typed text drawn on a white A4 page (grayscale), wrapped into one or two columns."""
    w, h = int(A4_IN[0] * dpi), int(A4_IN[1] * dpi)
    img = Image.new("L", (w, h), 255)
    d = ImageDraw.Draw(img)
    font = _font(int(point / 72 * dpi))
    line_h = int(point * 1.45 / 72 * dpi)
    margin = int(0.75 * dpi)
    gap = int(0.35 * dpi)
    col_w = (w - 2 * margin - gap * (columns - 1)) // columns
    chars = max(20, int(col_w / (point * 0.55 / 72 * dpi)))
    if header:
        d.text((margin, int(0.35 * dpi)), header, font=font, fill=30)
    if footer:
        d.text((margin, h - int(0.55 * dpi)), footer, font=font, fill=30)
    col, y = 0, margin
    for para in paragraphs:
        for line in textwrap.wrap(para, chars) or [""]:
            if y > h - margin - line_h:
                col, y = col + 1, margin
                if col >= columns:
                    raise ValueError("text does not fit on the page")
            d.text((margin + col * (col_w + gap), y), line, font=font, fill=25)
            y += line_h
        y += line_h // 2
    return img


def degrade(img: Image.Image, angle: float = 1.0, seed: int = 0, specks: int = 500, blur: float = 0.5,
            rotate90: int = 0) -> Image.Image:
    """A photocopy-and-scan look: specks, a little blur, a skew, optionally fed in sideways."""
    img = img.convert("L").copy()
    rnd = random.Random(seed)
    px = img.load()
    w, h = img.size
    for _ in range(w * h // specks):
        px[rnd.randrange(w), rnd.randrange(h)] = rnd.choice((0, 60, 120, 200))
    img = img.rotate(angle, resample=Image.BICUBIC, fillcolor=255)
    if blur:
        img = img.filter(ImageFilter.GaussianBlur(blur))
    if rotate90:
        img = img.rotate(rotate90, expand=True)
    return img


def rasterize(pdf_path: Path, index: int, dpi: int = 150) -> Image.Image:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        return pdf[index].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
    finally:
        pdf.close()


def image_pdf(images: list[Image.Image], dpi: int = 150, quality: int = 70) -> bytes:
    """A PDF of image-only pages (no text layer), each page sized to its image at DPI."""
    buf = io.BytesIO()
    c = rl_canvas.Canvas(buf, invariant=1)
    for img in images:
        w, h = img.width * 72 / dpi, img.height * 72 / dpi
        c.setPageSize((w, h))
        jpg = io.BytesIO()
        img.convert("L").save(jpg, format="JPEG", quality=quality)
        jpg.seek(0)
        c.drawImage(ImageReader(jpg), 0, 0, w, h)
        c.showPage()
    c.save()
    return buf.getvalue()


def combine(parts: list[tuple[bytes, list[int]]]) -> bytes:
    """One PDF of the given pages of the given PDFs, byte-for-byte repeatable."""
    import pypdfium2 as pdfium

    out = pdfium.PdfDocument.new()
    for data, indexes in parts:
        src = pdfium.PdfDocument(data)
        out.import_pages(src, indexes)
    buf = io.BytesIO()
    out.save(buf)
    raw = re.sub(rb"/CreationDate\(D:\d{14}[^)]*\)", b"/CreationDate(D:20240101000000+00'00')", buf.getvalue())
    # pdfium writes a random /ID and the time of saving; replace it with one derived from the content
    body = re.sub(rb"/ID\[<[0-9A-F]+><[0-9A-F]+>\]", b"", raw)
    fixed = hashlib.md5(body).hexdigest().upper().encode()
    return re.sub(rb"/ID\[<[0-9A-F]+><[0-9A-F]+>\]", b"/ID[<" + fixed + b"><" + fixed + b">]", raw)


def scanned(pdf_path: Path, index: int, seed: int, angle: float = 1.0, rotate90: int = 0, dpi: int = 150) -> bytes:
    return image_pdf([degrade(rasterize(pdf_path, index, dpi), angle=angle, seed=seed, rotate90=rotate90)], dpi)


def eml(headers: dict[str, str], body: str, attachments: list[tuple[str, bytes, str]], boundary: str) -> bytes:
    """An RFC 822 message with a fixed MIME boundary (so the bytes repeat)."""
    m = EmailMessage(policy=email_policy)
    for k, v in headers.items():
        m[k] = v
    m.set_content(body)
    for name, data, ctype in attachments:
        main, sub = ctype.split("/")
        m.add_attachment(data, maintype=main, subtype=sub, filename=name)
    m.set_boundary(boundary)
    return m.as_bytes()


# --------------------------------------------------------------------------- cases
def _pdf_pages(path: Path) -> int:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    n = len(pdf)
    pdf.close()
    return n


def _truth(src: str, name: str, note: str, page_map=None, pages: int | None = None) -> dict:
    t = json.loads((HERE / f"{src}.truth.json").read_text())
    t = copy.deepcopy(t)
    t["case"] = name
    page_map = page_map or (lambda p: p)
    for r in t.get("tpm_requests", []):
        r["page"] = page_map(r["page"])
    for c in t.get("concerns", []):
        if "page" in c:
            c["page"] = page_map(c["page"])
    t.setdefault("notes", {})["delivery"] = note
    if pages is not None:
        t["pages"] = pages
    return t


def _write(out: Path, data: bytes) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)


def build_s1() -> None:
    """d_terse_notes photocopied and scanned whole; page 3 fed in sideways."""
    src = HERE / "d_terse_notes.pdf"
    pages = []
    for i in range(_pdf_pages(src)):
        img = degrade(rasterize(src, i), angle=[0.8, -1.3, 0.5, 2.2, -0.7][i % 5], seed=100 + i,
                      rotate90=90 if i == 2 else 0)
        pages.append(img)
    _write(HERE / "s1_scanned_terse_notes.pdf", image_pdf(pages))
    _save_truth("s1_scanned_terse_notes", _truth("d_terse_notes", "s1_scanned_terse_notes",
                "d_terse_notes photocopied and scanned: every page image-only, skewed 0.5-2.2 degrees, page 3 "
                "scanned sideways (rotated 90 degrees). Same statuses and pages as d."))


def build_s2() -> None:
    """a_structured_mg_file with its MG11 page (the first complaint) a scanned photocopy."""
    src = HERE / "a_structured_mg_file.pdf"
    data = src.read_bytes()
    n = _pdf_pages(src)
    mg11 = 4  # 0-based: "MG11 WITNESS STATEMENT" (Megan TULL, the first person told)
    scan = scanned(src, mg11, seed=200, angle=-2.6)
    _write(HERE / "s2_scanned_mg11.pdf", combine([(data, list(range(mg11))), (scan, [0]), (data, list(range(mg11 + 1, n)))]))
    _save_truth("s2_scanned_mg11", _truth("a_structured_mg_file", "s2_scanned_mg11",
                "a_structured_mg_file with page 5 (MG11 of Megan TULL, the first complaint) replaced by a scanned "
                "photocopy with no text layer, skewed 2.6 degrees. first_complaint is decided by that page."))


def build_s3() -> None:
    """h_delay_rui as a folder: typed pages 1-4 (PDF), pages 5-6 a multi-page TIFF, page 7 a JPEG."""
    src = HERE / "h_delay_rui.pdf"
    data = src.read_bytes()
    out = HERE / "s3_image_folder"
    if out.exists():
        shutil.rmtree(out)
    out.mkdir()
    _write(out / "01_MG3.pdf", combine([(data, [0, 1, 2, 3])]))
    frames = [degrade(rasterize(src, i), angle=a, seed=300 + i) for i, a in ((4, 1.1), (5, -0.9))]
    buf = io.BytesIO()
    frames[0].save(buf, format="TIFF", save_all=True, append_images=frames[1:], compression="tiff_lzw", dpi=(150, 150))
    _write(out / "02_MG5_scan.tif", buf.getvalue())
    buf = io.BytesIO()
    degrade(rasterize(src, 6), angle=0.6, seed=306).save(buf, format="JPEG", quality=75, dpi=(150, 150))
    _write(out / "03_MG6C_photo.jpg", buf.getvalue())
    _save_truth("s3_image_folder", _truth("h_delay_rui", "s3_image_folder",
                "h_delay_rui delivered as a folder: 01_MG3.pdf (typed pages 1-4), 02_MG5_scan.tif (a two-frame "
                "TIFF, pages 5-6), 03_MG6C_photo.jpg (page 7). Same statuses and pages as h."))


def build_s4() -> None:
    """b_poor_officer_report sent as a PDF attached to an e-mail thread (the message is page 1)."""
    src = HERE / "b_poor_officer_report.pdf"
    body = (
        "Please find attached the file for early advice in the matter of Ryan COLE.\n\n"
        "Regards\nDC 3318 Amy Fenwick\n\n"
        "-----Original Message-----\n"
        "From: CPS Direct Area Team <area.team@cps.example>\n"
        "Subject: RE: Early advice request\n\n"
        "Thank you. Please send the file when it is ready.\n"
    )
    msg = eml({"From": "DC 3318 Amy Fenwick <amy.fenwick@police.example>",
               "To": "CPS Area Team <area.team@cps.example>",
               "Date": "Fri, 09 Feb 2024 16:20:00 +0000",
               "Subject": "RE: Early advice request - file attached",
               "Message-ID": "<s4-thread-0001@police.example>"},
              body, [("officer_report.pdf", src.read_bytes(), "application/pdf")], boundary="==s4-boundary==")
    out = HERE / "s4_email_thread"
    if out.exists():
        shutil.rmtree(out)
    _write(out / "thread.eml", msg)
    _save_truth("s4_email_thread", _truth("b_poor_officer_report", "s4_email_thread",
                "b_poor_officer_report attached to an e-mail: the message (headers and body) is page 1 and the "
                "attachment's pages follow as 2-6, so every page of b moves by one.",
                page_map=lambda p: p + 1, pages=6))


def build_s5() -> None:
    """e_mg3a_action_plan submitted twice (identical bytes) and its MG11 page re-sent as a scan."""
    src = HERE / "e_mg3a_action_plan.pdf"
    out = HERE / "s5_duplicate_statement"
    if out.exists():
        shutil.rmtree(out)
    _write(out / "01_MG3A_bundle.pdf", src.read_bytes())
    _write(out / "02_MG3A_bundle_resent.pdf", src.read_bytes())
    _write(out / "03_MG11_rescanned.pdf", scanned(src, 4, seed=500, angle=1.4))
    _save_truth("s5_duplicate_statement", _truth("e_mg3a_action_plan", "s5_duplicate_statement",
                "e_mg3a_action_plan sent twice (02 is byte-identical to 01: its pages 6-10 are kept for numbering but "
                "not read again) and its MG11 (page 5) re-sent as a scan (page 11, a near-duplicate of page 5). "
                "Statuses and findings as e; nothing is found twice.", pages=11))


def _save_truth(name: str, truth: dict) -> None:
    (HERE / f"{name}.truth.json").write_text(json.dumps(truth, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


BUILDERS = {"s1": build_s1, "s2": build_s2, "s3": build_s3, "s4": build_s4, "s5": build_s5}


def main(argv: list[str]) -> int:
    chosen = argv or list(BUILDERS)
    for key in chosen:
        BUILDERS[key[:2]]()
        print(f"built {key}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
