"""The report of the contract (``casefile-review/1``) and its JSON, text and Markdown views."""
from __future__ import annotations

import io
import json
from dataclasses import dataclass, field

from .checklist import ItemResult
from .errors import Problem
from .extraction import Page
from .segmentation import Document, Parties

SCHEMA = "casefile-review/1"
_ORDER = {"missing": 0, "outstanding": 1, "met": 2, "not_applicable": 3}


@dataclass
class Report:
    case_id: str
    files: list[str]
    pages: list[Page]
    pipeline: str
    documents: list[Document]
    checklist: list[ItemResult]
    tpm_requests: list[dict]
    evidence: list[dict]
    concerns: list[dict]
    timeline: dict
    problems: list[Problem] = field(default_factory=list)
    parties: Parties | None = None
    schedules: dict[str, list[list[str]]] = field(default_factory=dict)  # document id -> table rows
    calibration: str | None = None  # version of models/calibration.json, None when the rules alone decided

    def page_text(self, number: int) -> str:
        return self.pages[number - 1].text

    def gaps(self) -> list[ItemResult]:
        return [i for i in self.checklist if i.status in ("missing", "outstanding")]

    def to_dict(self) -> dict:
        ocr = [{"page": p.number, "engine": p.engine, "confidence": p.ocr_confidence, "reason": p.ocr_reason}
               for p in self.pages if p.extractor.startswith("tesseract")]
        documents = []
        for d in self.documents:
            row = d.to_dict()
            if self.schedules.get(d.id):
                row["schedule_rows"] = self.schedules[d.id]
            documents.append(row)
        return {
            "schema": SCHEMA,
            "case": {"id": self.case_id, "files": self.files, "pages": len(self.pages), "pipeline": self.pipeline,
                     "calibration": self.calibration, "ocr_pages": ocr},
            "documents": documents,
            "checklist": [i.to_dict() for i in self.checklist],
            "tpm_requests": self.tpm_requests,
            "evidence": self.evidence,
            "concerns": self.concerns,
            "timeline": self.timeline,
            "problems": [p.to_dict() for p in self.problems],
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    # ------------------------------------------------------------ Markdown
    def to_markdown(self) -> str:
        out = io.StringIO()
        w = out.write
        w(f"# Pre-review checklist: {self.case_id}\n\n")
        w(f"{len(self.files)} file(s), {len(self.pages)} page(s), {len(self.documents)} document(s). Pipeline: {self.pipeline}.\n\n")
        gaps = self.gaps()
        w(f"**{len(gaps)} gap(s)**: {sum(i.status == 'missing' for i in gaps)} missing, {sum(i.status == 'outstanding' for i in gaps)} outstanding.\n\n")
        for status in ("missing", "outstanding", "met", "not_applicable"):
            rows = [i for i in self.checklist if i.status == status]
            if not rows:
                continue
            w(f"## {status.replace('_', ' ').capitalize()} ({len(rows)})\n\n")
            for i in rows:
                w(f"- **{i.item}** ({i.group}): {i.title}\n")
                if i.action:
                    w(f"  - Action: {i.action}\n")
                note = i.basis_note()
                if note:
                    w(f"  - Note: {note}\n")
                for c in i.evidence:
                    w(f"  - p.{c.page}: \u201c{_one_line(c.quote)}\u201d\n")
            w("\n")
        if self.tpm_requests:
            w("## Third-party material requests\n\n| category | page | reason | scope | notified | assessment |\n|---|---|---|---|---|---|\n")
            for r in self.tpm_requests:
                w(f"| {r['category']} | {r['page']} | {_yn(r['reason_stated'])} | {_yn(r['scope_limited'])} | {_yn(r['victim_notified'])} | {r['assessment']} |\n")
            w("\n")
        if self.concerns:
            w("## Concerns in the police reasoning\n\n")
            for c in self.concerns:
                w(f"- **{c['kind']}**, p.{c['page']}: \u201c{_one_line(c['quote'])}\u201d \u2014 {c['why']}\n")
            w("\n")
        w("## Timeline\n\n")
        for k, v in self.timeline.items():
            w(f"- {k}: {v if v is not None else 'not stated'}\n")
        if self.problems:
            w("\n## Problems\n\n")
            for p in self.problems:
                w(f"- {p}\n")
        return out.getvalue()

    # ------------------------------------------------------------ terminal
    def render_text(self, console=None) -> None:
        from rich.console import Console
        from rich.table import Table

        console = console or Console()
        gaps = self.gaps()
        console.print(f"[bold]Pre-review checklist: {self.case_id}[/bold]  ({len(self.pages)} pages, {len(self.documents)} documents)")
        console.print(f"Pipeline: {self.pipeline}")
        console.print(f"[bold]{len(gaps)} gap(s)[/bold]: {sum(i.status == 'missing' for i in gaps)} missing, "
                      f"{sum(i.status == 'outstanding' for i in gaps)} outstanding\n")
        table = Table(show_lines=False, expand=True)
        table.add_column("status", no_wrap=True)
        table.add_column("item")
        table.add_column("pages", no_wrap=True)
        table.add_column("action / evidence")
        colour = {"missing": "red", "outstanding": "yellow", "met": "green", "not_applicable": "dim"}
        for i in sorted(self.checklist, key=lambda i: (_ORDER[i.status], i.group)):
            pages = ",".join(str(p) for p in sorted({c.page for c in i.evidence})) or "-"
            detail = i.action or (_one_line(i.evidence[0].quote)[:140] if i.evidence else "")
            note = i.basis_note()
            if note:
                detail += f"\n[dim]({note})[/dim]"
            table.add_row(f"[{colour[i.status]}]{i.status.upper()}[/]", f"{i.item}\n[dim]{i.group}[/dim]", pages, detail)
        console.print(table)
        if self.tpm_requests:
            t = Table(title="Third-party material requests")
            for col in ("category", "page", "reason", "scope", "notified", "assessment"):
                t.add_column(col)
            for r in self.tpm_requests:
                t.add_row(r["category"], str(r["page"]), _yn(r["reason_stated"]), _yn(r["scope_limited"]), _yn(r["victim_notified"]), r["assessment"])
            console.print(t)
        for c in self.concerns:
            console.print(f"[magenta]Concern ({c['kind']}), p.{c['page']}:[/magenta] {_one_line(c['quote'])[:200]}")
        tl = self.timeline
        console.print(f"\nTimeline: offence {tl.get('offence')}, reported {tl.get('reported')}, interviewed {tl.get('suspect_interviewed')}, "
                      f"submitted {tl.get('submitted')}, report-to-submission {tl.get('days_report_to_submission')} days")
        for p in self.problems:
            console.print(f"[red]Problem:[/red] {p}")


def _one_line(s: str) -> str:
    return " ".join(s.split())


def _yn(b: bool) -> str:
    return "yes" if b else "no"
