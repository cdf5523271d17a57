"""Stage 6: reports -> the case store (one SQLite file, through sqlite-utils).

Stable interface (used by ``reviewer.batch``, the API and ``reviewer serve``)::

    store = Store("cases.db")      # opens/creates the file, WAL on, runs registered migrations
    case_id = store.save_review(case_key, report, files, area=None, reference=None, source="batch")
        # report: a Report or its to_dict(); files: the case's files on disk.
        # Copies each file under <db>.files/<sha256> (never under the client's name; the same
        # bytes twice are one file), upserts the single `cases` row for case_key and writes every
        # report row (pages + FTS, documents, findings, checklist, TPM requests, concerns,
        # timeline) in ONE transaction. A new pipeline version adds a row to `reviews` and keeps
        # the earlier one as history; the same pipeline again replaces its own rows.
    store.has_review(case_key, pipeline) -> bool
    store.record_failure(case_key, reason, files=None, area=None)   # case status 'failed'
    store.cases(area=None) -> list[dict]                            # newest first, with gap counts

Also here: users and hashed tokens, reviewer decisions (rows of their own: the machine's finding
is never overwritten; the effective status is the latest decision's), an append-only audit
table, and a durable job queue for uploads (``enqueue_upload`` / ``claim_job`` / ``finish_job``).

Tables: cases, files, case_files, reviews, pages (+ pages_fts), documents, findings, checklist,
tpm_requests, concerns, timeline, decisions, audit, users, sessions, jobs, settings, _migrations.
Document text is never logged; audit rows never hold quotes.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import secrets
import shutil
import sqlite3
import tempfile
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable

import sqlite_utils

log = logging.getLogger(__name__)

ROLES = ("prosecutor", "reviewer", "admin")
STATUSES = ("met", "outstanding", "missing", "not_applicable")
GAP_STATUSES = ("missing", "outstanding")
DECISIONS = ("confirm", "dismiss", "amend")
CASE_STATES = ("queued", "processing", "done", "failed")


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_id(prefix: str = "c") -> str:
    return f"{prefix}_{secrets.token_hex(6)}"


class StoreError(Exception):
    """A store operation was refused (unknown user, bad decision ...)."""


class NotFound(StoreError):
    pass


# ---------------------------------------------------------------- migrations
MIGRATIONS: list[tuple[str, Callable[[sqlite_utils.Database], None]]] = []


def migration(fn: Callable[[sqlite_utils.Database], None]):
    """Register a schema migration; they run once each, in registration order."""
    MIGRATIONS.append((fn.__name__, fn))
    return fn


@migration
def m001_initial(db: sqlite_utils.Database) -> None:
    db["settings"].create({"key": str, "value": str}, pk="key")
    db["users"].create({"id": int, "name": str, "role": str, "area": str, "token_hash": str,
                        "created": str, "revoked": str}, pk="id", not_null={"name", "role", "area", "token_hash"})
    db["users"].create_index(["name"], unique=True)
    db["users"].create_index(["token_hash"], unique=True)
    db["sessions"].create({"id_hash": str, "user_id": int, "created": str, "expires": str}, pk="id_hash",
                          foreign_keys=[("user_id", "users", "id")])
    db["cases"].create({"id": str, "case_key": str, "area": str, "reference": str, "status": str, "reason": str,
                        "source": str, "created": str, "updated": str, "created_by": str, "pipeline": str,
                        "current_review": int, "pages": int, "gaps": int, "missing": int, "outstanding": int},
                       pk="id", not_null={"case_key", "status"})
    db["cases"].create_index(["case_key"], unique=True)
    db["cases"].create_index(["area", "created"])
    db["files"].create({"sha256": str, "size": int, "kind": str, "created": str}, pk="sha256")
    db["case_files"].create({"case_id": str, "position": int, "name": str, "sha256": str},
                            pk=("case_id", "name"), foreign_keys=[("case_id", "cases", "id"), ("sha256", "files", "sha256")])
    db["reviews"].create({"id": int, "case_id": str, "pipeline": str, "created": str, "pages": int,
                          "report": str}, pk="id", foreign_keys=[("case_id", "cases", "id")])
    db["reviews"].create_index(["case_id", "pipeline"], unique=True)
    rid = {"review_id": int, "case_id": str}
    db["pages"].create({"id": int, **rid, "number": int, "file": str, "file_page": int, "extractor": str,
                        "text": str}, pk="id", foreign_keys=[("review_id", "reviews", "id")])
    db["pages"].create_index(["review_id", "number"], unique=True)
    db["pages"].enable_fts(["text"], fts_version="FTS5", create_triggers=True, tokenize="porter")
    db["documents"].create({"id": int, **rid, "doc_id": str, "file": str, "kind": str, "title": str,
                            "first_page": int, "last_page": int}, pk="id")
    db["documents"].create_index(["review_id"])
    db["findings"].create({"id": int, **rid, "rule": str, "label": str, "subject": str, "status": str,
                           "modifiers": str, "document": str, "page": int, "start": int, "end": int,
                           "span_start": int, "span_end": int, "quote": str}, pk="id")
    db["findings"].create_index(["review_id"])
    db["checklist"].create({"id": int, **rid, "position": int, "item": str, "grp": str, "status": str,
                            "title": str, "action": str, "evidence": str}, pk="id")
    db["checklist"].create_index(["review_id", "item"], unique=True)
    db["checklist"].create_index(["case_id", "status"])
    db["tpm_requests"].create({"id": int, **rid, "category": str, "holder": str, "page": int, "quote": str,
                               "reason_stated": int, "scope_limited": int, "victim_notified": int,
                               "assessment": str, "extra": str}, pk="id")
    db["tpm_requests"].create_index(["review_id"])
    db["concerns"].create({"id": int, **rid, "kind": str, "page": int, "quote": str, "why": str}, pk="id")
    db["concerns"].create_index(["review_id"])
    db["timeline"].create({"review_id": int, "case_id": str, "offence": str, "reported": str,
                           "suspect_interviewed": str, "submitted": str, "days_report_to_submission": int,
                           "data": str}, pk="review_id")
    db["decisions"].create({"id": int, "case_id": str, "item": str, "user": str, "at": str, "decision": str,
                            "status": str, "machine_status": str, "note": str, "review_id": int}, pk="id",
                           not_null={"case_id", "item", "user", "at", "decision", "status"})
    db["decisions"].create_index(["case_id", "item", "id"])
    db["audit"].create({"id": int, "at": str, "user": str, "action": str, "case_id": str, "detail": str,
                        "remote": str}, pk="id", not_null={"at", "action"})
    db["audit"].create_index(["case_id"])
    db.executescript("""
        CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
        CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
    """)
    db["jobs"].create({"id": int, "case_id": str, "state": str, "attempts": int, "created": str, "started": str,
                       "finished": str, "worker": str, "reason": str}, pk="id", not_null={"case_id", "state"})
    db["jobs"].create_index(["state", "id"])
    db["jobs"].create_index(["case_id"], unique=True)


@migration
def m002_review_history(db: sqlite_utils.Database) -> None:
    """A forced re-review with the same pipeline keeps the earlier review as history."""
    for idx in db["reviews"].indexes:
        if idx.unique and idx.columns == ["case_id", "pipeline"]:
            db.execute(f"DROP INDEX [{idx.name}]")
    db["reviews"].create_index(["case_id", "pipeline"], if_not_exists=True)


# ---------------------------------------------------------------- store
@dataclass
class User:
    id: int
    name: str
    role: str
    area: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def can_decide(self) -> bool:
        return self.role in ("reviewer", "admin")


class Store:
    """The case store: one SQLite file (WAL) plus ``<db>.files/`` holding files by SHA-256."""

    def __init__(self, path: str | Path, *, busy_timeout_ms: int = 30000):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.files_dir = self.path.with_name(self.path.name + ".files")
        self.files_dir.mkdir(exist_ok=True)
        self.tmp_dir = self.files_dir / "tmp"
        self.tmp_dir.mkdir(exist_ok=True)
        self._local = threading.local()
        self._busy = busy_timeout_ms
        db = self.db
        db.execute("PRAGMA journal_mode=WAL")
        self._migrate(db)

    # one connection per thread: sqlite3 connections must not be shared between threads
    @property
    def db(self) -> sqlite_utils.Database:
        db = getattr(self._local, "db", None)
        if db is None:
            conn = sqlite3.connect(str(self.path), timeout=self._busy / 1000, isolation_level=None,
                                   check_same_thread=False)
            conn.execute(f"PRAGMA busy_timeout={self._busy}")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA synchronous=NORMAL")
            db = sqlite_utils.Database(conn)
            self._local.db = db
        return db

    def close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.conn.close()
            self._local.db = None

    def _migrate(self, db: sqlite_utils.Database) -> None:
        with _write(db):
            db.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied TEXT)")
            done = {r[0] for r in db.execute("SELECT name FROM _migrations").fetchall()}
            for name, fn in MIGRATIONS:
                if name not in done:
                    fn(db)
                    db.execute("INSERT INTO _migrations VALUES (?, ?)", [name, now()])
                    log.info("store migration applied: %s", name)

    def migrations(self) -> list[str]:
        return [r["name"] for r in self.db["_migrations"].rows_where(order_by="rowid")]

    def atomic(self):
        """A write transaction (BEGIN IMMEDIATE, so concurrent writers queue instead of failing)."""
        return _write(self.db)

    def setting(self, key: str, default: Callable[[], str]) -> str:
        db = self.db
        row = db.execute("SELECT value FROM settings WHERE key=?", [key]).fetchone()
        if row:
            return row[0]
        with _write(db):
            db.execute("INSERT OR IGNORE INTO settings VALUES (?, ?)", [key, default()])
        return db.execute("SELECT value FROM settings WHERE key=?", [key]).fetchone()[0]

    # ------------------------------------------------------------ files
    def file_path(self, sha: str) -> Path:
        if not re.fullmatch(r"[0-9a-f]{64}", sha):
            raise StoreError("not a sha256")
        return self.files_dir / sha[:2] / sha

    def put_file(self, src: Path, sha: str | None = None, move: bool = False) -> str:
        """Store SRC under its SHA-256 (idempotent); returns the hash. Call before the DB transaction."""
        sha = sha or sha256_file(src)
        dest = self.file_path(sha)
        if dest.exists():
            if move:
                src.unlink(missing_ok=True)
            return sha
        dest.parent.mkdir(exist_ok=True)
        if move:
            os.replace(src, dest)
        else:
            fd, tmp = tempfile.mkstemp(dir=self.tmp_dir)
            os.close(fd)
            shutil.copyfile(src, tmp)
            os.replace(tmp, dest)
        return sha

    def _record_file(self, db, sha: str, kind: str) -> None:
        size = self.file_path(sha).stat().st_size
        db.execute("INSERT OR IGNORE INTO files (sha256, size, kind, created) VALUES (?, ?, ?, ?)",
                   [sha, size, kind, now()])

    def _link_files(self, db, case_id: str, files: list[tuple[str, str]]) -> None:
        """files: (display name, sha256), in case order."""
        db.execute("DELETE FROM case_files WHERE case_id=?", [case_id])
        for pos, (name, sha) in enumerate(files):
            self._record_file(db, sha, Path(name).suffix.lower().lstrip("."))
            db.execute("INSERT INTO case_files (case_id, position, name, sha256) VALUES (?, ?, ?, ?)",
                       [case_id, pos, name, sha])

    def case_files(self, case_id: str) -> list[dict]:
        return list(self.db.query("SELECT cf.name, cf.sha256, f.size, f.kind FROM case_files cf JOIN files f "
                                  "USING (sha256) WHERE case_id=? ORDER BY position", [case_id]))

    # ------------------------------------------------------------ cases (batch interface)
    def case_id_for(self, case_key: str) -> str | None:
        row = self.db.execute("SELECT id FROM cases WHERE case_key=?", [case_key]).fetchone()
        return row[0] if row else None

    def _upsert_case(self, db, case_key: str, status: str, area, reference, source, created_by=None,
                     reason=None) -> str:
        row = db.execute("SELECT id FROM cases WHERE case_key=?", [case_key]).fetchone()
        ts = now()
        if row:
            cid = row[0]
            db.execute("UPDATE cases SET status=?, reason=?, updated=?, area=COALESCE(?, area), "
                       "reference=COALESCE(?, reference) WHERE id=?", [status, reason, ts, area, reference, cid])
            return cid
        cid = new_id("c")
        db.execute("INSERT INTO cases (id, case_key, area, reference, status, reason, source, created, updated, "
                   "created_by, gaps, missing, outstanding, pages) VALUES (?,?,?,?,?,?,?,?,?,?,0,0,0,0)",
                   [cid, case_key, area or "", reference, status, reason, source, ts, ts, created_by])
        return cid

    def save_review(self, case_key: str, report: Any, files: list[Path], area: str | None = None,
                    reference: str | None = None, source: str = "batch", *, case_id: str | None = None) -> str:
        """Store a finished review (and its files) in one transaction; returns the case id."""
        rep = report.to_dict() if hasattr(report, "to_dict") else report
        pages = _report_pages(report)
        stored = [(Path(f).name if not isinstance(f, tuple) else f[0],
                   self.put_file(Path(f)) if not isinstance(f, tuple) else f[1]) for f in files]
        db = self.db
        with _write(db):
            if case_id is not None:
                row = db.execute("SELECT case_key FROM cases WHERE id=?", [case_id]).fetchone()
                if not row:
                    raise NotFound(case_id)
                case_key = row[0]
            cid = self._upsert_case(db, case_key, "done", area, reference, source)
            if stored:
                self._link_files(db, cid, stored)
            self._write_review(db, cid, rep, pages)
        return cid

    def _write_review(self, db, cid: str, rep: dict, pages: list[dict] | None) -> int:
        pipeline = rep["case"]["pipeline"]
        # every review is kept: the case row points at the newest (current_review), earlier
        # ones, with the same or another pipeline, stay as history
        cur = db.execute("INSERT INTO reviews (case_id, pipeline, created, pages, report) VALUES (?,?,?,?,?)",
                         [cid, pipeline, now(), rep["case"]["pages"], json.dumps(rep, ensure_ascii=False)])
        rid = cur.lastrowid
        base = {"review_id": rid, "case_id": cid}
        if pages:
            db["pages"].insert_all(({**base, **p} for p in pages), batch_size=200)
        db["documents"].insert_all(({**base, "doc_id": d["id"], "file": d.get("file"), "kind": d.get("kind"),
                                     "title": d.get("title"), "first_page": d.get("first_page"),
                                     "last_page": d.get("last_page")} for d in rep.get("documents", [])))
        db["findings"].insert_all(({**base, "rule": e.get("rule"), "label": e.get("label"),
                                    "subject": e.get("subject"), "status": e.get("status"),
                                    "modifiers": json.dumps(e.get("modifiers", [])), "document": e.get("document"),
                                    "page": e.get("page"), "start": e.get("start"), "end": e.get("end"),
                                    "span_start": (e.get("span") or {}).get("start"),
                                    "span_end": (e.get("span") or {}).get("end"),
                                    "quote": e.get("quote")} for e in rep.get("evidence", [])))
        db["checklist"].insert_all(({**base, "position": i, "item": c["item"], "grp": c["group"],
                                     "status": c["status"], "title": c.get("title"), "action": c.get("action"),
                                     "evidence": json.dumps(c.get("evidence", []), ensure_ascii=False)}
                                    for i, c in enumerate(rep.get("checklist", []))))
        known = {"category", "holder", "page", "quote", "reason_stated", "scope_limited", "victim_notified", "assessment"}
        db["tpm_requests"].insert_all(({**base, **{k: r.get(k) for k in known},
                                        "extra": json.dumps({k: v for k, v in r.items() if k not in known})}
                                       for r in rep.get("tpm_requests", [])))
        db["concerns"].insert_all(({**base, "kind": c.get("kind"), "page": c.get("page"), "quote": c.get("quote"),
                                    "why": c.get("why")} for c in rep.get("concerns", [])))
        tl = rep.get("timeline") or {}
        db["timeline"].insert({**base, **{k: tl.get(k) for k in ("offence", "reported", "suspect_interviewed",
                                                                 "submitted", "days_report_to_submission")},
                               "data": json.dumps(tl)})
        db.execute("UPDATE cases SET current_review=?, pipeline=?, pages=?, status='done', reason=NULL, updated=? "
                   "WHERE id=?", [rid, pipeline, rep["case"]["pages"], now(), cid])
        self._refresh_counts(db, cid)
        return rid

    def _refresh_counts(self, db, cid: str) -> None:
        rows = self.effective_checklist(cid, db=db)
        missing = sum(r["status"] == "missing" for r in rows)
        outstanding = sum(r["status"] == "outstanding" for r in rows)
        db.execute("UPDATE cases SET gaps=?, missing=?, outstanding=? WHERE id=?",
                   [missing + outstanding, missing, outstanding, cid])

    def has_review(self, case_key: str, pipeline: str) -> bool:
        return self.db.execute("SELECT 1 FROM reviews r JOIN cases c ON c.id=r.case_id WHERE c.case_key=? "
                               "AND r.pipeline=?", [case_key, pipeline]).fetchone() is not None

    def record_failure(self, case_key: str, reason: str, files: list[Path] | None = None, area: str | None = None,
                       source: str = "batch", reference: str | None = None) -> str:
        """Record that the case could not be reviewed, and why (status 'failed'); returns the case id."""
        stored = [f if isinstance(f, tuple) else (Path(f).name, self.put_file(Path(f)))
                  for f in (files or []) if isinstance(f, tuple) or Path(f).is_file()]
        db = self.db
        with _write(db):
            cid = self._upsert_case(db, case_key, "failed", area, reference, source, reason=reason[:2000])
            if stored:
                self._link_files(db, cid, stored)
        return cid

    def case(self, case_id: str, user: User | None = None) -> dict:
        """One case row; NotFound when it does not exist or lies outside the user's area."""
        row = self.db.execute("SELECT * FROM cases WHERE id=?", [case_id]).fetchone()
        if row is None:
            raise NotFound(case_id)
        d = dict(zip([c[0] for c in self.db.execute("SELECT * FROM cases LIMIT 0").description], row))
        if user is not None and not user.is_admin and d["area"] != user.area:
            raise NotFound(case_id)
        return d

    def cases(self, area: str | None = None, limit: int = 1000, offset: int = 0) -> list[dict]:
        """Cases newest first (all, or one area's), with status and gap counts."""
        where, args = ("WHERE area=?", [area]) if area is not None else ("", [])
        return list(self.db.query(f"SELECT id, case_key, area, reference, status, reason, source, created, updated, "
                                  f"pipeline, pages, gaps, missing, outstanding FROM cases {where} "
                                  f"ORDER BY created DESC, rowid DESC LIMIT ? OFFSET ?", args + [limit, offset]))

    def cases_for(self, user: User, **kw) -> list[dict]:
        return self.cases(None if user.is_admin else user.area, **kw)

    def reviews(self, case_id: str) -> list[dict]:
        return list(self.db.query("SELECT id, pipeline, created, pages FROM reviews WHERE case_id=? ORDER BY id",
                                  [case_id]))

    def report(self, case_id: str) -> dict | None:
        """The current report with effective statuses (machine status and decision kept alongside)."""
        row = self.db.execute("SELECT r.report FROM cases c JOIN reviews r ON r.id=c.current_review WHERE c.id=?",
                              [case_id]).fetchone()
        if not row:
            return None
        rep = json.loads(row[0])
        eff = {r["item"]: r for r in self.effective_checklist(case_id)}
        for c in rep["checklist"]:
            e = eff.get(c["item"])
            if e:
                c["machine_status"] = c["status"]
                c["status"] = e["status"]
                c["decision"] = e["decision"]
        rep["case"]["store_id"] = case_id
        return rep

    def page(self, case_id: str, number: int) -> dict | None:
        rows = self.db.execute_returning_dicts(
            "SELECT p.number, p.file, p.file_page, p.extractor, p.text FROM pages p JOIN cases c "
            "ON c.current_review=p.review_id WHERE c.id=? AND p.number=?", [case_id, number])
        return rows[0] if rows else None

    # ------------------------------------------------------------ checklist and decisions
    def effective_checklist(self, case_id: str, db=None) -> list[dict]:
        """The current review's checklist, each row with the latest decision applied."""
        db = db or self.db
        rows = db.execute_returning_dicts(
            "SELECT k.item, k.grp AS 'group', k.status AS machine_status, k.title, k.action, k.evidence, k.position "
            "FROM checklist k JOIN cases c ON c.current_review=k.review_id WHERE c.id=? ORDER BY k.position",
            [case_id])
        latest = {r["item"]: r for r in db.execute_returning_dicts(
            "SELECT d.* FROM decisions d WHERE d.case_id=? AND d.id = (SELECT MAX(id) FROM decisions d2 "
            "WHERE d2.case_id=d.case_id AND d2.item=d.item)", [case_id])}
        out = []
        for r in rows:
            d = latest.get(r["item"])
            r["evidence"] = json.loads(r["evidence"] or "[]")
            r["status"] = d["status"] if d else r["machine_status"]
            r["decision"] = ({"decision": d["decision"], "status": d["status"], "user": d["user"], "at": d["at"],
                              "note": d["note"]} if d else None)
            out.append(r)
        return out

    def decide(self, case_id: str, item: str, user: User, decision: str, status: str | None = None,
               note: str | None = None) -> dict:
        """Record a reviewer decision on one checklist item; the machine's row is left as it was.

        confirm: the machine's status stands; dismiss: the flagged gap is not a gap (status 'met' unless
        STATUS says 'not_applicable'); amend: STATUS replaces the machine's status (required).
        """
        if decision not in DECISIONS:
            raise StoreError(f"decision must be one of {', '.join(DECISIONS)}")
        db = self.db
        with _write(db):
            row = db.execute("SELECT k.status, k.review_id FROM checklist k JOIN cases c ON c.current_review="
                             "k.review_id WHERE c.id=? AND k.item=?", [case_id, item]).fetchone()
            if not row:
                raise NotFound(item)
            machine, rid = row
            if decision == "confirm":
                if status not in (None, machine):
                    raise StoreError("confirm keeps the machine's status; use amend to change it")
                eff = machine
            elif decision == "dismiss":
                eff = status or "met"
                if eff not in ("met", "not_applicable"):
                    raise StoreError("dismiss sets the status to met or not_applicable; use amend for others")
            else:
                if status not in STATUSES:
                    raise StoreError(f"amend needs a status, one of {', '.join(STATUSES)}")
                eff = status
            ts = now()
            cur = db.execute("INSERT INTO decisions (case_id, item, user, at, decision, status, machine_status, note, "
                             "review_id) VALUES (?,?,?,?,?,?,?,?,?)",
                             [case_id, item, user.name, ts, decision, eff, machine, (note or "")[:4000], rid])
            self._refresh_counts(db, case_id)
        return {"id": cur.lastrowid, "case": case_id, "item": item, "decision": decision, "status": eff,
                "machine_status": machine, "user": user.name, "at": ts, "note": note or ""}

    def decisions(self, case_id: str) -> list[dict]:
        return list(self.db.query("SELECT id, item, user, at, decision, status, machine_status, note FROM decisions "
                                  "WHERE case_id=? ORDER BY id", [case_id]))

    def gaps(self, user: User | None = None, item: str | None = None, status: str | None = None,
             group: str | None = None, area: str | None = None) -> list[dict]:
        """Checklist rows whose effective status is not met, across cases (a user's area unless admin)."""
        if user is not None and not user.is_admin:
            area = user.area
        where, args = "WHERE status='done'", []
        if area is not None:
            where, args = "WHERE status='done' AND area=?", [area]
        out = []
        for c in self.db.execute_returning_dicts(f"SELECT id, reference, area, created FROM cases {where} "
                                                 "ORDER BY created DESC, rowid DESC", args):
            for r in self.effective_checklist(c["id"]):
                if status is not None:
                    if r["status"] != status:
                        continue
                elif r["status"] not in GAP_STATUSES:
                    continue
                if item and r["item"] != item or group and r["group"] != group:
                    continue
                out.append({"case": c["id"], "reference": c["reference"], "area": c["area"], "item": r["item"],
                            "group": r["group"], "title": r["title"], "status": r["status"],
                            "machine_status": r["machine_status"], "action": r["action"],
                            "evidence": r["evidence"], "decision": r["decision"]})
        return out

    # ------------------------------------------------------------ search
    def search(self, q: str, user: User | None = None, limit: int = 50) -> list[dict]:
        """Full-text search over the page text of the user's cases. Q is plain words, never FTS syntax."""
        match = fts_quote(q)
        if not match:
            return []
        area_sql, args = "", [match]
        if user is not None and not user.is_admin:
            area_sql, args = "AND c.area=?", [match, user.area]
        rows = self.db.execute_returning_dicts(
            "SELECT c.id AS 'case', c.reference, p.number AS page, p.file, "
            "snippet(pages_fts, 0, char(57344), char(57345), '…', 12) AS snip "
            "FROM pages_fts JOIN pages p ON p.rowid=pages_fts.rowid JOIN cases c ON c.current_review=p.review_id "
            f"WHERE pages_fts MATCH ? {area_sql} ORDER BY rank LIMIT ?", args + [limit])
        for r in rows:
            s = r.pop("snip")
            r["snippet"] = s.replace("\ue000", "[").replace("\ue001", "]")
            r["snippet_html"] = _html_escape(s).replace("\ue000", "<mark>").replace("\ue001", "</mark>")
        return rows

    # ------------------------------------------------------------ users, sessions
    def add_user(self, name: str, role: str, area: str) -> str:
        """Create a user; returns the token (shown once, only its SHA-256 is kept)."""
        if role not in ROLES:
            raise StoreError(f"role must be one of {', '.join(ROLES)}")
        if not re.fullmatch(r"[A-Za-z0-9_.@-]{1,64}", name or ""):
            raise StoreError("a user name is 1-64 letters, digits or _ . @ -")
        if not area or len(area) > 64:
            raise StoreError("an area is needed (at most 64 characters)")
        token = secrets.token_urlsafe(32)
        db = self.db
        with _write(db):
            if db.execute("SELECT 1 FROM users WHERE name=?", [name]).fetchone():
                raise StoreError(f"user {name!r} exists")
            db.execute("INSERT INTO users (name, role, area, token_hash, created) VALUES (?,?,?,?,?)",
                       [name, role, area, hash_token(token), now()])
        return token

    def users(self) -> list[dict]:
        return list(self.db.query("SELECT name, role, area, created, revoked FROM users ORDER BY name"))

    def revoke_user(self, name: str) -> None:
        db = self.db
        with _write(db):
            cur = db.execute("UPDATE users SET revoked=?, token_hash='revoked:' || id WHERE name=? AND revoked IS NULL",
                             [now(), name])
            if cur.rowcount == 0:
                raise NotFound(f"no active user {name!r}")
            db.execute("DELETE FROM sessions WHERE user_id=(SELECT id FROM users WHERE name=?)", [name])

    def user_for_token(self, token: str) -> User | None:
        if not token or len(token) > 200:
            return None
        row = self.db.execute("SELECT id, name, role, area FROM users WHERE token_hash=? AND revoked IS NULL",
                              [hash_token(token)]).fetchone()
        return User(*row) if row else None

    def new_session(self, user: User, hours: int = 12) -> str:
        sid = secrets.token_urlsafe(32)
        exp = datetime.now(timezone.utc).timestamp() + hours * 3600
        db = self.db
        with _write(db):
            db.execute("INSERT INTO sessions VALUES (?,?,?,?)", [hash_token(sid), user.id, now(),
                       datetime.fromtimestamp(exp, timezone.utc).isoformat()])
        return sid

    def user_for_session(self, sid: str) -> User | None:
        if not sid or len(sid) > 200:
            return None
        row = self.db.execute("SELECT u.id, u.name, u.role, u.area FROM sessions s JOIN users u ON u.id=s.user_id "
                              "WHERE s.id_hash=? AND s.expires>? AND u.revoked IS NULL",
                              [hash_token(sid), now()]).fetchone()
        return User(*row) if row else None

    def end_session(self, sid: str) -> None:
        with _write(self.db):
            self.db.execute("DELETE FROM sessions WHERE id_hash=?", [hash_token(sid)])

    # ------------------------------------------------------------ audit
    def audit(self, user: str | None, action: str, case_id: str | None = None, detail: str | None = None,
              remote: str | None = None) -> None:
        """Append one audit row (who, what, which case, when, from where). Never pass document text."""
        db = self.db
        with _write(db):
            db.execute("INSERT INTO audit (at, user, action, case_id, detail, remote) VALUES (?,?,?,?,?,?)",
                       [now(), user, action, case_id, (detail or "")[:500] or None, remote])

    def audit_rows(self, case_id: str | None = None, limit: int = 500) -> list[dict]:
        if case_id:
            return list(self.db.query("SELECT * FROM audit WHERE case_id=? ORDER BY id DESC LIMIT ?", [case_id, limit]))
        return list(self.db.query("SELECT * FROM audit ORDER BY id DESC LIMIT ?", [limit]))

    # ------------------------------------------------------------ job queue
    def enqueue_upload(self, files: list[tuple[str, str]], user: User, reference: str | None = None,
                       remote: str | None = None) -> str:
        """Record an uploaded case whose files are already stored; case, files, job and audit in one transaction."""
        db = self.db
        with _write(db):
            cid = new_id("c")
            ts = now()
            db.execute("INSERT INTO cases (id, case_key, area, reference, status, source, created, updated, created_by, "
                       "gaps, missing, outstanding, pages) VALUES (?,?,?,?,?,?,?,?,?,0,0,0,0)",
                       [cid, f"upload:{cid}", user.area, reference, "queued", "upload", ts, ts, user.name])
            self._link_files(db, cid, files)
            db.execute("INSERT INTO jobs (case_id, state, attempts, created) VALUES (?, 'queued', 0, ?)", [cid, ts])
            db.execute("INSERT INTO audit (at, user, action, case_id, detail, remote) VALUES (?,?,?,?,?,?)",
                       [ts, user.name, "upload", cid, f"{len(files)} file(s)", remote])
        return cid

    def requeue_interrupted(self, alive: Iterable[str] = ()) -> int:
        """Put jobs left 'running' by a worker that is gone back in the queue; returns how many."""
        alive = list(alive)
        db = self.db
        with _write(db):
            marks = ",".join("?" * len(alive))
            sql = "SELECT case_id FROM jobs WHERE state='running'" + (f" AND worker NOT IN ({marks})" if alive else "")
            ids = [r[0] for r in db.execute(sql, alive).fetchall()]
            for cid in ids:
                db.execute("UPDATE jobs SET state='queued', worker=NULL WHERE case_id=?", [cid])
                db.execute("UPDATE cases SET status='queued', updated=? WHERE id=?", [now(), cid])
        return len(ids)

    def claim_job(self, worker: str) -> dict | None:
        """Take the oldest queued job (atomically; safe with several workers)."""
        db = self.db
        with _write(db):
            row = db.execute("SELECT id, case_id, attempts FROM jobs WHERE state='queued' ORDER BY id LIMIT 1").fetchone()
            if not row:
                return None
            db.execute("UPDATE jobs SET state='running', worker=?, started=?, attempts=attempts+1 WHERE id=?",
                       [worker, now(), row[0]])
            db.execute("UPDATE cases SET status='processing', updated=? WHERE id=?", [now(), row[1]])
        return {"id": row[0], "case_id": row[1], "attempts": row[2] + 1}

    def finish_job(self, job: dict, worker: str, report: Any = None, reason: str | None = None) -> bool:
        """Store the review (or the failure) and close the job, in one transaction.

        Returns False, storing nothing, when the job is no longer this worker's (it was requeued and
        taken by another), so a case is never stored twice.
        """
        rep = None
        pages = None
        if report is not None:
            rep = report.to_dict() if hasattr(report, "to_dict") else report
            pages = _report_pages(report)
        db = self.db
        with _write(db):
            row = db.execute("SELECT state, worker FROM jobs WHERE id=?", [job["id"]]).fetchone()
            if not row or row[0] != "running" or row[1] != worker:
                return False
            cid = job["case_id"]
            if rep is not None:
                self._write_review(db, cid, rep, pages)
                db.execute("UPDATE jobs SET state='done', finished=? WHERE id=?", [now(), job["id"]])
            else:
                db.execute("UPDATE jobs SET state='failed', finished=?, reason=? WHERE id=?",
                           [now(), (reason or "")[:2000], job["id"]])
                db.execute("UPDATE cases SET status='failed', reason=?, updated=? WHERE id=?",
                           [(reason or "")[:2000], now(), cid])
        return True

    def job(self, case_id: str) -> dict | None:
        rows = self.db.execute_returning_dicts("SELECT * FROM jobs WHERE case_id=?", [case_id])
        return rows[0] if rows else None


# ---------------------------------------------------------------- helpers
class _write:
    """BEGIN IMMEDIATE ... COMMIT (ROLLBACK on error); nested use joins the outer transaction."""

    def __init__(self, db: sqlite_utils.Database):
        self.conn = db.conn
        self.outer = False

    def __enter__(self):
        if self.conn.in_transaction:
            return self
        self.conn.execute("BEGIN IMMEDIATE")
        self.outer = True
        return self

    def __exit__(self, exc_type, exc, tb):
        if not self.outer:
            return False
        if exc_type is None:
            self.conn.execute("COMMIT")
        else:
            self.conn.execute("ROLLBACK")
        return False


def _report_pages(report: Any) -> list[dict] | None:
    pages = getattr(report, "pages", None)
    if pages is None and isinstance(report, dict):
        pages = report.get("_pages")
    if not pages:
        return None
    out = []
    for p in pages:
        if isinstance(p, dict):
            out.append({k: p.get(k) for k in ("number", "file", "file_page", "extractor", "text")})
        else:
            out.append({"number": p.number, "file": p.file, "file_page": getattr(p, "file_page", None),
                        "extractor": getattr(p, "extractor", None), "text": p.text})
    return out


_WORD = re.compile(r"\w+(?:['’]\w+)*", re.UNICODE)


def fts_quote(q: str, max_terms: int = 16) -> str:
    """Plain words -> a safe FTS5 query: each word a quoted string, so no user text is FTS syntax."""
    words = _WORD.findall(q or "")[:max_terms]
    return " ".join('"' + w.replace('"', '""') + '"' for w in words)


def _html_escape(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
