"""`fuhua stats …` and `fuhua firms …`: workbook templates, exports and imports from the shell.

Imports act as the user named by `--as USERNAME`, scoped exactly like the web; without it they act
as the system (unrestricted, recorded as "system" in the audit trail), for administrators' batch
jobs. Any error: every error is printed with its sheet, row and column, nothing is written and the
exit status is 1.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from fuhua.core.cli_helpers import setup_django as _setup_django


def _user(username: str | None):
    if not username:  # a command on the server without --user: the platform itself
        from fuhua.core.system import SYSTEM

        return SYSTEM
    from django.contrib.auth import get_user_model

    try:
        return get_user_model().objects.get(username=username, is_active=True)
    except get_user_model().DoesNotExist:
        raise click.ClickException(f"no active user {username!r}") from None


def _progress(label: str):
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(TextColumn("[bold]{task.description}"), BarColumn(), TextColumn("{task.completed:,} rows"),
                   TimeElapsedColumn(), transient=True)
    return bar, label


def _run_import(job, path: str, errors_out: str | None, max_errors: int) -> None:
    from fuhua.core.context import acting_as

    from .exchange.annotate import write_error_workbook

    bar, label = _progress("importing")
    with bar:
        task = bar.add_task(label, total=None)
        with acting_as(job["user"], source="cli"):
            result = job["run"](progress=lambda n: bar.update(task, completed=n), max_errors=max_errors)
    for e in result.errors:
        click.echo(f"ERROR {e}", err=True)
    if result.error_count > len(result.errors):
        click.echo(f"… and {result.error_count - len(result.errors):,} more errors", err=True)
    for w in result.warnings[:50]:
        click.echo(f"WARNING {w}", err=True)
    click.echo(result.summary())
    if result.error_count and errors_out:
        write_error_workbook(path, Path(path).name, result.errors, errors_out)
        click.echo(f"Annotated workbook: {errors_out}")
    sys.exit(0 if result.ok else 1)


_import_options = [
    click.option("--dry-run", is_flag=True, help="Check everything, write nothing."),
    click.option("--as", "username", default=None, help="Act as this user, scoped like the web (default: system)."),
    click.option("--errors-out", type=click.Path(dir_okay=False), default=None,
                 help="Write the workbook with the bad cells marked here."),
    click.option("--max-errors", type=int, default=1000, show_default=True,
                 help="List at most this many errors (all are counted)."),
]


def _with_import_options(func):
    for option in reversed(_import_options):
        func = option(func)
    return func


@click.group("stats")
def stats() -> None:
    """Annual statistics (火炬统计): workbook templates, imports and exports."""


@stats.command("template")
@click.option("--year", type=int, required=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True)
@click.option("--region", default=None, help="Only carriers in this region (6-digit code).")
@click.option("--as", "username", default=None, help="Only the carriers this user may see.")
def template(year: int, output: str, region: str | None, username: str | None) -> None:
    """Write the year's workbook template, one row per carrier."""
    _setup_django()
    from .exchange.reports import write_workbook
    from .views.common import carriers_for

    rows = write_workbook(output, year, carriers_for(_user(username), region))
    click.echo(f"{output}: {rows:,} carriers")


@stats.command("export")
@click.option("--year", type=int, required=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True)
@click.option("--region", default=None)
@click.option("--as", "username", default=None)
@click.option("--all-statuses", is_flag=True, help="Latest version whatever its status (default: accepted only).")
def export(year: int, output: str, region: str | None, username: str | None, all_statuses: bool) -> None:
    """Write the year's figures (accepted reports unless --all-statuses)."""
    _setup_django()
    from fuhua.core.exports import announce_export

    from .exchange.reports import write_workbook
    from .views.common import carriers_for, export_rows

    user = _user(username)
    carriers = list(carriers_for(user, region))
    reports = export_rows(carriers, year, accepted_only=not all_statuses)
    rows = write_workbook(output, year, carriers, reports)
    announce_export(None, "statistics.annualreport", len(reports), user=user,
                    filters={"year": year, "region": region or "", "all_statuses": all_statuses})
    click.echo(f"{output}: {rows:,} carriers")


@stats.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--year", type=int, required=True)
@_with_import_options
def import_(path: str, year: int, dry_run: bool, username: str | None, errors_out: str | None,
            max_errors: int) -> None:
    """Import a filled workbook (.xlsx) or CSV of annual reports: all rows or none."""
    _setup_django()
    from .exchange.reports import import_reports

    user = _user(username)
    _run_import({"user": user, "run": lambda **kw: import_reports(path, Path(path).name, year, user,
                                                                  dry_run=dry_run, **kw)},
                path, errors_out, max_errors)


@stats.command("remind")
@click.option("--today", default=None, help="YYYY-MM-DD (default: today)")
def remind(today: str | None) -> None:
    """Record deadline reminders for unsubmitted reports now (the worker does it daily)."""
    _setup_django()
    import datetime

    from .tasks import record_reminders

    day = datetime.date.fromisoformat(today) if today else None
    click.echo(f"{record_reminders(day):,} reminders recorded")


@click.group("firms")
def firms() -> None:
    """Firms in bulk: workbook template and import."""


@firms.command("template")
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True)
def firm_template(output: str) -> None:
    """Write the empty firm workbook with its dropdowns."""
    _setup_django()
    from .exchange.firms import write_firm_template

    write_firm_template(output)
    click.echo(output)


@firms.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@_with_import_options
def firm_import(path: str, dry_run: bool, username: str | None, errors_out: str | None, max_errors: int) -> None:
    """Import firms (.xlsx or CSV) keyed by credit code: new codes are created, known ones updated."""
    _setup_django()
    from .exchange.firms import import_firms

    user = _user(username)
    _run_import({"user": user, "run": lambda **kw: import_firms(path, Path(path).name, user, dry_run=dry_run, **kw)},
                path, errors_out, max_errors)


cli_groups = [stats, firms]  # mounted by the shell (fuhua/cli.py)
