"""Dates in the case: offence, report, arrest, interview of the suspect, submission.

Dates are read in UK day-first order ("02/03/2024" is 2 March). Cue phrases, in tiers
from strongest to weakest, live in ``models/timeline.json``: the strongest tier that
finds a date wins, the earliest sentence within it (the latest date for ``submitted``,
which is the most recent submission to the CPS).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .pipeline import MODELS, _read_json, _require
from .tagging import Sentence

_MONTHS = {m: i + 1 for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"])}
_MON = r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_DATE_RES = [
    ("dmy", re.compile(r"\b(\d{1,2})\s?[/.\-]\s?(\d{1,2})\s?[/.\-]\s?(\d{4}|\d{2})\b")),
    # "the night of 5-6 July 2024", "between 3rd and 4th May 2024": the first day of the range
    ("range_d_mon_y", re.compile(r"(?<![\d/.\-])\b(\d{1,2})(?:st|nd|rd|th)?\s*(?:-|–|to|and|/)\s*\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?"
                                 + _MON + r",?\s+(\d{4}|\d{2})\b", re.I)),
    ("d_mon_y", re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MON + r",?\s+(\d{4}|\d{2})\b", re.I)),
    ("mon_d_y", re.compile(r"\b" + _MON + r"\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b", re.I)),
    ("iso", re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")),
]


_MAYBE_DATE = re.compile(r"\d")
_ANY_MONTH = re.compile("|".join(_MONTHS))  # sought in lower-case text: six times faster than a case-blind search
_NAMED_MONTH = {"range_d_mon_y", "d_mon_y", "mon_d_y"}
_NUMERIC_DATE = re.compile(r"\d\s?[/.\-]\s?\d")  # what a date in figures holds ("25/12/2024", "2024-12-25")


@lru_cache(maxsize=8192)
def find_dates(text: str) -> tuple[tuple[int, int, dt.date], ...]:
    """All dates in TEXT as (start, end, date), in order, day-first. Kept for the texts seen
    last: the timeline and the checklist ask of the same sentences."""
    if not _MAYBE_DATE.search(text):
        return ()
    months = _ANY_MONTH.search(text.lower()) is not None
    numeric = _NUMERIC_DATE.search(text) is not None
    if not months and not numeric:
        return ()
    out = []
    taken: list[tuple[int, int]] = []
    for kind, rx in _DATE_RES:
        if not months and kind in _NAMED_MONTH or not numeric and kind not in _NAMED_MONTH:
            continue  # cheap tests first: most sentences with digits name no month
        for m in rx.finditer(text):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            try:
                if kind == "dmy":
                    d, mo, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
                elif kind in ("d_mon_y", "range_d_mon_y"):
                    d, mo, y = int(m.group(1)), _MONTHS[m.group(2)[:3].lower()], int(m.group(3))
                elif kind == "mon_d_y":
                    mo, d, y = _MONTHS[m.group(1)[:3].lower()], int(m.group(2)), int(m.group(3))
                else:
                    y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
                if y < 100:
                    y += 2000
                date = dt.date(y, mo, d)
            except (ValueError, KeyError):
                continue
            if not 1990 <= date.year <= 2100:
                continue
            out.append((m.start(), m.end(), date))
            taken.append((m.start(), m.end()))
    out.sort()
    return tuple(out)


@dataclass
class DateCite:
    field: str
    date: dt.date
    page: int
    sentence: int
    start: int
    end: int


def _lower_pattern(p: str) -> str:
    """P with its literal letters in lower case (escapes such as \\S keep theirs)."""
    out = []
    i = 0
    while i < len(p):
        if p[i] == "\\":
            out.append(p[i:i + 2])
            i += 2
        else:
            out.append(p[i].lower())
            i += 1
    return "".join(out)


def _tier_regex(cues: list[str]) -> re.Pattern:
    """One regex for a tier of cues, matched against lower-cased text (``_lower``).

    A cue starting with ``^`` holds at the sentence start, any other at a word boundary. Runs
    of word-boundary cues share one ``\\b(?:...)``: case-insensitive matching and a boundary
    test before every alternative made these searches the slowest part of the timeline.
    """
    runs: list[tuple[bool, list[str]]] = []
    for c in cues:
        anchored = c.startswith("^")
        if runs and runs[-1][0] == anchored:
            runs[-1][1].append(_lower_pattern(c))
        else:
            runs.append((anchored, [_lower_pattern(c)]))
    return re.compile("|".join("|".join(cs) if anchored else r"\b(?:%s)" % "|".join(cs) for anchored, cs in runs))


def _lower(text: str) -> str:
    """TEXT in lower case, every character keeping its offset ("İ" lowers to two characters)."""
    low = text.lower()
    return low if len(low) == len(text) else "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


class TimelineRules:
    def __init__(self, data: dict, where: str):
        _require(isinstance(data.get("version"), str), where, "needs a 'version' string")
        fields = data.get("fields")
        need = {"offence", "reported", "arrested", "suspect_interviewed", "submitted"}
        _require(isinstance(fields, dict) and set(fields) == need, where, f"'fields' must be exactly {sorted(need)}")
        _require(set(data.get("cps_fields", [])) <= need, where, f"'cps_fields' must be among {sorted(need)}")
        try:
            self.fields = {f: [_tier_regex(tier) for tier in tiers] for f, tiers in fields.items()}
            # sought in the lower-case sentence (case-blind alternations are slow)
            self.not_interview = re.compile("|".join(re.escape(x.lower()) for x in data.get("not_interview", [])) or "(?!)")
            self.email_submitted = re.compile(data.get("email_submitted", "(?!)"), re.I | re.M)
            self.target_before = re.compile(data.get("target_before", "(?!)"), re.I)
            self.email_to_cps = re.compile(data.get("email_to_cps", "(?!)"), re.I | re.M)
            self.email_from_cps = re.compile(data.get("email_from_cps", "(?!)"), re.I | re.M)
            hd = data.get("header_date", {})
            self.header_kinds = set(hd.get("kinds", []))
            self.header_date = re.compile(hd.get("pattern", "(?!)"), re.I)
            self.header_sentences = int(hd.get("sentences", 0))
            self.cps_fields = set(data.get("cps_fields", []))
        except re.error as e:
            from .errors import RulesError
            raise RulesError(f"{where}: bad cue pattern ({e})") from None


def _label_like(text: str) -> bool:
    """A form label or a question: short, or ending in '?' or ':'."""
    t = text.strip()
    return len(t.split()) <= 8 or t.endswith(("?", ":"))


@lru_cache(maxsize=2)
def load_rules(path: str | None = None) -> TimelineRules:
    f = Path(path) if path else MODELS / "timeline.json"
    return TimelineRules(_read_json(f), str(f))


def build_timeline(sentences: list[Sentence], rules: TimelineRules | None = None,
                   interviews: set[int] | None = None) -> tuple[dict, dict[str, DateCite]]:
    """The case's dates. INTERVIEWS: the sentences where the suspect's interview is tagged as
    done; when given, only they can date the interview (not "he will be interviewed")."""
    rules = rules or load_rules()
    best: dict[str, tuple[int, DateCite]] = {}
    to_cps: set[str] = set()
    from_cps: set[str] = set()
    for s in sentences:
        if s.doc_kind == "EMAIL":
            if rules.email_to_cps.search(s.text):
                to_cps.add(s.doc)
            if rules.email_from_cps.search(s.text):
                from_cps.add(s.doc)
    seen_in_doc: dict[str, int] = {}
    for i, s in enumerate(sentences):
        nth = seen_in_doc[s.doc] = seen_in_doc.get(s.doc, -1) + 1
        # the CPS's advice restates the facts ("the offence on 22/06/2024") but its other dates
        # are its own (advice given, targets set): it may date only `cps_fields`, and only
        # where the police papers do not
        cps = s.doc_kind == "CPS_ADVICE"
        if cps and not rules.cps_fields:
            continue
        # target dates ("expected by 10/05/2024") are not events
        dates = [d for d in find_dates(s.text) if not rules.target_before.search(s.text[max(0, d[0] - 20):d[0]])]
        where = s
        if not dates and i + 1 < len(sentences) and _label_like(s.text):
            # a label or question whose answer is the next line: "Reported to police | 15/03/2025",
            # "When was it reported? Sunday 15 June 2025 at 19:10."
            nxt = sentences[i + 1]
            if nxt.doc == s.doc and nxt.page == s.page:
                found = find_dates(nxt.text)
                if found and found[0][0] <= 12:
                    dates, where = found[:1], nxt
        if not dates:
            continue
        # the last e-mail of a thread sent to the CPS is the submission, and so is the "Date:"
        # line in the head of a report to the CPS
        head = rules.header_date.search(s.text) if s.doc_kind in rules.header_kinds and nth < rules.header_sentences else None
        if not cps and ((s.doc_kind == "EMAIL" and s.doc in to_cps and s.doc not in from_cps and rules.email_submitted.match(s.text)) or head):
            # the date after the label ("Report by: DC 3361. Date: 21st July 2025.")
            first = next((d for d in dates if head and where is s and d[0] >= head.start()), dates[0])
            cite = DateCite("submitted", first[2], where.page, where.index, where.start + first[0], where.start + first[1])
            prev = best.get("submitted")
            if prev is None or prev[0] > 0 or (prev[0] == 0 and cite.date > prev[1].date):
                best["submitted"] = (0, cite)
        low = _lower(s.text)
        for field, tiers in rules.fields.items():
            if cps and field not in rules.cps_fields:
                continue
            if field == "suspect_interviewed" and (rules.not_interview.search(low) or
                                                   (interviews is not None and s.index not in interviews)):
                continue
            prev = best.get(field)
            shift = len(tiers) if cps else 0  # the CPS's restatement ranks below every police cue
            # only a tier that could win is searched: a stronger one than the field's date so
            # far (as strong, for the latest submission); a weaker first match changes nothing
            limit = len(tiers) if prev is None else min(len(tiers), prev[0] - shift + (field == "submitted"))
            for rank in range(max(0, limit)):
                m = tiers[rank].search(low)
                if not m:
                    continue
                after = [d for d in dates if d[0] >= m.end()] if where is s else dates
                chosen = after[0] if after else dates[-1]
                cite = DateCite(field, chosen[2], where.page, where.index, where.start + chosen[0], where.start + chosen[1])
                order = rank + shift
                if prev is None or order < prev[0] or (order == prev[0] and field == "submitted" and cite.date > prev[1].date):
                    best[field] = (order, cite)
                break
    cites = {f: c for f, (_, c) in best.items()}
    tl = {f: (cites[f].date.isoformat() if f in cites else None) for f in ("offence", "reported", "suspect_interviewed", "submitted")}
    tl["arrested"] = cites["arrested"].date.isoformat() if "arrested" in cites else None
    if "reported" in cites and "submitted" in cites:
        tl["days_report_to_submission"] = (cites["submitted"].date - cites["reported"].date).days
    else:
        tl["days_report_to_submission"] = None
    return tl, cites
