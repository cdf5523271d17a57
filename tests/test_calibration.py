"""The calibration layer: its model file is validated, applied as documented, kept beside the
rules' own status, and is what tools/train_calibration.py makes from the development samples."""
import copy
import json
import math
import sys

import numpy as np
import pytest

from reviewer import RulesError
from reviewer.calibration import FEATURES, Calibration, case_features, load_calibration
from reviewer.checklist import CHECKLIST_ITEMS, Citation, ItemResult
from reviewer.pipeline import MODELS

from conftest import ROOT, SAMPLES

N = len(FEATURES)


def _trainer():
    if str(ROOT / "tools") not in sys.path:
        sys.path.insert(0, str(ROOT / "tools"))
    import train_calibration  # a module, so its worker processes can import it too

    return train_calibration


def _flat(classes=("met", "missing", "outstanding"), intercept=(0.0, 0.0, 0.0), threshold=0.3) -> dict:
    """A model file whose every item ignores its features and answers INTERCEPT's softmax."""
    item = {"classes": list(classes), "mean": [0.0] * N, "scale": [1.0] * N,
            "coef": [[0.0] * N for _ in classes], "intercept": list(intercept), "labels": []}
    return {"version": "9.9.9", "features": list(FEATURES), "gap_threshold": threshold,
            "items": {i: copy.deepcopy(item) for i in CHECKLIST_ITEMS}}


def _actions(item: str, status: str) -> str | None:
    return {"missing": f"do {item}", "outstanding": f"chase {item}"}.get(status)


def test_committed_file_loads_and_names_its_training():
    cal = load_calibration()
    assert cal.version and 0 < cal.gap_threshold < 0.5  # below one half: a missed gap costs more
    assert set(cal.models) == set(CHECKLIST_ITEMS)
    assert cal.trained_on["cases"] >= 300


def test_model_was_trained_on_the_rules_now_in_models():
    """The model reads the rules' output: after a rule file's version changes it must be retrained."""
    trainer = _trainer()
    trained = load_calibration().trained_on["rules"]
    assert trained == trainer.rule_versions(), "rules changed since training: run python tools/train_calibration.py"


@pytest.mark.parametrize("change, message", [
    (lambda d: d.pop("version"), "needs a 'version' string"),
    (lambda d: d.update(features=list(FEATURES)[:-1]), "features.*retrain"),
    (lambda d: d.update(gap_threshold=1.5), "gap_threshold must be a number between 0 and 1"),
    (lambda d: d["items"].pop("key_dates"), "exactly the contract's 33 ids"),
    (lambda d: d["items"]["key_dates"].update(classes=["met", "done"]), "classes must be distinct statuses"),
    (lambda d: d["items"]["key_dates"]["mean"].pop(), "'mean' must be %d finite numbers" % N),
    (lambda d: d["items"]["key_dates"]["scale"].__setitem__(0, 0.0), "every 'scale' must be positive"),
    (lambda d: d["items"]["key_dates"]["coef"][0].__setitem__(3, math.inf), "'coef' must be 3 rows"),
    (lambda d: d["items"]["key_dates"].update(labels=["no_such_label"]), "unknown evidence labels"),
])
def test_bad_model_file_is_refused_naming_file_and_problem(tmp_path, change, message):
    data = _flat()
    change(data)
    f = tmp_path / "calibration.json"
    f.write_text(json.dumps(data))
    with pytest.raises(RulesError, match=message) as e:
        load_calibration({"device", "communications"}, f)
    assert str(f) in str(e.value)


def test_missing_model_file_is_a_rules_error(tmp_path):
    with pytest.raises(RulesError, match="rule file missing"):
        load_calibration(None, tmp_path / "nothing.json")


def test_gap_threshold_decides_below_one_half():
    # softmax of (log 7, log 2, log 1): met 0.7, missing 0.2, outstanding 0.1 -> gap probability 0.3
    met = [0.0] * N
    met[FEATURES.index("rule_met")] = 1.0  # the rules found it met, as the model's features say
    cal = Calibration(_flat(intercept=(math.log(7), math.log(2), 0.0), threshold=0.3), "t")
    status, gap = cal.decide("suspect_devices", met)
    assert status == "missing" and gap == pytest.approx(0.3)
    cal = Calibration(_flat(intercept=(math.log(7), math.log(2), 0.0), threshold=0.31), "t")
    assert cal.decide("suspect_devices", met)[0] == "met"
    # outstanding beats missing inside the gap
    cal = Calibration(_flat(intercept=(0.0, 0.0, 1.0)), "t")
    assert cal.decide("suspect_devices", met)[0] == "outstanding"
    # not applicable only when more likely than met
    cal = Calibration(_flat(classes=("met", "not_applicable"), intercept=(0.0, 0.5)), "t")
    assert cal.decide("tpm_scope_limited", met)[0] == "not_applicable"


def test_a_calibrated_met_must_have_something_to_cite():
    """The model may not call an item met that the rules did not find met when nothing in the
    file was tagged for it; with a tagged sentence it may, and that sentence is cited."""
    cal = Calibration(dict(_flat(intercept=(3.0, 0.0, 0.0)), met_without_citation=["key_dates"]), "t")  # every item: met
    bare = case_features({i: "missing" for i in CHECKLIST_ITEMS}, {}, [], [], [], 5, cal.labels)
    assert cal.decide("isva_referral", bare["isva_referral"])[0] == "missing"
    assert cal.decide("key_dates", bare["key_dates"])[0] == "met"  # decided from the timeline, never cites
    data = _flat(intercept=(3.0, 0.0, 0.0))
    data["items"]["isva_referral"]["labels"] = ["isva"]
    cal = Calibration(data, "t")
    span = {"label": "isva", "status": "obtained", "subject": "complainant", "page": 2, "start": 5, "end": 30,
            "quote": "ISVA referral made 3/3.", "document": "d1", "span": {"text": "ISVA referral"}}
    items = [ItemResult(i, "support", "missing", [], f"do {i}", i) for i in CHECKLIST_ITEMS]
    cal.apply(items, [span], ["MG3"], [], 4, _actions)
    isva = next(i for i in items if i.item == "isva_referral")
    assert (isva.status, isva.basis, isva.action) == ("met", "calibrated", None)
    assert [(c.page, c.start, c.quote) for c in isva.evidence] == [(2, 5, "ISVA referral made 3/3.")]
    assert next(i for i in items if i.item == "special_measures").status == "missing"


def test_features_move_the_decision():
    """A weight on one feature: the same model flags the item only when the rules cited outstanding work."""
    data = _flat(intercept=(2.0, 0.0, 0.0))
    k = FEATURES.index("cited_outstanding")
    data["items"]["suspect_devices"]["coef"][2][k] = 5.0
    cal = Calibration(data, "t")
    none = case_features({i: "met" for i in CHECKLIST_ITEMS}, {"suspect_devices": ["'seized' obtained"]}, [], [], [], 5, {})
    some = case_features({i: "met" for i in CHECKLIST_ITEMS},
                         {"suspect_devices": ["'phone' outstanding ('awaited')"]}, [], [], [], 5, {})
    assert cal.decide("suspect_devices", none["suspect_devices"])[0] == "met"
    assert cal.decide("suspect_devices", some["suspect_devices"])[0] == "outstanding"


def test_case_features_read_spans_of_the_items_labels_only():
    ev = [{"label": "device", "status": "outstanding", "subject": "suspect"},
          {"label": "device", "status": "obtained", "subject": "complainant"},
          {"label": "isva", "status": "obtained", "subject": "complainant"}]
    labels = {"suspect_devices": frozenset({"device"})}
    f = case_features({i: "met" for i in CHECKLIST_ITEMS}, {}, ev, ["MG15", "MG11", "MG11"], [], 9, labels)
    assert all(len(v) == N for v in f.values())
    x = dict(zip(FEATURES, f["suspect_devices"]))
    assert x["spans_outstanding"] == pytest.approx(math.log1p(1)) and x["spans_suspect"] == pytest.approx(math.log1p(1))
    assert x["has_MG15"] == 1.0 and x["has_MG6C"] == 0.0 and x["documents"] == pytest.approx(math.log1p(3))
    y = dict(zip(FEATURES, f["isva_referral"]))
    assert y["spans_obtained"] == 0.0  # isva is not among isva_referral's labels here


def test_apply_keeps_rules_status_and_sets_the_action():
    data = _flat(intercept=(0.0, 3.0, 0.0))  # every item: missing
    data["items"]["isva_referral"]["intercept"] = [3.0, 0.0, 0.0]  # this one: met
    cal = Calibration(data, "t")
    items = [ItemResult(i, "suspect", "met" if i != "isva_referral" else "missing",
                        [Citation("d1", 1, "q", 0, 1, "'q' obtained")], None, i) for i in CHECKLIST_ITEMS]
    cal.apply(items, [], ["MG3"], [], 4, _actions)
    dev = next(i for i in items if i.item == "suspect_devices")
    assert (dev.status, dev.rule_status, dev.basis, dev.action) == ("missing", "met", "calibrated", "do suspect_devices")
    assert dev.evidence and 0.9 < dev.gap_probability <= 1.0
    isva = next(i for i in items if i.item == "isva_referral")
    assert (isva.status, isva.rule_status, isva.basis, isva.action) == ("met", "missing", "calibrated", None)
    d = dev.to_dict()
    assert d["rule_status"] == "met" and d["basis"] == "calibrated" and d["gap_probability"] == dev.gap_probability


def test_report_carries_calibration_and_rules_status(reviewer_instance):
    r = reviewer_instance.review(SAMPLES / "a_structured_mg_file.pdf").to_dict()
    assert r["case"]["calibration"] == load_calibration().version
    for row in r["checklist"]:
        assert row["basis"] in ("rules", "calibrated") and 0.0 <= row["gap_probability"] <= 1.0
        assert (row["status"] == row["rule_status"]) == (row["basis"] == "rules")
        assert (row["action"] is None) == (row["status"] in ("met", "not_applicable"))


def test_rules_only_reviewer_has_no_calibration():
    from reviewer import Reviewer
    r = Reviewer(calibrate=False).review(SAMPLES / "a_structured_mg_file.pdf").to_dict()
    assert r["case"]["calibration"] is None and all("rule_status" not in row for row in r["checklist"])


def test_committed_model_is_what_the_trainer_makes_from_the_samples(tmp_path):
    """No hand-set weights: retraining from the development samples with the committed settings
    gives the committed coefficients."""
    pytest.importorskip("sklearn")
    trainer = _trainer()
    committed = json.loads((MODELS / "calibration.json").read_text())
    out = tmp_path / "calibration.json"
    trainer.main([str(SAMPLES), "--out", str(out), "--version", committed["version"],
                  "--C", str(committed["trained_on"]["C"]), "--threshold", str(committed["gap_threshold"])])
    fresh = json.loads(out.read_text())
    assert fresh["trained_on"]["cases"] == committed["trained_on"]["cases"]
    for item in CHECKLIST_ITEMS:
        a, b = fresh["items"][item], committed["items"][item]
        assert a["classes"] == b["classes"] and a["labels"] == b["labels"]
        assert np.allclose(a["coef"], b["coef"], atol=1e-4) and np.allclose(a["intercept"], b["intercept"], atol=1e-4)
