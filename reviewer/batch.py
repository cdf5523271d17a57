"""Stage 7: backlog sweeps. Find every case below a folder, review each once in parallel, store it.

    from reviewer.batch import sweep, LocalBackend, DaskBackend
    from reviewer.store import Store

    with LocalBackend(workers=2) as backend:
        summary = sweep("backlog/", Store("cases.db"), backend)

The flow, and why it is safe to kill at any moment:

1. :func:`find_cases` walks the folder. In DIR (and in any folder holding only folders) each
   supported file is a *bundle* case and each folder that holds files is a *case folder*.
   Hidden entries are ignored; symlinked folders are followed once (a loop is reported, not followed).
2. Each case is hashed (:func:`case_key`): a bundle by its bytes, a folder by the names and bytes of its
   files. A key already reviewed by the same pipeline version is skipped; a new pipeline version, or
   ``force``, reviews it again and the store keeps the earlier review as history.
3. Tasks go to a ``concurrent.futures`` executor: a local process pool whose workers load the pipeline
   once each (initializer), or a dask.distributed cluster (``Client.get_executor()``, pipeline loaded by
   :class:`ReviewerPlugin`). Workers return plain rows (the report dict and the page texts).
4. The parent is the single writer: each case is one ``Store.save_review`` transaction, so a killed run
   leaves every case either fully stored or absent, and the next run finishes the rest.

A case that cannot be reviewed is recorded with its reason (``Store.record_failure``) and the sweep
goes on. Problems found before a case has a key (an unreadable folder, a symlink loop, a file that
vanished before it could be hashed) are not cases the store can hold: they are reported in the summary.
"""
from __future__ import annotations

import concurrent.futures as cf
import errno
import hashlib
import logging
import multiprocessing
import os
import shutil
import sqlite3
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from .errors import CaseError, ReviewerError
from .extraction import SUPPORTED, case_files
from .store import sha256_file

log = logging.getLogger(__name__)

GAP_STATUSES = ("missing", "outstanding")


class BatchError(ReviewerError):
    """The sweep cannot run or go on: bad folder, locked database, scheduler not answering (CLI exit 2)."""

    code = "R010"


# ---------------------------------------------------------------- discovery and keys
@dataclass
class CaseSource:
    """One case found below the sweep folder."""

    path: Path  # the bundle file or the case folder
    name: str  # path relative to the sweep folder (the store's `reference`)
    kind: str  # bundle | folder
    files: list[Path] = field(default_factory=list)  # in case order (what the review reads)
    names: list[str] = field(default_factory=list)  # the same, relative to the case root
    hashes: list[str] = field(default_factory=list)  # sha256 of each file, set by case_key()
    key: str | None = None

    @property
    def case_id(self) -> str:
        """The report's case id, the same whichever way the files travel."""
        return self.path.stem if self.kind == "bundle" else self.path.name


@dataclass
class Skip:
    """Something below the sweep folder that is not reviewed, and why."""

    name: str
    reason: str
    failed: bool = True  # False for things deliberately left out (unsupported file, empty folder)


def _is_hidden(name: str) -> bool:
    return name.startswith(".")


def find_cases(root: str | Path, depth: int | None = None) -> tuple[list[CaseSource], list[Skip]]:
    """Every case below ROOT, in name order, and what was left out (with reasons).

    By default a folder holding files is a case folder and a folder holding only folders is searched
    further. With DEPTH, every folder DEPTH levels below ROOT is a case folder (for cases whose files sit
    in subfolders of their own); bundle files above that level are still cases.
    Raises BatchError when ROOT itself is missing, not a folder or unreadable.
    """
    if depth is not None and depth < 1:
        raise BatchError("depth must be 1 or more")
    root = Path(root)
    if not root.exists():
        raise BatchError(f"{root}: no such folder")
    if not root.is_dir():
        raise BatchError(f"{root}: not a folder (to review one case use `reviewer review`)")
    try:
        os.listdir(root)
    except OSError as e:
        raise BatchError(f"{root}: the folder cannot be read ({e.strerror})") from None
    cases: list[CaseSource] = []
    skips: list[Skip] = []
    seen_dirs: set[tuple[int, int]] = set()

    def rel(p: Path) -> str:
        return p.relative_to(root).as_posix()

    def walk_container(folder: Path, chain: frozenset, level: int = 0) -> None:
        try:
            st = folder.stat()
            # real entries before symlinks, so a folder is swept under its own name, not an alias
            entries = sorted(os.scandir(folder), key=lambda e: (e.is_symlink(), e.name))
        except OSError as e:
            skips.append(Skip(rel(folder) or ".", f"unreadable folder ({e.strerror})"))
            return
        ident = (st.st_dev, st.st_ino)
        seen_dirs.add(ident)
        chain = chain | {ident}
        for entry in entries:
            if _is_hidden(entry.name):
                continue
            p = folder / entry.name
            try:
                is_dir = entry.is_dir()  # follows symlinks
                is_file = not is_dir and entry.is_file()
            except OSError:
                skips.append(Skip(rel(p), _dangling_reason(p)))
                continue
            if not is_dir and not is_file:
                skips.append(Skip(rel(p), _dangling_reason(p)))
                continue
            if is_file:
                if p.suffix.lower() in SUPPORTED:
                    cases.append(CaseSource(p, rel(p), "bundle", [p], [p.name]))
                else:
                    skips.append(Skip(rel(p), f"not a case: unsupported file type '{p.suffix or p.name}'", failed=False))
                continue
            try:
                st = p.stat()
            except OSError as e:
                skips.append(Skip(rel(p), _dangling_reason(p) if e.errno == errno.ELOOP else f"cannot be read ({e.strerror})"))
                continue
            ident = (st.st_dev, st.st_ino)
            if ident in chain:
                skips.append(Skip(rel(p), f"symlink loop: {rel(p)} leads back to {os.readlink(p) if p.is_symlink() else 'a parent folder'}; not followed"))
                continue
            if ident in seen_dirs:
                skips.append(Skip(rel(p), "the same folder was already swept under another name (symlink); not swept twice", failed=False))
                continue
            try:
                children = [c for c in os.scandir(p) if not _is_hidden(c.name)]
            except OSError as e:
                skips.append(Skip(rel(p), f"unreadable folder ({e.strerror})"))
                continue
            files = [c for c in children if _entry_is_file(c)]
            if depth is None and files and not any(Path(c.name).suffix.lower() in SUPPORTED for c in files) \
                    and not any(c.is_dir() for c in children):
                # a folder of sources or notes ("samples/src" of .case files) is not a case
                kinds = sorted({Path(c.name).suffix or c.name for c in files})
                skips.append(Skip(rel(p), f"not a case: no file of a supported type ({', '.join(kinds[:3])})", failed=False))
                continue
            if (depth is None and files) or (depth is not None and level + 1 >= depth and children):
                seen_dirs.add(ident)
                cases.append(CaseSource(p, rel(p), "folder"))
            elif children:
                walk_container(p, chain, level + 1)
            else:
                skips.append(Skip(rel(p), "empty folder", failed=False))

    walk_container(root, frozenset())
    return cases, skips


def _entry_is_file(entry: os.DirEntry) -> bool:
    try:
        return entry.is_file()
    except OSError:
        return False


def _dangling_reason(p: Path) -> str:
    try:
        os.stat(p)
    except OSError as e:
        if e.errno == errno.ELOOP:
            return "symlink loop (the link points back at itself); not followed"
        if e.errno == errno.ENOENT:
            return "broken symlink or the file vanished"
        return f"cannot be read ({e.strerror})"
    return "not a regular file or folder"


def case_key(source: CaseSource) -> str:
    """The case's identity: a bundle's is the SHA-256 of its bytes; a folder's hashes the name and bytes
    of every file (names decide page order). Renaming or moving a bundle or a case folder keeps its key.

    Fills ``source.files``/``names``/``hashes``. Raises OSError when a file cannot be read (vanished,
    permission) and CaseError when a case folder holds no files or an unreadable subfolder.
    """
    if source.kind == "folder":
        _check_subfolders(source.path)
        root, files = case_files(source.path)
        source.files = files
        source.names = [f.relative_to(root).as_posix() for f in files]
    source.hashes = [sha256_file(f) for f in source.files]
    if source.kind == "bundle":
        key = source.hashes[0]
    else:
        h = hashlib.sha256(b"casefile-folder/1\n")
        for name, sha in zip(source.names, source.hashes):
            h.update(f"{name}\0{sha}\n".encode("utf-8"))
        key = h.hexdigest()
    source.key = key
    return key


def _check_subfolders(folder: Path) -> None:
    """The review silently passes over folders it cannot list; a sweep must not lose files that way."""
    bad: list[str] = []

    def onerror(e: OSError) -> None:
        bad.append(f"{Path(e.filename).relative_to(folder).as_posix() or '.'} ({e.strerror})")

    for _ in os.walk(folder, onerror=onerror):
        pass
    if bad:
        raise CaseError(f"{folder.name}: unreadable folder inside the case: {', '.join(bad)}")


# ---------------------------------------------------------------- worker side
class WorkerSetupError(Exception):
    """A worker could not load the pipeline: no case can be reviewed there, so the sweep stops."""


_reviewer = None
_setup_error: str | None = None
_reviewer_lock = threading.Lock()
# A Dask worker may run several task threads: one review at a time per process (pdfium is not
# thread-safe, and the GIL would serialise the work anyway). Run workers with --nthreads 1.
_review_lock = threading.Lock()


def _load_reviewer(pipeline_path: str | None = None):
    global _reviewer, _setup_error
    with _reviewer_lock:
        if _reviewer is None:
            if _setup_error is not None:
                raise WorkerSetupError(_setup_error)
            try:
                from .review import Reviewer

                _one_tesseract_per_worker()
                _reviewer = Reviewer(pipeline_path)
            except Exception as e:
                _setup_error = f"the pipeline cannot be loaded on {_hostname()} (pid {os.getpid()}): {e}"
                raise WorkerSetupError(_setup_error) from None
    return _reviewer


def _one_tesseract_per_worker() -> None:
    """A sweep already runs one worker per core, so each worker's OCR gets one Tesseract, not one per
    core (N workers x N Tesseracts fight over the cores: see measurements.md)."""
    try:
        from . import ocr

        ocr.default_workers = lambda: 1  # until Reviewer takes the extraction options itself
    except ImportError:  # pragma: no cover
        pass


def _init_worker(pipeline_path: str | None, parent_pid: int) -> None:
    """ProcessPoolExecutor initializer: load the pipeline once; exit if the sweep's parent dies."""
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # one single-threaded OCR per core
    threading.Thread(target=_orphan_watch, args=(parent_pid, os.getppid()), daemon=True).start()
    try:
        _load_reviewer(pipeline_path)
    except WorkerSetupError:
        pass  # kept, and raised by the first task, so the sweep can say why (a failing initializer cannot)


def _orphan_watch(parent_pid: int, ppid: int) -> None:
    # A SIGKILLed parent cannot shut its pool down; without this the workers would wait for work forever.
    while True:
        time.sleep(0.5)
        if os.getppid() != ppid or not _pid_alive(parent_pid):
            os._exit(0)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def pipeline_version(pipeline_path: str | None = None) -> str:
    """The pipeline name and version of the worker this runs on (a task, so it reports the workers')."""
    return _load_reviewer(pipeline_path).pipeline


def review_task(task: dict) -> dict:
    """Review one case on a worker; returns a plain, picklable row. Never raises for a bad case.

    task: {"key", "case_id", "kind", "path", "names", "hashes", "blobs" (optional: the bytes of each
    file, when the workers do not share the sweep's storage)}.
    """
    t0 = time.perf_counter()
    out = {"key": task["key"], "pid": os.getpid(), "host": _hostname()}
    rv = _load_reviewer(task.get("pipeline_path"))  # WorkerSetupError is not the case's fault: it propagates
    try:
        with _review_lock:
            if task.get("blobs") is not None:
                report = _review_blobs(rv, task)
            else:
                _check_unchanged(task)
                report = rv.review(Path(task["path"]), case_id=task["case_id"])
        row = report.to_dict()
        # an e-mail's attachments are listed under it ("thread.eml/officer_report.pdf"): they
        # are part of the file, not files added to the case
        files = [f for f in row["case"]["files"] if not any(f.startswith(n + "/") for n in task["names"])]
        if files != task["names"]:
            raise CaseError(f"the case changed during the sweep (files now {row['case']['files']}); "
                            "it will be reviewed on the next run")
        out.update(ok=True, report=row,
                   pages=[{"number": p.number, "file": p.file, "file_page": p.file_page,
                           "extractor": p.extractor, "text": p.text} for p in report.pages])
    except CaseError as e:
        out.update(ok=False, reason=e.message)
    except FileNotFoundError as e:
        out.update(ok=False, reason=f"a file vanished during the sweep ({Path(e.filename or '?').name}); "
                                    "it will be looked at again on the next run")
    except Exception as e:  # one bad case never stops the sweep
        log.exception("review of %s failed", task.get("case_id"))
        out.update(ok=False, reason=f"review failed: {type(e).__name__}: {e}")
    out["seconds"] = time.perf_counter() - t0
    out["maxrss_mb"] = _maxrss_mb()
    return out


def _check_unchanged(task: dict) -> None:
    path = Path(task["path"])
    root = path if task["kind"] == "folder" else path.parent
    for name, sha in zip(task["names"], task["hashes"]):
        f = root / name
        if sha256_file(f) != sha:
            raise CaseError(f"{name} changed during the sweep; the case will be reviewed on the next run")


def _review_blobs(rv, task: dict):
    tmp = Path(tempfile.mkdtemp(prefix="reviewer-case-"))
    try:
        if task["kind"] == "bundle":
            path = tmp / task["names"][0]
            path.write_bytes(task["blobs"][0])
        else:
            path = tmp / Path(task["path"]).name
            for name, blob in zip(task["names"], task["blobs"]):
                f = path / name
                f.parent.mkdir(parents=True, exist_ok=True)
                f.write_bytes(blob)
        return rv.review(path, case_id=task["case_id"])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _maxrss_mb() -> float:
    try:
        import resource

        r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return r / 1024 if sys.platform != "darwin" else r / 2**20
    except Exception:  # pragma: no cover - not on POSIX
        return 0.0


def _hostname() -> str:
    import socket

    return socket.gethostname()


try:  # the plugin is defined only when dask.distributed is installed
    from distributed.diagnostics.plugin import WorkerPlugin as _WorkerPlugin
except ImportError:  # pragma: no cover
    _WorkerPlugin = object  # type: ignore[assignment,misc]


class ReviewerPlugin(_WorkerPlugin):  # type: ignore[misc,valid-type]
    """Loads the pipeline once on each Dask worker (also on workers that join later)."""

    name = "casefile-reviewer"

    def __init__(self, pipeline_path: str | None = None):
        self.pipeline_path = pipeline_path

    def setup(self, worker) -> None:
        os.environ.setdefault("OMP_THREAD_LIMIT", "1")
        _load_reviewer(self.pipeline_path)


# ---------------------------------------------------------------- backends (executors)
class LocalBackend:
    """A pool of N local processes, each with its own pipeline (loaded once by the initializer)."""

    def __init__(self, workers: int | None = None, pipeline_path: str | None = None):
        self.workers = workers or os.cpu_count() or 1
        self.pipeline_path = pipeline_path
        self.ships_bytes = False
        self.executor: cf.Executor | None = None
        self.description = f"local pool of {self.workers} worker process(es)"

    def __enter__(self) -> "LocalBackend":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def start(self) -> None:
        method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
        self.executor = cf.ProcessPoolExecutor(
            max_workers=self.workers, mp_context=multiprocessing.get_context(method),
            initializer=_init_worker, initargs=(self.pipeline_path, os.getpid()))

    def restart(self) -> bool:
        """After a worker process died (crash, out of memory): a fresh pool. Returns True if restarted."""
        self.close(wait=False)
        self.start()
        return True

    @property
    def capacity(self) -> int:
        return self.workers

    def close(self, wait: bool = True) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=wait, cancel_futures=True)
            self.executor = None


class DaskBackend:
    """An existing dask.distributed cluster (or a Client you pass in), through ``Client.get_executor()``.

    ``ship="paths"``: workers read the files where the sweep found them (shared storage).
    ``ship="bytes"``: the files' bytes travel with each task (workers need no access to the folder).
    """

    def __init__(self, address: str | None = None, *, client=None, ship: str = "paths",
                 connect_timeout: float = 5.0, pipeline_path: str | None = None):
        if ship not in ("paths", "bytes"):
            raise BatchError(f"ship must be 'paths' or 'bytes', not {ship!r}")
        self.address = address
        self.client = client
        self._own_client = client is None
        self.ships_bytes = ship == "bytes"
        self.connect_timeout = connect_timeout
        self.pipeline_path = pipeline_path
        self.executor = None
        self.description = f"Dask cluster at {address}" if address else "Dask cluster"

    def __enter__(self) -> "DaskBackend":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def start(self) -> None:
        try:
            from distributed import Client
        except ImportError:  # pragma: no cover
            raise BatchError("--scheduler needs dask.distributed: pip install 'dask[distributed]'") from None
        if self.client is None:
            check_scheduler_address(self.address)
            try:
                self.client = Client(self.address, timeout=self.connect_timeout, set_as_default=False)
            except (OSError, TimeoutError) as e:
                raise BatchError(f"no Dask scheduler answers at {self.address} (waited {self.connect_timeout:g} s): "
                                 f"{e}. Start one with `dask scheduler`, or check the address.") from None
        n = len(self.client.scheduler_info().get("workers", {}))
        if n == 0:
            try:
                self.client.wait_for_workers(1, timeout=max(self.connect_timeout, 10))
            except (TimeoutError, OSError):
                raise BatchError(f"the Dask scheduler at {self.address or self.client.scheduler.address} has no "
                                 "workers; start some with `dask worker ADDRESS --nthreads 1`") from None
        try:
            self.client.register_plugin(ReviewerPlugin(self.pipeline_path))
        except Exception as e:
            raise BatchError(f"the Dask workers cannot load the pipeline ({type(e).__name__}: {e}); install "
                             "casefile-reviewer (same version) in every worker's environment") from None
        self.executor = self.client.get_executor(pure=False)
        self.description = f"Dask cluster at {self.client.scheduler.address} ({self.capacity} worker thread(s))"

    @property
    def capacity(self) -> int:
        return max(1, sum(self.client.nthreads().values()))

    def restart(self) -> bool:
        return False  # the cluster replaces dead workers itself

    def close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=False)
            self.executor = None
        if self.client is not None and self._own_client:
            self.client.close()
            self.client = None


def check_scheduler_address(address: str | None) -> None:
    import re

    if not address or not re.fullmatch(r"(tcp|tls|ucx|ws|wss)://[^\s:/]+(:\d{1,5})?/?", address):
        raise BatchError(f"scheduler address {address!r} is not of the form tcp://HOST:PORT")


# ---------------------------------------------------------------- the sweep
@dataclass
class Event:
    """A progress event: ``start`` (total, to_review), ``case`` (one finished), ``wait`` (DB locked), ``end``."""

    kind: str
    total: int = 0
    to_review: int = 0
    name: str = ""
    status: str = ""  # reviewed | skipped | failed
    pages: int = 0
    detail: str = ""


@dataclass
class Summary:
    root: str
    backend: str = ""
    pipeline: str = ""
    found: int = 0
    reviewed: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (name, why)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (name, reason)
    ignored: list[tuple[str, str]] = field(default_factory=list)  # not cases (unsupported, empty)
    pages: int = 0
    seconds: float = 0.0
    gaps: dict[str, Counter] = field(default_factory=dict)  # item -> Counter(status)
    groups: dict[str, str] = field(default_factory=dict)  # item -> group
    workers: dict[str, float] = field(default_factory=dict)  # "host:pid" -> peak RSS MB
    keys: dict[str, str] = field(default_factory=dict)  # name -> case key

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0

    def to_dict(self) -> dict:
        return {"root": self.root, "backend": self.backend, "pipeline": self.pipeline, "found": self.found,
                "reviewed": len(self.reviewed), "skipped": len(self.skipped), "failed": len(self.failed),
                "failures": [{"case": n, "reason": r} for n, r in self.failed],
                "skips": [{"case": n, "why": r} for n, r in self.skipped],
                "ignored": [{"path": n, "why": r} for n, r in self.ignored],
                "pages": self.pages, "seconds": round(self.seconds, 3),
                "pages_per_second": round(self.pages_per_second, 2),
                "gaps": {item: {"group": self.groups.get(item), "missing": c.get("missing", 0),
                                "outstanding": c.get("outstanding", 0)} for item, c in self.gaps.items()},
                "workers_peak_rss_mb": {k: round(v, 1) for k, v in self.workers.items()}}


class _Row:
    """What ``Store.save_review`` takes: ``to_dict()`` is the report, ``pages`` the page texts (for search)."""

    def __init__(self, report: dict, pages: list[dict]):
        self._report = report
        self.pages = pages

    def to_dict(self) -> dict:
        return self._report


def sweep(root: str | Path, store, backend, *, force: bool = False, area: str | None = None,
          on_event: Callable[[Event], None] | None = None, lock_timeout: float = 30.0,
          window: int | None = None, depth: int | None = None) -> Summary:
    """Review every case below ROOT into STORE with BACKEND (a started Local/DaskBackend).

    Returns the :class:`Summary`. Raises BatchError when the folder cannot be swept or the store stays
    locked by another writer for longer than LOCK_TIMEOUT seconds.
    """
    emit = on_event or (lambda e: None)
    root = Path(root)
    sources, skips = find_cases(root, depth)
    summary = Summary(root=str(root), backend=backend.description, found=len(sources))
    for s in skips:
        (summary.failed if s.failed else summary.ignored).append((s.name, s.reason))
    t0 = time.perf_counter()
    try:
        summary.pipeline = backend.executor.submit(pipeline_version, backend.pipeline_path).result()
    except Exception as e:
        raise BatchError(f"the workers cannot start: {_setup_message(e)}") from None
    emit(Event("start", total=len(sources), detail=summary.pipeline))
    writer = _Writer(store, lock_timeout, emit)
    stall_after = int(os.environ.get("_REVIEWER_BATCH_STALL_AFTER", "0") or 0)  # test hook: see tests/test_batch.py
    seen: dict[str, str] = {}
    attempts: Counter = Counter()
    pending: dict[cf.Future, tuple[CaseSource, dict, int]] = {}
    queue = list(sources)
    queue.reverse()
    retry: list[CaseSource] = []
    window = window or 2 * backend.capacity

    def finish(src: CaseSource, status: str, detail: str = "", pages: int = 0) -> None:
        emit(Event("case", name=src.name, status=status, pages=pages, detail=detail))

    def next_task() -> tuple[CaseSource, dict] | None:
        while retry or queue:
            src = retry.pop() if retry else queue.pop()
            if src.key is None:
                try:
                    case_key(src)
                except CaseError as e:
                    summary.failed.append((src.name, e.message))
                    finish(src, "failed", e.message)
                    continue
                except OSError as e:
                    reason = (f"vanished before it could be read ({Path(e.filename or src.path).name})"
                              if isinstance(e, FileNotFoundError) else f"cannot be read ({e.strerror})")
                    summary.failed.append((src.name, reason))
                    finish(src, "failed", reason)
                    continue
                summary.keys[src.name] = src.key
                if src.key in seen:
                    summary.skipped.append((src.name, f"same files as {seen[src.key]}"))
                    finish(src, "skipped", "duplicate")
                    continue
                seen[src.key] = src.name
                if not force and writer.call(store.has_review, src.key, summary.pipeline):
                    summary.skipped.append((src.name, "already reviewed with this pipeline"))
                    finish(src, "skipped", "already reviewed")
                    continue
            task = {"key": src.key, "case_id": src.case_id, "kind": src.kind, "path": str(src.path),
                    "names": src.names, "hashes": src.hashes, "pipeline_path": backend.pipeline_path}
            if backend.ships_bytes:
                try:
                    task["blobs"] = [f.read_bytes() for f in src.files]
                except OSError as e:
                    reason = f"a file vanished or cannot be read ({Path(e.filename or '?').name})"
                    writer.fail(src, reason, area, summary)
                    finish(src, "failed", reason)
                    continue
            return src, task
        return None

    gen = [0]  # which pool generation a task went to (a local pool is replaced when a worker dies)

    def submit(src: CaseSource, task: dict) -> None:
        attempts[src.name] += 1
        try:
            fut = backend.executor.submit(review_task, task)
        except cf.process.BrokenProcessPool:
            backend.restart()
            gen[0] += 1
            fut = backend.executor.submit(review_task, task)
        pending[fut] = (src, task, gen[0])

    def fill() -> None:
        while len(pending) < window:
            nxt = next_task()
            if nxt is None:
                return
            submit(*nxt)

    try:
        fill()
        while pending:
            done, _ = cf.wait(list(pending), return_when=cf.FIRST_COMPLETED)
            for fut in done:
                src, task, g = pending.pop(fut)
                try:
                    row = fut.result()
                except cf.process.BrokenProcessPool:
                    # a worker process died (crash, out of memory, killed): every task of that pool is lost
                    if g == gen[0] and backend.restart():
                        gen[0] += 1
                    if attempts[src.name] >= 2:
                        writer.fail(src, "a worker process died twice while reviewing this case "
                                         "(crash or out of memory)", area, summary)
                        finish(src, "failed", "worker died")
                    else:
                        retry.append(src)
                    continue
                except WorkerSetupError as e:
                    raise BatchError(f"a worker cannot review: {_setup_message(e)}") from None
                except Exception as e:  # a Dask worker died (KilledWorker) or similar
                    row = {"ok": False, "reason": f"the worker failed: {type(e).__name__}: {e}"}
                wid = f"{row.get('host')}:{row.get('pid')}"
                summary.workers[wid] = max(summary.workers.get(wid, 0.0), row.get("maxrss_mb", 0.0))
                if row["ok"]:
                    rep = row["report"]
                    try:
                        writer.save(src, rep, row["pages"], area)
                    except FileNotFoundError as e:
                        reason = f"a file vanished during the sweep ({Path(e.filename or '?').name})"
                        writer.fail(src, reason, area, summary)
                        finish(src, "failed", reason)
                        continue
                    summary.reviewed.append(src.name)
                    summary.pages += rep["case"]["pages"]
                    _count_gaps(summary, rep)
                    finish(src, "reviewed", pages=rep["case"]["pages"])
                    if stall_after and len(summary.reviewed) >= stall_after:
                        time.sleep(3600)
                else:
                    writer.fail(src, row["reason"], area, summary)
                    finish(src, "failed", row["reason"])
            fill()
    finally:
        for fut in pending:
            fut.cancel()
    summary.seconds = time.perf_counter() - t0
    _add_skipped_gaps(summary, store, writer)
    emit(Event("end", total=len(sources)))
    return summary


def _setup_message(e: BaseException) -> str:
    if isinstance(e, cf.process.BrokenProcessPool):
        return "a worker process died while starting (see its error above)"
    return str(e) or type(e).__name__


class _Writer:
    """The single writer: every store call, retried while another writer holds the lock."""

    def __init__(self, store, lock_timeout: float, emit: Callable[[Event], None]):
        self.store = store
        self.lock_timeout = lock_timeout
        self.emit = emit

    def call(self, fn, *args, **kw):
        deadline = time.monotonic() + self.lock_timeout
        warned = False
        while True:
            try:
                return fn(*args, **kw)
            except sqlite3.OperationalError as e:
                if "locked" not in str(e) and "busy" not in str(e):
                    raise
                if time.monotonic() >= deadline:
                    raise BatchError(f"the database {getattr(self.store, 'path', '')} is locked by another writer; "
                                     f"waited {self.lock_timeout:g} s. Cases stored so far are kept: run the "
                                     "sweep again when the other writer has finished.") from None
                if not warned:
                    self.emit(Event("wait", detail=f"the database is locked by another writer; waiting up to "
                                                   f"{self.lock_timeout:g} s"))
                    warned = True
                time.sleep(0.2)

    def save(self, src: CaseSource, report: dict, pages: list[dict], area: str | None) -> None:
        files = [(name, self.call(self.store.put_file, f, sha)) for name, f, sha in zip(src.names, src.files, src.hashes)]
        self.call(self.store.save_review, src.key, _Row(report, pages), files, area=area, reference=src.name,
                  source="batch")

    def fail(self, src: CaseSource, reason: str, area: str | None, summary: Summary) -> None:
        summary.failed.append((src.name, reason))
        if src.key is None:
            return
        # record_failure takes no reference (yet): the case's name goes into the reason
        try:
            self.call(self.store.record_failure, src.key, f"{src.name}: {reason}", [f for f in src.files if f.is_file()], area=area)
        except OSError:
            self.call(self.store.record_failure, src.key, f"{src.name}: {reason}", None, area=area)


def _count_gaps(summary: Summary, report: dict) -> None:
    for item in report.get("checklist", []):
        summary.groups.setdefault(item["item"], item.get("group", ""))
        c = summary.gaps.setdefault(item["item"], Counter())
        if item["status"] in GAP_STATUSES:
            c[item["status"]] += 1


def _add_skipped_gaps(summary: Summary, store, writer: _Writer) -> None:
    """Gaps count every case of the folder in the store, not only those reviewed by this run."""
    names = {n for n, why in summary.skipped if why.startswith("already reviewed")}
    for name in names:
        cid = writer.call(store.case_id_for, summary.keys[name]) if hasattr(store, "case_id_for") else None
        report = writer.call(store.report, cid) if cid and hasattr(store, "report") else None
        if report:
            _count_gaps(summary, report)


def open_store(path: str | Path, lock_timeout: float = 30.0):
    """Open (or create) the store, waiting up to LOCK_TIMEOUT seconds for another writer."""
    from .store import Store

    deadline = time.monotonic() + lock_timeout
    while True:
        try:
            return Store(path, busy_timeout_ms=int(min(lock_timeout, 5.0) * 1000))
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) and "busy" not in str(e):
                raise BatchError(f"the database {path} cannot be opened: {e}") from None
            if time.monotonic() >= deadline:
                raise BatchError(f"the database {path} is locked by another writer; waited {lock_timeout:g} s. "
                                 "Run the sweep again when the other writer has finished.") from None
            time.sleep(0.2)
        except sqlite3.DatabaseError as e:
            raise BatchError(f"the database {path} cannot be opened: {e}") from None


def iter_reports(store, area: str | None = None) -> Iterable[tuple[dict, dict]]:
    """(case row, current report) for every reviewed case in the store (one area's, or all)."""
    offset = 0
    while True:
        rows = store.cases(area=area, limit=500, offset=offset)
        if not rows:
            return
        for row in rows:
            if row.get("status") == "done":
                report = store.report(row["id"])
                if report:
                    yield row, report
        offset += len(rows)

