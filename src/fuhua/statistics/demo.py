"""Demo statistics, dated around the demo's today: reports of the last three complete years and the current
year's drafts, consistent with the registry.

Counts the registry knows (area, tenants, new tenants, graduates, mentors, staffing, funds, tenants'
figures, IP, investments) come from the prefill; the rest is drawn per carrier from one seeded
stream, so a carrier's figures grow plausibly year on year. Older years are accepted. The last complete
year is in season until its deadline (31 March: drafts, submissions, returns, first acceptances), then
mostly accepted with a few late submissions awaiting review, returns and overdue drafts. After that
deadline, some carriers have started the current year's report (the demo operator's among them).
Written in bulk.
"""

from __future__ import annotations

import datetime
import random
from zoneinfo import ZoneInfo

from fuhua.core.audit import record_bulk
from fuhua.core.demo import DemoRun
from fuhua.registry.demo.calibration import OPERATOR_CARRIER
from fuhua.registry.demo.context import Sink
from fuhua.registry.models import Carrier

from .bulk import insert_values
from .definitions import all_forms, form_for_year
from .models import AnnualReport, CommentKind, FieldComment, ReportStatus, ValueOrigin
from .prefill import prefill

HISTORY = 3  # complete years with reports
# The last complete year's open reports (share of carriers), before and after its deadline.
IN_SEASON = ((ReportStatus.DRAFT, 0.40), (ReportStatus.RETURNED, 0.04), (ReportStatus.SUBMITTED, 0.26))
AFTER_SEASON = ((ReportStatus.DRAFT, 0.02), (ReportStatus.RETURNED, 0.03), (ReportStatus.SUBMITTED, 0.05))
STARTED_SHARE = 0.15  # carriers that have started the current year's report once last year's deadline passed
YUAN = 100  # fen
SHANGHAI = ZoneInfo("Asia/Shanghai")


def years(today: datetime.date) -> tuple[list[int], int | None]:
    """(complete years with reports, the current year if its reports have started) for `today`."""
    first = min(f.year_from for f in all_forms())
    last = today.year - 1
    complete = [y for y in range(last - HISTORY + 1, last + 1) if y >= first]
    current = today.year if today > form_for_year(last).deadline(last) else None
    return complete, current


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


def _status(carrier_id: int, year: int, today: datetime.date) -> str:
    """A carrier's report status for a complete year (seeded per carrier and year)."""
    if year < today.year - 1:
        return ReportStatus.ACCEPTED
    in_season = today <= form_for_year(year).deadline(year)
    x = random.Random(carrier_id * 104729 + year).random()  # noqa: S311 - demo data
    for status, share in IN_SEASON if in_season else AFTER_SEASON:
        if x < share:
            return status
        x -= share
    return ReportStatus.ACCEPTED


def _moment(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), SHANGHAI)


def _dates(carrier_id: int, year: int, status: str, today: datetime.date):
    """(submitted at, accepted at): submitted in the weeks before the deadline (or late), accepted after."""
    if status == ReportStatus.DRAFT:
        return None, None
    r = random.Random(carrier_id * 31 + year)  # noqa: S311 - demo data
    deadline = form_for_year(year).deadline(year)
    latest = min(today, deadline + datetime.timedelta(days=120 if status == ReportStatus.SUBMITTED else 0))
    submitted = max(datetime.date(year + 1, 1, 5), latest - datetime.timedelta(days=r.randint(0, 75)))
    submitted = min(submitted, today)
    if status != ReportStatus.ACCEPTED:
        return _moment(submitted), None
    accepted = min(today, submitted + datetime.timedelta(days=r.randint(3, 40)))
    return _moment(submitted), _moment(accepted, 15)


def _plan(carrier_ids, pinned: set[int], today: datetime.date) -> list[tuple[int, int, str]]:
    """(carrier, year, status) of every report to write."""
    complete, current = years(today)
    due = current or complete[-1] if complete else None
    out = []
    for year in complete:
        for pk in carrier_ids:
            status = ReportStatus.DRAFT if pk in pinned and year == due else _status(pk, year, today)
            out.append((pk, year, status))
    if current:
        for pk in carrier_ids:
            if pk in pinned or random.Random(pk * 7 + current).random() < STARTED_SHARE:  # noqa: S311
                out.append((pk, current, ReportStatus.DRAFT))
    return out


def load_statistics(run: DemoRun) -> int:
    """Write the demo reports; returns how many. Runs inside the demo's transaction."""
    today = run.today
    carriers = {c.pk: c for c in Carrier.objects.only("pk", "name")}  # for the reports' names in the audit
    pinned = set(Carrier.objects.filter(name=OPERATOR_CARRIER).values_list("pk", flat=True))
    planned = _plan(list(carriers), pinned, today)
    by_year: dict[int, list[tuple[int, str]]] = {}
    for pk, year, status in planned:
        by_year.setdefault(year, []).append((pk, status))
    run.begin(len(planned))
    first = min(by_year) if by_year else today.year
    reports, comments, sink = [], [], Sink()
    for year, rows in sorted(by_year.items()):
        form = form_for_year(year)
        known = prefill(form, [pk for pk, _ in rows] if len(rows) < len(carriers) else None, year)
        batch = []
        for carrier_id, status in rows:
            figures = _figures(form, known[carrier_id], _draws(carrier_id), year - first)
            submitted, accepted = _dates(carrier_id, year, status, today)
            report = AnnualReport(carrier=carriers[carrier_id], year=year, form_code=form.code, status=status,
                                  submitted_at=submitted, accepted_at=accepted)
            batch.append((report, figures, known[carrier_id]))
        created = [b[0] for b in batch]
        sink.save(AnnualReport, created)  # numbered and written without bulk_create's per-field preparation
        values = []
        for report, (_, figures, pre) in zip(created, batch, strict=True):
            values += [(report.pk, c, v, ValueOrigin.PREFILL if pre.get(c) == v else ValueOrigin.ENTERED,
                        pre.get(c)) for c, v in figures.items()]
            if report.status == ReportStatus.RETURNED:
                comments.append(FieldComment(report=report, code="tenant_revenue_fen", kind=CommentKind.RETURN,
                                             text="在孵企业总收入与企业年报合计不符，请核对后重新报送。"))
        reports += created
        insert_values(values)
        run.advance(len(rows))
    sink.save(FieldComment, comments)
    sink.finish()
    record_bulk(AnnualReport, "create", reports, reason="demo data")
    submitted = sum(r.status == ReportStatus.SUBMITTED for r in reports)
    run.note(f"annual statistics: {len(reports):,} reports for {', '.join(map(str, sorted(by_year)))}, "
             f"{submitted:,} awaiting review")
    return len(reports)
