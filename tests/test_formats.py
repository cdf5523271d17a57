"""E-mail, images and bad input: real files built here, real Tesseract."""
import io
import shutil

import pytest
from reportlab.pdfgen import canvas

from reviewer import review
from reviewer.errors import CaseError
from reviewer.extraction import extract_case

from _scans import degrade, eml, image_pdf, text_page_image

needs_ocr = pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract-ocr is not installed")


def _pdf(text: str) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.drawString(50, 800, "MG11 WITNESS STATEMENT")
    c.drawString(50, 780, text)
    c.showPage()
    c.save()
    return buf.getvalue()


HEAD = {"From": "DC 1 Example <oic@police.example>", "To": "CPS <cps@cps.example>",
        "Date": "Fri, 09 Feb 2024 16:20:00 +0000", "Subject": "Early advice file"}


def test_eml_headers_body_and_pdf_attachment(tmp_path):
    data = eml(HEAD, "Please find the statement attached. The suspect's phone was seized on 04/03/2024.",
               [("statement.pdf", _pdf("She rang me at 02:40 and told me what he had done."), "application/pdf")], "b1")
    (tmp_path / "case").mkdir()
    (tmp_path / "case" / "thread.eml").write_bytes(data)
    ex = extract_case(tmp_path / "case")
    assert [(p.number, p.file, p.extractor) for p in ex.pages] == [(1, "thread.eml", "email"), (2, "thread.eml/statement.pdf", "pdfium")]
    assert ex.pages[0].text.startswith("From: DC 1 Example <oic@police.example>\nTo: CPS")
    assert "Subject: Early advice file" in ex.pages[0].text and "phone was seized" in ex.pages[0].text
    assert ex.files == ["thread.eml", "thread.eml/statement.pdf"]
    assert ex.problems == []


def test_zero_byte_and_unsupported_attachments_are_listed(tmp_path):
    data = eml(HEAD, "Two attachments follow.", [("empty.pdf", b"", "application/pdf"),
                                                 ("phone_dump.xlsx", b"PK\x03\x04junk", "application/vnd.ms-excel")], "b2")
    p = tmp_path / "m.eml"
    p.write_bytes(data)
    r = review(p)
    got = {(x.file, x.kind) for x in r.problems}
    assert ("m.eml/empty.pdf", "empty") in got
    assert ("m.eml/phone_dump.xlsx", "unsupported") in got
    detail = next(x.detail for x in r.problems if x.kind == "unsupported")
    assert "'.xlsx'" in detail and "supported:" in detail
    assert len(r.pages) == 1  # the message itself is still reviewed


def test_not_an_image(tmp_path):
    (tmp_path / "case").mkdir()
    (tmp_path / "case" / "photo.jpg").write_bytes(b"this is a text file pretending to be a JPEG")
    (tmp_path / "case" / "note.txt").write_text("The suspect was interviewed under caution.")
    ex = extract_case(tmp_path / "case")
    assert [(x.file, x.kind) for x in ex.problems] == [("photo.jpg", "corrupt")]
    with pytest.raises(CaseError, match="not a readable image"):
        extract_case(tmp_path / "case" / "photo.jpg")


def test_not_an_email(tmp_path):
    p = tmp_path / "x.eml"
    p.write_bytes(b"\x89PNG\r\n\x1a\n not a message")
    with pytest.raises(CaseError, match="not an e-mail"):
        extract_case(p)


@needs_ocr
def test_multipage_tiff_is_one_page_a_frame(tmp_path):
    frames = [degrade(text_page_image([f"Statement page {i}. The suspect's phone was seized and examined."]), angle=1, seed=i)
              for i in (1, 2)]
    p = tmp_path / "scan.tif"
    frames[0].save(p, format="TIFF", save_all=True, append_images=frames[1:], dpi=(150, 150))
    ex = extract_case(p)
    assert [(x.number, x.file_page, x.extractor) for x in ex.pages] == [(1, 1, "tesseract"), (2, 2, "tesseract")]
    assert "Statement page 2" in ex.pages[1].text and ex.pages[1].ocr_confidence > 70


@needs_ocr
def test_png_and_never(tmp_path):
    p = tmp_path / "note.png"
    text_page_image(["The suspect's phone was seized."]).save(p)
    assert "phone was seized" in extract_case(p).pages[0].text
    ex = extract_case(p, ocr="never")
    assert ex.pages[0].text == "" and [x.kind for x in ex.problems] == ["image_only"]


def test_docx_tables_are_read(tmp_path):
    import docx

    d = docx.Document()
    d.add_paragraph("MG6C SCHEDULE")
    t = d.add_table(rows=2, cols=2)
    t.cell(0, 0).text, t.cell(0, 1).text = "Item", "Description"
    t.cell(1, 0).text, t.cell(1, 1).text = "1", "CCTV from the taxi rank"
    d.save(tmp_path / "s.docx")
    assert "1 | CCTV from the taxi rank" in extract_case(tmp_path / "s.docx").pages[0].text
