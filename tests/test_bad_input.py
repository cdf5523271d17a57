"""Bad input: a clear one-line error (exit 2), or a report listing the bad file under problems."""
import json
import subprocess
import sys
from pathlib import Path

import pytest
from reportlab.pdfgen import canvas

from reviewer import CaseError, review

from conftest import SAMPLES


def run_cli(path):
    return subprocess.run([sys.executable, "-m", "reviewer.cli", "review", str(path), "--format", "json"],
                          capture_output=True, text=True)


def make_pdf(path: Path, lines, encrypt=None):
    c = canvas.Canvas(str(path), encrypt=encrypt)
    y = 800
    for line in lines:
        c.drawString(50, y, line)
        y -= 14
    c.showPage()
    c.save()
    return path


def assert_one_line_error(res, *needles):
    assert res.returncode == 2, res.stdout
    err = res.stderr.strip()
    assert err.count("\n") == 0, err
    for n in needles:
        assert n in err, err


def test_missing_path(tmp_path):
    assert_one_line_error(run_cli(tmp_path / "nothing.pdf"), "no such file", "nothing.pdf")


def test_empty_file(tmp_path):
    p = tmp_path / "empty.pdf"
    p.write_bytes(b"")
    assert_one_line_error(run_cli(p), "empty.pdf", "empty")


def test_empty_folder(tmp_path):
    assert_one_line_error(run_cli(tmp_path), "no files")


def test_not_a_pdf(tmp_path):
    p = tmp_path / "statement.pdf"
    p.write_text("This is plain text pretending to be a PDF.\n")
    assert_one_line_error(run_cli(p), "statement.pdf", "not a PDF")


def test_encrypted_pdf(tmp_path):
    p = make_pdf(tmp_path / "locked.pdf", ["MG3 REPORT TO CROWN PROSECUTOR", "The suspect was interviewed under caution."], encrypt="s3cret")
    assert_one_line_error(run_cli(p), "locked.pdf", "encrypted")


def test_truncated_pdf(tmp_path):
    data = (SAMPLES / "a_structured_mg_file.pdf").read_bytes()
    p = tmp_path / "cut.pdf"
    p.write_bytes(data[: len(data) // 3])
    res = run_cli(p)
    # pdfium may repair the readable part; either a report with what could be read or a clear error
    if res.returncode == 0:
        d = json.loads(res.stdout)
        assert d["case"]["pages"] >= 1
    else:
        assert_one_line_error(res, "cut.pdf")


def test_unsupported_type(tmp_path):
    p = tmp_path / "photo.xyz"
    p.write_bytes(b"\x00\x01binary")
    assert_one_line_error(run_cli(p), "photo.xyz", "unsupported")


def test_folder_with_one_corrupt_file(tmp_path):
    case = tmp_path / "case"
    case.mkdir()
    make_pdf(case / "01_mg3.pdf", ["MG3 REPORT TO CROWN PROSECUTOR", "Suspect: Adam TESTER", "The suspect was interviewed under caution on 02/02/2024.",
                                   "PNC: no trace."])
    (case / "02_statement.pdf").write_bytes(b"%PDF-1.4\n%garbage that is not a pdf body")
    (case / "03_notes.txt").write_text("Officer notes.\nNo CCTV enquiries have been made.\n", encoding="utf-8")
    res = run_cli(case)
    assert res.returncode == 0, res.stderr
    d = json.loads(res.stdout)
    bad = [p for p in d["problems"] if p["file"] == "02_statement.pdf"]
    assert bad and bad[0]["kind"] == "corrupt"
    assert d["case"]["files"] == ["01_mg3.pdf", "02_statement.pdf", "03_notes.txt"]
    # the good files were read: what the rules found in them (the calibration layer over the
    # rules is not what this test is about, and a four-line file is far from what it learned on)
    status = {r["item"]: r.get("rule_status", r["status"]) for r in d["checklist"]}
    assert status["suspect_interview"] == "met"
    assert status["suspect_antecedents"] == "met"  # a nil result counts
    assert status["independent_corroboration"] == "missing"


def test_docx_with_no_text(tmp_path):
    import docx

    case = tmp_path / "case"
    case.mkdir()
    docx.Document().save(str(case / "blank.docx"))
    (case / "note.txt").write_text("The suspect was interviewed under caution.", encoding="utf-8")
    r = review(case)
    assert any(p.file == "blank.docx" and p.kind == "no_text" for p in r.problems)
    with pytest.raises(CaseError, match="blank.docx"):
        review(case / "blank.docx")


def test_image_only_page_is_listed(tmp_path):
    from PIL import Image

    img = tmp_path / "scan.png"
    Image.new("RGB", (200, 100), "white").save(img)
    p = tmp_path / "bundle.pdf"
    c = canvas.Canvas(str(p))
    c.drawString(50, 800, "MG5 CASE SUMMARY. The suspect was interviewed under caution.")
    c.showPage()
    c.drawImage(str(img), 50, 500, 200, 100)
    c.showPage()
    c.save()
    r = review(p)
    assert [(x.kind, x.page) for x in r.problems] == [("image_only", 2)]


def test_txt_cp1252_and_form_feeds(tmp_path):
    p = tmp_path / "notes.txt"
    p.write_bytes("Page one \x96 caf\xe9.\fPage two: the suspect\x92s phone was seized.\f".encode("latin-1"))
    r = review(p)
    assert len(r.pages) == 2
    assert "caf\u00e9" in r.pages[0].text and "suspect\u2019s" in r.pages[1].text
