"""Where each entity attribute comes from: the documentation of the adapter, also shown in explanations."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# attribute → where the adapter reads it (kind.attribute keys).
SOURCES: dict[str, str] = {
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
    "carrier.graduates_cumulative": "Incubations graduated by the as-of date",
    "carrier.teams_entered_last_year": "Incubations entered in the calendar year before the as-of date",
    "carrier.teams_registered_firms_last_year": "Team incubations whose team registered a firm that year",
    "carrier.teams_financed_last_year": "Incubations whose firm received an Investment that year while there",
    "carrier.stats_years_consecutive": "accepted annual reports, consecutive years up to last year",
    "carrier.stats_reported": "an accepted annual report for last year",
    "carrier.stats_reports_missed_consecutive": "years without an accepted annual report, back from last year",
    "carrier.income_total_fen": "last year's annual report: income_total_fen",
    "carrier.income_rent_property_fen": "last year's annual report: income_rent_fen",
    "carrier.incubation_income_separate": "last year's annual report reports incubation-service income",
    "carrier.incubation_cases_last_year": "last year's annual report: incubation_cases",
    "carrier.events_last_year": "last year's annual report: events",
    "carrier.evaluation_grade_last": "published evaluation grade for last year",
    "carrier.evaluation_grade_prev": "published evaluation grade for the year before",
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
    "incubation.entered": "Incubation.entered_on (NaT if after the as-of date)",
    "incubation.left": "Incubation.left_on (NaT if after the as-of date)",
    "incubation.status": "Incubation.status, as it stood on the as-of date",
    "incubation.financed": "an Investment in the firm dated while it was at this carrier",
    "incubation.own_fund_equity": "an Investment from this carrier's fund dated while the firm was there",
}

# Not collected as data: a reviewer's judgement, or a fact the annual report form does not ask. The
# engine uses the attribute's declared default (0 / false / missing) and explanations say so.
UNAVAILABLE: dict[str, str] = {
    "carrier.has_clear_model": _("reviewer's judgement (evaluation, issue #5)"),
    "carrier.dedicated_operator": _("reviewer's judgement (evaluation, issue #5)"),
    "incubation.registered_on_site": _("not asked by the annual report form"),
}


def source_of(kind: str, attribute: str) -> tuple[bool, str]:
    """(available, where from) of `kind.attribute`."""
    key = f"{kind}.{attribute}"
    if key in UNAVAILABLE:
        return False, str(UNAVAILABLE[key])
    return True, SOURCES.get(key, "")
