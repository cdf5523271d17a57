"""Stage 1: files -> pages.

Every page of every file of a case gets a 1-based *case* page number (files in name order).
PDF text comes from pypdfium2 (about 70x faster than pdfplumber's ``extract_text``);
pdfplumber is used only where it is strong, for the tables of disclosure schedules.
DOCX comes through python-docx (paragraphs and tables, split at explicit page breaks),
TXT as UTF-8 with a cp1252 fallback (split at form feeds).

A page or file that cannot be read becomes a :class:`~reviewer.errors.Problem`; it never
sinks the rest of the case.
"""
from __future__ import annotations

import logging
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from .errors import CaseError, Problem

log = logging.getLogger(__name__)

SUPPORTED = {".pdf", ".docx", ".txt"}
# Schedules are the only pages whose tables we read with pdfplumber (slow, so only where needed).
_TABLE_PAGE = re.compile(r"\bMG\s?0?6\s?[CD]\b|schedule of (?:relevant )?(?:non-)?sensitive", re.I)


@dataclass
class Page:
    number: int  # 1-based page of the whole case
    file: str  # the file's path relative to the case root
    file_page: int  # 1-based page within its file
    text: str
    extractor: str  # pdfium | docx | txt
    tables: list[list[list[str]]] = field(default_factory=list)


@dataclass
class Extraction:
    root: Path
    files: list[str]
    pages: list[Page]
    problems: list[Problem]


def _normalise(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    # pdfium marks soft hyphens and non-breaking spaces with control characters
    text = text.replace("\ufffe", "").replace("\x02", "-").replace("\u00a0", " ")
    return text


def case_files(path: Path) -> tuple[Path, list[Path]]:
    """The root and the files of a case, in name order. Raises CaseError if none."""
    if not path.exists():
        raise CaseError(f"{path}: no such file or folder")
    if path.is_file():
        return path.parent, [path]
    files = sorted(
        (p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".")),
        key=lambda p: p.relative_to(path).as_posix(),
    )
    if not files:
        raise CaseError(f"{path}: the folder holds no files")
    return path, files


def extract_case(path: str | Path) -> Extraction:
    """Read every page of the case at PATH (one bundle file or one case folder)."""
    path = Path(path)
    root, files = case_files(path)
    pages: list[Page] = []
    problems: list[Problem] = []
    names: list[str] = []
    single = path.is_file()
    for f in files:
        rel = f.relative_to(root).as_posix()
        names.append(rel)
        try:
            file_pages = _extract_file(f, rel, len(pages) + 1, problems)
        except CaseError as e:
            if single:
                raise
            problems.append(Problem(rel, getattr(e, "kind", "corrupt"), e.message))
            continue
        pages.extend(file_pages)
    if not pages:
        if single:
            raise CaseError(f"{path}: no pages could be read")
        detail = "; ".join(str(p) for p in problems) or "no readable pages"
        raise CaseError(f"{path}: no file of the case could be read ({detail})")
    return Extraction(root=root, files=names, pages=pages, problems=problems)


def _fail(rel: str, kind: str, detail: str) -> CaseError:
    e = CaseError(f"{rel}: {detail}")
    e.kind = kind  # type: ignore[attr-defined]
    return e


def _extract_file(f: Path, rel: str, first: int, problems: list[Problem]) -> list[Page]:
    suffix = f.suffix.lower()
    if suffix not in SUPPORTED:
        raise _fail(rel, "unsupported", f"unsupported file type '{suffix or f.name}' (supported: PDF, DOCX, TXT)")
    if f.stat().st_size == 0:
        raise _fail(rel, "empty", "the file is empty (0 bytes)")
    if suffix == ".pdf":
        return extract_pdf(f, rel, first, problems)
    if suffix == ".docx":
        return extract_docx(f, rel, first, problems)
    return extract_txt(f, rel, first, problems)


def extract_pdf(f: Path, rel: str, first: int, problems: list[Problem]) -> list[Page]:
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    with open(f, "rb") as fh:
        head = fh.read(1024)
    if b"%PDF-" not in head:
        raise _fail(rel, "corrupt", "not a PDF (no %PDF- signature)")
    try:
        pdf = pdfium.PdfDocument(str(f))
    except pdfium.PdfiumError as e:
        msg = str(e)
        if "password" in msg.lower():
            raise _fail(rel, "encrypted", "the PDF is encrypted (password required)") from None
        raise _fail(rel, "corrupt", f"the PDF cannot be opened ({msg})") from None
    pages: list[Page] = []
    table_pages: list[int] = []
    try:
        n = len(pdf)
        if n == 0:
            raise _fail(rel, "empty", "the PDF has no pages")
        for i in range(n):
            number = first + i
            try:
                page = pdf[i]
                textpage = page.get_textpage()
                text = _normalise(textpage.get_text_range())
                textpage.close()
                if not text.strip():
                    images = list(page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2))
                    if images:
                        problems.append(Problem(rel, "image_only", "page has no text layer (scanned image); OCR was not run", number))
                page.close()
            except Exception as e:  # a corrupt page does not sink the file
                problems.append(Problem(rel, "page_error", f"page {i + 1} of the file could not be read ({type(e).__name__})", number))
                text = ""
            pages.append(Page(number, rel, i + 1, text, "pdfium"))
            if _TABLE_PAGE.search(text):
                table_pages.append(i)
    finally:
        pdf.close()
    if table_pages:
        _add_tables(f, rel, pages, table_pages, problems)
    return pages


def _add_tables(f: Path, rel: str, pages: list[Page], indexes: list[int], problems: list[Problem]) -> None:
    import pdfplumber

    try:
        with pdfplumber.open(str(f)) as pdf:
            for i in indexes:
                page = pdf.pages[i]
                try:
                    tables = page.extract_tables()
                    pages[i].tables = [[[(c or "").strip() for c in row] for row in t] for t in tables]
                finally:
                    page.close()  # without this pdfplumber keeps ~5 MB a page
    except Exception as e:
        problems.append(Problem(rel, "page_error", f"tables could not be read ({type(e).__name__})"))


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def extract_docx(f: Path, rel: str, first: int, problems: list[Problem]) -> list[Page]:
    import docx

    if not zipfile.is_zipfile(f):
        raise _fail(rel, "corrupt", "not a DOCX (not a zip archive)")
    try:
        document = docx.Document(str(f))
    except Exception as e:
        raise _fail(rel, "corrupt", f"the DOCX cannot be opened ({type(e).__name__})") from None
    chunks: list[list[str]] = [[]]
    body = document.element.body
    for el in body.iterchildren():
        tag = el.tag.rsplit("}", 1)[-1]
        if tag == "p":
            ppr = el.find(f"{_W}pPr")
            if ppr is not None and ppr.find(f"{_W}pageBreakBefore") is not None and any(chunks[-1]):
                chunks.append([])
            parts: list[str] = []
            for node in el.iter():
                name = node.tag.rsplit("}", 1)[-1]
                if name == "t" and node.text:
                    parts.append(node.text)
                elif name == "tab":
                    parts.append("\t")
                elif name == "br":
                    if node.get(f"{_W}type") == "page":
                        chunks[-1].append("".join(parts))
                        parts = []
                        chunks.append([])
                    else:
                        parts.append("\n")
            chunks[-1].append("".join(parts))
        elif tag == "tbl":
            for tr in el.iter(f"{_W}tr"):
                cells = []
                for tc in tr.iter(f"{_W}tc"):
                    cells.append(" ".join("".join(t.text or "" for t in p.iter(f"{_W}t")) for p in tc.iter(f"{_W}p")).strip())
                chunks[-1].append(" | ".join(cells))
    texts = ["\n".join(c).strip("\n") for c in chunks]
    if not any(t.strip() for t in texts):
        raise _fail(rel, "no_text", "the DOCX contains no text")
    return [Page(first + i, rel, i + 1, t, "docx") for i, t in enumerate(texts)]


def extract_txt(f: Path, rel: str, first: int, problems: list[Problem]) -> list[Page]:
    raw = f.read_bytes()
    if b"\x00" in raw[:4096]:
        raise _fail(rel, "corrupt", "not a text file (binary content)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    text = _normalise(text)
    if not text.strip():
        raise _fail(rel, "no_text", "the text file contains only white space")
    parts = text.split("\f")
    if len(parts) > 1 and not parts[-1].strip():
        parts.pop()  # a trailing form feed does not start a page
    return [Page(first + i, rel, i + 1, t, "txt") for i, t in enumerate(parts)]
