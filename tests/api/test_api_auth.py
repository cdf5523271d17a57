"""Every route tried with no token, a wrong token, a malformed header, a user of another area and each role."""
from __future__ import annotations

import pytest

from api_testkit import env, fresh, reviewer_instance  # noqa: F401  (fixtures)
from api_testkit import SAMPLE

# (method, path template, role allowed, body)
ROUTES = [
    ("GET", "/api/cases", {"prosecutor", "reviewer", "admin"}, None),
    ("POST", "/api/cases", {"prosecutor", "reviewer", "admin"}, "upload"),
    ("GET", "/api/cases/{case}", {"prosecutor", "reviewer", "admin"}, None),
    ("GET", "/api/cases/{case}/report", {"prosecutor", "reviewer", "admin"}, None),
    ("GET", "/api/cases/{case}/pages/1", {"prosecutor", "reviewer", "admin"}, None),
    ("GET", "/api/cases/{case}/decisions", {"prosecutor", "reviewer", "admin"}, None),
    ("GET", "/api/cases/{case}/action-plan", {"prosecutor", "reviewer", "admin"}, None),
    ("POST", "/api/cases/{case}/checklist/suspect_devices/review", {"reviewer", "admin"}, {"decision": "confirm"}),
    ("GET", "/api/gaps", {"prosecutor", "reviewer", "admin"}, None),
    ("GET", "/api/search?q=interview", {"prosecutor", "reviewer", "admin"}, None),
    ("GET", "/api/users", {"admin"}, None),
    ("POST", "/api/users", {"admin"}, {"name": "x{n}", "role": "prosecutor", "area": "north"}),
    ("DELETE", "/api/users/nobody", {"admin"}, None),
    ("GET", "/api/audit", {"admin"}, None),
]
CASE_ROUTES = [r for r in ROUTES if "{case}" in r[1]]
_n = iter(range(10_000))


def call(env, method, path, body, headers):
    path = path.format(case=env.case)
    if body == "upload":
        with open(SAMPLE, "rb") as fh:
            return env.client.request(method, path, headers=headers, files=[("files", ("b.pdf", fh.read(), "application/pdf"))])
    if isinstance(body, dict):
        body = {k: v.format(n=next(_n)) if isinstance(v, str) else v for k, v in body.items()}
        return env.client.request(method, path, headers=headers, json=body)
    return env.client.request(method, path, headers=headers)


@pytest.mark.parametrize("method,path,allowed,body", ROUTES, ids=[f"{m} {p}" for m, p, _, _ in ROUTES])
@pytest.mark.parametrize("auth", [None, "Bearer not-a-real-token", "Bearer", "Basic dXNlcjpwYXNz", "Bearer a b", "Bearer \u00e9t\u00e9"])
def test_refused_without_a_valid_token(env, method, path, allowed, body, auth):
    headers = {} if auth is None else {"Authorization": auth.encode("utf-8")}
    r = call(env, method, path, body, headers)
    assert r.status_code == 401, (auth, r.text)
    assert r.json()["detail"] and r.headers.get("www-authenticate") == "Bearer"


@pytest.mark.parametrize("method,path,allowed,body", ROUTES, ids=[f"{m} {p}" for m, p, _, _ in ROUTES])
@pytest.mark.parametrize("role", ["prosecutor", "reviewer", "admin"])
def test_each_role(env, method, path, allowed, body, role):
    r = call(env, method, path, body, env.h(role))
    if role in allowed:
        assert r.status_code < 400 or (path.startswith("/api/users/nobody") and r.status_code == 404), r.text
    else:
        assert r.status_code == 403 and role in r.json()["detail"]


@pytest.mark.parametrize("method,path,allowed,body", CASE_ROUTES, ids=[f"{m} {p}" for m, p, _, _ in CASE_ROUTES])
def test_other_area_gets_404(env, method, path, allowed, body):
    r = call(env, method, path, body, env.h("other"))
    assert r.status_code == 404 and "no case" in r.json()["detail"]


def test_other_area_lists_nothing_of_ours(env):
    assert env.case not in {c["id"] for c in env.client.get("/api/cases", headers=env.h("other")).json()}
    assert not [g for g in env.client.get("/api/gaps", headers=env.h("other")).json() if g["case"] == env.case]
    assert env.case in {c["id"] for c in env.client.get("/api/cases", headers=env.h("admin")).json()}


def test_health_is_open(env):
    assert env.client.get("/api/health").status_code == 200
