"""Show the cited evidence and reasons for chosen checklist items of a case."""
import sys

from reviewer import review

r = review(sys.argv[1]).to_dict()
items = set(sys.argv[2].split(","))
for row in r["checklist"]:
    if row["item"] in items:
        print(f"== {row['item']}: {row['status']}")
        for e in row["evidence"]:
            print(f"   p{e['page']} {' '.join(e['quote'].split())[:160]}")
            print(f"        why: {e.get('why', '')[:300]}")
