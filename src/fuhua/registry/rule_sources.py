"""The registry's rows for the rules adapter: carriers and firms with their own facts (see rules/adapter)."""

from __future__ import annotations

import datetime

import numpy as np
from django.db.models import Count, Q, Sum

from fuhua.rules.adapter import register_entity
from fuhua.rules.adapter.columns import among, dates, grouped, member, only, scatter

from .choices import PATENT_KINDS, OrganisationKind, Specialisation
from .models import (
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

CARRIER_SOURCES = {
    "carrier.kind": "Carrier.kind",
    "carrier.specialised": "Carrier.specialisation == specialised",
    "carrier.industry_field": "Carrier.industry_field",
    "carrier.has_tech_platform": "Carrier.has_tech_platform",
    "carrier.independent_legal_entity": "Carrier.operator (an Organisation with a credit code, not a government body)",
    "carrier.established": "Carrier.established",
    "carrier.hardship_region": "Region.is_hardship of the carrier's region or a parent region",
    "carrier.incubation_area_m2": "Carrier.incubation_area_m2",
    "carrier.tenant_area_m2": "Carrier.tenant_area_m2",
    "carrier.workstations": "Carrier.workstations",
    "carrier.workstation_public_area_m2": "Carrier.tenant_area_m2 (maker spaces: workstations + public area)",
    "carrier.seed_fund_fen": "sum of SeedFund.size_fen established by the as-of date",
    "carrier.fund_use_cases": "Investments from the carrier's fund (Investment.from_carrier_fund) by the as-of date",
    "carrier.staff_total": "CarrierStaffing of the latest year up to the as-of year",
    "carrier.staff_professional": "CarrierStaffing of the latest year up to the as-of year",
    "carrier.staff_fulltime": "CarrierStaffing of the latest year up to the as-of year",
    "carrier.mentors": "MentorProfile.carriers",
}
FIRM_SOURCES = {
    "firm.founded": "Firm.founded",
    "firm.industry_field": "Firm.industry_field",
    "firm.tech_sme": "FirmDesignation tech_sme active on the as-of date",
    "firm.high_tech": "FirmDesignation high_tech active on the as-of date",
    "firm.vc_investment_cumulative_fen": "sum of Investment.amount_fen by the as-of date",
    "firm.revenue_last_year_fen": "FirmYearFigures of the year before the as-of year",
    "firm.revenue_prev_year_fen": "FirmYearFigures of two years before the as-of year",
    "firm.rd_spend_last_year_fen": "FirmYearFigures of the year before the as-of year",
    "firm.rd_spend_prev_year_fen": "FirmYearFigures of two years before the as-of year",
    "firm.listed": "Firm.listed_on by the as-of date",
    "firm.merged_or_acquired": "Firm.acquired_on by the as-of date",
    "firm.patents_applied": "IntellectualProperty (invention, utility, design) applied for by the as-of date",
    "firm.ip_valid": "IntellectualProperty granted and not lapsed on the as-of date",
}


# --- firms -----------------------------------------------------------------------------------------


def _active_designations(firms, as_of, kind: str) -> set:
    qs = FirmDesignation.objects.filter(among("firm", firms), kind=kind, granted_on__lte=as_of).filter(
        Q(expires_on__isnull=True) | Q(expires_on__gte=as_of))
    return set(qs.values_list("firm_id", flat=True))


def _team_rows(team_ids: list[int]) -> list[tuple]:
    """Start-up teams as stand-in firm rows (id -team): not founded yet, their field, no other facts.

    The engine needs every incubation to have its firm; teams are tenants too (maker spaces count them).
    """
    teams = StartupTeam.objects.filter(among("pk", team_ids)).order_by("pk").values_list("id", "industry_field")
    return [(-pk, None, field, None, None) for pk, field in only(list(teams), team_ids)]


def firm_columns(firm_ids: np.ndarray, as_of: datetime.date) -> dict:
    registered = firm_ids[firm_ids > 0].tolist()
    rows = only(list(Firm.objects.filter(among("pk", registered)).order_by("pk")
                     .values_list("id", "founded", "industry_field", "listed_on", "acquired_on")), registered)
    rows = _team_rows((-firm_ids[firm_ids < 0]).tolist()) + rows
    ids = np.array([r[0] for r in rows], np.int64)
    firms = ids.tolist()
    day = np.datetime64(as_of, "D")
    last, prev = as_of.year - 1, as_of.year - 2
    figures = list(FirmYearFigures.objects.filter(among("firm", firms), year__in=(last, prev))
                   .values_list("firm_id", "year", "revenue_fen", "rd_spend_fen"))
    ip = IntellectualProperty.objects.filter(among("firm", firms))
    valid = ip.filter(granted_on__lte=as_of).exclude(lapsed_on__lte=as_of)
    return {
        "id": ids,
        "founded": dates(r[1] for r in rows),
        "industry_field": np.array([r[2] or None for r in rows], dtype=object),
        "listed": dates(r[3] for r in rows) <= day,
        "merged_or_acquired": dates(r[4] for r in rows) <= day,
        "tech_sme": member(ids, _active_designations(firms, as_of, "tech_sme")),
        "high_tech": member(ids, _active_designations(firms, as_of, "high_tech")),
        "vc_investment_cumulative_fen": scatter(ids, grouped(
            Investment.objects.filter(among("firm", firms), date__lte=as_of), "firm", Sum("amount_fen"))),
        "revenue_last_year_fen": scatter(ids, [(f, r) for f, y, r, _ in figures if y == last]),
        "revenue_prev_year_fen": scatter(ids, [(f, r) for f, y, r, _ in figures if y == prev]),
        "rd_spend_last_year_fen": scatter(ids, [(f, d) for f, y, _, d in figures if y == last]),
        "rd_spend_prev_year_fen": scatter(ids, [(f, d) for f, y, _, d in figures if y == prev]),
        "patents_applied": scatter(ids, grouped(ip.filter(kind__in=PATENT_KINDS, applied_on__lte=as_of),
                                                "firm", Count("pk"))),
        "ip_valid": scatter(ids, grouped(valid, "firm", Count("pk"))),
    }


# --- carriers --------------------------------------------------------------------------------------


def _staffing(ids: np.ndarray, as_of: datetime.date) -> dict[str, np.ndarray]:
    latest = {}  # ascending years: the last row per carrier wins
    for carrier, *values in (CarrierStaffing.objects.filter(among("carrier", ids), year__lte=as_of.year)
                             .order_by("year").values_list("carrier_id", "staff_total", "staff_professional",
                                                           "staff_fulltime")):
        latest[carrier] = values
    names = ("staff_total", "staff_professional", "staff_fulltime")
    return {n: scatter(ids, [(c, v[i]) for c, v in latest.items()]) for i, n in enumerate(names)}


def carrier_columns(carrier_ids: np.ndarray, as_of: datetime.date) -> dict:
    rows = list(Carrier.objects.filter(among("pk", carrier_ids)).order_by("pk").values_list(
        "id", "kind", "specialisation", "industry_field", "has_tech_platform", "established", "incubation_area_m2",
        "tenant_area_m2", "workstations", "operator__kind", "region__is_hardship", "region__parent__is_hardship",
        "region__parent__parent__is_hardship"))
    rows = only(rows, carrier_ids)
    ids = np.array([r[0] for r in rows], np.int64)
    carriers = ids.tolist()
    return {
        "id": ids,
        "kind": np.array([r[1] for r in rows], dtype=object),
        "specialised": np.array([r[2] == Specialisation.SPECIALISED for r in rows], bool),
        "industry_field": np.array([r[3] or None for r in rows], dtype=object),
        "has_tech_platform": np.array([r[4] for r in rows], bool),
        "established": dates(r[5] for r in rows),
        "incubation_area_m2": np.array([r[6] for r in rows], np.float64),
        "tenant_area_m2": np.array([r[7] for r in rows], np.float64),
        "workstation_public_area_m2": np.array([r[7] for r in rows], np.float64),
        "workstations": np.array([r[8] for r in rows], np.int64),
        "independent_legal_entity": np.array([r[9] != OrganisationKind.GOVERNMENT for r in rows], bool),
        "hardship_region": np.array([bool(r[10] or r[11] or r[12]) for r in rows], bool),
        "seed_fund_fen": scatter(ids, grouped(
            SeedFund.objects.filter(among("carrier", carriers), established_on__lte=as_of), "carrier",
            Sum("size_fen"))),
        "fund_use_cases": scatter(ids, grouped(
            Investment.objects.filter(among("carrier", carriers), from_carrier_fund=True, date__lte=as_of),
            "carrier", Count("pk"))),
        **_staffing(ids, as_of),
        "mentors": scatter(ids, grouped(MentorProfile.carriers.through.objects.filter(among("carrier", carriers)),
                                        "carrier", Count("pk"))),
    }


def register() -> None:
    register_entity("carrier", keyword="carriers", load=carrier_columns, sources=CARRIER_SOURCES)
    register_entity("firm", keyword="firms", load=firm_columns, sources=FIRM_SOURCES)
