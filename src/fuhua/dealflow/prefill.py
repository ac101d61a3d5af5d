"""What deal flow knows about a carrier's year, for the annual statistics (core.prefill).

A deal or need counts for a carrier when its firm was the carrier's tenant during the year (an incubation
at the carrier entered by 31 December and not left before 1 January). The statistics forms' own financing
fields (investments.amount, investments.firms, investments.fund_cases: torch-2023.yaml) are answered by the
registry's Investment records, which an invested deal writes (dealflow.services.move); these fields are new:

- ``dealflow.deals``: deals with the carrier's tenants in progress during the year (introduced by
  31 December, not invested or declined before 1 January);
- ``dealflow.invested_deals``: deals of the carrier's tenants invested during the year;
- ``dealflow.needs``: financing needs its tenants posted during the year;
- ``dealflow.stationed``: investors stationed at the carrier during the year.

Rules: no rule pack reads deals or needs (the packs read investments, i.e. the Investment records), so
there is no rules attribute source for open deals.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from fuhua.core.prefill import per_field, register_prefill_source

from .models import Deal, DealStatus, FinancingNeed, Stationing

FIELDS = {
    "dealflow.deals": _("deal flow: deals with the carrier's tenants in progress during the year"),
    "dealflow.invested_deals": _("deal flow: deals of the carrier's tenants invested during the year"),
    "dealflow.needs": _("deal flow: financing needs the carrier's tenants posted during the year"),
    "dealflow.stationed": _("deal flow: investors stationed at the carrier during the year"),
}
KEY = "firm__incubations__carrier_id"


def _bounds(year):
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def _tenant_rows(qs, ids, year):
    start, end = _bounds(year)
    qs = qs.filter(firm__incubations__entered_on__lte=end).filter(
        Q(firm__incubations__left_on__isnull=True) | Q(firm__incubations__left_on__gte=start))
    if ids is not None:
        qs = qs.filter(**{f"{KEY}__in": list(ids)})
    return {row[KEY]: row["n"] for row in qs.values(KEY).annotate(n=Count("pk", distinct=True)).order_by()}


def deals(ids, year) -> dict[int, int]:
    start, end = _bounds(year)
    qs = Deal.objects.filter(introduced_on__lte=end).exclude(invested_on__lt=start).exclude(declined_on__lt=start)
    return _tenant_rows(qs, ids, year)


def invested_deals(ids, year) -> dict[int, int]:
    return _tenant_rows(Deal.objects.filter(status=DealStatus.INVESTED, invested_on__year=year), ids, year)


def needs(ids, year) -> dict[int, int]:
    return _tenant_rows(FinancingNeed.objects.filter(posted_on__year=year), ids, year)


def stationed(ids, year) -> dict[int, int]:
    start, end = _bounds(year)
    qs = Stationing.objects.filter(since__lte=end).filter(Q(until__isnull=True) | Q(until__gte=start))
    if ids is not None:
        qs = qs.filter(carrier_id__in=list(ids))
    return {row["carrier_id"]: row["n"] for row in
            qs.values("carrier_id").annotate(n=Count("investor_id", distinct=True)).order_by()}


def register() -> None:
    register_prefill_source("dealflow", _("investors and deal flow"), FIELDS, per_field({
        "dealflow.deals": deals, "dealflow.invested_deals": invested_deals, "dealflow.needs": needs,
        "dealflow.stationed": stationed}), counted=True)
