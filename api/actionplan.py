"""The early-advice action plan: the effective checklist's gaps as actions for the police.

Suspect-focused enquiries come first (priority 1), then the wider lines of enquiry, then
third-party material, the complainant's needs, disclosure and timeliness; within a priority,
missing before outstanding. Third-party requests carry the test they must meet.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from reviewer.store import Store

CHECKLIST_JSON = Path(__file__).resolve().parents[1] / "models" / "checklist.json"

PRIORITY = {"suspect": 1, "enquiries": 2, "tpm": 3, "victim": 3, "disclosure": 4, "timeliness": 4}
LEVEL = {1: "high", 2: "high", 3: "medium", 4: "normal"}

PROPORTIONALITY_TEST = (
    "A request for third-party material about the complainant may be made only if the requester has reason "
    "to believe the holder has the material and that it is relevant to a reasonable line of enquiry (name the "
    "line of enquiry or trial issue), and is satisfied the request is necessary and proportionate: limited in "
    "time and subject, after less intrusive means were considered, never a speculative trawl for credibility. "
    "The complainant must be told in writing what is sought and why (PCSC Act 2022 ss.44A-44B; Victim "
    "Information Requests Code of Practice)."
)
COUNSELLING_TEST = (
    " Counselling or therapy records additionally need a reasoned belief that they are likely to have "
    "substantial probative value, and the approval of a senior officer."
)
DEVICE_TEST = (
    "The complainant's device may be examined only if it is provided voluntarily and the complainant agrees "
    "after written notice (a digital processing notice) that they may refuse; the extraction must be targeted "
    "to a reasonable line of enquiry (PCSC Act 2022 ss.37-39; Bater-James)."
)


@lru_cache(maxsize=1)
def item_definitions() -> dict[str, dict]:
    data = json.loads(CHECKLIST_JSON.read_text(encoding="utf-8"))
    return {i["item"]: i for i in data["items"]}


def build(store: Store, case_id: str) -> dict:
    case = store.case(case_id)
    rows = store.effective_checklist(case_id)
    rep = store.report(case_id) or {}
    defs = item_definitions()
    actions = []
    for r in rows:
        if r["status"] not in ("missing", "outstanding"):
            continue
        d = defs.get(r["item"], {})
        wording = r["action"]
        if r["status"] != r["machine_status"] or not wording:
            wording = d.get("action_outstanding") if r["status"] == "outstanding" and d.get("action_outstanding") else d.get("action")
            wording = wording or r["action"]
        prio = PRIORITY.get(r["group"], 4)
        a = {"item": r["item"], "group": r["group"], "title": r["title"] or d.get("title", r["item"]),
             "status": r["status"], "machine_status": r["machine_status"], "why": d.get("why", ""),
             "action": wording or "", "priority": prio, "priority_level": LEVEL[prio],
             "pages": sorted({c["page"] for c in r["evidence"]}), "decision": r["decision"]}
        if r["group"] == "tpm":
            a["proportionality_test"] = DEVICE_TEST if r["item"] == "complainant_device_lawful" else (
                PROPORTIONALITY_TEST + (COUNSELLING_TEST if r["item"] == "counselling_threshold" else ""))
        actions.append(a)
    order = {"missing": 0, "outstanding": 1}
    actions.sort(key=lambda a: (a["priority"], order[a["status"]], [r["item"] for r in rows].index(a["item"])))
    for n, a in enumerate(actions, 1):
        a["number"] = n
    tpm = [{"category": t.get("category"), "holder": t.get("holder"), "page": t.get("page"),
            "assessment": t.get("assessment"), "reason_stated": t.get("reason_stated"),
            "scope_limited": t.get("scope_limited"), "victim_notified": t.get("victim_notified"),
            "test": DEVICE_TEST if t.get("category") == "complainant_device" else
            PROPORTIONALITY_TEST + (COUNSELLING_TEST if t.get("category") == "counselling" else "")}
           for t in rep.get("tpm_requests", [])]
    return {"case": {"id": case_id, "reference": case.get("reference"), "pipeline": case.get("pipeline"),
                     "status": case["status"]},
            "actions": actions, "tpm_requests": tpm, "timeline": rep.get("timeline", {})}


def to_markdown(plan: dict) -> str:
    c = plan["case"]
    out = [f"# Early-advice action plan: {c.get('reference') or c['id']}", "",
           f"Case {c['id']}. {len(plan['actions'])} action(s), suspect-focused enquiries first.", ""]
    for a in plan["actions"]:
        out.append(f"## {a['number']}. {a['title']} ({a['status']}, priority {a['priority_level']})")
        out.append("")
        out.append(f"- Item: `{a['item']}` ({a['group']})")
        out.append(f"- Why it matters: {a['why']}")
        out.append(f"- Action: {a['action']}")
        if a["pages"]:
            out.append(f"- Pages cited: {', '.join(map(str, a['pages']))}")
        if a.get("proportionality_test"):
            out.append(f"- Test the request must meet: {a['proportionality_test']}")
        if a["decision"]:
            d = a["decision"]
            out.append(f"- Reviewer decision: {d['decision']} by {d['user']} ({d['at'][:10]})" + (f": {d['note']}" if d["note"] else ""))
        out.append("")
    if plan["tpm_requests"]:
        out += ["## Third-party material requests on file", "", "| category | page | assessment |", "|---|---|---|"]
        out += [f"| {t['category']} | {t['page']} | {t['assessment']} |" for t in plan["tpm_requests"]]
        out.append("")
    return "\n".join(out)
