"""What mentoring knows about a carrier's year, for the annual statistics (core.prefill).

The national rules' `mentors` attribute (cn-most-2018 第九条第4项, cn-maker-space-2017 第8项) is read by the
rules adapter from the registry's mentors of the carrier (MentorProfile.carriers, registry.rule_sources): the
same people this pool holds. Pairings are not a rule attribute yet (the rules schema has no such column).

- ``mentoring.pool_mentors``: active pool mentors serving the carrier (registry: MentorProfile.carriers);
- ``mentoring.pairings``: pairings at the carrier that ran during the year (started by 31 December, not
  ended or completed before 1 January; proposals that never started are not counted);
- ``mentoring.service_hours``: hours of sessions logged in the year within the carrier's pairings (rounded).
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from fuhua.core.prefill import per_field, register_prefill_source

from .models import Pairing, PairingStatus, PoolMentor, ServiceLog

FIELDS = {
    "mentoring.pool_mentors": _("mentor pool: active mentors serving the carrier"),
    "mentoring.pairings": _("mentor pool: pairings (结对辅导) running during the year"),
    "mentoring.service_hours": _("mentor pool: hours of mentoring logged in the year"),
}


def _grouped(qs, key: str, agg) -> dict[int, int]:
    return {row[key]: int(row["n"] or 0) for row in qs.values(key).annotate(n=agg).order_by()}


def _among(qs, path: str, ids):
    return qs if ids is None else qs.filter(**{f"{path}__in": list(ids)})


def pool_mentors(ids, year=None) -> dict[int, int]:
    through = PoolMentor.profile.field.related_model.carriers.through.objects.filter(
        mentorprofile__pool_entry__active=True)
    return _grouped(_among(through, "carrier_id", ids), "carrier_id", Count("mentorprofile_id", distinct=True))


def _running(start: datetime.date, end: datetime.date) -> Q:
    ran = ~Q(status=PairingStatus.PROPOSED) & Q(starts_on__lte=end)
    return ran & (Q(ended_on__isnull=True) | Q(ended_on__gte=start))


def pairings(ids, year) -> dict[int, int]:
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    qs = _among(Pairing.objects.filter(carrier__isnull=False), "carrier_id", ids).filter(_running(start, end))
    return _grouped(qs, "carrier_id", Count("pk"))


def service_hours(ids, year) -> dict[int, int]:
    qs = _among(ServiceLog.objects.filter(pairing__carrier__isnull=False), "pairing__carrier_id", ids)
    qs = qs.filter(date__year=year)
    key = "pairing__carrier_id"
    return {row[key]: round(row["n"] or 0) for row in qs.values(key).annotate(n=Sum("hours")).order_by()}


def register() -> None:
    register_prefill_source("mentoring", _("mentor pool and pairings"), FIELDS, per_field({
        "mentoring.pool_mentors": pool_mentors, "mentoring.pairings": pairings,
        "mentoring.service_hours": service_hours}), counted=True)
