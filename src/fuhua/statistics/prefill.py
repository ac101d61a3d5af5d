"""Prefill: what the registry already knows about a carrier's year, per form field, with its source.

Each source is one grouped query over the registry for many carriers at once (the demo prefills
every carrier's three years in a few dozen queries). Sources whose models are absent are skipped.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable

from django.db.models import Count, F, OuterRef, Q, Subquery, Sum
from django.utils.translation import gettext_lazy as _

from fuhua.incubation.models import Incubation, IncubationStatus
from fuhua.registry import models as registry
from fuhua.registry.choices import PATENT_KINDS

# source key → where its number comes from (shown next to the prefilled value)
SOURCES = {
    "carrier.incubation_area_m2": _("carrier record: incubation area"),
    "carrier.tenant_area_m2": _("carrier record: tenant-use area"),
    "carrier.workstations": _("carrier record: workstations"),
    "staffing.total": _("staffing of the year (or the latest before)"),
    "staffing.professional": _("staffing of the year (or the latest before)"),
    "staffing.fulltime": _("staffing of the year (or the latest before)"),
    "mentors.count": _("mentors linked to the carrier"),
    "incubations.tenants": _("incubation records: firms in incubation on 31 December"),
    "incubations.teams": _("incubation records: teams in incubation on 31 December"),
    "incubations.new_firms": _("incubation records: firms that entered during the year"),
    "incubations.entered": _("incubation records: firms and teams that entered during the year"),
    "incubations.teams_registered": _("incubated teams whose firm was founded during the year"),
    "incubations.graduated_year": _("incubation records: graduated during the year"),
    "incubations.graduated_cumulative": _("incubation records: graduated by 31 December"),
    "firms.employees": _("tenants' annual figures: employees"),
    "firms.revenue": _("tenants' annual figures: revenue"),
    "firms.rd_spend": _("tenants' annual figures: R&D spend"),
    "firms.grown": _("tenants' annual figures: revenue or R&D up more than 20%"),
    "ip.patents_applied": _("tenants' patents applied for during the year"),
    "ip.patents_granted": _("tenants' patents granted during the year"),
    "ip.applicant_tenants": _("tenants that have applied for a patent"),
    "ip.holder_tenants": _("tenants holding a valid IP right on 31 December"),
    "investments.amount": _("investments in tenants during the year"),
    "investments.firms": _("tenants that received an investment during the year"),
    "investments.fund_cases": _("investments from the carrier's fund during the year"),
    "investments.own_fund_firms": _("tenants with equity from the carrier's fund during the year"),
    "seed_funds.size": _("seed funds established by 31 December"),
}

Result = dict[int, int]


def _grouped(qs, key: str, agg) -> Result:
    return {row[key]: int(row["n"] or 0) for row in qs.values(key).annotate(n=agg).order_by()}


def _in(qs, path: str, ids):
    return qs if ids is None else qs.filter(**{f"{path}__in": ids})


def _tenant_q(prefix: str, end: datetime.date) -> Q:
    """Incubated at `end` (the path reaches an Incubation)."""
    return Q(**{f"{prefix}entered_on__lte": end}) & (
        Q(**{f"{prefix}left_on__isnull": True}) | Q(**{f"{prefix}left_on__gt": end}))


def _carrier_field(name):
    def source(ids, year):
        return {pk: v for pk, v in _in(registry.Carrier.objects, "pk", ids).values_list("pk", name)}
    return source


def _incubations(kind: str):
    def source(ids, year):
        start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        qs = _in(Incubation.objects, "carrier_id", ids)
        if kind in ("tenants", "teams"):
            qs = qs.filter(_tenant_q("", end), **{"firm__isnull" if kind == "teams" else "team__isnull": True})
        elif kind == "new_firms":
            qs = qs.filter(firm__isnull=False, entered_on__range=(start, end))
        elif kind == "entered":
            qs = qs.filter(entered_on__range=(start, end))
        elif kind == "teams_registered":
            qs = qs.filter(team__firm__founded__range=(start, end), entered_on__lte=end)
        elif kind == "graduated_year":
            qs = qs.filter(status=IncubationStatus.GRADUATED, left_on__range=(start, end))
        else:  # graduated_cumulative
            qs = qs.filter(status=IncubationStatus.GRADUATED, left_on__lte=end)
        return _grouped(qs, "carrier_id", Count("pk"))
    return source


def _staffing(attr: str):
    def source(ids, year):
        model = getattr(registry, "CarrierStaffing", None)
        out: Result = {}
        for carrier_id, value in _in(model.objects, "carrier_id", ids).filter(year__lte=year).order_by(
                "carrier_id", "-year").values_list("carrier_id", attr):
            out.setdefault(carrier_id, value)
        return out
    return source


def _mentors(ids, year):
    through = registry.MentorProfile.carriers.through
    return _grouped(_in(through.objects, "carrier_id", ids), "carrier_id", Count("pk"))


def _tenant_firm_rows(model, ids, year, path="firm__incubations__"):
    """Rows of a firm-side model for firms in incubation at a carrier on 31 December."""
    end = datetime.date(year, 12, 31)
    return _in(model.objects, f"{path}carrier_id", ids).filter(_tenant_q(path, end), **{f"{path}firm__isnull": False})


def _firm_figures(attr: str):
    def source(ids, year):
        qs = _tenant_firm_rows(registry.FirmYearFigures, ids, year).filter(year=year)
        return _grouped(qs, "firm__incubations__carrier_id", Sum(attr))
    return source


def _grown(ids, year):
    prev = registry.FirmYearFigures.objects.filter(firm=OuterRef("firm"), year=year - 1)
    qs = _tenant_firm_rows(registry.FirmYearFigures, ids, year).filter(year=year).annotate(
        prev_revenue=Subquery(prev.values("revenue_fen")[:1]), prev_rd=Subquery(prev.values("rd_spend_fen")[:1]),
    ).filter(Q(prev_revenue__gt=0, revenue_fen__gt=F("prev_revenue") * 1.2)
             | Q(prev_rd__gt=0, rd_spend_fen__gt=F("prev_rd") * 1.2))
    return _grouped(qs, "firm__incubations__carrier_id", Count("firm", distinct=True))


def _ip(kind: str):
    def source(ids, year):
        start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        qs = _tenant_firm_rows(registry.IntellectualProperty, ids, year)
        key = "firm__incubations__carrier_id"
        if kind == "patents_applied":
            return _grouped(qs.filter(kind__in=PATENT_KINDS, applied_on__range=(start, end)), key, Count("pk"))
        if kind == "patents_granted":
            return _grouped(qs.filter(kind__in=PATENT_KINDS, granted_on__range=(start, end)), key, Count("pk"))
        if kind == "applicant_tenants":
            return _grouped(qs.filter(kind__in=PATENT_KINDS, applied_on__lte=end), key, Count("firm", distinct=True))
        valid = qs.filter(Q(lapsed_on__isnull=True) | Q(lapsed_on__gt=end), granted_on__lte=end)
        return _grouped(valid, key, Count("firm", distinct=True))
    return source


def _investments(kind: str):
    def source(ids, year):
        start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        qs = registry.Investment.objects.filter(date__range=(start, end))
        if kind in ("fund_cases", "own_fund_firms"):
            qs = _in(qs.filter(from_carrier_fund=True), "carrier_id", ids)
            agg = Count("pk") if kind == "fund_cases" else Count("firm", distinct=True)
            return _grouped(qs, "carrier_id", agg)
        # Investments dated while the firm was at the carrier.
        qs = _in(qs, "firm__incubations__carrier_id", ids).filter(
            Q(firm__incubations__left_on__isnull=True) | Q(firm__incubations__left_on__gte=F("date")),
            firm__incubations__entered_on__lte=F("date"))
        agg = Sum("amount_fen") if kind == "amount" else Count("firm", distinct=True)
        return _grouped(qs, "firm__incubations__carrier_id", agg)
    return source


def _seed_funds(ids, year):
    qs = _in(registry.SeedFund.objects, "carrier_id", ids).filter(established_on__lte=datetime.date(year, 12, 31))
    return _grouped(qs, "carrier_id", Sum("size_fen"))


_NEEDS = {"staffing": "CarrierStaffing", "firms": "FirmYearFigures", "ip": "IntellectualProperty",
          "investments": "Investment", "seed_funds": "SeedFund"}

FUNCTIONS: dict[str, Callable[[Iterable[int] | None, int], Result]] = {
    "carrier.incubation_area_m2": _carrier_field("incubation_area_m2"),
    "carrier.tenant_area_m2": _carrier_field("tenant_area_m2"),
    "carrier.workstations": _carrier_field("workstations"),
    "staffing.total": _staffing("staff_total"),
    "staffing.professional": _staffing("staff_professional"),
    "staffing.fulltime": _staffing("staff_fulltime"),
    "mentors.count": _mentors,
    **{f"incubations.{k}": _incubations(k) for k in (
        "tenants", "teams", "new_firms", "entered", "teams_registered", "graduated_year", "graduated_cumulative")},
    "firms.employees": _firm_figures("employees"),
    "firms.revenue": _firm_figures("revenue_fen"),
    "firms.rd_spend": _firm_figures("rd_spend_fen"),
    "firms.grown": _grown,
    **{f"ip.{k}": _ip(k) for k in ("patents_applied", "patents_granted", "applicant_tenants", "holder_tenants")},
    **{f"investments.{k}": _investments(k) for k in ("amount", "firms", "fund_cases", "own_fund_firms")},
    "seed_funds.size": _seed_funds,
}


def available(source: str) -> bool:
    needed = _NEEDS.get(source.split(".")[0])
    return source in FUNCTIONS and (needed is None or hasattr(registry, needed))


def prefill(form, carrier_ids: list[int] | None, year: int) -> dict[int, dict[str, int]]:
    """carrier id → {field code: value} for every field of `form` with an available source.

    Carriers the registry knows nothing about for a source get 0 for counts of records (no tenants
    is a fact), but nothing for carrier-level facts it lacks (staffing not recorded)."""
    ids = None if carrier_ids is None else list(carrier_ids)
    all_ids = ids if ids is not None else list(registry.Carrier.objects.values_list("pk", flat=True))
    out: dict[int, dict[str, int]] = {pk: {} for pk in all_ids}
    for field in form.fields.values():
        if not field.prefill or not available(field.prefill):
            continue
        values = FUNCTIONS[field.prefill](ids, year)
        counted = field.prefill.split(".")[0] in ("incubations", "mentors", "firms", "ip", "investments")
        for pk in all_ids:
            value = values.get(pk, 0 if counted else None)
            if value is not None:
                out[pk][field.code] = int(value)
    return out


def source_label(source: str) -> str:
    return str(SOURCES.get(source, ""))
