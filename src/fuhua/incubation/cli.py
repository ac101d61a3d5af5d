"""`fuhua incubation expire`: list (or expire) records in incubation past their time limit, for a user's scope."""

from __future__ import annotations

import datetime
import sys

import click

from fuhua.core.cli_helpers import active_user, setup_django


@click.group()
def incubation() -> None:
    """Incubation records: time limits."""


@incubation.command()
@click.option("--user", "username", required=True, help="Act as this user (their scope, their name in the audit).")
@click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Date (default: today).")
@click.option("--apply/--dry-run", default=False, show_default=True, help="Expire them, or only list them.")
def expire(username: str, as_of: datetime.datetime | None, apply: bool) -> None:
    """Records past the time limit of their field (48/60 months); --apply expires them with the rule as reason."""
    setup_django()
    from django.core.exceptions import PermissionDenied, ValidationError

    from fuhua.core.context import acting_as

    from .lifecycle import expire as expire_one
    from .lifecycle import expiry_reason, overdue

    user = active_user(username)
    day = as_of.date() if as_of else None
    rows, pack = overdue(user, day)
    failed = 0
    with acting_as(user, source="cli"):
        for row in rows:
            click.echo(f"{row.incubation.pk:>8}  {row.incubation.tenant}  @ {row.incubation.carrier}  "
                       f"{row.limit_months} months, ended {row.ends_on}")
            if apply:
                try:
                    expire_one(user, row, pack)
                except (PermissionDenied, ValidationError) as exc:
                    failed += 1
                    click.echo(f"          not expired: {exc}", err=True)
    verb = "expired" if apply else "past their limit (dry run; --apply to expire)"
    click.echo(f"{len(rows) - failed} record(s) {verb} under {pack.id}; first reason: "
               f"{expiry_reason(rows[0], pack) if rows else '—'}")
    sys.exit(1 if failed else 0)


cli_groups = [incubation]  # mounted by the shell (fuhua/cli.py)
