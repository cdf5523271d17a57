"""End to end against a real uvicorn server on 127.0.0.1 with a fresh database."""
from __future__ import annotations

import socket
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor

import httpx

from e2e_testkit import server_factory  # noqa: F401  (fixture)
from e2e_testkit import SAMPLE, add_user, wait_done


def _client(server, token):
    return httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=60)


def test_upload_review_dismiss_gaps_plan(server_factory, tmp_path):
    db = tmp_path / "e2e.db"
    token = add_user(db, "rita", "reviewer", "north")
    server = server_factory(db=db)
    with _client(server, token) as c:
        with open(SAMPLE, "rb") as fh:
            r = c.post("/api/cases", files=[("files", ("bundle.pdf", fh, "application/pdf"))], data={"reference": "E2E-1"})
        assert r.status_code == 202
        cid = r.json()["id"]
        assert wait_done(c, cid)["status"] == "done"
        rep = c.get(f"/api/cases/{cid}/report").json()
        assert rep["schema"] == "casefile-review/1" and len(rep["checklist"]) == 33
        gap = next(i for i in rep["checklist"] if i["status"] == "missing")
        r = c.post(f"/api/cases/{cid}/checklist/{gap['item']}/review", json={"decision": "dismiss", "note": "on file p.4"})
        assert r.status_code == 201
        gaps = c.get("/api/gaps").json()
        assert gaps and gap["item"] not in {g["item"] for g in gaps}
        plan = c.get(f"/api/cases/{cid}/action-plan").json()
        assert plan["actions"] and gap["item"] not in {a["item"] for a in plan["actions"]}
        md = c.get(f"/api/cases/{cid}/action-plan", headers={"Accept": "text/markdown"})
        assert md.text.startswith("# Early-advice action plan")
    server.stop()
    assert server.proc.returncode is not None


def test_restart_during_review_finishes_once(server_factory, tmp_path):
    db = tmp_path / "e2e.db"
    token = add_user(db, "pat", "prosecutor", "north")
    server = server_factory(db=db, delay=4)  # each review waits 4 s before it starts: time to crash mid-review
    with _client(server, token) as c:
        with open(SAMPLE, "rb") as fh:
            cid = c.post("/api/cases", files=[("files", ("bundle.pdf", fh, "application/pdf"))]).json()["id"]
        end = time.time() + 20
        while c.get(f"/api/cases/{cid}").json()["status"] != "processing":
            assert time.time() < end
            time.sleep(0.05)
    server.kill()  # crash the server and its worker mid-review
    con = sqlite3.connect(db)
    assert con.execute("SELECT state, attempts FROM jobs WHERE case_id=?", [cid]).fetchone() == ("running", 1)
    server2 = server_factory(db=db, port=server.port)
    with _client(server2, token) as c:
        st = wait_done(c, cid)
        assert st["status"] == "done" and len(st["reviews"]) == 1
    assert con.execute("SELECT state, attempts FROM jobs WHERE case_id=?", [cid]).fetchone() == ("done", 2)
    assert con.execute("SELECT COUNT(*) FROM reviews WHERE case_id=?", [cid]).fetchone()[0] == 1
    assert con.execute("SELECT COUNT(*) FROM cases").fetchone()[0] == 1


def test_twenty_parallel_uploads(server_factory, tmp_path):
    db = tmp_path / "e2e.db"
    token = add_user(db, "pat", "prosecutor", "north")
    server = server_factory(db=db)
    data = SAMPLE.read_bytes()

    def up(i):
        with _client(server, token) as c:
            r = c.post("/api/cases", files=[("files", (f"case{i}.pdf", data, "application/pdf"))], data={"reference": f"P-{i}"})
            return r.status_code, r.json().get("id")

    t0 = time.perf_counter()
    with ThreadPoolExecutor(20) as ex:
        results = list(ex.map(up, range(20)))
    accepted = time.perf_counter() - t0
    assert all(code == 202 for code, _ in results), results
    ids = {cid for _, cid in results}
    assert len(ids) == 20
    with _client(server, token) as c:
        for cid in ids:
            assert wait_done(c, cid, timeout=120)["status"] == "done"
        listed = {x["id"] for x in c.get("/api/cases").json()}
        assert ids <= listed
    con = sqlite3.connect(db)
    assert con.execute("SELECT COUNT(*) FROM reviews").fetchone()[0] == 20
    assert con.execute("SELECT MAX(attempts), COUNT(*) FROM jobs WHERE state='done'").fetchone() == (1, 20)
    assert con.execute("SELECT COUNT(*) FROM files").fetchone()[0] == 1  # same bytes: one file
    print(f"20 parallel uploads accepted in {accepted:.2f}s")


def test_oversize_refused_while_streaming_over_the_wire(server_factory, tmp_path):
    """A raw socket sends 3 MB of a declared 50 MB body: the 413 arrives before the body is done."""
    db = tmp_path / "e2e.db"
    token = add_user(db, "pat", "prosecutor", "north")
    server = server_factory(db=db, extra=["--max-file-mb", "1"])
    boundary = "xyzBOUNDARY"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"big.pdf\"\r\n"
            f"Content-Type: application/pdf\r\n\r\n%PDF-1.7\n").encode()
    declared = 50 * 1024 * 1024
    req = (f"POST /api/cases HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
           f"Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {declared}\r\n\r\n").encode()
    s = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    sent = 0
    try:
        s.sendall(req + head)
        chunk = b"0" * 65536
        try:
            while sent < 3 * 1024 * 1024:
                s.sendall(chunk)
                sent += len(chunk)
        except OSError:
            pass  # the server may close the connection once it has answered
        resp = b""
        while b"\r\n\r\n" not in resp:
            part = s.recv(65536)
            if not part:
                break
            resp += part
    finally:
        s.close()
    assert resp.startswith(b"HTTP/1.1 413"), resp[:200]
    assert sent < declared
    time.sleep(0.3)
    assert [p for p in (tmp_path / "e2e.db.files").rglob("*") if p.is_file()] == []  # no partial file
    assert sqlite3.connect(db).execute("SELECT COUNT(*) FROM cases").fetchone()[0] == 0
