"""tools/heldout_interval.py: per-case counts from the evaluation, and a bootstrap over cases."""
import json
import shutil
import sys

from conftest import SAMPLES

sys.path.insert(0, str(SAMPLES.parent / "tools"))

import heldout_interval as hi  # noqa: E402


def test_counts_follow_the_truth_file(tmp_path):
    shutil.copy(SAMPLES / "a_structured_mg_file.pdf", tmp_path / "x.pdf")
    truth = json.loads((SAMPLES / "a_structured_mg_file.truth.json").read_text())
    (tmp_path / "x.truth.json").write_text(json.dumps(truth))
    right, n, flagged, gaps = hi.case_counts(tmp_path, {"x"})[0]
    assert n == 33 and right <= 33 and flagged <= gaps
    # every status made a gap: the gaps grow to 33 and only the review's own gaps are flagged
    (tmp_path / "x.truth.json").write_text(json.dumps(dict(truth, checklist={k: "missing" for k in truth["checklist"]})))
    right2, _, flagged2, gaps2 = hi.case_counts(tmp_path, {"x"})[0]
    assert gaps2 == 33 and flagged2 < 33 and right2 < right


def test_interval_brackets_the_point_and_is_zero_wide_for_equal_cases():
    rows = [(30, 33, 8, 10), (25, 33, 5, 10), (33, 33, 10, 10)]
    out = hi.interval(rows, resamples=500)
    assert out["status_interval"][0] <= out["status_accuracy"] <= out["status_interval"][1]
    assert out["recall_interval"][0] <= out["gap_recall"] <= out["recall_interval"][1]
    same = hi.interval([(30, 33, 9, 10)] * 5, resamples=200)
    assert same["status_interval"][0] == same["status_interval"][1] == same["status_accuracy"]
    assert same["reach_recall"] == 1.0 and same["reach_status"] == 1.0
