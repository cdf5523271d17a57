"""E-mail (.eml and Outlook .msg), images and bad input: real files built here, real Tesseract."""
import datetime as dt
import importlib.util
import io
import shutil

import pytest
from reportlab.pdfgen import canvas

from reviewer import review
from reviewer.errors import CaseError
from reviewer.extraction import extract_case
from reviewer.formats import Attachment, FormatError, read_msg

import _msgfile
from _scans import degrade, eml, image_pdf, text_page_image

needs_ocr = pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract-ocr is not installed")
needs_msg = pytest.mark.skipif(importlib.util.find_spec("extract_msg") is None,
                               reason="extract-msg is not installed (pip install -e '.[msg]')")


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


# --------------------------------------------------------------------------- Outlook .msg
MG11_LINES = [["MG11 WITNESS STATEMENT", "Statement of: Megan TULL. Age: over 18. Occupation: dental nurse.",
               "I have known Leanne ASHBY since school."],
              ["At about 02:40 on Sunday 3rd March 2024 she rang me. She was crying so much I could not understand her.",
               "She told me that he would not stop when she asked him to. She told me everything that had happened."]]
SENT = dt.datetime(2024, 2, 9, 16, 20, tzinfo=dt.timezone.utc)
BODY = "Please find the statement attached.\r\nThe suspect's phone was seized on 04/03/2024."


def _pdf_pages(pages: list[list[str]]) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    for lines in pages:
        for i, line in enumerate(lines):
            c.drawString(50, 800 - 20 * i, line)
        c.showPage()
    c.save()
    return buf.getvalue()


def _outlook(attachments=None, **kw) -> bytes:
    """The message of HEAD as Outlook saves it, with the two-page MG11 attached."""
    if attachments is None:
        attachments = [("statement.pdf", _pdf_pages(MG11_LINES), "application/pdf")]
    return _msgfile.msg("Early advice file", BODY, ("DC 1 Example", "oic@police.example"), [("CPS", "cps@cps.example")],
                        SENT, attachments, **kw)


def _black_height(ole, sid: int, parent_red: bool = False) -> int:
    """Black nodes on every path down the sibling tree from SID; fails unless it is a red-black
    tree (no red child of a red node, the same black count on every path)."""
    if sid == 0xFFFFFFFF:
        return 1
    e = ole.direntries[sid]
    red = e.color == 0
    assert not (red and parent_red), f"two red nodes in a row at {e.name}"
    left, right = _black_height(ole, e.sid_left, red), _black_height(ole, e.sid_right, red)
    assert left == right, f"unbalanced red-black tree at {e.name}"
    return left + (not red)


def _in_order(ole, sid: int) -> list[str]:
    if sid == 0xFFFFFFFF:
        return []
    e = ole.direntries[sid]
    return _in_order(ole, e.sid_left) + [e.name] + _in_order(ole, e.sid_right)


@needs_msg  # olefile comes with extract-msg
def test_built_msg_is_a_valid_compound_file():
    import olefile

    data = _outlook()
    ole = olefile.OleFileIO(data, raise_defects=olefile.DEFECT_POTENTIAL)  # the strictest olefile reads
    for e in ole.direntries:
        if e is not None and e.sid_child != 0xFFFFFFFF:  # a storage: its children, in MS-CFB order
            assert ole.direntries[e.sid_child].color == 1 and _black_height(ole, e.sid_child) > 1
            names = _in_order(ole, e.sid_child)
            assert names == sorted(names, key=lambda n: (len(n), n.upper())) and len(names) == len(e.kids)
    names = {"/".join(e) for e in ole.listdir(streams=True, storages=True)}
    assert {"__properties_version1.0", "__substg1.0_0037001F", "__substg1.0_1000001F", "__nameid_version1.0/__substg1.0_00020102",
            "__attach_version1.0_#00000000/__substg1.0_37010102", "__recip_version1.0_#00000000/__substg1.0_39FE001F"} <= names
    assert ole.openstream("__attach_version1.0_#00000000/__substg1.0_37010102").read().startswith(b"%PDF")
    big = bytes(range(256)) * 40  # 10 KB: over the mini-stream cutoff, stored in sectors of its own
    ole = olefile.OleFileIO(_outlook([("dump.bin", big, "")]), raise_defects=olefile.DEFECT_POTENTIAL)
    assert ole.openstream("__attach_version1.0_#00000000/__substg1.0_37010102").read() == big


@needs_msg
def test_msg_headers_body_and_pdf_attachment():
    import extract_msg

    data = _outlook()
    m = extract_msg.openMsg(data)
    try:
        assert isinstance(m, extract_msg.Message) and m.subject == "Early advice file" and m.date == SENT
    finally:
        m.close()
    msg = read_msg(data)
    head, body = msg.text.split("\n\n", 1)
    assert head.splitlines() == ["From: DC 1 Example <oic@police.example>", "To: CPS <cps@cps.example>",
                                 "Date: Fri, 09 Feb 2024 16:20:00 +0000", "Subject: Early advice file"]
    assert body == "Please find the statement attached.\nThe suspect's phone was seized on 04/03/2024."
    assert msg.attachments == [Attachment("statement.pdf", _pdf_pages(MG11_LINES))]


@needs_msg
def test_msg_page_is_the_same_as_the_eml_page(tmp_path):
    """The same message saved by Outlook (.msg) and as MIME (.eml) gives the same first page."""
    att = [("statement.pdf", _pdf_pages(MG11_LINES), "application/pdf")]
    (tmp_path / "a.msg").write_bytes(_outlook(att))
    (tmp_path / "b.eml").write_bytes(eml(HEAD, BODY.replace("\r\n", "\n"), att, "b3"))
    assert extract_case(tmp_path / "a.msg").pages[0].text == extract_case(tmp_path / "b.eml").pages[0].text


@needs_msg
def test_msg_without_recipient_storages_keeps_the_display_to():
    msg = read_msg(_outlook(cc=[("DS Two", "two@police.example")], recipients=False))
    assert "\nTo: CPS\nCc: DS Two\n" in msg.text


@needs_msg
def test_msg_case_is_reviewed_end_to_end(tmp_path):
    case = tmp_path / "case"
    case.mkdir()
    (case / "01_MG5.txt").write_text("MG5 CASE SUMMARY\nThe suspect was arrested on 04/03/2024 and interviewed under caution.\n"
                                     "He said the intercourse was consensual.\n")
    (case / "02_thread.msg").write_bytes(_outlook())
    r = review(case)
    assert [(p.number, p.file, p.file_page, p.extractor) for p in r.pages] == [
        (1, "01_MG5.txt", 1, "txt"), (2, "02_thread.msg", 1, "email"),
        (3, "02_thread.msg/statement.pdf", 1, "pdfium"), (4, "02_thread.msg/statement.pdf", 2, "pdfium")]
    assert r.files == ["01_MG5.txt", "02_thread.msg", "02_thread.msg/statement.pdf"]
    assert r.problems == []
    d = r.to_dict()
    item = next(i for i in d["checklist"] if i["item"] == "first_complaint")
    assert item["status"] == "met" and 4 in {e["page"] for e in item["evidence"]}  # the MG11's second page
    mg11 = next(x for x in d["documents"] if x["kind"] == "MG11")
    assert (mg11["file"], mg11["first_page"], mg11["last_page"], mg11["witness"]) == ("02_thread.msg/statement.pdf", 3, 4, "Megan TULL")
    texts = {p.number: p.text for p in r.pages}
    for it in d["checklist"]:
        for e in it["evidence"]:
            assert texts[e["page"]][e["start"]:e["end"]] == e["quote"]


@needs_msg
def test_forwarded_msg_inside_a_msg_gets_its_own_pages(tmp_path):
    """An e-mail attached to an e-mail (Outlook: an embedded message) is read as a message in turn."""
    inner = _msgfile.message_tree("Fwd: first account", "She rang me at 02:40.", ("Megan Tull", "megan@example.com"),
                                  [("DC 1 Example", "oic@police.example")], dt.datetime(2024, 3, 3, 9, 0, tzinfo=dt.timezone.utc),
                                  [("statement.pdf", _pdf_pages(MG11_LINES[:1]), "application/pdf")], embedded=True)
    (tmp_path / "thread.msg").write_bytes(_outlook([("Fwd: first account", inner, "")]))
    ex = extract_case(tmp_path / "thread.msg")
    assert [(p.number, p.file, p.extractor) for p in ex.pages] == [
        (1, "thread.msg", "email"), (2, "thread.msg/Fwd: first account.msg", "email"),
        (3, "thread.msg/Fwd: first account.msg/statement.pdf", "pdfium")]
    assert ex.pages[1].text.startswith("From: Megan Tull <megan@example.com>\nTo: DC 1 Example <oic@police.example>\n"
                                       "Date: Sun, 03 Mar 2024 09:00:00 +0000\nSubject: Fwd: first account\n\nShe rang me")
    assert "Megan TULL" in ex.pages[2].text and ex.problems == []


@needs_msg
def test_corrupt_msg_is_a_problem_and_the_rest_is_reviewed(tmp_path):
    case = tmp_path / "case"
    case.mkdir()
    data = _outlook()
    (case / "01_thread.msg").write_bytes(data[:len(data) // 2])  # cut off mid-transfer
    (case / "02_note.txt").write_text("The suspect was interviewed under caution on 04/03/2024.")
    r = review(case)
    assert [(x.file, x.kind) for x in r.problems] == [("01_thread.msg", "corrupt")]
    assert "Outlook message" in r.problems[0].detail
    assert [(p.number, p.file) for p in r.pages] == [(1, "02_note.txt")]
    with pytest.raises(CaseError, match="01_thread.msg: the Outlook message cannot be opened"):
        extract_case(case / "01_thread.msg")


@needs_msg
def test_msg_damaged_inside_is_corrupt_not_a_crash():
    """A message that opens but whose body stream is damaged (odd UTF-16 length) is still a FormatError."""
    data = _msgfile.set_stream_size(_outlook(), "__substg1.0_1000001F", len(BODY.encode("utf-16-le")) + 1)
    with pytest.raises(FormatError, match="cannot be read") as e:
        read_msg(data)
    assert e.value.kind == "corrupt"
    with pytest.raises(FormatError, match="no OLE2 signature"):
        read_msg(b"From: someone\n\nnot a compound file")
