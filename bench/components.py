"""Time each spaCy component over the pages of a bundle: python bench/components.py BUNDLE"""
import sys
import time

from reviewer import Reviewer
from reviewer.extraction import extract_case
from reviewer.pipeline import unwrap_soft_breaks

rv = Reviewer()
pages = extract_case(sys.argv[1]).pages
texts = [unwrap_soft_breaks(p.text) for p in pages]
T = {"make_doc": 0.0}
for text in texts:
    t = time.perf_counter()
    doc = rv.nlp.make_doc(text)
    doc._.plain = text
    T["make_doc"] += time.perf_counter() - t
    for name, proc in rv.nlp.pipeline:
        t = time.perf_counter()
        doc = proc(doc)
        T[name] = T.get(name, 0.0) + time.perf_counter() - t
for k, v in T.items():
    print(f"{k:14} {v:6.3f} s")
print(f"{'total':14} {sum(T.values()):6.3f} s for {len(texts)} pages")
