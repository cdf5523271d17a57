"""Accuracy floors on the samples: a change to the rules that loses accuracy fails here.

The floors are the figures reached when the core review issue was resolved (see its note),
rounded down; raise them when the rules improve, never lower them to let a change through.
"""
from reviewer.evaluate import evaluate, held_out

from conftest import SAMPLES

# (status accuracy, gap recall) reached on each set, rounded down, with the calibration layer: the
# 835 development cases (the calibration is trained on them, so this figure is in-sample) and the 192
# held out (dz1-dz12 to eg1-eg12, then eh1-eh12 to eo1-eo12: two rounds of 96 written blind in the
# twelfth session, each scored once by the same system, after the calibration had been trained on the
# 835). The development floor sits a little lower than the 739 cases' (0.88, 0.93) because the set now
# holds dr-dy, harder files (rules alone 0.809 on their first look), not because a change was let through.
FLOORS = {"tuned": (0.875, 0.925), "untuned": (0.85, 0.91)}


def _untuned() -> set[str]:
    return held_out(SAMPLES / "untuned.txt")


def test_accuracy_on_samples_does_not_fall(reviewer_instance):
    untuned = _untuned()
    everything = {p.name.removesuffix(".truth.json") for p in SAMPLES.glob("*.truth.json")}
    assert len(everything) >= 1027 and len(untuned) >= 192
    for name, cases in (("tuned", everything - untuned), ("untuned", untuned)):
        s = evaluate(SAMPLES, cases, reviewer_instance).summary()
        status_floor, recall_floor = FLOORS[name]
        assert s["status_accuracy"] >= status_floor, (name, s)
        assert s["gap_recall"] >= recall_floor, (name, s)


def test_evaluation_counts_disagreements(reviewer_instance, tmp_path):
    """The scorer itself: a truth file that disagrees with the review lowers the accuracy."""
    import json
    import shutil

    shutil.copy(SAMPLES / "a_structured_mg_file.pdf", tmp_path / "x.pdf")
    truth = json.loads((SAMPLES / "a_structured_mg_file.truth.json").read_text())
    good = evaluate(SAMPLES, {"a_structured_mg_file"}, reviewer_instance).summary()["status_accuracy"]
    flipped = {k: ("missing" if v == "met" else "met") for k, v in truth["checklist"].items()}
    (tmp_path / "x.truth.json").write_text(json.dumps(dict(truth, checklist=flipped)))
    bad = evaluate(tmp_path, reviewer=reviewer_instance).summary()["status_accuracy"]
    assert bad < good
