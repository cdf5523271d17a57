"""Stage 2: pages -> documents, parties and sections.

A page starts a new document when a form code or a known heading stands in its first lines
(running headers such as the URN, the protective marking and "Page x of y" are skipped),
and every file starts a new document. Recognisers live in ``models/documents.json``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .errors import RulesError
from .extraction import Page
from .pipeline import MODELS, _read_json, _require, letter_counts


@dataclass
class Document:
    id: str
    file: str
    kind: str
    title: str
    first_page: int
    last_page: int
    witness: str | None = None
    owner: str | None = None  # suspect | complainant | witness: whose document it is
    email: bool = False  # an e-mail (a CPS reply is CPS advice, but only an action plan if it sets actions)
    start: int = 0  # where on its first page it starts (a form titled part-way down a page)

    def to_dict(self) -> dict:
        d = {"id": self.id, "file": self.file, "kind": self.kind, "title": self.title,
             "first_page": self.first_page, "last_page": self.last_page}
        if self.witness:
            d["witness"] = self.witness
        return d


@dataclass
class Parties:
    """Names of the suspect and complainant from form headers, with inferred pronouns."""

    suspect: list[str] = field(default_factory=list)
    complainant: list[str] = field(default_factory=list)
    pronouns: dict[str, str] = field(default_factory=dict)  # "he" -> "suspect", "she" -> "complainant"

    def names(self) -> dict[str, list[str]]:
        return {"suspect": self.suspect, "complainant": self.complainant}


class DocumentRules:
    def __init__(self, data: dict, where: str):
        _require(isinstance(data.get("version"), str), where, "needs a 'version' string")
        _require(isinstance(data.get("kinds"), list) and data["kinds"], where, "needs 'kinds'")
        self.version = data["version"]
        try:
            self.boilerplate = [re.compile(p, re.I) for p in data["boilerplate"]]
            self.kinds = [(k["kind"], k["title"], [re.compile(p, re.I | re.M) for p in k["patterns"]]) for k in data["kinds"]]
            self.witness_name = [re.compile(p, re.M) for p in data["witness_name"]]
            self.parties = {role: [re.compile(p, re.M) for p in pats] for role, pats in data["parties"].items()}
            # an e-mail whose sender is the CPS is the CPS's advice, not police evidence
            self.cps_sender = re.compile(data["cps_sender"], re.I | re.M) if data.get("cps_sender") else None
        except (KeyError, re.error) as e:
            raise RulesError(f"{where}: bad document rule ({e})") from None
        self.head_lines = int(data.get("head_lines", 8))
        self.owner = data.get("owner", {})
        self.not_names = {w.lower() for w in data.get("not_names", [])}
        self.sections = {role: {h.upper() for h in heads} for role, heads in data.get("sections", {}).items()}
        names = data.get("first_names", {"male": [], "female": []})
        _require(isinstance(names, dict) and set(names) == {"male", "female"}
                 and all(isinstance(n, str) for v in names.values() for n in v), where,
                 "'first_names' needs 'male' and 'female' lists of names")
        both = set(names["male"]) & set(names["female"])
        _require(not both, where, f"'first_names' lists {sorted(both)[:3]} as both male and female")
        # a first name that is mostly given to one sex is weak evidence for he/she, never proof
        self.first_names = {n.lower(): ("he" if sex == "male" else "she") for sex, ns in names.items() for n in ns}


@lru_cache(maxsize=2)
def load_rules(path: str | None = None) -> DocumentRules:
    f = Path(path) if path else MODELS / "documents.json"
    return DocumentRules(_read_json(f), str(f))


def head_of(text: str, rules: DocumentRules) -> str:
    lines = []
    for line in text.split("\n"):
        if not line.strip() or any(b.match(line) for b in rules.boilerplate):
            continue
        lines.append(line)
        if len(lines) >= rules.head_lines:
            break
    return "\n".join(lines)


def _title_like(line: str) -> bool:
    s = line.strip()
    return bool(s) and len(s.split()) <= 12 and not s.endswith((".", ",", ";"))


_WRAPPED_WORDS = 4  # the most words a title's wrapped tail has
_CAPS_LINE = re.compile(r"^[ \t]*[A-Z0-9][A-Z0-9][^\n]*", re.M)
_FORM_CODE = re.compile(r"\bMG\s?0?\d{1,2}[A-E]?\b", re.I)
_SECTION_NO = re.compile(r"^\s*(?:\d{1,2}(?:\.\d{1,2})*[.)]?\s+|(?:PART|SECTION|Part|Section)\s+\d{1,2}\b)")


_CAPITALS = 0.8  # the share of a line's letters in capitals that makes it a title in capitals


def _in_capitals(line: str, least: int = 3) -> bool:
    """At least LEAST letters, four in five of them capitals: a title in capitals."""
    letters, capitals = letter_counts(line)
    return letters >= least and capitals >= _CAPITALS * letters


def classify(head: str, rules: DocumentRules, numbered: bool = True) -> tuple[str, str] | None:
    """The kind of document a page head starts: a title-like line among the first three
    (short, no closing full stop) must carry the form code or heading; the earliest such
    line decides, the kinds' order breaking ties on one line. With ``numbered`` false, a
    numbered title ("5.0 INTERVIEW - RECORD OF TAPED INTERVIEW", "PART 4 - DISCLOSURE") is
    a section of the form the page continues, not a document of its own, unless it names a
    form ("5.0 MG15 - RECORD OF TAPED INTERVIEW (EXTRACT)")."""
    lines = head.split("\n")
    for i, line in enumerate(lines[:3]):
        if not _title_like(line) or not numbered and _SECTION_NO.match(line) and not _FORM_CODE.search(line):
            continue
        found = _kind_of(line, rules)
        if found:
            return found
        # a title in capitals wrapped onto a short second line ("... FILE REVIEW / RESPONSE TO"
        # over "CPS ADVICE") is read whole, or its tail alone would name another kind
        if i + 1 < len(lines) and _title_like(lines[i + 1]) and len(lines[i + 1].split()) <= _WRAPPED_WORDS \
                and _in_capitals(line) and _in_capitals(lines[i + 1]):
            found = _kind_of(line.rstrip() + " " + lines[i + 1].strip(), rules)
            if found:
                return found
    return None


def _kind_of(line: str, rules: DocumentRules, lead: int | None = None) -> tuple[str, str] | None:
    """The first kind whose form code or heading the line carries (within its first LEAD
    characters, when given), the kinds' order breaking ties."""
    for kind, title, patterns in rules.kinds:
        if any((m := p.search(line)) and (lead is None or m.start() <= lead) for p in patterns):
            return kind, title
    return None


def segment(pages: list[Page], rules: DocumentRules | None = None) -> list[Document]:
    rules = rules or load_rules()
    docs: list[Document] = []
    for page in pages:
        head = head_of(page.text, rules)
        new_file = not docs or docs[-1].file != page.file
        found = classify(head, rules, numbered=new_file) if head else None
        if new_file or (found and _starts_new(found[0], docs[-1], head)):
            _open(docs, rules, page, found, head, page.text, 0)
        else:
            docs[-1].last_page = page.number
        for start, kind_title, rest in _mid_page_titles(page.text, rules):
            if _starts_new(kind_title[0], docs[-1], rest):
                _open(docs, rules, page, kind_title, rest, rest, start)
    return docs


def _open(docs: list[Document], rules: DocumentRules, page: Page, found, head: str, text: str, start: int) -> None:
    kind, title = found or ("OTHER", "")
    email = kind == "EMAIL"
    if email and rules.cps_sender and rules.cps_sender.search(head):
        kind = "CPS_ADVICE"
    heading = next((ln.strip() for ln in head.split("\n") if ln.strip()), page.file)
    doc = Document(f"d{len(docs) + 1}", page.file, kind, heading[:120] or title, page.number, page.number,
                   email=email, start=start)
    if kind == "MG11":
        doc.witness = _witness(text, rules)
    doc.owner = rules.owner.get(kind)
    docs.append(doc)


def _mid_page_titles(text: str, rules: DocumentRules):
    """Forms titled part-way down a page ("MG6D - SENSITIVE UNUSED MATERIAL" under the
    MG6C's table, "DIGITAL PROCESSING NOTICE (DPNa)" after a schedule): a line below the
    page's first three that is a title in capitals opening with the form's code or heading.
    Yields (offset, (kind, title), the text from the title on)."""
    offset, seen = 0, 0
    while seen < 3 and offset < len(text):  # the page's head, which classify() has read
        nl = text.find("\n", offset)
        line = text[offset:] if nl < 0 else text[offset:nl]
        seen += bool(line.strip()) and not any(b.match(line) for b in rules.boilerplate)
        offset = len(text) if nl < 0 else nl + 1
    for m in _CAPS_LINE.finditer(text, offset):  # cheap test first: most lines are not titles in capitals
        line, here = m.group(0), m.start()
        if not _title_like(line) or len(line.split()) < 2:
            continue
        if not _in_capitals(line, 4) or _SECTION_NO.match(line) and not _FORM_CODE.search(line) \
                or any(b.match(line) for b in rules.boilerplate):
            continue
        found = _kind_of(line, rules, lead=len(line) - len(line.lstrip()) + 2)
        if found:
            yield here, found, text[here:]


def _starts_new(kind: str, current: Document, head: str) -> bool:
    if kind != current.kind:
        return True
    # a second statement or e-mail of the same kind starts its own document
    return kind in ("MG11", "EMAIL") and bool(re.search(r"Statement of|^\s*From:", head, re.I | re.M))


def _witness(text: str, rules: DocumentRules) -> str | None:
    for p in rules.witness_name:
        m = p.search(text)
        if m:
            name = _clean_name(m.group("name"), rules)
            if name:
                return name
    return None


def _clean_name(name: str, rules: DocumentRules) -> str | None:
    words = [w for w in name.split() if w.lower() not in rules.not_names]
    # stop at words that are labels rather than names (e.g. 'Smith Age')
    out = []
    for w in words:
        if w.lower() in rules.not_names:
            break
        out.append(w)
    return " ".join(out) if out else None


_PRONOUNS = {"he": "he", "him": "he", "his": "he", "himself": "he", "she": "she", "her": "she", "hers": "she", "herself": "she"}


_PARTY_PAGES = 50  # the parties are named in the summary at the front, not on page 300


def find_parties(pages: list[Page], rules: DocumentRules | None = None) -> Parties:
    """Names from headers ("Suspect: John SMITH", "R v SMITH", "IP: Jane DOE") and pronouns.

    Pronouns are inferred, never assumed: for each role the he/she words that follow its
    role words and names in the same sentence are counted, and a pronoun is mapped to a
    role only when that role clearly owns it and the other role does not.
    """
    rules = rules or load_rules()
    found: dict[str, list[str]] = {"suspect": [], "complainant": []}
    nicks: dict[str, list[str]] = {"suspect": [], "complainant": []}  # 'WIELGUS, Tomasz ("Tom")'
    for page in pages[:_PARTY_PAGES]:
        for role, patterns in rules.parties.items():
            for p in patterns:
                for m in p.finditer(page.text):
                    name = _clean_name(_given_first(m.group("name")), rules)
                    if name and name not in found[role] and len(name) > 1:
                        found[role].append(name)
                    nick = m.groupdict().get("nick")
                    if nick and nick.lower() not in rules.not_names and nick not in nicks[role]:
                        nicks[role].append(nick)
    # a letter 'Re:' the complainant, or a name under both headings: the complainant's name
    # is never also the suspect's
    both = {_full(n) for n in found["complainant"]}
    found["suspect"] = [n for n in found["suspect"] if _full(n) not in both]
    parties = Parties(suspect=_name_forms(found["suspect"], nicks["suspect"]),
                      complainant=_name_forms(found["complainant"], nicks["complainant"]))
    parties.pronouns = _infer_pronouns(pages, parties, rules)
    return parties


def _full(name: str) -> tuple[str, str]:
    words = name.lower().split()
    return words[0], words[-1]


def _given_first(name: str) -> str:
    """'MEREDITH, Ffion Haf' -> 'Ffion Haf MEREDITH' (as the other patterns read names)."""
    surname, comma, given = name.partition(",")
    return f"{given.strip()} {surname.strip()}" if comma and given.strip() else name


def _name_forms(names: list[str], nicknames: list[str] = ()) -> list[str]:
    forms: list[str] = []
    for n in list(names[:3]) + list(nicknames):
        words = n.split()
        first = [words[0]] if len(words) > 1 and not words[0].isupper() else []
        for f in [n, words[-1]] + first:
            if len(f) > 2 and f.lower() not in (x.lower() for x in forms):
                forms.append(f)
    return forms


_ROLE_WORDS = {"suspect": r"suspect|defendant|accused", "complainant": r"complainant|victim|\bIP\b|injured party|aggrieved"}


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_LEADING_PRONOUN = re.compile(r"\s*(he|she)\b")


_FIRST_NAME_WEIGHT = 4  # as much as a title (3) and a pronoun after a mention (1)


_TITLE = re.compile(r"\b(Mr|Mrs|Ms|Miss)\.?\s+")


def _infer_pronouns(pages: list[Page], parties: Parties, rules: DocumentRules | None = None) -> dict[str, str]:
    """Map he/she to a party from the text, never from assumption.

    Evidence, weighted: the party's first name when it is mostly given to one sex
    (`first_names` in documents.json), a title before a party's name (Mr/Ms), a pronoun that opens the
    sentence after one whose topic is the party, and a pronoun a few words after a mention.
    When both parties' sexes are known from titles or first names, and differ, they decide;
    when they are the same, neither pronoun is mapped. Otherwise a pronoun goes to a party
    only when that party clearly owns it.
    """
    counts = {"suspect": {"he": 0, "she": 0}, "complainant": {"he": 0, "she": 0}}
    # matched on lower-cased text: case-insensitive patterns cost several times more
    alts = {role: [_ROLE_WORDS[role].lower()] + [re.escape(n.lower()) for n in parties.names()[role]] for role in counts}
    mention = {role: re.compile(r"\b(?:%s)" % "|".join(a)) for role, a in alts.items()}
    near = {role: re.compile(r"(?:%s)[^.?!\n]{0,40}?\b(he|him|his|she|her|hers)\b" % "|".join(a)) for role, a in alts.items()}
    titled = {role: {"he": 0, "she": 0} for role in counts}
    joined = " ".join(p.text for p in pages[:50])
    # every title once, then which party's name follows it (one scan, not one per name)
    titles = [(m.end(), m.group(1)) for m in _TITLE.finditer(joined)]
    for role in counts:
        for n in parties.names()[role]:
            for end, title in titles:
                if joined.startswith(n, end):
                    titled[role]["he" if title == "Mr" else "she"] += 1
    by_name = {}
    for role in counts:
        full = next((n for n in parties.names()[role] if " " in n), None)
        by_name[role] = rules.first_names.get(full.split()[0].lower()) if full and rules else None
        # the first name when it is mostly given to one sex; otherwise titles, which can
        # belong to a relative sharing the surname ("Mrs HALLAM, his mother")
        if not by_name[role] and titled[role]["he"] != titled[role]["she"]:
            by_name[role] = "he" if titled[role]["he"] > titled[role]["she"] else "she"
    if by_name["suspect"] and by_name["complainant"]:
        if by_name["suspect"] == by_name["complainant"]:
            return {}  # both parties the same sex: he/she cannot tell them apart
        return {by_name["suspect"]: "suspect", by_name["complainant"]: "complainant"}
    for role in counts:
        if by_name[role]:
            counts[role][by_name[role]] += _FIRST_NAME_WEIGHT
        for pron, n in titled[role].items():
            counts[role][pron] += 3 * n
    for page in pages[:200]:
        text = page.text.lower()
        for role, rx in near.items():
            for m in rx.finditer(text):
                counts[role][_PRONOUNS[m.group(1)]] += 1
        topic = None
        for sent in _SENTENCE_END.split(text):
            first = _LEADING_PRONOUN.match(sent)
            if first and topic:
                counts[topic][first.group(1).lower()] += 2
            hits = [(m.start(), role) for role, rx in mention.items() for m in [rx.search(sent)] if m]
            topic = min(hits)[1] if hits else (topic if first else None)
    out: dict[str, str] = {}
    for pron in ("he", "she"):
        other = "she" if pron == "he" else "he"
        for role in counts:
            rival = "complainant" if role == "suspect" else "suspect"
            mine, theirs = counts[role][pron], counts[rival][pron]
            rival_other = counts[rival][other]
            if mine >= 2 and mine >= 2 * theirs and mine > counts[role][other] and not (theirs and theirs >= rival_other):
                out[pron] = role
    if len(set(out.values())) < len(out):  # both pronouns on one party: trust neither
        return {}
    return out


def heading_like(text: str, bullets: bool = True) -> bool:
    """A short line (six words at most) that is a heading or a form label, not prose: it ends
    with a colon or with no closing punctuation. BULLETS=False leaves out list items."""
    t = text.strip()
    if len(t.split()) > 6:
        return False
    if t.endswith(":"):
        return True
    if t.endswith((".", "?", "!", ";", ",")):
        return False
    return bullets or (bool(t) and t[0] not in "-•*>")


_OWNED_HEADING = re.compile(r"\b(suspect|defendant|accused|susp|complainant|victim|IP)['’]s\b", re.I)
_HEADING_ROLE = {"suspect": "suspect", "defendant": "suspect", "accused": "suspect", "susp": "suspect",
                 "complainant": "complainant", "victim": "complainant", "ip": "complainant"}


def section_subject(line: str, rules: DocumentRules) -> str | None:
    """The subject a heading line gives the text under it, or None if it is no heading."""
    s = line.strip().rstrip(":").strip()
    if not s or len(s) > 60:
        return None
    letters, capitals = letter_counts(s)
    if not letters:
        return None
    if capitals < _CAPITALS * letters:  # not in capitals
        # a short title-like line that names whose it is: "Action 1 - suspect's devices - COMPLETE"
        if len(s.split()) > 8 or s.endswith((".", "?", "!", ";", ",")) or not (s[0].isupper() or s[0].isdigit()):
            return None
        m = _OWNED_HEADING.search(s)
        return _HEADING_ROLE[m.group(1).lower()] if m else None
    s = re.sub(r"^[\d.()\s]+", "", s.upper())
    for role, heads in rules.sections.items():
        if s in heads:
            return role
    return "none"
