"""The same statement submitted twice.

Identical files are caught earlier by SHA-256 (:mod:`reviewer.extraction`). Here: pages whose
text is near-identical although the files differ (a statement typed in the MG file and scanned
again as an exhibit; a thread printed twice). Word bigrams of a normalised text are compared by
Jaccard similarity; a bottom-k sketch keeps the search near-linear for large bundles. Normalising
folds the usual OCR confusions so a scanned copy still matches its typed original.

:func:`merge_duplicates` then collapses the findings of a later copy into the earlier one's,
citing both places.
"""
from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

import numpy as np

MIN_WORDS = 40  # shorter pages (cover sheets, signatures) repeat legitimately
SIMILAR = 0.6  # bigram Jaccard at or above which two pages are the same text
_SKETCH = 48
_FOLD = str.maketrans({"0": "o", "1": "l", "|": "l", "5": "s"})


@dataclass
class Duplicate:
    page: int  # the later case page
    of: int  # the earlier case page it repeats
    similarity: float

    def to_dict(self) -> dict:
        return {"page": self.page, "of": self.of, "similarity": round(self.similarity, 3)}


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z]{2,}", text.lower().translate(_FOLD))


@lru_cache(maxsize=65536)
def _word_hash(word: str) -> int:
    return zlib.crc32(word.encode())


_MIX = np.uint64(0x9E3779B97F4A7C15)  # spreads the first word's hash over the 64 bits


def _bigrams(words: list[str]) -> np.ndarray:
    """The distinct word bigrams of WORDS as sorted 64-bit hashes (the CRC-32 of each word,
    mixed): a page's set in one array, made and compared in C."""
    ids = np.fromiter(map(_word_hash, words), dtype=np.uint64, count=len(words))
    return np.unique(ids[:-1] * _MIX + ids[1:])


def find_duplicate_pages(pages, min_words: int = MIN_WORDS, threshold: float = SIMILAR) -> list[Duplicate]:
    """Later pages whose text repeats an earlier page. Pages already marked as duplicate files are skipped."""
    grams: dict[int, np.ndarray] = {}
    index: dict[int, list[int]] = {}
    out: list[Duplicate] = []
    for p in pages:
        if getattr(p, "duplicate_of", None) is not None or getattr(p, "extractor", "") == "duplicate":
            continue
        words = _words(p.text)
        if len(words) < min_words:
            continue
        g = _bigrams(words)
        sketch = g[:_SKETCH].tolist()
        shared: dict[int, int] = {}
        for h in sketch:
            for q in index.get(h, ()):
                shared[q] = shared.get(q, 0) + 1
        best = None
        # the share of sketch hashes in common estimates the Jaccard similarity: only
        # candidates near the threshold get the exact (costlier) comparison
        floor = max(4, int(len(sketch) * threshold * 0.5))
        for q, k in shared.items():
            if k < floor:
                continue
            common = len(np.intersect1d(g, grams[q], assume_unique=True))
            sim = common / max(1, len(g) + len(grams[q]) - common)  # |A ∩ B| / |A ∪ B|, no union built
            if sim >= threshold and (best is None or sim > best[1]):
                best = (q, sim)
        if best:
            out.append(Duplicate(p.number, best[0], best[1]))
            continue  # a copy is not itself an original for later copies
        grams[p.number] = g
        for h in sketch:
            index.setdefault(h, []).append(p.number)
    return out


def merge_duplicates(entries: list[dict], duplicates: list[Duplicate]) -> list[dict]:
    """Collapse entries (report evidence, checklist evidence, concerns: dicts with ``page`` and
    ``quote``) found on a duplicate page into the same entry on the page it repeats, adding
    ``also_at: [{page, quote, start, end}]``; an entry with no counterpart on the earlier page
    stays, and names the earlier page in ``duplicate_of``. Returns a new list in the same order."""
    if not duplicates:
        return list(entries)
    dup_of = {d.page: d.of for d in duplicates}
    kept: list[dict] = []
    originals: dict[tuple, list[tuple[dict, list[str]]]] = {}  # by page and kind
    repeated = set(dup_of.values())
    for e in entries:
        if e.get("page") not in dup_of:
            e = dict(e)
            kept.append(e)
            if e.get("page") in repeated:
                originals.setdefault((e.get("page"), _kind(e)), []).append((e, _words(e.get("quote", ""))))
    for e in entries:
        page = e.get("page")
        if page not in dup_of:
            continue
        target = _counterpart(e, originals.get((dup_of[page], _kind(e)), []))
        cite = {k: e[k] for k in ("page", "quote", "start", "end", "document") if k in e}
        if target is not None:
            target.setdefault("also_at", []).append(cite)
        else:
            e = dict(e)
            e["duplicate_of"] = dup_of[page]
            kept.append(e)
    return kept


def _kind(e: dict) -> tuple:
    return e.get("label"), e.get("kind"), e.get("category")


def _counterpart(e: dict, candidates: list[tuple[dict, list[str]]]) -> dict | None:
    """The entry of the earlier page that E repeats (CANDIDATES are of its kind): the same
    quote, or one whose words match at least 80% (OCR misreads, a line wrapped differently)."""
    words = _words(e.get("quote", ""))
    for o, ow in candidates:
        if ow == words:
            return o
    for o, ow in candidates:
        sm = SequenceMatcher(None, words, ow, autojunk=False)
        # the cheap upper bounds first: most pairs are told apart without the full ratio
        if sm.real_quick_ratio() >= 0.8 and sm.quick_ratio() >= 0.8 and sm.ratio() >= 0.8:
            return o
    return None
