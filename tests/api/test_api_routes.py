"""Every route of the API through FastAPI's TestClient."""
from __future__ import annotations

import json

from api_testkit import env, fresh, reviewer_instance  # noqa: F401  (fixtures)
from api_testkit import SAMPLE, SAMPLE_A


def test_health_needs_no_token(env):
    r = env.client.get("/api/health")
    assert r.status_code == 200 and r.json() == {"status": "ok"}


def test_openapi_docs(env):
    assert env.client.get("/docs").status_code == 200
    spec = env.client.get("/openapi.json").json()
    for path in ("/api/cases", "/api/cases/{case_id}/report", "/api/gaps", "/api/search",
                 "/api/cases/{case_id}/checklist/{item}/review", "/api/cases/{case_id}/action-plan"):
        assert path in spec["paths"]
    assert "HTTPBearer" in json.dumps(spec["components"])


def test_upload_queues_then_review_finishes(env):
    with open(SAMPLE_A, "rb") as fh:
        r = env.client.post("/api/cases", headers=env.h("prosecutor"),
                            files=[("files", ("bundle.pdf", fh, "application/pdf"))], data={"reference": "REF-A"})
    assert r.status_code == 202
    body = r.json()
    assert body["status"] == "queued" and body["id"].startswith("c_")
    assert env.client.get(f"/api/cases/{body['id']}", headers=env.h("prosecutor")).json()["status"] == "queued"
    # the report is not there yet
    r = env.client.get(f"/api/cases/{body['id']}/report", headers=env.h("prosecutor"))
    assert r.status_code == 409 and "queued" in r.json()["detail"]
    env.worker.run_once()
    st = env.client.get(f"/api/cases/{body['id']}", headers=env.h("prosecutor")).json()
    assert st["status"] == "done" and st["reference"] == "REF-A" and st["files"][0]["name"] == "bundle.pdf"
    assert len(st["reviews"]) == 1


def test_list_cases_newest_first_with_gap_counts(env):
    rows = env.client.get("/api/cases", headers=env.h("reviewer")).json()
    assert rows and all(r["area"] == "north" for r in rows)
    assert [r["created"] for r in rows] == sorted((r["created"] for r in rows), reverse=True)
    b = next(r for r in rows if r["id"] == env.case)
    assert b["status"] == "done" and b["gaps"] == b["missing"] + b["outstanding"] > 0


def test_report_follows_contract(env):
    rep = env.client.get(f"/api/cases/{env.case}/report", headers=env.h("prosecutor")).json()
    assert rep["schema"] == "casefile-review/1"
    for key in ("case", "documents", "checklist", "tpm_requests", "evidence", "concerns", "timeline", "problems"):
        assert key in rep
    assert len(rep["checklist"]) == 33
    for c in rep["checklist"]:
        assert c["status"] in ("met", "outstanding", "missing", "not_applicable")
        assert "machine_status" in c and "decision" in c
    # the read was audited, without any quote
    rows = env.store.audit_rows(env.case)
    assert any(r["action"] == "read_report" and r["user"] == "pat" for r in rows)
    assert all(not r["detail"] or len(r["detail"]) < 80 for r in rows)


def test_page_text_and_audit(env):
    r = env.client.get(f"/api/cases/{env.case}/pages/1", headers=env.h("prosecutor"))
    assert r.status_code == 200 and r.json()["number"] == 1 and r.json()["text"]
    assert any(a["action"] == "read_page" for a in env.store.audit_rows(env.case))
    assert env.client.get(f"/api/cases/{env.case}/pages/999", headers=env.h("prosecutor")).status_code == 404


def test_gaps_and_filters(env):
    gaps = env.client.get("/api/gaps", headers=env.h("prosecutor")).json()
    assert gaps and all(g["status"] in ("missing", "outstanding") for g in gaps)
    item = gaps[0]["item"]
    only = env.client.get("/api/gaps", params={"item": item}, headers=env.h("prosecutor")).json()
    assert only and {g["item"] for g in only} == {item}
    grp = env.client.get("/api/gaps", params={"group": "suspect"}, headers=env.h("prosecutor")).json()
    assert grp and {g["group"] for g in grp} == {"suspect"}
    st = env.client.get("/api/gaps", params={"status": "outstanding"}, headers=env.h("prosecutor")).json()
    assert all(g["status"] == "outstanding" for g in st)
    assert env.client.get("/api/gaps", params={"status": "bogus"}, headers=env.h("prosecutor")).status_code == 422


def test_decisions_never_overwrite_the_machine(env):
    gaps = env.client.get("/api/gaps", params={"group": "victim"}, headers=env.h("reviewer")).json()
    item = gaps[0]["item"]
    machine = gaps[0]["machine_status"]
    url = f"/api/cases/{env.case}/checklist/{item}/review"
    r = env.client.post(url, headers=env.h("reviewer"), json={"decision": "dismiss", "note": "ISVA letter p.2"})
    assert r.status_code == 201 and r.json()["status"] == "met" and r.json()["machine_status"] == machine
    assert item not in {g["item"] for g in env.client.get("/api/gaps", headers=env.h("reviewer")).json() if g["case"] == env.case}
    r = env.client.post(url, headers=env.h("reviewer"), json={"decision": "amend", "status": "outstanding", "note": "awaited"})
    assert r.status_code == 201
    rep = env.client.get(f"/api/cases/{env.case}/report", headers=env.h("reviewer")).json()
    row = next(c for c in rep["checklist"] if c["item"] == item)
    assert row["status"] == "outstanding" and row["machine_status"] == machine and row["decision"]["user"] == "rita"
    r = env.client.post(url, headers=env.h("reviewer"), json={"decision": "confirm"})
    assert r.json()["status"] == machine
    hist = env.client.get(f"/api/cases/{env.case}/decisions", headers=env.h("prosecutor")).json()
    assert [d["decision"] for d in hist if d["item"] == item][-3:] == ["dismiss", "amend", "confirm"]
    # the machine's checklist row is untouched
    row = env.store.db.execute("SELECT status FROM checklist WHERE case_id=? AND item=?", [env.case, item]).fetchone()
    assert row[0] == machine


def test_decision_bad_bodies(env):
    url = f"/api/cases/{env.case}/checklist/suspect_devices/review"
    r = env.client.post(url, headers=env.h("reviewer"), json={"decision": "amend"})
    assert r.status_code == 422 and "status" in r.json()["detail"]
    r = env.client.post(url, headers=env.h("reviewer"), json={"decision": "maybe"})
    assert r.status_code == 422 and "decision" in r.json()["detail"]
    r = env.client.post(url, headers=env.h("reviewer"), json={})
    assert r.status_code == 422 and "decision" in r.json()["detail"]
    r = env.client.post(f"/api/cases/{env.case}/checklist/no_such_item/review", headers=env.h("reviewer"),
                        json={"decision": "confirm"})
    assert r.status_code == 404 and "no_such_item" in r.json()["detail"]
    r = env.client.post(url, headers=env.h("reviewer"), content=b"not json", )
    assert r.status_code == 422


def test_action_plan_json_and_markdown(env):
    plan = env.client.get(f"/api/cases/{env.case}/action-plan", headers=env.h("prosecutor")).json()
    acts = plan["actions"]
    assert acts and [a["number"] for a in acts] == list(range(1, len(acts) + 1))
    assert [a["priority"] for a in acts] == sorted(a["priority"] for a in acts)
    assert acts[0]["group"] == "suspect"
    for a in acts:
        assert a["why"] and a["action"] and a["item"]
        assert ("proportionality_test" in a) == (a["group"] == "tpm")
    md = env.client.get(f"/api/cases/{env.case}/action-plan", headers={**env.h("prosecutor"), "Accept": "text/markdown"})
    assert md.status_code == 200 and md.headers["content-type"].startswith("text/markdown")
    assert md.text.startswith("# Early-advice action plan") and "Why it matters" in md.text


def test_search_highlights_and_is_area_scoped(env):
    r = env.client.get("/api/search", params={"q": "interview"}, headers=env.h("prosecutor")).json()
    assert r["results"], r
    hit = r["results"][0]
    assert {"case", "page", "snippet", "snippet_html"} <= hit.keys() and "<mark>" in hit["snippet_html"]
    assert env.client.get("/api/search", params={"q": "interview"}, headers=env.h("other")).json()["results"] == []
    assert env.client.get("/api/search", headers=env.h("prosecutor")).status_code == 422


def test_users_admin_routes(env):
    r = env.client.post("/api/users", headers=env.h("admin"), json={"name": "newbie", "role": "prosecutor", "area": "north"})
    assert r.status_code == 201 and r.json()["token"]
    tok = r.json()["token"]
    assert env.client.get("/api/cases", headers={"Authorization": f"Bearer {tok}"}).status_code == 200
    names = [u["name"] for u in env.client.get("/api/users", headers=env.h("admin")).json()]
    assert "newbie" in names and all("token" not in k for u in env.client.get("/api/users", headers=env.h("admin")).json() for k in u)
    assert env.client.post("/api/users", headers=env.h("admin"), json={"name": "newbie", "role": "prosecutor", "area": "n"}).status_code == 409
    assert env.client.delete("/api/users/newbie", headers=env.h("admin")).status_code == 200
    assert env.client.get("/api/cases", headers={"Authorization": f"Bearer {tok}"}).status_code == 401
    assert env.client.delete("/api/users/newbie", headers=env.h("admin")).status_code == 404


def test_audit_route(env):
    rows = env.client.get("/api/audit", params={"case": env.case}, headers=env.h("admin")).json()
    assert rows and {"at", "user", "action", "case_id", "remote"} <= rows[0].keys()


def test_unknown_route_is_json_404(env):
    r = env.client.get("/api/nothing", headers=env.h("admin"))
    assert r.status_code == 404 and "detail" in r.json()
