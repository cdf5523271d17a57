"""Stage 4: tagged findings -> the 33-item checklist, third-party requests and concerns.

Each item's decision rule, citations and action wording come from ``models/checklist.json``.
Most items use the ``evidence`` rule: a sentence is evidence when it holds a concept span of
every group in ``all_of`` (subjects allowed, none of ``none_of``); its status is the weakest
of its groups, each group taking the best status among its spans. Across the case an
obtained match makes the item met, else an outstanding one makes it outstanding, else a
negated or declined one (or nothing) makes it missing. A later document overrides an earlier
one where they disagree (an MG3A answering an MG3). A few items derive from the rest (target
dates, earlier action plans, third-party requests, dates); their rules are named in the data
file and take their parameters from it.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from .errors import RulesError
from .pipeline import MODELS, _read_json, _require
from .segmentation import Document, heading_like
from .tagging import Finding, Sentence, Tagged, is_title
from .timeline import find_dates

CHECKLIST_ITEMS = [
    "suspect_interview", "suspect_account", "consent_steps_explored", "suspect_devices", "suspect_communications",
    "suspect_antecedents", "suspect_intelligence", "pre_offence_conduct", "post_offence_conduct", "forensic_medical",
    "independent_corroboration", "first_complaint", "rloe_recorded", "suspect_account_tested", "digital_strategy",
    "outstanding_timetabled", "action_plan_responded", "tpm_reasons_stated", "tpm_scope_limited", "tpm_victim_notified",
    "counselling_threshold", "complainant_device_lawful", "isva_referral", "abe_interview", "special_measures",
    "victims_code", "mg6c_schedule", "mg6d_schedule", "undermining_material", "disclosure_management_document",
    "key_dates", "delay_explained", "suspect_status",
]
GROUPS = {"suspect", "enquiries", "tpm", "victim", "disclosure", "timeliness"}
STATUSES = ("met", "outstanding", "missing", "not_applicable")
_RULES = {"evidence", "outstanding_timetabled", "action_plan_responded", "tpm_flag", "counselling_threshold",
          "complainant_device_lawful", "key_dates", "delay_explained", "enquiry_record"}
_ALT_KEYS = {"all_of", "subjects", "allow_unknown", "none_of", "only_phrases", "phrase_contains", "doc_kinds",
             "doc_owners", "window", "cap", "anchor_only", "status_from_group", "pending_wins", "pending_phrases"}
# words before a date still to come that make it no target of pending work ("bailed until 14/08")
_NOT_TARGET = re.compile(r"\b(?:until|till|from|since|after|bailed|rui)\b[^.;]*$", re.I)
# a line whose value is a date: "FSP results on swabs - 15/11/24"
_ENDS_DATED = re.compile(r"[-–:]\s*\d{1,2}[/.]\d{1,2}(?:[/.]\d{2,4})?\W*$")
# best first: a group takes the best status of its spans, a match the worst of its groups
_RANK = {"obtained": 4, "outstanding": 3, "declined": 2, "not_done": 1, "hypothetical": 0}


@dataclass
class Citation:
    document: str
    page: int
    quote: str
    start: int
    end: int
    why: str = ""
    also_at: list[dict] = field(default_factory=list)  # the same sentence on a duplicate page

    def to_dict(self) -> dict:
        d = {"document": self.document, "page": self.page, "quote": self.quote, "start": self.start, "end": self.end}
        if self.why:
            d["why"] = self.why
        if self.also_at:
            d["also_at"] = self.also_at
        return d


def basis_note(basis: str | None, rule_status: str | None, gap_probability: float | None) -> str | None:
    """What the rules said of an item the calibration changed, and how likely a gap is (for the
    text, Markdown and web views); None when the rules' status stands."""
    if basis != "calibrated":
        return None
    return f"calibrated: the rules found it {rule_status.replace('_', ' ')}; chance of a gap {100 * gap_probability:.0f}%"


@dataclass
class ItemResult:
    item: str
    group: str
    status: str
    evidence: list[Citation] = field(default_factory=list)
    action: str | None = None
    title: str = ""
    # set by the calibration layer (reviewer/calibration.py): the rules' own status, the model's
    # probability that the item is a gap, and whether the final status is the rules' or the model's
    rule_status: str | None = None
    gap_probability: float | None = None
    basis: str = "rules"

    def basis_note(self) -> str | None:
        """For a status the calibration changed: what the rules said and how likely a gap is."""
        return basis_note(self.basis, self.rule_status, self.gap_probability)

    def to_dict(self) -> dict:
        d = {"item": self.item, "group": self.group, "status": self.status, "title": self.title,
             "evidence": [c.to_dict() for c in self.evidence], "action": self.action}
        if self.rule_status is not None:
            d.update(rule_status=self.rule_status, gap_probability=self.gap_probability, basis=self.basis)
        return d


class ChecklistRules:
    def __init__(self, data: dict, where: str, labels: set[str]):
        _require(isinstance(data.get("version"), str), where, "needs a 'version' string")
        items = data.get("items")
        _require(isinstance(items, list), where, "needs an 'items' list")
        ids = [i.get("item") for i in items]
        self.record_patterns: dict[str, tuple[re.Pattern, ...]] = {}
        _require(ids == CHECKLIST_ITEMS, where, f"items must be exactly the contract's 33 ids in order; got {ids}")
        for it in items:
            w = f"{where}: item {it['item']}"
            _require(it.get("group") in GROUPS, w, f"group must be one of {sorted(GROUPS)}")
            for key in ("title", "why", "action", "action_outstanding"):
                _require(isinstance(it.get(key), str) and it[key].strip(), w, f"needs a '{key}' text")
            decide = it.get("decide", {})
            _require(decide.get("rule") in _RULES, w, f"decide.rule must be one of {sorted(_RULES)}")
            if decide["rule"] == "evidence":
                _require(decide.get("declined") in ("met", "missing"), w, "declined must be met or missing")
                _require(decide.get("weak_outstanding") in ("met", "outstanding"), w, "weak_outstanding must be met or outstanding")
                _require(decide.get("outstanding", "outstanding") in ("met", "outstanding"), w, "outstanding must be met or outstanding")
                _require(isinstance(decide.get("reasons_close", True), bool), w, "reasons_close must be true or false")
                _require(isinstance(decide.get("gaps_win", False), bool), w, "gaps_win must be true or false")
                pend = decide.get("pending_from")
                if pend is not None:
                    _require(isinstance(pend, dict) and set(pend) <= {"labels", "subjects", "lead_words"}
                             and all(x in labels for x in pend.get("labels", [])) and pend.get("labels")
                             and set(pend.get("subjects", [])) <= {"suspect", "complainant", "witness"}
                             and all(isinstance(x, str) for x in pend.get("lead_words", [])),
                             w, "pending_from has known concept labels, subjects and lead_words")
                for alt in decide.get("match", []):
                    extra = set(alt) - _ALT_KEYS
                    _require(not extra, w, f"unknown keys in a match: {sorted(extra)}")
                    for group in alt["all_of"]:
                        for label in group:
                            _require(label in labels, w, f"unknown concept label {label}")
                    for label in alt.get("none_of", []):
                        _require(label in labels, w, f"unknown concept label {label}")
                    _require(isinstance(alt.get("pending_phrases", []), list)
                             and all(isinstance(x, str) and x for x in alt.get("pending_phrases", [])), w,
                             "pending_phrases is a list of phrases")
                    _require(set(alt.get("subjects", [])) <= {"suspect", "complainant", "witness", "unknown"}, w, "bad subjects")
                    k = alt.get("status_from_group", 0)
                    _require(isinstance(k, int) and not isinstance(k, bool) and 0 <= k < len(alt["all_of"]), w,
                             "status_from_group is the index of one of the match's all_of groups")
            if decide["rule"] == "enquiry_record":
                for key in ("labels", "intro_labels"):
                    for label in decide.get(key, []):
                        _require(label in labels, w, f"unknown concept label {label}")
                try:
                    self.record_patterns[it["item"]] = (re.compile(decide["list_line"]), re.compile(decide["status_words"], re.I),
                                                        re.compile(decide.get("list_title") or "(?!)", re.I),
                                                        re.compile(decide.get("deflections") or "(?!)", re.I))
                except (KeyError, re.error, TypeError) as e:
                    raise RulesError(f"{w}: bad list_line, status_words, list_title or deflections pattern ({e})") from None
                for key in ("min_items", "min_items_unintroduced", "min_done", "max_words", "intro_window", "intro_items"):
                    _require(isinstance(decide.get(key), int) and decide[key] >= 0, w, f"{key} must be a whole number")
                _require(isinstance(decide.get("plan_kinds"), list) and all(isinstance(k, str) for k in decide["plan_kinds"]),
                         w, "plan_kinds must be a list of document kinds")
                _require(decide["min_items_unintroduced"] >= decide["min_items"], w,
                         "min_items_unintroduced cannot be below min_items")
            if decide["rule"] == "action_plan_responded":
                try:
                    self.plan_patterns = (re.compile(decide["action_pattern"], re.I | re.M),
                                          re.compile(decide["response_pattern"], re.I),
                                          re.compile(decide.get("combined_titles") or "(?!)", re.I))
                except (KeyError, re.error, TypeError) as e:
                    raise RulesError(f"{w}: bad action, response or combined_titles pattern ({e})") from None
            if "waits_on" in decide:
                _require(decide["waits_on"] in ids and decide["waits_on"] != it["item"], w, "waits_on must name another item")
            for group in decide.get("need", []):
                for label in group:
                    _require(label in labels or it["item"] == "key_dates", w, f"unknown concept label {label}")
        for c in data.get("concerns", []):
            _require(c.get("kind") in ("myth_or_stereotype", "sexual_history", "complainant_focus"), where, f"bad concern kind {c.get('kind')}")
            for group in c["all_of"]:
                for label in group:
                    _require(label in labels, where, f"concern: unknown concept label {label}")
            starts = c.get("reasoning_follows", [])
            _require(isinstance(starts, list) and all(isinstance(x, str) and x == x.lower() for x in starts), where,
                     "concern: reasoning_follows lists the lower-case openings of a following sentence")
        tpm = data.get("tpm", {})
        _require(isinstance(tpm.get("device_request_kinds", []), list)
                 and all(isinstance(k, str) for k in tpm.get("device_request_kinds", [])), where,
                 "tpm: device_request_kinds lists document kinds")
        try:
            self.victim_notice = re.compile(tpm["victim_notice"], re.I) if tpm.get("victim_notice") else None
            self.all_requests = re.compile(tpm["all_requests"], re.I) if tpm.get("all_requests") else None
        except (re.error, TypeError) as e:
            raise RulesError(f"{where}: bad tpm victim_notice or all_requests pattern ({e})") from None
        for label in list(tpm.get("categories", {})) + sum((tpm.get(k, []) for k in ("request", "reason", "trawl", "scope", "unlimited", "notice", "device_notice", "device_scope", "device_unlimited")), []):
            _require(label in labels, where, f"tpm: unknown concept label {label}")
        self.version = data["version"]
        self.items = items
        self._actions = {it["item"]: {"missing": it["action"], "outstanding": it["action_outstanding"]} for it in items}
        self.concerns = data.get("concerns", [])
        self.tpm = tpm
        self.ignore_kinds = set(data.get("ignore_kinds", []))
        hb = data.get("heading_body", {})
        try:
            self.body_sentences = int(hb.get("sentences", 0))
            self.body_not_done = re.compile(hb["not_done"]) if hb.get("not_done") else None
            self.body_outstanding = re.compile(hb["outstanding"]) if hb.get("outstanding") else None
        except (re.error, ValueError) as e:
            raise RulesError(f"{where}: bad heading_body rule ({e})") from None
        self.max_citations = int(data.get("max_citations", 3))
        timetable = next(i["decide"] for i in items if i["decide"]["rule"] == "outstanding_timetabled")
        try:
            self.target_lead = re.compile(timetable["target_lead"], re.I) if timetable.get("target_lead") else None
        except (re.error, TypeError) as e:
            raise RulesError(f"{where}: bad target_lead pattern ({e})") from None

    def action_for(self, item: str, status: str) -> str | None:
        """The suggested early-advice action for ITEM when it is STATUS (none when met or not applicable)."""
        return self._actions[item].get(status)


@lru_cache(maxsize=2)
def load_rules(labels: frozenset[str], path: str | None = None) -> ChecklistRules:
    f = Path(path) if path else MODELS / "checklist.json"
    return ChecklistRules(_read_json(f), str(f), set(labels))


# ----------------------------------------------------------------- helpers
def _self_negating(f: Finding) -> bool:
    words = f.text.lower().replace("n't", " not").split()
    return f.status == "not_done" and any(w in ("not", "no", "never", "cannot") for w in words)


def _pending_here(f: Finding, reach: int = 1) -> bool:
    """F is itself still to happen ("has not yet been told", "will be informed"), as against a
    pending word further off that speaks of something else in the sentence."""
    return f.status == "outstanding" and any(
        m["category"] == "OUTSTANDING" and m.get("distance", 0) <= reach for m in f.modifiers)


def _negated_nearby(f: Finding, reach: int = 2) -> bool:
    """F is denied or put as a hypothesis by words next to it ("does not undermine", "there
    was no delay"), not by a negation that belongs to another part of the sentence ("there
    are no injuries, which weakens the case": the reasoning is not negated)."""
    if f.status not in ("not_done", "hypothetical"):
        return False
    # a status from a whole row or question (distance -1: "Why did she not scream?") says nothing
    # about whether the reasoning is the officer's own
    return any(m["category"] in ("NEGATED", "HYPOTHETICAL", "ACTION") and 0 <= m.get("distance", 0) <= reach
               for m in f.modifiers) or not f.modifiers


def _phrase(f: Finding) -> str:
    return f.rule.split("|", 1)[1].lower() if "|" in f.rule else ""


def _why(fs: list[Finding]) -> str:
    parts = []
    for f in fs:
        mods = [m for m in f.modifiers if m["category"] not in ("REASON", "HISTORICAL")]
        if mods:
            # a question's modifier is its "?": its literal says how it was answered
            said = f"'{mods[0]['text']}'" if any(c.isalnum() for c in mods[0]["text"]) else mods[0].get("literal", "")
            parts.append(f"'{f.text}' {f.status} ({said}); subject {f.subject} ({f.subject_cue})")
        else:
            parts.append(f"'{f.text}' {f.status}; subject {f.subject} ({f.subject_cue})")
    return "; ".join(parts)


def _cite(s: Sentence, fs: list[Finding] = ()) -> Citation:
    return Citation(s.doc, s.page, s.text, s.start, s.end, _why(list(fs)))


@dataclass
class Match:
    sentence: Sentence
    status: str
    weak: bool
    doc_index: int
    findings: list[Finding]


class Checker:
    """Fills the checklist for one case."""

    def __init__(self, tagged: Tagged, documents: list[Document], timeline: dict, owners: dict[str, str | None], rules: ChecklistRules,
                 complainant: list[str] | tuple = ()):
        self.t = tagged
        # the complainant's names, by word ("Dear Amy," opens a letter to her)
        self.complainant_words = {w.lower() for n in complainant for w in n.split() if len(w) > 1}
        self.docs = documents
        self.doc_index = {d.id: i for i, d in enumerate(documents)}
        self.doc_by_id = {d.id: d for d in documents}
        self.first_sentence: dict[str, Sentence] = {}  # each document's first sentence
        for x in tagged.sentences:
            self.first_sentence.setdefault(x.doc, x)
        self.timeline = timeline
        self.owners = owners
        self.rules = rules
        self.results: dict[str, ItemResult] = {}
        self.matches: dict[str, list[Match]] = {}
        self.tpm_requests: list[dict] = []
        try:
            self._submitted = dt.date.fromisoformat(timeline["submitted"]) if timeline.get("submitted") else None
        except (TypeError, ValueError):
            self._submitted = None
        self._tpm_context: list[list[Finding]] = []
        self._request_docs: dict[str, tuple[list[Sentence], list[int]]] = {}  # request document -> its sentences, headings

    # ---------------------------------------------------------- evidence rule
    def _window(self, s: Sentence, n: int) -> list[Finding]:
        """Findings of S and of the next N sentences of the same document (a bullet and its follow-on)."""
        fs = list(self.t.in_sentence(s))
        for k in range(1, n + 1):
            j = s.index + k
            if j >= len(self.t.sentences) or self.t.sentences[j].doc != s.doc:
                break
            fs.extend(self.t.in_sentence(self.t.sentences[j]))
        return fs

    def _sentences_with(self, labels: Iterable[str]) -> list[Sentence]:
        """The sentences holding a finding of any of LABELS, in order (an index built once)."""
        if not hasattr(self, "_by_label"):
            self._by_label: dict[str, list[int]] = {}
            for f in self.t.findings:
                lst = self._by_label.setdefault(f.label, [])
                if not lst or lst[-1] != f.sentence:
                    lst.append(f.sentence)
        idx = sorted({i for label in labels for i in self._by_label.get(label, [])})
        return [self.t.sentences[i] for i in idx]

    def _alt_matches(self, alt: dict, skip_headings: bool = False, heading_body: bool = False, reasons_close: bool = True) -> list[Match]:
        out = []
        allowed = set(alt.get("subjects", []))
        only = {p.lower() for p in alt.get("only_phrases", [])}
        kinds = set(alt.get("doc_kinds", []))
        owners = set(alt.get("doc_owners", []))
        window = int(alt.get("window", 0))
        for s in self._sentences_with(alt["all_of"][0]):
            if s.doc_kind in self.rules.ignore_kinds or (kinds and s.doc_kind not in kinds) or not s.findings:
                continue
            if owners and self.owners.get(s.doc) not in owners:
                continue
            own = self.t.in_sentence(s)
            fs = self._window(s, window) if window else own
            if alt.get("none_of") and any(f.label in alt["none_of"] for f in own):
                continue
            groups = []
            ok = True
            for gi, group in enumerate(alt["all_of"]):
                cand = [f for f in (own if gi == 0 else fs) if f.label in group]
                if gi == 0 and only:
                    cand = [f for f in cand if _phrase(f) in only]
                if gi == 0 and alt.get("phrase_contains"):
                    cand = [f for f in cand if any(w in f.text.lower() for w in alt["phrase_contains"])]
                if gi == 0 or not alt.get("anchor_only"):
                    cand = [f for f in cand if f.subject in allowed or f.subject == "unknown"]
                    if gi == 0 and not alt.get("allow_unknown"):
                        cand = [f for f in cand if f.subject != "unknown"]
                if not cand:
                    ok = False
                    break
                groups.append(cand)
            if not ok:
                continue
            # a bare heading ("Suspect's account") is not evidence of what it heads: what is
            # written under it is
            heading = heading_like(s.text, bullets=False)
            bare = skip_headings and not any(f.modifiers for f in own) and (
                len(s.text.split()) <= 4 and ":" not in s.text and not _short_statement(s.text)
                or heading and not s.text.strip().endswith(":"))
            if bare:
                body = self._heading_body(s, set(alt["all_of"][0])) if heading_body and heading else None
                if body:
                    out.append(Match(body[1], body[0], False, self.doc_index.get(s.doc, 0), groups[0][:1]))
                continue
            best = [max(g, key=lambda f: _RANK[f.status]) for g in groups]
            if alt.get("pending_wins"):
                # "swabs were taken but have not yet been submitted": the result is what counts,
                # so the part still to come decides the sentence
                pending = [f for f in groups[0] if f.status == "outstanding"]
                if pending:
                    best[0] = pending[0]
            # a match takes the worst status of its groups, or that of one group (`status_from_group`):
            # the other groups only confirm the sense ("strategy" beside "devices": a plan to examine
            # a phone does not make the strategy itself outstanding; "Communications between them -
            # none. Total strangers": the reason says what "none" means)
            worst = best[alt["status_from_group"]] if "status_from_group" in alt else min(best, key=lambda f: _RANK[f.status])
            status = worst.status
            weak = status == "outstanding" and all(
                m["category"] == "REQUESTED" for f in best if f.status == "outstanding" for m in f.modifiers if m["category"] in ("OUTSTANDING", "REQUESTED"))
            # "not done yet as he is well known to us": work put off, with an excuse, is not a line
            # considered and closed
            closed = status == "not_done" and reasons_close and any(f.reasoned for f in best) and not _YET.search(s.text)
            if closed:
                status = "obtained"  # not pursued, with a reason: the line was considered and closed
            due = _ENDS_DATED.search(s.text) if status == "obtained" and not closed and len(s.text.split()) <= 10 \
                and not any(f.modifiers or f.nil for f in best) else None
            if due and self._future_date(s):
                # "FSP results on swabs - 15/11/24": a bare line dated after the submission
                # gives the date the work is due, not the date it was done
                status, weak = "outstanding", False
                mod = {"category": "OUTSTANDING", "literal": "<date due>", "text": due.group(0).strip(" -–:."),
                       "start": s.start + due.start(), "end": s.start + due.end()}
                best = [replace(f, status="outstanding", modifiers=[mod]) for f in best]
            # "Susp phone to DFU": naming only where the work is sent ("DFU", "triage") confirms
            # nothing was yet done there
            sent_only = bool(alt.get("pending_phrases")) and len(groups) > 1 and all(
                _phrase(f) in alt["pending_phrases"] for g in groups[1:] for f in g if f.status == "obtained")
            if (alt.get("cap") == "outstanding" or sent_only) and status == "obtained" and not closed:
                status, weak = "outstanding", True  # e.g. seized but no examination: never beats a result
                best = [replace(f, status="outstanding") if f.status == "obtained" else f for f in best]
            out.append(Match(s, status, weak, self.doc_index.get(s.doc, 0), best))
        return out

    def _heading_body(self, head: Sentence, labels: set[str]) -> tuple[str, Sentence] | None:
        """What the text under a bare heading says, read as the heading's line of enquiry:
        (status, first sentence of the body), or None when nothing is written under it.

        The body runs to the next heading-like line, at most `heading_body.sentences`
        sentences of the same document. A body that opens by saying the work is still to
        come ("Awaited", "To follow") is outstanding, one that opens with a negation ("None
        identified", "Not explored") is not done. Otherwise the first sentence's findings
        of the heading's own labels decide, then a first sentence whose findings are all
        negated or conditional is not done; any other body is an account of what was done
        (its findings are often about other things: "production order served on Uber ...
        show a trip booked")."""
        n = self.rules.body_sentences
        if not n:
            return None
        said = self._body_says
        body = []
        for s in self.t.sentences[head.index + 1: head.index + 1 + n]:
            if s.doc != head.doc or (heading_like(s.text, bullets=False) and not said(s.text)):
                break
            body.append(s)
        if not body:
            return None
        first = body[0]
        opening = said(first.text)
        own = self.t.in_sentence(first)
        if opening == "not_done" and any(f.reasoned for f in own):
            return "obtained", first  # "No forensic opportunities given the passage of time": closed with a reason
        if opening:
            return opening, first
        same = {f.status for f in own if f.label in labels}
        for status in ("obtained", "outstanding"):
            if status in same:
                return status, first
        if same or (own and all(f.status in ("not_done", "hypothetical") for f in own)):
            return "not_done", first  # "The suspect has not been arrested and his account is not known."
        return "obtained", first

    def _body_says(self, text: str) -> str | None:
        """The status a line under a heading opens with ("Awaited", "None identified"), if any."""
        text = " ".join(text.split()).lstrip("-•*> ").strip()
        if self.rules.body_outstanding and self.rules.body_outstanding.search(text):
            return "outstanding"
        if self.rules.body_not_done and self.rules.body_not_done.search(text):
            return "not_done"
        return None

    def _recipient_statements(self, rule: dict) -> list[Match]:
        """The statements of the people the complainant first told. Whoever a first-complaint
        sentence names as told ("told her sister Grace OKAFOR by phone", "texted her friend
        Jade") is looked for in the rest of the file beside a statement word ("Jade - stmt
        to be taken", "Grace OKAFOR: MG11 awaited"); those sentences say how far that
        evidence has been captured."""
        told, capture = set(rule["told"]), set(rule["capture"])
        relations = {w.lower() for w in rule.get("relations", [])}
        name_after = re.compile(rule["name_after"])
        keys: set[str] = set()
        for s in self._sentences_with(told):
            if s.doc_kind in self.rules.ignore_kinds:
                continue
            for f in self.t.in_sentence(s):
                if f.label not in told or f.status in ("not_done", "hypothetical"):
                    continue
                keys |= {w for w in re.findall(r"[a-z]+", f.text.lower()) if w in relations}
                m = name_after.match(s.text[f.end - s.start:])
                if m:
                    keys |= {w for w in m.group("who").split() if len(w) > 2}
        if not keys:
            return []
        rx = re.compile(r"\b(?:%s)\b" % "|".join(re.escape(k) for k in sorted(keys)))
        out = []
        for s in self._sentences_with(capture):
            if s.doc_kind in self.rules.ignore_kinds:
                continue
            caps = [f for f in self.t.in_sentence(s) if f.label in capture]
            if caps and (rx.search(s.text) or rx.search(s.text.lower())):
                best = max(caps, key=lambda f: _RANK[f.status])
                out.append(Match(s, best.status, False, self.doc_index.get(s.doc, 0), [best]))
        return out

    def _documents(self, kinds: list[str]) -> list[Match]:
        out = []
        for d in self.docs:
            for k in kinds:
                kind, _, owner = k.partition(":")
                if d.kind == kind and (not owner or self.owners.get(d.id) == owner):
                    first = self.first_sentence.get(d.id)
                    if first:
                        out.append(Match(first, "obtained", False, self.doc_index[d.id], []))
        return out

    def _evidence(self, it: dict) -> ItemResult:
        dec = it["decide"]
        matches: list[Match] = []
        for alt in dec["match"]:
            matches.extend(self._alt_matches(alt, dec.get("skip_headings", False), dec.get("heading_body", False), dec.get("reasons_close", True)))
        matches.extend(self._documents(dec.get("documents", [])))
        if dec.get("recipients"):
            matches.extend(self._recipient_statements(dec["recipients"]))
        self.matches[it["item"]] = matches
        for m in matches:
            if m.status == "declined":
                m.status = "obtained" if dec["declined"] == "met" else "not_done"
            if m.status == "outstanding" and (dec.get("outstanding") == "met" or (m.weak and dec["weak_outstanding"] == "met")):
                m.status = "obtained"
        veto = {p.lower() for p in dec.get("veto_phrases", [])}
        vetoed = [m for m in matches if m.status in ("not_done", "outstanding") and any(_phrase(f) in veto for f in m.findings)]
        if vetoed:  # an explicit "no digital strategy has been prepared" outweighs incidental mentions
            status = "missing" if any(m.status == "not_done" for m in vetoed) else "outstanding"
            return self._result(it, status, [m for m in vetoed if (m.status == "not_done") == (status == "missing")])
        further = tuple(w.lower() for w in dec.get("further_words", []))
        if further and any(m.status == "obtained" for m in matches):
            # a further interview still to come does not undo the one held
            matches = [m for m in matches if not (m.status == "outstanding" and m.findings and m.sentence.text[
                :m.findings[0].start - m.sentence.start].lower().rstrip().endswith(further))]
        obtained = [m for m in matches if m.status == "obtained"]
        outstanding = [m for m in matches if m.status == "outstanding"]
        strong_out = [m for m in outstanding if not m.weak]
        negative = [m for m in matches if m.status in ("not_done", "hypothetical")]
        if dec.get("gaps_win"):
            # an item made of several entitlements (needs assessment, updates, personal
            # statement) is met only when none of them is said to be undone or still to come
            undone = [m for m in matches if m.status == "not_done"]
            if undone:
                return self._result(it, "missing", undone)
            if strong_out:
                return self._result(it, "outstanding", strong_out)
        if obtained and strong_out and dec.get("result_beats_pending"):
            # a later bare mention ("Dr OSEI (FME statement)") does not answer "DNA result
            # awaited": only a stated result does
            said = [m for m in obtained if any(x["category"] in ("COMPLETED", "NIL_RESULT") for f in m.findings for x in f.modifiers)]
            if not said:
                return self._result(it, "outstanding", strong_out)
            obtained = said
        if obtained and strong_out:
            last_ob = max(m.doc_index for m in obtained)
            last_out = max(m.doc_index for m in strong_out)
            if last_out > last_ob or (last_out == last_ob and dec.get("same_document_prefers") == "outstanding"):
                status, cited = "outstanding", [m for m in strong_out if m.doc_index == last_out]
            else:
                status, cited = "met", obtained
        elif obtained:
            status, cited = "met", obtained
        elif outstanding:
            status, cited = "outstanding", outstanding
        else:
            status, cited = "missing", negative
            pending = self._pending_from(dec["pending_from"]) if dec.get("pending_from") else []
            if pending:
                # not done yet, but the police have the work in hand ("consent was not covered;
                # further interview booked 19/09 to put it to him")
                status, cited = "outstanding", pending
                self.matches[it["item"]] = matches + pending
        return self._result(it, status, cited)

    def _pending_from(self, pend: dict) -> list[Match]:
        """Police work still to come that would answer an item not yet met: findings of
        `labels` that are outstanding, of `subjects` (or of nobody named), led by one of
        `lead_words` ("further interview", "re-interview")."""
        labels, subjects = set(pend["labels"]), set(pend.get("subjects", [])) | {"unknown"}
        leads = tuple(w.lower() for w in pend.get("lead_words", []))
        out = []
        for f in self.t.findings:
            if f.label not in labels or f.status != "outstanding" or f.subject not in subjects or f.doc_kind in self.rules.ignore_kinds:
                continue
            s = self.t.sentences[f.sentence]
            before = s.text[:f.start - s.start].lower().rstrip()
            if leads and not (before.endswith(leads) or f.text.lower().startswith(leads)):
                continue
            out.append(Match(s, "outstanding", False, self.doc_index.get(s.doc, 0), [f]))
        return out

    def _result(self, it: dict, status: str, cited: list[Match] | list[Citation]) -> ItemResult:
        cites: list[Citation] = []
        seen = set()
        for m in cited:
            c = m if isinstance(m, Citation) else _cite(m.sentence, m.findings)
            key = (c.page, c.start)
            if key in seen:
                continue
            seen.add(key)
            cites.append(c)
            if len(cites) >= self.rules.max_citations:
                break
        return ItemResult(it["item"], it["group"], status, cites, self.rules.action_for(it["item"], status), it["title"])

    # ---------------------------------------------------------- derived rules
    def _outstanding_timetabled(self, it: dict) -> ItemResult:
        labels = set(it["decide"]["date_labels"])
        # a schedule's row describes what is held ("request and acknowledgement - response
        # awaited"), not work to be done
        skip_kinds = set(it["decide"].get("skip_kinds", [])) | self.rules.ignore_kinds
        untimed: list[Match] = []
        timed: list[Match] = []
        any_out = False
        covered: set[int] = set()  # sentences of the checklist's outstanding items, dated or not
        for iid, res in self.results.items():
            if res.status != "outstanding":
                continue
            covered |= {m.sentence.index for m in self.matches.get(iid, [])}
            ms = [m for m in self.matches.get(iid, []) if m.status == "outstanding"]
            # the date may be given where the same work is spoken of again ("MG6D to follow"
            # here, "MG6D | To do | 21/03/25" in the plan)
            dated = next((m for m in ms + [m for m in self.matches.get(iid, []) if m.status != "outstanding"]
                          if self._dated(m.sentence, labels)), None)
            if ms and dated is None and all(m.sentence.doc_kind in skip_kinds for m in ms):
                continue  # pending only in a schedule's description
            any_out = True
            if dated is not None:
                timed.append(dated)
            else:
                untimed.extend(ms[:1])
        if not untimed:
            # the file may say that other work is awaited ("statement from the taxi driver to
            # follow") than the checklist's outstanding items: that needs a date too
            skip_labels = set(it["decide"].get("ignore_labels", []))
            # plainly pending words only ("awaited", "to follow"), not "booked" or "sent"
            pending_words = {w.lower() for w in it["decide"].get("pending_words", [])}
            for f in self.t.findings:
                if f.status != "outstanding" or f.label in labels | skip_labels or f.doc_kind in skip_kinds \
                        or f.sentence in covered:
                    continue  # (an item's own pending work was judged with all its mentions above)
                if not any(m["category"] == "OUTSTANDING" and m["literal"].lower() in pending_words for m in f.modifiers):
                    continue
                s = self.t.sentences[f.sentence]
                if heading_like(s.text, bullets=False):
                    continue
                any_out = True
                m = Match(s, "outstanding", False, self.doc_index.get(s.doc, 0), [f])
                (timed if self._dated(s, labels) else untimed).append(m)
            untimed = untimed[:1]
        if not any_out:
            # nothing pending by name, but work given a target date ("statement of the door
            # supervisor by video link, target 11/04/2025") is work still to come, timetabled
            day = self._submitted
            timed = []
            for f in self.t.findings:
                if day is None or f.label not in labels or f.status in ("not_done", "hypothetical") or f.doc_kind in skip_kinds:
                    continue
                s = self.t.sentences[f.sentence]
                if not heading_like(s.text, bullets=False) and any(d > day for _, _, d in find_dates(s.text)):
                    timed.append(Match(s, "outstanding", False, self.doc_index.get(f.doc, 0), [f]))
            if not timed:
                return self._result(it, "not_applicable", [])
            return self._result(it, "met", timed[:1])
        if untimed:
            return self._result(it, "missing", untimed)
        return self._result(it, "met", timed)

    def _dated(self, s: Sentence, labels: set[str]) -> bool:
        """Whether pending work in S has a target: a target-date phrase in S or the sentence
        after it, or a date still to come given as one."""
        return any(f.label in labels and f.status not in ("not_done", "hypothetical")
                   for x in self._neighbours(s, 1) for f in self.t.in_sentence(x)) or self._future_date(s)

    _SHORT_DATE = re.compile(r"(?<![\d/.])(\d{1,2})[/.](\d{1,2})(?![\d/.]|\.\d)")

    def _future_date(self, s: Sentence) -> bool:
        """Whether the sentence gives a date after the file's submission ("to be completed at
        the s.28 meeting on 17/02/26", "Outstanding: Uber data 28/03/2025"). A full date still to
        come is a target unless "until", "from" or "bailed" date something else by it; a short
        one ("ABE (16/02)") only when it is given as one (`target_lead`: "on", "by", "booked",
        "("), since its year is a guess."""
        day, lead = self._submitted, self.rules.target_lead
        if day is None or lead is None:
            return False
        if any(d > day and not _NOT_TARGET.search(s.text[max(0, a - 24):a]) for a, _, d in find_dates(s.text)):
            return True
        for m in self._SHORT_DATE.finditer(s.text):
            if not lead.search(s.text[max(0, m.start() - 24):m.start()]):
                continue
            try:
                d = dt.date(day.year, int(m.group(2)), int(m.group(1)))
            except ValueError:
                continue
            if d < day - dt.timedelta(days=183):
                d = d.replace(year=day.year + 1)
            if day < d <= day + dt.timedelta(days=183):
                return True
        return False

    def _neighbours(self, s: Sentence, after: int) -> list[Sentence]:
        out = [s]
        for k in range(1, after + 1):
            j = s.index + k
            if j < len(self.t.sentences) and self.t.sentences[j].page == s.page:
                out.append(self.t.sentences[j])
        return out

    def _action_plan(self, it: dict) -> ItemResult:
        dec = it["decide"]
        act, resp, combined_title = self.rules.plan_patterns
        # a police section that sets out the CPS's actions with an answer under each ("EARLY
        # ADVICE 01/11/2024 - ACTIONS AND RESPONSES"), up to the next title, is both the plan
        # and its answer
        combined: set[int] = set()
        region = None
        for s in self.t.sentences:
            if region is not None and (s.doc != region or is_title(s.text, 3)):
                region = None
            if self.doc_by_id[s.doc].kind in dec["response_kinds"] and len(s.text.split()) <= 14 \
                    and combined_title.search(s.text):
                region = s.doc
            elif region is not None:
                combined.add(s.index)
        plan_docs = [d for d in self.docs if d.kind in dec["plan_kinds"]]
        if not plan_docs and not combined:
            return self._result(it, "not_applicable", [])
        plan_ids = {d.id for d in plan_docs}
        actions: dict[int, Sentence] = {}
        responses: dict[int, list[Sentence]] = {}
        answering: int | None = None  # the action a combined section is answering
        for s in self.t.sentences:
            if s.doc in plan_ids or s.index in combined:
                m = act.match(s.text)
                if m:
                    n = int(next(g for g in m.groups() if g))
                    if not s.text[m.end():].strip(" .):-\t") and s.index + 1 < len(self.t.sentences):
                        s = self.t.sentences[s.index + 1]  # "1." on its own line: the action is the next line
                    actions.setdefault(n, s)
                    answering = n if s.index in combined else None
                elif answering is not None and s.index in combined and len(s.text.split()) >= 2:
                    responses.setdefault(answering, []).append(s)
            else:
                answering = None
        if not actions and not plan_docs:
            return self._result(it, "not_applicable", [])
        plan_end = max([self.doc_index[d.id] for d in plan_docs] or [-1])
        for s in self.t.sentences:
            d = self.doc_by_id[s.doc]
            if d.kind in dec["plan_kinds"] or d.kind not in dec["response_kinds"]:
                continue
            for m in resp.finditer(s.text):
                responses.setdefault(int(m.group(1)), []).append(s)
        if not actions and all(d.email for d in plan_docs):
            # a CPS e-mail that sets no numbered actions ("thanks, I will review", an
            # auto-reply) is no action plan
            return self._result(it, "not_applicable", [])
        if not actions:
            later = [d for d in self.docs if d.kind == "MG3A" or self.doc_index[d.id] > plan_end]
            return self._result(it, "met" if any(d.kind == "MG3A" for d in later) else "missing", [_cite(self.first_sentence[plan_docs[0].id])])
        unanswered = [actions[n] for n in sorted(actions) if n not in responses]
        if unanswered:
            return self._result(it, "missing", [_cite(s) for s in unanswered])
        # an answer that the work is still in hand is an answer: the work itself is judged
        # under its own item
        return self._result(it, "met", [_cite(responses[n][0]) for n in sorted(actions)])

    def _tpm_flag(self, it: dict) -> ItemResult:
        flag = it["decide"]["flag"]
        if not self.tpm_requests:
            return self._result(it, "not_applicable", [])
        failing = [r for r in self.tpm_requests if not r[flag]]
        cites = [r["_cite"] for r in (failing or self.tpm_requests)]
        return self._result(it, "missing" if failing else "met", cites)

    def _context_has(self, ctx: list[Finding], labels) -> bool:
        return any(f.label in labels and f.status not in ("not_done", "hypothetical") for f in ctx)

    def _counselling(self, it: dict) -> ItemResult:
        reqs = [(r, ctx) for r, ctx in zip(self.tpm_requests, self._tpm_context) if r["category"] == "counselling"]
        if not reqs:
            return self._result(it, "not_applicable", [])
        need = it["decide"]["need"]
        failing = [r for r, ctx in reqs if not all(self._context_has(ctx, g) for g in need)]
        return self._result(it, "missing" if failing else "met", [r["_cite"] for r, _ in reqs])

    def _device(self, it: dict) -> ItemResult:
        dec = it["decide"]
        reqs = [(r, ctx) for r, ctx in zip(self.tpm_requests, self._tpm_context) if r["category"] == "complainant_device"]
        if not reqs:
            return self._result(it, "not_applicable", [])
        failing = []
        for r, ctx in reqs:
            ok = all(self._context_has(ctx, g) for g in dec["need"]) and self._context_has(ctx, dec["scope"]) \
                and not self._context_has(ctx, dec["red_flags"])
            if not ok:
                failing.append(r)
        return self._result(it, "missing" if failing else "met", [r["_cite"] for r, _ in reqs])

    def _enquiry_record(self, it: dict) -> ItemResult:
        """Whether the lines of enquiry are recorded with where each stands.

        A status line is a bullet, numbered point, "CCTV - done" line or table row giving an
        enquiry a status. The record is met by a sentence naming the lines of enquiry
        (`intro_labels`) followed within `intro_window` sentences by `intro_items` status lines;
        by `min_items` status lines when the file answers an earlier action plan (a document of
        `plan_kinds`) or when they run line after line under a heading; otherwise only by a long
        run of `min_items_unintroduced` of them. In each case at least `min_done` must be done.
        A record said to be still to come ("RLOE - TBC after CPS advice") is no record, and
        prose that merely mentions "lines of enquiry" is not enough."""
        dec = it["decide"]
        list_line, status_words, list_title, deflect = self.rules.record_patterns[it["item"]]
        labels, intro = set(dec["labels"]), set(dec["intro_labels"])
        skip = set(dec.get("skip_kinds", [])) | self.rules.ignore_kinds
        sents = self.t.sentences

        def with_status(s: Sentence) -> list[Finding]:
            fs = [f for f in self.t.in_sentence(s) if f.label in labels]
            if fs and (any(f.modifiers or f.nil or f.status != "obtained" for f in fs) or status_words.search(s.text)):
                return fs
            return []

        items: list[Match] = []
        done = 0
        intros: list[Match] = []
        pending: list[Match] = []
        for s in sents:
            if s.doc_kind in skip or not s.findings:
                continue
            own = self.t.in_sentence(s)
            for f in own:
                # "RLOE - to follow" is a record still to come; "Lines of enquiry - outstanding"
                # titles the list of those still open
                if f.label in intro and f.status == "outstanding" and f.modifiers and all(
                        m["category"] == "OUTSTANDING" and not list_title.match(m["text"].strip()) for m in f.modifiers):
                    pending.append(Match(s, "outstanding", False, 0, [f]))
            fs = with_status(s)
            if fs and len(s.text.split()) <= dec["max_words"] and list_line.match(s.text):
                items.append(Match(s, "obtained", False, 0, fs))
                done += any(f.status == "obtained" for f in fs)
            heads = [f for f in own if f.label in intro and f.status == "obtained"]
            if heads and not intros:
                n = sum(1 for x in sents[s.index + 1: s.index + 1 + dec["intro_window"]] if x.doc == s.doc and with_status(x))
                if n >= dec["intro_items"] or len({f.label for f in own if f.label in labels}) >= dec["intro_items"] + 1:
                    intros.append(Match(s, "obtained", False, 0, heads))
        if pending:
            return self._result(it, "missing", pending)
        # "See log p2", "Everything else is on the system", "No other RLOE": the record is
        # pointed at, not given
        pointed = [Match(s, "not_done", False, 0, []) for s in sents if s.doc_kind not in skip and deflect.search(s.text)]
        if pointed:
            return self._result(it, "missing", pointed)
        if intros:
            # a list the file introduces as its lines of enquiry ("RLOE:", "Investigation plan")
            return self._result(it, "met", items if len(items) >= dec["min_items"] and done >= dec["min_done"] else intros)
        # answers to an earlier CPS action plan are a record of where each line stands; without
        # such a plan or an introduction, a few status lines scattered through working notes are
        # no record of the lines of enquiry: only a long run of them is
        answers_plan = any(d.kind in dec["plan_kinds"] for d in self.docs)
        if len(items) >= dec["min_items" if answers_plan or self._headed_list(items, dec["min_items"])
                              else "min_items_unintroduced"] and done >= dec["min_done"]:
            return self._result(it, "met", items)
        return self._result(it, "missing", [])

    def _headed_list(self, items: list[Match], least: int) -> bool:
        """Whether LEAST or more of ITEMS run line after line under a heading ("Enquiries:",
        "Where we are"), as a list does."""
        run, prev = 0, None
        for m in items:
            i = m.sentence.index
            run = run + 1 if prev is not None and i == prev + 1 else 1
            if run == 1:
                first = i
            if run >= least and first > 0 and heading_like(self.t.sentences[first - 1].text):
                return True
            prev = i
        return False

    def _key_dates(self, it: dict) -> ItemResult:
        need = it["decide"]["need"]
        ok = all(any(self.timeline.get(f) for f in group) for group in need)
        return self._result(it, "met" if ok else "missing", [])

    def _delay(self, it: dict) -> ItemResult:
        dec = it["decide"]
        days = self.timeline.get("days_report_to_submission")
        # the dates may be unknown or misread, but a file that apologises for its delay
        # ("sorry this has sat with me") owes the reason for it
        labels = set(dec.get("admitted", []))
        admitted = [Match(self.t.sentences[f.sentence], "not_done", False, 0, [f]) for f in self.t.findings
                    if f.label in labels and f.status != "not_done" and f.doc_kind not in self.rules.ignore_kinds]
        if days is not None and days <= dec["days"] or days is None and not admitted:
            return self._result(it, "not_applicable", [])
        found = []
        reach = int(dec.get("window", 0))  # "Delay" as a heading, its causes in the lines below
        first, rest = set(dec["need"][0]), [set(g) for g in dec["need"][1:]]
        wanted = set().union(first, *rest)
        for s in self._sentences_with(first):
            if s.doc_kind in self.rules.ignore_kinds:
                continue
            fs = self.t.in_sentence(s)
            # the delay itself must not be denied; its cause may well be a negative ("the
            # download was not returned until June")
            if not any(f.label in first and f.status != "not_done" for f in fs):
                continue
            near = fs + [f for x in self.t.sentences[s.index + 1: s.index + 1 + reach] if x.doc == s.doc
                         for f in self.t.in_sentence(x)]
            if all(any(f.label in g for f in near) for g in rest):
                found.append(Match(s, "obtained", False, 0, [f for f in near if f.label in wanted]))
        return self._result(it, "met", found) if found else self._result(it, "missing", admitted)

    # ---------------------------------------------------------- tpm requests
    def find_tpm_requests(self) -> None:
        cfg = self.rules.tpm
        cats = cfg["categories"]
        request = set(cfg["request"])
        asking = request | set(cfg["device_action"])
        seen: dict[str, list] = {}
        cues = set(cfg["reason"] + cfg["scope"] + cfg["notice"] + cfg["device_notice"] + cfg["trawl"])
        generic = set(cfg.get("section", []))
        section_cues = request | set(cfg["reason"] + cfg["scope"])
        section_doc, section_left = None, 0  # inside a "Third-party material" section
        victim = self.rules.victim_notice
        notices = {d.id for d in self.docs if d.kind in cfg.get("device_request_kinds", [])}
        victim_notices = {x.doc for x in self.t.sentences if x.doc in notices and victim.search(x.text)} if notices and victim else set()
        for s in self.t.sentences:
            if s.doc != section_doc:
                section_doc, section_left = None, 0
            heading = _is_heading(s.text)
            if heading:
                # a heading about third-party material opens a section whose holders are
                # the requests ("Fellgate Medical Practice: the note of one consultation")
                opens = any(f.label in generic and f.status != "not_done" for f in self.t.in_sentence(s))
                section_doc, section_left = (s.doc, cfg["section_sentences"]) if opens else (None, 0)
            elif section_left:
                section_left -= 1
            if s.doc_kind in self.rules.ignore_kinds or not s.findings:
                continue
            fs = self.t.in_sentence(s)
            in_request_doc = s.doc_kind in cfg["request_kinds"]
            asked = in_request_doc or any(f.label in request and f.status != "not_done" for f in fs)
            if section_left and not asked and not any(f.status in ("not_done", "hypothetical") for f in fs):
                # in the section, a holder is a request when it or the next sentence speaks
                # of asking, a reason or a limit ("Line of enquiry: ...", "limited to ...")
                nxt = self.t.sentences[s.index + 1] if s.index + 1 < len(self.t.sentences) else None
                near = fs + (self.t.in_sentence(nxt) if nxt is not None and nxt.doc == s.doc else [])
                asked = any(g.label in section_cues and g.status != "not_done" for g in near)
            found_cats = []
            for f in fs:
                # "GP records - awaited", "Social services records: received": a status word
                # speaking of the records is a request as much as "requested" is
                spoken_of = f.status == "outstanding" or any(
                    m["category"] in ("COMPLETED", "NIL_RESULT", "REQUESTED", "OUTSTANDING") for m in f.modifiers)
                # "Children's Services and LADO: no trace" is a check with a nil result, not a
                # request for the complainant's records
                if (asked or spoken_of) and f.label in cats and f.status != "not_done" and not f.nil \
                        and f.subject in ("complainant", "unknown") and not _denied(f):
                    found_cats.append((cats[f.label], f))
            # a section about a request ("Complainant's phone", "Request 2 - GP records"); a form's
            # question ("Complainant's phone?") asks, it does not request
            if heading and not s.text.rstrip().endswith("?"):
                asked = True
                # unless what it heads says the material was not sought ("Third-party material
                # and the complainant's phone" over "Her phone has not been requested")
                under = [self.t.in_sentence(x) for x in self.t.sentences[s.index + 1:s.index + 1 + cfg["section_sentences"]]
                         if x.doc == s.doc]
                refused = {g.label for fs_x in under for g in fs_x if g.status == "not_done" or _denied(g)}
                # and "Complainant's phone" over "Not examined; not required" or "Not sought": the
                # first lines under it refuse the asking itself
                first = [g for fs_x in under[:2] for g in fs_x if g.label in asking]
                if first and all(g.status == "not_done" or _denied(g) for g in first):
                    refused |= {f.label for f in fs}
                fs_heading = [f for f in fs if f.label not in refused]
            else:
                fs_heading = []
            for f in fs_heading:
                if f.label in cats and f.status != "not_done" and (cats[f.label], f) not in found_cats:
                    found_cats.append((cats[f.label], f))
            devices = [g for g in fs if g.label == "DEVICE"]
            # "Her handset not sought; ... reviewed if only her handset could resolve it": a
            # sentence that says her device was not sought asks for it nowhere
            unasked = any(g.subject == "complainant" and (g.status == "not_done" or _denied(g)) for g in devices)
            # screenshots she gave from her phone are not her phone ("She gave her phone's history to
            # me by screenshot (exhibit TW/4)"), unless the phone itself is examined as well
            if any(g.label == "SCREENSHOTS" and g.status != "not_done" for g in fs) and not any(
                    g.label in ("EXAMINE", "DPN") and g.status != "not_done" for g in fs):
                unasked = True
            for f in fs:
                # whose device: a possessive or a party named just before or after it, not a
                # pronoun somewhere else in the sentence
                if f.label == "DEVICE" and f.subject == "complainant" and f.status != "not_done" and not f.nil and not _denied(f) \
                        and not unasked:  # "IP phone | NOT REQUIRED - stranger" asks for nothing
                    if s.doc in victim_notices:
                        # a digital processing notice for a victim's or witness's device that
                        # names the complainant as its user is the request for her device
                        found_cats.append(("complainant_device", f))
                    elif "same clause" not in f.subject_cue and "in the sentence" not in f.subject_cue \
                            and _owned(s.text, f.start - s.start, f.end - s.start) and (
                            f in fs_heading or any(g.label in cfg["device_action"] and g.status != "not_done"
                                                   and _acts_on(g, f, devices) and not _refers_back(g, f, s) for g in fs)):
                        found_cats.append(("complainant_device", f))
            # records named as part of another request ("her medical records, in particular any
            # counselling referrals") are what that request covers, not a request of their own
            found_cats = [(cat, f) for cat, f in found_cats
                          if not any(c != cat and g.end <= f.start and _PART_OF.search(s.text[g.end - s.start:f.start - s.start])
                                     for c, g in found_cats)]
            for cat, f in found_cats:
                whole = s.doc_kind in cfg["request_kinds"] or cat == "complainant_device" and s.doc in victim_notices
                ctx_sents = self._request_doc_part(s, set(cats) | request) if whole else self._request_context(s, cats, cfg)
                ctx = [g for cs in ctx_sents for g in self.t.in_sentence(cs)]
                weight = sum(1 for g in ctx if g.label in cues)
                weight += 5 * any(g.label in request for g in fs) + 100 * whole
                seen.setdefault(cat, []).append((weight, s, f, ctx))
        general_notice = self._general_notice(cfg) if seen else False
        told = self._letters_to_her(cats) if seen else set()
        for cat, mentions in sorted(seen.items(), key=lambda kv: (kv[1][0][1].index, kv[0])):
            weight, s, f, _ = max(mentions, key=lambda m: (m[0], -m[1].index))
            # a request set out in a section of its own ("Request 2 - Children's Services") is
            # read from that section alone; otherwise every mention counts, since a request is
            # often named in a summary and explained elsewhere
            sections = [m for m in mentions if _is_heading(m[1].text)]
            ctx = [g for m in (sections or mentions) for g in m[3]]
            dev = cat == "complainant_device"
            # a trawl or an unlimited reach is the complainant's: "any previous allegations
            # against him" at his employer, or "a full download of the suspect's phone", is not
            hers = [g for g in ctx if g.subject != "suspect"]
            trawl = self._context_has(hers, cfg["trawl"])
            unlimited = self._context_has(hers, cfg["device_unlimited"] if dev else cfg["unlimited"])
            scope = self._context_has(ctx, cfg["device_scope"] if dev else cfg["scope"]) and not unlimited
            # a complainant's device examined only for what passed between the parties ("the
            # WhatsApp thread with the suspect only") names the line of enquiry it serves
            reason = (self._context_has(ctx, cfg["reason"]) or dev and scope) and not trawl
            # a notice still to be given ("she has not yet been told") is no notice; a notice
            # may be given anywhere the request is spoken of, or once for all the requests
            notice = set(cfg["device_notice"] if dev else cfg["notice"])
            notified = (not dev and (general_notice or cat in told)) or any(
                g.label in notice and g.status not in ("not_done", "hypothetical") and not _pending_here(g)
                and self._to_her(g) for m in mentions for g in m[3])
            if not reason or trawl:
                assessment = "speculative"
            elif scope:
                assessment = "justified"
            else:
                assessment = "needs_justification"
            req = {"category": cat, "holder": _holder(s.text), "page": s.page, "quote": s.text,
                   "start": s.start, "end": s.end, "document": s.doc,
                   "reason_stated": reason, "scope_limited": scope, "victim_notified": notified,
                   "assessment": assessment, "_cite": _cite(s, [f])}
            self.tpm_requests.append(req)
            self._tpm_context.append(ctx)

    def _to_her(self, f: Finding) -> bool:
        """A notice given to the complainant: not one given only to her mother or a carer
        ("Owen's mother has been told"), though one given to both counts."""
        return f.subject in ("complainant", "unknown") or _COMPLAINANT_WORD.search(self.t.sentences[f.sentence].text) is not None

    def _letters_to_her(self, cats: dict) -> set[str]:
        """The kinds of records named in a letter to the complainant ("Dear Amy, ... I have
        asked Children's Services for ... and your GP for ..."): telling her in writing what is
        asked for is the notice, whichever words it uses. The letter runs from its greeting to
        its sign-off, or to the end of its document."""
        if not self.complainant_words:
            return set()
        out: set[str] = set()
        sents = self.t.sentences
        for s in sents:
            m = _GREETING.match(s.text)
            if not m or m.group(1).lower() not in self.complainant_words:
                continue
            for x in sents[s.index:]:
                if x.doc != s.doc or x.index > s.index and (_GREETING.match(x.text) or _ADDRESSED.match(x.text)):
                    break
                out |= {cats[f.label] for f in self.t.in_sentence(x) if f.label in cats and f.status not in ("not_done", "hypothetical")}
                if _SIGN_OFF.match(x.text):
                    break
        return out

    def _general_notice(self, cfg: dict) -> bool:
        """A notice given to the complainant once for all the requests ("Nathan was given a
        written notice on 06/03/2025 setting out each of the three requests (counselling, school,
        children's services)"): a notice in a sentence that speaks of third-party material in
        general or of two kinds of records at once."""
        cats, generic, notice = set(cfg["categories"]), set(cfg.get("section", [])), set(cfg["notice"])
        for s in self._sentences_with(notice):
            if s.doc_kind in self.rules.ignore_kinds:
                continue
            fs = self.t.in_sentence(s)
            if not any(f.label in notice and f.status not in ("not_done", "hypothetical") and not _pending_here(f)
                       and self._to_her(f) for f in fs):
                continue
            if any(f.label in generic for f in fs) or len({f.label for f in fs if f.label in cats}) >= 2 \
                    or self.rules.all_requests and self.rules.all_requests.search(s.text):
                return True
        return False

    def _request_doc_part(self, s: Sentence, names: set[str]) -> list[Sentence]:
        """What a request document says of the request at S: the whole document, or, when it
        sets out several requests under headings of their own ("Request 2 - Children's
        Services"), its opening and the part under the heading S falls under. A reason or a
        notice written under one request is not one for the next. NAMES are the labels that
        make a heading a request's (its records, or the asking)."""
        if s.doc not in self._request_docs:  # every mention in the document shares its parts
            doc = self.t.of_document(s.doc)
            self._request_docs[s.doc] = doc, [k for k, x in enumerate(doc) if k and _is_heading(x.text)
                                              and any(f.label in names for f in self.t.in_sentence(x))]
        doc, heads = self._request_docs[s.doc]
        k = next(i for i, x in enumerate(doc) if x is s)
        if len(heads) < 2 or k < heads[0]:
            return doc
        start = max(h for h in heads if h <= k)
        end = next((h for h in heads if h > start), len(doc))
        return doc[:heads[0]] + doc[start:end]

    def _request_context(self, s: Sentence, cats: dict, cfg: dict) -> list[Sentence]:
        out = [s]
        mine = {f.label for f in self.t.in_sentence(s) if f.label in cats}
        request = set(cfg["request"])
        heading = _is_heading(s.text)
        for k in range(1, cfg["section_sentences" if heading else "context_sentences"] + 1):
            j = s.index + k
            if j >= len(self.t.sentences):
                break
            nxt = self.t.sentences[j]
            if nxt.doc != s.doc:
                break
            labels = {f.label for f in self.t.in_sentence(nxt) if f.status != "not_done"}
            if (labels & set(cats)) - mine and labels & request:
                break  # the next request begins (not "her wider file ... is NOT asked for")
            if _is_heading(nxt.text) or (_BULLET_START.match(nxt.text) and not heading and not _PARAGRAPH_NO.match(nxt.text)):
                break  # the next section, or the next item of a list
            out.append(nxt)
        return out

    # ---------------------------------------------------------- concerns
    def find_concerns(self) -> list[dict]:
        out = []
        concerns = [(c, {p.lower() for p in c.get("only_phrases", [])},
                     set(c.get("subjects", ["suspect", "complainant", "witness", "unknown"]))) for c in self.rules.concerns]
        # a concern opens with a finding of its first group: only sentences holding one can raise it
        for s in self._sentences_with({label for c in self.rules.concerns for label in c["all_of"][0]}):
            if s.doc_kind in self.rules.ignore_kinds:
                continue
            fs = self.t.in_sentence(s)
            for c, only, subjects in concerns:
                ok = True
                used = []
                for gi, group in enumerate(c["all_of"]):
                    # a reasoning phrase may carry its own negation ("not consistent with"): its
                    # status is then the phrase's meaning, not a negation of it
                    pool = fs if gi == 0 else fs + self._follow_on(s, c.get("reasoning_follows", []))
                    cand = [f for f in pool if f.label in group and (not _negated_nearby(f) or _self_negating(f))]
                    if gi == 0 and only:
                        cand = [f for f in cand if _phrase(f) in only]
                    if gi == 0:
                        cand = [f for f in cand if f.subject in subjects]
                    if not cand:
                        ok = False
                        break
                    used.append(cand[0])
                if ok:
                    out.append({"kind": c["kind"], "page": s.page, "quote": s.text, "start": s.start, "end": s.end,
                                "document": s.doc, "why": c["why"], "rule": used[0].rule})
                    break  # one concern a sentence, the most specific first
        return out

    def _follow_on(self, s: Sentence, openings: list[str]) -> list[Finding]:
        """The findings of the next sentence of the same document when it opens by pointing
        back ("This will be an issue at trial."), else none."""
        j = s.index + 1
        if not openings or j >= len(self.t.sentences):
            return []
        nxt = self.t.sentences[j]
        if nxt.doc != s.doc or not nxt.text.lower().startswith(tuple(o + " " for o in openings)):
            return []
        return list(self.t.in_sentence(nxt))

    # ---------------------------------------------------------- run
    def run(self) -> list[ItemResult]:
        self.find_tpm_requests()
        derived = {"outstanding_timetabled": self._outstanding_timetabled, "action_plan_responded": self._action_plan,
                   "tpm_flag": self._tpm_flag, "counselling_threshold": self._counselling,
                   "complainant_device_lawful": self._device, "key_dates": self._key_dates, "delay_explained": self._delay,
                   "enquiry_record": self._enquiry_record}
        # evidence items first: outstanding_timetabled reads their results
        for it in self.rules.items:
            if it["decide"]["rule"] == "evidence":
                self.results[it["item"]] = self._evidence(it)
        for it in self.rules.items:
            # "the messages will come from his download": nothing said of this item, but the
            # item it depends on is still to come
            waits = it["decide"].get("waits_on")
            res = self.results.get(it["item"])
            if waits and res and res.status == "missing" and self.results[waits].status == "outstanding":
                self.results[it["item"]] = self._result(it, "outstanding", self.results[waits].evidence)
        for it in self.rules.items:
            rule = it["decide"]["rule"]
            if rule != "evidence" and rule != "outstanding_timetabled":
                self.results[it["item"]] = derived[rule](it)
        for it in self.rules.items:
            if it["decide"]["rule"] == "outstanding_timetabled":
                self.results[it["item"]] = self._outstanding_timetabled(it)
        return [self.results[i] for i in CHECKLIST_ITEMS]


_COMPLAINANT_WORD = re.compile(r"\b(?:complainant|victim|IP|V1|aggrieved)\b", re.I)
# "8.2 IP was told ...": the next numbered paragraph of the same section, not the next item of a list
_PARAGRAPH_NO = re.compile(r"^\s*\d{1,2}\.\d{1,2}\s")
_BULLET_START = re.compile(r"^\s*(?:[•·▪●◦‣\-–*]|\(?\d{1,2}[.)]|\(?[a-h][.)])\s")


_POSSESSOR_BEFORE = re.compile(r"(?:['’]s|\b(?:her|his|their|hers)|\b(?:IP|complainant|victim|vic)s?['’]?)\s+(?:own\s+|personal\s+|mobile\s+|work\s+|new\s+|old\s+)?$", re.I)
_POSSESSOR_AFTER = re.compile(r"^\s*(?:\([^)]*\)\s*)?(?:of|belonging to|used by|owned by)\s+(?:the\s+)?\w+", re.I)


_PART_OF = re.compile(r"\b(?:including|includes|include|in particular|particularly|such as|incl|especially|namely|e\.g)\b", re.I)
_ACTION_REACH = 60  # characters between a device and what is done to it
_LISTED_WITH = 8  # characters between two devices listed together ("phone and tablet")


def _gap(a: Finding, b: Finding) -> int:
    return max(a.start - b.end, b.start - a.end, 0)


def _acts_on(action: Finding, device: Finding, devices: list[Finding]) -> bool:
    """Whether ACTION (a download, a seizure, a request) is done to DEVICE: it is close to it,
    and no other device in the sentence is closer ("his phone download and Priya's account"),
    save one listed with it ("IP phone + iPad - seized", "her phone and tablet")."""
    d = _gap(action, device)
    return d <= _ACTION_REACH and all(_gap(action, o) >= d for o in devices
                                      if o is not device and _gap(o, device) > _LISTED_WITH)


def _refers_back(action: Finding, device: Finding, s: Sentence) -> bool:
    """"Kieran's screenshots match the download": an action named after the device as "the
    download", not a download of anything named, is one spoken of before, not done to it."""
    before = s.text[:action.start - s.start].rstrip().lower()
    after = s.text[action.end - s.start:].lstrip().lower()
    return action.start > device.end and before.endswith((" the", " that", " this")) and not after.startswith(("of ", "from "))


def _denied(f: Finding) -> bool:
    """Records or a phone said not to be wanted, whatever else the sentence says of them ("No
    counselling or police records have been or will be sought", "No line of enquiry needs the
    IP's handset", "IP's phone NOT required"): no request. A threat put as a condition ("if
    she did not hand over her phone ...") is still a request for it."""
    return f.status != "hypothetical" and any(
        m["category"] == "NEGATED" or m["category"] == "REASON" and m["literal"].lower().startswith(("not ", "no "))
        for m in f.modifiers)


def _owned(text: str, a: int, b: int) -> bool:
    """Whether the device at text[a:b] is named with its owner ("Imogen's phone", "her
    handset", "the phone belonging to the IP"), not merely near a party's name ("chat with
    the complainant deleted on the handset")."""
    return bool(_POSSESSOR_BEFORE.search(text[max(0, a - 40):a]) or _POSSESSOR_AFTER.match(text[b:b + 40]))


_YET = re.compile(r"\b(?:yet|so far)\b", re.I)
_NUMBERED = re.compile(r"^\s*\d+(?:\.\d+)*\s")
_LABEL_VALUE = re.compile(r"\s[-\u2013]\s")


def _short_statement(text: str) -> bool:
    """A few words ending in a full stop ("Susp denies.", "IP ABE 05/02/25.") say something
    happened; a numbered heading ("5.3 Intelligence.") or a label with its value ("SARC -
    n/a.") does not on its own."""
    return text.rstrip().endswith(".") and not _NUMBERED.match(text) and not _LABEL_VALUE.search(text)


# a letter's greeting ("Dear Amy,") or the title of a copy notice ("COPY - NOTICE TO RYAN HEPWORTH")
_GREETING = re.compile(r"^\W*(?:dear|(?:copy\W+)?(?:written\s+)?notice to)\s+(?:(?:ms|mrs|miss|mr|mx)\.?\s+)?([A-Za-z][\w'’-]*)", re.I)
_ADDRESSED = re.compile(r"^\W*(?:to\s*:|dear\s)", re.I)  # the next letter begins
_SIGN_OFF = re.compile(r"^\W*(?:yours\s+(?:sincerely|faithfully)|kind regards|regards)\b", re.I)


def _is_heading(text: str) -> bool:
    t = text.strip()
    return len(t.split()) <= 8 and not t.endswith((".", ":", ";", ",")) and t[:1].isupper() and ":" not in t


_HOLDER = re.compile(r"\b(?:from|held by|with|to|at)\s+(?:the\s+)?((?:[A-Z][\w'&.-]*\s?){1,5})")


def _holder(text: str) -> str | None:
    for m in _HOLDER.finditer(text):
        h = m.group(1).strip()
        if h.split()[0] not in ("IP", "CPS", "OIC", "The", "I", "DC", "DS", "PC", "Police"):
            return h
    return None
