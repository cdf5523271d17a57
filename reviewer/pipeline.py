"""The spaCy pipeline kept in ``models/casefile_pipeline``: rule components only.

Built on ``spacy.blank("en")``; every component is registered with ``@Language.factory``
under a versioned name and reads its rules from a data file in its own folder, validated on
load. ``spacy.load(path)`` works once this module is imported (``load_pipeline`` does both).

Components, in order:

- ``casefile_normalizer_v1``: sets ``token.norm_`` to a crude stem with OCR confusions
  folded, so one phrase matches many inflections ("seized", "seizing", "seize").
- ``casefile_sentences_v1``: sentence boundaries for police paperwork (headings, bullets,
  table rows, form labels, wrapped PDF lines that are *not* boundaries).
- ``casefile_concepts_v1``: phrase and token patterns -> spans in ``doc.spans["concepts"]``.
- ``casefile_context_v1``: ConText (after medspaCy): modifiers mark each concept span
  negated, outstanding, hypothetical, historical, declined, nil-result or completed, and
  the role words around it; each span keeps its modifier edges (``span._.modifiers``).
"""
from __future__ import annotations

import bisect
import hashlib
import json
import re
import string
import unicodedata
from abc import ABC, abstractmethod
from functools import lru_cache
from pathlib import Path

import numpy as np
import spacy
from spacy.attrs import IDS, IDX, IS_SPACE, LENGTH, LOWER, NORM, ORTH, SENT_START
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from .errors import RulesError

MODELS = Path(__file__).resolve().parent.parent / "models"
PIPELINE_DIR = MODELS / "casefile_pipeline"

# ConText's verdict on each concept span lives in one dict on the Doc, keyed by
# (start, end, label): reading and writing a Span extension per span cost more than
# the matching. ``span._.status`` / ``._.modifiers`` / ``._.nil`` read it.
_NO_CONTEXT = ("obtained", False, None)


def span_context(span: Span) -> tuple[str, bool, list | None]:
    """(status, nil, modifiers) that ConText gave SPAN."""
    found = span.doc._.context
    return found.get((span.start, span.end, span.label_), _NO_CONTEXT) if found else _NO_CONTEXT


for _k, _name in enumerate(("status", "nil", "modifiers")):
    if not Span.has_extension(_name):
        Span.set_extension(_name, getter=lambda span, k=_k: span_context(span)[k])
if not Doc.has_extension("context"):
    Doc.set_extension("context", default=None)
if not Doc.has_extension("roles"):
    Doc.set_extension("roles", default=None)
if not Doc.has_extension("terminators"):
    Doc.set_extension("terminators", default=None)
if not Doc.has_extension("bounds"):
    Doc.set_extension("bounds", default=None)
if not Doc.has_extension("plain"):
    Doc.set_extension("plain", default=None)  # the text the Doc was made from, when the caller keeps it
if not Doc.has_extension("concept_spans"):
    Doc.set_extension("concept_spans", default=None)


# The lexical attributes no rule and no code reads. spaCy computes every attribute of a word
# the first time it meets it, in Python (a word's shape, whether it looks like a URL or an
# e-mail address, ...); these cost about 3 microseconds of the 9 a new word took, on the
# 12,000 words new to the process in the 300-page bench bundle. A token pattern that tests one
# is rejected on load.
UNUSED_LEXICAL_ATTRS = ("IS_STOP", "IS_ASCII", "SHAPE", "LIKE_EMAIL", "LIKE_URL", "IS_BRACKET", "IS_QUOTE",
                        "IS_LEFT_PUNCT", "IS_RIGHT_PUNCT", "IS_CURRENCY", "LANG")


@spacy.registry.callbacks("casefile_lexical_attributes_v1")
def make_lexical_attributes():
    """``[nlp.after_creation]``: the vocabulary computes only the lexical attributes in use."""
    def used_only(nlp: Language) -> Language:
        unused = {IDS[a] for a in UNUSED_LEXICAL_ATTRS}
        nlp.vocab.lex_attr_getters = {k: f for k, f in nlp.vocab.lex_attr_getters.items() if k not in unused}
        return nlp
    return used_only


def concept_spans(doc: Doc, key: str = "concepts") -> list[tuple[int, int, str, str]]:
    """The concept spans as (start, end, label, rule) tuples in order. The concepts component
    leaves them on the Doc beside ``doc.spans[key]``: each read of a SpanGroup makes a Span
    object per span, which on a bundle cost more than the tuples' whole use. A Doc whose spans
    were set some other way is read from its SpanGroup."""
    found = doc._.concept_spans
    if found is not None:
        return found
    return [(s.start, s.end, s.label_, s.id_) for s in doc.spans.get(key, [])]


def doc_text(doc: Doc) -> str:
    """The Doc's text; ``doc.text`` rebuilds it token by token on every call."""
    return doc._.plain if doc._.plain is not None else doc.text


def run_pipeline(nlp: Language, texts):
    """``nlp.pipe`` for rule components, keeping each text on its Doc (``doc._.plain``) so no
    component has to rebuild it."""
    for text in texts:
        doc = nlp.make_doc(text)
        doc._.plain = text
        for _, proc in nlp.pipeline:
            doc = proc(doc)
        yield doc


def _bounds(doc: Doc) -> list[tuple[int, int]]:
    """Sentence bounds as token offsets (kept by the sentence component, else from doc.sents)."""
    return doc._.bounds if doc._.bounds is not None else [(s.start, s.end) for s in doc.sents]


def sentences(doc: Doc) -> list[Span]:
    """The sentences of DOC from the bounds our sentence component recorded.

    ``doc.sents`` rescans the whole Doc on every call in spaCy 3.8; on a 300-page bundle that
    cost more than all the matching, so the bounds are kept once as plain integers.
    """
    bounds = doc._.bounds
    if bounds is None:
        return list(doc.sents)
    return [doc[a:b] for a, b in bounds]


# ---------------------------------------------------------------- normalizer
_LIGATURES = {"\ufb01": "fi", "\ufb02": "fl", "\ufb00": "ff", "\ufb03": "ffi", "\ufb04": "ffl", "\u2019": "'", "\u2018": "'"}
_FORM_CODE = re.compile(r"^[a-z]{1,4}\d{1,3}[a-z]?$")
_OCR_DIGITS = str.maketrans({"0": "o", "1": "l", "5": "s"})


@lru_cache(maxsize=200_000)
def normalise_word(text: str) -> str:
    """Lower-case, fold ligatures, accents and OCR digit confusions, then strip suffixes."""
    w = text.lower()
    if not w.isascii():
        for a, b in _LIGATURES.items():
            w = w.replace(a, b)
        w = "".join(c for c in unicodedata.normalize("NFKD", w) if not unicodedata.combining(c))
    letters = sum(c.isalpha() for c in w)
    digits = sum(c.isdigit() for c in w)
    if digits and letters >= 3 and digits <= 2 and not _FORM_CODE.match(w):
        w = w.translate(_OCR_DIGITS)
    return stem(w)


def stem(w: str) -> str:
    if len(w) <= 3 or not w.isalpha():
        return w
    if w.endswith(("ies", "ied")) and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith("ings") and len(w) - 4 >= 4:
        w = w[:-4]
    elif w.endswith("ing") and len(w) - 3 >= 4:
        w = w[:-3]
    elif w.endswith("ed") and len(w) - 2 >= 4:
        w = w[:-2]
    elif w.endswith(("sses", "xes", "zes", "ches", "shes")):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")) and len(w) - 1 >= 3:
        w = w[:-1]
    if len(w) >= 5 and w[-1] == w[-2] and w[-1] not in "lsz" and w[-1].isalpha() and w[-1] not in "aeiou":
        w = w[:-1]  # submitted -> submitt -> submit
    if w.endswith("e") and len(w) - 1 >= 4:
        w = w[:-1]
    return w


@Language.factory("casefile_normalizer_v1")
def make_normalizer(nlp: Language, name: str):
    return Normalizer()


class RuleFile(ABC):
    """A component whose rules are one JSON file in its folder of the pipeline (``filename``),
    validated by ``set_rules`` when ``spacy.load`` reads it and written back by ``to_disk``."""

    filename = ""
    data: dict

    @abstractmethod
    def set_rules(self, data: dict, where: str) -> None:
        """Validate DATA (read from WHERE) and use it; raise RulesError naming WHERE if it is bad."""

    def to_disk(self, path, exclude=tuple()):
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / self.filename).write_text(json.dumps(self.data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")

    def from_disk(self, path, exclude=tuple()):
        f = Path(path) / self.filename
        self.set_rules(_read_json(f), str(f))
        return self


class Normalizer(RuleFile):
    """Writes the stems as one array: one dictionary look-up a distinct word, no Token objects.

    Common misspellings in police writing ("recieved", "statment", "enq") are corrected first,
    from ``normalizer/spellings.json``, so a phrase pattern matches them too.
    """

    filename = "spellings.json"

    def __init__(self):
        self.cache: dict[int, int] = {}
        self.data: dict = {"version": "0", "spellings": {}}
        self.spellings: dict[str, str] = {}

    def set_rules(self, data: dict, where: str = "spellings") -> None:
        _require(isinstance(data.get("version"), str), where, "needs a 'version' string")
        sp = data.get("spellings")
        _require(isinstance(sp, dict) and all(isinstance(k, str) and isinstance(v, str) and k == k.lower() and v.strip()
                                              for k, v in sp.items()), where,
                 "'spellings' maps lower-case misspellings to their correct spelling")
        self.data = data
        self.spellings = sp
        self.cache = {}

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return doc
        strings = doc.vocab.strings
        cache = self.cache
        orths = doc.to_array(ORTH)
        # each distinct word of a page once (it repeats most of its words); a pattern's few
        # words, read by the thousand as the pipeline loads, as they come
        words, where = np.unique(orths, return_inverse=True) if len(orths) > 50 else (orths, None)
        norms = []
        for o in words.tolist():
            h = cache.get(o)
            if h is None:
                text = strings[o]
                text = self.spellings.get(text.lower(), text)
                h = strings.add(normalise_word(text)) if not text.isspace() else o
                cache[o] = h
            norms.append(h)
        norms = np.array(norms, dtype=np.uint64)
        doc.from_array([NORM], norms[where] if where is not None else norms)
        return doc


# ---------------------------------------------------------------- sentences
_BULLET = re.compile(r"^\s*(?:>|[•·▪●◦‣\-–*]\s|\(?[0-9]{1,2}[.)]\s|\(?[a-hA-H][.)]\s|\(?[ivx]{1,4}[.)]\s|Q\d*[:.]|A\d*[:.]|Action\s+\d+|\d+\s+[A-Z])")
_LABEL = re.compile(r"^\s*[A-Z][\w'’/()&\- ]{0,40}:\s")
_ABBREV = {"mr", "mrs", "ms", "dr", "dc", "ds", "di", "dci", "pc", "ps", "no", "st", "approx", "ref", "tel", "e.g", "i.e", "etc", "vs", "v", "s", "para", "ch", "sgt", "insp", "det", "fig", "ltd", "co"}


@Language.factory("casefile_sentences_v1")
def make_sentences(nlp: Language, name: str):
    return Sentences()


def _line_width(text: str) -> int:
    """The width prose wraps at on this page: a high percentile of its line lengths (0 when
    the page has too few lines to tell, as in a TXT or DOCX paragraph)."""
    lengths = sorted(len(line.strip()) for line in text.split("\n") if line.strip())
    if len(lengths) < 8:
        return 0
    return lengths[int(len(lengths) * 0.9) - 1]


def unwrap_soft_breaks(text: str) -> str:
    """Replace the line breaks that only wrap running prose with spaces.

    PDF text keeps the printed line ends, so "her prescribing\nrecord" would split a phrase
    with a whitespace token and no phrase pattern could match it. A break the sentence rules
    keep (headings, bullets, labels, table rows, blank lines) stays. One character replaces
    one, so offsets into the text do not move.
    """
    if "\n" not in text:
        return text
    chars = list(text)
    width = _line_width(text)
    for m in Sentences._NEWLINES.finditer(text):
        if m.group() != "\n" or m.end() >= len(text):
            continue
        if not Sentences._line_break(text, m.start(), m.end(), 1, width) and m.start() > 0 and not text[m.start() - 1].isspace():
            chars[m.start()] = " "
    return "".join(chars)


_QUOTE_MARKS = "\"\u201c"  # the opening marks of a quoted reply
_QUESTION_MARK = re.compile(r"\?")

_ASCII_LETTERS = string.ascii_letters.encode()
_ASCII_CAPITALS = string.ascii_uppercase.encode()


def letter_counts(text: str) -> tuple[int, int]:
    """(letters, capitals) in TEXT. Headings are told by their capitals on every line of a
    bundle, so ASCII text is counted in C (ten times faster than a loop over its characters)."""
    if text.isascii():
        b = text.encode("ascii")
        return len(b) - len(b.translate(None, _ASCII_LETTERS)), len(b) - len(b.translate(None, _ASCII_CAPITALS))
    letters = [c for c in text if c.isalpha()]
    return len(letters), sum(c.isupper() for c in letters)


def _mostly_capitals(line: str, least: int) -> bool:
    """More than 80% of LINE's letters are capitals, and it has at least LEAST letters."""
    letters, capitals = letter_counts(line)
    return letters >= least and capitals / letters > 0.8


class Sentences:
    """Sentence starts for police paperwork.

    A line break ends a sentence after terminal punctuation or a colon, after a short or
    all-capitals line (a heading or a form label), before a bullet, a numbered item, a
    ``Label:`` line or a table row, and at a blank line; a wrapped line of running prose
    (long line, no punctuation) continues the sentence. Within a line, ". ", "? " and "! "
    before a capital or a digit end a sentence unless the word before is an abbreviation.

    The scan works on the text with regular expressions and maps character offsets to
    tokens, so no Python object is made per token.
    """

    _NEWLINES = re.compile(r"\n[ \t\r\f\v]*(?:\n[ \t\r\f\v]*)*")
    _BLANKS = re.compile(r"[ \t]*")
    _STOP = re.compile(r"(?<=[A-Za-z0-9)\]\"'’”])([.!?])[)\]\"'’”]?(?=[ \t]+[\"'‘“(\[]?[A-Z0-9])")

    def __call__(self, doc: Doc) -> Doc:
        n = len(doc)
        if n == 0:
            doc._.bounds = []
            return doc
        text = doc_text(doc)
        idx = doc.to_array(IDX).tolist()
        starts = {0}

        def token_at(char: int) -> int:
            return bisect.bisect_right(idx, char) - 1

        width = _line_width(text)
        for m in self._NEWLINES.finditer(text):
            nxt = m.end()
            if nxt >= len(text):
                continue
            if self._line_break(text, m.start(), nxt, m.group().count("\n"), width):
                starts.add(token_at(nxt))
        for m in self._STOP.finditer(text):
            word = re.search(r"([A-Za-z.]+)$", text[max(0, m.start() - 12):m.start()])
            if m.group(1) == "." and word and word.group(1).lower().rstrip(".") in _ABBREV:
                continue
            i = token_at(m.start())
            if idx[i] != m.start():
                continue  # the dot belongs to a token such as 'e.g.' or 's.28'
            j = i + 1
            while j < n and idx[j] < m.end():
                j += 1
            if j < n:
                starts.add(token_at(self._BLANKS.match(text, m.end()).end()))  # the next word after the spaces
        cuts = sorted(i for i in starts if 0 <= i < n)
        # a whitespace token never starts a sentence: the start moves to the next word
        space = doc.to_array(IS_SPACE).tolist()
        fixed = []
        for i in cuts:
            while i < n - 1 and space[i]:
                i += 1
            if not fixed or i > fixed[-1]:
                fixed.append(i)
        if fixed[0] != 0:
            fixed.insert(0, 0)
        # one write for all starts: setting token.is_sent_start rescans the Doc every time
        marks = doc.to_array(SENT_START)
        marks[fixed] = 1
        doc.from_array([SENT_START], marks)
        cuts = fixed + [n]
        doc._.bounds = list(zip(cuts, cuts[1:]))
        return doc

    @staticmethod
    def _line_break(text: str, nl_start: int, nxt: int, count: int, width: int = 0) -> bool:
        if count >= 2:
            return True
        line_start = text.rfind("\n", 0, nl_start) + 1
        prev_line = text[line_start:nl_start].strip()
        if not prev_line:
            return True
        if prev_line[-1] in ".:;!?|" or prev_line[-2:] in (".)", ".]", '."', ".'", ".”", ".’"):
            return True
        next_end = text.find("\n", nxt)
        next_line = text[nxt: next_end if next_end != -1 else len(text)]
        if not next_line.strip():
            return True
        if _BULLET.match(next_line) or _LABEL.match(next_line) or " | " in next_line or " | " in prev_line:
            return True
        if _mostly_capitals(prev_line, 3):
            return True  # a heading in capitals
        nl = next_line.lstrip()
        if len(prev_line) < 45 and nl[:1].isupper():
            return True  # a short line before a capital: heading, label or signature
        if width and len(prev_line) < 0.75 * width and (nl[:1].isupper() or nl[:1].isdigit()):
            return True  # wrapped prose fills the line; a short one is a row, a heading or a list item
        if _mostly_capitals(nl, 4):
            return True
        return False


# ---------------------------------------------------------------- rule files
def _read_json(path: Path) -> dict:
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except FileNotFoundError:
        raise RulesError(f"{path}: rule file missing") from None
    except json.JSONDecodeError as e:
        raise RulesError(f"{path}: invalid JSON ({e})") from None


def _require(cond: bool, where: str, msg: str) -> None:
    if not cond:
        raise RulesError(f"{where}: {msg}")


def validate_concepts(data: dict, where: str) -> None:
    _require(isinstance(data.get("version"), str), where, "needs a 'version' string")
    labels = data.get("labels")
    _require(isinstance(labels, dict) and labels, where, "needs a non-empty 'labels' object")
    for label, spec in labels.items():
        w = f"{where}: label {label}"
        _require(re.fullmatch(r"[A-Z][A-Z0-9_]*", label) is not None, w, "labels are UPPER_SNAKE_CASE")
        _require(isinstance(spec, dict), w, "must be an object")
        unknown = set(spec) - {"description", "phrases", "patterns", "templates", "evidence_label", "subject", "within_excluded"}
        _require(all(x in labels for x in spec.get("within_excluded", [])), w, "within_excluded names unknown labels")
        _require(spec.get("subject", "nearest") in ("nearest", "agent", "speaker", "suspect_named", "possessive"), w,
                 "subject must be 'nearest', 'agent', 'speaker', 'suspect_named' or 'possessive'")
        _require(not unknown, w, f"unknown keys {sorted(unknown)}")
        phrases = spec.get("phrases", [])
        patterns = spec.get("patterns", [])
        templates = spec.get("templates", [])
        _require(bool(phrases) or bool(patterns) or bool(templates), w, "needs phrases, templates or patterns")
        for t in templates:
            _require(isinstance(t, list) and t and all(isinstance(slot, str) for slot in t), w,
                     f"a template is a list of slots like \"undermine|contradict\", \"the|his|\": {t!r}")
        _require(all(isinstance(p, str) and p.strip() for p in phrases), w, "phrases must be non-empty strings")
        _require(len(set(p.lower() for p in phrases)) == len(phrases), w, "duplicate phrases")
        for p in patterns:
            _require(isinstance(p, list) and p and all(isinstance(t, dict) for t in p), w, f"bad token pattern {p!r}")


_CATEGORIES = {"NEGATED", "OUTSTANDING", "REQUESTED", "ACTION", "HYPOTHETICAL", "HISTORICAL", "DECLINED", "NIL_RESULT", "COMPLETED", "PSEUDO", "REASON"}


def validate_context(data: dict, where: str) -> None:
    _require(isinstance(data.get("version"), str), where, "needs a 'version' string")
    mods = data.get("modifiers")
    _require(isinstance(mods, list) and mods, where, "needs a non-empty 'modifiers' list")
    seen = set()
    for m in mods:
        w = f"{where}: modifier {m.get('literal')!r}"
        _require(set(m) <= {"literal", "category", "direction", "max_scope", "pattern", "labels", "not_labels"}, w, "unknown keys")
        _require(isinstance(m.get("literal"), str) and m["literal"].strip(), w, "needs a literal")
        _require(m.get("category") in _CATEGORIES, w, f"category must be one of {sorted(_CATEGORIES)}")
        _require(m.get("direction", "forward") in ("forward", "backward", "bidirectional", "none"), w, "bad direction")
        _require(isinstance(m.get("max_scope", 8), int) and m.get("max_scope", 8) > 0, w, "max_scope must be a positive integer")
        _require(isinstance(m.get("labels", []), list) and all(isinstance(x, str) for x in m.get("labels", [])), w,
                 "labels must be a list of the concept labels the modifier acts on")
        _require(isinstance(m.get("not_labels", []), list) and all(isinstance(x, str) for x in m.get("not_labels", [])), w,
                 "not_labels must be a list of the concept labels the modifier leaves alone")
        key = (m["literal"].lower(), m["category"])
        _require(key not in seen, w, "duplicate modifier")
        seen.add(key)
    roles = data.get("roles")
    _require(isinstance(roles, dict) and set(roles) <= {"suspect", "complainant", "witness"}, where, "roles must map suspect/complainant/witness to word lists")
    _require(isinstance(data.get("terminators"), list), where, "needs a 'terminators' list")
    _require(isinstance(data.get("scope_terminators", []), list), where, "'scope_terminators' must be a list")
    for key in ("anaphors", "contrast_after_not"):
        words = data.get(key, [])
        _require(isinstance(words, list) and all(isinstance(w, str) and w == w.lower() and " " not in w for w in words), where,
                 f"'{key}' must list lower-case single words")
    reported = data.get("reported_content", [])
    _require(isinstance(reported, list) and all(isinstance(r, str) and len(r.split()) == 2 for r in reported), where,
             "'reported_content' must list two-word phrases ('claim that')")
    for cell, cat in data.get("row_status", {}).items():
        _require(cat in _CATEGORIES, where, f"row_status {cell!r}: category must be one of {sorted(_CATEGORIES)}")
    sections = data.get("section_status", {})
    _require(isinstance(sections, dict) and set(sections) <= {"max_sentences", "outstanding", "not_done"}, where,
             "'section_status' has max_sentences and outstanding / not_done heading patterns")
    for key in ("outstanding", "not_done"):
        try:
            re.compile(sections.get(key, ""))
        except re.error as e:
            raise RulesError(f"{where}: section_status.{key} is no pattern ({e})") from None
    untouched = data.get("untouched_by", {})
    _require(isinstance(untouched, dict) and all(isinstance(c, list) and set(c) <= _CATEGORIES for c in untouched.values()),
             where, f"'untouched_by' maps concept labels to the modifier categories they never take, of {sorted(_CATEGORIES)}")
    for key in ("transparent_labels", "nil_inside_labels"):
        _require(isinstance(data.get(key, []), list) and all(isinstance(x, str) for x in data.get(key, [])),
                 where, f"'{key}' is a list of concept labels")
    _require(isinstance(data.get("questions_put_in", []), list), where, "'questions_put_in' is a list of document kinds")
    lines = data.get("line_status", {})
    _require(isinstance(lines, dict) and set(lines) <= {"max_words", "lead", "tail", "legend", "title_words"} and all(
        isinstance(lines.get(k, {}), dict) and set(lines.get(k, {})) <= {"OUTSTANDING", "NEGATED"} for k in ("lead", "tail")),
        where, "'line_status' has max_words and lead / tail patterns by category (OUTSTANDING, NEGATED)")
    try:
        re.compile(lines.get("legend", ""))
    except (re.error, TypeError) as e:
        raise RulesError(f"{where}: line_status.legend is no pattern ({e})") from None
    _require(isinstance(lines.get("title_words", 0), int), where, "line_status.title_words must be a whole number")
    for key in ("lead", "tail"):
        for cat, pat in lines.get(key, {}).items():
            try:
                re.compile(pat)
            except (re.error, TypeError) as e:
                raise RulesError(f"{where}: line_status.{key}.{cat} is no pattern ({e})") from None
    follow = data.get("follow_up", {})
    _require(isinstance(follow, dict) and set(follow) <= {"max_words", "outstanding", "keep_labels"}, where,
             "'follow_up' has max_words, outstanding (a pattern) and keep_labels")
    try:
        re.compile(follow.get("outstanding", ""))
    except re.error as e:
        raise RulesError(f"{where}: follow_up.outstanding is no pattern ({e})") from None
    boxes = data.get("form_boxes", {})
    _require(isinstance(boxes, dict) and set(boxes) <= {"ticked", "unticked", "blank"}, where,
             "'form_boxes' has ticked, unticked and blank patterns")
    for key, pat in boxes.items():
        try:
            re.compile(pat)
        except (re.error, TypeError) as e:
            raise RulesError(f"{where}: form_boxes.{key} is no pattern ({e})") from None
    fi = data.get("future_conditions", {})
    _require(isinstance(fi, dict) and set(fi) <= {"_doc", "future", "conditions"} and all(
        isinstance(fi.get(k, []), list) and all(isinstance(w, str) for w in fi.get(k, [])) for k in ("future", "conditions")),
        where, "'future_conditions' has lists of future and condition words")
    answers = data.get("answers", {})
    _require(isinstance(answers, dict), where, "'answers' maps the first words of an answer to a category")
    for words, cat in answers.items():
        _require(cat in _CATEGORIES or cat == "ANSWERED", where, f"answer {words!r}: category must be ANSWERED or one of {sorted(_CATEGORIES)}")


_AUXILIARY = {"been", "was", "were", "is", "are", "has", "have", "had"}


def expand_templates(templates: list[list[str]]) -> list[str]:
    """Phrases from templates: each slot lists alternatives split by "|"; an empty
    alternative makes the slot optional. ["check|verify", "his|the suspect's|", "alibi"]
    gives "check his alibi", "check alibi", "verify the suspect's alibi" and so on. Matching is
    on the stemmed NORM, so base forms cover the inflections."""
    phrases: list[str] = []
    for t in templates:
        combos = [""]
        for slot in t:
            alts = slot.split("|")
            combos = [f"{c} {a}".strip() if a else c for c in combos for a in alts]
        phrases.extend(c for c in combos if c)
    return phrases


# ---------------------------------------------------------------- token matcher
def _listed(spec) -> list[str] | None:
    """The strings a token pattern's attribute accepts, when it lists them ("to", or {"IN":
    ["asked", "rang"]}); None for anything else (a regex, a set of flags, nothing)."""
    values = [spec] if isinstance(spec, str) else (spec.get("IN") if isinstance(spec, dict) and set(spec) == {"IN"} else None)
    return values if values and all(isinstance(v, str) for v in values) else None


def in_sorted(values: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Which of VALUES (a Doc's word ids) are among KEYS (a sorted uint64 array): a binary
    search in C. A Python loop testing each id against a set, after turning the 64-bit ids
    into Python integers, cost some 25 ms a pass on a 300-page bundle; this costs about 7."""
    if not len(keys):
        return np.zeros(len(values), dtype=bool)
    j = keys.searchsorted(values)  # the method: np.searchsorted's dispatch cost more than the search
    j[j == len(keys)] = 0
    return keys[j] == values


def id_array(ids) -> np.ndarray:
    """IDS (string ids) as the sorted array ``in_sorted`` searches."""
    return np.array(sorted(set(ids)), dtype=np.uint64)


class GatedMatcher:
    """A spaCy ``Matcher`` that only looks where a match can start.

    ``Matcher`` walks every token of the Doc as a Python object, which on a bundle cost more
    than all the phrase matching. When every pattern starts with a required token given by
    ``LOWER`` (a word or an ``IN`` list) and has a bounded length, the matcher runs only on
    windows that open at such a word and are as long as the longest pattern it opens. A match starts
    on its first token, so the windows hold every match the whole Doc would give, and only
    matches starting on a window's opening words are kept. Otherwise it runs on the Doc.
    """

    def __init__(self, vocab):
        self.vocab = vocab
        self.matcher = Matcher(vocab, validate=True)
        self.first: dict[int, int] | None = {}  # opening word -> longest pattern it opens
        # opening word -> the tests one of which its next token must pass (None: any token may
        # follow it). "to" opens only "to be ...": the thousands of other "to"s open no window
        self.second: dict[int, list | None] = {}
        self._first_ids: np.ndarray | None = None  # the opening words as a sorted array, made on first use
        # opening word -> the words one of which must close a match it opens, further on in its
        # window (None: a pattern it opens ends on an optional or unlisted token). "asked"
        # opens "asked <up to nine words> for": a window with no "for" in it holds no match
        self.last: dict[int, set[int] | None] = {}
        self._last_ids: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.matcher)

    def _next_test(self, pattern: list[dict]):
        """What the second token of PATTERN must be, as ("lower" | "orth", ids) or ("text",
        regex); None when any token will do (an optional or unlisted second token)."""
        if len(pattern) < 2 or "OP" in pattern[1] or len(pattern[1]) != 1:
            return None
        (attr, spec), = pattern[1].items()
        if attr in ("LOWER", "ORTH"):
            values = _listed(spec)
            if not values:
                return None
            fold = str.lower if attr == "LOWER" else str
            return attr.lower(), {self.vocab.strings.add(fold(v)) for v in values}
        if attr == "TEXT" and isinstance(spec, dict) and set(spec) == {"REGEX"}:
            return "text", re.compile(spec["REGEX"])
        return None

    def add(self, key: str, pattern: list[dict]) -> None:
        unused = sorted({a for t in pattern for a in t if a.upper() in UNUSED_LEXICAL_ATTRS})
        if unused:
            raise ValueError(f"the pipeline does not compute {', '.join(unused)}")
        self.matcher.add(key, [pattern])
        if self.first is None:
            return
        words = _listed(pattern[0].get("LOWER")) if "OP" not in pattern[0] else None
        bounded = all(t.get("OP", "?") == "?" for t in pattern)
        if not words or not bounded:
            self.first = None  # cannot gate this pattern: match on the whole Doc
            return
        test = self._next_test(pattern)
        closing = _listed(pattern[-1].get("LOWER")) if len(pattern) > 1 and "OP" not in pattern[-1] else None
        closing_ids = {self.vocab.strings.add(v.lower()) for v in closing} if closing else None
        self._first_ids = self._last_ids = None
        for w in words:
            key = self.vocab.strings.add(w.lower())
            known = self.last.get(key, set())
            self.last[key] = None if closing_ids is None or known is None else known | closing_ids
            self.first[key] = max(self.first.get(key, 0), len(pattern))
            tests = self.second.get(key, [])
            self.second[key] = None if test is None or tests is None else tests + [test]

    def _follows(self, tests: list, i: int, lowers: np.ndarray, orths: np.ndarray) -> bool:
        """Whether the token at I passes one of TESTS."""
        if i >= len(lowers):
            return False
        for kind, want in tests:
            if kind == "lower":
                if int(lowers[i]) in want:
                    return True
            elif kind == "orth":
                if int(orths[i]) in want:
                    return True
            elif want.search(self.vocab.strings[int(orths[i])]):
                return True
        return False

    def __call__(self, doc: Doc) -> list[tuple[int, int, int]]:
        if not len(self.matcher):
            return []
        if self.first is None:
            return list(self.matcher(doc))
        first, second = self.first, self.second
        if self._first_ids is None:
            self._first_ids = id_array(first)
        if self._last_ids is None:
            self._last_ids = id_array(w for ws in self.last.values() if ws for w in ws)
        lowers = doc.to_array(LOWER)
        opens = np.flatnonzero(in_sorted(lowers, self._first_ids)).tolist()
        if not opens:
            return []
        closes = np.flatnonzero(in_sorted(lowers, self._last_ids)).tolist()
        orths = None
        starts = []
        for i in opens:
            x = int(lowers[i])
            tests = second[x]
            if tests is not None:
                if orths is None:
                    orths = doc.to_array(ORTH)
                if not self._follows(tests, i + 1, lowers, orths):
                    continue
            need = self.last[x]
            if need is not None:
                k = bisect.bisect_right(closes, i)
                stop = i + first[x]
                while k < len(closes) and closes[k] < stop and int(lowers[closes[k]]) not in need:
                    k += 1
                if k == len(closes) or closes[k] >= stop:
                    continue  # no word that could close a match in its window
            starts.append((i, first[x]))
        out: list[tuple[int, int, int]] = []
        n = len(doc)
        k = 0
        while k < len(starts):
            a, size = starts[k]
            b = min(n, a + size)
            opening = {a}
            k += 1
            while k < len(starts) and starts[k][0] < b:
                opening.add(starts[k][0])
                b = max(b, min(n, starts[k][0] + starts[k][1]))
                k += 1
            out.extend((key, a + s, a + e) for key, s, e in self.matcher(doc[a:b]) if a + s in opening)
        return out


def _longest_first(matches: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """``spacy.util.filter_spans`` on (start, end, key) tuples: of overlapping matches the
    longest wins, then the first; no Span objects are made for the matches that lose."""
    if len(matches) < 2:
        return list(matches)  # most labels match once on a page
    taken: set[int] = set()
    out = []
    for m in sorted(matches, key=lambda m: (m[1] - m[0], -m[0]), reverse=True):
        if m[0] not in taken and m[1] - 1 not in taken:
            out.append(m)
            taken.update(range(m[0], m[1]))
    return sorted(out)


# ---------------------------------------------------------------- concepts
@Language.factory("casefile_concepts_v1", default_config={"spans_key": "concepts"})
def make_concepts(nlp: Language, name: str, spans_key: str):
    return Concepts(nlp, name, spans_key)


class Concepts(RuleFile):
    """Phrase patterns (matched on the stemmed NORM) and token patterns -> labelled spans."""

    filename = "concepts.json"

    def __init__(self, nlp: Language, name: str, spans_key: str):
        self.nlp = nlp
        self.name = name
        self.spans_key = spans_key
        self.data: dict = {}
        self.phrase_matcher = PhraseMatcher(nlp.vocab, attr="NORM")
        self.matcher = GatedMatcher(nlp.vocab)
        self._rule_of: dict[int, tuple[str, str]] = {}
        self._within_excluded: dict[str, list[str]] = {}

    def _pattern_doc(self, text: str) -> Doc:
        return Normalizer()(self.nlp.make_doc(text))

    def set_rules(self, data: dict, where: str = "concepts") -> None:
        validate_concepts(data, where)
        self.data = data
        self._rule_of = {}  # match key -> (label, rule), filled as keys are met
        self._within_excluded = {label: spec["within_excluded"] for label, spec in data["labels"].items() if spec.get("within_excluded")}
        self.phrase_matcher = PhraseMatcher(self.nlp.vocab, attr="NORM")
        self.matcher = GatedMatcher(self.nlp.vocab)
        for label, spec in data["labels"].items():
            phrases = list(spec.get("phrases", [])) + expand_templates(spec.get("templates", []))
            for phrase in dict.fromkeys(phrases):
                self.phrase_matcher.add(f"{label}|{phrase}", [self._pattern_doc(phrase)])
            for k, pattern in enumerate(spec.get("patterns", [])):
                try:
                    self.matcher.add(f"{label}|pattern{k + 1}", pattern)
                except Exception as e:
                    raise RulesError(f"{where}: label {label}: token pattern {k + 1} rejected by spaCy ({e})") from None

    def __call__(self, doc: Doc) -> Doc:
        strings = self.nlp.vocab.strings
        rule_of = self._rule_of
        by_label: dict[str, list[tuple[int, int, int]]] = {}
        for match_id, start, end in list(self.phrase_matcher(doc)) + self.matcher(doc):
            found = rule_of.get(match_id)
            if found is None:  # a rule's key is "LABEL|phrase" or "LABEL|patternN"
                rule = strings[match_id]
                found = rule_of[match_id] = (rule.split("|", 1)[0], rule)
            by_label.setdefault(found[0], []).append((start, end, match_id))
        spans: list[tuple[int, int, str, str]] = []
        for label, matches in by_label.items():
            # a span inside one of another label ("sensitive unused material" inside
            # "non-sensitive unused material") is that other concept, not this one
            outer = [o for x in self._within_excluded.get(label, ()) for o in by_label.get(x, [])]
            spans.extend((a, b, label, rule_of[key][1]) for a, b, key in _longest_first(matches)
                         if not any(o[0] <= a and b <= o[1] for o in outer))
        spans.sort(key=lambda s: (s[0], s[1]))
        doc._.concept_spans = spans
        doc.spans[self.spans_key] = [Span(doc, a, b, label=label, span_id=rule) for a, b, label, rule in spans]
        return doc


# ---------------------------------------------------------------- context
@Language.factory("casefile_context_v1", default_config={"spans_key": "concepts"})
def make_context(nlp: Language, name: str, spans_key: str):
    return Context(nlp, name, spans_key)


# Status a span takes from its nearest modifier; the order breaks ties. A conditional
# ("if he is traced") governs the whole clause; a bare request ("submitted", "sent") only
# counts when nothing else speaks of the span.
# the literal of the modifier a question with no answer gets (tagging reads it in interview records)
UNANSWERED_QUESTION = "an unanswered question"
_STATUS_OF = {"NEGATED": "not_done", "DECLINED": "declined", "HYPOTHETICAL": "hypothetical",
              "OUTSTANDING": "outstanding", "NIL_RESULT": "obtained", "COMPLETED": "obtained",
              "REQUESTED": "outstanding", "ACTION": "hypothetical"}
_PRIORITY = ["NEGATED", "DECLINED", "OUTSTANDING", "NIL_RESULT", "COMPLETED"]
# statuses that, in brackets, speak only of the list item before them ("(o/s)", "(done)");
# a condition in brackets ("(when arrested)") still governs what follows
_ANAPHORIC = {"NEGATED", "OUTSTANDING", "REQUESTED"}
_BRACKETED = {"OUTSTANDING", "COMPLETED", "NIL_RESULT", "REQUESTED", "NEGATED"}


_CHOICE_WORDS = 4
_OPENING_IF = {"category": "HYPOTHETICAL", "literal": "a sentence opening with a condition"}
_OPENING_HAD = {"category": "NEGATED", "literal": "a sentence saying what would have happened had something been so"}


def _exclusive(a: dict, b: dict) -> bool:
    """Whether two modifiers can never act on the same span: one acts only on labels the
    other leaves alone."""
    return any(x.get("labels") and set(x["labels"]) <= set(y.get("not_labels", ())) for x, y in ((a, b), (b, a)))


class _Form:
    """The boxes and blanks of a page's forms ("Status [ ] Bail [X] RUI", "Reason ______").

    Each box labels the stretch of its line up to the next box, at most a few words (a
    choice's label is short; what follows is written in: "[ ] Not yet - urine still at the
    SARC awaiting authority"). Regions are kept in order and by the line they sit on."""

    def __init__(self, text: str, boxes: list):
        self.text = text
        marks, blanks = [], []
        for rx, kind in boxes:
            for m in rx.finditer(text):
                if kind == "blank":
                    blanks.append((m.start(), m.end()))
                else:
                    marks.append((m.start(), m.end(), kind == "ticked"))
        marks.sort()
        self.blanks = sorted(blanks)
        self.regions: list[tuple[int, int, bool]] = []
        self.lines: dict[int, list[tuple[int, int, bool]]] = {}
        for i, (a, b, ticked) in enumerate(marks):
            line_end = self._line_end(b)
            nxt = marks[i + 1][0] if i + 1 < len(marks) and marks[i + 1][0] < line_end else line_end
            words = list(re.finditer(r"\S+", text[b:nxt]))
            if len(words) > _CHOICE_WORDS:
                nxt = b + words[_CHOICE_WORDS - 1].end()
            region = (b, nxt, ticked)
            self.regions.append(region)
            self.lines.setdefault(text.rfind("\n", 0, a) + 1, []).append(region)
        self.starts = [r[0] for r in self.regions]

    def __bool__(self) -> bool:
        return bool(self.regions or self.blanks)

    def _line_end(self, c: int) -> int:
        e = self.text.find("\n", c)
        return len(self.text) if e < 0 else e

    def _on_line(self, c: int) -> tuple[int, list[tuple[int, int, bool]]]:
        start = self.text.rfind("\n", 0, c) + 1
        return start, self.lines.get(start, [])

    def unticked(self, c: int) -> bool:
        """Whether C lies in the label of a box left unticked."""
        i = bisect.bisect_right(self.starts, c) - 1
        return i >= 0 and self.regions[i][0] <= c < self.regions[i][1] and not self.regions[i][2]

    def ticked_answer(self, a: int) -> tuple[int, int] | None:
        """Where the ticked choice of a field is ("Video interview [ ] Done [X] Not yet"), when the
        span at A is the field's label, before the first box of its line."""
        _, on_line = self._on_line(a)
        if not on_line or a >= on_line[0][0]:
            return None
        ticked = [r for r in on_line if r[2]]
        return (ticked[0][0], ticked[0][1]) if len(ticked) == 1 else None

    def unanswered(self, a: int, b: int) -> dict | None:
        """The modifier of a span that a form leaves unanswered: a choice whose box is not
        ticked, a field label on a line whose boxes are all unticked, or a field label
        followed by a blank."""
        if self.unticked(a):
            return {"category": "NEGATED", "literal": "box not ticked", "text": "[ ]", "start": a, "end": b}
        line_start, on_line = self._on_line(a)
        if any(r[2] for r in on_line):
            return None
        if on_line and b <= on_line[0][0]:
            return {"category": "NEGATED", "literal": "no box ticked", "text": "[ ]", "start": a, "end": b}
        # a field label is what runs from the start of its line, or the last blank, to its blank
        text, line_end, prev = self.text, self._line_end(b), line_start
        for x, y in self.blanks:
            if x >= line_end:
                break
            if y <= a:
                prev = max(prev, y)
                continue
            if b <= x and len(text[prev:x].split()) <= 8 and not any(c.isdigit() for c in text[prev:x]):
                return {"category": "NEGATED", "literal": "left blank", "text": text[x:y], "start": x, "end": y}
            break
        return None


class Context(RuleFile):
    """ConText for case files: modifiers with a direction and a scope act on concept spans.

    A modifier's scope runs from it in its direction, within its sentence, for at most
    ``max_scope`` tokens, and stops at a terminator ("but", "however", ";"). A PSEUDO
    modifier (such as "no comment") cancels the modifiers it overlaps; of overlapping
    modifiers the longest wins. A modifier inside a concept span does not act, unless the
    span's label is transparent; a negation inside a span of a ``nil_inside_labels`` label is
    the nil result it reports ("no contact between the numbers"). The status of a span comes
    from its nearest modifier. Role words ("suspect", "IP") are recorded in ``doc._.roles``
    for the subject resolver.
    """

    filename = "context_rules.json"

    def __init__(self, nlp: Language, name: str, spans_key: str):
        self.nlp = nlp
        self.name = name
        self.spans_key = spans_key
        self.data: dict = {}
        self.rules: list[dict] = []

    def set_rules(self, data: dict, where: str = "context") -> None:
        validate_context(data, where)
        self.data = data
        self.rules = data["modifiers"]
        boxes = data.get("form_boxes", {})
        self._boxes = [(re.compile(boxes[k]), k) for k in ("ticked", "unticked", "blank") if boxes.get(k)]
        self.matcher = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self.token_matcher = GatedMatcher(self.nlp.vocab)
        for k, m in enumerate(self.rules):
            if "pattern" in m:
                try:
                    self.token_matcher.add(f"M{k}", m["pattern"])
                except Exception as e:
                    raise RulesError(f"{where}: modifier {k + 1} ({m['literal']!r}): token pattern rejected by spaCy ({e})") from None
            else:
                self.matcher.add(f"M{k}", [self.nlp.make_doc(m["literal"])])
        self._bar_id = self.nlp.vocab.strings.add("|")
        self._if_ids = {self.nlp.vocab.strings.add(w) for w in ("if", "unless", "should")}
        self._had_id, self._would_id = self.nlp.vocab.strings.add("had"), self.nlp.vocab.strings.add("would")
        fi = data.get("future_conditions", {})
        self._future_if = ({w.lower() for w in fi.get("future", [])}, {w.lower() for w in fi.get("conditions", [])}) if fi else None
        self._open_id, self._close_id = self.nlp.vocab.strings.add("("), self.nlp.vocab.strings.add(")")
        # the pronouns a later clause refers back with, and the words after ", not" that set
        # something else against what came before (`anaphors`, `contrast_after_not`)
        self._anaphor_ids = {self.nlp.vocab.strings.add(w) for w in data.get("anaphors", [])}
        self._comma_id, self._not_id = self.nlp.vocab.strings.add(","), self.nlp.vocab.strings.add("not")
        self._contrast_ids = {self.nlp.vocab.strings.add(w) for w in data.get("contrast_after_not", [])}
        self._list_ids = {self.nlp.vocab.strings.add(x) for x in (",", ";", "|", "/")}
        self._colon_id = self.nlp.vocab.strings.add(":")
        self._label_ids = {self._colon_id} | {self.nlp.vocab.strings.add(x) for x in ("-", "–", "—", "=", "->")}
        self._determiner_ids = {self.nlp.vocab.strings.add(w) for w in ("the", "a", "an", "his", "her", "their", "this", "that")}
        self._possessive_ids = {self.nlp.vocab.strings.add(w) for w in ("'s", "’s")}
        self._preposition_ids = {self.nlp.vocab.strings.add(w) for w in ("of", "by", "for", "from", "to", "with", "about", "against", "on")}
        self.role_matcher = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        for role, words in data["roles"].items():
            self.role_matcher.add(role, [self.nlp.make_doc(w) for w in words])
        # terminators end a clause (for modifier scopes and for whose evidence a span is);
        # scope terminators ("said") only stop a modifier: "he said she never told him to
        # stop" keeps 'never' off what he was asked, but he is still the one who said it
        self.transparent = set(data.get("transparent_labels", []))
        self.untouched = {label: frozenset(cats) for label, cats in data.get("untouched_by", {}).items()}
        self.nil_inside = set(data.get("nil_inside_labels", []))
        self.terminators = {t.lower() for t in data["terminators"]}
        self._term_ids = {self.nlp.vocab.strings.add(t) for t in self.terminators}
        self._scope_term_ids = self._term_ids | {self.nlp.vocab.strings.add(t.lower()) for t in data.get("scope_terminators", [])}
        # what a claim says ("to test his claim that he was never alone") is his words, not
        # the status of the work that tests it: no modifier reaches across its opening word
        self._reported = {tuple(self.nlp.vocab.strings.add(w) for w in r.lower().split()) for r in data.get("reported_content", [])}
        self._reported_second = {b for _, b in self._reported}
        # the openings of an answer, longest first ("not yet" before "no")
        self._answers = [(re.compile(re.escape(words) + r"\b"), cat)
                         for words, cat in sorted(data.get("answers", {}).items(), key=lambda w: -len(w[0]))]
        self._term_array, self._scope_term_array = id_array(self._term_ids), id_array(self._scope_term_ids)
        self._reported_second_array = id_array(self._reported_second)

    def _contrast(self, rule: dict, start: int, end: int, orth: list, lowers: list) -> bool:
        """", not a chance meeting": a negation that sets something else against what came before."""
        return rule["category"] == "NEGATED" and start > 0 and orth[start - 1] == self._comma_id \
            and lowers[start] == self._not_id and end < len(lowers) and lowers[end] in self._contrast_ids

    def _anaphoric(self, s_end: int, stop: int, terms: list[int], target_starts: list[int], lowers: list,
                   sent_mods) -> tuple | None:
        """"Next door has a Ring doorbell but I haven't asked for it yet", "X has a camera;
        this has not been checked": the clause after the span's own speaks of it by a pronoun
        and names nothing of its own (asking is no thing), so its negation or pending status is
        the span's. TERMS, TARGET_STARTS: sorted token positions in the Doc."""
        i = bisect.bisect_left(terms, s_end)
        if i == len(terms) or terms[i] >= stop:
            return None
        cut = terms[i]
        end = terms[i + 1] if i + 1 < len(terms) and terms[i + 1] < stop else stop
        names = bisect.bisect_right(target_starts, cut) < bisect.bisect_left(target_starts, end)
        if names or self._anaphor_ids.isdisjoint(lowers[cut + 1:end]):
            return None
        return next((m for m in sent_mods if cut < m[0] < end and m[2]["category"] in _ANAPHORIC), None)

    def __call__(self, doc: Doc) -> Doc:
        strings = self.nlp.vocab.strings
        targets = concept_spans(doc, self.spans_key)
        lower_ids = doc.to_array(LOWER)
        lowers = lower_ids.tolist()
        terminators = doc._.terminators = np.flatnonzero(in_sorted(lower_ids, self._term_array)).tolist()
        term = in_sorted(lower_ids, self._scope_term_array).tolist()
        if self._reported:
            # where a claim's words begin ("his account that | she ..."): no modifier's scope crosses it
            for i in np.flatnonzero(in_sorted(lower_ids, self._reported_second_array)).tolist():
                if i and (lowers[i - 1], lowers[i]) in self._reported:
                    term[i] = True
        roles = []
        # of overlapping role words the longest wins: "other potential complainants" are
        # witnesses, not the complainant
        for match_id, start, end in sorted(self.role_matcher(doc), key=lambda m: (m[1], -(m[2] - m[1]))):
            if roles and start < roles[-1][1]:
                continue
            roles.append((start, end, strings[match_id]))
        doc._.roles = roles
        if not targets:
            return doc
        mods = []
        matches = list(self.matcher(doc)) + self.token_matcher(doc)
        for match_id, start, end in matches:
            k = int(strings[match_id][1:])
            mods.append((start, end, self.rules[k], k))
        # the longest of overlapping modifiers wins, and of two on the same words the one
        # listed later (the matcher's own order follows hashes, not the rules); PSEUDO ones
        # then drop out
        mods.sort(key=lambda m: (-(m[1] - m[0]), m[0], -m[3]))
        mods = [m[:3] for m in mods]
        kept: list[tuple] = []
        on_token: dict[int, list[tuple]] = {}  # the kept modifiers on each token
        for m in mods:
            # two readings of the same words for different labels ("nothing recorded": a nil
            # result of intelligence checks, a denial of anything else) are both kept
            if all((m[0], m[1]) == (o[0], o[1]) and _exclusive(m[2], o[2]) for t in range(m[0], m[1]) for o in on_token.get(t, ())):
                kept.append(m)
                for t in range(m[0], m[1]):
                    on_token.setdefault(t, []).append(m)
        # a modifier strictly inside a concept span ("outstanding" in "outstanding enquiries")
        # is part of the concept, not a modifier of it
        bounds = [(t[0], t[1]) for t in targets]
        # a modifier may sit inside a span of a transparent label ("requested" in the
        # REQUEST span "requested from") and still speak of the other spans
        ordered = sorted(b for b, t in zip(bounds, targets) if t[2] not in self.transparent)
        starts = [x for x, _ in ordered]
        longest = max((e - st for st, e in ordered), default=0)

        def inside(m):
            k = bisect.bisect_right(starts, m[0])
            while k > 0 and starts[k - 1] >= m[0] - longest:
                k -= 1
                st, e = ordered[k]
                if m[1] <= e and (e - st) > (m[1] - m[0]):
                    return True
            return False

        kept = [m for m in kept if m[2]["category"] != "PSEUDO" and not inside(m)]
        # spans without modifiers keep the extension defaults (obtained, no modifiers)
        text = doc_text(doc)
        if not kept and "?" not in text and ">" not in text and not any(rx.search(text) for rx, _ in self._boxes) \
                and not (self._would_id in lowers and self._had_id in lowers):
            return doc
        sent_of = [0] * (len(doc) + 1)
        # sentences that open with a condition ("If he is traced ..."): conditional throughout;
        # with a condition contrary to fact ("Had she been arrested her phone would have been
        # seized"): what they speak of was not done
        conditional: set[int] = set()
        counterfactual: set[int] = set()  # "Had her phone been needed, a DPN would have been served": it was not
        sent_stop: dict[int, int] = {}
        for sent_start, sent_end in _bounds(doc):
            sent_stop[sent_start] = sent_end
            sent_of[sent_start:sent_end] = [sent_start] * (sent_end - sent_start)
            first = lowers[sent_start]
            if first in self._if_ids:
                conditional.add(sent_start)
            elif first == self._had_id and self._would_id in lowers[sent_start:sent_end]:
                counterfactual.add(sent_start)
        sent_of[len(doc)] = -1
        by_sent: dict[int, list[tuple]] = {}
        for m in kept:
            by_sent.setdefault(sent_of[m[0]], []).append(m)
        # "No research ... has been done": a completion or request word inside a negation's
        # scope is itself negated
        for sent_start, ms in by_sent.items():
            # "No intelligence checks have been carried out": a nil-result phrase followed by a
            # completion word is a negation of the work, not a nil result of it
            done = [m for m in ms if m[2]["category"] == "COMPLETED"]
            if done:
                ms = by_sent[sent_start] = [
                    (m[0], m[1], dict(m[2], category="NEGATED"))
                    if m[2]["category"] == "NIL_RESULT" and m[2]["literal"].lower().startswith("no ") and any(
                        m[1] <= d[0] and d[0] - m[1] <= 8 and not any(term[m[1]:d[0]])
                        and _AUXILIARY & {t.lower_ for t in doc[m[1]:d[0]]} for d in done)
                    else m
                    for m in ms]
            negs = [m for m in ms if m[2]["category"] == "NEGATED" and m[2].get("direction", "forward") != "backward"]
            if not negs:
                continue
            by_sent[sent_start] = [
                (m[0], m[1], dict(m[2], category="NEGATED", literal=m[2]["literal"]))
                if m[2]["category"] in ("COMPLETED", "REQUESTED") and any(
                    n[1] <= m[0] and m[0] - n[1] <= n[2].get("max_scope", 8) and not any(term[n[1]:m[0]]) for n in negs)
                else m
                for m in ms]
        # a party named in a prepositional phrase ("interview of the suspect", "the account
        # given by the suspect") belongs to the noun before it and starts no clause of its own
        asked = self._questions(doc, text, by_sent)
        # nor does a possessive ("the IP's freedom to choose"): it names whose a thing is; nor
        # a role in brackets after a name ("statement from Lauren AMBLER (sister) not taken")
        role_at = sorted(a for a, e, _ in (doc._.roles or [])
                         if not self._after_preposition(lowers, a) and not (e < len(doc) and lowers[e] in self._possessive_ids)
                         and not (a > 0 and e < len(doc) and lowers[a - 1] == self._open_id and lowers[e] == self._close_id))
        row_status = self._row_status(doc)
        label_ids = self._label_ids
        orth = doc.to_array(ORTH).tolist()
        starts_ends = doc.to_array([IDX, LENGTH])
        idx = starts_ends[:, 0].tolist()
        ends = (starts_ends[:, 0] + starts_ends[:, 1]).tolist()
        verdicts: dict[tuple[int, int, str], tuple] = {}
        doc._.context = verdicts
        form = _Form(text, self._boxes) if self._boxes else None

        def described(d: int, rule: dict, a: int, b: int) -> dict:  # a modifier as findings carry it
            return {"category": rule["category"], "literal": rule["literal"], "text": text[idx[a]:ends[b - 1]],
                    "start": idx[a], "end": ends[b - 1], "distance": d}

        target_starts = sorted({t[0] for t in targets if t[2] not in self.transparent})
        for s_start, s_end, s_label, _ in targets:
            found = []
            here = sent_of[s_start]
            if form:
                box = form.unanswered(idx[s_start], ends[s_end - 1])
                if box:
                    # a choice left unticked ("[ ] RUI"), or a form field left blank ("Reason
                    # for any delay ______"): nothing was done or said
                    verdicts[(s_start, s_end, s_label)] = ("not_done", False, [box])
                    continue
            sent_mods = by_sent.get(here, ())
            untouched = self.untouched.get(s_label, ())  # "complete strangers" is never pending
            for start, end, rule in sent_mods:
                if "labels" in rule and s_label not in rule["labels"] or s_label in rule.get("not_labels", ()) \
                        or rule["category"] in untouched:
                    continue  # "by phone" says a phone is no device and a notice no letter, nothing else
                direction = rule.get("direction", "forward")
                scope = rule.get("max_scope", 8)
                dist = None
                if start > 0 and end < len(doc) and orth[start - 1] == self._open_id and orth[end] == self._close_id \
                        and rule["category"] in _BRACKETED:
                    # a status in brackets ("Tanio data (o/s)") is that of the item it follows
                    # in its list, not of the next one or of the list as a whole
                    if s_end <= start and not any(orth[k] in self._list_ids for k in range(s_end, start - 1)) and start - s_end <= scope:
                        found.append((start - s_end, rule, start, end))
                    continue
                if start < s_end and s_start < end:
                    # a modifier sharing words with the span ("not asked" over "asked about
                    # consent") speaks of it whatever its direction
                    found.append((0, rule, start, end))
                    continue
                if direction in ("forward", "bidirectional") and s_start >= end:
                    if s_start - end <= scope and not any(term[end:s_start]):
                        dist = s_start - end
                if direction in ("backward", "bidirectional") and s_end <= start:
                    # looking back, a mention of a party in between starts another clause's subject
                    crosses_role = any(s_end <= r < start for r in role_at)
                    # nor does it reach a span that ends on a word of saying ("S2 says"): what
                    # follows is what was said, not a denial of the saying
                    # (so does the end of a claim's opening, "account that", marked in `term` above)
                    if start - s_end <= scope and not any(term[s_end - 1:start]) and not crosses_role \
                            and not self._contrast(rule, start, end, orth, lowers):
                        d = start - s_end
                        dist = d if dist is None else min(dist, d)
                if dist is not None:
                    found.append((dist, rule, start, end))
            if not found:
                back = self._anaphoric(s_end, sent_stop.get(here, s_end), terminators, target_starts, lowers, sent_mods)
                if back:
                    found.append((50, back[2], back[0], back[1]))
            if here in conditional and not any(f[1]["category"] == "HYPOTHETICAL" for f in found):
                found.append((99, _OPENING_IF, here, here + 1))
            if here in counterfactual:
                found.append((-2, _OPENING_HAD, here, here + 1))
            # a table row ("CCTV | Completed, none available | ...") takes its status cell
            q = asked.get(here)
            # the question is the line it ends, not table rows run into it above
            if q and "\n" not in text[ends[s_end - 1]:idx[q[1]]]:
                found.append((-1, q[0], q[1], q[2]))
            row = row_status.get(here)
            # "Has CCTV been obtained? | No | No cameras on the route": a nil result in the
            # row answers the question; the bare "No" does not make it a line not pursued
            if row:
                nil = next((m for m in sent_mods if m[2]["category"] == "NIL_RESULT"), None) \
                    if row[0]["category"] == "NEGATED" else None
                found.append((-1, nil[2], nil[0], nil[1]) if nil else (-1, row[0], row[1], row[2]))
            # a label ("Suspect phone: not seized", "H2H - n/d") takes the modifiers of its value
            if s_end < len(doc) and orth[s_end] in label_ids and sent_of[s_end] == here:
                for start, end, rule in sent_mods:
                    if s_end < start <= s_end + 2 and not any(term[s_end:start]) \
                            and rule["category"] not in ("HISTORICAL", "REASON") and not any(f[2] == start for f in found):
                        found.append((start - s_end, rule, start, end))
            if form and form.regions:
                # the words of a choice left unticked ("[ ] Done [X] Not yet") say nothing;
                # the ticked choice answers the field its line opens with
                found = [f for f in found if not form.unticked(idx[f[2]])]
                ticked = form.ticked_answer(idx[s_start])
                if ticked:
                    found += [(-1, m[2], m[0], m[1]) for m in sent_mods if ticked[0] <= idx[m[0]] < ticked[1]]
            if not found:
                continue
            found.sort(key=lambda f: (f[0], _PRIORITY.index(f[1]["category"]) if f[1]["category"] in _PRIORITY else 99))
            mods = [described(d, r, a, b) for d, r, a, b in found]
            cats = [r["category"] for _, r, _, _ in found]
            if here in counterfactual:
                chosen = "NEGATED"
            elif "HYPOTHETICAL" in cats:
                chosen = "HYPOTHETICAL"
            else:
                # an action quoted from a CPS plan ("Action 4 - interview the suspect") is a request
                # of the police, not a fact, unless a status word speaks of it
                chosen = next((c for c in cats if c in _PRIORITY), None) or next(
                    (c for c in ("REQUESTED", "ACTION") if c in cats), None)
                # what "will be" done "if he is charged" is done only on that condition
                if chosen == "OUTSTANDING" and self._future_if:
                    future, conditions = self._future_if
                    decider = next(r for _, r, _, _ in found if r["category"] == "OUTSTANDING")
                    cond = next(((a, b, r) for a, b, r in sent_mods if r["category"] == "HYPOTHETICAL"
                                 and r["literal"].lower() in conditions and a >= s_end), None)
                    if cond and decider["literal"].lower() in future:
                        chosen = "HYPOTHETICAL"
                        mods.append(described(cond[0] - s_end, cond[2], cond[0], cond[1]))
            if chosen == "NEGATED" and s_label in self.nil_inside and all(
                    s_start <= a < s_end for _, r, a, _ in found if r["category"] == "NEGATED"):
                # "no contact between the numbers": the span's own "no" is what the check found
                chosen = "NIL_RESULT"
            verdicts[(s_start, s_end, s_label)] = (_STATUS_OF[chosen], chosen == "NIL_RESULT", mods) if chosen \
                else ("obtained", False, mods)
        return doc

    def _after_preposition(self, lower: list[int], i: int) -> bool:
        j = i - 1
        if j >= 0 and lower[j] in self._determiner_ids:
            j -= 1
        return j >= 0 and lower[j] in self._preposition_ids

    _LABEL = re.compile(r"^\W*(q|question|a|answer)\s*[:.)-]", re.I)
    _NUMBERED_Q = re.compile(r"\bQ\s?\d{1,2}[.:)]?\s*$", re.I)

    def _questions(self, doc: Doc, text: str, by_sent: dict[int, list[tuple]]) -> dict[int, tuple]:
        """Questions and quoted requests put in writing ("> Has the 999 call been obtained?",
        "> Please obtain the CCTV") take their status from the answer that follows: its first
        words ("Not yet", "Done", "No") or else the status words in it ("This is with DFU, ETA
        August"). A question with no answer is only a question; a quoted request with none is an
        action for the police, not a fact. Interview questions ("Q: Did she say yes?") are
        evidence that it was asked and are left alone."""
        out: dict[int, tuple] = {}
        answers = self.data.get("answers")
        if not answers or ("?" not in text and ">" not in text):
            return out
        idx = doc.to_array(IDX).tolist()
        bounds = _bounds(doc)

        def sentence(k: int) -> str:
            a, b = bounds[k]
            return text[idx[a]:(idx[b] if b < len(idx) else len(text))].strip()

        def in_quote(k: int) -> bool:  # on a line quoted from an earlier message ("> ...")
            start = idx[bounds[k][0]]
            return text[text.rfind("\n", 0, start) + 1:start + 1].lstrip().startswith(">")

        quotes = ">" in text
        marks = [m.start() for m in _QUESTION_MARK.finditer(text)]
        for k, (a, b) in enumerate(bounds):
            quoted = quotes and in_quote(k)
            if not quoted:
                # only a sentence with a question mark in it can end with one
                i = bisect.bisect_left(marks, idx[a])
                if i == len(marks) or marks[i] >= (idx[b] if b < len(idx) else len(text)):
                    continue
            sent = sentence(k)
            if not (sent.endswith("?") or quoted) or self._LABEL.match(sent.lstrip("> ")):
                continue
            j = k + 1
            while quoted and j < len(bounds) and in_quote(j):
                j += 1  # the answer comes after the quoted lines
            nxt = sentence(j) if j < len(bounds) else ""
            label = self._LABEL.match(nxt)
            if label:
                # an interview's "Q: ... A: ..." is left alone, but a numbered question of a form
                # ("Q19. Has an MG2 been done? A. No. Not done.") takes its answer
                line = text[text.rfind("\n", 0, idx[a]) + 1:idx[a]]
                if not self._NUMBERED_Q.search(line):
                    continue
                nxt = nxt[label.end():].strip()
                if not nxt and j + 1 < len(bounds):
                    j += 1
                    nxt = sentence(j)
                if not nxt:
                    continue
            reply = nxt.lstrip("-–*• ").lower() if not nxt.startswith(">") else ""
            cat = next((c for rx, c in self._answers if rx.match(reply)), None) if reply else None
            if cat is None and reply and reply[0] in _QUOTE_MARKS:
                cat = "ANSWERED"  # a reply in someone's own words ("'She never said no.'"): the question was put
            if cat is None and reply:
                said = {m[2]["category"] for m in by_sent.get(bounds[j][0], ())}
                cat = next((c for c in ("NEGATED", "OUTSTANDING", "NIL_RESULT") if c in said), None) or \
                    ("OUTSTANDING" if "REQUESTED" in said else "ANSWERED" if "COMPLETED" in said else None)
            if cat is None:
                cat = "ACTION" if quoted else "HYPOTHETICAL"
                literal = "a quoted request with no answer" if quoted else UNANSWERED_QUESTION
            else:
                literal = f"answered {reply[:20]!r}"
            # an answer in the affirmative makes the request or question a fact
            out[a] = ({"category": "COMPLETED" if cat == "ANSWERED" else cat, "literal": literal}, b - 1, b)
        return out

    def _row_status(self, doc: Doc) -> dict[int, tuple]:
        """Status cells of table rows ("Item | Status | Detail"), by sentence start."""
        out: dict[int, tuple] = {}
        table = self.data.get("row_status", {})
        bar = self._bar_id
        if not table:
            return out
        orth = doc.to_array(ORTH)
        if not (orth == bar).any():
            return out
        orth = orth.tolist()
        for sent_start, sent_end in _bounds(doc):
            bars = [i for i in range(sent_start, sent_end) if orth[i] == bar]
            if not bars:
                continue
            edges = [sent_start - 1] + bars + [sent_end]
            for a, b in zip(edges, edges[1:]):
                cell = doc[a + 1:b]
                words = _STATUS_CUT.split(cell.text.strip().lower().rstrip("."), 1)[0].strip()
                if words in table and cell.end > cell.start:
                    cat = table[words]
                    out[sent_start] = ({"category": cat, "literal": words}, cell.start, cell.end)
                    break
        return out


# "Complete - nil", "Outstanding (target 30/06)", "Outstanding 28/07/2025", "Outstanding by 11/04"
_STATUS_CUT = re.compile(r"\s*(?:,|;|\(|\s[-–]\s)|\s+(?=\d)|\s+(?=(?:by|target|due|w/c|on|from)\s)")


# ---------------------------------------------------------------- loading
def rules_digest(path: Path = MODELS) -> str:
    """A short hash of every rule and definition file and of the tokenizer's special cases,
    stamped on reports beside the version."""
    h = hashlib.sha256()
    for f in sorted(path.rglob("*")):
        if f.is_file() and (f.suffix in (".json", ".jsonl", ".cfg") or f.name == "tokenizer"):
            h.update(f.relative_to(path).as_posix().encode())
            h.update(f.read_bytes())
    return h.hexdigest()[:12]


class _LettersPass:
    """A tokenizer's prefix, suffix, infix or URL rule that answers at once for a word of ASCII
    letters only. None of the English rules splits such a word (each needs a mark, a digit or
    a symbol; tests/test_rules_validation.py checks them against the letter strings of the
    vocabulary), yet each ran its regular expression over every new word of a bundle, some
    5 microseconds a word: a fifth of a first review's tokenizing, a quarter of a later one's.
    ``pattern`` keeps the tokenizer serialisable."""

    def __init__(self, rx: re.Pattern):
        self.rx = rx
        self.pattern = rx.pattern

    def search(self, text: str):
        return None if text.isalpha() and text.isascii() else self.rx.search(text)

    def finditer(self, text: str):
        return iter(()) if text.isalpha() and text.isascii() else self.rx.finditer(text)

    def match(self, text: str):
        return None if text.isalpha() and text.isascii() else self.rx.match(text)


def _letters_pass(nlp: Language) -> Language:
    """NLP with its tokenizer's rules wrapped in ``_LettersPass`` (one new tokenizer: setting
    each rule on the old one reloads all its special cases, a tenth of a second each time)."""
    tok = nlp.tokenizer
    rules = {}
    # a word of letters the URL rule passes over is one token whether it matches or not
    for name, method in (("prefix_search", "search"), ("suffix_search", "search"), ("infix_finditer", "finditer"),
                         ("url_match", "match")):
        found = getattr(tok, name, None)
        rx = getattr(found, "__self__", None)
        rules[name] = getattr(_LettersPass(rx), method) if isinstance(rx, re.Pattern) else found
    fast = Tokenizer(nlp.vocab, rules=tok.rules, token_match=tok.token_match, **rules)
    fast.faster_heuristics = tok.faster_heuristics
    nlp.tokenizer = fast
    return nlp


@lru_cache(maxsize=4)
def load_pipeline(path: str | None = None) -> Language:
    """Load the pipeline with ``spacy.load`` (components registered by importing this module)."""
    p = Path(path) if path else PIPELINE_DIR
    try:
        return _letters_pass(spacy.load(p))
    except RulesError:
        raise
    except Exception as e:
        raise RulesError(f"{p}: the pipeline cannot be loaded ({e})") from None


@lru_cache(maxsize=1)
def code_digest() -> str:
    """A short hash of the review code: a change to the rules' engine is a new pipeline too,
    so a batch sweep reviews again what an older engine reviewed."""
    h = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for name in _REVIEW_MODULES:
        f = here / f"{name}.py"
        if f.exists():
            h.update(name.encode())
            h.update(f.read_bytes())
    return h.hexdigest()[:8]


_REVIEW_MODULES = ("extraction", "layout", "ocr", "formats", "dedupe", "segmentation", "pipeline", "tagging", "timeline",
                   "checklist", "review", "report")


def pipeline_name(nlp: Language) -> str:
    return (f"{nlp.meta.get('name', 'casefile_pipeline')} {nlp.meta.get('version', '0.0.0')} "
            f"(rules {rules_digest()}, code {code_digest()})")
