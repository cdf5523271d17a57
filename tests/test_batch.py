"""Backlog sweeps (reviewer.batch): discovery, keys, resumability after SIGKILL, Dask, bad input.

Backlogs here are 3-6 sample cases; the 200-case backlog is bench/ only.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from reviewer.batch import (BatchError, CaseSource, DaskBackend, LocalBackend, case_key, check_scheduler_address,
                            find_cases, sweep)
from reviewer.batch_cli import batch as batch_cmd
from reviewer.store import Store

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
SMALL = ["b_poor_officer_report.pdf", "c_email_thread.pdf", "d_terse_notes.pdf", "g_drug_facilitated.pdf"]


def make_backlog(dest: Path, bundles=SMALL, folder: bool = True) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for name in bundles:
        shutil.copy(SAMPLES / name, dest / name)
    if folder:
        shutil.copytree(SAMPLES / "i_mixed_folder", dest / "area_kent" / "i_mixed_folder")
    return dest


@pytest.fixture(scope="module")
def pool():
    with LocalBackend(workers=2) as backend:
        yield backend


def tree_digest() -> str:
    """The rules in models/ and the code in reviewer/: what a review's results depend on."""
    import hashlib

    h = hashlib.sha256()
    for base, pattern in ((ROOT / "models", "*.*"), (ROOT / "reviewer", "*.py")):
        for f in sorted(base.rglob(pattern)):
            if f.is_file() and f.suffix in (".json", ".jsonl", ".cfg", ".py"):
                h.update(f.read_bytes())
    return h.hexdigest()


_TREE_AT_IMPORT = tree_digest()  # before the module's pool loads anything


@pytest.fixture
def same_rules():
    """Reports are compared across runs; call the returned check before comparing. It skips, not fails,
    when models/ or reviewer/ was edited while the tests ran (the work tree is shared during development,
    and a pipeline loaded before an edit gives other results than one loaded after it)."""

    def check(*runs):  # each a {key: report} from stored(), or a sweep's Summary
        pipelines = {p for run in runs for p in ([run.pipeline] if hasattr(run, "pipeline") else
                                                 [rep["case"]["pipeline"] for rep in run.values()])}
        if tree_digest() != _TREE_AT_IMPORT or len(pipelines) > 1:
            pytest.skip(f"models/ or reviewer/ changed while the tests ran; runs used {sorted(pipelines)}")

    return check


def stored(db: Path, reviews_each: int = 1) -> dict[str, dict]:
    """case_key -> the current report (store id removed), checking one row per case and REVIEWS_EACH reviews each."""
    store = Store(db)
    conn = store.db.conn
    dupes = conn.execute("SELECT case_key, COUNT(*) FROM cases GROUP BY case_key HAVING COUNT(*) > 1").fetchall()
    assert dupes == []
    out = {}
    for row in store.cases():
        assert row["status"] == "done", row
        assert len(store.reviews(row["id"])) == reviews_each
        rep = store.report(row["id"])
        rep["case"].pop("store_id", None)
        out[row["case_key"]] = rep
    store.close()
    return out


# ---------------------------------------------------------------- discovery and keys
def test_find_cases_layout(tmp_path):
    b = make_backlog(tmp_path / "b", bundles=SMALL[:2])
    (b / "notes.csv").write_text("x")
    (b / ".hidden.pdf").write_bytes(b"%PDF-")
    (b / "empty").mkdir()
    cases, skips = find_cases(b)
    assert [(c.name, c.kind) for c in cases] == [
        ("area_kent/i_mixed_folder", "folder"), ("b_poor_officer_report.pdf", "bundle"), ("c_email_thread.pdf", "bundle")]
    why = {s.name: s for s in skips}
    assert "unsupported" in why["notes.csv"].reason and not why["notes.csv"].failed
    assert why["empty"].reason == "empty folder"
    assert ".hidden.pdf" not in why


def test_a_folder_of_sources_is_not_a_case(tmp_path):
    """A folder holding only files of unsupported types (the samples' .case sources) is left
    out as not a case, not reported as a case that failed."""
    b = make_backlog(tmp_path / "b", bundles=SMALL[:1])
    (b / "src").mkdir()
    (b / "src" / "one.case").write_text("@file one.pdf\n# MG3\n")
    (b / "src" / "two.case").write_text("@file two.pdf\n# MG3\n")
    cases, skips = find_cases(b)
    assert "src" not in [c.name for c in cases]
    why = {s.name: s for s in skips}
    assert "not a case" in why["src"].reason and ".case" in why["src"].reason and not why["src"].failed


def test_an_email_with_attachments_is_not_a_changed_case(tmp_path, pool):
    """The report lists an e-mail's attachments under it ("thread.eml/report.pdf"); the sweep
    must not take them for files added to the case while it ran."""
    b = tmp_path / "b"
    shutil.copytree(SAMPLES / "s4_email_thread", b / "s4_email_thread")
    s = sweep(b, Store(tmp_path / "s.db"), pool)
    assert s.reviewed == ["s4_email_thread"] and not s.failed


def test_case_keys_follow_content_not_place(tmp_path):
    b = make_backlog(tmp_path / "b", bundles=SMALL[:1])
    cases, _ = find_cases(b)
    keys = {c.name: case_key(c) for c in cases}
    # moving and renaming keep the key
    shutil.move(str(b / "area_kent" / "i_mixed_folder"), str(b / "renamed_folder"))
    shutil.move(str(b / SMALL[0]), str(b / "other_name.pdf"))
    moved = {c.name: case_key(c) for c in find_cases(b)[0]}
    assert sorted(keys.values()) == sorted(moved.values())
    # renaming a file inside a folder changes the page order, so the key
    f = b / "renamed_folder" / "02_MG11_statements.txt"
    f.rename(f.with_name("05_MG11_statements.txt"))
    again = {c.name: case_key(c) for c in find_cases(b)[0]}
    assert again["other_name.pdf"] == moved["other_name.pdf"]
    assert again["renamed_folder"] != moved["renamed_folder"]


def test_missing_or_file_root_is_an_error(tmp_path):
    with pytest.raises(BatchError, match="no such folder"):
        find_cases(tmp_path / "nope")
    with pytest.raises(BatchError, match="not a folder"):
        find_cases(SAMPLES / SMALL[0])


# ---------------------------------------------------------------- sweeps
def test_sweep_then_skip_then_force(tmp_path, pool, same_rules):
    b = make_backlog(tmp_path / "b", bundles=SMALL[:2])
    shutil.copy(b / SMALL[0], b / "copy_of_b.pdf")  # same bytes: one case
    db = tmp_path / "s.db"
    store = Store(db)
    events = []
    s1 = sweep(b, store, pool, on_event=events.append, area="Kent")
    assert sorted(s1.reviewed) == ["area_kent/i_mixed_folder", "b_poor_officer_report.pdf", "c_email_thread.pdf"]
    assert s1.skipped == [("copy_of_b.pdf", "same files as b_poor_officer_report.pdf")] and not s1.failed
    assert s1.pages == 5 + 5 + 9
    assert [e.kind for e in events][0] == "start" and events[-1].kind == "end"
    assert sum(c["missing"] + c["outstanding"] for c in s1.gaps.values()) > 0
    rows = store.cases()
    assert len(rows) == 3 and {r["area"] for r in rows} == {"Kent"}
    assert {r["reference"] for r in rows} == set(s1.reviewed)
    first = stored(db)
    s2 = sweep(b, store, pool)
    same_rules(s1, s2)
    assert s2.reviewed == [] and len(s2.skipped) == 4
    assert s2.gaps == s1.gaps  # the summary still covers the whole folder
    s3 = sweep(b, store, pool, force=True)
    assert len(s3.reviewed) == 3
    same_rules(s1, s3)
    assert stored(db, reviews_each=2) == first  # the same results; the first review is kept as history


def test_new_pipeline_version_reviews_again_and_keeps_history(tmp_path, pool):
    from reviewer.pipeline import PIPELINE_DIR

    b = make_backlog(tmp_path / "b", bundles=SMALL[:1], folder=False)
    db = tmp_path / "s.db"
    store = Store(db)
    old = sweep(b, store, pool)
    newer = tmp_path / "pipeline"
    shutil.copytree(PIPELINE_DIR, newer)
    meta = json.loads((newer / "meta.json").read_text())
    meta["version"] = meta.get("version", "0") + ".post1"
    (newer / "meta.json").write_text(json.dumps(meta))
    with LocalBackend(workers=1, pipeline_path=str(newer)) as backend2:
        new = sweep(b, store, backend2)
    assert new.pipeline != old.pipeline and new.reviewed == old.reviewed
    (row,) = store.cases()
    assert [r["pipeline"] for r in store.reviews(row["id"])] == [old.pipeline, new.pipeline]
    assert row["pipeline"] == new.pipeline


def test_sigkill_part_way_then_resume_equals_uninterrupted(tmp_path, same_rules):
    b = make_backlog(tmp_path / "b")  # 5 cases
    clean_db, killed_db = tmp_path / "clean.db", tmp_path / "killed.db"
    cmd = [sys.executable, "-m", "reviewer.batch_cli", "batch", str(b), "--workers", "2", "--no-progress"]
    r = subprocess.run(cmd + ["--db", str(clean_db)], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    clean = stored(clean_db)
    assert len(clean) == 5

    # The run stalls (test hook) right after its 2nd commit: SIGKILL lands part-way, whatever the machine load.
    env = {**os.environ, "_REVIEWER_BATCH_STALL_AFTER": "2"}
    p = subprocess.Popen(cmd + ["--db", str(killed_db)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 240
        n = 0
        while time.monotonic() < deadline and p.poll() is None:
            if killed_db.exists():
                try:
                    with sqlite3.connect(killed_db, timeout=1) as c:
                        n = c.execute("SELECT COUNT(*) FROM cases WHERE status='done'").fetchone()[0]
                except sqlite3.OperationalError:
                    n = 0
                if n >= 2:
                    break
            time.sleep(0.1)
        assert n == 2 and p.poll() is None, "the run should be stalled after 2 cases"
        children = _children(p.pid)
        os.kill(p.pid, signal.SIGKILL)
        p.wait(10)
        # the pool's workers notice their parent is gone and exit on their own
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and any(_alive(c) for c in children):
            time.sleep(0.2)
        assert not any(_alive(c) for c in children), "orphaned workers left running"
    finally:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    partial = stored(killed_db)
    assert len(partial) == 2

    r = subprocess.run(cmd + ["--db", str(killed_db), "--json"], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    summary = json.loads(r.stdout)
    assert summary["reviewed"] == 3 and summary["skipped"] == 2 and summary["failed"] == 0
    resumed = stored(killed_db)
    same_rules(clean, resumed)
    assert resumed == clean


def _children(pid: int) -> list[int]:
    import psutil

    return [c.pid for c in psutil.Process(pid).children(recursive=True)]


def _alive(pid: int) -> bool:
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_dask_localcluster_gives_the_same_results_as_the_local_pool(tmp_path, pool, same_rules):
    distributed = pytest.importorskip("distributed")
    b = make_backlog(tmp_path / "b", bundles=SMALL[:3])
    local_db, paths_db, bytes_db = tmp_path / "local.db", tmp_path / "paths.db", tmp_path / "bytes.db"
    sweep(b, Store(local_db), pool)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        with DaskBackend(client=client, ship="paths") as backend:
            s = sweep(b, Store(paths_db), backend)
            assert len(s.reviewed) == 4 and not s.failed
            assert s.workers and not any(w.endswith(f":{os.getpid()}") for w in s.workers)  # ran on the cluster
        with DaskBackend(client=client, ship="bytes") as backend:
            sweep(b, Store(bytes_db), backend)
    local, paths, blobs = stored(local_db), stored(paths_db), stored(bytes_db)
    assert len(local) == 4
    same_rules(local, paths, blobs)
    assert paths == local
    assert blobs == local


# ---------------------------------------------------------------- bad input
def test_unreadable_folder_is_reported_and_the_sweep_goes_on(tmp_path, pool, monkeypatch):
    b = make_backlog(tmp_path / "b", bundles=SMALL[:1])
    locked = b / "locked_case"
    shutil.copytree(SAMPLES / "i_mixed_folder", locked)
    inner = b / "area_kent" / "i_mixed_folder" / "annex"
    inner.mkdir()
    (inner / "x.txt").write_text("annex")
    # permissions do not stop root, so the refusal is simulated at the system call
    real_scandir = os.scandir

    def scandir(path="."):
        if Path(path) in (locked, inner):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    store = Store(tmp_path / "s.db")
    s = sweep(b, store, pool)
    assert s.reviewed == ["b_poor_officer_report.pdf"]
    reasons = dict(s.failed)
    assert reasons["locked_case"] == "unreadable folder (Permission denied)"
    assert "unreadable folder inside the case: annex (Permission denied)" in reasons["area_kent/i_mixed_folder"]
    assert len(store.cases()) == 1  # nothing stored for a case whose files could not all be read


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads unreadable folders")
def test_unreadable_folder_really(tmp_path, pool):
    b = make_backlog(tmp_path / "b", bundles=SMALL[:1], folder=False)
    locked = b / "locked"
    locked.mkdir()
    (locked / "x.txt").write_text("x")
    locked.chmod(0)
    try:
        s = sweep(b, Store(tmp_path / "s.db"), pool)
    finally:
        locked.chmod(0o755)
    assert dict(s.failed)["locked"].startswith("unreadable folder")


def test_symlink_loops_are_reported_not_followed(tmp_path, pool):
    b = make_backlog(tmp_path / "b", bundles=SMALL[:1])
    (b / "area_kent" / "back_to_top").symlink_to(b, target_is_directory=True)
    (b / "self_loop.pdf").symlink_to(b / "self_loop.pdf")
    (b / "alias").symlink_to(b / "area_kent", target_is_directory=True)
    s = sweep(b, Store(tmp_path / "s.db"), pool)
    assert sorted(s.reviewed) == ["area_kent/i_mixed_folder", "b_poor_officer_report.pdf"]
    reasons = dict(s.failed)
    assert reasons["area_kent/back_to_top"].startswith("symlink loop")
    assert reasons["self_loop.pdf"].startswith("symlink loop")
    assert "already swept" in dict(s.ignored)["alias"]


def test_file_vanishing_during_the_sweep(tmp_path, pool, monkeypatch, same_rules):
    import reviewer.batch as batch

    b = make_backlog(tmp_path / "b", bundles=SMALL[:3])
    real_key = batch.case_key

    def key_then_vanish(src: CaseSource) -> str:
        if src.name == "b_poor_officer_report.pdf":
            (b / "c_email_thread.pdf").unlink()  # gone before it is hashed
        key = real_key(src)
        if src.name == "area_kent/i_mixed_folder":
            (src.path / "02_MG11_statements.txt").unlink()  # gone after hashing, before the worker reads it
        return key

    monkeypatch.setattr(batch, "case_key", key_then_vanish)
    store = Store(tmp_path / "s.db")
    s = sweep(b, store, pool)
    reasons = dict(s.failed)
    assert sorted(s.reviewed) == ["b_poor_officer_report.pdf", "d_terse_notes.pdf"]
    assert reasons["c_email_thread.pdf"].startswith("vanished before it could be read")
    assert "vanished during the sweep" in reasons["area_kent/i_mixed_folder"]
    rows = {r["reference"] or r["reason"].split(":")[0]: r for r in store.cases()}
    assert rows["area_kent/i_mixed_folder"]["status"] == "failed"
    assert "vanished" in rows["area_kent/i_mixed_folder"]["reason"]
    monkeypatch.setattr(batch, "case_key", real_key)
    s2 = sweep(b, store, pool)  # the folder as it now is is a new case; the rest are skipped
    same_rules(s, s2)
    assert s2.reviewed == ["area_kent/i_mixed_folder"] and not s2.failed


def _hold_write_lock(db: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    conn.execute("BEGIN IMMEDIATE")
    return conn


def test_locked_database_waits_then_says_so(tmp_path):
    b = make_backlog(tmp_path / "b", bundles=SMALL[:1], folder=False)
    db = tmp_path / "s.db"
    Store(db).close()
    conn = _hold_write_lock(db)
    try:
        t0 = time.monotonic()
        r = CliRunner().invoke(batch_cmd, [str(b), "--db", str(db), "--lock-timeout", "1", "--no-progress"])
        waited = time.monotonic() - t0
    finally:
        conn.execute("ROLLBACK")
        conn.close()
    assert r.exit_code == 2
    assert "locked by another writer; waited 1 s" in r.output
    assert 1.0 <= waited < 30


def test_locked_database_waits_for_the_other_writer(tmp_path, pool):
    b = make_backlog(tmp_path / "b", bundles=SMALL[:1], folder=False)
    db = tmp_path / "s.db"
    store = Store(db, busy_timeout_ms=200)
    conn = _hold_write_lock(db)
    events = []
    threading.Timer(1.5, conn.execute, ["ROLLBACK"]).start()
    s = sweep(b, store, pool, lock_timeout=60, on_event=events.append)
    conn.close()
    assert s.reviewed == [SMALL[0]]
    assert any(e.kind == "wait" for e in events)


def test_scheduler_that_does_not_answer_fails_within_seconds(tmp_path):
    b = make_backlog(tmp_path / "b", bundles=SMALL[:1], folder=False)
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    t0 = time.monotonic()
    r = CliRunner().invoke(batch_cmd, [str(b), "--db", str(tmp_path / "s.db"), "--scheduler",
                                       f"tcp://127.0.0.1:{port}", "--connect-timeout", "2", "--no-progress"])
    assert r.exit_code == 2, r.output
    assert f"no Dask scheduler answers at tcp://127.0.0.1:{port}" in r.output
    assert time.monotonic() - t0 < 15


@pytest.mark.parametrize("address", ["127.0.0.1:8786", "http://x:1", "tcp://", ""])
def test_malformed_scheduler_address(address):
    with pytest.raises(BatchError, match="not of the form tcp://HOST:PORT"):
        check_scheduler_address(address)


def test_cli_exit_codes_and_summary(tmp_path):
    b = make_backlog(tmp_path / "b", bundles=SMALL[:1], folder=False)
    (b / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    r = CliRunner().invoke(batch_cmd, [str(b), "--db", str(tmp_path / "s.db"), "--workers", "1", "--json"])
    assert r.exit_code == 1, r.output  # finished, one case failed
    out = json.loads(r.output)
    assert out["reviewed"] == 1 and out["failed"] == 1
    assert out["failures"][0]["case"] == "broken.pdf" and "cannot be opened" in out["failures"][0]["reason"]
    assert set(out["gaps"]) and out["pages"] == 5
    # again, with the progress bar and the readable summary: the good case is skipped, the bad one retried
    r = CliRunner().invoke(batch_cmd, [str(b), "--db", str(tmp_path / "s.db"), "--workers", "1"],
                           env={"COLUMNS": "200"})
    assert r.exit_code == 1
    assert "2 case(s) found: 0 reviewed, 1 skipped, 1 failed" in r.output
    assert "cases 2/2" in r.output and "pages/s" in r.output
    assert "Gaps per checklist item" in r.output and "suspect_devices" in r.output
    r = CliRunner().invoke(batch_cmd, [str(tmp_path / "missing"), "--db", str(tmp_path / "s.db")])
    assert r.exit_code == 2 and "no such folder" in r.output


def test_a_pipeline_that_cannot_load_stops_the_sweep_with_the_reason(tmp_path):
    b = make_backlog(tmp_path / "b", bundles=SMALL[:1], folder=False)
    with LocalBackend(workers=1, pipeline_path=str(tmp_path / "no_pipeline")) as backend:
        with pytest.raises(BatchError, match="the workers cannot start: the pipeline cannot be loaded"):
            sweep(b, Store(tmp_path / "s.db"), backend)


def test_depth_makes_folders_with_subfolders_cases(tmp_path):
    b = tmp_path / "b"
    case = b / "kent" / "URN123"
    shutil.copytree(SAMPLES / "i_mixed_folder", case / "statements")
    shutil.copy(SAMPLES / SMALL[0], b / SMALL[0])
    auto = [c.name for c in find_cases(b)[0]]
    assert auto == [SMALL[0], "kent/URN123/statements"]
    fixed = [(c.name, c.kind) for c in find_cases(b, depth=2)[0]]
    assert fixed == [(SMALL[0], "bundle"), ("kent/URN123", "folder")]
