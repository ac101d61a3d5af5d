"""Test helpers of the statistics: reports in the shared `world` (fuhua.testing)."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from .definitions import form_for_year
from .models import AnnualReport, FieldComment, Reminder, ReportValue

YEAR = 2024


def complete_values(form, **overrides) -> dict[str, int]:
    """A consistent, complete set of figures (stored units) for `form`."""
    values = {
        "incubation_area_m2": 12000, "tenant_area_m2": 9500, "workstations": 300, "staff_total": 20,
        "staff_professional": 16, "staff_fulltime": 12, "mentors": 8, "tenants": 60, "teams": 10, "tenants_new": 15,
        "teams_entered": 25, "teams_registered": 4, "graduates_year": 5, "graduates_cumulative": 40,
        "tenant_employees": 900, "fresh_graduates_hired": 80, "tenant_revenue_fen": 50_000_000_00,
        "tenant_rd_fen": 5_000_000_00, "patents_applied": 40, "patents_granted": 20, "tenants_patent_applicants": 30,
        "tenants_with_ip": 25, "financing_fen": 30_000_000_00, "firms_financed": 8, "seed_fund_fen": 6_000_000_00,
        "fund_use_cases": 4, "events": 24, "incubation_cases": 5, "income_total_fen": 8_000_000_00,
        "income_service_fen": 3_000_000_00, "income_rent_fen": 4_000_000_00, "tenants_grown": 20,
        "tenants_own_fund_equity": 6,
    }
    values.update(overrides)
    return {k: v for k, v in values.items() if k in form.fields}


def report(carrier, year: int = YEAR, status: str = "draft", **overrides) -> AnnualReport:
    form = form_for_year(year)
    obj, created = AnnualReport.objects.get_or_create(carrier=carrier, year=year, version=1,
                                                      defaults={"form_code": form.code, "status": status})
    if created:
        for code, value in complete_values(form, **overrides).items():
            ReportValue.objects.create(report=obj, code=code, value=value)
    return obj


def world_reports(w) -> list[AnnualReport]:
    """One report per world carrier (Suzhou's and Nanjing's), created on first use."""
    return [report(w.carrier_a), report(w.carrier_b, incubation_area_m2=3000, tenant_area_m2=2400)]


def scope_objects(world) -> SimpleNamespace:
    """Statistics objects in both cities, for the generated scope tests (built once per world)."""
    cached = getattr(world, "_statistics_objects", None)
    if cached is None:
        cached = SimpleNamespace(reports=world_reports(world))
        world._statistics_objects = cached
    return cached


def audit_factories() -> dict[str, tuple]:
    """label → (create(world) of a new unreferenced instance, a change) for core/tests/test_audit.py."""

    def new_report(w):
        return AnnualReport.objects.create(carrier=w.carrier_a, year=2019, form_code="torch-2023")

    return {
        "statistics.annualreport": (new_report, {"amendment_reason": "审计"}),
        "statistics.reportvalue": (lambda w: ReportValue.objects.create(report=new_report(w), code="events", value=3),
                                   {"value": 5}),
        "statistics.fieldcomment": (lambda w: FieldComment.objects.create(
            report=new_report(w), code="events", kind="explanation", text="活动增加"), {"text": "活动大幅增加"}),
        "statistics.reminder": (lambda w: Reminder.objects.create(
            carrier=w.carrier_a, year=2019, deadline=datetime.date(2020, 3, 31), days_before=7, message="请报送"),
            {"message": "请尽快报送"}),
    }
