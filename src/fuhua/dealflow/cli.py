"""`fuhua dealflow pipeline|needs`: the deal pipeline and financing needs from the shell, acting as a user
(`--user`), scoped like the web."""

from __future__ import annotations

import click

from fuhua.core.cli_helpers import active_user, setup_django
from fuhua.core.text import pad_display

STAGES = ["introduced", "meeting", "due_diligence", "term_sheet", "invested", "declined"]


@click.group()
def dealflow() -> None:
    """Investors, financing needs and deals (投融资对接)."""


@dealflow.command()
@click.option("--user", "username", required=True, help="Act as this user (their scope).")
@click.option("--stage", type=click.Choice(STAGES), default=None, help="Only deals at this stage.")
@click.option("--limit", type=int, default=50, show_default=True, help="Deals listed per stage.")
def pipeline(username: str, stage: str | None, limit: int) -> None:
    """The deals the user may see, by stage, with counts."""
    setup_django()
    from fuhua.core import formatting as fmt

    from . import services
    from .models import Deal, DealStatus

    user = active_user(username)
    qs = Deal.objects.restrict(user, "view").select_related("firm", "institution")
    counts = services.pipeline_counts(qs)
    for code in [stage] if stage else STAGES:
        click.echo(f"== {DealStatus(code).label} ({counts[code]})")
        for d in qs.filter(status=code).order_by("-introduced_on", "pk")[:limit]:
            amount = fmt.yuan(d.amount_fen) if d.amount_fen else ""
            click.echo(f"{d.pk:>7}  {pad_display(d.firm.name, 30)} {pad_display(d.institution.name, 30)} "
                       f"{d.introduced_on}  {amount}")
    click.echo(f"{sum(counts.values())} deal(s)")


@dealflow.command()
@click.option("--user", "username", required=True, help="Act as this user (their scope).")
@click.option("--status", type=click.Choice(["open", "closed"]), default=None)
def needs(username: str, status: str | None) -> None:
    """The financing needs the user may see."""
    setup_django()
    from fuhua.core import formatting as fmt

    from .models import FinancingNeed

    user = active_user(username)
    qs = FinancingNeed.objects.restrict(user, "view").select_related("firm").order_by("-posted_on", "pk")
    if status:
        qs = qs.filter(status=status)
    n = 0
    for need in qs:
        n += 1
        click.echo(f"{need.pk:>7}  {pad_display(need.firm.name, 30)} {fmt.yuan(need.amount_fen):>16} "
                   f"{pad_display(need.get_stage_display(), 8)} {need.posted_on}  {need.get_status_display()}")
    click.echo(f"{n} need(s)")


cli_groups = [dealflow]  # mounted by the shell (fuhua/cli.py)
