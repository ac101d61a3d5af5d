"""`fuhua mentoring pairings|log`: pairings and service logs from the shell, acting as a user (`--user`),
scoped like the web."""

from __future__ import annotations

import sys

import click
from django.utils import timezone

from fuhua.core.cli_helpers import active_user, setup_django
from fuhua.core.text import pad_display


@click.group()
def mentoring() -> None:
    """Mentor pool and pairings (结对辅导)."""


@mentoring.command()
@click.option("--user", "username", required=True, help="Act as this user (their scope).")
@click.option("--status", type=click.Choice(["proposed", "active", "completed", "ended"]), default=None)
def pairings(username: str, status: str | None) -> None:
    """List the pairings the user may see, with hours logged."""
    setup_django()
    from django.db.models import Sum

    from .models import Pairing

    user = active_user(username)
    qs = (Pairing.objects.restrict(user, "view").select_related("mentor__profile", "firm", "team", "carrier")
          .annotate(logged=Sum("logs__hours")).order_by("-starts_on", "pk"))
    if status:
        qs = qs.filter(status=status)
    n = 0
    for p in qs:
        n += 1
        click.echo(f"{p.pk:>6}  {pad_display(p.mentor.profile.name, 8)} {pad_display(str(p.mentee), 30)} "
                   f"{p.starts_on}–{p.ends_on}  {pad_display(p.get_status_display(), 6)} {p.logged or 0:>5} h")
    click.echo(f"{n} pairing(s)")


@mentoring.command()
@click.option("--user", "username", required=True, help="Act as this user (the mentor).")
@click.option("--pairing", "pairing_id", type=int, required=True, help="The pairing's id.")
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Default: today.")
@click.option("--hours", type=float, required=True)
@click.option("--topic", required=True)
@click.option("--outcome", default="")
def log(username: str, pairing_id: int, day, hours: float, topic: str, outcome: str) -> None:
    """Log a session within a pairing (refused for a firm the mentor is not paired with)."""
    setup_django()
    from django.core.exceptions import ValidationError

    from . import services
    from .models import Pairing

    user = active_user(username)
    pairing = Pairing.objects.restrict(user, "view").filter(pk=pairing_id).first()
    if pairing is None:
        click.echo(f"no pairing {pairing_id} in your scope", err=True)
        sys.exit(1)
    try:
        entry = services.log_session(user, {
            "mentor": pairing.mentor, "firm": pairing.firm, "team": pairing.team,
            "date": day.date() if day else timezone.localdate(), "hours": hours, "topic": topic,
            "outcome": outcome})
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            click.echo(f"{field}: {' '.join(messages)}", err=True)
        sys.exit(1)
    click.echo(f"logged {entry.hours} h on {entry.date} (log {entry.pk})")


cli_groups = [mentoring]  # mounted by the shell (fuhua/cli.py)
