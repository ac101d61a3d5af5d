"""Incubation's rows and attributes for the rules adapter: the records, and each carrier's tenant counts."""

from __future__ import annotations

import datetime

import numpy as np
from django.db.models import Count, F, Q

from fuhua.rules.adapter import register_attribute_source, register_entity
from fuhua.rules.adapter.columns import among, dates, grouped, member, scatter

from .models import Incubation, IncubationStatus

INCUBATION_SOURCES = {
    "incubation.entered": "Incubation.entered_on (NaT if after the as-of date)",
    "incubation.left": "Incubation.left_on (NaT if after the as-of date)",
    "incubation.status": "Incubation.status, as it stood on the as-of date",
    "incubation.financed": "an Investment in the firm dated while it was at this carrier",
    "incubation.own_fund_equity": "an Investment from this carrier's fund dated while the firm was there",
}
CARRIER_SOURCES = {
    "carrier.graduates_cumulative": "Incubations graduated by the as-of date",
    "carrier.teams_entered_last_year": "Incubations entered in the calendar year before the as-of date",
    "carrier.teams_registered_firms_last_year": "Team incubations whose team registered a firm that year",
    "carrier.teams_financed_last_year": "Incubations whose firm received an Investment that year while there",
}


def _records(scope: dict) -> Q:
    """Carriers bring all their records (a carrier's tenant counts must be complete whatever the caller may
    see of them), firms theirs, and records asked for themselves."""
    wanted = Q(pk__in=[])
    if scope.get("carriers") is not None:
        wanted |= Q(carrier__in=scope["carriers"].values("pk"))
    if scope.get("firms") is not None:
        wanted |= Q(firm__in=scope["firms"].values("pk"))
    if scope.get("incubations") is not None:
        wanted |= Q(pk__in=scope["incubations"].values("pk"))
    return wanted


def incubation_columns(scope: dict, as_of: datetime.date) -> dict:
    qs = Incubation.objects.filter(_records(scope))
    rows = list(qs.order_by("pk").values_list("id", "carrier_id", "firm_id", "entered_on", "left_on", "status",
                                              "team_id"))
    ids = np.array([r[0] for r in rows], np.int64)
    entered, left = dates(r[3] for r in rows), dates(r[4] for r in rows)
    status = np.array([r[5] for r in rows], dtype=object)
    day = np.datetime64(as_of, "D")
    # The status as it stood on as_of: closed if it left by then, incubating if it had entered, else applied.
    has_left = left <= day
    has_entered = entered <= day
    waiting = np.where(np.isin(status, [IncubationStatus.APPLIED, IncubationStatus.ADMITTED]), status,
                       IncubationStatus.APPLIED)
    status = np.where(has_left, status, np.where(has_entered, IncubationStatus.INCUBATING, waiting))
    # A firm is financed (or received own-fund equity) by an investment dated during its stay, up to as_of.
    stay = Q(firm__investments__date__gte=F("entered_on"), firm__investments__date__lte=as_of) & (
        Q(left_on__isnull=True) | Q(firm__investments__date__lte=F("left_on"))
    )
    base = Incubation.objects.filter(pk__in=qs.values("pk"))
    financed = set(base.filter(stay).values_list("pk", flat=True).distinct())
    own_fund = set(base.filter(stay & Q(firm__investments__from_carrier_fund=True,
                                        firm__investments__carrier=F("carrier"))).values_list("pk", flat=True))
    # A start-up team's record points at a stand-in "firm" row with id -team (see registry.rule_sources).
    firm_ids = np.array([r[2] if r[2] is not None else -r[6] for r in rows], np.int64)
    return {
        "id": ids,
        "carrier_id": np.array([r[1] for r in rows], np.int64),
        "firm_id": firm_ids,
        "entered": np.where(has_entered, entered, np.datetime64("NaT")),
        "left": np.where(has_left, left, np.datetime64("NaT")),
        "status": status,
        "financed": member(ids, financed),
        "own_fund_equity": member(ids, own_fund),
    }


def carrier_tenant_counts(ids: np.ndarray, as_of: datetime.date, _columns: dict) -> dict:
    year = as_of.year - 1
    at = Incubation.objects.filter(among("carrier", ids.tolist()))
    financed = at.filter(firm__investments__date__year=year, firm__investments__date__gte=F("entered_on"))
    return {
        "graduates_cumulative": scatter(ids, grouped(
            at.filter(status=IncubationStatus.GRADUATED, left_on__lte=as_of), "carrier", Count("pk"))),
        "teams_entered_last_year": scatter(ids, grouped(at.filter(entered_on__year=year), "carrier", Count("pk"))),
        "teams_registered_firms_last_year": scatter(ids, grouped(
            at.filter(team__firm__founded__year=year), "carrier", Count("pk"))),
        "teams_financed_last_year": scatter(ids, grouped(financed, "carrier", Count("pk", distinct=True))),
    }


def register() -> None:
    register_entity("incubation", keyword="incubations", select=incubation_columns,
                    refers={"carrier_id": "carrier", "firm_id": "firm"}, sources=INCUBATION_SOURCES)
    register_attribute_source("carrier", [k.split(".", 1)[1] for k in CARRIER_SOURCES], carrier_tenant_counts,
                              sources=CARRIER_SOURCES)
