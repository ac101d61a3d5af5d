"""`fuhua entitlements` and `fuhua policy …`: compute, simulate, run, pay, export, check policy packs.

Every command that reads or writes data acts as `--user USERNAME` and shows only what that user may see
(a computation runs over the whole population, so that shared budgets and ranks are right, but lists and
totals cover the user's carriers). `policy list` and `policy check` read the bundled packs only.
"""

from __future__ import annotations

import datetime
import json
import sys

import click
from django.utils import timezone

from fuhua.core.cli_helpers import active_user, setup_django, user_option

DATE = click.DateTime(["%Y-%m-%d"])


def _django():
    setup_django()


def _user(username: str):
    return active_user(username)


def _day(value) -> datetime.date:
    return value.date() if value else timezone.localdate()


def _yuan(fen: int) -> str:
    return f"{fen / 100:>16,.2f}"


@click.command()
@click.option("--policy", "policy_code", required=True, help="Policy (pack id), e.g. suzhou-2020-carriers.")
@click.option("--as-of", type=DATE, default=None, help="Date (default: today).")
@click.option("--json", "as_json", is_flag=True, help="JSON with each entitlement's citations.")
@click.option("--explain", is_flag=True, help="Add each entitlement's explanation trace.")
@user_option()
def entitlements(policy_code: str, as_of, as_json: bool, explain: bool, username: str) -> None:
    """Who is owed what under a policy on a date (免申即享; computed, nothing saved), for USER's carriers."""
    _django()
    from fuhua.registry.models import Carrier

    from .compute import compute
    from .packs import PolicyError
    from .services.simulate import carriers_in_scope

    user = _user(username)
    try:
        result = compute(policy_code, _day(as_of))
    except PolicyError as exc:
        raise click.ClickException(str(exc)) from None
    visible = carriers_in_scope(user, {d.carrier_id for d in result.dues})
    names = dict(Carrier.objects.restrict(user, "view").filter(pk__in=visible).values_list("pk", "name"))
    rows = []
    for due in (d for d in result.dues if d.carrier_id in visible):
        row = {"carrier_id": due.carrier_id, "carrier": names.get(due.carrier_id, ""), "item": due.item,
               "key": due.key, "amount_fen": due.amount_fen, "region": due.region_code}
        if as_json or explain:
            why = result.explain(due)
            row["citations"] = why["citations"]
            if explain:
                row["explanation"] = why["text"]
        rows.append(row)
    total = sum(r["amount_fen"] for r in rows)
    if as_json:
        click.echo(json.dumps({"policy": policy_code, "as_of": str(_day(as_of)), "carriers": len(result.facts.ids),
                               "total_fen": total, "entitlements": rows}, ensure_ascii=False, indent=2))
        return
    for r in rows:
        click.echo(f"{r['carrier_id']:>8}  {r['carrier'][:24]:<24}  {r['key']:<40} {_yuan(r['amount_fen'])}")
        if explain:
            click.echo(r["explanation"])
    click.echo(f"{len(rows)} entitlement(s) for {len(result.facts.ids)} carriers, total {_yuan(total).strip()} yuan "
               f"({result.seconds * 1000:.1f} ms of computation)")


@click.group()
def policy() -> None:
    """Policies as code: simulate, run 免申即享, pay, export the ledger, check the packs."""


@policy.command("list")
def list_policies() -> None:
    """The bundled policy packs."""
    from .packs import bundled

    for code, p in bundled().items():
        click.echo(f"{code:<28} {p.pack.document.number:<24} region {p.meta.region}  "
                   f"{'application' if p.meta.needs_application else '免申即享'}  items: {', '.join(p.meta.items)}")


@policy.command()
def check() -> None:
    """Load every policy pack (caps, offsets, cycles) and run its tests."""
    from fuhua.rules import run_pack_tests

    from .packs import PolicyError, bundled

    try:
        policies = bundled()
    except PolicyError as exc:
        raise click.ClickException(str(exc)) from None
    failed = 0
    for code, p in policies.items():
        for case in run_pack_tests(p.pack):
            failed += not case.passed
            click.echo(f"{'ok  ' if case.passed else 'FAIL'} {code}: {case.name}")
            for failure in case.failures:
                click.echo(f"       {failure}")
    sys.exit(1 if failed else 0)


@policy.command()
@click.option("--policy", "policy_code", required=True)
@click.option("--set", "settings", multiple=True, help="NAME=VALUE (YAML value); repeat for several parameters.")
@click.option("--as-of", type=DATE, default=None)
@click.option("--json", "as_json", is_flag=True)
@user_option()
def simulate(policy_code: str, settings: tuple[str, ...], as_of, as_json: bool, username: str) -> None:
    """What-if: total cost, cost by region, gainers and losers among USER's carriers (nothing is written)."""
    _django()
    from django.core.exceptions import PermissionDenied, ValidationError

    from .services.simulate import parse_settings
    from .services.simulate import simulate as run_simulation

    try:
        out = run_simulation(_user(username), policy_code, _day(as_of), parse_settings(list(settings)))
    except ValidationError as exc:
        raise click.ClickException("; ".join(exc.messages)) from None
    except PermissionDenied as exc:
        raise click.ClickException(str(exc) or f"{username} may not view {policy_code}") from None
    if as_json:
        click.echo(json.dumps(out, ensure_ascii=False, indent=2, default=str))
        return
    click.echo(f"{policy_code} as of {out['as_of']}, {out['carriers']} carriers, overrides {out['overrides']}")
    click.echo(f"total: baseline {_yuan(out['baseline_fen']).strip()} → simulated "
               f"{_yuan(out['simulated_fen']).strip()} yuan; {out['gainers']} gain, {out['losers']} lose")
    for r in out["by_region"]:
        click.echo(f"  {r['region']} {r['name']:<12} {_yuan(r['baseline_fen'])} → {_yuan(r['simulated_fen'])}")
    for c in out["changes"][:20]:
        click.echo(f"  {c['carrier'][:24]:<24} {_yuan(c['baseline_fen'])} → {_yuan(c['simulated_fen'])}")


@policy.command()
@click.option("--policy", "policy_code", required=True)
@click.option("--as-of", type=DATE, default=None)
@user_option("Act as this user (bureau staff of the policy's region).")
def run(policy_code: str, as_of, username: str) -> None:
    """Save the entitlements (idempotent), notify the beneficiaries, queue what exceeds the budget."""
    _django()
    from fuhua.core.context import acting_as

    from .services import run_entitlements

    user = _user(username)
    with acting_as(user, source="cli"):
        r = run_entitlements(user, policy_code, _day(as_of))
    click.echo(f"{policy_code} @ {r.as_of}: {r.carriers} carriers, {r.created} new, {r.changed} changed, "
               f"due {_yuan(r.total_fen).strip()} yuan, queued over budget {_yuan(r.queued_fen).strip()} yuan")


@policy.command()
@click.option("--policy", "policy_code", required=True)
@click.option("--year", type=int, required=True, help="Budget year.")
@user_option()
@click.option("--limit", type=int, default=None, help="Pay at most this many entitlements.")
def pay(policy_code: str, year: int, username: str, limit: int | None) -> None:
    """Pay confirmed entitlements in priority order within the budget (each key at most once)."""
    _django()
    from fuhua.core.context import acting_as

    from .services import pay as pay_entitlements

    user = _user(username)
    with acting_as(user, source="cli"):
        result = pay_entitlements(user, policy_code, year, limit=limit)
    click.echo(f"paid {len(result.paid)} entitlement(s), {_yuan(result.total_fen).strip()} yuan; "
               f"budget left {_yuan(result.remaining_fen).strip()} yuan")


@policy.command()
@click.option("--out", "path", required=True, type=click.Path(dir_okay=False), help="XLSX file to write.")
@click.option("--policy", "policy_code", default=None)
@user_option()
def export(path: str, policy_code: str | None, username: str) -> None:
    """The ledger for finance (XLSX: rows and totals per policy, year and city) as USER may see it."""
    _django()
    from fuhua.core.exports import announce_export

    from .models import Payout
    from .services.ledger import export_xlsx

    user = _user(username)
    payouts = Payout.objects.restrict(user, "view")
    if policy_code:
        payouts = payouts.filter(policy__code=policy_code)
    with open(path, "wb") as fh:
        fh.write(export_xlsx(payouts))
    announce_export(None, "policies.payout", payouts.count(), filters={"policy": policy_code or ""}, user=user)
    click.echo(f"wrote {path} ({payouts.count()} ledger rows)")


@policy.command()
@click.option("--firm", "firm_id", type=int, default=None, help="The firm (id).")
@click.option("--carrier", "carrier_id", type=int, default=None, help="Or the carrier (id).")
@click.option("--as-of", type=DATE, default=None)
@click.option("--json", "as_json", is_flag=True)
@user_option()
def fit(firm_id: int | None, carrier_id: int | None, as_of, as_json: bool, username: str) -> None:
    """Which policies fit a firm (or a carrier): entitled now, would be entitled if …, not applicable."""
    _django()
    from django.http import Http404

    from .services import carrier_fits, firm_fits

    if (firm_id is None) == (carrier_id is None):
        raise click.UsageError("give exactly one of --firm and --carrier")
    user = _user(username)
    try:
        day = as_of.date() if as_of else None  # firms: the last complete year; carriers: today
        fits = firm_fits(user, firm_id, day) if firm_id else carrier_fits(user, carrier_id, day)
    except Http404 as exc:
        raise click.ClickException(str(exc) or "not found") from None
    if as_json:
        click.echo(json.dumps([f.as_dict() for f in fits], ensure_ascii=False, indent=2, default=str))
        return
    for f in fits:
        click.echo(f"{f.status_label:<12} {f.policy.code:<32} {_yuan(f.amount_fen) if f.amount_fen else '':>16}")
        for e in f.explanations:
            click.echo(f"    {e['text']}")
        for m in f.missing:
            gap = f" (short by {m.gap_fen / 100:,.2f} yuan)" if m.gap_fen else ""
            click.echo(f"    missing: {m.label}{gap}")
        for m in f.reasons:
            click.echo(f"    not met: {m.label}")


@policy.command()
@click.option("--policy", "policy_code", required=True)
@click.option("--set", "settings", multiple=True, help="NAME=VALUE (YAML value); repeat for several parameters.")
@click.option("--as-of", type=DATE, default=None)
@click.option("--json", "as_json", is_flag=True)
@user_option()
def reach(policy_code: str, settings: tuple[str, ...], as_of, as_json: bool, username: str) -> None:
    """Reach of a firm-level policy: firms entitled, total cost, firms one condition away (nothing written)."""
    _django()
    from django.core.exceptions import PermissionDenied, ValidationError

    from .firm_compute import default_as_of
    from .services import reach as compute_reach
    from .services.simulate import parse_settings

    user = _user(username)
    try:
        result = compute_reach(user, policy_code, as_of.date() if as_of else default_as_of(),
                               parse_settings(list(settings)))
    except (PermissionDenied, ValidationError) as exc:
        raise click.ClickException("; ".join(getattr(exc, "messages", [str(exc)]))) from None
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2, default=str))
        return
    click.echo(f"{policy_code}: {result['entitled']} of {result['population']} entitled, total "
               f"{_yuan(result['total_fen']).strip()} yuan; {result['close']} one condition away "
               f"({result['seconds'] * 1000:.1f} ms of computation)")
    for c in result["close_by_condition"]:
        click.echo(f"    {c['count']:>6}  {c['label']}")


@policy.command()
@click.option("--policy", "policy_code", required=True)
@click.option("--as-of", type=DATE, default=None)
@click.option("--yes", is_flag=True, help="Publish without asking (entitlements are saved, firms notified).")
@user_option("Act as this user (bureau staff of the policy's region).")
def publish(policy_code: str, as_of, yes: bool, username: str) -> None:
    """Publish a firm-level policy: save its entitlements, tell the firms that are one condition away."""
    _django()
    from django.core.exceptions import PermissionDenied, ValidationError

    from fuhua.core.context import acting_as

    from .services import publish as publish_policy

    user = _user(username)
    if not yes:
        click.confirm(f"Publish {policy_code} and notify the firms? This cannot be undone.", abort=True)
    try:
        with acting_as(user, source="cli"):
            done = publish_policy(user, policy_code, as_of.date() if as_of else None)
    except (PermissionDenied, ValidationError) as exc:
        raise click.ClickException("; ".join(getattr(exc, "messages", [str(exc)]))) from None
    click.echo(f"published {policy_code}: {done['entitlements']} entitlement(s), {_yuan(done['total_fen']).strip()} "
               f"yuan; {done['close']} firm(s) told what they miss, {done['subscribed']} subscriber(s) told")


cli_groups = [entitlements, policy]  # mounted by the shell (fuhua/cli.py)
