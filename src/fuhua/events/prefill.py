"""What events know about a carrier's year, for the annual statistics (core.prefill) and the rules adapter.

- ``events.held`` → the torch form's 当年举办创新创业活动场次 (`events`): events the carrier organised that were
  held (status held) and started in the year, in Beijing time;
- ``events.attendance``: participants checked in at those events.

Not a counted source: a carrier that records no events in Fuhua is not prefilled with 0 (it may hold them
without recording them here); its operator fills the figure in, as before.
"""

from __future__ import annotations

import datetime

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fuhua.core.prefill import per_field, register_prefill_source

from .models import Event, EventStatus, Registration, RegistrationStatus

FIELDS = {
    "events.held": _("event records: events the carrier held in the year"),
    "events.attendance": _("event records: participants checked in at the carrier's events in the year"),
}


def year_bounds(year: int) -> tuple[datetime.datetime, datetime.datetime]:
    tz = timezone.get_default_timezone()
    return (datetime.datetime(year, 1, 1, tzinfo=tz), datetime.datetime(year + 1, 1, 1, tzinfo=tz))


def _among(qs, path: str, ids):
    return qs if ids is None else qs.filter(**{f"{path}__in": list(ids)})


def held(ids, year) -> dict[int, int]:
    start, end = year_bounds(year)
    qs = _among(Event.objects.filter(status=EventStatus.HELD, carrier__isnull=False), "carrier_id", ids)
    qs = qs.filter(starts_at__gte=start, starts_at__lt=end)
    return {row["carrier_id"]: row["n"] for row in qs.values("carrier_id").annotate(n=Count("pk")).order_by()}


def attendance(ids, year) -> dict[int, int]:
    start, end = year_bounds(year)
    qs = _among(Registration.objects.filter(status=RegistrationStatus.ATTENDED, event__status=EventStatus.HELD,
                                            event__carrier__isnull=False), "event__carrier_id", ids)
    qs = qs.filter(event__starts_at__gte=start, event__starts_at__lt=end)
    return {row["event__carrier_id"]: row["n"]
            for row in qs.values("event__carrier_id").annotate(n=Count("pk")).order_by()}


def register() -> None:
    register_prefill_source("events", _("event records"), FIELDS, per_field({
        "events.held": held, "events.attendance": attendance}), counted=False)
