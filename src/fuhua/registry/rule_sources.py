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
    Founder,
    IntellectualProperty,
    Investment,
    MentorProfile,
    Organisation,
    Recognition,
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


# --- firm and team attributes for firm-level policies (policies' schema, not the national one) ----------
#
# The national schema (rules/entities.py) knows the firm attributes of the recognition and graduation
# rules; firm-level policies (rewards for designations, R&D spend, first financing, student start-ups) need
# more. They are not registered with the adapter (the national schema would refuse unknown columns): the
# policies app extends its firm schema with them and calls these loaders for the firms it evaluates.

POLICY_DESIGNATIONS = ("high_tech", "srdi", "little_giant", "gazelle")
FIRM_POLICY_SOURCES = {
    **{f"firm.{kind}_active": f"FirmDesignation {kind} active on the as-of date" for kind in POLICY_DESIGNATIONS},
    **{f"firm.{kind}_new": f"FirmDesignation {kind} first granted in the as-of year, up to the as-of date"
       for kind in POLICY_DESIGNATIONS},
    **{f"firm.{kind}_since": f"FirmDesignation {kind}: first grant date" for kind in POLICY_DESIGNATIONS},
    "firm.region_code": "Firm.region (where the firm is registered)",
    "firm.tenant": "an incubation of the firm entered by the as-of date and not left by then",
    "firm.tenant_region_code": "the region of the carrier of that incubation",
    "firm.first_investment_on": "the date of the firm's first Investment",
    "firm.first_investment_fen": "the amount of the firm's first Investment (all rounds of that day)",
    "firm.student_founded": "a StartupTeam founded by students that registered as this firm",
    "team.region_code": "StartupTeam.region",
    "team.student_founded": "StartupTeam.student_founded",
    "team.formed_on": "StartupTeam.formed_on",
    "team.registered": "StartupTeam.firm set (the team registered a firm)",
    "team.hosted": "an incubation of the team entered by the as-of date and not left by then",
    "team.host_carrier": "the carrier of that incubation (the team's entitlements are confirmed by its operator)",
    "team.host_region_code": "the region of that carrier",
}


def _stays(path: str, ids: list[int], as_of: datetime.date) -> dict[int, tuple[int, str]]:
    """Per firm or team: (carrier, carrier region) of a stay entered by `as_of` and not left by then (the
    latest entered wins). Through the registry's reverse relation `incubations`: no import of incubation."""
    model = Firm if path == "firm" else StartupTeam
    rows = (model.objects.filter(among("pk", ids), Q(incubations__left_on__isnull=True)
                                 | Q(incubations__left_on__gt=as_of), incubations__entered_on__lte=as_of)
            .order_by("incubations__entered_on")
            .values_list("pk", "incubations__carrier_id", "incubations__carrier__region_id"))
    return {pk: (carrier, region) for pk, carrier, region in rows}


def firm_policy_columns(firm_ids: np.ndarray, as_of: datetime.date) -> dict[str, np.ndarray]:
    """The firm attributes of firm-level policies, aligned with `firm_ids` (negative ids: teams, left empty)."""
    ids = np.asarray(firm_ids, np.int64)
    wanted = [int(i) for i in ids if i > 0]
    year_start = datetime.date(as_of.year, 1, 1)
    since: dict[str, dict[int, datetime.date]] = {k: {} for k in POLICY_DESIGNATIONS}
    active: dict[str, set[int]] = {k: set() for k in POLICY_DESIGNATIONS}
    for firm, kind, granted, expires in (FirmDesignation.objects.filter(
            among("firm", wanted), kind__in=POLICY_DESIGNATIONS, granted_on__lte=as_of)
            .values_list("firm_id", "kind", "granted_on", "expires_on")):
        since[kind][firm] = min(since[kind].get(firm, granted), granted)
        if expires is None or expires >= as_of:
            active[kind].add(firm)
    regions = dict(Firm.objects.filter(among("pk", wanted)).values_list("pk", "region_id"))
    stays = _stays("firm", wanted, as_of)
    first: dict[int, tuple[datetime.date, int]] = {}
    for firm, day, amount in (Investment.objects.filter(among("firm", wanted), date__lte=as_of)
                              .order_by("firm_id", "date").values_list("firm_id", "date", "amount_fen")):
        if firm not in first:
            first[firm] = (day, amount)
        elif first[firm][0] == day:
            first[firm] = (day, first[firm][1] + amount)
    students = set(StartupTeam.objects.filter(among("firm", wanted), student_founded=True)
                   .values_list("firm_id", flat=True))
    listed = ids.tolist()
    out: dict[str, np.ndarray] = {}
    for kind in POLICY_DESIGNATIONS:
        out[f"{kind}_active"] = member(ids, active[kind])
        out[f"{kind}_since"] = dates(since[kind].get(pk) for pk in listed)
        out[f"{kind}_new"] = np.array([year_start <= since[kind].get(pk, datetime.date.min) <= as_of
                                       for pk in listed], bool)
    out["region_code"] = np.array([regions.get(pk) for pk in listed], dtype=object)
    out["tenant"] = member(ids, stays)
    out["tenant_region_code"] = np.array([stays[pk][1] if pk in stays else None for pk in listed], dtype=object)
    out["first_investment_on"] = dates(first[pk][0] if pk in first else None for pk in listed)
    out["first_investment_fen"] = scatter(ids, [(pk, v[1]) for pk, v in first.items()])
    out["student_founded"] = member(ids, students)
    return out


def team_columns(team_ids: np.ndarray, as_of: datetime.date) -> dict[str, np.ndarray]:
    """Start-up teams as their own entity for team policies (id = the team's pk)."""
    wanted = [int(i) for i in np.asarray(team_ids, np.int64)]
    rows = only(list(StartupTeam.objects.filter(among("pk", wanted)).order_by("pk").values_list(
        "id", "region_id", "student_founded", "formed_on", "firm_id")), wanted)
    ids = np.array([r[0] for r in rows], np.int64)
    stays = _stays("team", ids.tolist(), as_of)
    return {
        "id": ids,
        "region_code": np.array([r[1] for r in rows], dtype=object),
        "student_founded": np.array([bool(r[2]) for r in rows], bool),
        "formed_on": dates(r[3] for r in rows),
        "registered": np.array([r[4] is not None for r in rows], bool),
        "hosted": member(ids, stays),
        "host_carrier": np.array([stays[pk][0] if pk in stays else 0 for pk in ids.tolist()], np.int64),
        "host_region_code": np.array([stays[pk][1] if pk in stays else None for pk in ids.tolist()], dtype=object),
    }


# --- carrier operators and persons for operator and person policies (policies' schema) ----------------
#
# Like the firm-policy columns above, not registered with the adapter: the policies app extends its schema
# with an `operator` entity (the organisation running carriers) and a `person` entity (a founder or key
# person of a firm or team, registry.Founder) and calls these loaders for the ones it evaluates.

OPERATOR_SOURCES = {
    "operator.region_code": "Organisation.region (where the operator is registered)",
    "operator.ownership": "Organisation.ownership (none when not recorded)",
    "operator.carriers": "Carriers the organisation operates (Carrier.operator), established by the as-of date",
    "operator.recognised_carriers": "of those, carriers holding a recognition active on the as-of date",
    "operator.provincial_plus_carriers": "of those, carriers holding a national or provincial recognition",
    "operator.new_recognitions": "recognitions of its carriers granted in the as-of year, not revoked by then",
    "operator.enclave_carriers": "of its carriers, enclaves (飞地: Carrier.administering_region set)",
}
PERSON_SOURCES = {
    "person.region_code": "the region of the founder's firm (or team)",
    "person.of_firm": "Founder.firm set", "person.founder": "Founder.role founder or co-founder",
    "person.doctorate": "Founder.education = doctorate", "person.overseas_returnee": "Founder.overseas_returnee",
    "person.student": "Founder.student", "person.talent_title": "Founder.talent_title (none when empty)",
    "person.talent_title_new": "Founder.title_granted_on in the as-of year, up to the as-of date",
    "person.venture_founded": "Firm.founded (or StartupTeam.formed_on)",
    "person.venture_tenant": "the firm (or team) incubated at a carrier on the as-of date",
    "person.venture_tenant_region_code": "the region of that carrier",
    "person.venture_host_carrier": "that carrier (a team founder's entitlement is confirmed by its operator)",
}
ACTIVE_LEVELS = ("national", "provincial", "municipal", "county_city", "district")


def operator_columns(org_ids: np.ndarray, as_of: datetime.date) -> dict[str, np.ndarray]:
    """Carrier operators (registry.Organisation) as their own entity: id = the organisation's pk."""
    wanted = [int(i) for i in np.asarray(org_ids, np.int64)]
    rows = only(list(Organisation.objects.filter(among("pk", wanted)).order_by("pk").values_list(
        "id", "region_id", "ownership")), wanted)
    ids = np.array([r[0] for r in rows], np.int64)
    orgs = ids.tolist()
    carriers = Carrier.objects.filter(among("operator", orgs), established__lte=as_of)
    active = Recognition.objects.filter(among("carrier__operator", orgs), granted_on__lte=as_of).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=as_of)).filter(
        Q(revoked_on__isnull=True) | Q(revoked_on__gt=as_of))
    recognised: dict[int, set[int]] = {}
    upper: dict[int, set[int]] = {}
    for op, carrier, level in active.values_list("carrier__operator_id", "carrier_id", "level"):
        recognised.setdefault(op, set()).add(carrier)
        if level in ("national", "provincial"):
            upper.setdefault(op, set()).add(carrier)
    new = active.filter(granted_on__gte=datetime.date(as_of.year, 1, 1))
    return {
        "id": ids,
        "region_code": np.array([r[1] for r in rows], dtype=object),
        "ownership": np.array([r[2] or "none" for r in rows], dtype=object),
        "carriers": scatter(ids, grouped(carriers, "operator", Count("pk"))),
        "recognised_carriers": scatter(ids, [(op, len(c)) for op, c in recognised.items()]),
        "provincial_plus_carriers": scatter(ids, [(op, len(c)) for op, c in upper.items()]),
        "new_recognitions": scatter(ids, grouped(new, "carrier__operator", Count("pk"))),
        "enclave_carriers": scatter(ids, grouped(carriers.filter(administering_region__isnull=False), "operator",
                                                 Count("pk"))),
    }


def person_columns(person_ids: np.ndarray, as_of: datetime.date) -> dict[str, np.ndarray]:
    """Founders and key people (registry.Founder) as their own entity: id = the founder's pk."""
    wanted = [int(i) for i in np.asarray(person_ids, np.int64)]
    rows = only(list(Founder.objects.filter(among("pk", wanted)).order_by("pk").values_list(
        "id", "firm_id", "team_id", "role", "education", "overseas_returnee", "student", "talent_title",
        "title_granted_on", "firm__region_id", "team__region_id", "firm__founded", "team__formed_on")), wanted)
    ids = np.array([r[0] for r in rows], np.int64)
    firm_stays = _stays("firm", [r[1] for r in rows if r[1]], as_of)
    team_stays = _stays("team", [r[2] for r in rows if r[2]], as_of)
    stays = [firm_stays.get(r[1]) if r[1] else team_stays.get(r[2]) for r in rows]
    year_start = datetime.date(as_of.year, 1, 1)
    return {
        "id": ids,
        "region_code": np.array([r[9] or r[10] for r in rows], dtype=object),
        "of_firm": np.array([r[1] is not None for r in rows], bool),
        "founder": np.array([r[3] in ("founder", "co_founder") for r in rows], bool),
        "doctorate": np.array([r[4] == "doctorate" for r in rows], bool),
        "overseas_returnee": np.array([bool(r[5]) for r in rows], bool),
        "student": np.array([bool(r[6]) for r in rows], bool),
        "talent_title": np.array([r[7] or "none" for r in rows], dtype=object),
        "talent_title_new": np.array([bool(r[8]) and year_start <= r[8] <= as_of for r in rows], bool),
        "venture_founded": dates(r[11] or r[12] for r in rows),
        "venture_tenant": np.array([s is not None for s in stays], bool),
        "venture_tenant_region_code": np.array([s[1] if s else None for s in stays], dtype=object),
        "venture_host_carrier": np.array([s[0] if s and r[2] else 0 for s, r in zip(stays, rows, strict=True)],
                                         np.int64),
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
