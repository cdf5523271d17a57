"""Command line for backlog sweeps: ``reviewer batch``, ``reviewer triage``, ``reviewer timeliness``.

Thin faces on :mod:`reviewer.batch` and :mod:`reviewer.triage`. ``commands`` is what
``reviewer/cli.py`` registers; ``python -m reviewer.batch_cli`` runs them on their own.

Exit codes: 0 done; 1 the sweep finished but some cases failed; 2 the command could not run
(missing folder, database locked by another writer, scheduler not answering).
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click

from .batch import BatchError, DaskBackend, Event, LocalBackend, Summary, open_store, sweep


@click.command("batch")
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--db", "db_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The case store (SQLite file; created if missing).")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Local worker processes (default: the number of cores).")
@click.option("--scheduler", metavar="ADDRESS", default=None,
              help="Run on an existing dask.distributed cluster, e.g. tcp://10.0.0.5:8786.")
@click.option("--ship", type=click.Choice(["paths", "bytes"]), default="paths", show_default=True,
              help="With --scheduler: workers read the files from shared storage (paths) or receive their bytes.")
@click.option("--force", is_flag=True, help="Review again cases already reviewed with this pipeline version.")
@click.option("--area", default=None, help="CPS Area recorded on the cases of this sweep.")
@click.option("--depth", type=click.IntRange(min=1), default=None,
              help="Case folders sit exactly this many levels below DIRECTORY (default: any folder holding files).")
@click.option("--lock-timeout", type=float, default=30.0, show_default=True,
              help="Seconds to wait while another writer holds the database.")
@click.option("--connect-timeout", type=float, default=5.0, show_default=True,
              help="Seconds to wait for the Dask scheduler to answer.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("--no-progress", is_flag=True, help="No progress bar.")
def batch(directory: Path, db_path: Path, workers: int | None, scheduler: str | None, ship: str, force: bool,
          area: str | None, depth: int | None, lock_timeout: float, connect_timeout: float, as_json: bool,
          no_progress: bool) -> None:
    """Review every case below DIRECTORY into the store, once each.

    A case is a bundle file (PDF, DOCX, TXT, e-mail, image) or a folder of files. Cases already reviewed with this
    pipeline version are skipped, so an interrupted sweep is finished by running it again.

    \b
    On a Dask cluster (casefile-reviewer installed on every machine):
      dask scheduler --port 8786 --dashboard-address :8787      # on one machine
      dask worker tcp://SCHEDULER:8786 --nworkers 2 --nthreads 1 # on each machine, one per core
      reviewer batch /shares/backlog --db cases.db --scheduler tcp://SCHEDULER:8786
    Add --ship bytes when the workers cannot see DIRECTORY at the same path.

    Example: reviewer batch /shares/backlog --db cases.db --workers 2
    """
    try:
        store = open_store(db_path, lock_timeout)
        backend = (DaskBackend(scheduler, ship=ship, connect_timeout=connect_timeout) if scheduler
                   else LocalBackend(workers))
        progress = _Progress(enabled=not no_progress and not as_json)
        with backend:
            try:
                summary = sweep(directory, store, backend, force=force, area=area, on_event=progress,
                                lock_timeout=lock_timeout, depth=depth)
            finally:
                progress.stop()
    except BatchError as e:
        click.echo(f"error: {e}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        click.echo("interrupted: cases stored so far are kept; run the same command again to finish", err=True)
        sys.exit(130)
    if as_json:
        click.echo(json.dumps(summary.to_dict(), indent=2))
    else:
        print_summary(summary)
    sys.exit(1 if summary.failed else 0)


class _Progress:
    """A rich progress bar: cases, pages, pages per second, time left."""

    def __init__(self, enabled: bool = True):
        self.enabled = enabled
        self.progress = None
        self.task = None
        self.t0 = time.perf_counter()
        self.pages = 0
        self.done = 0
        self.worked = 0  # cases reviewed or failed (skips cost nothing, so they do not set the pace)
        self.total = 0

    def __call__(self, ev: Event) -> None:
        if not self.enabled:
            return
        if ev.kind == "start":
            from rich.progress import BarColumn, Progress, TextColumn

            self.total = ev.total
            self.t0 = time.perf_counter()
            self.progress = Progress(TextColumn("[bold]sweep[/bold]"), BarColumn(),
                                     TextColumn("{task.fields[line]}"), transient=False,
                                     console=_stderr_console())
            self.progress.start()
            self.task = self.progress.add_task("sweep", total=max(ev.total, 1), line=self._line())
        elif ev.kind == "case" and self.progress is not None:
            self.done += 1
            self.pages += ev.pages
            if ev.status != "skipped":
                self.worked += 1
            self.progress.update(self.task, completed=self.done, line=self._line())
        elif ev.kind == "wait" and self.progress is not None:
            self.progress.console.print(f"[yellow]{ev.detail}[/yellow]")

    def _line(self) -> str:
        el = time.perf_counter() - self.t0
        pps = self.pages / el if el > 0 else 0.0
        left = "?"
        if self.worked:
            secs = (self.total - self.done) * el / self.worked
            left = time.strftime("%H:%M:%S", time.gmtime(secs))
        return f"cases {self.done}/{self.total}  pages {self.pages}  {pps:.1f} pages/s  {left} left"

    def stop(self) -> None:
        if self.progress is not None:
            self.progress.update(self.task, line=self._line())
            self.progress.stop()
            self.progress = None


def _stderr_console():
    from rich.console import Console

    return Console(stderr=True)


def print_summary(summary: Summary) -> None:
    from rich.console import Console
    from rich.table import Table

    c = Console()
    c.print(f"[bold]Sweep of {summary.root}[/bold] on {summary.backend}; pipeline {summary.pipeline}")
    c.print(f"{summary.found} case(s) found: [green]{len(summary.reviewed)} reviewed[/green], "
            f"{len(summary.skipped)} skipped, [red]{len(summary.failed)} failed[/red]; "
            f"{summary.pages} pages in {summary.seconds:.1f} s ({summary.pages_per_second:.1f} pages/s)")
    dup = [s for s in summary.skipped if s[1].startswith("same files")]
    for name, why in dup:
        c.print(f"  skipped {name}: {why}")
    if summary.failed:
        t = Table(title="Failed", title_justify="left")
        t.add_column("case or path")
        t.add_column("reason")
        for name, reason in summary.failed:
            t.add_row(name, reason)
        c.print(t)
    for name, why in summary.ignored:
        c.print(f"  [dim]ignored {name}: {why}[/dim]")
    if summary.gaps:
        t = Table(title="Gaps per checklist item (cases of this folder in the store)", title_justify="left")
        for col in ("item", "group", "missing", "outstanding"):
            t.add_column(col, justify="right" if col in ("missing", "outstanding") else "left")
        for item, cnt in summary.gaps.items():
            t.add_row(item, summary.groups.get(item, ""), str(cnt.get("missing", 0)), str(cnt.get("outstanding", 0)))
        c.print(t)


@click.command("triage")
@click.option("--db", "db_path", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--area", default=None, help="Only the cases of this CPS Area.")
@click.option("--top", type=click.IntRange(min=1), default=20, show_default=True, help="How many cases to show.")
@click.option("--as-of", "as_of", default=None, metavar="YYYY-MM-DD",
              help="Count time since report up to this date (default: today).")
@click.option("--json", "as_json", is_flag=True, help="Print the ranking as JSON.")
def triage(db_path: Path, area: str | None, top: int, as_of: str | None, as_json: bool) -> None:
    """Rank reviewed cases for a scrutiny panel or a backlog sweep: where to look first.

    Points for suspect-focused lines of enquiry still open, speculative third-party requests,
    misconceptions in the police reasoning, and time since report; each case shows why.

    Example: reviewer triage --db cases.db --area "CPS South East" --top 10
    """
    from .triage import format_ranking, rank_store

    try:
        store = open_store(db_path, 10.0)
        ranking = rank_store(store, area=area, top=top, as_of=as_of)
    except (BatchError, ValueError) as e:
        click.echo(f"error: {e}", err=True)
        sys.exit(2)
    if as_json:
        click.echo(json.dumps(ranking, indent=2, ensure_ascii=False))
    else:
        click.echo(format_ranking(ranking))


@click.command("timeliness")
@click.option("--db", "db_path", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The chart to write: .png or .svg.")
@click.option("--area", default=None, help="Only the cases of this CPS Area.")
def timeliness(db_path: Path, out: Path, area: str | None) -> None:
    """Chart the days from report to submission across the store, beside the South East pilot's 32 days.

    Prints the median and quartiles.

    Example: reviewer timeliness --db cases.db --out timeliness.svg
    """
    from .triage import timeliness_chart, timeliness_stats

    if out.suffix.lower() not in (".png", ".svg"):
        click.echo("error: --out must end in .png or .svg", err=True)
        sys.exit(2)
    try:
        store = open_store(db_path, 10.0)
        stats = timeliness_stats(store, area=area)
    except BatchError as e:
        click.echo(f"error: {e}", err=True)
        sys.exit(2)
    out.write_bytes(timeliness_chart(stats, fmt=out.suffix.lower().lstrip(".")))
    if stats["n"]:
        click.echo(f"{stats['n']} case(s) with both dates: median {stats['median']:g} days, quartiles "
                   f"{stats['q1']:g}-{stats['q3']:g}, range {stats['min']}-{stats['max']} "
                   f"(CPS South East pilot average: {stats['benchmark_days']} days)")
    else:
        click.echo("no case in the store states both the report and the submission date")
    if stats["inconsistent"]:
        click.echo(f"left out, submission dated before the report (a date was misread?): {', '.join(stats['inconsistent'])}")
    if stats["without_dates"]:
        click.echo(f"{stats['without_dates']} reviewed case(s) lack a report or submission date")
    click.echo(f"chart written to {out}")


commands = [batch, triage, timeliness]


@click.group()
def main() -> None:
    """Backlog sweeps (run on their own until reviewer/cli.py registers them)."""


for _c in commands:
    main.add_command(_c)

if __name__ == "__main__":
    main()
