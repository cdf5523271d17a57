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
    ("CPS early investigative advice", "CPS_ADVICE"),
    ("Action plan", "CPS_ADVICE"),
    ("Early advice - actions for the OIC", "CPS_ADVICE"),
    # an e-mail subject line stays an e-mail
    ("RE: DS review of the file", None),
    ("FW: response to AP", None),
])
def test_heading_kinds(heading, kind):
    found = classify(heading, RULES)
    assert (found[0] if found else None) == kind
