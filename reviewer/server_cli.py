"""``reviewer serve`` and ``reviewer users``: thin commands over ``reviewer.store`` and ``api``.

Registered in ``reviewer.cli`` as ``for c in server_cli.commands: main.add_command(c)``; until then
run ``python -m reviewer.server_cli serve --db cases.db``.
"""
from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
from pathlib import Path

import click

DEFAULT_DB = "casefile-reviewer.db"


def _api_importable() -> None:
    """``api/`` sits beside the package in the repository; make it importable from an installed entry point."""
    try:
        import api  # noqa: F401
    except ImportError:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _store(db: str):
    from .store import Store

    return Store(db)


@click.command("serve")
@click.option("--db", default=DEFAULT_DB, show_default=True, type=click.Path(dir_okay=False),
              help="The SQLite store (created when missing).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind (keep 127.0.0.1 behind a proxy).")
@click.option("--max-file-mb", default=100, show_default=True, type=click.IntRange(1, 4096), help="Largest file accepted.")
@click.option("--max-files", default=20, show_default=True, type=click.IntRange(1, 1000), help="Files per case.")
@click.option("--max-pages", default=2000, show_default=True, type=click.IntRange(1, 100000), help="Pages per file.")
@click.option("--no-worker", is_flag=True, help="Do not start the review worker (another process reviews).")
def serve(db: str, port: int, host: str, max_file_mb: int, max_files: int, max_pages: int, no_worker: bool) -> None:
    """Serve the API (/api, docs at /docs) and the web pages, with a review worker process.

    Example: reviewer serve --db cases.db --port 8000
    """
    _api_importable()
    import uvicorn

    from api.app import create_app
    from api.uploads import Limits

    _store(db)  # create and migrate before the worker and the server open it
    worker = None
    if not no_worker:
        worker = subprocess.Popen([sys.executable, "-m", "reviewer.server_cli", "worker", "--db", db,
                                   "--parent", str(os.getpid())], env={**os.environ, "PYTHONPATH": _pythonpath()})
    app = create_app(db, limits=Limits(max_file_bytes=max_file_mb * 1024 * 1024, max_files=max_files,
                                       max_pages=max_pages))
    click.echo(f"serving {db} on http://{host}:{port} (API docs at /docs)", err=True)
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
    finally:
        if worker is not None:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(10)
            except subprocess.TimeoutExpired:
                worker.kill()


def _pythonpath() -> str:
    root = str(Path(__file__).resolve().parents[1])
    old = os.environ.get("PYTHONPATH")
    return root + (os.pathsep + old if old else "")


@click.command("worker", hidden=True)
@click.option("--db", default=DEFAULT_DB, type=click.Path(dir_okay=False))
@click.option("--parent", type=int, default=None, help="Exit when this process is gone.")
def worker_cmd(db: str, parent: int | None) -> None:
    """Review queued uploads until stopped (``reviewer serve`` starts one).

    Example: reviewer worker --db cases.db
    """
    _api_importable()
    from api.worker import run_worker

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    run_worker(db, parent)


@click.group("users")
def users() -> None:
    """Manage the users of the API and web pages.

    Example: reviewer users add alice --role reviewer --area london --db cases.db
    """


@users.command("add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(["prosecutor", "reviewer", "admin"]))
@click.option("--area", required=True, help="The CPS area whose cases the user sees.")
@click.option("--db", default=DEFAULT_DB, show_default=True, type=click.Path(dir_okay=False))
def users_add(name: str, role: str, area: str, db: str) -> None:
    """Add a user and print the token, once, alone on the last line (only its hash is stored).

    Example: reviewer users add alice --role prosecutor --area london --db cases.db
    """
    from .store import StoreError

    try:
        token = _store(db).add_user(name, role, area)
    except StoreError as e:
        click.echo(f"error: {e}", err=True)
        sys.exit(2)
    click.echo(f"user {name} ({role}, {area}) added; the token is shown only now:")
    click.echo(token)


@users.command("list")
@click.option("--db", default=DEFAULT_DB, show_default=True, type=click.Path(dir_okay=False))
def users_list(db: str) -> None:
    """List users (never their tokens).

    Example: reviewer users list --db cases.db
    """
    for u in _store(db).users():
        click.echo(f"{u['name']}\t{u['role']}\t{u['area']}\t{'revoked ' + u['revoked'][:10] if u['revoked'] else 'active'}")


@users.command("revoke")
@click.argument("name")
@click.option("--db", default=DEFAULT_DB, show_default=True, type=click.Path(dir_okay=False))
def users_revoke(name: str, db: str) -> None:
    """Revoke a user's token (the user and their decisions stay on record).

    Example: reviewer users revoke alice --db cases.db
    """
    from .store import NotFound

    try:
        _store(db).revoke_user(name)
    except NotFound as e:
        click.echo(f"error: {e}", err=True)
        sys.exit(2)
    click.echo(f"user {name} revoked")


commands = [serve, users, worker_cmd]


@click.group()
def _main() -> None:
    """Standalone entry until reviewer.cli registers these commands."""


for _c in commands:
    _main.add_command(_c)

if __name__ == "__main__":
    _main()
