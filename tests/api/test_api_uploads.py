"""Bad input, each refused with a 4xx and a JSON detail; limits; the same bytes stored once."""
from __future__ import annotations

import io
import os
import zipfile

from api_testkit import env, fresh, reviewer_instance  # noqa: F401  (fixtures)
from api_testkit import SAMPLE, SAMPLE_A


def _files_on_disk(store):
    return sorted(p for p in store.files_dir.rglob("*") if p.is_file())


def _post(env, files, who="prosecutor", data=None, headers=None):
    return env.client.post("/api/cases", headers=headers or env.h(who), files=files, data=data or {})


def test_oversize_upload_refused_no_partial_file(fresh):
    before = _files_on_disk(fresh.store)
    big = b"%PDF-1.7\n" + os.urandom(200_000)
    r = _post(fresh, [("files", ("big.pdf", big, "application/pdf"))])
    assert r.status_code == 413 and "larger than the limit" in r.json()["detail"]
    assert _files_on_disk(fresh.store) == before  # nothing left behind, not even in tmp/
    assert fresh.store.cases() == []


def test_oversize_is_refused_while_streaming(fresh):
    """The parser stops at the limit: later parts of the body are never looked at."""
    from api import uploads

    seen = []
    orig = uploads._Receiver.on_part_data

    def spy(self, data, start, end):
        seen.append(end - start)
        return orig(self, data, start, end)

    uploads._Receiver.on_part_data = spy
    try:
        big = b"%PDF-1.7\n" + b"x" * 5_000_000
        r = _post(fresh, [("files", ("big.pdf", big, "application/pdf"))])
    finally:
        uploads._Receiver.on_part_data = orig
    assert r.status_code == 413
    assert sum(seen) < 200_000  # refused at about 64 kB of a 5 MB file


def test_file_that_is_not_what_its_name_says(fresh):
    r = _post(fresh, [("files", ("statement.pdf", b"GIF89a not a pdf at all", "application/pdf"))])
    assert r.status_code == 415 and "not a PDF" in r.json()["detail"]
    r = _post(fresh, [("files", ("mg11.docx", b"%PDF-1.4 pretending", "application/vnd.openxmlformats"))])
    assert r.status_code == 415 and "not a DOCX" in r.json()["detail"]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hello.txt", "a zip, not a Word document")
    r = _post(fresh, [("files", ("notes.docx", buf.getvalue(), "application/zip"))])
    assert r.status_code == 415 and "not a Word document" in r.json()["detail"]
    r = _post(fresh, [("files", ("notes.txt", b"abc\x00\x01\x02", "text/plain"))])
    assert r.status_code == 415 and "not a text file" in r.json()["detail"]
    r = _post(fresh, [("files", ("photo.exe", b"MZ....", "application/octet-stream"))])
    assert r.status_code == 415 and "unsupported type" in r.json()["detail"]
    # the declared content type is ignored: a real PDF declared as text is accepted
    r = _post(fresh, [("files", ("b.pdf", SAMPLE.read_bytes(), "text/plain"))])
    assert r.status_code == 202
    assert not list(fresh.store.tmp_dir.iterdir())


def test_broken_pdf_with_signature(fresh):
    r = _post(fresh, [("files", ("x.pdf", b"%PDF-1.4\n garbage garbage", "application/pdf"))])
    assert r.status_code == 422 and "cannot be opened as a PDF" in r.json()["detail"]


def test_empty_upload(fresh):
    r = _post(fresh, [("files", ("empty.pdf", b"", "application/pdf"))])
    assert r.status_code == 400 and "empty" in r.json()["detail"]
    assert fresh.store.cases() == [] and not list(fresh.store.tmp_dir.iterdir())


def test_missing_field(fresh):
    r = fresh.client.post("/api/cases", headers=fresh.h("prosecutor"), data={"reference": "no files"})
    assert r.status_code in (415, 422) and "files" in r.json()["detail"]
    r = fresh.client.post("/api/cases", headers=fresh.h("prosecutor"),
                          files=[("document", ("b.pdf", SAMPLE.read_bytes(), "application/pdf"))])
    assert r.status_code == 400 and "'files'" in r.json()["detail"]
    r = fresh.client.post("/api/cases", headers={**fresh.h("prosecutor"), "Content-Type": "application/json"}, content=b"{}")
    assert r.status_code == 415 and "multipart/form-data" in r.json()["detail"]


def test_malformed_multipart(fresh):
    r = fresh.client.post("/api/cases", headers={**fresh.h("prosecutor"), "Content-Type": "multipart/form-data; boundary=xyz"},
                          content=b"--xyz\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.pdf\"\r\n\r\n%PDF-1.4")
    assert r.status_code == 400 and "detail" in r.json()
    assert not list(fresh.store.tmp_dir.iterdir())


def test_too_many_files_and_pages(fresh):
    pdf = SAMPLE.read_bytes()
    files = [("files", (f"f{i}.pdf", pdf, "application/pdf")) for i in range(4)]
    r = _post(fresh, files)
    assert r.status_code == 413 and "too many files" in r.json()["detail"]
    # a PDF of 25 pages against the limit of 20
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    for i in range(25):
        c.drawString(72, 720, f"page {i + 1}")
        c.showPage()
    c.save()
    r = _post(fresh, [("files", ("long.pdf", buf.getvalue(), "application/pdf"))])
    assert r.status_code == 413 and "pages" in r.json()["detail"]
    assert fresh.store.cases() == []


def test_same_bytes_twice_are_one_file_and_names_are_not_paths(fresh):
    pdf = SAMPLE.read_bytes()
    r1 = _post(fresh, [("files", ("../../etc/passwd.pdf", pdf, "application/pdf"))])
    r2 = _post(fresh, [("files", ("copy.pdf", pdf, "application/pdf")), ("files", ("copy.pdf", pdf, "application/pdf"))])
    assert r1.status_code == r2.status_code == 202
    stored = [p for p in _files_on_disk(fresh.store) if p.relative_to(fresh.store.files_dir).parts[0] != "tmp"]
    assert len(stored) == 1 and len(stored[0].name) == 64  # named by SHA-256
    assert fresh.store.db["files"].count == 1
    names = [f["name"] for f in fresh.store.case_files(r2.json()["id"])]
    assert names == ["copy.pdf", "copy (2).pdf"]
    assert [f["name"] for f in fresh.store.case_files(r1.json()["id"])] == ["passwd.pdf"]


def test_malformed_token(fresh):
    for h in ({"Authorization": "Bearer"}, {"Authorization": "Token abc"}, {"Authorization": "Bearer " + "x" * 500}):
        r = _post(fresh, [("files", ("b.pdf", SAMPLE.read_bytes(), "application/pdf"))], headers=h)
        assert r.status_code == 401 and "detail" in r.json()
    assert fresh.store.cases() == []


def test_unknown_case_id(fresh):
    for path in ("/api/cases/c_000000000000", "/api/cases/c_000000000000/report", "/api/cases/'; DROP TABLE cases;--/report",
                 "/api/cases/c_000000000000/action-plan", "/api/cases/c_000000000000/pages/1"):
        r = fresh.client.get(path, headers=fresh.h("admin"))
        assert r.status_code == 404 and "no case" in r.json()["detail"], path
    r = fresh.client.post("/api/cases/c_000000000000/checklist/suspect_devices/review", headers=fresh.h("admin"),
                          json={"decision": "confirm"})
    assert r.status_code == 404


def test_search_query_full_of_fts_syntax(fresh):
    fresh.upload("prosecutor")
    nasty = ['"', '" OR 1=1 --', "NEAR(interview suspect, 2)", "interview*", "text:interview", "^interview",
             "AND OR NOT", "(((", "{text}: x", "interview\" OR \"x", "'; DROP TABLE pages; --", "\u0000", "- + * :"]
    for q in nasty:
        r = fresh.client.get("/api/search", params={"q": q}, headers=fresh.h("prosecutor"))
        assert r.status_code == 200, (q, r.text)
        assert isinstance(r.json()["results"], list)
    # words inside the syntax are still searched as plain words
    r = fresh.client.get("/api/search", params={"q": "NEAR(interview"}, headers=fresh.h("prosecutor")).json()
    assert r["results"] == []  # needs both words "NEAR" and "interview"
    r = fresh.client.get("/api/search", params={"q": "interview*"}, headers=fresh.h("prosecutor")).json()
    assert r["results"]
    assert fresh.store.db["pages"].count > 0  # nothing dropped


def test_failed_review_records_its_reason(fresh):
    from reviewer.errors import CaseError

    class Broken:
        def review(self, path, case_id=None):
            raise CaseError("bundle.pdf: encrypted")

    r = _post(fresh, [("files", ("bundle.pdf", SAMPLE.read_bytes(), "application/pdf"))])
    cid = r.json()["id"]
    fresh.worker._reviewer = Broken()
    fresh.worker.run_once()
    st = fresh.client.get(f"/api/cases/{cid}", headers=fresh.h("prosecutor")).json()
    assert st["status"] == "failed" and "encrypted" in st["reason"]
    r = fresh.client.get(f"/api/cases/{cid}/report", headers=fresh.h("prosecutor"))
    assert r.status_code == 409 and "encrypted" in r.json()["detail"]
    assert fresh.store.job(cid)["state"] == "failed"
