"""The review worker: takes queued uploads from the store's job queue and reviews them.

One worker per store. On start it puts back in the queue the jobs a previous worker left
running (crash or restart); a job is closed in the same transaction that stores its review, and
only by the worker holding it, so a case is stored once however often the worker restarts.
"""
from __future__ import annotations

import logging
import os
import shutil
import socket
import tempfile
import threading
import time
import uuid
from pathlib import Path

from reviewer.errors import ReviewerError
from reviewer.store import Store

log = logging.getLogger(__name__)
_TEST_DELAY = float(os.environ.get("CASEFILE_REVIEWER_TEST_DELAY", "0") or 0)


class Worker:
    def __init__(self, store: Store, reviewer=None, name: str | None = None):
        self.store = store
        self._reviewer = reviewer
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.stop = threading.Event()

    @property
    def reviewer(self):
        if self._reviewer is None:
            from reviewer import Reviewer

            self._reviewer = Reviewer()
        return self._reviewer

    def recover(self) -> int:
        n = self.store.requeue_interrupted()
        if n:
            log.warning("requeued %d interrupted review(s)", n)
        return n

    def run_once(self) -> dict | None:
        """Review one queued case, if any; returns the job."""
        job = self.store.claim_job(self.name)
        if job is None:
            return None
        cid = job["case_id"]
        t0 = time.perf_counter()
        work = Path(tempfile.mkdtemp(prefix=f"review-{cid}-", dir=self.store.tmp_dir))
        try:
            for f in self.store.case_files(cid):
                src = self.store.file_path(f["sha256"])
                dest = work / f["name"]
                try:
                    os.link(src, dest)
                except OSError:
                    shutil.copyfile(src, dest)
            if _TEST_DELAY:
                time.sleep(_TEST_DELAY)  # tests only: keeps a review running long enough to interrupt it
            try:
                report = self.reviewer.review(work, case_id=cid)
            except ReviewerError as e:
                self.store.finish_job(job, self.name, reason=e.message)
                log.info("review of %s failed: %s", cid, e.code)
                return job
            except Exception as e:  # noqa: BLE001 - a failed review records its reason, never kills the worker
                log.exception("review of %s crashed", cid)
                self.store.finish_job(job, self.name, reason=f"internal error during review ({type(e).__name__})")
                return job
            stored = self.store.finish_job(job, self.name, report=report)
            log.info("reviewed %s in %.2fs%s", cid, time.perf_counter() - t0, "" if stored else " (not stored: job taken over)")
            return job
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def run(self, poll: float = 0.3) -> None:
        self.recover()
        while not self.stop.is_set():
            try:
                job = self.run_once()
            except Exception:  # noqa: BLE001 - e.g. database locked for too long; try again
                log.exception("worker loop error")
                job = None
            if job is None:
                self.stop.wait(poll)


def _watch_parent(parent: int) -> None:
    """Exit when the process that started us is gone (so a killed server leaves no stray worker)."""
    while True:
        if os.getppid() != parent:
            os._exit(0)
        time.sleep(0.5)


def run_worker(db: str | Path, parent: int | None = None) -> None:
    if parent:
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    w = Worker(Store(db))
    w.reviewer  # load the pipeline before taking work
    w.run()
