"""Shared helpers and fixtures for the API tests: a store with users in two areas and one reviewed sample case."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SAMPLE = ROOT / "samples" / "b_poor_officer_report.pdf"  # a case with many gaps
SAMPLE_A = ROOT / "samples" / "a_structured_mg_file.pdf"


@pytest.fixture(scope="session")
def reviewer_instance():
    from reviewer import Reviewer

    return Reviewer()


class Env:
    def __init__(self, app, store, worker, tokens, client):
        self.app, self.store, self.worker, self.tokens, self.client = app, store, worker, tokens, client

    def h(self, who: str) -> dict:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def upload(self, who: str, path: Path = SAMPLE, name: str | None = None, review: bool = True, **data) -> str:
        with open(path, "rb") as fh:
            r = self.client.post("/api/cases", headers=self.h(who),
                                 files=[("files", (name or path.name, fh, "application/pdf"))], data=data)
        assert r.status_code == 202, r.text
        cid = r.json()["id"]
        if review:
            while self.worker.run_once():
                pass
        return cid


def make_env(tmp_path, reviewer_instance, **limits):
    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.uploads import Limits
    from api.worker import Worker

    app = create_app(tmp_path / "t.db", limits=Limits(**limits) if limits else None)
    store = app.state.store
    tokens = {
        "prosecutor": store.add_user("pat", "prosecutor", "north"),
        "reviewer": store.add_user("rita", "reviewer", "north"),
        "admin": store.add_user("ada", "admin", "hq"),
        "other": store.add_user("olly", "reviewer", "south"),
    }
    return Env(app, store, Worker(store, reviewer_instance), tokens, TestClient(app))


@pytest.fixture(scope="module")
def env(tmp_path_factory, reviewer_instance):
    e = make_env(tmp_path_factory.mktemp("api"), reviewer_instance, max_file_bytes=2_000_000, max_files=5, max_pages=50)
    e.case = e.upload("prosecutor", reference="REF-B")
    return e


@pytest.fixture()
def fresh(tmp_path, reviewer_instance):
    """An environment of its own, with small limits, for tests that count files or rows."""
    return make_env(tmp_path, reviewer_instance, max_file_bytes=64_000, max_files=3, max_pages=20)
