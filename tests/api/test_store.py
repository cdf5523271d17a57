"""The store library on its own: migrations, history, decisions, audit, tokens, the job queue."""
from __future__ import annotations

import copy
import sqlite3

import pytest

from api_testkit import env, fresh, reviewer_instance  # noqa: F401  (fixtures)
from api_testkit import SAMPLE
from reviewer.store import Store, StoreError, User, hash_token


@pytest.fixture(scope="module")
def report(reviewer_instance):
    return reviewer_instance.review(SAMPLE, case_id="b")


def test_wal_and_migrations_run_once(tmp_path):
    s = Store(tmp_path / "s.db")
    assert s.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert s.migrations() == ["m001_initial", "m002_review_history"]
    s2 = Store(tmp_path / "s.db")
    assert s2.migrations() == ["m001_initial", "m002_review_history"]


def test_save_review_one_case_row_and_history(tmp_path, report):
    s = Store(tmp_path / "s.db")
    cid = s.save_review("cases/b", report, [SAMPLE], area="north", reference="B")
    assert s.has_review("cases/b", report.pipeline) and not s.has_review("cases/b", "other 9")
    assert s.save_review("cases/b", report, [SAMPLE]) == cid  # reviewed again (--force): the first is history
    assert len(s.reviews(cid)) == 2 and s.db["pages"].count == 2 * len(report.pages)
    assert s.db["cases"].count == 1
    newer = copy.deepcopy(report.to_dict())
    newer["case"]["pipeline"] = "casefile_pipeline 9.9.9"
    assert s.save_review("cases/b", newer, [SAMPLE]) == cid
    assert [r["pipeline"] for r in s.reviews(cid)] == [report.pipeline, report.pipeline, "casefile_pipeline 9.9.9"]
    assert s.db["cases"].count == 1 and s.case(cid)["pipeline"] == "casefile_pipeline 9.9.9"
    assert s.db["files"].count == 1 and s.file_path(s.case_files(cid)[0]["sha256"]).exists()
    # the rows of the report are there
    for t in ("documents", "findings", "checklist", "timeline"):
        assert s.db[t].count > 0, t


def test_save_review_is_one_transaction(tmp_path, report):
    s = Store(tmp_path / "s.db")
    bad = report.to_dict()
    bad = {**bad, "checklist": bad["checklist"] + [{"item": "suspect_interview", "group": "suspect", "status": "met"}]}
    with pytest.raises(sqlite3.IntegrityError):
        s.save_review("k", bad, [SAMPLE])
    assert s.db["cases"].count == 0 and s.db["reviews"].count == 0 and s.db["pages"].count == 0


def test_record_failure(tmp_path):
    s = Store(tmp_path / "s.db")
    cid = s.record_failure("k", "encrypted PDF", [SAMPLE], area="north")
    c = s.case(cid)
    assert c["status"] == "failed" and c["reason"] == "encrypted PDF" and s.cases()[0]["id"] == cid


def test_tokens_are_hashed_and_revocable(tmp_path):
    s = Store(tmp_path / "s.db")
    tok = s.add_user("amy", "reviewer", "north")
    assert len(tok) >= 40
    raw = s.db.execute("SELECT token_hash FROM users").fetchone()[0]
    assert raw == hash_token(tok) and tok not in raw
    assert s.user_for_token(tok).name == "amy"
    with pytest.raises(StoreError):
        s.add_user("amy", "reviewer", "north")
    with pytest.raises(StoreError):
        s.add_user("bob", "boss", "north")
    s.revoke_user("amy")
    assert s.user_for_token(tok) is None


def test_audit_is_append_only(tmp_path):
    s = Store(tmp_path / "s.db")
    s.audit("amy", "read_report", "c_1", None, "127.0.0.1")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        s.db.execute("UPDATE audit SET user='x'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        s.db.execute("DELETE FROM audit")
    assert s.audit_rows()[0]["user"] == "amy"


def test_decisions_are_rows_and_latest_wins(tmp_path, report):
    s = Store(tmp_path / "s.db")
    cid = s.save_review("k", report, [SAMPLE], area="north")
    u = User(1, "amy", "reviewer", "north")
    gap = next(r for r in s.effective_checklist(cid) if r["status"] == "missing")
    before = s.case(cid)["gaps"]
    s.decide(cid, gap["item"], u, "dismiss", note="found it")
    assert s.case(cid)["gaps"] == before - 1
    s.decide(cid, gap["item"], u, "amend", "outstanding")
    row = next(r for r in s.effective_checklist(cid) if r["item"] == gap["item"])
    assert row["status"] == "outstanding" and row["machine_status"] == "missing"
    assert len(s.decisions(cid)) == 2
    with pytest.raises(StoreError):
        s.decide(cid, gap["item"], u, "amend")
    with pytest.raises(StoreError):
        s.decide(cid, gap["item"], u, "dismiss", "missing")
    # a decision survives a re-review by the same pipeline
    s.save_review("k", report, [SAMPLE])
    assert next(r for r in s.effective_checklist(cid) if r["item"] == gap["item"])["status"] == "outstanding"


def test_job_queue_exactly_once(tmp_path, report):
    s = Store(tmp_path / "s.db")
    sha = s.put_file(SAMPLE)
    u = User(1, "amy", "prosecutor", "north")
    cid = s.enqueue_upload([("b.pdf", sha)], u)
    job = s.claim_job("w1")
    assert job["case_id"] == cid and s.case(cid)["status"] == "processing"
    assert s.claim_job("w2") is None
    # w1 dies; a restart requeues; w2 reviews
    assert s.requeue_interrupted() == 1 and s.case(cid)["status"] == "queued"
    job2 = s.claim_job("w2")
    assert job2["attempts"] == 2
    assert s.finish_job(job, "w1", report=report) is False  # the dead worker's late result is not stored
    assert s.finish_job(job2, "w2", report=report) is True
    assert s.finish_job(job2, "w2", report=report) is False
    assert len(s.reviews(cid)) == 1 and s.case(cid)["status"] == "done"


def test_search_quotes_user_input(tmp_path, report):
    from reviewer.store import fts_quote

    assert fts_quote('a" OR b*') == '"a" "OR" "b"'
    assert fts_quote("***") == ""
    s = Store(tmp_path / "s.db")
    s.save_review("k", report, [SAMPLE], area="north")
    assert s.search('interview" OR "x') == []
