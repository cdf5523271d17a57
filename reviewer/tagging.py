"""Stage 3: pages -> sentences and tagged findings, each with its subject and status.

The spaCy pipeline (``reviewer.pipeline``) finds concept spans and their ConText modifiers;
this stage adds what needs the whole case: the document and section a span sits in, and
whose evidence it is (suspect, complainant, witness), from role words, the parties' names
and the pronouns inferred for them, the section heading and the document's owner.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

import numpy as np
from spacy.attrs import IDX, LOWER
from spacy.language import Language

from .extraction import Page
from .pipeline import _NO_CONTEXT, _STATUS_OF, UNANSWERED_QUESTION, _bounds, concept_spans, id_array, in_sorted, letter_counts, run_pipeline
from .segmentation import Document, DocumentRules, Parties, heading_like, load_rules, section_subject


@dataclass
class Finding:
    label: str
    rule: str
    status: str  # obtained | outstanding | not_done | declined | hypothetical
    nil: bool
    subject: str  # suspect | complainant | witness | unknown
    subject_cue: str  # what decided the subject
    page: int
    doc: str
    doc_kind: str
    start: int
    end: int
    text: str
    sentence: int
    clause: int
    modifiers: list[dict] = field(default_factory=list)
    reasoned: bool = False


@dataclass
class Sentence:
    index: int
    page: int
    doc: str
    doc_kind: str
    start: int
    end: int
    text: str
    section: str | None
    findings: list[int] = field(default_factory=list)


@dataclass
class Tagged:
    sentences: list[Sentence]
    findings: list[Finding]

    def in_sentence(self, s: Sentence) -> list[Finding]:
        cache = self.__dict__.setdefault("_by_sentence", {})
        fs = cache.get(s.index)
        if fs is None:
            fs = cache[s.index] = [self.findings[i] for i in s.findings]
        return fs

    def of_document(self, doc: str) -> list[Sentence]:
        """The sentences of the document DOC, in order."""
        by_doc = self.__dict__.get("_by_document")
        if by_doc is None:
            by_doc = self.__dict__["_by_document"] = {}
            for x in self.sentences:
                by_doc.setdefault(x.doc, []).append(x)
        return by_doc.get(doc, [])


_FIRST_PERSON = {"i", "me", "my", "myself", "mine"}
_PRONOUN = {"he": "he", "him": "he", "his": "he", "himself": "he", "she": "she", "her": "she", "hers": "she", "herself": "she"}


def _owner(doc: Document, parties: Parties) -> str | None:
    if doc.owner:
        return doc.owner
    if doc.kind == "MG11":
        if doc.witness:
            w = doc.witness.lower()
            if any(n.lower() in w or w in n.lower() for n in parties.complainant):
                return "complainant"
            if any(n.lower() in w or w in n.lower() for n in parties.suspect):
                return "suspect"
        return "witness"
    if doc.kind == "DPN":
        return None
    return None


def tag(pages: list[Page], documents: list[Document], parties: Parties, nlp: Language,
        rules: DocumentRules | None = None, batch_size: int = 32) -> Tagged:
    rules = rules or load_rules()
    # the documents on each page, by where on it they start
    docs_on: dict[int, list[tuple[int, Document]]] = {}
    for d in documents:
        for n in range(d.first_page, d.last_page + 1):
            docs_on.setdefault(n, []).append((d.start if n == d.first_page else 0, d))
    starts_on: dict[int, list[int]] = {}
    for n, ds in docs_on.items():
        ds.sort(key=lambda x: x[0])  # of two starting at one place, the later document
        docs_on[n] = [(a, d) for i, (a, d) in enumerate(ds) if i + 1 == len(ds) or ds[i + 1][0] > a]
        starts_on[n] = [a for a, _ in docs_on[n]]

    def doc_at(n: int, offset: int) -> Document:
        return docs_on[n][max(0, bisect.bisect_right(starts_on[n], offset) - 1)][1]
    names = [(n, role) for role, ns in parties.names().items() for n in ns]
    name_re = None
    if names:
        alternatives = "|".join(re.escape(n.lower()) for n, _ in sorted(names, key=lambda x: -len(x[0])))
        name_re = re.compile(r"\b(%s)\b" % alternatives, re.I)
        # the same names sought in lower-case text: twice as fast as a case-blind search
        name_low_re = re.compile(r"\b(%s)\b" % alternatives)
        name_role = {n.lower(): role for n, role in names}
    concepts = nlp.get_pipe("concepts").data.get("labels", {}) if "concepts" in nlp.pipe_names else {}
    agent_labels = {label for label, spec in concepts.items() if spec.get("subject") in ("agent", "speaker")}
    # what a speaker says names parties of its own ("Admits IP came round"): never the speaker
    speaker_labels = {label for label, spec in concepts.items() if spec.get("subject") == "speaker"}
    # research on a person is about the suspect when he is named in its clause, wherever
    # ("PND + local intel: 1998 allegation by another boy (Witness B) re EVANS")
    named_labels = {label for label, spec in concepts.items() if spec.get("subject") == "suspect_named"}
    # an account is whoever's possessive it carries ("check his claim that she ...")
    possessive_labels = {label for label, spec in concepts.items() if spec.get("subject") == "possessive"}
    # a "he" or "his" the file never ties to a party is the suspect's
    he_default = "suspect" if "he" not in parties.pronouns else None
    strings = nlp.vocab.strings
    pronoun_role = {strings.add(w): parties.pronouns[p] for w, p in _PRONOUN.items() if p in parties.pronouns}
    first_person = {strings.add(w) for w in _FIRST_PERSON}
    lower_i = strings.add("i")
    watch = id_array(set(pronoun_role) | first_person)
    sentences: list[Sentence] = []
    findings: list[Finding] = []
    section: str | None = None
    current_doc = None
    for page, doc in zip(pages, run_pipeline(nlp, (p.text for p in pages))):
        d = doc_at(page.number, 0)
        owner = _owner(d, parties)
        several = len(docs_on[page.number]) > 1
        # mentions of the parties: (token start, token end, role, cue, by name)
        text = page.text  # the Doc's text (Doc.text would rebuild it token by token)
        idx = doc.to_array(IDX).tolist()
        mentions = [(a, b, role, text[idx[a]:_end_char(doc, idx, b)], False) for a, b, role in (doc._.roles or [])]
        if name_re is not None:
            low = text.lower()
            same = len(low) == len(text)  # lower-casing moved no offsets (it can: "İ")
            for m in (name_low_re.finditer(low) if same else name_re.finditer(text)):
                a = bisect.bisect_right(idx, m.start()) - 1
                b = bisect.bisect_left(idx, m.end())
                mentions.append((a, max(b, a + 1), name_role[m.group(1).lower()], text[m.start(1):m.end(1)], True))
        lowers = doc.to_array(LOWER)
        for i in np.flatnonzero(in_sorted(lowers, watch)).tolist():
            low_id = int(lowers[i])
            role = pronoun_role.get(low_id)
            if role:
                mentions.append((i, i + 1, role, doc[i].text, False))
            elif low_id in first_person and (low_id != lower_i or doc[i].text == "I"):
                di = doc_at(page.number, idx[i]) if several else d
                if di.kind == "MG11" and _owner(di, parties):
                    mentions.append((i, i + 1, _owner(di, parties), doc[i].text, False))
        mentions.sort()
        mention_starts = [m[0] for m in mentions]
        terms = doc._.terminators or []
        spans = concept_spans(doc)
        verdicts = doc._.context or {}
        si = 0
        for a, b in _bounds(doc):
            sent_start, sent_end = idx[a], (idx[b] if b < len(idx) else len(text))
            if several:
                d = doc_at(page.number, sent_start)
                owner = _owner(d, parties)
            if d is not current_doc:
                current_doc, section = d, None
            heading = section_subject(text[sent_start:sent_end], rules)
            if heading is not None:
                section = None if heading == "none" else heading
            start, end = _trim(text, sent_start, sent_end)
            if start >= end:
                continue
            s = Sentence(len(sentences), page.number, d.id, d.kind, start, end, text[start:end], section)
            sentences.append(s)
            while si < len(spans) and spans[si][0] < a:
                si += 1
            j = si
            if j < len(spans) and spans[j][0] < b:
                clause_cuts = terms[bisect.bisect_left(terms, a):bisect.bisect_left(terms, b)]
                # each mention with the clause it sits in, as its last field
                sent_mentions = [m + (bisect.bisect_right(clause_cuts, m[0]),) for m in
                                 mentions[bisect.bisect_left(mention_starts, a):bisect.bisect_left(mention_starts, b)]]
            while j < len(spans) and spans[j][0] < b:
                sp_start, sp_end, label, rule = spans[j]
                sp = _Span(doc, sp_start, sp_end)
                j += 1
                clause = bisect.bisect_right(clause_cuts, sp_start)
                subject, cue = None, None
                if label in possessive_labels:
                    subject, cue = _possessive(sp, sent_mentions, he_default)
                if subject is None:
                    subject, cue = _subject(sp, clause, clause_cuts, sent_mentions, section, owner, label in agent_labels,
                                            label in named_labels, he_default, label in speaker_labels)
                status, nil, mods = verdicts.get((sp_start, sp_end, label), _NO_CONTEXT)
                mods = list(mods or [])
                sc, ec = idx[sp_start], _end_char(doc, idx, sp_end)
                f = Finding(
                    label=label, rule=rule, status=status, nil=bool(nil), subject=subject,
                    subject_cue=cue, page=page.number, doc=d.id, doc_kind=d.kind,
                    start=sc, end=ec, text=text[sc:ec], sentence=s.index, clause=clause,
                    modifiers=mods, reasoned=any(m["category"] == "REASON" for m in mods),
                )
                s.findings.append(len(findings))
                findings.append(f)
    if "context" in nlp.pipe_names:
        data = nlp.get_pipe("context").data
        _questions_put(findings, set(data.get("questions_put_in", [])))
        _line_status(sentences, findings, data.get("line_status", {}))
        _section_status(sentences, findings, data.get("section_status", {}))
        _follow_ups(sentences, findings, data.get("follow_up", {}))
    return Tagged(sentences, findings)


def _impose(findings: list[Finding], indexes: list[int], cat: str, mod: dict) -> None:
    """Give the status of CAT (OUTSTANDING, NEGATED), with MOD as its modifier, to those of
    the findings at INDEXES that carry no status of their own."""
    for i in indexes:
        f = findings[i]
        if f.status == "obtained" and not f.modifiers:
            f.status, f.modifiers = _STATUS_OF[cat], [mod]


def _section_status(sentences: list[Sentence], findings: list[Finding], rule: dict) -> None:
    """Lines under a heading that gives their status ("Outstanding:", "Still to do",
    "Enqs not done") take it when they carry none of their own: "• Statement from Ollie
    BRENNAN." under "To do" is outstanding. The section runs to the next heading-like line,
    at most `max_sentences` sentences of one document."""
    pats = {cat: re.compile(rule[key], re.I) for key, cat in (("outstanding", "OUTSTANDING"), ("not_done", "NEGATED"))
            if rule.get(key)}
    if not pats:
        return
    most = int(rule.get("max_sentences", 12))
    active, left, doc = None, 0, None
    for s in sentences:
        if s.doc != doc:
            active, doc = None, s.doc
        if heading_like(s.text):
            active = None
            for cat, rx in pats.items():
                m = rx.search(s.text)
                if m:
                    active, left = (cat, s, m), most
                    break
            continue
        if not active:
            continue
        left -= 1
        if left < 0:
            active = None
            continue
        cat, head, m = active
        mod = {"category": cat, "literal": m.group(0).strip(), "text": m.group(0),
               "start": head.start + m.start(), "end": head.start + m.end(), "section": head.index}
        if head.page == s.page:
            _impose(findings, s.findings, cat, mod)


def _questions_put(findings: list[Finding], kinds: set[str]) -> None:
    """In an interview record the questions are what was put to the suspect ("Did you tell
    Jordan it was 'our secret'?"): an unanswered question there is no mere question."""
    for f in findings:
        if f.doc_kind in kinds and f.modifiers and all(m["literal"] == UNANSWERED_QUESTION for m in f.modifiers):
            f.status, f.modifiers = "obtained", []


def _line_status(sentences: list[Sentence], findings: list[Finding], rule: dict) -> None:
    """A terse line that opens with its status ("O/S - DNA (20/02); ABE (16/02); 999 audio")
    or ends with it ("H2H at Glan-yr-Afon Ct not done.", "Council CCTV (covers the bridge) -
    requested 07/04, awaited.") gives that status to everything it names that has none of its
    own, however far the words are from the status or whatever lies between them."""
    pats = [(key, cat, re.compile(p, re.I)) for key in ("lead", "tail") for cat, p in rule.get(key, {}).items()]
    legend = re.compile(rule["legend"], re.I) if rule.get("legend") else None
    title_words = int(rule.get("title_words", 0))
    most = int(rule.get("max_words", 25))
    for s in sentences:
        if not s.findings or len(s.text.split()) > most:
            continue
        if legend and legend.search(s.text) or title_words and is_title(s.text, title_words):
            # a key to a table ("Key: C = complete, O = outstanding") or a title in capitals
            # ("DIGITAL STRATEGY, OUTSTANDING MATTERS") says nothing of what it names
            for i in s.findings:
                f = findings[i]
                if f.status in ("outstanding", "not_done") and f.modifiers:
                    f.status, f.modifiers, f.reasoned = "obtained", [], False
            continue
        for key, cat, rx in pats:
            m = rx.search(s.text)
            if not m:
                continue
            word = m.group(0).strip(" -–:;.,()")
            a = s.start + m.start() + m.group(0).index(word)
            b = a + len(word)
            mod = {"category": cat, "literal": word, "text": word, "start": a, "end": b, "line": s.index}
            # a closing status speaks of its own clause only: "MG6C served; MG6D to follow"
            clause = s.start + max(s.text.rfind(";", 0, m.start()), s.text.rfind("|", 0, m.start())) + 1
            reach = [i for i in s.findings if not findings[i].nil and (
                findings[i].start >= b if key == "lead" else clause <= findings[i].start and findings[i].end <= a)]
            _impose(findings, reach, cat, mod)
            break


def is_title(text: str, words: int) -> bool:
    """A line in capitals of at least WORDS words with no closing punctuation and no list
    marker: a title ("• IP PHONE NOT TAKEN" is a list item written in capitals)."""
    t = text.strip()
    if t[:1] in "-•*>▪●◦‣–" or t[:1].isdigit():
        return False
    if t.endswith((".", "?", "!", ";")) or len(t.split()) < words:
        return False
    letters, capitals = letter_counts(t)
    return letters >= 8 and capitals >= 0.9 * letters


def _follow_ups(sentences: list[Sentence], findings: list[Finding], rule: dict) -> None:
    """A short sentence that only says the work is still to come ("Result o/s.", "Results
    not received yet.") is the status of what the sentence before it names: its findings
    done so far become outstanding, with the follow-up as their modifier."""
    pattern = rule.get("outstanding")
    if not pattern:
        return
    rx = re.compile(pattern, re.I)
    keep = set(rule.get("keep_labels", []))
    most = int(rule.get("max_words", 10))
    for prev, s in zip(sentences, sentences[1:]):
        if s.page != prev.page or s.doc != prev.doc or not prev.findings or len(s.text.split()) > most:
            continue
        if any(findings[i].label not in keep for i in s.findings):
            continue  # names work of its own
        t = s.text.strip()
        if len(t.split()) < 3 and not t.endswith((".", ";", ")")):
            continue  # a heading ("Outstanding"), not a sentence about the line before
        m = rx.search(s.text)
        if not m:
            continue
        mod = {"category": "OUTSTANDING", "literal": m.group(0).strip(), "text": m.group(0),
               "start": s.start + m.start(), "end": s.start + m.end(), "follow_up": s.index}
        for i in prev.findings:
            f = findings[i]
            if f.status == "obtained" and not f.nil:
                f.status = "outstanding"
                f.modifiers = f.modifiers + [mod]


class _Span:
    """The words of a concept span, as the subject rules read them: its Doc, bounds and tokens
    (a spaCy Span costs more to make than these rules spend on it)."""

    __slots__ = ("doc", "start", "end")

    def __init__(self, doc, start: int, end: int):
        self.doc, self.start, self.end = doc, start, end

    def __iter__(self):
        return iter(self.doc[self.start:self.end])


def _end_char(doc, idx: list[int], b: int) -> int:
    """The character offset where token b - 1 ends."""
    return idx[b - 1] + len(doc[b - 1])


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


_NEAR = 15  # tokens
_TIES = {"against", "of", "about", "re", "regarding", "concerning", "on", "by"}
_OBJECT_FORMS = {"her", "him", "his", "hers", "them", "their", "theirs"}


def _possessive(sp, mentions: list[tuple], he_default: str | None) -> tuple[str | None, str | None]:
    """Whose account a span names by its own possessive ("test his claim that she was
    fine"): a party named inside it, else an unmapped "his", the suspect's."""
    inside = _inside(sp, mentions)
    if inside:
        return inside[0][2], f"role word '{inside[0][3]}'"
    if he_default and any(t.lower_ == "his" for t in sp):
        return he_default, "'his' in it"
    return None, None


def _inside(sp, mentions: list[tuple]) -> list[tuple]:
    """The parties named within the span itself ("Suspect's account", "check his claim")."""
    return [m for m in mentions if m[0] >= sp.start and m[1] <= sp.end]


def _possessed(m: tuple, doc) -> bool:
    """Whether mention M is a possessive ("the landlord's CCTV"): whose thing, not who acts."""
    return m[1] < len(doc) and doc[m[1]].lower_ in ("'s", "’s")


def _subject(sp, clause: int, cuts: list[int], mentions: list[tuple], section: str | None, owner: str | None,
             agent: bool = False, suspect_named: bool = False, he_default: str | None = None,
             speaker: bool = False) -> tuple[str, str]:
    """Whose the span SP is, and the cue that says so. MENTIONS: the parties named in its
    sentence as (start, end, role, cue, by name, clause); CLAUSE: the span's clause."""
    if suspect_named:
        named = next((m for m in mentions if m[5] == clause and m[2] == "suspect" and m[4]), None)
        if named:
            return "suspect", f"'{named[3]}' named in the clause"

    if agent:
        # conduct ("X sent Y a message: 'sorry'") belongs to whoever does it: the first party
        # named in the clause before the span, not the nearest one; the suspect, if named
        # there by name at all ("After Ffion posted ..., ROWLANDS sent her ...: 'sorry'")
        # "her" and "him" are whom it was done to ("he took her passport"), never who did it;
        # a possessive is whose thing it is ("the landlord's CCTV shows he ...")
        first = [m for m in mentions if m[5] == clause and m[1] <= sp.start and m[3].lower() not in ("her", "him", "them")
                 and not _possessed(m, sp.doc)]
        if first:
            m = next((m for m in first if m[2] == "suspect" and m[4]), first[0])
            return m[2], f"'{m[3]}' leads the clause"
        if he_default:
            # "From September he took her passport": a "he" the file never ties to a party
            # opens the clause, or closes the sentence before ("He went back to the flat.
            # Pushed her onto the bed ..."); in these files he is the suspect
            lo = cuts[clause - 1] if clause > 0 else max(0, sp.start - _NEAR)
            if any(t.lower_ == "he" for t in sp.doc[max(lo, sp.start - _NEAR):sp.start]):
                return he_default, "'he' leads the clause"
        # with nobody named before it in its clause, a party named after it is what the conduct
        # or the account is about ("Denied taking her keys", "Denies spiking the IP's drink"),
        # not who did or gave it; only a subject right after it is ("Following the incident he
        # changed his number")
        doc = sp.doc
        mentions = [m for m in mentions if m[0] < sp.end or not speaker and (
            m[0] - sp.end <= 3 and m[3].lower() not in _OBJECT_FORMS and not _possessed(m, doc))]

    # the nearest party named before the span in its clause is usually its agent or owner
    # ("the suspect's phone", "Susp took IP's phone"); one named inside it comes next
    # ("Suspect's account"), then one just after it ("the phone of the IP")
    same = [m for m in mentions if m[5] == clause]
    # a party the span is "against", "of" or "about" is whose it is ("previous allegations
    # against the suspect", "the phone of the IP"), whoever was named before it
    tied = [m for m in same if 0 <= m[0] - sp.end <= 2 and sp.end < len(sp.doc)
            and sp.doc[sp.end].lower_ in _TIES and all(t.lower_ in _TIES or t.lower_ in ("the", "a", "his", "her") for t in sp.doc[sp.end:m[0]])]
    if tied:
        return tied[0][2], f"'{tied[0][3]}' after it"
    before = [m for m in same if m[1] <= sp.start and sp.start - m[1] <= 8]
    if before:
        m = before[-1]
        return m[2], f"'{m[3]}' before it"
    inside = _inside(sp, mentions)
    if inside:
        return inside[0][2], f"role word '{inside[0][3]}'"
    after = [m for m in same if m[0] >= sp.end and m[0] - sp.end <= 5]
    if after:
        m = after[0]
        return m[2], f"'{m[3]}' after it"
    if same:
        m = same[0]
        return m[2], f"'{m[3]}' in the same clause"
    near = [m for m in mentions if -_NEAR <= m[0] - sp.start <= _NEAR]
    if near:
        # a party named in another clause, but not far off: one named across a long table
        # row merged into one sentence says nothing of whose entry this is
        m = near[0]
        return m[2], f"'{m[3]}' in the sentence"
    if section:
        return section, "section heading"
    if owner:
        return owner, "document owner"
    return "unknown", "none"
