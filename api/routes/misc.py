"""Health, gaps across cases, search, users (admin) and the audit trail (admin)."""
from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel

from reviewer.store import NotFound, StoreError

from ..deps import AdminUser, CurrentUser, StoreDep, remote

router = APIRouter(prefix="/api")


@router.get("/health", tags=["health"], summary="Liveness; needs no token")
def health():
    return {"status": "ok"}


@router.get("/gaps", tags=["gaps"], summary="Checklist rows that are not met, across the caller's cases")
def gaps(store: StoreDep, user: CurrentUser, item: str | None = None,
         status: Literal["met", "outstanding", "missing", "not_applicable"] | None = None, group: str | None = None):
    return store.gaps(user, item=item or None, status=status, group=group or None)


@router.get("/search", tags=["search"], summary="Full-text search over the page text of the caller's cases")
def search(request: Request, store: StoreDep, user: CurrentUser,
           q: str = Query(..., min_length=1, max_length=500, description="Plain words; FTS syntax is treated as text")):
    hits = store.search(q, user)
    for cid in sorted({h["case"] for h in hits}):
        store.audit(user.name, "search_hit", cid, None, remote(request))
    return {"query": q, "results": hits}


class UserIn(BaseModel):
    name: str
    role: Literal["prosecutor", "reviewer", "admin"]
    area: str


@router.get("/users", tags=["users"], summary="Users (admin)")
def list_users(store: StoreDep, user: AdminUser):
    return store.users()


@router.post("/users", tags=["users"], status_code=201, summary="Add a user; the token is shown once (admin)")
def add_user(body: UserIn, request: Request, store: StoreDep, user: AdminUser):
    try:
        token = store.add_user(body.name, body.role, body.area)
    except StoreError as e:
        raise HTTPException(409 if "exists" in str(e) else 422, str(e)) from None
    store.audit(user.name, "user_add", None, f"{body.name} {body.role} {body.area}", remote(request))
    return {"name": body.name, "role": body.role, "area": body.area, "token": token}


@router.delete("/users/{name}", tags=["users"], summary="Revoke a user's token (admin)")
def revoke_user(name: str, request: Request, store: StoreDep, user: AdminUser):
    try:
        store.revoke_user(name)
    except NotFound as e:
        raise HTTPException(404, str(e)) from None
    store.audit(user.name, "user_revoke", None, name, remote(request))
    return {"name": name, "revoked": True}


@router.get("/audit", tags=["audit"], summary="The audit trail, newest first (admin)")
def audit(store: StoreDep, user: AdminUser, case: str | None = None, limit: int = 500):
    return store.audit_rows(case, max(1, min(limit, 5000)))
