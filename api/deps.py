"""Dependencies shared by the routers: the store, the caller (bearer token) and role checks."""
from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from reviewer.store import NotFound, Store, User

_bearer = HTTPBearer(auto_error=False, description="A token made with `reviewer users add`.")


def get_store(request: Request) -> Store:
    return request.app.state.store


StoreDep = Annotated[Store, Depends(get_store)]


def current_user(request: Request, store: StoreDep,
                 creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> User:
    header = request.headers.get("authorization")
    challenge = {"WWW-Authenticate": "Bearer"}
    if not header:
        raise HTTPException(401, "missing Authorization header: send 'Authorization: Bearer TOKEN'", headers=challenge)
    if creds is None or creds.scheme.lower() != "bearer" or not creds.credentials or " " in creds.credentials.strip() \
            or len(creds.credentials) > 200 or not creds.credentials.isascii():
        raise HTTPException(401, "malformed Authorization header: expected 'Bearer TOKEN'", headers=challenge)
    user = store.user_for_token(creds.credentials.strip())
    if user is None:
        raise HTTPException(401, "unknown or revoked token", headers=challenge)
    request.state.user = user
    return user


CurrentUser = Annotated[User, Depends(current_user)]


def require_reviewer(user: CurrentUser) -> User:
    if not user.can_decide:
        raise HTTPException(403, f"role {user.role!r} cannot record decisions: a reviewer or admin can")
    return user


def require_admin(user: CurrentUser) -> User:
    if not user.is_admin:
        raise HTTPException(403, f"role {user.role!r} cannot manage users: an admin can")
    return user


ReviewerUser = Annotated[User, Depends(require_reviewer)]
AdminUser = Annotated[User, Depends(require_admin)]


def remote(request: Request) -> str | None:
    return request.client.host if request.client else None


def visible_case(store: Store, case_id: str, user: User) -> dict:
    """The case row, or 404 when it does not exist or belongs to another area (the same answer)."""
    try:
        return store.case(case_id, user)
    except NotFound:
        raise HTTPException(404, f"no case {case_id!r}") from None
