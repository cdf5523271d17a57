"""Train models/calibration.json: one logistic model per checklist item over the rules' output.

    python tools/train_calibration.py [SAMPLES_DIR] [--out FILE] [--version V] [--C 0.1]
                                      [--threshold 0.3] [--cache FILE] [--check]

Reviews every sample case that has a truth file and is not listed in SAMPLES_DIR/untuned.txt,
with the rules alone (``Reviewer(calibrate=False)``), and learns each item's true status from the
features of ``reviewer/calibration.py``. Before fitting the final models it prints the figures of
a cross-validation that leaves out one author set at a time (the letters before the case number:
``cd7_...`` is set ``cd``), so the gain it claims is on authors it has not seen. The held-out
cases are never read. ``--check`` fits and prints the figures without writing the file.

Needs scikit-learn (``pip install scikit-learn``); the review itself does not.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from multiprocessing import Pool
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reviewer.calibration import FEATURES, GAPS, Calibration, case_features, item_labels  # noqa: E402
from reviewer.checklist import CHECKLIST_ITEMS  # noqa: E402
from reviewer.evaluate import find_cases, held_out  # noqa: E402
from reviewer.pipeline import MODELS, PIPELINE_DIR  # noqa: E402

_REVIEWER = None
# items the rules decide without citing a sentence (key_dates comes from the timeline): a
# calibrated "met" needs no citation there
MET_WITHOUT_CITATION = ["key_dates"]


def family(name: str) -> str:
    """The author set of a sample case: ``cd7_harbour`` -> ``cd``."""
    return re.sub(r"\d+$", "", name.split("_")[0])


def _review(case: tuple[str, str]) -> tuple[str, dict]:
    global _REVIEWER
    from reviewer.review import Reviewer
    if _REVIEWER is None:
        _REVIEWER = Reviewer(calibrate=False)
    name, path = case
    return name, _REVIEWER.review(path).to_dict()


def rule_versions() -> dict[str, str]:
    files = {"concepts": PIPELINE_DIR / "concepts" / "concepts.json", "context": PIPELINE_DIR / "context" / "context_rules.json",
             "checklist": MODELS / "checklist.json", "documents": MODELS / "documents.json", "timeline": MODELS / "timeline.json"}
    return {k: json.loads(f.read_text())["version"] for k, f in files.items()}


def reports(root: Path, cache: Path | None) -> tuple[dict[str, dict], dict[str, dict]]:
    held = held_out(root / "untuned.txt")
    cases = [(n, c, t) for n, c, t in find_cases(root) if n not in held]
    truths = {n: json.loads(t.read_text())["checklist"] for n, _, t in cases}
    key = {"rules": rule_versions(), "cases": sorted(truths)}
    if cache and cache.exists():
        saved = json.loads(cache.read_text())
        if saved.get("key") == key:
            return saved["reports"], truths
    with Pool(2) as pool:
        reps = dict(pool.map(_review, [(n, str(c)) for n, c, _ in cases], chunksize=4))
    if cache:
        cache.write_text(json.dumps({"key": key, "reports": reps}))
    return reps, truths


def matrices(reps: dict[str, dict], labels: dict[str, frozenset[str]]) -> dict[str, np.ndarray]:
    """Feature matrix per item, rows in sorted case order."""
    rows: dict[str, list[list[float]]] = {i: [] for i in CHECKLIST_ITEMS}
    for name in sorted(reps):
        r = reps[name]
        statuses = {c["item"]: c["status"] for c in r["checklist"]}
        whys = {c["item"]: [e.get("why", "") for e in c["evidence"]] for c in r["checklist"]}
        f = case_features(statuses, whys, r["evidence"], [d["kind"] for d in r["documents"]], r["tpm_requests"],
                          r["case"]["pages"], labels)
        for i in CHECKLIST_ITEMS:
            rows[i].append(f[i])
    return {i: np.array(v) for i, v in rows.items()}


def fit(x: np.ndarray, y: np.ndarray, c: float) -> dict:
    from sklearn.linear_model import LogisticRegression
    mean = x.mean(0)
    scale = x.std(0)
    scale[scale < 1e-6] = 1.0
    classes = sorted(set(y))
    if len(classes) == 1:
        coef = np.zeros((1, x.shape[1]))
        intercept = np.zeros(1)
    else:
        m = LogisticRegression(C=c, max_iter=5000).fit((x - mean) / scale, y)
        classes = list(m.classes_)
        coef, intercept = m.coef_, m.intercept_
        if len(classes) == 2:  # sklearn keeps one row for two classes: the softmax of (-a/2, a/2) is sigmoid(a)
            coef = np.vstack([-coef[0] / 2, coef[0] / 2])
            intercept = np.array([-intercept[0] / 2, intercept[0] / 2])
    return {"classes": [str(k) for k in classes], "mean": mean.tolist(), "scale": scale.tolist(),
            "coef": coef.tolist(), "intercept": intercept.tolist()}


def model_file(models: dict[str, dict], labels: dict[str, list[str]], version: str, threshold: float, c: float,
               names: list[str], cv: dict) -> dict:
    return {
        "version": version,
        "about": "One logistic model per checklist item over the rules' output; written by tools/train_calibration.py",
        "features": list(FEATURES),
        "gap_threshold": threshold,
        "met_without_citation": MET_WITHOUT_CITATION,
        "trained_on": {"cases": len(names), "author_sets": sorted({family(n) for n in names}), "C": c,
                       "rules": rule_versions(), "cross_validation": cv},
        "items": {i: {**models[i], "labels": labels[i]} for i in CHECKLIST_ITEMS},
    }


def score(truth: dict[str, np.ndarray], got: dict[str, np.ndarray], sel: np.ndarray) -> dict:
    n = ok = tp = fp = fn = 0
    for i in CHECKLIST_ITEMS:
        for t, g in zip(truth[i][sel], got[i][sel]):
            n += 1
            ok += t == g
            tp += t in GAPS and g in GAPS
            fn += t in GAPS and g not in GAPS
            fp += g in GAPS and t not in GAPS
    return {"cases": int(sel.sum()), "status_accuracy": round(ok / n, 4), "gap_precision": round(tp / (tp + fp), 4),
            "gap_recall": round(tp / (tp + fn), 4)}


def cross_validate(x: dict[str, np.ndarray], y: dict[str, np.ndarray], names: list[str], labels: dict, c: float,
                   threshold: float) -> dict[str, np.ndarray]:
    fams = np.array([family(n) for n in names])
    got = {i: np.empty(len(names), dtype=object) for i in CHECKLIST_ITEMS}
    for fam in sorted(set(fams)):
        test = fams == fam
        models = {i: fit(x[i][~test], y[i][~test], c) for i in CHECKLIST_ITEMS}
        cal = Calibration(model_file(models, labels, "cv", threshold, c, [], {}), f"cross-validation without {fam}")
        for i in CHECKLIST_ITEMS:
            for row in np.where(test)[0]:
                got[i][row] = cal.decide(i, list(x[i][row]))[0]
    return got


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("samples", nargs="?", default=str(ROOT / "samples"))
    ap.add_argument("--out", default=str(MODELS / "calibration.json"))
    ap.add_argument("--version", help="version of the new file (default: the old one's with the last number raised)")
    ap.add_argument("--C", type=float, default=0.1, help="inverse regularisation strength")
    ap.add_argument("--threshold", type=float, default=0.3, help="gap probability at which an item is flagged")
    ap.add_argument("--cache", help="JSON file keeping the rules-only reports between runs")
    ap.add_argument("--check", action="store_true", help="print the cross-validation, write nothing")
    a = ap.parse_args(argv)
    from reviewer.review import Reviewer
    rv = Reviewer(calibrate=False)
    labels = item_labels(json.loads((MODELS / "checklist.json").read_text()), rv.evidence_labels)
    reps, truths = reports(Path(a.samples), Path(a.cache) if a.cache else None)
    names = sorted(reps)
    x = matrices(reps, {i: frozenset(v) for i, v in labels.items()})
    y = {i: np.array([truths[n][i] for n in names], dtype=object) for i in CHECKLIST_ITEMS}
    rules = {i: np.array([{c["item"]: c["status"] for c in reps[n]["checklist"]}[i] for n in names], dtype=object)
             for i in CHECKLIST_ITEMS}
    got = cross_validate(x, y, names, labels, a.C, a.threshold)
    everyone = np.ones(len(names), bool)
    cv = {"rules": score(y, rules, everyone), "calibrated": score(y, got, everyone), "by_author_set": {}}
    print(f"{len(names)} development cases, {len(set(map(family, names)))} author sets; leave-one-set-out:")
    print(f"  {'':12} {'rules':>22}   {'calibrated':>22}   (status / gap precision / gap recall)")
    for fam in sorted(set(map(family, names))) + ["all"]:
        sel = everyone if fam == "all" else np.array([family(n) == fam for n in names])
        r, g = score(y, rules, sel), score(y, got, sel)
        if fam != "all":
            cv["by_author_set"][fam] = {"rules": r, "calibrated": g}
        print(f"  {fam:12} {r['status_accuracy']:.3f} / {r['gap_precision']:.3f} / {r['gap_recall']:.3f}"
              f"   {g['status_accuracy']:.3f} / {g['gap_precision']:.3f} / {g['gap_recall']:.3f}")
    if a.check:
        return 0
    out = Path(a.out)
    version = a.version
    if not version:
        old = json.loads(out.read_text())["version"] if out.exists() else "0.0.0"
        head, _, last = old.rpartition(".")
        version = f"{head}.{int(last) + 1}" if head else "0.1.0"
    models = {i: fit(x[i], y[i], a.C) for i in CHECKLIST_ITEMS}
    data = model_file(models, labels, version, a.threshold, a.C, names, cv)
    Calibration(data, str(out), {v for v in rv.evidence_labels.values() if v})  # validate before writing
    out.write_text(json.dumps(data, indent=1) + "\n")
    print(f"wrote {out} version {version}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
