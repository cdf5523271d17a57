"""Rule files are data, validated on load: a broken file is refused with its name and the fault."""
import json
import shutil

import pytest

from reviewer import RulesError
from reviewer.checklist import CHECKLIST_ITEMS, ChecklistRules
from reviewer.pipeline import MODELS, PIPELINE_DIR, expand_templates, load_pipeline, pipeline_name, rules_digest
from reviewer.segmentation import DocumentRules
from reviewer.timeline import TimelineRules


def copy_pipeline(tmp_path):
    dst = tmp_path / "pipe"
    shutil.copytree(PIPELINE_DIR, dst)
    return dst


def edit_json(path, fn):
    data = json.loads(path.read_text())
    fn(data)
    path.write_text(json.dumps(data))


@pytest.mark.parametrize("breakage,message", [
    (lambda d: d["labels"]["DEVICE"].update(colour="red"), "unknown keys"),
    (lambda d: d["labels"].update(bad_label={"phrases": ["x"]}), "UPPER_SNAKE_CASE"),
    (lambda d: d["labels"]["DEVICE"]["phrases"].append("phone"), "duplicate"),
    (lambda d: d["labels"]["PRE_CONDUCT"]["patterns"].append([{"LOWER": {"FOO": 1}}]), "rejected by spaCy"),
    # the vocabulary does not compute a word's shape: a pattern on it would never match
    (lambda d: d["labels"]["PRE_CONDUCT"]["patterns"].append([{"SHAPE": "dd/dd"}]), "does not compute SHAPE"),
    (lambda d: d.pop("version"), "version"),
    (lambda d: d["labels"]["CLAIM"].update(subject="owner"), "subject must be"),
])
def test_broken_concepts_are_refused(tmp_path, breakage, message):
    pipe = copy_pipeline(tmp_path)
    edit_json(pipe / "concepts" / "concepts.json", breakage)
    load_pipeline.cache_clear()
    with pytest.raises(RulesError, match=message) as e:
        load_pipeline(str(pipe))
    assert "concepts.json" in str(e.value) or "pipe" in str(e.value)


@pytest.mark.parametrize("breakage,message", [
    (lambda d: d["modifiers"].append({"literal": "maybe", "category": "PERHAPS"}), "category must be one of"),
    (lambda d: d["section_status"].update(outstanding="(unclosed"), "section_status.outstanding"),
    (lambda d: d["follow_up"].update(outstanding="[z-a]"), "follow_up.outstanding"),
    (lambda d: d["line_status"]["tail"].update(OUTSTANDING="(unclosed"), "line_status.tail.OUTSTANDING"),
    (lambda d: d["line_status"].update(legend="[z-a]"), "line_status.legend"),
    (lambda d: d["modifiers"].append({"literal": "by fax", "category": "NEGATED", "labels": "NOTICE"}), "labels must be a list"),
    (lambda d: d.update(transparent_labels="REQUEST"), "transparent_labels"),
    (lambda d: d.update(nil_inside_labels="NO_CONTACT"), "nil_inside_labels"),
    (lambda d: d.update(future_conditions={"future": "will be"}), "future_conditions"),
    (lambda d: d["modifiers"].append({"literal": "texted", "category": "REQUESTED", "not_labels": "ACCOUNT"}), "not_labels must be a list"),
    (lambda d: d["form_boxes"].update(ticked="[x"), "form_boxes.ticked"),
    (lambda d: d["form_boxes"].update(circled="(o)"), "form_boxes"),
    (lambda d: d.update(reported_content=["claim"]), "reported_content"),
    (lambda d: d.update(anaphors=["It"]), "anaphors"),
    (lambda d: d.update(contrast_after_not="the"), "contrast_after_not"),
    (lambda d: d["modifiers"].append({"literal": "maybe", "category": "HYPOTHETICAL", "pattern": [{"IS_STOP": True}]}),
     "modifier .* does not compute IS_STOP"),
])
def test_broken_context_rules_are_refused(tmp_path, breakage, message):
    pipe = copy_pipeline(tmp_path)
    edit_json(pipe / "context" / "context_rules.json", breakage)
    load_pipeline.cache_clear()
    with pytest.raises(RulesError, match=message):
        load_pipeline(str(pipe))


def test_checklist_must_hold_the_contract_items_in_order():
    data = json.loads((MODELS / "checklist.json").read_text())
    labels = set(json.loads((PIPELINE_DIR / "concepts" / "concepts.json").read_text())["labels"])
    ChecklistRules(data, "checklist.json", labels)  # the shipped file is valid
    swapped = dict(data, items=data["items"][1:] + data["items"][:1])
    with pytest.raises(RulesError, match="exactly the contract's 33 ids"):
        ChecklistRules(swapped, "checklist.json", labels)
    bad = json.loads(json.dumps(data))
    bad["items"][3]["decide"]["match"][0]["all_of"] = [["NO_SUCH_LABEL"]]
    with pytest.raises(RulesError, match="unknown concept label NO_SUCH_LABEL"):
        ChecklistRules(bad, "checklist.json", labels)
    bad = json.loads(json.dumps(data))
    bad["items"][0]["action"] = ""
    with pytest.raises(RulesError, match="action"):
        ChecklistRules(bad, "checklist.json", labels)
    bad = json.loads(json.dumps(data))
    bad["items"][4]["decide"]["waits_on"] = "no_such_item"
    with pytest.raises(RulesError, match="waits_on"):
        ChecklistRules(bad, "checklist.json", labels)
    bad = json.loads(json.dumps(data))
    bad["heading_body"]["not_done"] = "(unclosed"
    with pytest.raises(RulesError, match="heading_body"):
        ChecklistRules(bad, "checklist.json", labels)
    bad = json.loads(json.dumps(data))
    bad["items"][CHECKLIST_ITEMS.index("outstanding_timetabled")]["decide"]["target_lead"] = "(on|by"
    with pytest.raises(RulesError, match="target_lead"):
        ChecklistRules(bad, "checklist.json", labels)
    plan = CHECKLIST_ITEMS.index("action_plan_responded")
    bad = json.loads(json.dumps(data))
    bad["items"][plan]["decide"]["combined_titles"] = "(actions and"
    with pytest.raises(RulesError, match="combined_titles"):
        ChecklistRules(bad, "checklist.json", labels)
    for key in ("victim_notice", "all_requests"):
        bad = json.loads(json.dumps(data))
        bad["tpm"][key] = "[DPN"
        with pytest.raises(RulesError, match=key):
            ChecklistRules(bad, "checklist.json", labels)
    rloe = CHECKLIST_ITEMS.index("rloe_recorded")
    for key, value, message in (("list_line", "([", "list_line"), ("labels", ["NO_SUCH_LABEL"], "NO_SUCH_LABEL"),
                                ("min_items", "three", "min_items"), ("deflections", "(see", "deflections"),
                                ("min_items_unintroduced", 2, "min_items_unintroduced"), ("plan_kinds", "CPS_ADVICE", "plan_kinds")):
        bad = json.loads(json.dumps(data))
        bad["items"][rloe]["decide"][key] = value
        with pytest.raises(RulesError, match=message):
            ChecklistRules(bad, "checklist.json", labels)
    devices = CHECKLIST_ITEMS.index("suspect_devices")
    for value in ("DFU", ["DFU", ""]):
        bad = json.loads(json.dumps(data))
        bad["items"][devices]["decide"]["match"][0]["pending_phrases"] = value
        with pytest.raises(RulesError, match="pending_phrases"):
            ChecklistRules(bad, "checklist.json", labels)
    consent = CHECKLIST_ITEMS.index("consent_steps_explored")
    for value in ({"labels": ["NO_SUCH_LABEL"]}, {"labels": ["INTERVIEW"], "subjects": ["officer"]}, {"lead_words": ["further"]}):
        bad = json.loads(json.dumps(data))
        bad["items"][consent]["decide"]["pending_from"] = value
        with pytest.raises(RulesError, match="pending_from"):
            ChecklistRules(bad, "checklist.json", labels)
    assert [i["item"] for i in data["items"]] == CHECKLIST_ITEMS


def test_document_and_timeline_rules_are_checked():
    docs = json.loads((MODELS / "documents.json").read_text())
    docs["kinds"][0]["patterns"] = ["(unclosed"]
    with pytest.raises(RulesError, match="bad document rule"):
        DocumentRules(docs, "documents.json")
    tl = json.loads((MODELS / "timeline.json").read_text())
    del tl["fields"]["submitted"]
    with pytest.raises(RulesError, match="fields"):
        TimelineRules(tl, "timeline.json")


def test_version_and_digest_are_stamped():
    load_pipeline.cache_clear()
    nlp = load_pipeline()
    name = pipeline_name(nlp)
    assert name.startswith("casefile_pipeline 0.3.1") and rules_digest() in name


def test_templates_expand_with_optional_slots():
    assert sorted(expand_templates([["check|verify", "his|", "alibi"]])) == [
        "check alibi", "check his alibi", "verify alibi", "verify his alibi"]


def test_tokenizer_keeps_contractions_and_has_no_whitespace_or_emoticon_cases():
    """tools/trim_tokenizer.py removed the special cases that stop spaCy caching tokens
    (whitespace) or misread case files (emoticons such as '):'); contractions stay split."""
    from reviewer.pipeline import load_pipeline

    nlp = load_pipeline()
    rules = nlp.tokenizer.rules
    assert not [k for k in rules if not k.strip()]
    assert ":)" not in rules and "):" not in rules
    words = [t.text for t in nlp.make_doc("He didn't answer (IP): Mr. Smith wasn't seen at 9am.\n\nNo CCTV.")]
    assert words[:3] == ["He", "did", "n't"]
    assert ")" in words and words[words.index(")") + 1] == ":"
    assert "Mr." in words and "was" in words and "n't" in words and "am" in words and "\n\n" in words
    # a form code ending in a digit and a letter keeps no full stop at the end of a sentence
    assert [t.text for t in nlp.make_doc("It is listed on the MG6D.")][-2:] == ["MG6D", "."]


def test_no_affix_rule_splits_a_word_of_letters():
    """load_pipeline lets a word of ASCII letters skip the tokenizer's prefix, suffix and infix
    expressions (reviewer.pipeline._LettersPass): none of them may match such a word, and the
    tokens must be those of the tokenizer as spacy.load gives it."""
    import itertools
    import string

    import spacy

    from reviewer.pipeline import PIPELINE_DIR, load_pipeline

    plain = spacy.load(PIPELINE_DIR).tokenizer
    prefix, suffix, infix = plain.prefix_search.__self__, plain.suffix_search.__self__, plain.infix_finditer.__self__
    words = {"".join(t) for n in (1, 2) for t in itertools.product(string.ascii_letters, repeat=n)}
    words |= {w for w in plain.vocab.strings if w.isascii() and w.isalpha()}
    assert len(words) > 5000
    assert not [w for w in words if prefix.search(w) or suffix.search(w) or next(infix.finditer(w), None)]
    text = ("DC Smith's e-mail re: CCTV (o/s) - 3 x USB's... IP's phone; 'no comment' 12/03/2024 £40 5km "
            "Ms.Jones <https://www.example.org/x> ten-year-old O'Neill's \"Yes.\" café naïve")
    fast = load_pipeline().tokenizer
    assert fast.suffix_search.__self__.pattern == suffix.pattern
    assert fast.url_match.__self__.pattern == plain.url_match.__self__.pattern
    assert [t.text for t in fast(text)] == [t.text for t in plain(text)]


def test_span_extensions_give_the_context_verdict():
    """spaCy users read ConText's verdict from the span (span._.status, ._.modifiers, ._.nil)."""
    from reviewer.pipeline import load_pipeline

    doc = load_pipeline()("The suspect's phone was not seized. PNC: no trace.")
    spans = {s.text: s for s in doc.spans["concepts"]}
    phone = next(s for t, s in spans.items() if "phone" in t)
    assert phone._.status == "not_done" and phone._.modifiers[0]["category"] == "NEGATED"
    assert any(s._.nil for s in doc.spans["concepts"])


def test_spellings_file_is_validated():
    from reviewer.pipeline import Normalizer

    with pytest.raises(RulesError, match="spellings"):
        Normalizer().set_rules({"version": "1", "spellings": {"Recieved": "received"}}, "spellings.json")
    with pytest.raises(RulesError, match="version"):
        Normalizer().set_rules({"spellings": {}}, "spellings.json")


def test_pipeline_round_trips_through_disk(tmp_path):
    """nlp.to_disk writes every component's rule file; spacy.load reads the copy back."""
    import spacy

    from reviewer.pipeline import load_pipeline

    load_pipeline().to_disk(tmp_path / "copy")
    assert {p.name for p in (tmp_path / "copy").iterdir()} >= {"concepts", "context", "normalizer", "tokenizer", "config.cfg"}
    doc = spacy.load(tmp_path / "copy")("The suspect's phone was not siezed.")
    assert [s._.status for s in doc.spans["concepts"]] == ["not_done", "not_done"]


def test_a_question_is_the_line_it_ends():
    """Table rows run into one sentence by the PDF's layout: the question on the last row
    makes nothing on the rows above it hypothetical."""
    from reviewer.pipeline import load_pipeline

    doc = load_pipeline()("Custody / bail status Voluntary attender - released under investigation\n"
                          "Advice sought Early advice - is there a realistic prospect of conviction?")
    spans = {s.text: s for s in doc.spans["concepts"]}
    assert spans["released under investigation"]._.status == "obtained"
    assert spans["sought"]._.status == "hypothetical"
