"""OCR of scanned pages: real Tesseract on pages these tests draw, noise and skew included; the repair of OCR confusions."""
import shutil

import pytest
from reportlab.pdfgen import canvas

from reviewer import review
from reviewer.extraction import extract_case
from reviewer import ocr
from reviewer.ocr import clean_ocr_text, repair_word, text_quality

from _scans import degrade, image_pdf, text_page_image

pytestmark = pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract-ocr is not installed")

MG11 = [
    "MG11 WITNESS STATEMENT",
    "Statement of: Megan TULL. Age: over 18. Occupation: dental nurse.",
    "I have known Leanne ASHBY since school. At about 02:40 on Sunday 3rd March 2024 she rang me. She was crying "
    "so much I could not understand her at first. She told me that he would not stop when she asked him to. "
    "I told her to come to mine and she stayed the night. She told me everything that had happened.",
    "Signed: M. TULL. Dated: 05/03/2024.",
]
HEADER = "OFFICIAL-SENSITIVE URN 47WM0213344/24"


def _typed_page(c, lines):
    y = 800
    for ln in lines:
        c.drawString(50, y, ln)
        y -= 16
    c.showPage()


def _bundle(tmp_path, scan_angle=1.5, rotate90=0):
    """Page 1 typed (an MG5 with no first complaint), page 2 a scanned MG11 with no text layer."""
    typed = tmp_path / "typed.pdf"
    c = canvas.Canvas(str(typed))
    _typed_page(c, ["MG5 CASE SUMMARY", "The suspect was arrested on 04/03/2024 and interviewed under caution.",
                    "He said the intercourse was consensual."])
    c.save()
    scan = degrade(text_page_image(MG11, header=HEADER, footer="Page 2 of 2"), angle=scan_angle, seed=7, rotate90=rotate90)
    scanned = tmp_path / "scan.pdf"
    scanned.write_bytes(image_pdf([scan]))
    case = tmp_path / "case"
    case.mkdir()
    shutil.move(typed, case / "01_MG5.pdf")
    shutil.move(scanned, case / "02_MG11_scan.pdf")
    return case


def test_scanned_page_is_read_and_cited(tmp_path):
    case = _bundle(tmp_path)
    ex = extract_case(case)
    p = ex.pages[1]
    assert (p.number, p.file, p.extractor) == (2, "02_MG11_scan.pdf", "tesseract")
    assert p.engine.startswith("tesseract 5")
    assert p.ocr_confidence > 70 and p.ocr_reason == "no text layer"
    assert "Megan TULL" in p.text
    assert HEADER not in p.text and "Page 2 of 2" not in p.text  # boilerplate stays out of sentences
    assert not [x for x in ex.problems if x.kind.startswith("ocr")]

    r = review(case).to_dict()
    item = next(i for i in r["checklist"] if i["item"] == "first_complaint")
    assert item["status"] == "met"
    pages = {e["page"]: e for e in item["evidence"]}
    assert 2 in pages  # decided by the scanned MG11
    texts = {pg.number: pg.text for pg in ex.pages}
    for it in r["checklist"]:
        for e in it["evidence"]:
            assert texts[e["page"]][e["start"]:e["end"]] == e["quote"]
    ocr_evidence = [e for e in r["evidence"] if e["ocr"]]
    assert ocr_evidence and all(e["page"] == 2 for e in ocr_evidence)


def test_never_lists_the_page_and_misses_it(tmp_path):
    case = _bundle(tmp_path)
    ex = extract_case(case, ocr="never")
    assert ex.pages[1].text == ""
    assert [(x.kind, x.page) for x in ex.problems] == [("image_only", 2)]


def test_sideways_scan_is_turned_before_reading(tmp_path):
    case = _bundle(tmp_path, scan_angle=0.7, rotate90=90)
    p = extract_case(case).pages[1]
    assert p.extractor == "tesseract" and "Megan TULL" in p.text and p.ocr_confidence > 70


def test_timeout_is_reported_not_fatal(tmp_path):
    case = _bundle(tmp_path)
    ex = extract_case(case, ocr_timeout=0.05)
    assert ex.pages[0].text.startswith("MG5")  # the typed page is untouched
    assert [(x.kind, x.page) for x in ex.problems] == [("ocr_timeout", 2)]


def test_low_confidence_page_is_listed(tmp_path):
    noisy = degrade(text_page_image(MG11, point=6), angle=0.5, seed=3, specks=12, blur=1.6)
    p = tmp_path / "smudged.pdf"
    p.write_bytes(image_pdf([noisy]))
    ex = extract_case(p)
    low = [x for x in ex.problems if x.kind == "ocr_low_confidence"]
    assert low and low[0].page == 1 and "read this page by eye" in low[0].detail


def test_garbled_text_layer_is_read_again(tmp_path):
    """A scan whose hidden text layer is glyph soup (a broken OCR layer or font map) is read again."""
    import io

    from reportlab.lib.utils import ImageReader

    img = degrade(text_page_image(MG11), angle=0.5, seed=5)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    buf.seek(0)
    p = tmp_path / "garbled.pdf"
    c = canvas.Canvas(str(p))
    w, h = c._pagesize
    c.drawImage(ImageReader(buf), 0, 0, w, h)
    t = c.beginText(50, 780)
    t.setTextRenderMode(3)  # invisible, as OCR layers are
    for _ in range(12):
        t.textLine("\u00a7\u00b6\u00a4 x#q zz9 \u00d7\u00f7\u00b1 qpxk wvq %%&^ ~~ jjq bcd fgh")
    c.drawText(t)
    c.showPage()
    c.save()
    assert text_quality("Statement of Megan TULL she rang me", 1) > 0.8
    pg = extract_case(p).pages[0]
    assert pg.ocr_reason.startswith("garbled") and pg.extractor == "tesseract" and "Megan TULL" in pg.text


def test_ocr_confusions_are_repaired():
    t = clean_ocr_text("| was inter-\nviewed on l4/03/2O24 by the p0lice . thé ﬁrst MG11 DC4471 ‘suspect’s’ phone")
    assert t.startswith("I was interviewed\non 14/03/2024 by the police")
    assert "the first MG11 DC4471 'suspect's' phone" in t


@pytest.fixture
def no_word_list(monkeypatch):
    """As on a machine without an English word list (Debian: wbritish-large)."""
    monkeypatch.setattr(ocr, "WORD_LISTS", ("/nonexistent/words",))
    ocr.vocabulary.cache_clear()
    ocr.repair_word.cache_clear()
    yield
    ocr.vocabulary.cache_clear()
    ocr.repair_word.cache_clear()


def test_word_list_is_installed():
    assert len(ocr.vocabulary()) > 100_000, "apt-get install wbritish-large (scripts/setup.sh)"
    assert {"complainant", "statement", "mobile", "modem", "burn"} <= ocr.vocabulary().words


def test_letter_confusions_are_repaired():
    assert clean_ocr_text("The cornplainant's rnobile phone was seized") == "The complainant's mobile phone was seized"
    assert clean_ocr_text("the staternent was taken and he was interviewecl (vvitness: DC Horn).") == \
        "the statement was taken and he was interviewed (witness: DC Horn)."
    assert clean_ocr_text("tlie cornrnunication witli cornplainants' rnobile-phone records") == \
        "the communication with complainants' mobile-phone records"  # two confusions in one word; possessive plural
    assert repair_word("clisclosure") == "disclosure" and repair_word("wliich") == "which"


def test_real_words_names_and_codes_are_left_alone():
    text = ("Burn said Mr Horn has a modern modem. Ms Cleary met Liang at the barn; turn left. "
            "URN 47WM0213344/24 MG11 DC4471 at 02:40 on 14/03/2024, oic@police.example rnobile@police.example "
            "STATERNENT by TULL")
    assert clean_ocr_text(text) == text
    # a real but rare word stays ("tum" for "turn" cannot be told from "tum" for "tummy")
    assert repair_word("tum") == "tum" and repair_word("modem") == "modem"
    # capitalised words may be names ("Cleary" is one confusion from "deary"), so only lower case is repaired
    assert repair_word("Cornplainant") == "Cornplainant" and repair_word("cleary") == "deary"
    # two readings are words: no way to choose, so none is taken
    assert repair_word("clarnp") == "clarnp"  # damp or clamp
    assert repair_word("whatsapp") == "whatsapp" and repair_word("snapchat") == "snapchat"  # police words


def test_without_a_word_list_letters_are_not_changed(no_word_list, caplog):
    assert clean_ocr_text("The cornplainant's rnobile phone was seized on l4/03/2O24") == \
        "The cornplainant's rnobile phone was seized on 14/03/2024"
    assert "no English word list" in caplog.text


def test_repaired_words_keep_citations_exact(tmp_path):
    """Tesseract reads the confusions printed on a scan; the page text has the repaired words and
    every quote the review cites is found at its offsets in that text."""
    lines = MG11[:2] + ["The cornplainant's rnobile phone was seized on 04/03/2024 and the staternent was taken."] + MG11[2:]
    case = tmp_path / "case"
    case.mkdir()
    (case / "scan.pdf").write_bytes(image_pdf([degrade(text_page_image(lines), angle=1, seed=4)]))
    rep = review(case)
    page = rep.pages[0]
    assert page.extractor == "tesseract"
    assert "The complainant's mobile phone was seized on 04/03/2024 and the statement was taken." in page.text
    r = rep.to_dict()
    quotes = [e for it in r["checklist"] for e in it["evidence"]] + r["evidence"]
    assert any("complainant's mobile phone" in e["quote"] for e in quotes)
    for e in quotes:
        assert page.text[e["start"]:e["end"]] == e["quote"]


def test_repair_is_ours_not_tesseracts(tmp_path, no_word_list):
    page = text_page_image(["The cornplainant's rnobile phone was seized."])
    p = tmp_path / "note.png"
    page.save(p)
    assert "cornplainant's rnobile phone" in extract_case(p).pages[0].text


def test_two_workers_give_the_same_text(tmp_path):
    pages = [degrade(text_page_image(MG11[:2] + [f"Page marker {i}."] + MG11[2:]), angle=1, seed=i) for i in range(3)]
    p = tmp_path / "three.pdf"
    p.write_bytes(image_pdf(pages))
    one = [x.text for x in extract_case(p, workers=1, options=None).pages]
    two = [x.text for x in extract_case(p, workers=2).pages]
    assert one == two and all("Megan TULL" in t for t in one)
