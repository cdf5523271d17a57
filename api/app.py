"""The FastAPI application: ``create_app(db_path)`` serves the API under /api and the web pages."""
from __future__ import annotations

import logging
import threading
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from reviewer.store import Store

from .uploads import Limits

log = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent


def create_app(db_path: str | Path, *, limits: Limits | None = None, worker: str | None = None,
               reviewer=None) -> FastAPI:
    """The app over the store at DB_PATH.

    worker: None (a separate worker process reviews uploads: ``reviewer serve`` starts one) or
    "thread" (review in a thread of this process; handy for small setups and tests).
    """
    from .routes import cases, misc
    from . import web

    store = Store(db_path)
    app = FastAPI(title="casefile-reviewer", version="1",
                  description="Pre-review checklists for RASSO case files: upload a police file, read its "
                              "checklist, confirm or dismiss gaps, send an action plan. Every route but "
                              "`/api/health` needs `Authorization: Bearer TOKEN` (see `reviewer users add`).")
    app.state.store = store
    app.state.limits = limits or Limits()
    app.state.secret = store.setting("csrf_secret", lambda: __import__("secrets").token_hex(32))
    app.include_router(misc.router)
    app.include_router(cases.router)
    app.include_router(web.router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        parts = []
        for e in exc.errors():
            loc = ".".join(str(x) for x in e.get("loc", ()) if x != "body") or "body"
            parts.append(f"{loc}: {e.get('msg')}")
        return JSONResponse({"detail": "; ".join(parts) or "invalid request", "errors": _plain(exc.errors())},
                            status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        if not request.url.path.startswith("/api") and request.method == "GET" and exc.status_code in (401, 404):
            return web.error_page(request, exc.status_code, str(exc.detail))
        detail = exc.detail if exc.status_code != 404 or exc.detail != "Not Found" else f"no route {request.url.path}"
        return JSONResponse({"detail": detail}, status_code=exc.status_code, headers=getattr(exc, "headers", None))

    if worker == "thread":
        from .worker import Worker

        w = Worker(Store(db_path), reviewer)
        app.state.worker = w

        @app.on_event("startup")
        def _start():
            threading.Thread(target=w.run, name="review-worker", daemon=True).start()

        @app.on_event("shutdown")
        def _stop():
            w.stop.set()

    return app


def _plain(errors):
    out = []
    for e in errors:
        out.append({k: (v if isinstance(v, (str, int, float, list, type(None))) else str(v))
                    for k, v in e.items() if k in ("loc", "msg", "type")})
    return out
