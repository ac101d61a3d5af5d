"""The events inbox items (the in-app notice to organisers and registrants): registrations waiting for the
organiser's approval, a firm's confirmed places at coming events, and held events to give feedback on."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from fuhua.accounts.roles import Role
from fuhua.core.inbox import register_inbox_item

from .models import EventStatus, Registration, RegistrationStatus, Round, RoundStatus, Score


def _day_start(today: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(today, datetime.time.min, tzinfo=timezone.get_default_timezone())


def register() -> None:
    register_inbox_item(
        "events.pending", gettext_lazy("event registrations waiting for approval"),
        {Role.OPERATOR, Role.ASSOCIATION, Role.BUREAU},
        count=lambda user, today: Registration.objects.restrict(user, "change").filter(
            status=RegistrationStatus.PENDING).count(),
        url=lambda user, today: f"{reverse('events:registration_list')}?status={RegistrationStatus.PENDING}",
        order=85)
    register_inbox_item(
        "events.coming", gettext_lazy("confirmed places at coming events"), {Role.FIRM},
        count=lambda user, today: Registration.objects.restrict(user).filter(
            status=RegistrationStatus.CONFIRMED, event__starts_at__gte=_day_start(today)).count(),
        url=lambda user, today: f"{reverse('events:registration_list')}?status={RegistrationStatus.CONFIRMED}",
        order=86)
    register_inbox_item(
        "events.feedback", gettext_lazy("events attended, waiting for your feedback"), {Role.FIRM},
        count=lambda user, today: Registration.objects.restrict(user).filter(
            status=RegistrationStatus.ATTENDED, event__status=EventStatus.HELD, feedback__isnull=True).count(),
        url=lambda user, today: f"{reverse('events:registration_list')}?status={RegistrationStatus.ATTENDED}",
        order=87)

    register_inbox_item(
        "events.to_score", gettext_lazy("competition rounds waiting for your score sheets"), {Role.EXPERT},
        count=lambda user, today: len(rounds_to_score(user)),
        url=lambda user, today: f"{reverse('events:round_list')}?task=to_score", order=88)
    register_inbox_item(
        "events.rounds_to_close", gettext_lazy("competition rounds to close: judging past the last day"),
        {Role.OPERATOR, Role.ASSOCIATION, Role.BUREAU},
        count=lambda user, today: len(rounds_to_close(user, today)),
        url=lambda user, today: f"{reverse('events:round_list')}?task=to_close", order=89)


def rounds_to_score(user) -> list[Round]:
    """Rounds being judged whose panel the user sits on and whose applications still lack their sheet."""
    from .competitions import entrants, profile_of

    mine = profile_of(user)
    if mine is None:
        return []
    out = []
    for rnd in Round.objects.restrict(user).filter(status=RoundStatus.JUDGING, draw__drawn=mine).distinct():
        scored = Score.objects.filter(round=rnd, expert=mine).values("application_id")
        if entrants(rnd).exclude(pk__in=scored).exists():
            out.append(rnd)
    return out


def rounds_to_close(user, today) -> list[Round]:
    """Rounds being judged whose last day has passed (the organiser closes judging and publishes)."""
    return list(Round.objects.restrict(user, "change").filter(status=RoundStatus.JUDGING, ends_on__lt=today))
