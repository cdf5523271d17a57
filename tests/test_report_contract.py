"""Every sample's report validates against the contract, and every citation quotes its page."""
import json
import subprocess
import sys

import jsonschema
import pytest

from reviewer.checklist import CHECKLIST_ITEMS
from reviewer.schema import REPORT_SCHEMA

from conftest import SAMPLES, sample_cases

CASES = sample_cases()


@pytest.mark.parametrize("name,path,truth", CASES, ids=[c[0] for c in CASES])
def test_sample_report_follows_contract(reviewer_instance, name, path, truth):
    report = reviewer_instance.review(path)
    d = json.loads(report.to_json())
    jsonschema.validate(d, REPORT_SCHEMA)
    assert [row["item"] for row in d["checklist"]] == CHECKLIST_ITEMS
    assert d["case"]["pages"] == len(report.pages)
    texts = {p.number: p.text for p in report.pages}
    quotes = [e for row in d["checklist"] for e in row["evidence"]]
    quotes += [c for c in d["concerns"]] + [r for r in d["tpm_requests"]] + [e for e in d["evidence"]]
    for q in quotes:
        assert texts[q["page"]][q["start"]:q["end"]] == q["quote"], (name, q)
    for row in d["checklist"]:
        if row["status"] in ("missing", "outstanding"):
            assert row["action"], row["item"]
        else:
            assert row["action"] is None
        if row["status"] == "met":
            assert row["evidence"] or row["item"] == "key_dates", row["item"]
    for doc in d["documents"]:
        assert 1 <= doc["first_page"] <= doc["last_page"] <= d["case"]["pages"]
    assert "casefile_pipeline" in d["case"]["pipeline"]


def test_cli_json_matches_library(reviewer_instance):
    path = SAMPLES / "a_structured_mg_file.pdf"
    out = subprocess.run([sys.executable, "-m", "reviewer.cli", "review", str(path), "--format", "json"],
                         capture_output=True, text=True, check=True)
    d = json.loads(out.stdout)
    assert d == json.loads(reviewer_instance.review(path).to_json())


@pytest.mark.parametrize("fmt,needle", [("markdown", "# Pre-review checklist"), ("text", "Pre-review checklist")])
def test_cli_other_formats(fmt, needle):
    out = subprocess.run([sys.executable, "-m", "reviewer.cli", "review", str(SAMPLES / "b_poor_officer_report.pdf"), "--format", fmt],
                         capture_output=True, text=True, check=True)
    assert needle in out.stdout
    assert "MISSING" in out.stdout.upper()
