"""`fuhua readiness CARRIER`: a carrier's criteria for national recognition, with the data and citations.

Acts as `--user USERNAME`: only a carrier that user may view is found. Exit status: 0 the carrier meets
every criterion, 1 it fails at least one, 2 bad input (including a carrier the user may not see).
"""

from __future__ import annotations

import datetime
import json
import sys

import click

from fuhua.core.cli_helpers import active_user, setup_django, user_option


def _value(text: str):
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return {"true": True, "false": False}.get(text.lower(), text)


def _assumptions(items: tuple[str, ...]) -> dict:
    out = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep:
            raise click.BadParameter(f"{item!r}: write NAME=VALUE", param_hint="--assume")
        out[name.strip()] = _value(value.strip())
    return out


def _find(user, identifier: str):
    from fuhua.registry.models import Carrier

    visible = Carrier.objects.restrict(user, "view")
    found = visible.filter(pk=int(identifier)) if identifier.isdigit() else visible.none()
    return found.first() or visible.filter(name=identifier).first()


def _print(result: dict) -> None:
    mark = {True: "✓", False: "✗"}
    click.echo(f"{result['carrier']['name']} — {result['pack']} {result['document']} as of {result['as_of']}: "
               f"{'meets every criterion' if result['eligible'] else 'fails ' + ', '.join(result['failed'])}")
    if result["note"]:
        click.echo(f"  note: {result['note']}")
    for row in result["criteria"]:
        click.echo(f"{mark[row['passed']]} {row['label']}  〔{row['citation']}〕")
        for c in row["comparisons"]:
            click.echo(f"    {mark.get(c['passed'], '•')} {c['value_expr']} = {c['value']}  vs  "
                       f"{c['threshold_expr']} = {c['threshold']}")
        for d in row["data"]:
            state = "assumed" if d["assumed"] else "default used" if not d["available"] else ""
            where = d["source"] + (f" — not collected yet, {state}" if not d["available"] else "")
            click.echo(f"      {d['attribute']} = {d['value']}  [{where}]")


@click.command()
@click.argument("carrier")
@click.option("--pack", "pack_id", default=None, help="Pack id (default: the one in force for the carrier's kind).")
@click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Date (default: today).")
@click.option("--assume", multiple=True, metavar="NAME=VALUE",
              help="What-if value for data not collected yet (annual statistics), e.g. stats_years_consecutive=3.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@user_option()
def readiness(carrier: str, pack_id: str | None, as_of: datetime.datetime | None, assume: tuple[str, ...],
              as_json: bool, username: str) -> None:
    """Check CARRIER (id or exact name) against a pack's criteria for national recognition."""
    setup_django()
    from fuhua.registry.readiness import carrier_readiness
    from fuhua.rules import RulesError

    obj = _find(active_user(username), carrier)
    if obj is None:
        click.echo(f"No carrier with id or name {carrier!r}.", err=True)
        sys.exit(2)
    try:
        result = carrier_readiness(obj, pack_id, as_of.date() if as_of else None, _assumptions(assume))
    except RulesError as exc:
        click.echo(str(exc), err=True)
        sys.exit(2)
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2, default=str))
    else:
        _print(result)
    sys.exit(0 if result["eligible"] else 1)


cli_groups = [readiness]  # mounted by the shell (fuhua/cli.py)
