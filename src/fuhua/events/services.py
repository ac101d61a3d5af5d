"""Events services: create an event (with co-organisers), take its steps, register (waitlist when full, refused
after the deadline or when full without a waitlist), cancel a registration (the first on the waitlist moves up),
approve, check in, give feedback, and create a series' occurrences. Writes go through core.services (scope,
references, validation) inside one transaction: a refused write leaves nothing behind."""

from __future__ import annotations

import calendar
import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from fuhua.accounts.models import RoleGrant
from fuhua.accounts.roles import Role
from fuhua.core import services as core
from fuhua.core.context import acting_for
from fuhua.core.system import SYSTEM

from .models import Event, EventFeedback, EventSeries, Frequency, Registration, RegistrationStatus
from .workflow import EVENT_WORKFLOW, REGISTRATION_WORKFLOW, has_seat, initial_state

SERIES_FIELDS = ("kind", "title", "carrier", "association", "region", "place", "online_url", "capacity", "waitlist",
                 "approval_required", "description")


def notify(registration: Registration, subject: str) -> int:
    """Mail the firm's accounts about their registration (the in-app notice is their inbox: events.inbox)."""
    if not registration.firm_id:
        return 0
    grants = RoleGrant.objects.filter(role=Role.FIRM, firm_id=registration.firm_id, user__is_active=True)
    recipients = sorted({g.user.email for g in grants.select_related("user") if g.user.email})
    if not recipients:
        return 0
    event = registration.event
    body = _("%(subject)s\n\nEvent: %(event)s\nStarts: %(start)s\nPlace: %(place)s\nStatus: %(status)s") % {
        "subject": subject, "event": event, "start": timezone.localtime(event.starts_at).strftime("%Y-%m-%d %H:%M"),
        "place": event.place or event.online_url, "status": registration.get_status_display()}
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients, fail_silently=True)


@transaction.atomic
def create_event(user, data: dict) -> Event:
    return core.create_object(user, Event, data)


@transaction.atomic
def transition(user, event: Event, name: str, reason: str = "") -> Event:
    EVENT_WORKFLOW.apply(user, event, name, reason=reason)
    if name == "cancel":
        for registration in event.registrations.filter(status__in=(RegistrationStatus.PENDING,
                                                                   RegistrationStatus.WAITLISTED,
                                                                   RegistrationStatus.CONFIRMED)):
            transaction.on_commit(lambda r=registration: notify(r, _("Event cancelled")))
    return event


@transaction.atomic
def register(user, data: dict, *, now: datetime.datetime | None = None) -> Registration:
    """A registration for a published event before its deadline: confirmed, waiting for approval, or on the
    waitlist when full (refused, naming `event`, when the event keeps no waitlist)."""
    now = now or timezone.now()
    event = data.get("event")
    if isinstance(event, int):
        event = Event.objects.filter(pk=event).first()
    allowed = core.referable(user, Registration, "event") if event is not None else None
    if event is not None and allowed is not None and not allowed.filter(pk=event.pk).exists():
        event = None  # refused below by core.create_object exactly like an id that does not exist
    if event is not None:
        event = Event.objects.select_for_update().get(pk=event.pk)  # one registration at a time per event
        data = {**data, "event": event}
        if event.status != "published":
            raise ValidationError({"event": _("Registration for %(event)s is not open (the event is %(status)s).")
                                   % {"event": event, "status": event.get_status_display()}})
        if now > event.closes_at:
            raise ValidationError({"event": _("Registration for %(event)s closed at %(deadline)s.") % {
                "event": event, "deadline": timezone.localtime(event.closes_at).strftime("%Y-%m-%d %H:%M")}})
    with acting_for(user):
        full = event is not None and not has_seat(event)
        if full and not event.waitlist:
            raise ValidationError({"event": _("%(event)s is full (%(capacity)s places) and keeps no waitlist.") % {
                "event": event, "capacity": event.capacity}})
        position = None
        if full:
            position = (event.registrations.aggregate(m=Max("waitlist_position"))["m"] or 0) + 1
        registration = core.create_object(user, Registration, data)
        event = registration.event
        same = event.registrations.exclude(pk=registration.pk).exclude(
            status__in=(RegistrationStatus.CANCELLED, RegistrationStatus.REJECTED))
        for field in ("firm", "team"):
            who = getattr(registration, field)
            if who is not None and same.filter(**{field: who}).exists():
                raise ValidationError({field: _("%(who)s is already registered for this event.") % {"who": who}})
        initial_state(registration, full=full, waitlist_position=position)
        registration.save(update_fields=["status", "waitlist_position"])
    subject = {RegistrationStatus.WAITLISTED: _("You are on the waitlist"),
               RegistrationStatus.PENDING: _("Registration received, waiting for the organiser's approval")
               }.get(registration.status, _("Registration confirmed"))
    transaction.on_commit(lambda: notify(registration, subject))
    return registration


@transaction.atomic
def step(user, registration: Registration, name: str, reason: str = "") -> Registration:
    """A registration's step; cancelling a seat moves the first on the waitlist up (if the event still runs)."""
    Event.objects.select_for_update().filter(pk=registration.event_id).exists()
    held_seat = registration.status in (RegistrationStatus.CONFIRMED,)
    REGISTRATION_WORKFLOW.apply(user, registration, name, reason=reason)
    if name in ("approve", "promote"):
        transaction.on_commit(lambda: notify(registration, _("Registration confirmed")))
    elif name == "reject":
        transaction.on_commit(lambda: notify(registration, _("Registration not approved")))
    if name == "cancel" and held_seat:
        promote_next(registration.event)
    return registration


def promote_next(event: Event) -> Registration | None:
    """The first on the waitlist (in order of registration) takes a free seat."""
    if event.status not in ("published", "closed") or not has_seat(event):
        return None
    first = event.registrations.filter(status=RegistrationStatus.WAITLISTED).order_by("waitlist_position", "id").first()
    if first is None:
        return None
    REGISTRATION_WORKFLOW.apply(SYSTEM, first, "promote", reason=_("a seat became free"))
    transaction.on_commit(lambda: notify(first, _("A seat became free: your registration is confirmed")))
    return first


def check_in(user, registration: Registration) -> Registration:
    return step(user, registration, "check_in")


def give_feedback(user, registration: Registration, score: int, comment: str = "") -> EventFeedback:
    return core.create_object(user, EventFeedback, {"registration": registration, "score": score, "comment": comment})


def _add_months(moment: datetime.datetime, months: int) -> datetime.datetime:
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


def occurrence_starts(series: EventSeries) -> list[datetime.datetime]:
    """When the series' events start (in Beijing time, so a monthly 14:00 stays 14:00)."""
    first = timezone.localtime(series.first_starts_at)
    step = {Frequency.WEEKLY: 7, Frequency.BIWEEKLY: 14}.get(series.frequency)
    months = {Frequency.MONTHLY: 1, Frequency.QUARTERLY: 3}.get(series.frequency)
    if step:
        return [first + datetime.timedelta(days=step * n) for n in range(series.occurrences)]
    return [_add_months(first, months * n) for n in range(series.occurrences)]


@transaction.atomic
def create_series(user, data: dict) -> tuple[EventSeries, list[Event]]:
    """A series and its occurrences (drafts, numbered in the title), created together or not at all."""
    series = core.create_object(user, EventSeries, data)
    return series, create_occurrences(user, series)


@transaction.atomic
def create_occurrences(user, series: EventSeries) -> list[Event]:
    """The occurrences of the series not created yet (by start time), as drafts."""
    have = set(series.events.values_list("starts_at", flat=True))
    out = []
    duration = datetime.timedelta(minutes=series.duration_minutes)
    for n, start in enumerate(occurrence_starts(series), start=1):
        if start in have:
            continue
        data = {f: getattr(series, f) for f in SERIES_FIELDS}
        deadline = start - datetime.timedelta(days=series.registration_days_before)
        data.update(title=f"{series.title}（第{n}期）", series=series, starts_at=start, ends_at=start + duration,
                    registration_deadline=deadline)
        out.append(core.create_object(user, Event, data))
    return out
