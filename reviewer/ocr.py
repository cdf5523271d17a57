"""OCR for pages that have no usable text layer: scanned statements, photocopies, photographs.

Back end: Debian's Tesseract 5 (``tesseract-ocr`` + ``tesseract-ocr-eng``; ``osd`` comes with it),
run as a subprocess. Why a subprocess and not a library binding: a page that hangs is *killed* when
its time limit passes (``subprocess.run(timeout=...)``); a worker process of a pool cannot be.
One single-threaded Tesseract per core (``OMP_THREAD_LIMIT=1``): with its default OpenMP threads
two pages on two cores fight and take 5-8x longer (see ``/work/shared/measurements.md``).

The flow for one page image:

1. deskew: a projection-profile search over +-5 degrees on a small copy of the page;
2. read with ``--psm 3`` (automatic layout: columns and blocks come back in reading order);
3. when the words come back poor (mean confidence under :data:`RETRY_BELOW`), ask Tesseract's
   orientation detection (``--psm 1``: OSD, then layout) and keep whichever read is better.
   Upright pages, nearly all of them, so pay for OSD only when it can help.
4. build the text line by line from Tesseract's TSV and repair the usual OCR confusions
   (:func:`clean_ocr_text`), so rules written for typed text still match; letter confusions
   ("rn" read for "m" and the like) are repaired only where an English word list
   (:data:`WORD_LISTS`, Debian's ``wbritish-large``) says which reading is a word.

Nothing here logs page text.
"""
from __future__ import annotations

import csv
import functools
import io
import logging
import os
import re
import shutil
import subprocess
import time
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

log = logging.getLogger(__name__)

DPI = 200  # grayscale; 150-200 dpi is where Tesseract 5 is both fast and accurate on A4
PAGE_TIMEOUT = 60.0  # seconds for one page (all its Tesseract runs together)
MIN_CONFIDENCE = 70.0  # a page whose mean word confidence is lower is listed for a person to read
RETRY_BELOW = 60.0  # a first read this poor is retried with orientation detection
DESKEW_FROM = 3.0  # degrees
OCR_MODES = ("auto", "always", "never")


class OcrUnavailable(RuntimeError):
    """Tesseract (or its English data) is not installed."""


class OcrTimeout(RuntimeError):
    """A page took longer than its time limit."""


@dataclass
class OcrResult:
    text: str
    confidence: float  # mean word confidence, 0-100
    words: int
    engine: str  # "tesseract 5.3.0"
    oriented: bool = False  # Tesseract's orientation detection turned the page before reading
    skew: float = 0.0  # degrees of deskew applied
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- engine
@functools.lru_cache(maxsize=1)
def tesseract_version() -> str:
    """``"tesseract 5.3.0"``; raises :class:`OcrUnavailable` when Tesseract or English data is missing."""
    exe = shutil.which("tesseract")
    if not exe:
        raise OcrUnavailable("Tesseract is not installed (Debian: apt-get install tesseract-ocr tesseract-ocr-eng)")
    out = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=30)
    first = (out.stdout or out.stderr).strip().splitlines()[0] if (out.stdout or out.stderr).strip() else "tesseract"
    langs = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=30).stdout.split()
    if "eng" not in langs:
        raise OcrUnavailable("Tesseract has no English data (Debian: apt-get install tesseract-ocr-eng)")
    return first.strip()


def available() -> bool:
    try:
        tesseract_version()
        return True
    except OcrUnavailable:
        return False


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


_ENV = {**os.environ, "OMP_THREAD_LIMIT": "1"}


# --------------------------------------------------------------------------- text quality
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?|\d+(?:[.,:/-]\d+)*", re.U)
_ASCII_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?|[0-9]+(?:[.,:/-][0-9]+)*")  # the same words in ASCII text, found faster
_GOODWORD = re.compile(r"^(?:[A-Za-z][a-z]+(?:['’][a-z]+)?|[A-Z]{2,}|[AaI]|\d+(?:[.,:/-]\d+)*)$")
_VOWEL = re.compile(r"[aeiouyAEIOUY]")


@functools.lru_cache(maxsize=65536)
def _good_length(w: str) -> int:
    """len(W) when W is a plausible word (letters with a vowel, capitals, a number), else 0."""
    return len(w) if _GOODWORD.match(w) and (w[0].isdigit() or len(w) <= 2 or _VOWEL.search(w)) else 0


def text_quality(text: str, area_sq_in: float | None = None) -> float:
    """A 0-1 score of how much a page's text looks like readable English for its area.

    The product of (a) the share of non-space characters that sit inside plausible words
    (letters with a vowel, capitals, numbers) and (b) a density term that reaches 1 at
    ~4 characters a square inch (a sparse A4 page has ~400 characters; a full one ~2,700).
    An empty page scores 0; a page of glyph soup from a broken font scores near 0.
    """
    chars = len("".join(text.split()))  # non-space characters, counted in C
    if chars == 0:
        return 0.0
    good = sum(map(_good_length, (_ASCII_WORD if text.isascii() else _WORD).findall(text)))
    # punctuation between good words is fine: count it at half weight
    punct = sum(text.count(c) for c in ".,;:!?()'\"-/&%£@")
    share = min(1.0, (good + 0.5 * punct) / chars)
    if area_sq_in is None:
        return round(share, 3)
    density = min(1.0, chars / max(1.0, 4.0 * area_sq_in))
    return round(share * density, 3)


def word_share(text: str) -> float:
    """The share of the text that is plausible words, regardless of the page's area."""
    return text_quality(text, None)


# --------------------------------------------------------------------------- OCR text repair
_LIGATURES = {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl", "\ufb05": "st", "\ufb06": "st"}
_QUOTES = {"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u201c": '"', "\u201d": '"', "\u201e": '"',
           "\u2014": "-", "\u2013": "-", "\u00ad": ""}
_HYPHEN_BREAK = re.compile(r"([a-z]{2,})-\n([a-z]{2,})([,.;:]?)[ \t]*", re.U)
_NOISE_TOKEN = re.compile(r"(?<!\S)[.'`,;~_^*»«°|]{1,2}(?!\S)")
_PIPE_I = re.compile(r"(?<!\S)[|](?=\s+[a-z])")
_TOKEN = re.compile(r"\S+")
_DIGITLIKE = str.maketrans({"l": "1", "I": "1", "|": "1", "O": "0", "o": "0", "S": "5", "B": "8"})
_NUMERIC_CORE = re.compile(r"^[0-9lIO|oSB]+(?:[/.:\-][0-9lIO|oSB]+)*$")


# Letter confusions: (what OCR read, what was printed). A word is changed only when it is not a
# known word and exactly one reading with at most MAX_CONFUSIONS of these changes is one.
CONFUSIONS = (("rn", "m"), ("m", "rn"), ("cl", "d"), ("d", "cl"), ("vv", "w"), ("li", "h"), ("h", "li"))
MAX_CONFUSIONS = 2
MIN_LETTERS = 4  # shorter words ("tum", "bom", "mom") are too often real words, names or abbreviations
# The English vocabulary: the first of these that exists (Debian: wbritish-large, SCOWL size 70,
# British spelling). Without one, letter confusions are left alone: every word would look unknown.
WORD_LISTS = ("/usr/share/dict/british-english-large", "/usr/share/dict/british-english", "/usr/share/dict/words")
# Words of police and CPS files that the word list lacks (lower case).
DOMAIN_WORDS = frozenset("""
    arrestee arrestees bodycam bodycams bodyworn cellsite chatlog chatlogs childline complainant complainants
    disclosable facebook geolocation hashtag hashtags imei instagram livestream livestreamed messaged
    paedophile paedophiles precharge recency screengrab screengrabs sexting sextortion snapchat snapchatted
    uber upskirting voicemail voicemails whatsapp whatsapped
""".split())
_CONFUSABLE = re.compile("|".join(sorted({re.escape(a) for a, _ in CONFUSIONS}, key=len, reverse=True)))
_REPAIRABLE = re.compile(r"^[A-Za-z]+(?:-[A-Za-z]+)*(?:'s|')?$")  # words, hyphenated words, possessives


@dataclass(frozen=True)
class Vocabulary:
    words: frozenset[str]  # lower-case entries: what a repaired word may become
    names: frozenset[str]  # the other entries (names, places, acronyms), lower-cased: known, never a repair

    def __contains__(self, word: str) -> bool:
        return word in self.words or word in self.names

    def __len__(self) -> int:
        return len(self.words) + len(self.names)


@functools.lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    """The first of :data:`WORD_LISTS` found, plus :data:`DOMAIN_WORDS`; empty when no word list is
    installed (letter confusions are then not repaired). Read once per process (~0.1 s)."""
    for path in WORD_LISTS:
        try:
            with open(path, encoding="utf-8") as f:
                entries = f.read().split()
        except (OSError, UnicodeDecodeError):
            continue
        entries = [w for w in entries if "'" not in w]  # possessives: "'s" is split off before the look-up
        words = {w for w in entries if w.islower()} | DOMAIN_WORDS
        names = {w.lower() for w in entries if not w.islower()} - words
        return Vocabulary(frozenset(words), frozenset(names))
    log.warning("no English word list (%s): OCR letter confusions are not repaired "
                "(Debian: apt-get install wbritish-large)", ", ".join(WORD_LISTS))
    return Vocabulary(frozenset(), frozenset())


def _readings(word: str) -> set[str]:
    """WORD with one to MAX_CONFUSIONS non-overlapping confusions undone ("cornplainant" -> "complainant")."""
    sites = sorted((i, read, printed) for read, printed in CONFUSIONS
                   for i in range(len(word)) if word.startswith(read, i))
    out: set[str] = set()

    def undo(first: int, text: str, shift: int, free_from: int, left: int) -> None:
        for k in range(first, len(sites)):
            i, read, printed = sites[k]
            if i < free_from:  # overlaps a confusion already undone
                continue
            j = i + shift
            changed = text[:j] + printed + text[j + len(read):]
            out.add(changed)
            if left > 1:
                undo(k + 1, changed, shift + len(printed) - len(read), i + len(read), left - 1)

    undo(0, word, 0, 0, MAX_CONFUSIONS)
    out.discard(word)
    return out


@functools.lru_cache(maxsize=8192)
def repair_word(word: str) -> str:
    """WORD (letters only) with OCR letter confusions undone, or WORD itself.

    Conservative: lower-case words of :data:`MIN_LETTERS` or more only (capitalised words are
    too often names: "Mr Horn", "Cleary"; ALL-CAPS ones surnames, acronyms and codes), and only
    when WORD is not a known word in any case and exactly one reading of it is a lower-case
    word ("rnobile" -> "mobile"; "modern", "modem", "burn" stay)."""
    if len(word) < MIN_LETTERS or not word.islower() or not _CONFUSABLE.search(word):
        return word
    vocab = vocabulary()
    if not vocab or word in vocab:
        return word
    known = [r for r in _readings(word) if r in vocab.words and len(r) >= MIN_LETTERS - 1]  # "tlie" -> "the"
    return known[0] if len(known) == 1 else word


def _repair_letters(core: str) -> str:
    """Undo letter confusions in each word of CORE (hyphenated parts; a possessive ending kept)."""
    if not _REPAIRABLE.match(core):
        return core
    stem, tail = (core[:-2], core[-2:]) if core.endswith("'s") else (core[:-1], "'") if core.endswith("'") else (core, "")
    return "-".join(repair_word(part) for part in stem.split("-")) + tail


def fix_ligatures(text: str) -> str:
    for k, v in _LIGATURES.items():
        text = text.replace(k, v)
    return text


def _fix_token(tok: str) -> str:
    # split off surrounding punctuation, repair the core, put it back
    m = re.match(r"^([(\[\"']*)(.*?)([)\]\"'.,;:!?]*)$", tok)
    lead, core, trail = m.groups() if m else ("", tok, "")
    if not core:
        return tok
    digits = sum(c.isdigit() for c in core)
    if digits and _NUMERIC_CORE.match(core) and digits * 2 >= sum(c.isalnum() for c in core):
        # "2O24", "l4/03/2O24", "l0:3O": a number with letter look-alikes
        core = core.translate(_DIGITLIKE)
    elif digits and any(c.isalpha() for c in core):
        # "p0lice", "1nterview", "ph0ne": a word with digit look-alikes between letters;
        # codes such as "MG11", "DC4471", "47WM02" keep their digits (not flanked by lower case)
        chars = list(core)
        for i, c in enumerate(chars):
            if c in "01":
                before = chars[i - 1] if i else ""
                after = chars[i + 1] if i + 1 < len(chars) else ""
                if (before.islower() or not before) and after.islower() or before.islower() and (after.islower() or not after):
                    chars[i] = "o" if c == "0" else "l"
        core = "".join(chars)
    if any(unicodedata.combining(c) for c in unicodedata.normalize("NFD", core)) and core.isalpha():
        # "thé" -> "the": stray accents are scanner noise far more often than real diacritics here
        core = "".join(c for c in unicodedata.normalize("NFD", core) if not unicodedata.combining(c))
    core = _repair_letters(core)
    return lead + core + trail


def clean_ocr_text(text: str) -> str:
    """Repair common OCR confusions so that rules written for typed text match.

    Ligatures, curly quotes and dashes; words broken by a hyphen at a line end are rejoined
    ("inter-/viewed" -> "interviewed", the rest of the line moves up); ``l``/``1``/``O``/``0``
    look-alikes inside numbers and words; ``|`` read for "I"; stray accents ("thé"); lone
    ``.``/``'`` specks; letter confusions that a word list settles ("cornplainant's rnobile" ->
    "complainant's mobile", :func:`repair_word`). This builds the page text, so every citation
    offset refers to the repaired text (a repaired word may be shorter or longer).
    """
    text = fix_ligatures(text)
    for k, v in _QUOTES.items():
        text = text.replace(k, v)
    text = _HYPHEN_BREAK.sub(lambda m: m.group(1) + m.group(2) + m.group(3) + "\n", text)
    text = _PIPE_I.sub("I", text)
    text = _NOISE_TOKEN.sub("", text)
    text = _TOKEN.sub(lambda m: _fix_token(m.group()), text)
    text = re.sub(r"[ \t]{2,}", " ", text)
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip("\n")


# --------------------------------------------------------------------------- images
def deskew(img, max_angle: float = 8.0):
    """Straighten a rotated scan. Returns (image, skew found in degrees).

    The page is turned only when the skew is at least :data:`DESKEW_FROM` degrees: measured on
    noisy A4 scans, Tesseract 5 reads 1-4.5 degree skews as well unturned (mean confidence
    93.9-94.6 either way), and turning blurs the glyphs a little."""
    import numpy as np
    from PIL import Image

    small = img.copy()
    small.thumbnail((500, 500))
    arr = np.asarray(small, dtype=np.uint8)
    ink = (arr < 128).astype(np.uint8)
    if ink.sum() < 200:  # nearly blank
        return img, 0.0
    ink_img = Image.fromarray(ink * 255)

    def score(angle: float) -> float:
        rows = np.asarray(ink_img.rotate(angle, resample=Image.NEAREST, fillcolor=0), dtype=np.float32).sum(axis=1)
        return float(np.square(np.diff(rows)).sum())

    coarse = [float(a) for a in range(-int(max_angle), int(max_angle) + 1)]
    best = max(coarse, key=score)
    best = max((best + d / 4 for d in range(-3, 4)), key=score)
    if abs(best) < DESKEW_FROM:  # Tesseract reads small skews as well straight as straightened
        return img, round(best, 2)
    return img.rotate(best, resample=Image.BICUBIC, fillcolor=255, expand=False), round(best, 2)


def prepare(img):
    """Grayscale; very large scans are brought down to about 200 dpi for A4."""
    from PIL import Image

    if img.mode != "L":
        img = img.convert("L")
    longest = max(img.size)
    limit = int(11.7 * DPI * 1.1)
    if longest > limit:
        scale = limit / longest
        img = img.resize((max(1, int(img.width * scale)), max(1, int(img.height * scale))), Image.LANCZOS)
    return img


# --------------------------------------------------------------------------- reading
def _tesseract(png: bytes, psm: int, timeout: float) -> str:
    exe = shutil.which("tesseract") or "tesseract"
    try:
        out = subprocess.run([exe, "stdin", "stdout", "--psm", str(psm), "--dpi", str(DPI), "-l", "eng", "tsv"],
                             input=png, capture_output=True, timeout=max(0.01, timeout), env=_ENV)
    except subprocess.TimeoutExpired:
        raise OcrTimeout(f"OCR took longer than {timeout:.0f}s") from None
    if out.returncode != 0:
        err = out.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RuntimeError(f"tesseract failed ({err[-1] if err else out.returncode})")
    return out.stdout.decode("utf-8", "replace")


def _read_tsv(tsv: str) -> tuple[str, float, int]:
    """Text (lines, blank line between blocks/paragraphs), mean word confidence, word count."""
    lines: list[str] = []
    confs: list[float] = []
    key = None
    para = None
    current: list[str] = []
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        if row.get("level") != "5":
            continue
        word = (row.get("text") or "").strip()
        if not word:
            continue
        try:
            conf = float(row["conf"])
        except (KeyError, ValueError):
            conf = -1
        if conf >= 0:
            confs.append(conf)
        k = (row["page_num"], row["block_num"], row["par_num"], row["line_num"])
        p = k[:3]
        if k != key:
            if current:
                lines.append(" ".join(current))
            if para is not None and p != para:
                lines.append("")
            current, key, para = [], k, p
        current.append(word)
    if current:
        lines.append(" ".join(current))
    mean = sum(confs) / len(confs) if confs else 0.0
    return "\n".join(lines), mean, len(confs)


def ocr_image(img, timeout: float = PAGE_TIMEOUT, deskew_first: bool = True) -> OcrResult:
    """Read one page image (PIL) with Tesseract. Raises OcrTimeout, OcrUnavailable, RuntimeError."""
    engine = tesseract_version()
    t0 = time.perf_counter()
    img = prepare(img)
    skew = 0.0
    if deskew_first:
        img, skew = deskew(img)
    buf = io.BytesIO()
    img.save(buf, format="PNG", compress_level=1)
    png = buf.getvalue()

    def left() -> float:
        remaining = timeout - (time.perf_counter() - t0)
        if remaining <= 0:
            raise OcrTimeout(f"OCR took longer than {timeout:.0f}s")
        return remaining

    text, conf, words = _read_tsv(_tesseract(png, 3, left()))
    oriented = False
    notes = []
    if words == 0 or conf < RETRY_BELOW:
        try:
            text2, conf2, words2 = _read_tsv(_tesseract(png, 1, left()))
            if conf2 * max(words2, 1) ** 0.5 > conf * max(words, 1) ** 0.5 and conf2 > conf:
                text, conf, words = text2, conf2, words2
                oriented = True
        except OcrTimeout:
            if not words:
                raise
            notes.append("orientation retry timed out")
    return OcrResult(clean_ocr_text(text), round(conf, 1), words, engine, oriented, skew,
                     round(time.perf_counter() - t0, 3), notes)


@dataclass
class Job:
    """One page to read: ``render()`` makes its image (called in the submitting thread)."""

    key: object
    render: Callable[[], object]


def run_jobs(jobs: Iterable[Job], workers: int | None = None, timeout: float = PAGE_TIMEOUT
             ) -> Iterator[tuple[object, OcrResult | Exception]]:
    """OCR pages in parallel, one Tesseract per worker; yields (key, result or exception) in job order.

    Rendering stays in the calling thread (pdfium is not thread-safe) and at most two pages per
    worker wait in memory. A page that times out or fails yields its exception; the rest go on.
    """
    workers = workers or default_workers()
    tesseract_version()  # fail early, once, when Tesseract is missing
    vocabulary()  # read the word list once, before the workers need it
    pending: list[tuple[object, object]] = []

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ocr") as pool:
        def drain(limit: int):
            while len(pending) > limit:
                key, fut = pending.pop(0)
                try:
                    yield key, fut.result()
                except Exception as e:  # timeout, failure: reported, never fatal
                    yield key, e

        for job in jobs:
            try:
                img = job.render()
            except Exception as e:
                pending.append((job.key, _done_with(e)))
            else:
                pending.append((job.key, pool.submit(ocr_image, img, timeout)))
            yield from drain(2 * workers)
        yield from drain(0)


class _done_with:
    """A finished 'future' that raises (render failures keep their place in the order)."""

    def __init__(self, exc: Exception):
        self.exc = exc

    def result(self):
        raise self.exc
