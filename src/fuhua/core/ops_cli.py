"""Operations commands of the `fuhua` CLI: backup, restore and the periodic-task scheduler.

Mounted by the shell (fuhua/cli.py); the work is done by services in core.backup and core.schedule."""

from __future__ import annotations

import contextlib
import os

import click


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fuhua.settings")
    import django

    django.setup()


@click.command()
@click.option("--once", is_flag=True, help="Enqueue the tasks that are due now, print them and stop.")
@click.option("--poll", type=float, default=30.0, show_default=True, help="Seconds between two checks.")
def scheduler(once: bool, poll: float) -> None:
    """Enqueue periodic tasks (audit pruning, reminders, ...) when due; `fuhua worker` runs this too."""
    _setup_django()
    import threading

    from fuhua.core.schedule import enqueue_due, periodic_tasks, run_scheduler

    for entry in periodic_tasks():
        click.echo(f"  {entry.name:<36} {entry.describe()}")
    if once:
        names = enqueue_due()
        click.echo(f"Enqueued: {', '.join(names) if names else 'nothing due'}")
        return
    with contextlib.suppress(KeyboardInterrupt):
        run_scheduler(threading.Event(), poll_seconds=poll)
