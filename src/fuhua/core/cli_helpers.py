"""What every app's click commands share, so that no app imports the shell (`fuhua/cli.py`).

Each app's `cli.py` lists the click commands and groups it contributes in `cli_groups`; the shell mounts
the `cli_groups` of every `fuhua.<app>.cli` module it finds. A command that reads or writes data acts as
an explicit user (`--user USERNAME`), scoped with `Model.objects.restrict(user, action)` like the web.
"""

from __future__ import annotations

import os
import sys

import click


def setup_django() -> None:
    """Configure Django on first use (commands set their environment first, e.g. FUHUA_HOME)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fuhua.settings")
    import django

    django.setup()


def active_user(username: str, *, exit_code: int = 2):
    """The active user named `username`; otherwise a message and `exit_code` (2: bad input)."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        click.echo(f"No active user {username!r}.", err=True)
        sys.exit(exit_code)
    return user


def user_option(help_text: str = "Act as this user: their scope, their name in the audit trail."):
    """`--user USERNAME` (required): the user a command acts as."""
    return click.option("--user", "username", required=True, metavar="USERNAME", help=help_text)
