"""Document kinds from headings the samples do not use: police answers to CPS advice must
never be taken for the CPS's own advice (whose sentences are ignored as evidence)."""
import pytest

from reviewer.segmentation import classify, load_rules

RULES = load_rules()


@pytest.mark.parametrize("heading,kind", [
    ("Reply to the CPS actions - Op LARCH", "MG3A"),
    ("Update against AP - R v DOWNEY", "MG3A"),
    ("Answers to prosecutor's early advice", "MG3A"),
    ("Section 4: response to the investigative advice dated 03/05/2025", "MG3A"),
    ("Action plan update (OIC)", "MG3A"),
    ("Officer's reply to the Crown Prosecutor", "MG3A"),
    ("Further submission to the CPS", "MG3A"),
    ("Submission for early advice - RASSO", "MG3"),
    ("Early investigative advice referral", "MG3"),
    ("Report to the Crown Prosecution Service", "MG3"),
    ("Historic offences - referral for a charging decision", "MG3"),
    ("DCI case review (week 6)", "OFFICER_REPORT"),
    ("Evidential review by the DS", "OFFICER_REPORT"),
    ("Request for records held by a third party (GP)", "TPM_REQUEST"),
    ("REQUEST FOR HEALTH INFORMATION - HAWTHORN MEDICAL CENTRE", "TPM_REQUEST"),
    ("Request for children's services file", "TPM_REQUEST"),
    # a letter titled as a request, and a request for one kind of record with words before it
    ("Letter: request re prescription history", "TPM_REQUEST"),
    ("Request for a copy of the maternity notes - Ormsby General", "TPM_REQUEST"),
    ("REQUESTS FOR THIRD PARTY MATERIAL - sent 02/05/2025", "TPM_REQUEST"),
    # a police investigation plan or log is the police's own record, not the CPS's plan
    ("RASSO INVESTIGATION PLAN - v2 (OIC)", "OFFICER_REPORT"),
    ("Lines of enquiry tracker - Op HAWTHORN", "OFFICER_REPORT"),
    ("CPS MARCHES RASSO UNIT - EARLY ADVICE", "CPS_ADVICE"),
    ("MG3 (PROSECUTOR'S SECTION) - EARLY ADVICE AND ACTION PLAN", "CPS_ADVICE"),
    ("CPS PRE-CHARGE ADVICE - MG3 (PROSECUTOR SECTION)", "CPS_ADVICE"),
    ("CPS early investigative advice", "CPS_ADVICE"),
    ("Action plan", "CPS_ADVICE"),
    ("Early advice - actions for the OIC", "CPS_ADVICE"),
    # a title in capitals wrapped onto a short second line is read whole: its tail alone
    # ("CPS ADVICE") would name the CPS's own document
    ("NORTHDALE POLICE - INSPECTOR'S FILE CHECK AND REPLY TO\nCPS ADVICE\nOp BRAMBLE", "MG3A"),
    ("RESPONSE TO THE CPS EARLY\nADVICE\nDC 4410 JONES", "MG3A"),
    # an e-mail subject line stays an e-mail
    ("RE: DS review of the file", None),
    ("FW: response to AP", None),
])
def test_heading_kinds(heading, kind):
    found = classify(heading, RULES)
    assert (found[0] if found else None) == kind


from reviewer.extraction import Page  # noqa: E402
from reviewer.segmentation import DocumentRules, find_parties  # noqa: E402
from reviewer.errors import RulesError  # noqa: E402


def _parties(text):
    return find_parties([Page(1, "case.txt", 1, text, "txt")], RULES)


@pytest.mark.parametrize("header,expected", [
    # first names mostly given to one sex decide when they differ, whatever the prose says
    ("Suspect: Terence BLACKWOOD\nComplainant: Yasmin ORTEGA\nYasmin says he pushed her.", {"he": "suspect", "she": "complainant"}),
    ("Suspect: Chantelle BRIGGS\nVictim: Omar HADID\nOmar says she locked the door.", {"she": "suspect", "he": "complainant"}),
    # the same sex: he/she cannot tell the parties apart
    ("Suspect: Derek HOLT\nComplainant: Bilal KHAN\nHe says he was asleep.", {}),
    # no known first name: titles decide
    ("Suspect: Zebedee QUORN\nComplainant: Xanthe PLUME\nMr QUORN was arrested. Ms PLUME attended the SARC.",
     {"he": "suspect", "she": "complainant"}),
])
def test_pronouns(header, expected):
    assert _parties(header).pronouns == expected


def test_first_names_validated():
    import json
    from pathlib import Path
    data = json.loads((Path(__file__).parents[1] / "models" / "documents.json").read_text())
    data["first_names"]["female"].append(data["first_names"]["male"][0])
    with pytest.raises(RulesError, match="both male and female"):
        DocumentRules(data, "documents.json")


def test_device_is_no_suspect_name():
    assert _parties("Suspect: Samsung Galaxy S23, seized on arrest.\nSuspect: Connor BLYTHE\n").suspect[0] == "Connor BLYTHE"


@pytest.mark.parametrize("line,role", [
    ("Action 1 - suspect's devices - COMPLETE", "suspect"),
    ("3. Complainant's phone", "complainant"),
    ("Action 2 - mother and first account", None),
    ("The suspect's phone was seized.", None),
])
def test_headings_that_name_whose(line, role):
    from reviewer.segmentation import section_subject
    assert section_subject(line, RULES) == role


@pytest.mark.parametrize("text,suspect,complainant", [
    # surname first, with the name the parties go by in brackets
    ('Suspect | OKAFOR-BELL, Desmond Ray\nIP | PETRIE, Rosalind ("Ros"), 31 yrs\n', "Desmond Ray OKAFOR-BELL", "Rosalind PETRIE"),
    ("Complainant  VARGA, Ildiko. DOB 02/02/1990\nSuspect: Norbert FLINT\n", "Norbert FLINT", "Ildiko VARGA"),
    # the role in prose, and a hyphenated first name
    ("The IP is Mary-Jane COSTELLO, 27, a student nurse. The suspect is Ahmed RAHIM (29).\n", "Ahmed RAHIM", "Mary-Jane COSTELLO"),
    ("Complainant (IP) Ottilie MARSH, 19 yrs\n", None, "Ottilie MARSH"),
    # a name on the line under a numbered section heading
    ("SECTION 3 - THE SUSPECT\nGeoffrey Alan PIKE dob 01/01/1970, of no fixed abode\n", "Geoffrey Alan PIKE", None),
    # form codes and labels after the name are not part of it
    ("R v Stanley Roy QUIGG URN 12AB3456789/24\nComplainant - ABE to follow\n", "Stanley Roy QUIGG", None),
])
def test_party_headers(text, suspect, complainant):
    p = _parties(text)
    assert (p.suspect[0] if p.suspect else None) == suspect
    assert (p.complainant[0] if p.complainant else None) == complainant


def test_nickname_is_a_name_form():
    assert "Ros" in _parties('IP | PETRIE, Rosalind ("Ros"), 31 yrs\n').complainant


def test_letter_about_the_complainant_does_not_name_the_suspect():
    # a third-party letter "Re:" the complainant; her name is never also the suspect's
    p = _parties("Victim: Harriet Anne LOWE\nR v DUNSTAN\n\nTo: Records Officer, Hillside Surgery\nRe: Harriet Anne LOWE (DOB 03/03/1993)\n")
    assert "Harriet Anne LOWE" not in p.suspect and p.suspect == ["DUNSTAN"]


def test_numbered_section_continues_its_form():
    """A page opening with a numbered section title ("5.0 INTERVIEW - ...") is the next section
    of the form it continues, unless the title names a form or the page starts a new file."""
    from reviewer.segmentation import segment
    pages = [Page(1, "case.pdf", 1, "EARLY ADVICE SUBMISSION - FORM EA/2\n1.0 SUMMARY\nText.", "pdf"),
             Page(2, "case.pdf", 2, "5.0 INTERVIEW - RECORD OF TAPED INTERVIEW (SUMMARY)\nHe denied it.", "pdf"),
             Page(3, "case.pdf", 3, "6.1 MG6C - SCHEDULE OF NON-SENSITIVE UNUSED MATERIAL\n1 | BWV | DEMS", "pdf")]
    kinds = [(d.kind, d.first_page, d.last_page) for d in segment(pages, RULES)]
    assert kinds[0][1:] == (1, 2) and kinds[1] == ("MG6C", 3, 3)
    assert classify("5.0 INTERVIEW - RECORD OF TAPED INTERVIEW", RULES)[0] == "MG15"  # first page of a file


def test_forms_titled_part_way_down_a_page():
    """A form titled in capitals part-way down a page starts there; its lines are its own.
    A line that merely mentions a form ("the MG6D is attached") starts nothing."""
    from reviewer.segmentation import segment
    text = ("MG6C - SCHEDULE OF NON-SENSITIVE UNUSED MATERIAL\nR v PIKE\nItem | Description | Location\n"
            "1 | 999 call | Control room\nThe MG6D is attached below.\n"
            "MG6D - SCHEDULE OF SENSITIVE MATERIAL\n1 | GP notes (one consultation) | OIC\n"
            "DIGITAL PROCESSING NOTICE (DPNa) - VICTIM DEVICE\nDevice user: Harriet LOWE\n")
    docs = segment([Page(1, "case.pdf", 1, text, "pdf")], RULES)
    assert [d.kind for d in docs] == ["MG6C", "MG6D", "DPN"]
    assert text[docs[1].start:].startswith("MG6D") and text[docs[2].start:].startswith("DIGITAL")
