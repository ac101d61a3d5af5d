"""Build a rules `Population` (numpy columns) from querysets: a few grouped queries, no query per row.

    loaded = load_population(as_of, carriers=Carrier.objects.restrict(user))   # a region
    loaded = load_population(as_of, incubations=Incubation.objects.filter(pk=7))  # one record
    evaluate_population(pack, loaded.population, as_of)

Carriers bring all their incubation records (a carrier's tenant counts must be complete whatever the
caller may see of them) and those records' firms; firms or incubations bring the carriers and firms
they refer to. Statuses and dates are taken as they stood on `as_of`, so a past date re-counts the
tenants of that day.
"""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass

import numpy as np
from django.db.models import Count, F, Q, Sum

from fuhua.incubation.models import Incubation, IncubationStatus
from fuhua.registry.choices import PATENT_KINDS, OrganisationKind, Specialisation
from fuhua.registry.models import (
    Carrier,
    CarrierStaffing,
    Firm,
    FirmDesignation,
    FirmYearFigures,
    IntellectualProperty,
    Investment,
    MentorProfile,
    SeedFund,
    StartupTeam,
)

from ..engine import Population
from .statistics import statistics_columns

CLOSED = (IncubationStatus.GRADUATED, IncubationStatus.EXITED, IncubationStatus.EXPIRED)


@dataclass
class Loaded:
    population: Population
    as_of: datetime.date
    seconds: float  # loading only; computing is timed by the caller

    def ids(self, kind: str) -> np.ndarray:
        return self.population[kind].ids


def _dates(values) -> np.ndarray:
    return np.array(list(values), dtype="datetime64[D]")


def _scatter(ids: np.ndarray, pairs, dtype=np.int64) -> np.ndarray:
    """Values keyed by id (from a grouped query) → an array aligned with `ids` (0 where absent)."""
    out = np.zeros(len(ids), dtype)
    pairs = list(pairs)
    if not pairs or not len(ids):
        return out
    keys = np.array([p[0] for p in pairs], np.int64)
    values = np.array([p[1] or 0 for p in pairs], dtype)
    order = np.argsort(ids)
    pos = np.clip(np.searchsorted(ids, keys, sorter=order), 0, len(ids) - 1)
    hit = ids[order[pos]] == keys
    out[order[pos[hit]]] = values[hit]
    return out


def _member(ids: np.ndarray, members) -> np.ndarray:
    return np.isin(ids, np.fromiter(members, np.int64)) if len(ids) else np.zeros(0, bool)


# SQLite caps the parameters of one query (250,000 in Debian's build, 32,766 by default), and a national
# population has more firms than that: a long id list is sent as its range instead.
MAX_LISTED_IDS = 20_000


def _among(path: str, ids) -> Q:
    """`path` is one of `ids`; for a long list, within their range: a superset, so every caller aligns
    by id (`_scatter`, `_member`) or trims its rows (`_only`)."""
    ids = [int(i) for i in ids]
    if len(ids) <= MAX_LISTED_IDS:
        return Q(**{f"{path}__in": ids})
    return Q(**{f"{path}__gte": min(ids), f"{path}__lte": max(ids)})


def _only(rows: list, ids) -> list:
    wanted = set(int(i) for i in ids)
    return [r for r in rows if r[0] in wanted]


def _grouped(qs, key: str, aggregate) -> list:
    return list(qs.order_by().values(key).annotate(v=aggregate).values_list(key, "v"))


# --- incubations -----------------------------------------------------------------------------------


def _incubation_columns(qs, as_of: datetime.date) -> dict:
    rows = list(qs.order_by("pk").values_list("id", "carrier_id", "firm_id", "entered_on", "left_on", "status",
                                              "team_id"))
    ids = np.array([r[0] for r in rows], np.int64)
    entered, left = _dates(r[3] for r in rows), _dates(r[4] for r in rows)
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
    # A start-up team's record points at a stand-in "firm" row with id -team (see _team_columns).
    firm_ids = np.array([r[2] if r[2] is not None else -r[6] for r in rows], np.int64)
    return {
        "id": ids,
        "carrier_id": np.array([r[1] for r in rows], np.int64),
        "firm_id": firm_ids,
        "entered": np.where(has_entered, entered, np.datetime64("NaT")),
        "left": np.where(has_left, left, np.datetime64("NaT")),
        "status": status,
        "financed": _member(ids, financed),
        "own_fund_equity": _member(ids, own_fund),
    }


# --- firms -----------------------------------------------------------------------------------------


def _active_designations(firms, as_of, kind: str) -> set:
    qs = FirmDesignation.objects.filter(_among("firm", firms), kind=kind, granted_on__lte=as_of).filter(
        Q(expires_on__isnull=True) | Q(expires_on__gte=as_of))
    return set(qs.values_list("firm_id", flat=True))


def _team_rows(team_ids: list[int]) -> list[tuple]:
    """Start-up teams as stand-in firm rows (id -team): not founded yet, their field, no other facts.

    The engine needs every incubation to have its firm; teams are tenants too (maker spaces count them).
    """
    teams = StartupTeam.objects.filter(_among("pk", team_ids)).order_by("pk").values_list("id", "industry_field")
    return [(-pk, None, field, None, None) for pk, field in _only(list(teams), team_ids)]


def _firm_columns(firm_ids: np.ndarray, as_of: datetime.date) -> dict:
    registered = firm_ids[firm_ids > 0].tolist()
    rows = _only(list(Firm.objects.filter(_among("pk", registered)).order_by("pk")
                      .values_list("id", "founded", "industry_field", "listed_on", "acquired_on")), registered)
    rows = _team_rows((-firm_ids[firm_ids < 0]).tolist()) + rows
    ids = np.array([r[0] for r in rows], np.int64)
    firms = ids.tolist()
    day = np.datetime64(as_of, "D")
    last, prev = as_of.year - 1, as_of.year - 2
    figures = list(FirmYearFigures.objects.filter(_among("firm", firms), year__in=(last, prev))
                   .values_list("firm_id", "year", "revenue_fen", "rd_spend_fen"))
    ip = IntellectualProperty.objects.filter(_among("firm", firms))
    valid = ip.filter(granted_on__lte=as_of).exclude(lapsed_on__lte=as_of)
    return {
        "id": ids,
        "founded": _dates(r[1] for r in rows),
        "industry_field": np.array([r[2] or None for r in rows], dtype=object),
        "listed": _dates(r[3] for r in rows) <= day,
        "merged_or_acquired": _dates(r[4] for r in rows) <= day,
        "tech_sme": _member(ids, _active_designations(firms, as_of, "tech_sme")),
        "high_tech": _member(ids, _active_designations(firms, as_of, "high_tech")),
        "vc_investment_cumulative_fen": _scatter(ids, _grouped(
            Investment.objects.filter(_among("firm", firms), date__lte=as_of), "firm", Sum("amount_fen"))),
        "revenue_last_year_fen": _scatter(ids, [(f, r) for f, y, r, _ in figures if y == last]),
        "revenue_prev_year_fen": _scatter(ids, [(f, r) for f, y, r, _ in figures if y == prev]),
        "rd_spend_last_year_fen": _scatter(ids, [(f, d) for f, y, _, d in figures if y == last]),
        "rd_spend_prev_year_fen": _scatter(ids, [(f, d) for f, y, _, d in figures if y == prev]),
        "patents_applied": _scatter(ids, _grouped(ip.filter(kind__in=PATENT_KINDS, applied_on__lte=as_of),
                                                  "firm", Count("pk"))),
        "ip_valid": _scatter(ids, _grouped(valid, "firm", Count("pk"))),
    }


# --- carriers --------------------------------------------------------------------------------------


def _staffing(ids: np.ndarray, as_of: datetime.date) -> dict[str, np.ndarray]:
    latest = {}  # ascending years: the last row per carrier wins
    for carrier, *values in (CarrierStaffing.objects.filter(_among("carrier", ids), year__lte=as_of.year)
                             .order_by("year").values_list("carrier_id", "staff_total", "staff_professional",
                                                           "staff_fulltime")):
        latest[carrier] = values
    names = ("staff_total", "staff_professional", "staff_fulltime")
    return {n: _scatter(ids, [(c, v[i]) for c, v in latest.items()]) for i, n in enumerate(names)}


def _carrier_columns(carrier_ids: np.ndarray, as_of: datetime.date) -> dict:
    columns = _registry_carrier_columns(carrier_ids, as_of)
    return {**columns, **statistics_columns(columns["id"], columns["established"], as_of)}


def _registry_carrier_columns(carrier_ids: np.ndarray, as_of: datetime.date) -> dict:
    rows = list(Carrier.objects.filter(_among("pk", carrier_ids)).order_by("pk").values_list(
        "id", "kind", "specialisation", "industry_field", "has_tech_platform", "established", "incubation_area_m2",
        "tenant_area_m2", "workstations", "operator__kind", "region__is_hardship", "region__parent__is_hardship",
        "region__parent__parent__is_hardship"))
    rows = _only(rows, carrier_ids)
    ids = np.array([r[0] for r in rows], np.int64)
    carriers = ids.tolist()
    year = as_of.year - 1
    at = Incubation.objects.filter(_among("carrier", carriers))
    financed = at.filter(firm__investments__date__year=year, firm__investments__date__gte=F("entered_on"))
    return {
        "id": ids,
        "kind": np.array([r[1] for r in rows], dtype=object),
        "specialised": np.array([r[2] == Specialisation.SPECIALISED for r in rows], bool),
        "industry_field": np.array([r[3] or None for r in rows], dtype=object),
        "has_tech_platform": np.array([r[4] for r in rows], bool),
        "established": _dates(r[5] for r in rows),
        "incubation_area_m2": np.array([r[6] for r in rows], np.float64),
        "tenant_area_m2": np.array([r[7] for r in rows], np.float64),
        "workstation_public_area_m2": np.array([r[7] for r in rows], np.float64),
        "workstations": np.array([r[8] for r in rows], np.int64),
        "independent_legal_entity": np.array([r[9] != OrganisationKind.GOVERNMENT for r in rows], bool),
        "hardship_region": np.array([bool(r[10] or r[11] or r[12]) for r in rows], bool),
        "seed_fund_fen": _scatter(ids, _grouped(
            SeedFund.objects.filter(_among("carrier", carriers), established_on__lte=as_of), "carrier",
            Sum("size_fen"))),
        "fund_use_cases": _scatter(ids, _grouped(
            Investment.objects.filter(_among("carrier", carriers), from_carrier_fund=True, date__lte=as_of),
            "carrier", Count("pk"))),
        **_staffing(ids, as_of),
        "mentors": _scatter(ids, _grouped(MentorProfile.carriers.through.objects.filter(_among("carrier", carriers)),
                                          "carrier", Count("pk"))),
        "graduates_cumulative": _scatter(ids, _grouped(
            at.filter(status=IncubationStatus.GRADUATED, left_on__lte=as_of), "carrier", Count("pk"))),
        "teams_entered_last_year": _scatter(ids, _grouped(at.filter(entered_on__year=year), "carrier", Count("pk"))),
        "teams_registered_firms_last_year": _scatter(ids, _grouped(
            at.filter(team__firm__founded__year=year), "carrier", Count("pk"))),
        "teams_financed_last_year": _scatter(ids, _grouped(financed, "carrier", Count("pk", distinct=True))),
    }


def load_population(as_of: datetime.date, *, carriers=None, firms=None, incubations=None) -> Loaded:
    """The population around the given querysets (any combination), as of `as_of`."""
    started = time.perf_counter()
    record_filter = Q(pk__in=[])
    if carriers is not None:
        record_filter |= Q(carrier__in=carriers.values("pk"))
    if firms is not None:
        record_filter |= Q(firm__in=firms.values("pk"))
    if incubations is not None:
        record_filter |= Q(pk__in=incubations.values("pk"))
    records = Incubation.objects.filter(record_filter)
    inc = _incubation_columns(records, as_of)
    carrier_ids = set(inc["carrier_id"].tolist())
    if carriers is not None:
        carrier_ids |= set(carriers.values_list("pk", flat=True))
    firm_ids = set(inc["firm_id"].tolist())
    if firms is not None:
        firm_ids |= set(firms.values_list("pk", flat=True))
    columns = {
        "carrier": _carrier_columns(np.array(sorted(carrier_ids), np.int64), as_of),
        "firm": _firm_columns(np.array(sorted(firm_ids), np.int64), as_of),
        "incubation": inc,
    }
    population = Population.from_columns(columns)
    return Loaded(population, as_of, time.perf_counter() - started)
