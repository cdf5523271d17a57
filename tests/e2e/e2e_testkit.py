"""A real `reviewer serve` (uvicorn + worker process) on 127.0.0.1 and a free port, stopped by every test."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
SAMPLE = ROOT / "samples" / "b_poor_officer_report.pdf"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, db: Path, port: int | None = None, delay: float = 0, extra: list[str] | None = None):
        self.db, self.port, self.delay, self.extra = db, port or free_port(), delay, extra or []
        self.proc: subprocess.Popen | None = None
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30) -> "Server":
        env = {**os.environ, "PYTHONPATH": str(ROOT), "CASEFILE_REVIEWER_TEST_DELAY": str(self.delay)}
        self.proc = subprocess.Popen([sys.executable, "-m", "reviewer.server_cli", "serve", "--db", str(self.db),
                                      "--port", str(self.port), *self.extra], cwd=ROOT, env=env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        end = time.time() + timeout
        while time.time() < end:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.proc.stderr.read().decode()[-2000:]}")
            try:
                if httpx.get(self.url + "/api/health", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("server did not start")

    def kill(self) -> None:
        """Crash: SIGKILL the whole process group (server and worker), nothing gets to clean up."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        if self.proc and self.proc.stderr:
            self.proc.stderr.close()


@pytest.fixture()
def server_factory(tmp_path):
    started: list[Server] = []

    def make(delay: float = 0, db: Path | None = None, port: int | None = None, extra=None) -> Server:
        s = Server(db or tmp_path / "e2e.db", port, delay, extra)
        started.append(s)
        return s.start()

    yield make
    for s in started:
        s.stop()


def add_user(db: Path, name: str, role: str, area: str) -> str:
    out = subprocess.run([sys.executable, "-m", "reviewer.server_cli", "users", "add", name, "--role", role,
                          "--area", area, "--db", str(db)], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                         capture_output=True, text=True, check=True)
    return out.stdout.strip().splitlines()[-1]


def wait_done(client: httpx.Client, cid: str, timeout: float = 60) -> dict:
    end = time.time() + timeout
    while time.time() < end:
        st = client.get(f"/api/cases/{cid}").json()
        if st["status"] in ("done", "failed"):
            return st
        time.sleep(0.2)
    raise AssertionError(f"case {cid} not reviewed in {timeout}s: {st}")
