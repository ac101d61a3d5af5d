"""Incubation's prefill sources for the annual statistics (core.prefill): what the incubation records say
about a carrier's year — tenants and teams on 31 December, entries, graduations — and the tenants' own
facts in the registry (annual figures, IP, investments), which only the records make a carrier's.

Each field is one grouped query over many carriers (the demo prefills every carrier's three years in a few
dozen queries). Registered from IncubationConfig.ready().
"""

from __future__ import annotations

import datetime

from django.db.models import Count, F, OuterRef, Q, Subquery, Sum
from django.utils.translation import gettext_lazy as _

from fuhua.core.prefill import per_field, register_prefill_source
from fuhua.registry import models as registry
from fuhua.registry.choices import PATENT_KINDS

from .models import Incubation, IncubationStatus

Result = dict[int, int]


def _grouped(qs, key: str, agg) -> Result:
    return {row[key]: int(row["n"] or 0) for row in qs.values(key).annotate(n=agg).order_by()}


def _in(qs, path: str, ids):
    return qs if ids is None else qs.filter(**{f"{path}__in": ids})


def _tenant_q(prefix: str, end: datetime.date) -> Q:
    """Incubated at `end` (the path reaches an Incubation)."""
    return Q(**{f"{prefix}entered_on__lte": end}) & (
        Q(**{f"{prefix}left_on__isnull": True}) | Q(**{f"{prefix}left_on__gt": end}))


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


INCUBATIONS = {
    "incubations.tenants": (_("incubation records: firms in incubation on 31 December"), _incubations("tenants")),
    "incubations.teams": (_("incubation records: teams in incubation on 31 December"), _incubations("teams")),
    "incubations.new_firms": (_("incubation records: firms that entered during the year"),
                              _incubations("new_firms")),
    "incubations.entered": (_("incubation records: firms and teams that entered during the year"),
                            _incubations("entered")),
    "incubations.teams_registered": (_("incubated teams whose firm was founded during the year"),
                                     _incubations("teams_registered")),
    "incubations.graduated_year": (_("incubation records: graduated during the year"),
                                   _incubations("graduated_year")),
    "incubations.graduated_cumulative": (_("incubation records: graduated by 31 December"),
                                         _incubations("graduated_cumulative")),
}
TENANT_FIGURES = {
    "firms.employees": (_("tenants' annual figures: employees"), _firm_figures("employees")),
    "firms.revenue": (_("tenants' annual figures: revenue"), _firm_figures("revenue_fen")),
    "firms.rd_spend": (_("tenants' annual figures: R&D spend"), _firm_figures("rd_spend_fen")),
    "firms.grown": (_("tenants' annual figures: revenue or R&D up more than 20%"), _grown),
}
TENANT_IP = {
    "ip.patents_applied": (_("tenants' patents applied for during the year"), _ip("patents_applied")),
    "ip.patents_granted": (_("tenants' patents granted during the year"), _ip("patents_granted")),
    "ip.applicant_tenants": (_("tenants that have applied for a patent"), _ip("applicant_tenants")),
    "ip.holder_tenants": (_("tenants holding a valid IP right on 31 December"), _ip("holder_tenants")),
}
TENANT_INVESTMENTS = {
    "investments.amount": (_("investments in tenants during the year"), _investments("amount")),
    "investments.firms": (_("tenants that received an investment during the year"), _investments("firms")),
    "investments.fund_cases": (_("investments from the carrier's fund during the year"), _investments("fund_cases")),
    "investments.own_fund_firms": (_("tenants with equity from the carrier's fund during the year"),
                                   _investments("own_fund_firms")),
}


def register() -> None:
    for key, label, fields in (
        ("incubations", _("incubation records"), INCUBATIONS),
        ("firms", _("tenants' annual figures"), TENANT_FIGURES),
        ("ip", _("tenants' intellectual property"), TENANT_IP),
        ("investments", _("investments in tenants"), TENANT_INVESTMENTS),
    ):
        register_prefill_source(key, label, {f: text for f, (text, _fn) in fields.items()},
                                per_field({f: fn for f, (_text, fn) in fields.items()}), counted=True)
