"""The triage ranking and the timeliness chart on web pages, per area."""
from __future__ import annotations

from fastapi.testclient import TestClient

from api_testkit import env, reviewer_instance  # noqa: F401  (fixtures)
from test_web_pages import signin


def test_triage_page_ranks_the_callers_cases_with_reasons(env):
    c = signin(env, "reviewer")
    r = c.get("/triage")
    assert r.status_code == 200
    assert f'href="/cases/{env.case}"' in r.text
    assert "Why" in r.text and "(+" in r.text  # each case shows why it ranks where it does
    svg = c.get("/timeliness.svg")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert b"<svg" in svg.content


def test_triage_page_hides_other_areas_and_needs_sign_in(env):
    other = signin(env, "other")
    assert f'href="/cases/{env.case}"' not in other.get("/triage").text
    anon = TestClient(env.app)
    r = anon.get("/triage", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/signin")
