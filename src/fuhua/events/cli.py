"""`fuhua events list|ical|series`: events from the command line, acting as `--user USERNAME` and scoped exactly
like the pages."""

from __future__ import annotations

import json

import click

from fuhua.core.cli_helpers import active_user, setup_django, user_option


@click.group()
def events() -> None:
    """Events (创新创业活动): list, the iCalendar feed, series."""


@events.command("list")
@click.option("--status", default=None, help="draft, published, closed, held, cancelled")
@click.option("--kind", default=None, help="roadshow, training, competition, salon, bootcamp, policy_briefing, "
                                           "open_day")
@click.option("--carrier", type=int, default=None, help="Only this carrier's events (id).")
@click.option("--limit", type=int, default=200, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@user_option()
def list_events(status, kind, carrier, limit, as_json, username) -> None:
    """The events USER may see, newest first."""
    setup_django()
    from django.utils import timezone

    from .models import Event

    qs = Event.objects.restrict(active_user(username)).select_related("carrier", "association", "region")
    for name, value in (("status", status), ("kind", kind), ("carrier_id", carrier)):
        if value is not None:
            qs = qs.filter(**{name: value})
    rows = [{"id": e.pk, "kind": e.kind, "title": e.title, "organiser": str(e.organiser), "status": e.status,
             "starts_at": timezone.localtime(e.starts_at).isoformat(), "place": e.place or e.online_url,
             "capacity": e.capacity} for e in qs[:limit]]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in rows:
        click.echo(f"#{r['id']:<7} {r['starts_at'][:16]} {r['status']:<10} {r['kind']:<16} {r['title']}"
                   f"  [{r['organiser']}]")
    click.echo(f"{len(rows)} event(s)")


@events.command()
@click.option("--carrier", type=int, default=None, help="Only this carrier's events (id).")
@click.option("--region", default=None, help="Only events in this region (code, e.g. 320500) and below.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), default="-", show_default=True)
@user_option()
def ical(carrier, region, output, username) -> None:
    """The iCalendar (RFC 5545) feed of the events USER may see (not drafts)."""
    setup_django()
    from .ical import calendar_bytes
    from .models import Event

    qs = Event.objects.restrict(active_user(username)).exclude(status="draft").select_related(
        "carrier", "association", "region")
    if carrier is not None:
        qs = qs.filter(carrier_id=carrier)
    if region:
        from fuhua.registry.models import Region

        found = Region.objects.filter(code=region).first()
        if found is None:
            raise click.ClickException(f"unknown region code {region}")
        qs = qs.filter(region__code__startswith=found.code_prefix)
    from django.conf import settings
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):  # the labels in Chinese, as on the pages
        body = calendar_bytes(qs.order_by("starts_at")[:20000], name=translation.gettext("Events"))
    with click.open_file(output, "wb") as out:
        out.write(body)


@events.command()
@click.argument("series_id", type=int)
@user_option()
def series(series_id, username) -> None:
    """Create the occurrences of a series not created yet (as drafts) and list them."""
    setup_django()
    from django.utils import timezone

    from . import services
    from .models import EventSeries

    user = active_user(username)
    found = EventSeries.objects.restrict(user, "change").filter(pk=series_id).first()
    if found is None:
        raise click.ClickException(f"no series {series_id} in your scope")
    created = services.create_occurrences(user, found)
    for e in found.events.order_by("starts_at"):
        mark = " (new)" if e in created else ""
        click.echo(f"#{e.pk:<7} {timezone.localtime(e.starts_at).isoformat()[:16]} {e.status:<10} {e.title}{mark}")
    click.echo(f"{len(created)} occurrence(s) created")


cli_groups = [events]  # mounted by the shell (fuhua/cli.py)
