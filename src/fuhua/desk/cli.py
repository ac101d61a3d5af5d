"""`fuhua desk requests|overdue|stewards|escalate`: the service desk from the command line, acting as
`--user USERNAME` and scoped exactly like the pages (`escalate` without --user is the periodic task's work,
run by the system actor)."""

from __future__ import annotations

import json

import click

from fuhua.core.cli_helpers import active_user, setup_django, user_option


@click.group()
def desk() -> None:
    """The one-stop service desk (一站式服务): requests, overdue requests, stewards."""


def _rows(qs, today) -> list[dict]:
    return [{"id": r.pk, "title": r.title, "topic": r.topic_label, "requester": str(r.requester),
             "region": r.region_id, "steward": str(r.steward) if r.steward_id else "", "status": r.status,
             "opened": r.opened_at.date().isoformat(), "first_response_due": r.first_response_due.isoformat(),
             "resolution_due": r.resolution_due.isoformat(), "overdue": r.overdue(today), "rating": r.rating}
            for r in qs]


def _print(rows: list[dict], as_json: bool) -> None:
    from .models import Status

    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in rows:
        flag, status = " ⚠" if r["overdue"] else "", str(Status(r["status"]).label)
        click.echo(f"#{r['id']:<6} {status:<12} {r['topic']:<8} {r['resolution_due']}{flag}  {r['title']}"
                   f"  [{r['requester']}] {r['steward']}")
    click.echo(f"{len(rows)} request(s)")


@desk.command()
@click.option("--status", default=None, help="new, assigned, in_progress, waiting, resolved, closed")
@click.option("--mine", is_flag=True, help="Only the requests assigned to USER as steward.")
@click.option("--limit", type=int, default=200, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@user_option()
def requests(status: str | None, mine: bool, limit: int, as_json: bool, username: str) -> None:
    """The service requests USER may see, newest first."""
    setup_django()
    from django.utils import timezone

    from .models import ServiceRequest

    user = active_user(username)
    qs = ServiceRequest.objects.restrict(user).select_related("firm", "organisation", "steward__user")
    if status:
        qs = qs.filter(status=status)
    if mine:
        qs = qs.filter(steward__user_id=user.pk)
    _print(_rows(qs[:limit], timezone.localdate()), as_json)


@desk.command()
@click.option("--json", "as_json", is_flag=True)
@user_option()
def overdue(as_json: bool, username: str) -> None:
    """Open requests past their first-response or resolution deadline, that USER may see."""
    setup_django()
    from django.utils import timezone

    from .models import ServiceRequest
    from .services import overdue_q

    user, today = active_user(username), timezone.localdate()
    qs = ServiceRequest.objects.restrict(user).filter(overdue_q(today)).select_related(
        "firm", "organisation", "steward__user").order_by("resolution_due")
    _print(_rows(qs, today), as_json)


@desk.command()
@click.option("--json", "as_json", is_flag=True)
@user_option()
def stewards(as_json: bool, username: str) -> None:
    """The stewards USER may see, with their load and satisfaction."""
    setup_django()
    from django.utils import timezone

    from .models import Steward
    from .services import load, report

    user = active_user(username)
    people = list(Steward.objects.restrict(user).select_related("user", "region"))
    loads = load(s.pk for s in people)
    by_key = {r.key: r for r in report(user, timezone.localdate()).by_steward}
    rows = [{"id": s.pk, "name": s.display_name, "username": s.user.username, "region": str(s.region),
             "topics": s.topic_labels(), "capacity": s.capacity, "open": loads.get(s.pk, 0), "active": s.active,
             "overdue": by_key[str(s.pk)].overdue if str(s.pk) in by_key else 0,
             "mean_rating": by_key[str(s.pk)].mean_rating if str(s.pk) in by_key else None} for s in people]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in rows:
        rating = "—" if r["mean_rating"] is None else f"{r['mean_rating']:.2f}"
        click.echo(f"{r['name']:<8} {r['region']:<8} {r['open']:>3}/{r['capacity']:<3} overdue {r['overdue']:>2}  "
                   f"satisfaction {rating}  {r['topics']}{'' if r['active'] else '  (inactive)'}")


@desk.command()
def escalate() -> None:
    """Route new requests, flag overdue ones to their steward and bureau, close unrated ones (the daily task)."""
    setup_django()
    from .services import escalate_overdue

    result = escalate_overdue()
    click.echo(f"routed {result.routed}, flagged {result.flagged} overdue, closed {result.closed} unrated")


cli_groups = [desk]  # mounted by the shell (fuhua/cli.py)
