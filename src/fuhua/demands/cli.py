"""`fuhua demands list|match|fits|expire`: demands from the shell, acting as a user (`--user`), scoped like the web;
`expire` without `--user` is the daily task run by the system actor."""

from __future__ import annotations

import sys
import time

import click

from fuhua.core.cli_helpers import active_user, setup_django
from fuhua.core.text import pad_display


@click.group()
def demands() -> None:
    """Firms' demands (需求发布), challenges (揭榜挂帅) and matching."""


@demands.command("list")
@click.option("--user", "username", required=True, help="Act as this user (their scope).")
@click.option("--status", type=click.Choice(["draft", "open", "matched", "closed", "expired"]), default=None)
def list_(username: str, status: str | None) -> None:
    """List the demands the user may see."""
    setup_django()
    from .models import Demand

    qs = Demand.objects.restrict(active_user(username)).select_related("firm", "team").order_by("deadline", "pk")
    if status:
        qs = qs.filter(status=status)
    n = 0
    for d in qs[:500]:
        n += 1
        click.echo(f"{d.pk:>6}  {pad_display(d.get_kind_display(), 10)} {pad_display(d.title, 30)} "
                   f"{pad_display(str(d.poster), 28)} {d.deadline}  {d.get_status_display()}")
    click.echo(f"{n} demand(s)")


@demands.command()
@click.option("--user", "username", required=True, help="Act as this user (the need must be in their scope).")
@click.argument("demand_id", type=int)
@click.option("--kind", "kinds", multiple=True, type=click.Choice(["mentor", "investor", "provider", "product",
                                                                   "expert", "challenge"]),
              help="Kinds of candidate (default: those that answer the need's kind).")
@click.option("--top", type=int, default=10, show_default=True)
def match(username: str, demand_id: int, kinds: tuple[str, ...], top: int) -> None:
    """Rank the candidates for one need, with the reasons."""
    setup_django()
    from . import matching
    from .models import Demand

    user = active_user(username)
    demand = Demand.objects.restrict(user).filter(pk=demand_id).first()
    if demand is None:
        click.echo(f"no demand {demand_id} in your scope", err=True)
        sys.exit(1)
    started = time.perf_counter()
    found = matching.match_demand(user, demand, kinds or None, top)
    took = (time.perf_counter() - started) * 1000
    click.echo(f"{demand.title} · {demand.get_kind_display()} · {demand.region}")
    for kind, ms in found.items():
        click.echo(f"\n{matching.KIND_LABELS[kind]} ({len(ms)})")
        for rank, m in enumerate(ms, start=1):
            click.echo(f"  {rank:>2}. {pad_display(m.name, 24)} {m.score:.2f}  {m.reason_text}")
    click.echo(f"\n({took:.1f} ms)")


@demands.command()
@click.option("--user", "username", required=True, help="The mentor or investor.")
@click.option("--top", type=int, default=10, show_default=True)
def fits(username: str, top: int) -> None:
    """The open needs that fit a mentor or an investor, with the reasons."""
    setup_django()
    from . import services

    found = services.fits_for(active_user(username), top)
    if found is None:
        click.echo("only mentors and investors have needs matched to them", err=True)
        sys.exit(1)
    for demand, score, reasons in found:
        click.echo(f"{demand.pk:>6}  {pad_display(demand.title, 30)} {score:.2f}  {'；'.join(reasons)}")
    click.echo(f"{len(found)} need(s)")


@demands.command()
@click.option("--user", "username", default=None, help="Act as this user (default: the system, as the daily task).")
def expire(username: str | None) -> None:
    """Expire open demands and unanswered challenges past their deadline; remind posters to pick."""
    setup_django()
    from fuhua.core.system import SYSTEM

    from . import services

    counts = services.expire(user=active_user(username) if username else SYSTEM)
    click.echo(f"expired {counts['demands']} demand(s), {counts['challenges']} challenge(s); "
               f"reminded {counts['reminded']} poster(s)")


cli_groups = [demands]  # mounted by the shell (fuhua/cli.py)
