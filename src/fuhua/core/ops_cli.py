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


@click.command()
@click.option("--output", "output", type=click.Path(file_okay=False), default=None,
              help="Directory for the archive (default: FUHUA_HOME/backups).")
def backup(output: str | None) -> None:
    """Back up the database and the uploaded files into one verified archive."""
    _setup_django()
    from pathlib import Path

    from django.conf import settings

    from fuhua.core.backup import BackupError, create_backup

    try:
        result = create_backup(Path(output) if output else Path(settings.FUHUA_HOME) / "backups")
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    manifest = result.manifest
    files = sum(1 for member in manifest["files"] if member.startswith("files/"))
    click.echo(f"{result.path}\n  {manifest['vendor']}: {len(manifest['tables'])} tables, {result.rows} rows; "
               f"{files} uploaded files; SHA-256 of every member in manifest.json")


@click.command()
@click.argument("archive", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore(archive: str, yes: bool) -> None:
    """Replace the database and uploaded files with ARCHIVE's (verified first). Stop serve and worker."""
    _setup_django()
    from django.db import connection

    from fuhua.core.backup import BackupError, restore_backup

    name = connection.settings_dict["NAME"]
    if not yes:
        click.confirm(f"Replace everything in the {connection.vendor} database {name} and the uploaded files "
                      f"with {archive}?", abort=True)
    try:
        manifest = restore_backup(archive)
    except BackupError as exc:
        raise click.ClickException(f"restore refused: {exc}") from exc
    click.echo(f"Restored {archive} (made {manifest['created_at']}): {len(manifest['tables'])} tables and "
               f"{len(manifest['files']) - 1} files match the manifest.")
