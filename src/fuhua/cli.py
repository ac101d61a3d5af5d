"""The `fuhua` command: demo, serve, worker, manage, and the domain commands of each app."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import click


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fuhua.settings")
    import django

    django.setup()


def _call(*args: str) -> None:
    from django.core.management import call_command

    call_command(*args)


@click.group()
def main() -> None:
    """Fuhua (孵化): the incubation network platform."""


@main.command()
@click.option("--scale", type=click.Choice(["small", "province", "national"]), default="province", show_default=True)
@click.option("--no-serve", is_flag=True, help="Prepare the database and accounts, then stop.")
@click.option("--port", type=int, default=8000, show_default=True)
@click.option("--reset", is_flag=True, help="Delete the demo database first.")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="The day the demo's histories end (default: today).")
def demo(scale: str, no_serve: bool, port: int, reset: bool, today) -> None:
    """Create the SQLite demo in $FUHUA_HOME (default ./var), fill it and serve it."""
    home = Path(os.environ.get("FUHUA_HOME", "var")).resolve()
    os.environ["FUHUA_HOME"] = str(home)
    if reset:
        for suffix in ("", "-wal", "-shm"):
            (home / f"fuhua.sqlite3{suffix}").unlink(missing_ok=True)
    _setup_django()
    from fuhua.core.text import pad_display
    from fuhua.demo.accounts import ensure_demo_accounts
    from fuhua.demo.display import rich_display
    from fuhua.demo.loader import load_demo

    started = time.perf_counter()
    click.echo("Preparing the database …")
    _call("migrate", "--no-input", "-v", "0")
    with rich_display() as display:
        summary = load_demo(scale, today=today.date() if today else None, display=display)
    accounts = ensure_demo_accounts()
    click.echo(summary)
    click.echo(f"Ready in {time.perf_counter() - started:.1f} s. Demo accounts (password for all: "
               f"{accounts.password}):")
    for row in accounts.rows:
        click.echo(f"  {row.username:<14} {pad_display(str(row.role_label), 16)} {row.scope}")
    if not no_serve:
        click.echo(f"Serving on http://127.0.0.1:{port}/ (Ctrl-C to stop)")
        from .server import run_gunicorn

        run_gunicorn(f"127.0.0.1:{port}", workers=2, production=False)


@main.command()
@click.option("--bind", default=lambda: os.environ.get("FUHUA_BIND", "127.0.0.1:8000"), show_default="127.0.0.1:8000")
@click.option(
    "--workers", type=int, default=lambda: int(os.environ.get("FUHUA_WORKERS", 2 * (os.cpu_count() or 1) + 1))
)
@click.option("--insecure-http", is_flag=True, help="Serve plain HTTP without TLS settings (testing only).")
@click.option("--no-collectstatic", is_flag=True,
              help="Do not collect the static files first (collected once per release, or served from the apps).")
def serve(bind: str, workers: int, insecure_http: bool, no_collectstatic: bool) -> None:
    """Serve in production: gunicorn sync workers, persistent database connections."""
    if not insecure_http:
        os.environ.setdefault("FUHUA_PRODUCTION", "1")
    _setup_django()
    if not no_collectstatic:
        _call("collectstatic", "--no-input", "-v", "0")
    from .server import run_gunicorn

    run_gunicorn(bind, workers=workers, production=not insecure_http)


@main.command()
def worker() -> None:
    """Run background tasks (reminders, imports, retention) from the database queue."""
    _setup_django()
    from fuhua.core.schedule import start_scheduler_thread  # periodic tasks (core.schedule), enqueued once
    from fuhua.core.workers import run_worker  # django-tasks' db_worker, and tasks of dead workers requeued

    start_scheduler_thread()
    run_worker()


@main.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.pass_context
def manage(ctx: click.Context) -> None:
    """Pass the arguments to Django's management commands."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fuhua.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["fuhua manage", *ctx.args])


def _mount_app_commands() -> None:
    """Mount what each app contributes: the `cli_groups` list of its `fuhua.<app>.cli` module.

    Apps never import this module (their shared helpers are in `fuhua.core.cli_helpers`)."""
    import importlib
    import importlib.util
    import pkgutil

    import fuhua

    for info in sorted(pkgutil.iter_modules(fuhua.__path__), key=lambda i: i.name):
        name = f"fuhua.{info.name}.cli"
        if info.ispkg and importlib.util.find_spec(name) is not None:
            for command in importlib.import_module(name).cli_groups:
                main.add_command(command)


_mount_app_commands()

if __name__ == "__main__":
    sys.exit(main())
