"""Command line: a thin face on the library (``reviewer.review``, ``reviewer.evaluate``)."""
from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import click

from .errors import CaseError, RulesError


@click.group()
@click.option("-v", "--verbose", count=True, help="More logging (-v info, -vv debug). Document text is never logged.")
@click.version_option(package_name="casefile-reviewer")
def main(verbose: int) -> None:
    """casefile-reviewer: a pre-review checklist for RASSO case files.

    Example: reviewer review samples/a_structured_mg_file.pdf
    """
    level = logging.WARNING - 10 * verbose
    logging.basicConfig(level=max(level, logging.DEBUG), format="%(levelname)s %(name)s: %(message)s")


@main.command("review")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
@click.option("--out", type=click.Path(path_type=Path), help="Write the report to this file instead of standard output.")
@click.option("--ocr", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True,
              help="Read pages by OCR: auto (pages with no or poor text layer), always, or never.")
def review_cmd(path: Path, fmt: str, out: Path | None, ocr: str) -> None:
    """Review one case: a bundle file (PDF, DOCX, TXT) or a case folder.

    Exits 0 with a report, 2 with a one-line error when PATH cannot be read as a case.

    Example: reviewer review samples/c_email_thread.pdf --format json
    """
    from .review import review

    try:
        report = review(path, ocr=ocr)
    except (CaseError, RulesError) as e:
        click.echo(f"error: {e}", err=True)
        sys.exit(2)
    if fmt == "json":
        text = report.to_json()
    elif fmt == "markdown":
        text = report.to_markdown()
    else:
        if out is None:
            report.render_text()
            return
        from rich.console import Console
        with open(out, "w", encoding="utf-8") as fh:
            report.render_text(Console(file=fh, width=120))
        return
    if out:
        out.write_text(text + "\n", encoding="utf-8")
    else:
        click.echo(text)


@main.command("eval")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--untuned", "untuned_file", type=click.Path(path_type=Path), default=None,
              help="File listing the cases held out from tuning (default: DIRECTORY/untuned.txt); they are reported separately.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.option("--details", is_flag=True, help="Show every disagreement with the truth files of the tuned cases.")
@click.option("--details-untuned", is_flag=True, help="Also show the disagreements on the held-out cases (do not tune on them).")
@click.option("--rules-only", is_flag=True, help="Score the rules alone, without models/calibration.json.")
def eval_cmd(directory: Path, untuned_file: Path | None, as_json: bool, details: bool, details_untuned: bool,
             rules_only: bool) -> None:
    """Score the reviews of every NAME.truth.json case in DIRECTORY.

    Example: reviewer eval samples
    """
    from .evaluate import evaluate, find_cases, format_evaluation, held_out
    from .review import Reviewer

    rv = Reviewer(calibrate=not rules_only)
    names = {n for n, _, _ in find_cases(directory)}
    uf = untuned_file or directory / "untuned.txt"
    untuned = held_out(uf) & names
    groups = [("all", names)]
    if untuned:
        groups += [("tuned", names - untuned), ("untuned", untuned)]
    results = {}
    for title, group in groups:
        ev = evaluate(directory, group, rv)
        results[title] = ev
        if not as_json:
            click.echo(format_evaluation(ev, f"{title} ({len(group)} cases)"))
            click.echo("")
    if as_json:
        click.echo(json.dumps({k: v.summary() for k, v in results.items()}, indent=2))
    if details or details_untuned:
        for name, d in results["all"].per_case.items():
            if name in untuned and not details_untuned:
                continue
            click.echo(f"-- {name}")
            for k, v in d["wrong"].items():
                click.echo(f"   {k}: {v}")
            for x in d["tpm"] + d["dates"]:
                click.echo(f"   {x}")
            click.echo(f"   concerns truth {d['concerns']['truth']} got {d['concerns']['got']}")


def _register() -> None:
    """The store, API and batch commands live in their own modules; they join the group here."""
    from .server_cli import commands as server_commands

    for c in server_commands:
        main.add_command(c)
    try:
        from .batch_cli import commands as batch_commands
    except ImportError:  # pragma: no cover - batch extras not installed
        batch_commands = []
    for c in batch_commands:
        main.add_command(c)


_register()

if __name__ == "__main__":
    main()
