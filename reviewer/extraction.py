"""Stage 1: files -> pages.

Every page of every file of a case gets a 1-based *case* page number (files in name order).
PDF text comes from pypdfium2 (about 70x faster than pdfplumber's ``extract_text``), in reading
order (:mod:`reviewer.layout`: two columns, turned pages and turned text); pdfplumber is used only
where it is strong, for the tables of disclosure schedules.
DOCX comes through python-docx (paragraphs and tables, split at explicit page breaks),
TXT as UTF-8 with a cp1252 fallback (split at form feeds), e-mail (``.eml``, ``.msg``) as one page
of headers and body followed by its attachments' pages, images (PNG, JPEG, TIFF frames) by OCR.

A PDF page with no text layer, or whose text is too short or garbled for its area (a per-page
text-quality score), is rendered and read with Tesseract (:mod:`reviewer.ocr`), in parallel, one
process per core, each page with a time limit. Lines repeated at the top or bottom of every page
of a file (protective marking, URN, "Page x of y") are left out when the page text is built, so
they never run into sentences; every offset refers to the text as built.
The same file twice (SHA-256) is read once; near-identical pages are marked (:mod:`reviewer.dedupe`).

A page or file that cannot be read becomes a :class:`~reviewer.errors.Problem`; it never
sinks the rest of the case.
"""
from __future__ import annotations

import hashlib
import io
import logging
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from . import ocr as _ocr
from .errors import CaseError, Problem
from .formats import IMAGE_SUFFIXES, FormatError, image_frames, read_eml, read_msg
from .layout import read_text

log = logging.getLogger(__name__)

SUPPORTED = {".pdf", ".docx", ".txt", ".eml", ".msg"} | IMAGE_SUFFIXES
_SUPPORTED_NAMES = "PDF, DOCX, TXT, EML, MSG, PNG, JPEG, TIFF"
OCR_QUALITY_BELOW = 0.35  # a text layer scoring lower (on a page with an image) is read again by OCR
MAX_DEPTH = 3  # messages attached to messages attached to messages
# Schedules are the only pages whose tables we read with pdfplumber (slow, so only where needed).


@dataclass
class Page:
    number: int  # 1-based page of the whole case
    file: str  # the file's path relative to the case root
    file_page: int  # 1-based page within its file
    text: str
    extractor: str  # pdfium | docx | txt | email | tesseract | duplicate
    tables: list[list[list[str]]] = field(default_factory=list)
    quality: float | None = None  # text-quality score of the text layer (0-1), PDF pages
    engine: str | None = None  # OCR engine and version, e.g. "tesseract 5.3.0"
    ocr_confidence: float | None = None  # mean word confidence (0-100) of an OCR page
    ocr_reason: str | None = None  # why the page was read by OCR
    duplicate_of: int | None = None  # the earlier case page this page repeats (same file twice, or same text)
    boilerplate: list[str] = field(default_factory=list)  # header/footer lines left out of text


@dataclass
class Extraction:
    root: Path
    files: list[str]
    pages: list[Page]
    problems: list[Problem]
    duplicates: list = field(default_factory=list)  # reviewer.dedupe.Duplicate, later page -> earlier


@dataclass
class Options:
    """How to read a case. ``ocr``: auto (pages that need it), always (every PDF page), never."""

    ocr: str = "auto"
    workers: int | None = None  # OCR processes; default one per available core
    ocr_timeout: float = _ocr.PAGE_TIMEOUT
    min_confidence: float = _ocr.MIN_CONFIDENCE
    strip_boilerplate: bool = True
    find_duplicates: bool = True


def load_readers() -> None:
    """Import the PDF and DOCX readers now (about 0.14 s): a reviewer does it as it starts, so
    that the first case it reads does not pay for them. Reading works without this call."""
    import docx  # noqa: F401
    import pdfplumber  # noqa: F401
    import pypdfium2.raw  # noqa: F401


def _normalise(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    # pdfium marks soft hyphens and non-breaking spaces with control characters
    text = text.replace("\ufffe", "").replace("\x02", "-").replace("\u00a0", " ")
    return _ocr.fix_ligatures(text)


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


def extract_case(path: str | Path, ocr: str = "auto", workers: int | None = None,
                 ocr_timeout: float | None = None, options: Options | None = None) -> Extraction:
    """Read every page of the case at PATH (one bundle file or one case folder).

    ``ocr``: ``auto`` reads by OCR the pages that need it, ``always`` every PDF page, ``never`` none
    (image pages are then listed in ``problems``). ``workers``: OCR processes (default: one per core).
    ``ocr_timeout``: seconds a page may take before it is given up and listed in ``problems``.
    """
    opts = options or Options(ocr=ocr, workers=workers)
    if ocr_timeout is not None:
        opts.ocr_timeout = ocr_timeout
    if opts.ocr not in _ocr.OCR_MODES:
        raise ValueError(f"ocr must be one of {', '.join(_ocr.OCR_MODES)}, not {opts.ocr!r}")
    path = Path(path)
    root, files = case_files(path)
    ctx = _Ctx(opts, [], {})
    pages: list[Page] = []
    names: list[str] = []
    single = path.is_file()
    for f in files:
        rel = f.relative_to(root).as_posix()
        names.append(rel)
        try:
            data = f.read_bytes()
        except OSError as e:
            if single:
                raise CaseError(f"{rel}: the file cannot be read ({e.strerror or type(e).__name__})") from None
            ctx.problems.append(Problem(rel, "corrupt", f"the file cannot be read ({e.strerror or type(e).__name__})"))
            continue
        try:
            file_pages = _extract_data(data, f.name, rel, len(pages) + 1, ctx, 0)
        except CaseError as e:
            if single:
                raise
            ctx.problems.append(Problem(rel, getattr(e, "kind", "corrupt"), e.message))
            continue
        for p in file_pages:
            if p.file not in names:
                names.append(p.file)  # attachments follow their message
        pages.extend(file_pages)
    if not pages:
        if single:
            raise CaseError(f"{path}: no pages could be read")
        detail = "; ".join(str(p) for p in ctx.problems) or "no readable pages"
        raise CaseError(f"{path}: no file of the case could be read ({detail})")
    duplicates = []
    if opts.find_duplicates:
        from .dedupe import find_duplicate_pages

        duplicates = find_duplicate_pages(pages)
        for d in duplicates:
            page = pages[d.page - 1]
            if page.duplicate_of is None:
                page.duplicate_of = d.of
            ctx.problems.append(Problem(page.file, "duplicate_page",
                                        f"page repeats case page {d.of} ({pages[d.of - 1].file}), similarity {d.similarity:.2f}", d.page))
    return Extraction(root=root, files=names, pages=pages, problems=ctx.problems, duplicates=duplicates)


@dataclass
class _Ctx:
    opts: Options
    problems: list[Problem]
    seen: dict[str, tuple[str, list[Page]]]  # SHA-256 -> (first file, its pages)


def _fail(rel: str, kind: str, detail: str) -> CaseError:
    e = CaseError(f"{rel}: {detail}")
    e.kind = kind  # type: ignore[attr-defined]
    return e


def _extract_data(data: bytes, name: str, rel: str, first: int, ctx: _Ctx, depth: int) -> list[Page]:
    """The pages of one file or attachment (NAME gives its type) numbered from case page FIRST."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED:
        raise _fail(rel, "unsupported", f"unsupported file type '{suffix or name}' (supported: {_SUPPORTED_NAMES})")
    if len(data) == 0:
        raise _fail(rel, "empty", "the file is empty (0 bytes)")
    digest = hashlib.sha256(data).hexdigest()
    if digest in ctx.seen:
        first_rel, first_pages = ctx.seen[digest]
        ctx.problems.append(Problem(rel, "duplicate_file", f"identical to {first_rel} (SHA-256 {digest[:16]}); "
                                                           f"reviewed once, its pages are cited there"))
        return [Page(first + i, rel, p.file_page, "", "duplicate", duplicate_of=p.number)
                for i, p in enumerate(first_pages)]
    if suffix == ".pdf":
        pages = _pdf(data, rel, first, ctx)
    elif suffix == ".docx":
        pages = _docx(data, rel, first)
    elif suffix == ".txt":
        pages = _txt(data, rel, first)
    elif suffix in (".eml", ".msg"):
        pages = _message(data, suffix, rel, first, ctx, depth)
    else:
        pages = _image(data, rel, first, ctx)
    if ctx.opts.strip_boilerplate:
        strip_boilerplate(pages)
    ctx.seen[digest] = (rel, pages)
    return pages


def _extract_file(f: Path, rel: str, first: int, problems: list[Problem]) -> list[Page]:
    """One file on disk (kept for callers of the first version)."""
    ctx = _Ctx(Options(), problems, {})
    return _extract_data(f.read_bytes(), f.name, rel, first, ctx, 0)


def extract_pdf(f: Path | bytes, rel: str, first: int, problems: list[Problem], options: Options | None = None) -> list[Page]:
    data = f if isinstance(f, bytes) else Path(f).read_bytes()
    return _pdf(data, rel, first, _Ctx(options or Options(), problems, {}))


def extract_docx(f: Path | bytes, rel: str, first: int, problems: list[Problem]) -> list[Page]:
    return _docx(f if isinstance(f, bytes) else Path(f).read_bytes(), rel, first)


def extract_txt(f: Path | bytes, rel: str, first: int, problems: list[Problem]) -> list[Page]:
    return _txt(f if isinstance(f, bytes) else Path(f).read_bytes(), rel, first)


def _image_cover(page, pdfium_c) -> tuple[int, float]:
    """How many image objects a PDF page holds and the share of the page the largest covers."""
    n, best = 0, 0.0
    area = max(1.0, page.get_width() * page.get_height())
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2):
        n += 1
        try:
            left, bottom, right, top = obj.get_pos()
            best = max(best, abs(right - left) * abs(top - bottom) / area)
        except Exception:
            best = max(best, 0.5)
    return n, min(1.0, best)


def _ocr_reason(text: str, quality: float, images: int, cover: float) -> str | None:
    if not text.strip():
        return "no text layer" if images else None
    if sum(not c.isspace() for c in text) >= 20 and _ocr.word_share(text) < 0.5:
        return f"garbled text layer (quality {quality:.2f})"
    if quality < OCR_QUALITY_BELOW and images and cover >= 0.3:
        return f"text too short for its area (quality {quality:.2f})"
    return None


def _pdf(data: bytes, rel: str, first: int, ctx: _Ctx) -> list[Page]:
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    problems = ctx.problems
    mode = ctx.opts.ocr
    if b"%PDF-" not in data[:1024]:
        raise _fail(rel, "corrupt", "not a PDF (no %PDF- signature)")
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        msg = str(e)
        if "password" in msg.lower():
            raise _fail(rel, "encrypted", "the PDF is encrypted (password required)") from None
        raise _fail(rel, "corrupt", f"the PDF cannot be opened ({msg})") from None
    pages: list[Page] = []
    to_ocr: list[tuple[Page, int]] = []
    try:
        n = len(pdf)
        if n == 0:
            raise _fail(rel, "empty", "the PDF has no pages")
        for i in range(n):
            number = first + i
            reason = None
            quality = None
            try:
                page = pdf[i]
                text = _normalise(read_text(page))
                area = page.get_width() * page.get_height() / (72 * 72)
                quality = _ocr.text_quality(text, area)
                if mode == "always":
                    reason = "--ocr always"
                elif quality < 0.6:  # cheap test first: most typed pages score ~1 and skip the image scan
                    images, cover = _image_cover(page, pdfium_c)
                    reason = _ocr_reason(text, quality, images, cover)
                page.close()
            except Exception as e:  # a corrupt page does not sink the file
                problems.append(Problem(rel, "page_error", f"page {i + 1} of the file could not be read ({type(e).__name__})", number))
                text = ""
            pg = Page(number, rel, i + 1, text, "pdfium", quality=quality)
            pages.append(pg)
            if reason:
                pg.ocr_reason = reason
                if mode == "never":
                    if not text.strip():
                        problems.append(Problem(rel, "image_only", "page has no text layer (scanned image); OCR was not run (--ocr never)", number))
                else:
                    to_ocr.append((pg, i))

        def render(i: int):
            def make():
                page = pdf[i]
                try:
                    return page.render(scale=_ocr.DPI / 72, grayscale=True).to_pil()
                finally:
                    page.close()
            return make

        _run_ocr([(pg, render(i)) for pg, i in to_ocr], rel, ctx, keep_layer=True)
    finally:
        pdf.close()
    return pages


def _run_ocr(jobs: list[tuple[Page, object]], rel: str, ctx: _Ctx, keep_layer: bool) -> None:
    """OCR the pages of JOBS (page, render function) in parallel; results go into the pages."""
    if not jobs:
        return
    opts = ctx.opts
    by_key = {pg.number: pg for pg, _ in jobs}
    try:
        results = _ocr.run_jobs((_ocr.Job(pg.number, r) for pg, r in jobs), opts.workers, opts.ocr_timeout)
        for key, res in results:
            pg = by_key[key]
            if isinstance(res, _ocr.OcrTimeout):
                log.warning("%s page %d: OCR timed out after %.0fs", rel, pg.number, opts.ocr_timeout)
                ctx.problems.append(Problem(rel, "ocr_timeout", f"OCR gave up after {opts.ocr_timeout:g}s; read this page by eye", pg.number))
                continue
            if isinstance(res, Exception):
                ctx.problems.append(Problem(rel, "ocr_failed", f"OCR failed ({type(res).__name__}: {res})", pg.number))
                continue
            if res.words == 0:
                if not pg.text.strip():
                    ctx.problems.append(Problem(rel, "image_only", "page has no text layer and OCR found no words on it "
                                                                     "(blank, or a picture with no writing)", pg.number))
                continue
            if keep_layer and pg.text.strip() and pg.ocr_reason != "--ocr always" and _ocr.word_share(res.text) <= _ocr.word_share(pg.text):
                continue  # the text layer was better after all
            pg.text = res.text
            pg.extractor = "tesseract"
            pg.engine = res.engine
            pg.ocr_confidence = res.confidence
            if res.confidence < opts.min_confidence:
                ctx.problems.append(Problem(rel, "ocr_low_confidence",
                                            f"OCR mean word confidence {res.confidence:.0f} is under {opts.min_confidence:.0f}; "
                                            f"read this page by eye", pg.number))
            log.debug("%s page %d: OCR %d words, confidence %.1f, skew %.1f, %.2fs",
                      rel, pg.number, res.words, res.confidence, res.skew, res.seconds)
    except _ocr.OcrUnavailable as e:
        for pg, _ in jobs:
            ctx.problems.append(Problem(rel, "ocr_unavailable", f"page needs OCR ({pg.ocr_reason}) but {e}", pg.number))


def _image(data: bytes, rel: str, first: int, ctx: _Ctx) -> list[Page]:
    try:
        frames = image_frames(data)
    except FormatError as e:
        raise _fail(rel, e.kind, e.detail) from None
    pages = [Page(first + i, rel, i + 1, "", "image", ocr_reason="image file") for i in range(len(frames))]
    if ctx.opts.ocr == "never":
        for pg in pages:
            ctx.problems.append(Problem(rel, "image_only", "image page; OCR was not run (--ocr never)", pg.number))
        return pages
    _run_ocr([(pg, (lambda f=f: f)) for pg, f in zip(pages, frames)], rel, ctx, keep_layer=False)
    return pages


def _message(data: bytes, suffix: str, rel: str, first: int, ctx: _Ctx, depth: int) -> list[Page]:
    try:
        msg = read_eml(data) if suffix == ".eml" else read_msg(data)
    except FormatError as e:
        raise _fail(rel, e.kind, e.detail) from None
    pages = [Page(first, rel, 1, _normalise(msg.text), "email")]
    for att in msg.attachments:
        arel = f"{rel}/{att.name}"
        if depth + 1 > MAX_DEPTH:
            ctx.problems.append(Problem(arel, "unsupported", f"attachment nested deeper than {MAX_DEPTH} messages; not read"))
            continue
        try:
            pages.extend(_extract_data(att.data, att.name, arel, first + len(pages), ctx, depth + 1))
        except CaseError as e:
            ctx.problems.append(Problem(arel, getattr(e, "kind", "corrupt"), e.message))
    return pages


# --------------------------------------------------------------------------- headers and footers
_PAGE_NO = re.compile(r"^\W*(?:page\W*)?\d{1,4}\W*(?:of|/)\W*\d{1,4}\W*$|^\W*page\W*\d{1,4}\W*$|^-?\s*\d{1,4}\s*-?$", re.I)
# a protective marking line (with a URN or force name beside it) at a page edge, even on a one-page file
_MARKING = re.compile(r"^\W*(?:OFFICIAL(?:[\s-]*SENSITIVE)?|NOT PROTECTIVELY MARKED|RESTRICTED|SECRET)\b(?:\W+(?:URN\W*)?[\w/ -]{0,40})?$")
# a form title or statement heading repeated on each page is content (segmentation reads it), not boilerplate
_TITLE = re.compile(r"\bmg\s?#|statement|report|summary|schedule|record of|witness|interview", re.I)
_EDGE = 3  # lines at the top and at the bottom of a page where headers and footers live


def _line_key(line: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"\d+", "#", line.strip().lower()))


def strip_boilerplate(pages: list[Page]) -> None:
    """Leave out of each page's text the lines repeated at its top or bottom on most pages of the
    file (protective marking, URN, force name) and "Page x of y" lines. Done while the page text is
    built: offsets found later refer to the stripped text. The removed lines are kept in
    ``Page.boilerplate``."""
    edge_lines: list[list[tuple[int, str]]] = []
    for pg in pages:
        lines = pg.text.split("\n")
        idx = [i for i, ln in enumerate(lines) if ln.strip()]
        edge = sorted(set(idx[:_EDGE] + idx[-_EDGE:]))
        edge_lines.append([(i, _line_key(lines[i])) for i in edge])
    counts: dict[str, int] = {}
    for edges in edge_lines:
        for key in {k for _, k in edges}:
            counts[key] = counts.get(key, 0) + 1
    n = len(pages)
    repeated = {k for k, c in counts.items() if n >= 2 and c >= max(2, 0.6 * n) and len(k) >= 4 and not _TITLE.search(k)}
    fuzzy = [k for k in repeated if len(k) >= 12]
    for pg, edges in zip(pages, edge_lines):
        lines = pg.text.split("\n")
        drop = set()
        for i, key in edges:
            line = lines[i].strip()
            if _PAGE_NO.match(line) or _MARKING.match(line) or key in repeated:
                drop.add(i)
            elif pg.extractor == "tesseract" and fuzzy and _near_any(key, fuzzy):
                drop.add(i)  # an OCR misreading of the header
        if drop and len(drop) < len([ln for ln in lines if ln.strip()]):
            pg.boilerplate = [lines[i].strip() for i in sorted(drop)]
            pg.text = "\n".join(ln for i, ln in enumerate(lines) if i not in drop).strip("\n")


def _near_any(key: str, keys: list[str]) -> bool:
    from difflib import SequenceMatcher

    return any(abs(len(k) - len(key)) <= 0.2 * len(k) and SequenceMatcher(None, key, k).ratio() >= 0.85 for k in keys)


def add_schedule_tables(ex: Extraction, numbers: set[int]) -> None:
    """Read the tables of the given case pages with pdfplumber (MG6C/MG6D schedules).

    pdfplumber is slow (about 0.3 s a page here), so only the pages of schedule documents
    are read, after segmentation has found them. Each page is closed after use: without
    ``page.close()`` pdfplumber keeps about 5 MB a page.
    """
    import pdfplumber
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    by_file: dict[str, list[Page]] = {}
    for page in ex.pages:
        if page.number in numbers and page.extractor == "pdfium" and page.file.lower().endswith(".pdf"):
            by_file.setdefault(page.file, []).append(page)
    for rel, pages in by_file.items():
        path = ex.root / rel
        if not path.is_file():
            continue  # an attachment inside a message: no file of its own to reopen
        # pdfplumber finds tables by their ruling lines: a page with no drawn lines has none,
        # and is skipped at the cost of one look at its objects with pdfium
        try:
            doc = pdfium.PdfDocument(str(path))
            try:
                ruled = []
                for pg in pages:
                    page = doc[pg.file_page - 1]
                    paths = sum(1 for _ in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH], max_depth=2))
                    page.close()
                    if paths >= 4:
                        ruled.append(pg)
            finally:
                doc.close()
        except Exception:
            ruled = pages
        pages = ruled
        if not pages:
            continue
        try:
            with pdfplumber.open(str(path)) as pdf:
                for pg in pages:
                    page = pdf.pages[pg.file_page - 1]
                    try:
                        tables = page.extract_tables()
                        pg.tables = [[[(c or "").strip() for c in row] for row in t] for t in tables]
                    finally:
                        page.close()
        except Exception as e:
            ex.problems.append(Problem(rel, "page_error", f"tables could not be read ({type(e).__name__})"))


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _docx(data: bytes, rel: str, first: int) -> list[Page]:
    import docx

    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise _fail(rel, "corrupt", "not a DOCX (not a zip archive)")
    try:
        document = docx.Document(io.BytesIO(data))
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


def _txt(raw: bytes, rel: str, first: int) -> list[Page]:
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
