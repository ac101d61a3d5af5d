"""``rules`` command group (the lead attaches it to the ``fuhua`` command)."""

from __future__ import annotations

import datetime as dt
import sys
from zoneinfo import ZoneInfo

import click
import numpy as np

from .engine import RulesError, load_registry, run_pack_tests
from .engine.units import display


def beijing_today() -> dt.date:
    """Today in Beijing: packs come into force on Beijing dates (the engine has no Django settings)."""
    return dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()


@click.group("rules")
@click.option("--packs", "packs_dir", type=click.Path(exists=True, file_okay=False), default=None,
              help="Directory of pack files (default: the bundled national packs).")
@click.pass_context
def rules(ctx: click.Context, packs_dir: str | None) -> None:
    """Rule packs: list, show and test them."""
    ctx.obj = load_registry(packs_dir)


def _report_load_errors(registry) -> None:
    for err in registry.errors:
        click.echo(f"ERROR {err}", err=True)


@rules.command("list")
@click.pass_obj
def list_packs(registry) -> None:
    """List every pack version."""
    _report_load_errors(registry)
    for p in registry.packs():
        span = f"{p.effective_from}..{p.effective_to or ''}"
        flag = "" if p.complete else "  [incomplete]"
        click.echo(f"{p.id:22} {span:24} {p.document.number:22} {len(p.rules):3} rules  {p.title}{flag}")
    sys.exit(1 if registry.errors else 0)


@rules.command("show")
@click.argument("pack_id")
@click.option("--as-of", default=None, help="Date YYYY-MM-DD (default: today).")
@click.pass_obj
def show(registry, pack_id: str, as_of: str | None) -> None:
    """Show the version of PACK in force on a date, with parameter values and citations.

    Without --as-of, a pack with no version in force today (superseded, or not yet in force)
    shows its latest version, with a note."""
    note = ""
    today = beijing_today().isoformat()
    try:
        pack = registry.get(pack_id, as_of or today)
        as_of = as_of or today
    except RulesError as exc:
        versions = registry.versions(pack_id)
        if as_of is not None or not versions:
            raise click.ClickException(str(exc)) from None
        pack, today = versions[-1], np.datetime64(today, "D")
        if pack.effective_to is not None and pack.effective_to < today:
            as_of = str(pack.effective_to)  # its last day in force
            note = f"NO LONGER IN FORCE: ended {pack.effective_to}"
            if pack.superseded_by:
                note += f"; superseded by {pack.superseded_by}"
        else:
            as_of = str(pack.effective_from)
            note = f"NOT YET IN FORCE: from {pack.effective_from}"
        note += f" (latest version shown; values as of {as_of})"
    click.echo(f"{pack.id} — {pack.title}")
    click.echo(f"{pack.document.name} {pack.document.number} ({pack.document.issuer})  file: {pack.file}")
    click.echo(f"in force {pack.effective_from}..{pack.effective_to or ''}; as of {as_of}")
    if note:
        click.echo(note)
    if not pack.complete:
        click.echo("INCOMPLETE — todo:")
        for item in pack.todo:
            click.echo(f"  - {item}")
    click.echo("parameters:")
    for name, p in pack.resolve_params(as_of).items():
        c = p.citation
        where = f"{c.label()} {c.text}" if c else ""
        click.echo(f"  {name:34} {display(p.unit, p.value):>18}  {where}")
    click.echo("rules:")
    for d in pack.definitions.values():
        if d.is_rule:
            click.echo(f"  {d.name:28} [{d.entity}] {d.label_zh}\n      {d.expression}")


@rules.command("test")
@click.argument("pack_id", required=False)
@click.pass_obj
def test(registry, pack_id: str | None) -> None:
    """Run the YAML test cases of PACK (default: every pack); exit 1 on any failure."""
    _report_load_errors(registry)
    packs = [p for p in registry.packs() if pack_id in (None, p.id)]
    if pack_id and not packs:
        raise click.ClickException(f"unknown pack {pack_id}")
    failed = total = 0
    for pack in packs:
        for result in run_pack_tests(pack):
            total += 1
            if result.passed:
                continue
            failed += 1
            for failure in result.failures:
                click.echo(f"{result.where()}: {result.pack}: {result.name}: {failure}", err=True)
    click.echo(f"{total - failed}/{total} pack test cases passed")
    sys.exit(1 if failed or registry.errors else 0)


if __name__ == "__main__":  # pragma: no cover
    rules()


cli_groups = [rules]  # mounted by the shell (fuhua/cli.py)
