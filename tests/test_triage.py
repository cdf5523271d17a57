"""Triage ranking and the timeliness chart (reviewer.triage); reports here are small dicts, no pipeline."""
from __future__ import annotations

import json
from datetime import date

import pytest
from click.testing import CliRunner

from reviewer.batch_cli import timeliness as timeliness_cmd
from reviewer.batch_cli import triage as triage_cmd
from reviewer.store import Store
from reviewer.triage import BENCHMARK_DAYS, rank, rank_store, score_report, summarise_days, timeliness_chart

SUSPECT = ["suspect_interview", "suspect_devices", "suspect_communications", "post_offence_conduct"]


def report(name: str, *, missing=(), outstanding=(), tpm=(), concerns=(), reported=None, days=None) -> dict:
    checklist = []
    for item in SUSPECT + ["suspect_account_tested", "mg6c_schedule"]:
        status = "missing" if item in missing else "outstanding" if item in outstanding else "met"
        group = "suspect" if item in SUSPECT else "enquiries" if item == "suspect_account_tested" else "disclosure"
        checklist.append({"item": item, "group": group, "status": status, "title": item, "evidence":
                          [{"document": "d1", "page": 2, "quote": "q", "start": 0, "end": 1}] if status != "met" else [],
                          "action": f"do {item}" if status != "met" else None})
    return {"schema": "casefile-review/1",
            "case": {"id": name, "files": [f"{name}.pdf"], "pages": 3, "pipeline": "test 1"},
            "documents": [], "checklist": checklist,
            "tpm_requests": [{"category": c, "holder": "h", "page": 3, "quote": "q", "reason_stated": False,
                              "scope_limited": a != "speculative", "victim_notified": True, "assessment": a}
                             for c, a in tpm],
            "evidence": [], "concerns": [{"kind": k, "page": 1, "quote": "q", "why": "w"} for k in concerns],
            "timeline": {"offence": None, "reported": reported, "suspect_interviewed": None, "submitted": None,
                         "days_report_to_submission": days},
            "problems": []}


AS_OF = date(2025, 1, 1)


def test_points_and_reasons():
    s = score_report(report("x", missing=["suspect_devices", "mg6c_schedule"], outstanding=["suspect_account_tested"],
                            tpm=[("counselling", "speculative"), ("medical", "needs_justification"), ("sarc", "justified")],
                            concerns=["myth_or_stereotype"], reported="2024-03-01"), AS_OF)
    assert s["parts"] == {"suspect_lines": 2 + 1, "tpm": 3 + 1, "concerns": 2, "time": 3}  # 306 days: 3 x 90
    assert s["score"] == 12 and s["days_since_report"] == 306
    whys = [r["why"] for r in s["reasons"]]
    assert whys[0] == "speculative counselling request (no reason, no limit)"
    assert "suspect_devices not pursued: could still be (do suspect_devices)" in whys
    assert "suspect_account_tested outstanding: chase it" in whys
    assert "myth or stereotype in the police reasoning" in whys
    assert "306 days since report (2024-03-01)" in whys
    assert not any("mg6c" in w for w in whys)  # disclosure gaps are not suspect-focused lines


def test_time_is_capped_and_an_unknown_report_date_says_so():
    assert score_report(report("old", reported="2015-01-01"), AS_OF)["parts"]["time"] == 4
    s = score_report(report("none"), AS_OF)
    assert s["parts"]["time"] == 0 and s["reasons"][-1]["why"] == "report date not stated"


def test_rank_order_ties_and_top():
    cases = [({"id": "c1", "reference": "a.pdf"}, report("a", missing=["suspect_devices"], reported="2024-12-01")),
             ({"id": "c2", "reference": "b.pdf"}, report("b", concerns=["sexual_history"], reported="2024-06-01")),
             ({"id": "c3", "reference": "c.pdf"}, report("c", tpm=[("medical", "speculative")], missing=["suspect_interview"])),
             ({"id": "c4", "reference": "d.pdf"}, report("d"))]
    r = rank(cases, as_of=AS_OF)
    assert [x["reference"] for x in r] == ["c.pdf", "b.pdf", "a.pdf", "d.pdf"]
    assert [x["score"] for x in r] == [5, 4, 2, 0]  # b: 2 + 2 (214 days); a and b tie on concern vs line, time decides
    assert [x["rank"] for x in r] == [1, 2, 3, 4]
    assert len(rank(cases, as_of=AS_OF, top=2)) == 2


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "s.db"
    store = Store(path)
    for i, (area, rep) in enumerate([
        ("Kent", report("k1", missing=SUSPECT, reported="2024-01-10", days=20)),
        ("Kent", report("k2", reported="2024-09-01", days=45)),
        ("Surrey", report("s1", tpm=[("counselling", "speculative")], reported="2024-05-01", days=120)),
        ("Surrey", report("s2", days=None)),
        ("Surrey", report("s3", reported="2024-07-22", days=-167)),
    ]):
        store.save_review(f"key{i}", rep, [], area=area, reference=rep["case"]["id"])
    store.record_failure("bad", "corrupt", area="Kent")
    store.close()
    return path


def test_rank_store_reads_reviewed_cases_of_an_area(db):
    store = Store(db)
    kent = rank_store(store, area="Kent", as_of="2025-01-01")
    assert [r["reference"] for r in kent] == ["k1", "k2"]  # the failed case has no report
    assert kent[0]["score"] == 8 + 3 and kent[0]["area"] == "Kent"
    assert len(rank_store(store, as_of="2025-01-01")) == 5
    with pytest.raises(ValueError):
        rank_store(store, as_of="soon")


def test_triage_cli(db):
    r = CliRunner().invoke(triage_cmd, ["--db", str(db), "--top", "2", "--as-of", "2025-01-01", "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert [x["reference"] for x in out] == ["k1", "s1"]
    r = CliRunner().invoke(triage_cmd, ["--db", str(db), "--area", "Surrey", "--as-of", "2025-01-01"])
    assert r.exit_code == 0 and r.output.startswith("  1. s1")
    assert "+3 speculative counselling request" in r.output


def test_median_and_quartiles():
    s = summarise_days([5, 72, 22, 90, 50, 200, 139, 0])
    assert s["n"] == 8 and s["median"] == 61 and (s["q1"], s["q3"]) == (17.75, 102.25)
    assert s["min"] == 0 and s["max"] == 200 and s["over_benchmark"] == 5 and s["benchmark_days"] == BENCHMARK_DAYS == 32
    assert summarise_days([40])["q1"] == 40 and summarise_days([])["median"] is None


@pytest.mark.parametrize("fmt,magic", [("png", b"\x89PNG"), ("svg", b"<?xml")])
def test_chart(fmt, magic):
    data = timeliness_chart(summarise_days([5, 72, 22, 90]), fmt=fmt)
    assert data.startswith(magic)
    assert timeliness_chart(summarise_days([]), fmt=fmt).startswith(magic)
    if fmt == "svg":
        assert b"32 days" in data  # the benchmark's label
        assert data == timeliness_chart(summarise_days([5, 72, 22, 90]), fmt=fmt)  # reproducible


def test_timeliness_cli(db, tmp_path):
    out = tmp_path / "t.svg"
    r = CliRunner().invoke(timeliness_cmd, ["--db", str(db), "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "3 case(s) with both dates: median 45 days, quartiles 32.5-82.5" in r.output
    assert "left out, submission dated before the report" in r.output and "s3" in r.output
    assert "1 reviewed case(s) lack a report or submission date" in r.output
    assert out.read_bytes().startswith(b"<?xml")
    r = CliRunner().invoke(timeliness_cmd, ["--db", str(db), "--out", str(tmp_path / "t.gif")])
    assert r.exit_code == 2
