"""`fuhua vouchers …`: programme packs, setup, expiry, audit sampling and the budget from the shell.

`programmes` reads the bundled packs (and runs their test cases with `--test`). `setup` and `expire` without
`--user` are server maintenance run as the system actor (audited as "system"); with `--user` they act as
that user, scoped like the web. `audit-sample` and `budget` always act as `--user USERNAME`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from fuhua.core.cli_helpers import active_user, setup_django, user_option

DATE = click.DateTime(["%Y-%m-%d"])


def _actor(username: str | None):
    if not username:
        from fuhua.core.system import SYSTEM

        return SYSTEM
    return active_user(username)


def _yuan(fen: int) -> str:
    return f"{fen / 100:>18,.2f}"


def _programme(user, code: str):
    from .models import VoucherProgramme

    programme = VoucherProgramme.objects.restrict(user).filter(code=code).first()
    if programme is None:
        raise click.ClickException(f"no programme {code!r} in your scope (run `fuhua vouchers setup` first?)")
    return programme


@click.group()
def vouchers() -> None:
    """Innovation vouchers (创新券): programmes, batches, expiry, audits, budget."""


@vouchers.command()
@click.option("--test", "run_tests", is_flag=True, help="Run every pack's test cases.")
def programmes(run_tests: bool) -> None:
    """The bundled programme packs: region, batches with budgets and opening times, face value, limits."""
    setup_django()
    from fuhua.rules import run_pack_tests

    from . import packs

    failed = 0
    for code, programme in sorted(packs.bundled().items()):
        meta = programme.meta
        mark = " [illustrative]" if meta.illustrative else ""
        click.echo(f"{code}{mark}  {programme.title}  region {meta.region}  《{programme.pack.document.name}》")
        for batch in meta.batches:
            t = programme.terms(batch.opens_at.date())
            click.echo(f"  batch {batch.number} {batch.title}: {_yuan(batch.budget_fen).strip()} yuan, "
                       f"{batch.budget_fen // t.face_value:,} × {t.face_value / 100:,.0f}, opens "
                       f"{batch.opens_at:%Y-%m-%d %H:%M}, closes {batch.closes_at:%Y-%m-%d %H:%M}")
        t = programme.terms(meta.batches[0].opens_at.date())
        click.echo(f"  limits: per claim {t.per_claim_max / 100:,.0f}, held {t.held_max / 100:,.0f}, year "
                   f"{t.year_max / 100:,.0f}; co-pay: full up to {t.copay_full_below / 100:,.0f}, then "
                   f"{t.copay_share * 100:g}%; valid {t.validity_days} days; audit {t.audit_rate * 100:g}%")
        if run_tests:
            for case in run_pack_tests(programme.pack):
                status = "ok" if not case.failures else "FAIL"
                failed += bool(case.failures)
                click.echo(f"  test {status}: {case.name}")
                for failure in case.failures:
                    click.echo(f"    {failure}")
    sys.exit(1 if failed else 0)


@vouchers.command()
@click.argument("codes", nargs=-1)
@click.option("--publish", is_flag=True, help="Also publish the draft batches (cut their budgets into vouchers).")
@click.option("--precompute", is_flag=True, help="Evaluate every firm's eligibility for today (before a rush).")
@click.option("--user", "username", default=None, metavar="USERNAME", help="Act as this user (default: the system).")
def setup(codes, publish: bool, precompute: bool, username: str | None) -> None:
    """Create or update the programmes of the packs (all, or CODES), their regions and draft batches."""
    setup_django()
    from fuhua.core.context import acting_as

    from . import services
    from .models import BatchStatus
    from .packs import ProgrammeError

    user = _actor(username)
    with acting_as(user, source="cli"):
        try:
            rows = services.setup(user, list(codes) or None)
        except ProgrammeError as exc:
            raise click.ClickException(str(exc)) from None
        for programme in rows:
            click.echo(f"{programme.code}: {programme.title} ({programme.region})")
            for batch in programme.batches.order_by("number"):
                if publish and batch.status == BatchStatus.DRAFT:
                    batch = services.publish_batch(user, batch)
                click.echo(f"  batch {batch.number} {batch.title}: {batch.get_status_display()}, "
                           f"{_yuan(batch.budget_fen).strip()} yuan")
            if precompute:
                click.echo(f"  eligibility stored for {services.precompute(programme):,} firms")


@vouchers.command()
@click.option("--on", "on", type=DATE, default=None, help="Date (default: today).")
@click.option("--user", "username", default=None, metavar="USERNAME", help="Act as this user (default: the system).")
def expire(on, username: str | None) -> None:
    """Cancel orders not confirmed in time, deem late deliveries accepted, lapse expired vouchers."""
    setup_django()
    from fuhua.core.context import acting_as

    from .services import expire as run

    user = _actor(username)
    with acting_as(user, source="cli"):
        result = run(user, on.date() if on else None)
    click.echo(f"cancelled {result.cancelled} orders, deemed {result.accepted} deliveries accepted, "
               f"lapsed {result.lapsed} vouchers ({result.returned_fen / 100:,.2f} yuan back to their batches)")


@vouchers.command("audit-sample")
@click.argument("code")
@click.option("--seed", type=int, default=None, help="Seed (default: random; stored, so the sample redraws).")
@click.option("--rate", "rate_percent", type=float, default=None, help="Percent (at least the programme's rate).")
@user_option()
def audit_sample(code: str, seed, rate_percent, username: str) -> None:
    """Draw a reproducible random sample of the programme's settled redemptions."""
    setup_django()
    from django.core.exceptions import PermissionDenied, ValidationError

    from fuhua.core.context import acting_as

    from . import services

    user = active_user(username)
    programme = _programme(user, code)
    with acting_as(user, source="cli"):
        try:
            sample = services.draw_sample(user, programme, seed=seed, rate_percent=rate_percent)
        except (PermissionDenied, ValidationError) as exc:
            raise click.ClickException("; ".join(getattr(exc, "messages", [str(exc)]))) from None
    ids = sorted(sample.items.values_list("redemption_id", flat=True))
    click.echo(f"sample {sample.pk}: seed {sample.seed}, {sample.rate_percent}% of {sample.population_size} "
               f"settled redemptions → {len(ids)}: {', '.join(map(str, ids))}")


@vouchers.command()
@click.argument("code")
@click.option("--xlsx", "xlsx", type=click.Path(dir_okay=False), default=None, help="Also write the workbook here.")
@user_option()
def budget(code: str, xlsx: str | None, username: str) -> None:
    """Every fen of the programme per batch (issued … remaining) and whether it reconciles."""
    setup_django()
    from . import services

    user = active_user(username)
    programme = _programme(user, code)
    report = services.programme_budget(user, programme)
    lines = ("budget", "unissued", "remaining", "claimed", "held", "ordered", "delivered", "redeeming", "settled",
             "lapsed", "returned_pool", "paid_net")
    click.echo("batch " + "".join(f"{n:>18}" for n in lines) + "  reconciles")
    for row in report["batches"]:
        click.echo(f"{row['number']:>5} " + "".join(_yuan(row[n]) for n in lines) + f"  {row['reconciles']}")
    click.echo("total " + "".join(_yuan(report["totals"][n]) for n in lines) + f"  {report['reconciles']}")
    if xlsx:
        Path(xlsx).write_bytes(services.export_xlsx(user, programme))
        click.echo(f"written {xlsx}")
    sys.exit(0 if report["reconciles"] else 1)


cli_groups = [vouchers]  # mounted by the shell (fuhua/cli.py)
