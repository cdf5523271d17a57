#!/usr/bin/env python3
"""Render the synthetic test cases in samples/src/*.case into real files.

    python samples/render.py            # render every case
    python samples/render.py a_name     # render only the named case(s)

Source format (one .case file per case):

    @urn 47WM0213344/24          running-header URN for PDF pages (optional)
    @marking OFFICIAL-SENSITIVE  protective marking for PDF pages (optional)
    @file bundle.pdf             starts an output file (.pdf, .docx or .txt)
    @page                        starts a new page
    # HEADING                    heading (bold, larger)
    ## Sub heading               smaller heading
    ### Minor heading             minor heading
    - bullet                     bullet line
    | a | b | c |                consecutive pipe lines form one table
    any other line               a paragraph (blank lines are ignored)

A case with one @file becomes samples/<name>.<ext>; a case with several
@file lines becomes the folder samples/<name>/ holding those files.
Output is deterministic: reportlab runs in invariant mode and DOCX zip
entries carry fixed timestamps.
"""
from __future__ import annotations

import datetime as _dt
import io
import shutil
import sys
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab import rl_config

rl_config.invariant = 1

from reportlab.lib import colors  # noqa: E402
from reportlab.lib.enums import TA_LEFT  # noqa: E402
from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.lib.styles import ParagraphStyle  # noqa: E402
from reportlab.lib.units import mm  # noqa: E402
from reportlab.pdfgen import canvas as rl_canvas  # noqa: E402
from reportlab.platypus import (  # noqa: E402
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

HERE = Path(__file__).resolve().parent
SRC = HERE / "src"
FIXED_DT = _dt.datetime(2024, 1, 1, 0, 0, 0)


# --------------------------------------------------------------------------- parsing
class Block:
    def __init__(self, kind: str, text: str = "", rows: list[list[str]] | None = None):
        self.kind = kind  # heading1 heading2 bullet para table page
        self.text = text
        self.rows = rows or []


class OutFile:
    def __init__(self, name: str):
        self.name = name
        self.blocks: list[Block] = []


class Case:
    def __init__(self, name: str):
        self.name = name
        self.urn = ""
        self.marking = "OFFICIAL-SENSITIVE"
        self.files: list[OutFile] = []


def _split_row(line: str) -> list[str]:
    s = line.strip()
    if s.startswith("|"):
        s = s[1:]
    if s.endswith("|"):
        s = s[:-1]
    return [c.strip() for c in s.split("|")]


def parse_case(path: Path) -> Case:
    case = Case(path.stem)
    cur: OutFile | None = None
    table: list[list[str]] | None = None

    def flush_table():
        nonlocal table
        if table is not None and cur is not None:
            cur.blocks.append(Block("table", rows=table))
        table = None

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.rstrip()
        if line.startswith("|"):
            if cur is None:
                raise SystemExit(f"{path}: table before @file")
            cells = _split_row(line)
            if all(set(c) <= set("-: ") and c for c in cells):
                continue  # markdown separator row
            if table is None:
                table = []
            table.append(cells)
            continue
        flush_table()
        if not line.strip():
            continue
        if line.startswith("@urn "):
            case.urn = line[5:].strip()
        elif line.startswith("@marking "):
            case.marking = line[9:].strip()
        elif line.startswith("@file "):
            cur = OutFile(line[6:].strip())
            case.files.append(cur)
        elif line.strip() == "@page":
            if cur is None:
                raise SystemExit(f"{path}: @page before @file")
            if cur.blocks and cur.blocks[-1].kind != "page":
                cur.blocks.append(Block("page"))
        elif cur is None:
            raise SystemExit(f"{path}: text before @file: {line!r}")
        elif line.startswith("### "):
            cur.blocks.append(Block("heading3", line[4:].strip()))
        elif line.startswith("## "):
            cur.blocks.append(Block("heading2", line[3:].strip()))
        elif line.startswith("# "):
            cur.blocks.append(Block("heading1", line[2:].strip()))
        elif line.startswith("- "):
            cur.blocks.append(Block("bullet", line[2:].strip()))
        else:
            cur.blocks.append(Block("para", line.strip()))
    flush_table()
    for f in case.files:
        while f.blocks and f.blocks[-1].kind == "page":
            f.blocks.pop()
    return case


# --------------------------------------------------------------------------- PDF
STYLES = {
    "para": ParagraphStyle("para", fontName="Helvetica", fontSize=9.5, leading=12.5,
                           spaceAfter=5, alignment=TA_LEFT),
    "bullet": ParagraphStyle("bullet", fontName="Helvetica", fontSize=9.5, leading=12.5,
                             leftIndent=14, bulletIndent=4, spaceAfter=3),
    "heading1": ParagraphStyle("heading1", fontName="Helvetica-Bold", fontSize=12.5,
                               leading=15.5, spaceBefore=6, spaceAfter=7),
    "heading2": ParagraphStyle("heading2", fontName="Helvetica-Bold", fontSize=10.5,
                               leading=13, spaceBefore=5, spaceAfter=4),
    "heading3": ParagraphStyle("heading3", fontName="Helvetica-BoldOblique", fontSize=9.5,
                               leading=12.5, spaceBefore=3, spaceAfter=3),
    "cell": ParagraphStyle("cell", fontName="Helvetica", fontSize=8.5, leading=10.5),
    "cellh": ParagraphStyle("cellh", fontName="Helvetica-Bold", fontSize=8.5, leading=10.5),
}


def _make_canvas_class(header_left: str, header_right: str):
    class NumberedCanvas(rl_canvas.Canvas):
        def __init__(self, *args, **kwargs):
            kwargs.setdefault("invariant", 1)
            super().__init__(*args, **kwargs)
            self._saved = []

        def showPage(self):
            self._saved.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._saved)
            for state in self._saved:
                self.__dict__.update(state)
                self._decorate(total)
                super().showPage()
            super().save()

        def _decorate(self, total: int):
            w, h = A4
            self.saveState()
            self.setFont("Helvetica-Bold", 8)
            self.drawString(18 * mm, h - 12 * mm, header_left)
            if header_right:
                self.drawRightString(w - 18 * mm, h - 12 * mm, header_right)
            self.setLineWidth(0.4)
            self.line(18 * mm, h - 14 * mm, w - 18 * mm, h - 14 * mm)
            self.setFont("Helvetica", 8)
            self.drawCentredString(w / 2, 10 * mm, f"Page {self._pageNumber} of {total}")
            self.restoreState()

    return NumberedCanvas


def _pdf_table(rows: list[list[str]], width: float) -> Table:
    ncols = max(len(r) for r in rows)
    rows = [r + [""] * (ncols - len(r)) for r in rows]
    # column widths proportional to the longest text in the column (bounded)
    weights = []
    for c in range(ncols):
        longest = max(len(r[c]) for r in rows)
        weights.append(min(max(longest, 4), 60))
    total = sum(weights)
    col_w = [width * w / total for w in weights]
    data = []
    for i, r in enumerate(rows):
        st = STYLES["cellh"] if i == 0 else STYLES["cell"]
        data.append([Paragraph(escape(c), st) for c in r])
    t = Table(data, colWidths=col_w, repeatRows=1, hAlign="LEFT")
    t.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.88, 0.88, 0.88)),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]))
    return t


def render_pdf(case: Case, f: OutFile, out: Path) -> None:
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm,
        topMargin=20 * mm, bottomMargin=18 * mm,
        title=f"{case.name} {f.name}", author="casefile-reviewer synthetic samples",
        subject="Synthetic test data", creator="samples/render.py", invariant=1,
    )
    story = []
    width = A4[0] - 36 * mm
    for b in f.blocks:
        if b.kind == "page":
            story.append(PageBreak())
        elif b.kind == "table":
            story.append(_pdf_table(b.rows, width))
            story.append(Spacer(1, 6))
        elif b.kind == "bullet":
            story.append(Paragraph(escape(b.text), STYLES["bullet"], bulletText="\u2022"))
        else:
            story.append(Paragraph(escape(b.text), STYLES[b.kind]))
    header_right = f"URN {case.urn}" if case.urn else ""
    doc.build(story, canvasmaker=_make_canvas_class(case.marking, header_right))
    out.write_bytes(buf.getvalue())


# --------------------------------------------------------------------------- DOCX
def _fixed_zip(data: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            dst.writestr(zi, src.read(info.filename))
    return out.getvalue()


def render_docx(case: Case, f: OutFile, out: Path) -> None:
    import docx
    from docx.enum.text import WD_BREAK
    from docx.shared import Pt

    d = docx.Document()
    cp = d.core_properties
    cp.author = "casefile-reviewer synthetic samples"
    cp.title = f"{case.name} {f.name}"
    cp.created = FIXED_DT
    cp.modified = FIXED_DT
    cp.last_modified_by = "samples/render.py"
    cp.revision = 1
    d.styles["Normal"].font.name = "Arial"
    d.styles["Normal"].font.size = Pt(10)
    if case.marking or case.urn:
        hdr = d.sections[0].header.paragraphs[0]
        hdr.text = f"{case.marking}    URN {case.urn}".strip()
    pending_break = False
    for b in f.blocks:
        if b.kind == "page":
            pending_break = True
            continue
        if pending_break:
            # a run holding a page break, in its own paragraph
            d.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
            pending_break = False
        if b.kind == "heading1":
            d.add_heading(b.text, level=1)
        elif b.kind == "heading2":
            d.add_heading(b.text, level=2)
        elif b.kind == "heading3":
            d.add_heading(b.text, level=3)
        elif b.kind == "bullet":
            d.add_paragraph(b.text, style="List Bullet")
        elif b.kind == "table":
            ncols = max(len(r) for r in b.rows)
            t = d.add_table(rows=len(b.rows), cols=ncols)
            t.style = "Table Grid"
            for i, r in enumerate(b.rows):
                for j in range(ncols):
                    cell = t.cell(i, j)
                    cell.text = r[j] if j < len(r) else ""
                    if i == 0:
                        for run in cell.paragraphs[0].runs:
                            run.bold = True
        else:
            d.add_paragraph(b.text)
    buf = io.BytesIO()
    d.save(buf)
    out.write_bytes(_fixed_zip(buf.getvalue()))


# --------------------------------------------------------------------------- TXT
def render_txt(case: Case, f: OutFile, out: Path) -> None:
    pages: list[list[str]] = [[]]
    for b in f.blocks:
        if b.kind == "page":
            pages.append([])
        elif b.kind == "heading1":
            pages[-1].append(b.text.upper())
            pages[-1].append("")
        elif b.kind in ("heading2", "heading3"):
            pages[-1].append(b.text)
        elif b.kind == "bullet":
            pages[-1].append(f"  * {b.text}")
        elif b.kind == "table":
            ncols = max(len(r) for r in b.rows)
            widths = [max(len(r[c]) if c < len(r) else 0 for r in b.rows) for c in range(ncols)]
            for r in b.rows:
                cells = [(r[c] if c < len(r) else "").ljust(widths[c]) for c in range(ncols)]
                pages[-1].append(("| " + " | ".join(cells) + " |").rstrip())
            pages[-1].append("")
        else:
            pages[-1].append(b.text)
            pages[-1].append("")
    text = "\f".join("\n".join(p).rstrip("\n") + "\n" for p in pages)
    out.write_bytes(text.encode("utf-8"))


# --------------------------------------------------------------------------- driver
RENDERERS = {".pdf": render_pdf, ".docx": render_docx, ".txt": render_txt}


def render_case(path: Path) -> list[Path]:
    case = parse_case(path)
    if not case.files:
        raise SystemExit(f"{path}: no @file")
    single = len(case.files) == 1
    if single:
        ext = Path(case.files[0].name).suffix.lower()
        targets = [(case.files[0], HERE / f"{case.name}{ext}")]
        folder = HERE / case.name
        if folder.is_dir():
            shutil.rmtree(folder)
    else:
        folder = HERE / case.name
        if folder.is_dir():
            shutil.rmtree(folder)
        folder.mkdir()
        targets = [(f, folder / f.name) for f in case.files]
    written = []
    for f, out in targets:
        ext = out.suffix.lower()
        if ext not in RENDERERS:
            raise SystemExit(f"{path}: unsupported output type {f.name}")
        RENDERERS[ext](case, f, out)
        written.append(out)
    return written


def main(argv: list[str]) -> int:
    wanted = set(argv[1:])
    sources = sorted(SRC.glob("*.case"))
    if wanted:
        sources = [s for s in sources if s.stem in wanted]
    for src in sources:
        for out in render_case(src):
            print(out.relative_to(HERE.parent))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
