"""Aggregates for the dashboards at national scale: every dashboard metric for the nation, each province and each
prefecture city and the last years, rebuilt from scratch by the periodic task `steering.refresh` (one pass
over the country's data, grouped by region-code prefix) and read per request from one indexed table.

Pages built on these say how fresh they are (`computed_at`); nothing scans the population per request.
"""

from __future__ import annotations

import datetime
import time
from collections import defaultdict

import numpy as np
from django.db import connection, transaction
from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from fuhua.core.bulk import among_pks
from fuhua.core.db_router import replica_alias
from fuhua.core.system import SYSTEM
from fuhua.incubation import lifecycle
from fuhua.incubation.models import Incubation, IncubationStatus
from fuhua.policies.models import Payout
from fuhua.registry.models import Firm, Recognition
from fuhua.registry.models.carrier import LEVEL_RANK

from .metrics import Frame, catalogue
from .models import Aggregate

NATION = "000000"
YEARS = 6  # the last complete years kept
DASHBOARD_METRICS = (
    "carriers", "incubators", "maker_spaces", "national_carriers", "provincial_plus_carriers", "new_provincial_plus",
    "specialised_carriers", "specialised_share", "tenants", "tenants_new", "tenant_employees",
    "fresh_graduates_hired", "financing_fen", "entered", "incubating", "grade_a", "graded", "grade_a_share",
    "payouts_fen", "chain_coverage", "carriers_growth", "new_provincial_plus_specialised", "tenants_new_national",
    "vouchers_offered_fen", "vouchers_claimed_fen", "vouchers_redeemed_fen", "events_held", "event_attendance",
)


def years_of(today: datetime.date) -> list[int]:
    last = today.year - 1
    return list(range(last - YEARS + 1, last + 1))


def _keys(codes: list[str]) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """For prefix lengths 2, 4 and 6: (distinct region keys, each carrier's index into them)."""
    out = {}
    for length in (2, 4, 6):
        keys = np.array([c[:length].ljust(6, "0") for c in codes], dtype=object)
        distinct, inverse = np.unique(keys, return_inverse=True) if len(keys) else (np.array([]), np.array([]))
        out[length] = (distinct, inverse)
    return out


def region_values(frame: Frame, code: str, year: int, keys, done: dict) -> dict[str, float]:
    """code → {region code: value} for the nation, provinces, prefectures and counties."""
    metric = catalogue()[code]
    out: dict[str, float] = {}
    if metric.kind in ("share", "change"):
        if metric.kind == "share":
            num = done.get((metric.spec["numerator"], year)) or region_values(
                frame, metric.spec["numerator"], year, keys, done)
            den = done.get((metric.spec["denominator"], year)) or region_values(
                frame, metric.spec["denominator"], year, keys, done)
            return {k: round(100.0 * num.get(k, 0.0) / v, 1) for k, v in den.items() if v}
        now = done.get((metric.spec["of"], year)) or region_values(frame, metric.spec["of"], year, keys, done)
        before = (done.get((metric.spec["of"], year - 1))
                  or region_values(frame, metric.spec["of"], year - 1, keys, done))
        return {k: v - before.get(k, 0.0) for k, v in now.items()} if before else {}
    if metric.kind == "payouts":
        totals: dict[str, float] = defaultdict(float)
        rows = (Payout.objects.restrict(SYSTEM, "view").filter(paid_on__year=year).order_by()
                .values_list("region_code").annotate(s=Sum("amount_fen")))
        for region_code, amount in rows:
            totals[NATION] += amount
            totals[region_code[:2].ljust(6, "0")] += amount
            totals[region_code[:4].ljust(6, "0")] += amount
            if region_code[4:] != "00":
                totals[region_code] += amount
        return dict(totals)
    if metric.kind == "records":  # another app's rows (vouchers, events), grouped by region code in the database
        totals = defaultdict(float)
        for region_code, n in frame.records_by_region(metric, year):
            for key in {NATION, region_code[:2].ljust(6, "0"), region_code[:4].ljust(6, "0"), region_code}:
                totals[key] += n
        return dict(totals)
    if metric.kind == "coverage":
        kinds = set(metric.spec.get("kinds") or [])
        present: dict[str, set] = defaultdict(set)
        for i in np.flatnonzero(frame.existing(year)):
            present[frame.region_ids[i]].add(frame.kinds[i])
        total: dict[str, int] = defaultdict(int)
        covered: dict[str, int] = defaultdict(int)
        for county in frame.counties():
            ok = kinds <= present.get(county, set())
            for key in (NATION, county[:2].ljust(6, "0"), county[:4].ljust(6, "0"), county):
                total[key] += 1
                covered[key] += ok
        return {k: round(100.0 * covered[k] / n, 1) for k, n in total.items() if n}
    weights = frame.weights(metric, year)
    if weights is None:
        return {}
    out[NATION] = float(weights.sum())
    for length in (2, 4, 6):
        distinct, inverse = keys[length]
        sums = np.bincount(inverse, weights=weights, minlength=len(distinct)) if len(distinct) else []
        out.update({str(k): float(v) for k, v in zip(distinct, sums, strict=True)})
    return out


NOW = 0  # the `year` of the figures as of the rebuild's day (the start page's counts), beside the complete years


def _rollup(out: dict, code: str, metric: str, n: float) -> None:
    """Add n to the nation, the province, the prefecture and (for a county) the county of region `code`."""
    keys = {NATION, code[:2].ljust(6, "0"), code[:4].ljust(6, "0"), code}
    for key in keys:
        out[(key, metric)] = out.get((key, metric), 0.0) + n


def current_figures(frame: Frame, today: datetime.date) -> dict[tuple[str, str], float]:
    """The start page's counts as of `today`, per region: carriers (all, by kind, by highest recognition
    active today), firms, tenants incubating now and graduated this year. Keys (region code, metric)."""
    out: dict[tuple[str, str], float] = {}
    rank = np.zeros(len(frame.ids), dtype=np.int64)
    active = Recognition.objects.restrict(SYSTEM, "view").active(today).values_list("carrier_id", "level")
    for carrier_id, level in active:
        i = frame.position.get(int(carrier_id))
        if i is not None:
            rank[i] = max(rank[i], LEVEL_RANK[level])
    level_of = {r: level for level, r in LEVEL_RANK.items()}
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for code, kind, r in zip(frame.region_ids, frame.kinds, rank, strict=True):
        counts[(code, "now.carriers")] += 1
        counts[(code, f"now.kind.{kind}")] += 1
        counts[(code, f"now.level.{level_of.get(int(r), 'none')}")] += 1
    for (code, metric), n in counts.items():
        _rollup(out, code, metric, n)
    firms = Firm.objects.restrict(SYSTEM, "view").order_by().values_list("region_id").annotate(n=Count("pk"))
    for code, n in firms:
        _rollup(out, code, "now.firms", n)
    tenancies = (Incubation.objects.restrict(SYSTEM, "view").order_by().values_list("carrier__region_id").annotate(
        incubating=Count("pk", filter=Q(status=IncubationStatus.INCUBATING)),
        graduated=Count("pk", filter=Q(status=IncubationStatus.GRADUATED, left_on__year=today.year))))
    for code, incubating, graduated in tenancies:
        _rollup(out, code, "now.incubating", incubating)
        _rollup(out, code, "now.graduated", graduated)
    # What needs attention (the rules engine over every tenant: seconds for a country, so here, not per request):
    # tenants meeting a graduation condition, tenants past the time limit.
    found = lifecycle.attention(SYSTEM, today)
    for metric, ids in (("now.attention.graduation", found.graduation), ("now.attention.overdue", found.overdue)):
        _rollup(out, NATION, metric, 0)  # present at 0 when nothing is flagged
        flagged = among_pks(Incubation.objects.order_by(), ids).values_list("carrier__region_id").annotate(
            n=Count("pk"))
        for code, n in flagged:
            _rollup(out, code, metric, n)
    return out


def rebuild(today: datetime.date | None = None) -> dict:
    """Recompute every aggregate from scratch; returns {rows, seconds}."""
    started = time.perf_counter()
    today = today or timezone.localdate()
    now = timezone.now()
    frame = Frame(SYSTEM, None)
    keys = _keys(frame.region_ids)
    done: dict = {}
    for year in years_of(today):
        for code in DASHBOARD_METRICS:
            done[(code, year)] = region_values(frame, code, year, keys, done)
    rows = [Aggregate(region_code=region_code, year=year, metric=code, value=float(value), computed_at=now)
            for (code, year), values in done.items() for region_code, value in values.items()
            if code in DASHBOARD_METRICS and year in years_of(today)]
    rows += [Aggregate(region_code=region_code, year=NOW, metric=code, value=float(value), computed_at=now)
             for (region_code, code), value in current_figures(frame, today).items()]
    with transaction.atomic():
        with connection.cursor() as cursor:  # derived rows, replaced whole: no per-row audit (see the model)
            cursor.execute(f"DELETE FROM {Aggregate._meta.db_table}")  # noqa: S608 (a constant table name)
        Aggregate.objects.bulk_create(rows, batch_size=2000)
    return {"rows": len(rows), "seconds": round(time.perf_counter() - started, 2)}


def freshness() -> datetime.datetime | None:
    return Aggregate.objects.aggregate(at=Max("computed_at"))["at"]


def read_page(region_code: str, child_codes: list[str], metric: str) -> tuple[dict, dict, datetime.datetime | None]:
    """One query for a dashboard: the region's metrics by year, its children's `metric` (every year; the caller
    picks one), and when they were computed."""
    values: dict[str, dict[int, float]] = defaultdict(dict)
    children: dict[int, dict[str, float]] = defaultdict(dict)
    at = None
    rows = Aggregate.objects.using(replica_alias()).filter(  # the complete years; the start page's counts: current()
        Q(region_code=region_code) | Q(region_code__in=child_codes, metric=metric), year__gt=NOW).values_list(
        "region_code", "metric", "year", "value", "computed_at")
    for code, name, year, value, computed_at in rows:
        at = computed_at if at is None or computed_at > at else at
        if code == region_code:
            values[name][year] = value
        if code in child_codes and name == metric:
            children[year][code] = value
    return dict(values), dict(children), at


def read(region_code: str, metrics=DASHBOARD_METRICS) -> dict[str, dict[int, float]]:
    """metric → year → value for one region (NATION for the country)."""
    out: dict[str, dict[int, float]] = defaultdict(dict)
    rows = Aggregate.objects.using(replica_alias()).filter(region_code=region_code, metric__in=list(metrics))
    for metric, year, value in rows.values_list("metric", "year", "value"):
        out[metric][year] = value
    return dict(out)


def current(region_code: str, child_codes: list[str]) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """The start page's counts as of the last rebuild (one indexed query): the region's metric → value, and
    each child's metric → value."""
    mine: dict[str, float] = {}
    children: dict[str, dict[str, float]] = defaultdict(dict)
    rows = Aggregate.objects.using(replica_alias()).filter(
        Q(region_code=region_code) | Q(region_code__in=child_codes), year=NOW,
    ).values_list("region_code", "metric", "value")
    for code, metric, value in rows:
        if code == region_code:
            mine[metric] = value
        else:
            children[code][metric] = value
    return mine, dict(children)
