"""`fuhua evaluate --scheme S --period 2025 [--region CODE] [--json | --xlsx F]`: score a period.

Without `--save` the run is computed in memory from the current accepted statistics and nothing is
written (an analysis); with `--save --as USERNAME` a run is created and computed through the run
workflow, scoped and audited like the web. Exit status: 0 done, 2 bad input.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter

import click

from fuhua.core.cli_helpers import setup_django as _setup


def _user(username):
    from django.contrib.auth import get_user_model

    try:
        return get_user_model().objects.get(username=username, is_active=True)
    except get_user_model().DoesNotExist:
        raise click.ClickException(f"no active user {username!r}") from None


def _in_memory(scheme, period: int, region) -> dict:
    from fuhua.registry.models import Carrier

    from . import compute
    from .inputs import gather
    from .services import population_ids

    ids = population_ids(scheme, region, period)
    started = time.perf_counter()
    inputs = gather(scheme, ids, period)
    loaded = time.perf_counter()
    outcome = compute.score(scheme, inputs, period)
    names = dict(Carrier.objects.filter(pk__in=ids).values_list("pk", "name"))
    rows = [{"carrier_id": int(c), "carrier": names[int(c)], "category": str(outcome.category[i]),
             "total": None if outcome.incomplete[i] else int(outcome.total[i]) / 1000,
             "rank": int(outcome.rank[i]) or None, "grade": str(outcome.grade[i]),
             "vetoes": outcome.vetoes_at(i), "incomplete": bool(outcome.incomplete[i]),
             "missing": outcome.missing_at(i)} for i, c in enumerate(outcome.carrier_ids.tolist())]
    return {"rows": rows, "seconds": {"load": round(loaded - started, 3),
                                      "compute": round(time.perf_counter() - loaded, 3)}}


def _xlsx_rows(rows: list[dict], path: str) -> None:
    from fuhua.core.exports import safe_workbook, write_safe_row

    book = safe_workbook(path)
    sheet = book.add_worksheet("results")
    headers = list(rows[0]) if rows else ["carrier_id"]
    write_safe_row(sheet, 0, 0, headers)
    for i, row in enumerate(rows, start=1):
        write_safe_row(sheet, i, 0, [", ".join(v) if isinstance(v, list) else v for v in row.values()])
    book.close()


@click.group("evaluate", invoke_without_command=True)
@click.option("--scheme", "scheme_id", default=None, help="Scheme id (see `fuhua evaluate schemes`).")
@click.option("--period", type=int, default=None, help="The year evaluated.")
@click.option("--region", default="320000", show_default=True, help="Region code: carriers in it or under it.")
@click.option("--json", "as_json", is_flag=True, help="Print every result as JSON.")
@click.option("--xlsx", "xlsx", type=click.Path(dir_okay=False), default=None, help="Write the results workbook.")
@click.option("--save", is_flag=True, help="Create and compute a run (needs --as).")
@click.option("--as", "username", default=None, help="Act as this user when saving.")
@click.pass_context
def evaluate(ctx, scheme_id, period, region, as_json, xlsx, save, username) -> None:
    """Performance evaluation (绩效评价): score carriers with a scheme for a period."""
    if ctx.invoked_subcommand is not None:
        return
    if not scheme_id or not period:
        raise click.UsageError("give --scheme and --period (or a subcommand)")
    _setup()
    from fuhua.registry.models import Region

    from .scheme import get_scheme

    try:
        scheme = get_scheme(scheme_id, period)
    except KeyError as exc:
        click.echo(f"error: {exc.args[0]}", err=True)
        sys.exit(2)
    area = Region.objects.filter(code=region).first()
    if area is None:
        click.echo(f"error: unknown region {region}", err=True)
        sys.exit(2)
    if save:
        if not username:
            raise click.UsageError("--save needs --as USERNAME (the run is written as that user)")
        data = _saved(scheme, period, area, _user(username))
    else:
        data = _in_memory(scheme, period, area)
    rows = data["rows"]
    if xlsx:
        _xlsx_rows(rows, xlsx)
    if as_json:
        click.echo(json.dumps({"scheme": scheme.id, "version": str(scheme.version), "period": period,
                               "region": region, **data}, ensure_ascii=False, indent=1))
        return
    counts = Counter(r["grade"] for r in rows)
    graded = sum(counts[g] for g in "ABCD")
    click.echo(f"{scheme.id} ({scheme.version}) · {period} · {area}: {len(rows)} carriers, {graded} graded")
    for g in "ABCD":
        click.echo(f"  {g}: {counts[g]:>6}  ({100 * counts[g] / max(graded, 1):5.1f}%)")
    click.echo(f"  incomplete data (not graded): {sum(r['incomplete'] for r in rows)}")
    click.echo(f"  vetoed: {sum(bool(r['vetoes']) for r in rows)}")
    click.echo(f"  seconds: {data['seconds']}" + (f" · run #{data['run']}" if "run" in data else ""))
    if scheme.qualitative and not save:
        click.echo("  note: in memory, the expert-scored (qualitative) indicators count as not reviewed (0 points); "
                   "grades are final only in a saved run after expert review.")
    if xlsx:
        click.echo(f"Workbook: {xlsx}")


def _saved(scheme, period, area, user) -> dict:
    from django.core.exceptions import ValidationError

    from fuhua.core.context import acting_as

    from . import services
    from .export import result_rows

    try:
        with acting_as(user, source="cli"):
            run = services.create_run(user, scheme.id, period, area)
            seconds = services.timed_run(user, run)
    except ValidationError as exc:
        click.echo(f"error: {'; '.join(exc.messages)}", err=True)
        sys.exit(2)
    return {"rows": result_rows(run, scheme), "seconds": seconds, "run": run.pk}


@evaluate.command("schemes")
def schemes() -> None:
    """List the schemes and their versions."""
    _setup()
    from .scheme import all_schemes

    for s in all_schemes():
        click.echo(f"{s.id:<22} from {s.version}  {len(s.indicators):>2} indicators, {len(s.vetoes)} vetoes, "
                   f"{s.assumed_count} assumed · {s.title}")


@evaluate.command("check")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def check(path: str) -> None:
    """Validate a scheme file (exit 1 with file:line: reason when invalid)."""
    _setup()
    from fuhua.rules import RulesError

    from .scheme import load_scheme_file

    try:
        s = load_scheme_file(path)
    except RulesError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    click.echo(f"{s.id} {s.version}: ok ({len(s.indicators)} indicators)")


cli_groups = [evaluate]  # mounted by the shell (fuhua/cli.py)
