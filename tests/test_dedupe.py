"""The same file twice, the same statement twice."""
import shutil

import pytest
from reportlab.pdfgen import canvas

from reviewer.dedupe import Duplicate, merge_duplicates
from reviewer.extraction import extract_case

from _scans import degrade, image_pdf, text_page_image

STATEMENT = ("I have known Leanne since school. At about 02:40 on Sunday she rang me. She was crying so much I could not "
             "understand her at first. She told me that he would not stop when she asked him to and that she wanted to go "
             "home. I told her to come to mine and she stayed the night. She had a red mark on her left shoulder which she "
             "showed me. I told her to call the police in the morning, which she did from my flat.")


def _typed(path, lines):
    c = canvas.Canvas(str(path))
    y = 800
    for ln in lines:
        for i in range(0, len(ln), 95):
            c.drawString(40, y, ln[i:i + 95])
            y -= 14
    c.showPage()
    c.save()


def test_same_file_twice_is_read_once(tmp_path):
    _typed(tmp_path / "a.pdf", ["MG11 WITNESS STATEMENT", STATEMENT])
    shutil.copy(tmp_path / "a.pdf", tmp_path / "b.pdf")
    ex = extract_case(tmp_path)
    assert [(p.number, p.file, p.extractor, p.duplicate_of) for p in ex.pages] == [
        (1, "a.pdf", "pdfium", None), (2, "b.pdf", "duplicate", 1)]
    assert ex.pages[1].text == ""
    assert [(x.file, x.kind) for x in ex.problems] == [("b.pdf", "duplicate_file")]


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract-ocr is not installed")
def test_same_statement_typed_and_scanned(tmp_path):
    _typed(tmp_path / "01_typed.pdf", ["MG11 WITNESS STATEMENT", "Statement of: Megan TULL", STATEMENT])
    scan = degrade(text_page_image(["MG11 WITNESS STATEMENT", "Statement of: Megan TULL", STATEMENT]), angle=1.2, seed=9)
    (tmp_path / "02_scan.pdf").write_bytes(image_pdf([scan]))
    ex = extract_case(tmp_path)
    assert [d.to_dict()["page"] for d in ex.duplicates] == [2] and ex.duplicates[0].of == 1
    assert ex.pages[1].duplicate_of == 1
    assert any(x.kind == "duplicate_page" and x.page == 2 for x in ex.problems)


def test_merge_cites_both_places():
    ev = [{"label": "first_complaint", "page": 1, "quote": "She rang me at 02:40.", "start": 5, "end": 26},
          {"label": "first_complaint", "page": 2, "quote": "She rang me at O2:40.", "start": 9, "end": 30},
          {"label": "post_offence_conduct", "page": 2, "quote": "Only on the copy.", "start": 40, "end": 57}]
    out = merge_duplicates(ev, [Duplicate(2, 1, 0.9)])
    assert len(out) == 2
    assert out[0]["also_at"] == [{"page": 2, "quote": "She rang me at O2:40.", "start": 9, "end": 30}]
    assert out[1]["duplicate_of"] == 1
