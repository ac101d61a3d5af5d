"""Demo statistics: a report per demo carrier for 2023–2025, consistent with the registry.

Counts the registry knows (area, tenants, new tenants, graduates, mentors, staffing, funds, tenants'
figures, IP, investments) come from the prefill; the rest is drawn per carrier from one seeded
stream, so a carrier's figures grow plausibly year on year. 2023 and 2024 are accepted; 2025 is
mostly accepted with some drafts, returned and submitted reports. Written in bulk.
"""

from __future__ import annotations

import random

from django.utils import timezone

from fuhua.core.audit import record_bulk
from fuhua.registry.models import Carrier

from .bulk import insert_values
from .definitions import form_for_year
from .models import AnnualReport, CommentKind, FieldComment, ReportStatus, ValueOrigin
from .prefill import prefill
from .validation import check_errors

YEARS = (2023, 2024, 2025)
OPEN_2025 = ((ReportStatus.DRAFT, 0.05), (ReportStatus.RETURNED, 0.03), (ReportStatus.SUBMITTED, 0.05))
YUAN = 100  # fen


def _draws(carrier_id: int) -> dict[str, float]:
    """Per-carrier shares and levels, the same every year (so years differ by growth, not noise)."""
    r = random.Random(carrier_id * 7919)  # noqa: S311 - demo data, not secrets
    return {
        "staff_per_tenant": r.uniform(0.12, 0.3), "professional": r.uniform(0.72, 0.95),
        "fulltime": r.uniform(0.6, 0.9), "employees": r.uniform(8, 22), "fresh": r.uniform(0.05, 0.12),
        "revenue": r.lognormvariate(14.5, 0.6), "rd": r.uniform(0.05, 0.14), "patents": r.uniform(0.3, 1.2),
        "granted": r.uniform(0.3, 0.6), "applicants": r.uniform(0.3, 0.65), "ip": r.uniform(0.25, 0.5),
        "financed": r.uniform(0.05, 0.2), "deal": r.uniform(1e6, 5e6), "seed": r.uniform(3e6, 2e7),
        "cases": r.randint(0, 6), "events": r.randint(8, 40), "incubation_cases": r.randint(2, 8),
        "income_per_m2": r.uniform(250, 900), "rent": r.uniform(0.4, 0.6), "service": r.uniform(0.15, 0.35),
        "grown": r.uniform(0.2, 0.45), "own_fund": r.uniform(0.0, 0.12), "growth": r.uniform(1.03, 1.18),
    }


def _figures(form, known: dict, d: dict, k: int) -> dict[str, int]:
    """Complete a carrier's year from what the registry knows (`known`) and its draws; k = years since 2023."""
    g = d["growth"] ** k
    v = dict(known)
    tenants = v.get("tenants", 0)
    v.setdefault("workstations", 0)
    if not v.get("staff_total"):
        v["staff_total"] = max(3, round((tenants + 10) * d["staff_per_tenant"]))
        v["staff_professional"] = round(v["staff_total"] * d["professional"])
        v["staff_fulltime"] = round(v["staff_total"] * d["fulltime"])
    v.setdefault("staff_fulltime", round(v["staff_total"] * d["fulltime"]))
    if not v.get("mentors"):
        v["mentors"] = max(1, tenants // 8)
    if not v.get("tenant_employees"):
        v["tenant_employees"] = round(tenants * d["employees"] * g) + 3 * v.get("teams", 0)
    v["fresh_graduates_hired"] = round(v["tenant_employees"] * d["fresh"])
    if not v.get("tenant_revenue_fen"):
        v["tenant_revenue_fen"] = round(tenants * d["revenue"] * g) * YUAN
    if not v.get("tenant_rd_fen"):
        v["tenant_rd_fen"] = round(v["tenant_revenue_fen"] * d["rd"])
    if not v.get("patents_applied"):
        v["patents_applied"] = round(tenants * d["patents"] * g)
        v["patents_granted"] = round(v["patents_applied"] * d["granted"])
    if not v.get("tenants_patent_applicants"):
        v["tenants_patent_applicants"] = round(tenants * d["applicants"])
    if not v.get("tenants_with_ip"):
        v["tenants_with_ip"] = round(tenants * d["ip"])
    if not v.get("firms_financed"):
        v["firms_financed"] = round(tenants * d["financed"])
        v["financing_fen"] = round(v["firms_financed"] * d["deal"]) * YUAN
    if not v.get("seed_fund_fen"):
        v["seed_fund_fen"] = round(d["seed"] / 1e5) * 1e5 * YUAN if tenants >= 10 else 0
    v.setdefault("fund_use_cases", d["cases"])
    v["events"] = round(d["events"] * g)
    v["incubation_cases"] = d["incubation_cases"]
    income = round(v["incubation_area_m2"] * d["income_per_m2"] * g) * YUAN
    v["income_total_fen"] = income
    v["income_rent_fen"] = round(income * d["rent"])
    v["income_service_fen"] = round(income * d["service"])
    if "tenants_grown" in form.fields and not v.get("tenants_grown"):
        v["tenants_grown"] = round(tenants * d["grown"])
    if "tenants_own_fund_equity" in form.fields and not v.get("tenants_own_fund_equity"):
        v["tenants_own_fund_equity"] = round(tenants * d["own_fund"])
    return {c: int(v.get(c, 0)) for c in form.fields}


def _status(carrier_id: int, year: int, pinned_draft: set[int]) -> str:
    if year < YEARS[-1]:
        return ReportStatus.ACCEPTED
    if carrier_id in pinned_draft:
        return ReportStatus.DRAFT
    x = random.Random(carrier_id * 104729).random()  # noqa: S311 - demo data
    for status, share in OPEN_2025:
        if x < share:
            return status
        x -= share
    return ReportStatus.ACCEPTED


def load_statistics(progress=print) -> int:
    """Write the demo reports; returns how many. Call inside the demo's transaction."""
    from fuhua.registry.demo.accounts import OPERATOR_CARRIER

    carriers = {c.pk: c for c in Carrier.objects.only("pk", "name")}  # for the reports' names in the audit
    pinned = set(Carrier.objects.filter(name=OPERATOR_CARRIER).values_list("pk", flat=True))
    now = timezone.now()
    reports, values, comments, inconsistent = [], [], [], 0
    for k, year in enumerate(YEARS):
        form = form_for_year(year)
        known = prefill(form, None, year)
        batch = []
        for carrier_id in carriers:
            figures = _figures(form, known[carrier_id], _draws(carrier_id), k)
            inconsistent += bool(check_errors(form, figures))
            status = _status(carrier_id, year, pinned)
            done = status in (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED, ReportStatus.RETURNED)
            report = AnnualReport(carrier=carriers[carrier_id], year=year, form_code=form.code, status=status,
                                  submitted_at=now if done else None,
                                  accepted_at=now if status == ReportStatus.ACCEPTED else None)
            batch.append((report, figures, known[carrier_id]))
        created = AnnualReport.objects.bulk_create([b[0] for b in batch], batch_size=2000)
        for report, (_, figures, pre) in zip(created, batch, strict=True):
            values += [(report.pk, c, v, ValueOrigin.PREFILL if pre.get(c) == v else ValueOrigin.ENTERED,
                        pre.get(c)) for c, v in figures.items()]
            if report.status == ReportStatus.RETURNED:
                comments.append(FieldComment(report=report, code="tenant_revenue_fen", kind=CommentKind.RETURN,
                                             text="在孵企业总收入与企业年报合计不符，请核对后重新报送。"))
        reports += created
        insert_values(values)
        values = []
    FieldComment.objects.bulk_create(comments, batch_size=2000)
    record_bulk(AnnualReport, "create", reports, reason="demo data")
    progress(f"  annual statistics: {len(reports):,} reports for {len(YEARS)} years"
             + (f" ({inconsistent} inconsistent)" if inconsistent else ""))
    return len(reports)
