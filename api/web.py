"""Server-rendered pages (Jinja2, no JavaScript): sign in, cases, upload, case, page, gaps, plan, search.

Signing in with a token starts a session: an HTTP-only, SameSite=Strict cookie (Secure over HTTPS)
holding a random session id whose hash is stored. Every form carries a CSRF token derived from the
session (or, before sign-in, from a pre-session cookie) and is refused without it.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from itertools import groupby
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from reviewer.checklist import basis_note
from reviewer.store import STATUSES, NotFound, StoreError, User

from . import actionplan
from .app import HERE
from .deps import remote
from .uploads import UploadRejected

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=HERE / "templates")
SESSION = "cr_session"
PRE = "cr_pre"
GROUP_NAMES = {"suspect": "Suspect-focused enquiries", "enquiries": "Lines of enquiry", "tpm": "Third-party material",
               "victim": "Complainant", "disclosure": "Disclosure", "timeliness": "Timeliness"}
STATUS_LABEL = {"missing": "Missing", "outstanding": "Outstanding", "met": "Met", "not_applicable": "Not applicable"}
STATUS_MARK = {"missing": "✗", "outstanding": "…", "met": "✓", "not_applicable": "–"}
templates.env.globals.update(GROUP_NAMES=GROUP_NAMES, STATUS_LABEL=STATUS_LABEL, STATUS_MARK=STATUS_MARK,
                             STATUSES=STATUSES)


def _csrf(request: Request, key: str) -> str:
    return hmac.new(request.app.state.secret.encode(), key.encode(), hashlib.sha256).hexdigest()


def _session_user(request: Request) -> User | None:
    sid = request.cookies.get(SESSION)
    return request.app.state.store.user_for_session(sid) if sid else None


def _need_user(request: Request) -> User:
    u = _session_user(request)
    if u is None:
        raise _Redirect(f"/signin?next={quote(request.url.path)}")
    return u


class _Redirect(Exception):
    def __init__(self, url: str):
        self.url = url


def _check_csrf(request: Request, token: str | None) -> None:
    sid = request.cookies.get(SESSION, "")
    if not sid or not token or not hmac.compare_digest(token, _csrf(request, sid)):
        raise HTTPException(403, "the form's CSRF token is missing or wrong: reload the page and try again")


def render(request: Request, name: str, user: User | None, status_code: int = 200, **ctx) -> HTMLResponse:
    sid = request.cookies.get(SESSION)
    ctx.update(user=user, csrf=_csrf(request, sid) if sid and user else "")
    return templates.TemplateResponse(request, name, ctx, status_code=status_code)


def error_page(request: Request, code: int, detail: str) -> HTMLResponse:
    if code == 401:
        return RedirectResponse(f"/signin?next={quote(request.url.path)}", status_code=303)
    return render(request, "error.html", _session_user(request), status_code=code, code=code, detail=detail)


def _page(fn):
    """Wrap a page handler: sign-in redirects, and 404 for cases outside the user's area."""
    import functools

    @functools.wraps(fn)
    async def wrapper(*a, **kw):
        try:
            return await fn(*a, **kw)
        except _Redirect as r:
            return RedirectResponse(r.url, status_code=303)
        except NotFound as e:
            request = kw.get("request") or a[0]
            return error_page(request, 404, f"no case {e}")
    return wrapper


def _cookie(resp: Response, request: Request, name: str, value: str, max_age: int) -> None:
    resp.set_cookie(name, value, max_age=max_age, httponly=True, samesite="strict",
                    secure=request.url.scheme == "https", path="/")


# ------------------------------------------------------------------ sign in / out
@router.get("/")
@_page
async def home(request: Request):
    return RedirectResponse("/cases" if _session_user(request) else "/signin", status_code=303)


@router.get("/signin")
@_page
async def signin_form(request: Request, next: str = "/cases", error: str | None = None):
    pre = request.cookies.get(PRE) or secrets.token_urlsafe(24)
    resp = render(request, "signin.html", None, next=_safe_next(next), error=error, pre_csrf=_csrf(request, "pre:" + pre),
                  status_code=400 if error else 200)
    _cookie(resp, request, PRE, pre, 3600)
    return resp


def _safe_next(url: str) -> str:
    return url if url.startswith("/") and not url.startswith("//") else "/cases"


@router.post("/signin")
@_page
async def signin(request: Request):
    form = await request.form()
    pre = request.cookies.get(PRE, "")
    if not pre or not hmac.compare_digest(str(form.get("csrf", "")), _csrf(request, "pre:" + pre)):
        return await signin_form(request, error="The sign-in form expired. Please try again.")
    store = request.app.state.store
    user = store.user_for_token(str(form.get("token", "")).strip())
    if user is None:
        store.audit(None, "signin_failed", None, None, remote(request))
        return await signin_form(request, next=str(form.get("next", "/cases")), error="That token is not valid.")
    sid = store.new_session(user)
    store.audit(user.name, "signin", None, None, remote(request))
    resp = RedirectResponse(_safe_next(str(form.get("next", "/cases"))), status_code=303)
    _cookie(resp, request, SESSION, sid, 12 * 3600)
    resp.delete_cookie(PRE, path="/")
    return resp


@router.post("/signout")
@_page
async def signout(request: Request):
    form = await request.form()
    _check_csrf(request, form.get("csrf"))
    request.app.state.store.end_session(request.cookies.get(SESSION, ""))
    resp = RedirectResponse("/signin", status_code=303)
    resp.delete_cookie(SESSION, path="/")
    return resp


# ------------------------------------------------------------------ cases
@router.get("/cases")
@_page
async def cases_page(request: Request):
    user = _need_user(request)
    rows = request.app.state.store.cases_for(user)
    busy = any(r["status"] in ("queued", "processing") for r in rows)
    return render(request, "cases.html", user, cases=rows, refresh=busy)


@router.get("/upload")
@_page
async def upload_form(request: Request):
    user = _need_user(request)
    lim = request.app.state.limits
    return render(request, "upload.html", user, limits=lim, error=None)


@router.post("/upload")
@_page
async def upload(request: Request):
    from .routes.cases import accept_upload

    user = _need_user(request)
    store = request.app.state.store
    sid = request.cookies.get(SESSION, "")
    try:
        # the CSRF field comes first in the form; the upload is checked before anything is stored
        from .uploads import receive_upload
        up = await receive_upload(request, store.tmp_dir, request.app.state.limits)
    except UploadRejected as e:
        return render(request, "upload.html", user, limits=request.app.state.limits, error=e.detail,
                      status_code=e.status)
    try:
        if not hmac.compare_digest(up.fields.get("csrf", ""), _csrf(request, sid)):
            raise HTTPException(403, "the form's CSRF token is missing or wrong: reload the page and try again")
        ref = (up.fields.get("reference") or "").strip()[:200] or None
        files = [(f.name, store.put_file(f.tmp, f.sha256, move=True)) for f in up.files]
        cid = store.enqueue_upload(files, user, reference=ref, remote=remote(request))
    finally:
        up.discard()
    return RedirectResponse(f"/cases/{cid}", status_code=303)


@router.get("/cases/{case_id}")
@_page
async def case_page(request: Request, case_id: str):
    user = _need_user(request)
    store = request.app.state.store
    case = store.case(case_id, user)
    ctx = {"case": case, "groups": [], "report": None, "files": store.case_files(case_id)}
    if case["status"] == "done":
        rows = store.effective_checklist(case_id)
        ctx["report"] = store.report(case_id)
        # what the calibration layer did to each item lives in the stored report
        basis = {c["item"]: c for c in ctx["report"]["checklist"]}
        for r in rows:
            b = basis.get(r["item"], {})
            r["basis_note"] = basis_note(b.get("basis"), b.get("rule_status"), b.get("gap_probability"))
        order = list(GROUP_NAMES)
        rows.sort(key=lambda r: (order.index(r["group"]) if r["group"] in order else 99, r["position"]))
        ctx["groups"] = [(g, list(rs)) for g, rs in groupby(rows, key=lambda r: r["group"])]
        ctx["counts"] = {s: sum(r["status"] == s for r in rows) for s in STATUSES}
        store.audit(user.name, "read_report", case_id, "web", remote(request))
    return render(request, "case.html", user, refresh=case["status"] in ("queued", "processing"), **ctx)


@router.get("/cases/{case_id}/pages/{number}")
@_page
async def page_view(request: Request, case_id: str, number: int, start: int | None = None, end: int | None = None,
                    item: str | None = None):
    user = _need_user(request)
    store = request.app.state.store
    case = store.case(case_id, user)
    p = store.page(case_id, number)
    if p is None:
        return error_page(request, 404, f"case {case_id} has no page {number}")
    text = p["text"]
    if start is not None and end is not None and 0 <= start < end <= len(text):
        parts = (text[:start], text[start:end], text[end:])
    else:
        parts = (text, "", "")
    store.audit(user.name, "read_page", case_id, f"page {number} web", remote(request))
    return render(request, "page.html", user, case=case, page=p, parts=parts, item=item,
                  prev=number - 1 if number > 1 else None, next=number + 1 if number < (case["pages"] or 0) else None)


@router.post("/cases/{case_id}/checklist/{item}/review")
@_page
async def decide(request: Request, case_id: str, item: str):
    user = _need_user(request)
    form = await request.form()
    _check_csrf(request, form.get("csrf"))
    store = request.app.state.store
    store.case(case_id, user)
    if not user.can_decide:
        return error_page(request, 403, "Only a reviewer or an admin can record decisions.")
    decision = str(form.get("decision", ""))
    status = str(form.get("status") or "") or None
    try:
        d = store.decide(case_id, item, user, decision, status if decision != "confirm" else None,
                         str(form.get("note", ""))[:4000])
    except StoreError as e:
        return error_page(request, 422, str(e))
    store.audit(user.name, f"decision_{decision}", case_id, f"{item} -> {d['status']}", remote(request))
    return RedirectResponse(f"/cases/{case_id}#item-{item}", status_code=303)


@router.get("/gaps")
@_page
async def gaps_page(request: Request, item: str = "", group: str = "", status: str = ""):
    user = _need_user(request)
    store = request.app.state.store
    rows = store.gaps(user, item=item or None, group=group or None, status=status if status in STATUSES else None)
    items = sorted(actionplan.item_definitions())
    return render(request, "gaps.html", user, rows=rows, items=items, f_item=item, f_group=group, f_status=status)


@router.get("/cases/{case_id}/action-plan")
@_page
async def plan_page(request: Request, case_id: str):
    user = _need_user(request)
    store = request.app.state.store
    case = store.case(case_id, user)
    if case["status"] != "done":
        return error_page(request, 409, f"case {case_id} has no report yet: it is {case['status']}")
    plan = actionplan.build(store, case_id)
    store.audit(user.name, "read_action_plan", case_id, "web", remote(request))
    return render(request, "plan.html", user, case=case, plan=plan)


@router.get("/search")
@_page
async def search_page(request: Request, q: str = ""):
    user = _need_user(request)
    store = request.app.state.store
    hits = store.search(q[:500], user) if q.strip() else []
    for cid in sorted({h["case"] for h in hits}):
        store.audit(user.name, "search_hit", cid, "web", remote(request))
    return render(request, "search.html", user, q=q, hits=hits)


@router.get("/cases/{case_id}/action-plan.md")
@_page
async def plan_markdown(request: Request, case_id: str):
    from fastapi.responses import PlainTextResponse

    user = _need_user(request)
    store = request.app.state.store
    case = store.case(case_id, user)
    if case["status"] != "done":
        return error_page(request, 409, f"case {case_id} has no report yet: it is {case['status']}")
    store.audit(user.name, "read_action_plan", case_id, "web markdown", remote(request))
    return PlainTextResponse(actionplan.to_markdown(actionplan.build(store, case_id)),
                             media_type="text/markdown; charset=utf-8",
                             headers={"Content-Disposition": f'attachment; filename="action-plan-{case_id}.md"'})


def _area_of(user: User) -> str | None:
    """An admin sees every area; anyone else their own."""
    return None if user.role == "admin" else user.area


@router.get("/triage")
@_page
async def triage_page(request: Request, top: int = 50):
    """The scrutiny-panel ranking of ``reviewer triage``: where to look first, and why."""
    from reviewer.triage import rank_store, timeliness_stats

    user = _need_user(request)
    store = request.app.state.store
    ranking = rank_store(store, area=_area_of(user), top=max(1, min(top, 500)))
    stats = timeliness_stats(store, area=_area_of(user))
    store.audit(user.name, "read_triage", None, "web", remote(request))
    return render(request, "triage.html", user, ranking=ranking, stats=stats)


@router.get("/timeliness.svg")
@_page
async def timeliness_svg(request: Request):
    """The report-to-submission chart of ``reviewer timeliness``, for the caller's cases."""
    from reviewer.triage import timeliness_chart, timeliness_stats

    user = _need_user(request)
    stats = timeliness_stats(request.app.state.store, area=_area_of(user))
    return Response(timeliness_chart(stats, "svg"), media_type="image/svg+xml")
