"""Trim the special cases of the pipeline's tokenizer (models/casefile_pipeline/tokenizer).

spaCy's English tokenizer ships about 1,350 special cases. Two groups do nothing for police
paperwork and cost a lot:

- the whitespace cases (" ", "\\n", "\\t", "\\xa0"): they give the same tokens as the default
  rules, but a chunk holding a special case is never cached, so with them every page was
  tokenized from scratch (five times slower on a 300-page bundle);
- emoticons (":)", "):", ":/" ...): in a case file "(IP):" is a bracket and a colon, not a
  face, and the label rules need the colon as a token of its own.

Contractions ("didn't" -> "did", "n't"), abbreviations ("Mr.", "e.g.") and times ("9am")
stay.

Two things are added, so that a code is matched at the end of a sentence:

- a suffix: a full stop after a form code that ends in a digit and a letter ("the MG6D.",
  "served a DPNc.") is split off, as spaCy already does after "MG11." or "DMD.";
- special cases for a slashed abbreviation of two lower-case letters before a full stop
  ("statement still o/s.", "whereabouts n/k.", "N/A" written "n/a."): spaCy split the slash but
  kept "s." or "k." as an abbreviation of its own, so "o/s" was not read and the sentence ran on.

Run once after changing spaCy: python tools/trim_tokenizer.py
"""
import re
import string
from pathlib import Path

from spacy.symbols import ORTH
from spacy.util import compile_suffix_regex

from reviewer.pipeline import PIPELINE_DIR, load_pipeline

FORM_CODE_STOP = r"(?<=[0-9][A-Za-z])\."


def keep(key: str) -> bool:
    return bool(key.strip()) and bool(re.search(r"[A-Za-z0-9]", key))


def main() -> None:
    nlp = load_pipeline()
    rules = nlp.tokenizer.rules
    kept = {k: v for k, v in rules.items() if keep(k)}
    for a in string.ascii_lowercase:
        for b in string.ascii_lowercase:
            kept[f"{a}/{b}."] = [{ORTH: a}, {ORTH: "/"}, {ORTH: b}, {ORTH: "."}]
    nlp.tokenizer.rules = kept
    suffixes = list(nlp.Defaults.suffixes)
    if FORM_CODE_STOP not in suffixes:
        suffixes.append(FORM_CODE_STOP)
    nlp.tokenizer.suffix_search = compile_suffix_regex(suffixes).search
    nlp.tokenizer.to_disk(Path(PIPELINE_DIR) / "tokenizer", exclude=["vocab"])
    print(f"{len(kept)} special cases")


if __name__ == "__main__":
    main()
