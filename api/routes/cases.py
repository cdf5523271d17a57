"""Cases: upload, list, status, report, pages, decisions, action plan."""
from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import BaseModel, Field

from reviewer.store import STATUSES, NotFound, StoreError

from .. import actionplan
from ..deps import CurrentUser, ReviewerUser, StoreDep, remote, visible_case
from ..uploads import UploadRejected, receive_upload

router = APIRouter(prefix="/api/cases", tags=["cases"])


class Queued(BaseModel):
    id: str
    status: Literal["queued"]


class CaseSummary(BaseModel):
    id: str
    reference: str | None
    area: str
    status: str
    reason: str | None = None
    created: str
    updated: str | None = None
    pipeline: str | None = None
    pages: int | None = 0
    gaps: int | None = 0
    missing: int | None = 0
    outstanding: int | None = 0


class CaseStatus(CaseSummary):
    files: list[dict] = []
    reviews: list[dict] = []


class DecisionIn(BaseModel):
    decision: Literal["confirm", "dismiss", "amend"]
    status: Literal["met", "outstanding", "missing", "not_applicable"] | None = None
    note: str | None = Field(default=None, max_length=4000)


class DecisionOut(BaseModel):
    id: int
    case: str
    item: str
    decision: str
    status: str
    machine_status: str
    user: str
    at: str
    note: str


async def accept_upload(request: Request, store, user) -> str:
    """Stream the files to disk, store them and queue the review; the case id once it is durable."""
    up = await receive_upload(request, store.tmp_dir, request.app.state.limits)
    try:
        ref = (up.fields.get("reference") or "").strip()[:200] or None
        files = []
        for f in up.files:
            files.append((f.name, store.put_file(f.tmp, f.sha256, move=True)))
        return store.enqueue_upload(files, user, reference=ref, remote=remote(request)), up
    finally:
        up.discard()


@router.post("", status_code=202, response_model=Queued,
             summary="Upload a case (multipart: files, one or more; reference, optional)",
             openapi_extra={"requestBody": {"content": {"multipart/form-data": {"schema": {
                 "type": "object", "required": ["files"], "properties": {
                     "files": {"type": "array", "items": {"type": "string", "format": "binary"}},
                     "reference": {"type": "string"}}}}}, "required": True}})
async def upload_case(request: Request, store: StoreDep, user: CurrentUser):
    try:
        cid, _ = await accept_upload(request, store, user)
    except UploadRejected as e:
        store.audit(user.name, "upload_refused", None, f"{e.status}", remote(request))
        return JSONResponse({"detail": e.detail}, status_code=e.status)
    return {"id": cid, "status": "queued"}


@router.get("", response_model=list[CaseSummary], summary="The caller's cases, newest first, with gap counts")
def list_cases(store: StoreDep, user: CurrentUser, limit: int = 200, offset: int = 0):
    return store.cases_for(user, limit=max(1, min(limit, 1000)), offset=max(0, offset))


@router.get("/{case_id}", response_model=CaseStatus, summary="Status: queued, processing, done or failed (with the reason)")
def case_status(case_id: str, store: StoreDep, user: CurrentUser):
    c = visible_case(store, case_id, user)
    c["files"] = [{"name": f["name"], "sha256": f["sha256"], "size": f["size"]} for f in store.case_files(case_id)]
    c["reviews"] = store.reviews(case_id)
    return c


def _done(store, case_id, user) -> dict:
    c = visible_case(store, case_id, user)
    if c["status"] != "done":
        reason = f": {c['reason']}" if c["status"] == "failed" and c.get("reason") else ""
        raise HTTPException(409, f"case {case_id} has no report yet: it is {c['status']}{reason}")
    return c


@router.get("/{case_id}/report", summary="The report (casefile-review/1) with reviewers' decisions applied")
def case_report(case_id: str, request: Request, store: StoreDep, user: CurrentUser):
    _done(store, case_id, user)
    store.audit(user.name, "read_report", case_id, None, remote(request))
    return store.report(case_id)


@router.get("/{case_id}/pages/{number}", summary="One page's extracted text")
def case_page(case_id: str, number: int, request: Request, store: StoreDep, user: CurrentUser):
    _done(store, case_id, user)
    p = store.page(case_id, number)
    if p is None:
        raise HTTPException(404, f"case {case_id} has no page {number}")
    store.audit(user.name, "read_page", case_id, f"page {number}", remote(request))
    return p


@router.get("/{case_id}/decisions", summary="Every reviewer decision on the case, oldest first")
def case_decisions(case_id: str, store: StoreDep, user: CurrentUser):
    visible_case(store, case_id, user)
    return store.decisions(case_id)


@router.post("/{case_id}/checklist/{item}/review", response_model=DecisionOut, status_code=201,
             summary="Confirm, dismiss or amend one checklist item (reviewer or admin)")
def review_item(case_id: str, item: str, body: DecisionIn, request: Request, store: StoreDep, user: ReviewerUser):
    _done(store, case_id, user)
    if body.decision == "amend" and body.status is None:
        raise HTTPException(422, f"amend needs a 'status', one of {', '.join(STATUSES)}")
    try:
        d = store.decide(case_id, item, user, body.decision, body.status, body.note)
    except NotFound:
        raise HTTPException(404, f"case {case_id} has no checklist item {item!r}") from None
    except StoreError as e:
        raise HTTPException(422, str(e)) from None
    store.audit(user.name, f"decision_{body.decision}", case_id, f"{item} -> {d['status']}", remote(request))
    return d


@router.get("/{case_id}/action-plan", summary="The early-advice action plan (JSON, or Markdown with Accept: text/markdown)",
            responses={200: {"content": {"text/markdown": {}}}})
def action_plan(case_id: str, request: Request, store: StoreDep, user: CurrentUser, format: str | None = None):
    _done(store, case_id, user)
    plan = actionplan.build(store, case_id)
    store.audit(user.name, "read_action_plan", case_id, None, remote(request))
    if format in ("md", "markdown") or "text/markdown" in request.headers.get("accept", ""):
        return PlainTextResponse(actionplan.to_markdown(plan), media_type="text/markdown; charset=utf-8")
    return plan
