"""The library call everything else uses: ``review(path) -> Report``."""
from __future__ import annotations

import gc
import logging
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .checklist import Checker, Citation
from .dedupe import merge_duplicates
from .checklist import load_rules as load_checklist
from .calibration import load_calibration
from .extraction import Extraction, add_schedule_tables, extract_case, load_readers
from .pipeline import load_pipeline, pipeline_name, unwrap_soft_breaks
from .report import Report
from .segmentation import Document, Parties, find_parties, load_rules as load_doc_rules, segment
from .tagging import Tagged, _owner, tag
from .timeline import build_timeline

log = logging.getLogger(__name__)

# Evidence labels reported in the report's `evidence` list (the rest are cues for other rules).
_EVIDENCE_STATUS = {"obtained": "obtained", "outstanding": "outstanding", "not_done": "not_done",
                    "declined": "declined", "hypothetical": "not_done"}


@dataclass
class Prepared:
    """A case read, split, tagged and dated: what the checklist works on."""
    ex: Extraction
    docs: list[Document]
    parties: Parties
    tagged: Tagged
    timeline: dict
    owners: dict[str, str | None]


class Reviewer:
    """A loaded pipeline and rule set; reuse one for many cases (batch workers, the API)."""

    def __init__(self, pipeline_path: str | None = None, calibrate: bool = True):
        """``calibrate``: apply models/calibration.json over the rules' statuses (False gives
        the rules alone, which is what tools/train_calibration.py learns from)."""
        self.nlp = load_pipeline(pipeline_path)
        concepts = self.nlp.get_pipe("concepts")
        self.labels = frozenset(concepts.data["labels"])
        self.evidence_labels = {k: v.get("evidence_label") for k, v in concepts.data["labels"].items()}
        self.doc_rules = load_doc_rules()
        self.checklist_rules = load_checklist(self.labels)
        self.pipeline = pipeline_name(self.nlp)
        self.calibration = load_calibration({v for v in self.evidence_labels.values() if v}) if calibrate else None
        self.timings: dict[str, float] = {}  # seconds per stage of the last review
        load_readers()
        # the pipeline, its patterns and vocabulary live as long as the process: keep them out
        # of the garbage collector's scans, which otherwise revisit them on every collection
        gc.freeze()

    def review(self, path: str | Path, case_id: str | None = None, ocr: str = "auto", workers: int | None = None) -> Report:
        """Review the case at PATH. ``ocr``: auto | always | never; ``workers``: OCR processes."""
        t0 = time.perf_counter()
        path = Path(path)
        with _fewer_collections():
            return self._review(path, case_id, ocr, workers, t0)

    def prepare(self, path: str | Path, ocr: str = "auto", workers: int | None = None, clock=None) -> Prepared:
        """The stages before the checklist, exactly as a review runs them: pages, documents,
        parties, tagged sentences and the timeline (the debugging tools in tools/ start here)."""
        clock = clock or _Stages()
        with clock("extract"):
            ex = extract_case(Path(path), ocr=ocr, workers=workers)
        with clock("segment"):
            docs = segment(ex.pages, self.doc_rules)
            add_schedule_tables(ex, {n for d in docs if d.kind in ("MG6C", "MG6D") for n in range(d.first_page, d.last_page + 1)})
        with clock("parties"):
            parties = find_parties(ex.pages, self.doc_rules)
        with clock("tag"):
            for page in ex.pages:  # same length: offsets stay valid
                page.text = unwrap_soft_breaks(page.text)
            tagged = tag(ex.pages, docs, parties, self.nlp, self.doc_rules)
        with clock("timeline"):
            interviews = {f.sentence for f in tagged.findings
                          if f.label == "INTERVIEW" and f.status == "obtained" and f.subject in ("suspect", "unknown")}
            timeline, _ = build_timeline(tagged.sentences, interviews=interviews)
        owners = {d.id: _owner(d, parties) for d in docs}
        return Prepared(ex, docs, parties, tagged, timeline, owners)

    def checker(self, prep: Prepared) -> Checker:
        return Checker(prep.tagged, prep.docs, prep.timeline, prep.owners, self.checklist_rules, prep.parties.complainant)

    def _review(self, path: Path, case_id: str | None, ocr: str, workers: int | None, t0: float) -> Report:
        clock = _Stages()
        prep = self.prepare(path, ocr, workers, clock)
        ex, docs, parties, tagged, timeline = prep.ex, prep.docs, prep.parties, prep.tagged, prep.timeline
        with clock("checklist"):
            checker = self.checker(prep)
            items = checker.run()
            tpm = [{k: v for k, v in r.items() if not k.startswith("_")} for r in checker.tpm_requests]
            concerns = checker.find_concerns()
        with clock("evidence"):
            ocr_pages = {p.number for p in ex.pages if p.extractor.startswith("tesseract")}
            evidence = self._evidence(tagged, ocr_pages)
        with clock("duplicates"):
            if ex.duplicates:  # the same statement twice: one entry citing both places
                evidence = merge_duplicates(evidence, ex.duplicates)
                concerns = merge_duplicates(concerns, ex.duplicates)
                tpm = merge_duplicates(tpm, ex.duplicates)
                for item in items:
                    merged = merge_duplicates([c.to_dict() for c in item.evidence], ex.duplicates)
                    item.evidence = [Citation(m["document"], m["page"], m["quote"], m["start"], m["end"], m.get("why", ""),
                                              m.get("also_at", [])) for m in merged]
        if self.calibration:
            with clock("calibration"):
                self.calibration.apply(items, evidence, [d.kind for d in docs], tpm, len(ex.pages),
                                       self.checklist_rules.action_for, self.checklist_rules.max_citations)
        schedules = {d.id: [row for n in range(d.first_page, d.last_page + 1) for t in ex.pages[n - 1].tables for row in t]
                     for d in docs if d.kind in ("MG6C", "MG6D")}
        self.timings = clock.seconds
        log.info("reviewed %s: %d pages, %d documents, %d findings in %.2fs",
                 case_id or path.name, len(ex.pages), len(docs), len(tagged.findings), time.perf_counter() - t0)
        return Report(
            case_id=case_id or path.stem if path.is_file() else case_id or path.name,
            files=ex.files, pages=ex.pages, pipeline=self.pipeline, documents=docs, checklist=items,
            calibration=self.calibration.version if self.calibration else None,
            tpm_requests=tpm, evidence=evidence, concerns=concerns, timeline=timeline, problems=ex.problems,
            parties=parties, schedules=schedules,
        )

    def _evidence(self, tagged, ocr_pages: set[int]) -> list[dict]:
        out = []
        seen = set()
        sents = tagged.sentences
        for f in tagged.findings:
            label = self.evidence_labels.get(f.label)
            if not label or f.doc_kind in self.checklist_rules.ignore_kinds:
                continue
            key = (label, f.sentence)
            if key in seen:
                continue
            seen.add(key)
            s = sents[f.sentence]
            out.append({"label": label, "subject": f.subject, "status": _EVIDENCE_STATUS[f.status], "page": f.page,
                        "quote": s.text, "start": s.start, "end": s.end, "document": f.doc,
                        "span": {"text": f.text, "start": f.start, "end": f.end}, "rule": f.rule,
                        "subject_cue": f.subject_cue, "ocr": f.page in ocr_pages,
                        "modifiers": [{"category": m["category"], "text": m["text"], "start": m["start"], "end": m["end"]} for m in f.modifiers]})
        return out


@contextmanager
def _fewer_collections(threshold: int = 50_000):
    """Run a review with a higher first-generation GC threshold (restored afterwards): a review
    makes hundreds of thousands of short-lived objects and no reference cycles worth chasing."""
    before = gc.get_threshold()
    gc.set_threshold(max(threshold, before[0]), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


class _Stages:
    """Seconds spent in each stage of one review (``Reviewer.timings``, for bench/stages.py)."""

    def __init__(self):
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str):
        t = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - t


_default: Reviewer | None = None


def get_reviewer() -> Reviewer:
    global _default
    if _default is None:
        _default = Reviewer()
    return _default


def review(path: str | Path, case_id: str | None = None, ocr: str = "auto", workers: int | None = None) -> Report:
    """Review one case (a bundle file or a case folder) and return its report.

    Raises :class:`reviewer.errors.CaseError` when PATH cannot be read as a case at all.
    """
    return get_reviewer().review(path, case_id, ocr=ocr, workers=workers)
