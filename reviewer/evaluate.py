"""``reviewer eval DIR``: compare reports with ``NAME.truth.json`` files.

Per item and overall: status accuracy; for the gap decision (missing or outstanding against
met) precision and recall; third-party request recall (category and page) and assessment
accuracy; concern recall and precision (kind and page); date accuracy.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from .checklist import CHECKLIST_ITEMS
from .review import Reviewer

DATE_FIELDS = ("offence", "reported", "suspect_interviewed", "submitted")


def held_out(path: Path) -> set[str]:
    """The case names listed in a held-out file (``samples/untuned.txt``): one a line, blank lines
    and ``#`` comments skipped; none when the file does not exist."""
    if not path.exists():
        return set()
    return {ln.strip() for ln in path.read_text().splitlines() if ln.strip() and not ln.lstrip().startswith("#")}


def find_cases(root: Path) -> list[tuple[str, Path, Path]]:
    """(name, case path, truth path) for every NAME.truth.json with its case beside it."""
    out = []
    for truth in sorted(root.glob("*.truth.json")):
        name = truth.name[: -len(".truth.json")]
        for cand in (root / name, root / f"{name}.pdf", root / f"{name}.docx", root / f"{name}.txt", root / f"{name}.eml"):
            if cand.exists():
                out.append((name, cand, truth))
                break
    return out


@dataclass
class Tally:
    n: int = 0
    correct: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, truth: str, got: str) -> None:
        self.n += 1
        self.correct += truth == got
        t_gap = truth in ("missing", "outstanding")
        g_gap = got in ("missing", "outstanding")
        self.tp += t_gap and g_gap
        self.fp += g_gap and not t_gap
        self.fn += t_gap and not g_gap

    @property
    def accuracy(self) -> float:
        return self.correct / self.n if self.n else 0.0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


@dataclass
class Evaluation:
    items: dict[str, Tally] = field(default_factory=lambda: {i: Tally() for i in CHECKLIST_ITEMS})
    overall: Tally = field(default_factory=Tally)
    tpm_truth: int = 0
    tpm_found: int = 0
    tpm_reported: int = 0
    tpm_assess_ok: int = 0
    concern_truth: int = 0
    concern_found: int = 0
    concern_reported: int = 0
    concern_correct: int = 0
    dates: int = 0
    dates_ok: int = 0
    errors: list[str] = field(default_factory=list)
    per_case: dict[str, dict] = field(default_factory=dict)

    def summary(self) -> dict:
        o = self.overall
        return {
            "cases": len(self.per_case),
            "status_accuracy": round(o.accuracy, 4),
            "gap_precision": round(o.precision, 4),
            "gap_recall": round(o.recall, 4),
            "tpm_recall": round(self.tpm_found / self.tpm_truth, 4) if self.tpm_truth else None,
            "tpm_precision": round(self.tpm_found / self.tpm_reported, 4) if self.tpm_reported else None,
            "tpm_assessment_accuracy": round(self.tpm_assess_ok / self.tpm_found, 4) if self.tpm_found else None,
            "concern_recall": round(self.concern_found / self.concern_truth, 4) if self.concern_truth else None,
            "concern_precision": round(self.concern_correct / self.concern_reported, 4) if self.concern_reported else None,
            "date_accuracy": round(self.dates_ok / self.dates, 4) if self.dates else None,
        }


def evaluate(root: Path, names: set[str] | None = None, reviewer: Reviewer | None = None) -> Evaluation:
    reviewer = reviewer or Reviewer()
    ev = Evaluation()
    for name, case, truth_path in find_cases(root):
        if names is not None and name not in names:
            continue
        truth = json.loads(truth_path.read_text())
        report = reviewer.review(case).to_dict()
        got = {row["item"]: row["status"] for row in report["checklist"]}
        wrong = {}
        for item in CHECKLIST_ITEMS:
            t = truth["checklist"][item]
            ev.items[item].add(t, got[item])
            ev.overall.add(t, got[item])
            if t != got[item]:
                wrong[item] = f"truth {t}, got {got[item]}"
        # third-party requests: matched on category (and page when given)
        reported = list(report["tpm_requests"])
        ev.tpm_truth += len(truth.get("tpm_requests", []))
        ev.tpm_reported += len(reported)
        tpm_notes = []
        for t in truth.get("tpm_requests", []):
            m = next((r for r in reported if r["category"] == t["category"]), None)
            if m:
                ev.tpm_found += 1
                reported.remove(m)
                if m["assessment"] == t["assessment"]:
                    ev.tpm_assess_ok += 1
                else:
                    tpm_notes.append(f"{t['category']}: truth {t['assessment']}, got {m['assessment']}")
            else:
                tpm_notes.append(f"{t['category']} p{t.get('page')}: not found")
        for r in reported:
            tpm_notes.append(f"{r['category']} p{r['page']}: extra")
        # concerns: kind and page
        concerns = [(c["kind"], c["page"]) for c in report["concerns"]]
        tconcerns = [(c["kind"], c["page"]) for c in truth.get("concerns", [])]
        ev.concern_truth += len(tconcerns)
        ev.concern_reported += len(concerns)
        pool = list(concerns)
        for t in tconcerns:
            if t in pool:
                ev.concern_found += 1
                pool.remove(t)
        pool_t = list(tconcerns)
        for c in concerns:
            if c in pool_t:
                ev.concern_correct += 1
                pool_t.remove(c)
        date_notes = []
        for f in DATE_FIELDS:
            tv = truth.get("timeline", {}).get(f)
            gv = report["timeline"].get(f)
            ev.dates += 1
            if tv == gv:
                ev.dates_ok += 1
            else:
                date_notes.append(f"{f}: truth {tv}, got {gv}")
        ev.per_case[name] = {"wrong": wrong, "tpm": tpm_notes, "dates": date_notes,
                             "concerns": {"truth": tconcerns, "got": concerns}}
    return ev


def format_evaluation(ev: Evaluation, title: str = "") -> str:
    lines = []
    if title:
        lines.append(f"== {title}")
    lines.append(f"{'item':34} {'n':>3} {'acc':>6} {'gapP':>6} {'gapR':>6}")
    for item, t in ev.items.items():
        if t.n:
            lines.append(f"{item:34} {t.n:>3} {t.accuracy:6.2f} {t.precision:6.2f} {t.recall:6.2f}")
    s = ev.summary()
    lines.append("overall: " + ", ".join(f"{k} {v}" for k, v in s.items()))
    return "\n".join(lines)
