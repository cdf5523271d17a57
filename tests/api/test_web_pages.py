"""The server-rendered pages through TestClient: sign-in, CSRF, cookies, case, decisions, gaps, plan, search."""
from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from api_testkit import env, fresh, reviewer_instance  # noqa: F401  (fixtures)
from api_testkit import SAMPLE


def _csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def signin(env, who: str) -> TestClient:
    c = TestClient(env.app)
    page = c.get("/signin")
    assert page.status_code == 200
    r = c.post("/signin", data={"token": env.tokens[who], "csrf": _csrf(page.text), "next": "/cases"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/cases"
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
    return c


def test_pages_need_sign_in(env):
    c = TestClient(env.app)
    for path in ("/cases", "/upload", "/gaps", "/search", f"/cases/{env.case}", f"/cases/{env.case}/action-plan"):
        r = c.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/signin"), path


def test_sign_in_refuses_bad_token_and_missing_csrf(env):
    c = TestClient(env.app)
    page = c.get("/signin")
    r = c.post("/signin", data={"token": "nope", "csrf": _csrf(page.text)}, follow_redirects=False)
    assert r.status_code == 400 and "not valid" in r.text
    r = c.post("/signin", data={"token": env.tokens["reviewer"], "csrf": "forged"}, follow_redirects=False)
    assert r.status_code == 400 and "expired" in r.text
    assert "cr_session" not in c.cookies


def test_case_list_case_page_and_page_view(env):
    c = signin(env, "reviewer")
    r = c.get("/cases")
    assert env.case in r.text and "REF-B" in r.text
    r = c.get(f"/cases/{env.case}")
    assert r.status_code == 200
    assert "Suspect-focused enquiries" in r.text and "Missing" in r.text and "✗" in r.text
    m = re.search(r'href="(/cases/[^"]+/pages/\d+\?start=\d+&amp;end=\d+[^"]*)"', r.text)
    assert m, "a cited page link"
    p = c.get(m.group(1).replace("&amp;", "&"))
    assert p.status_code == 200 and '<mark id="hl"' in p.text
    assert any(a["action"] == "read_page" and a["detail"].endswith("web") for a in env.store.audit_rows(env.case))


def test_case_page_says_where_the_calibration_changed_the_rules_status(env):
    c = signin(env, "reviewer")
    html = c.get(f"/cases/{env.case}").text
    rows = env.store.report(env.case)["checklist"]
    changed = [r for r in rows if r["basis"] == "calibrated"]
    assert html.count("Calibrated: the rules found it") == len(changed)
    for r in changed:
        article = html[html.index(f'id="item-{r["item"]}"'):]
        article = article[:article.index("</article>")]
        assert f'the rules found it {r["rule_status"].replace("_", " ")}' in article
        assert f'{r["gap_probability"] * 100:.0f}%' in article


def test_decision_form_with_and_without_csrf(env):
    c = signin(env, "reviewer")
    page = c.get(f"/cases/{env.case}").text
    item = next(g["item"] for g in env.store.gaps(item=None) if g["case"] == env.case)
    url = f"/cases/{env.case}/checklist/{item}/review"
    r = c.post(url, data={"decision": "dismiss", "note": "web note"}, follow_redirects=False)
    assert r.status_code == 403
    r = c.post(url, data={"decision": "dismiss", "note": "web note", "csrf": _csrf(page)}, follow_redirects=False)
    assert r.status_code == 303
    after = c.get(f"/cases/{env.case}").text
    assert "web note" in after and "dismiss" in after


def test_prosecutor_sees_no_decision_forms(env):
    c = signin(env, "prosecutor")
    assert "Record decision" not in c.get(f"/cases/{env.case}").text


def test_other_area_case_page_is_404(env):
    c = signin(env, "other")
    assert c.get(f"/cases/{env.case}").status_code == 404
    assert c.get(f"/cases/{env.case}/pages/1").status_code == 404


def test_gaps_page_filters(env):
    c = signin(env, "reviewer")
    r = c.get("/gaps", params={"group": "suspect"})
    assert r.status_code == 200 and "row(s)" in r.text and "Suspect-focused enquiries" in r.text
    r = c.get("/gaps", params={"item": "suspect_devices", "status": "missing"})
    assert r.status_code == 200


def test_action_plan_page_and_search(env):
    c = signin(env, "prosecutor")
    r = c.get(f"/cases/{env.case}/action-plan")
    assert r.status_code == 200 and "Early-advice action plan" in r.text and "Why it matters" in r.text
    md = c.get(f"/cases/{env.case}/action-plan.md")
    assert md.status_code == 200 and md.text.startswith("# Early-advice action plan")
    r = c.get("/search", params={"q": 'interview" OR NEAR('})
    assert r.status_code == 200
    r = c.get("/search", params={"q": "interview"})
    assert "<mark>" in r.text


def test_upload_form_streams_and_checks_csrf(env):
    c = signin(env, "prosecutor")
    form = c.get("/upload").text
    data = SAMPLE.read_bytes()
    r = c.post("/upload", data={"csrf": "bad"}, files=[("files", ("w.pdf", data, "application/pdf"))], follow_redirects=False)
    assert r.status_code == 403
    r = c.post("/upload", data={"csrf": _csrf(form), "reference": "WEB-1"}, files=[("files", ("w.pdf", b"nope", "application/pdf"))])
    assert r.status_code == 415 and "not a PDF" in r.text
    r = c.post("/upload", data={"csrf": _csrf(form), "reference": "WEB-1"}, files=[("files", ("w.pdf", data, "application/pdf"))],
               follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/cases/c_")


def test_sign_out(env):
    c = signin(env, "prosecutor")
    page = c.get("/cases").text
    r = c.post("/signout", data={"csrf": _csrf(page)}, follow_redirects=False)
    assert r.status_code == 303
    assert c.get("/cases", follow_redirects=False).status_code == 303
