"""A calibration layer over the checklist rules: one small logistic model per item.

The rules decide each item from the sentences they match. On files nobody tuned them on they
are right about four times in five; their mistakes are consistent (a thorough file whose
conduct evidence the patterns miss, a "met" resting only on citations that say the work is still
outstanding). ``models/calibration.json`` holds, for each item, a multinomial logistic model
trained by ``tools/train_calibration.py`` on the development samples (cross-validated by author
set): it reads what the rules found (the item's own status and citations, the evidence spans of
the item's labels, which documents the file holds, the third-party requests and how many items
the rules flag) and gives the probability of each status. The item is flagged as a gap when the
probability of "missing" or "outstanding" together reaches ``gap_threshold``; the threshold sits
below one half on purpose, because a missed gap costs the prosecutor more than a false alarm.

The rules' own status stays on the item (``rule_status``) with the model's ``gap_probability``
and the ``basis`` of the final status, so a reviewer sees when and why the two differ. The file is
data: validated on load, versioned, and its version stamped on every report (``case.calibration``).
Applying it is a few dot products per item; no library beyond the standard one is needed.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .checklist import CHECKLIST_ITEMS, Citation, ItemResult
from .pipeline import MODELS, _read_json, _require

STATUSES = ("met", "missing", "outstanding", "not_applicable")
GAPS = ("missing", "outstanding")
SPAN_STATUSES = ("obtained", "not_done", "outstanding", "declined")
CITED_STATUSES = ("obtained", "outstanding", "not_done", "hypothetical", "declined")
SUBJECTS = ("suspect", "complainant", "witness", "unknown")
DOC_KINDS = ("MG15", "MG6C", "MG6D", "CPS_ADVICE", "TPM_REQUEST", "MG11", "DPN", "MG5", "MG3", "EMAIL")
TPM_FLAGS = ("reason_stated", "scope_limited", "victim_notified")

# the feature vector, in order; the model file must name exactly these
FEATURES: tuple[str, ...] = (
    *(f"rule_{s}" for s in STATUSES),
    "citations",
    *(f"cited_{s}" for s in CITED_STATUSES),
    *(f"spans_{s}" for s in SPAN_STATUSES),
    *(f"spans_{s}" for s in SUBJECTS),
    *(f"has_{k}" for k in DOC_KINDS),
    "rule_gap_share",
    "documents",
    "tpm_requests",
    *(f"tpm_{f}" for f in TPM_FLAGS),
    "pages",
)

_RULE = tuple(FEATURES.index(f"rule_{s}") for s in STATUSES)
_RULE_MET = FEATURES.index("rule_met")
# what a calibrated "met" can cite: the rules' citations, or spans tagged with the item's labels
_SUPPORT = (FEATURES.index("citations"), *(FEATURES.index(f"spans_{s}") for s in SPAN_STATUSES))

# a citation's "why" begins "'<matched words>' <status>"; the quote may itself hold a quote mark
_CITED = re.compile(r"' (obtained|outstanding|not_done|hypothetical|declined)\b")


def case_features(statuses: dict[str, str], whys: dict[str, list[str]], evidence: list[dict],
                  doc_kinds: list[str], tpm: list[dict], pages: int,
                  item_labels: dict[str, frozenset[str]]) -> dict[str, list[float]]:
    """The feature vector of every item of one case, from what the rules reported.

    ``statuses``: the rules' status per item; ``whys``: the "why" of each cited sentence per
    item; ``evidence``: the report's evidence spans (label, status, subject); ``item_labels``:
    the evidence labels each item's rules read."""
    kinds = set(doc_kinds)
    case_part = [float(k in kinds) for k in DOC_KINDS]
    case_part.append(sum(s in GAPS for s in statuses.values()) / len(CHECKLIST_ITEMS))
    case_part.append(math.log1p(len(doc_kinds)))
    case_part.append(math.log1p(len(tpm)))
    case_part += [sum(bool(t.get(f)) for t in tpm) / len(tpm) if tpm else 0.0 for f in TPM_FLAGS]
    case_part.append(math.log1p(pages))
    by_label: dict[str, list[dict]] = {}
    for e in evidence:
        by_label.setdefault(e["label"], []).append(e)
    out = {}
    for item in CHECKLIST_ITEMS:
        f = [float(statuses[item] == s) for s in STATUSES]
        cited = Counter()
        for w in whys.get(item, ()):
            m = _CITED.search(w)
            cited[m.group(1) if m else "other"] += 1
        f.append(math.log1p(sum(cited.values())))
        f += [math.log1p(cited[s]) for s in CITED_STATUSES]
        spans = [e for lab in item_labels.get(item, ()) for e in by_label.get(lab, ())]
        st = Counter(e["status"] for e in spans)
        f += [math.log1p(st[s]) for s in SPAN_STATUSES]
        su = Counter(e["subject"] for e in spans)
        f += [math.log1p(su[s]) for s in SUBJECTS]
        out[item] = f + case_part
    return out


@dataclass(frozen=True)
class ItemModel:
    classes: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[tuple[float, ...], ...]  # one row per class
    intercept: tuple[float, ...]

    def probabilities(self, x: list[float]) -> dict[str, float]:
        z = [(v - m) / s for v, m, s in zip(x, self.mean, self.scale)]
        logits = [b + sum(w * v for w, v in zip(row, z)) for row, b in zip(self.coef, self.intercept)]
        top = max(logits)
        ex = [math.exp(v - top) for v in logits]
        total = sum(ex)
        return {c: e / total for c, e in zip(self.classes, ex)}


class Calibration:
    """``models/calibration.json``, validated: one model per checklist item."""

    def __init__(self, data: dict, where: str, evidence_labels: set[str] | None = None):
        _require(isinstance(data.get("version"), str), where, "needs a 'version' string")
        self.version: str = data["version"]
        _require(data.get("features") == list(FEATURES), where,
                 "its 'features' are not the ones reviewer/calibration.py computes: retrain with tools/train_calibration.py")
        t = data.get("gap_threshold")
        _require(isinstance(t, (int, float)) and 0 < t < 1, where, "gap_threshold must be a number between 0 and 1")
        self.gap_threshold = float(t)
        self.trained_on: dict = data.get("trained_on", {})
        mwc = data.get("met_without_citation", [])
        _require(isinstance(mwc, list) and set(mwc) <= set(CHECKLIST_ITEMS), where,
                 "met_without_citation must list checklist item ids")
        self.met_without_citation = frozenset(mwc)
        _require(isinstance(self.trained_on, dict), where, "trained_on must be an object")
        items = data.get("items")
        _require(isinstance(items, dict) and sorted(items) == sorted(CHECKLIST_ITEMS), where,
                 "items must hold exactly the contract's 33 ids")
        n = len(FEATURES)
        self.models: dict[str, ItemModel] = {}
        self.labels: dict[str, frozenset[str]] = {}
        for item in CHECKLIST_ITEMS:
            m, w = items[item], f"{where}: item {item}"
            classes = m.get("classes")
            _require(isinstance(classes, list) and classes and set(classes) <= set(STATUSES)
                     and len(set(classes)) == len(classes), w, f"classes must be distinct statuses of {STATUSES}")
            for key, length in (("mean", n), ("scale", n), ("intercept", len(classes))):
                _require(_numbers(m.get(key), length), w, f"'{key}' must be {length} finite numbers")
            _require(all(s > 0 for s in m["scale"]), w, "every 'scale' must be positive")
            coef = m.get("coef")
            _require(isinstance(coef, list) and len(coef) == len(classes) and all(_numbers(r, n) for r in coef), w,
                     f"'coef' must be {len(classes)} rows of {n} finite numbers")
            labels = m.get("labels")
            _require(isinstance(labels, list) and all(isinstance(x, str) for x in labels), w, "'labels' must be a list of evidence labels")
            if evidence_labels is not None:
                unknown = set(labels) - evidence_labels
                _require(not unknown, w, f"unknown evidence labels {sorted(unknown)}")
            self.models[item] = ItemModel(tuple(classes), tuple(m["mean"]), tuple(m["scale"]),
                                          tuple(tuple(r) for r in coef), tuple(m["intercept"]))
            self.labels[item] = frozenset(labels)

    def decide(self, item: str, x: list[float]) -> tuple[str, float]:
        """The calibrated status of ITEM for features X, and the probability that it is a gap.

        A "met" must be able to cite something: the model may turn an item the rules did not find
        met into "met" only when the rules cited a sentence for it or tagged one with its labels
        (items listed under ``met_without_citation`` excepted). Otherwise the rules' status stands."""
        p = self.models[item].probabilities(x)
        gap = sum(p.get(s, 0.0) for s in GAPS)
        if gap >= self.gap_threshold:
            status = "missing" if p.get("missing", 0.0) >= p.get("outstanding", 0.0) else "outstanding"
        else:
            status = "not_applicable" if p.get("not_applicable", 0.0) > p.get("met", 0.0) else "met"
        if status == "met" and not x[_RULE_MET] and item not in self.met_without_citation \
                and not any(x[k] for k in _SUPPORT):
            status = next((s for s, k in zip(STATUSES, _RULE) if x[k]), status)
        return status, gap

    def apply(self, items: list[ItemResult], evidence: list[dict], doc_kinds: list[str], tpm: list[dict],
              pages: int, action_for: Callable[[str, str], str | None], max_citations: int = 3) -> None:
        """Set each item's calibrated status in place, keeping the rules' own status beside it.
        ``action_for(item, status)``: the suggested action (``ChecklistRules.action_for``). An item
        made "met" with no sentence cited by the rules cites the sentences tagged with its labels."""
        statuses = {i.item: i.status for i in items}
        whys = {i.item: [c.why for c in i.evidence] for i in items}
        feats = case_features(statuses, whys, evidence, doc_kinds, tpm, pages, self.labels)
        for it in items:
            status, gap = self.decide(it.item, feats[it.item])
            it.rule_status = it.status
            it.gap_probability = round(gap, 3)
            if status == it.status:
                it.basis = "rules"
                continue
            it.basis = "calibrated"
            it.status = status
            it.action = action_for(it.item, status)
            if status == "met" and not it.evidence:
                it.evidence = _label_citations(evidence, self.labels[it.item], max_citations)


def _label_citations(evidence: list[dict], labels: frozenset[str], limit: int) -> list[Citation]:
    """The sentences tagged with LABELS, the ones read as done first."""
    spans = sorted((e for e in evidence if e["label"] in labels), key=lambda e: (e["status"] != "obtained", e["page"], e["start"]))
    out, seen = [], set()
    for e in spans:
        if (e["page"], e["start"]) in seen:
            continue
        seen.add((e["page"], e["start"]))
        out.append(Citation(e["document"], e["page"], e["quote"], e["start"], e["end"],
                            f"'{e['span']['text']}' {e['status']}; subject {e['subject']} (cited by the calibration)"))
        if len(out) == limit:
            break
    return out


def _numbers(v, length: int) -> bool:
    return (isinstance(v, list) and len(v) == length
            and all(isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x) for x in v))


def item_labels(checklist_data: dict, evidence_label: dict[str, str | None]) -> dict[str, list[str]]:
    """The evidence labels each item's decision rule names (for training a new model file)."""
    def walk(o, acc: set[str]) -> set[str]:
        if isinstance(o, str):
            lab = evidence_label.get(o)
            if lab:
                acc.add(lab)
        elif isinstance(o, list):
            for x in o:
                walk(x, acc)
        elif isinstance(o, dict):
            for k, v in o.items():
                if k not in ("documents", "doc_kinds", "plan_kinds"):
                    walk(v, acc)
        return acc
    return {it["item"]: sorted(walk(it["decide"], set())) for it in checklist_data["items"]}


def load_calibration(evidence_labels: set[str] | None = None, path: str | Path | None = None) -> Calibration:
    f = Path(path) if path else MODELS / "calibration.json"
    return Calibration(_read_json(f), str(f), evidence_labels)
