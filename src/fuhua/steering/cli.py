"""`fuhua report build` (the annual development report as HTML, PDF or XLSX) and `fuhua targets list|add|progress`,
acting as a user (their scope, their name in the audit trail)."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click

from fuhua.core.cli_helpers import active_user, setup_django


@click.group()
def report() -> None:
    """The annual development report of a region."""


@report.command()
@click.option("--region", "region_code", required=True, help="Region code, e.g. 320000.")
@click.option("--year", type=int, required=True, help="The report's year (its statistics must be accepted).")
@click.option("--format", "fmt_", type=click.Choice(["html", "pdf", "xlsx"]), default="html", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
@click.option("--user", "username", default="admin", show_default=True, help="Act as this user.")
def build(region_code: str, year: int, fmt_: str, output: Path, lang: str, username: str) -> None:
    """Snapshot the region's data for the year (stored with its checksum) and write the report."""
    setup_django()
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.http import Http404

    from fuhua.core.context import acting_as

    from . import report as reports
    from . import services

    user = active_user(username)
    started = time.perf_counter()
    try:
        with acting_as(user, source="cli"):
            region = services.region_for(user, region_code, "add")
            snapshot = reports.build_snapshot(user, region, year)
        collected = time.perf_counter() - started
        body = reports.render(snapshot, fmt_, lang)
    except (ValidationError, reports.ReportError) as exc:
        click.echo(f"error: {'; '.join(exc.messages) if hasattr(exc, 'messages') else exc}", err=True)
        sys.exit(2)
    except (PermissionDenied, Http404) as exc:
        click.echo(f"error: {region_code}: {exc or 'outside your scope'}", err=True)
        sys.exit(2)
    output.write_bytes(body)
    click.echo(f"{output} ({len(body):,} bytes, {fmt_}) · snapshot {snapshot.pk} SHA-256 {snapshot.checksum} · "
               f"data {collected:.2f} s, total {time.perf_counter() - started:.2f} s")


@click.group()
def targets() -> None:
    """Targets of a region: list, add, progress."""


@targets.command("list")
@click.option("--user", "username", required=True, help="Act as this user.")
@click.option("--region", "region_code", default=None, help="Only this region (and below).")
def list_targets(username: str, region_code: str | None) -> None:
    setup_django()
    from fuhua.registry.schemas import region_q

    from .models import Target

    user = active_user(username)
    qs = Target.objects.restrict(user, "view").select_related("region")
    if region_code:
        qs = qs.filter(region_q("region", region_code))
    for t in qs:
        click.echo(f"{t.pk:>6}  {t.region.name}  {t.metric}  {t.period}  {t.mode}  {t.value}  {t.plan_title}")


@targets.command()
@click.option("--user", "username", required=True, help="Act as this user.")
@click.option("--metric", required=True)
@click.option("--region", "region_code", required=True)
@click.option("--period", required=True, help="2024 or 2022-2024")
@click.option("--value", required=True)
@click.option("--mode", type=click.Choice(["by_end", "each_year"]), default="by_end", show_default=True)
@click.option("--plan", "plan_title", required=True, help="The plan document's title.")
@click.option("--number", "plan_number", default="", help="Its document number (文号).")
@click.option("--article", "plan_article", default="")
def add(username, metric, region_code, period, value, mode, plan_title, plan_number, plan_article) -> None:
    """Add a target (validated like the web form: unknown metric or region, bad period → the field named)."""
    setup_django()
    from django.core.exceptions import PermissionDenied, ValidationError

    from fuhua.core.context import acting_as

    from . import services

    user = active_user(username)
    try:
        with acting_as(user, source="cli"):
            target = services.create_target(user, {
                "metric": metric, "region": region_code, "period": period, "mode": mode,
                "value": services.decimal_value(value), "plan_title": plan_title, "plan_number": plan_number,
                "plan_article": plan_article})
    except ValidationError as exc:
        for name, errors in exc.message_dict.items():
            click.echo(f"error: {name}: {' '.join(errors)}", err=True)
        sys.exit(2)
    except PermissionDenied as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    click.echo(f"target {target.pk}: {target}")


@targets.command()
@click.option("--user", "username", required=True, help="Act as this user.")
@click.argument("target_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="The API's JSON.")
def progress(username: str, target_id: int, as_json: bool) -> None:
    """Actuals per year and sub-region, completion, and (carrier counts) the carriers that could close the gap."""
    setup_django()
    from . import services
    from .models import Target

    user = active_user(username)
    target = Target.objects.restrict(user, "view").filter(pk=target_id).first()
    if target is None:
        click.echo(f"error: no target {target_id} in your scope", err=True)
        sys.exit(2)
    p = services.progress_json(services.progress(user, target))
    if as_json:
        click.echo(json.dumps(p, ensure_ascii=False, indent=2, default=str))
        return
    click.echo(f"{p['region_name']} · {p['metric_label']} · {p['period']} ({p['mode']}) target {p['value']:g}")
    for y in p["years"]:
        click.echo(f"  {y['year']}: actual {y['actual'] if y['actual'] is not None else '—'}"
                   f"{'' if y['target'] is None else ' / target ' + format(y['target'], 'g')}")
    click.echo(f"  completion: {p['completion'] if p['completion'] is not None else '—'}%")
    if p["forecast"] and not p["forecast"].get("error"):
        f = p["forecast"]
        click.echo(f"  ready now: {len(f['ready'])}; closest: "
                   + "; ".join(f"{c['name']} (lacks {', '.join(c['lacks'])})" for c in f["closest"][:5]))



@targets.command()
def refresh() -> None:
    """Rebuild the dashboards' aggregates now (the worker does it every 15 minutes: steering.refresh)."""
    setup_django()
    from . import aggregates

    built = aggregates.rebuild()
    click.echo(f"{built['rows']:,} aggregates in {built['seconds']} s")


cli_groups = [report, targets]  # mounted by the shell (fuhua/cli.py)
