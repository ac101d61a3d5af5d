"""The aggregates an instance shares with its parent instead of the records behind them (federation.Figure).

Each group is one table of the exchange (tables.py), set per peer like the others:

- `statistics`: the sum of every figure of the accepted annual statistics (the newest accepted version of each
  carrier's report), per the carrier's region and the report's year: `tenants`, `revenue_fen`, …;
- `evaluations`: the carriers graded in a published evaluation, per grade (`grade_A`, …), region and period;
- `payouts`: the policy payouts as totals (`amount_fen`, `count`), per the payout's region and year paid;
- `vouchers`: vouchers claimed (`claimed`, `face_value_fen`, `settled_fen`), per programme region and year;
- `events`: events held (`held`) and the registrations that came (`attended`), per event region and year.

No person, firm, account or bank detail is in a figure: a region, a year, a measure and an integer. An instance
computes its own before each export (`refresh`, audited like every write: the feed carries what changed); the
figures of other sources are copies received with packages and are never recomputed here.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, F, Sum
from django.db.models.functions import Coalesce, ExtractYear

from fuhua.core.audit import record_bulk
from fuhua.registry.models import Region

from .models import Figure, FigureGroup, Instance


def _statistics() -> dict:
    from fuhua.statistics.models import ReportStatus, ReportValue

    rows = (ReportValue.objects.order_by()
            .filter(report__status=ReportStatus.ACCEPTED, value__isnull=False)
            .exclude(report__amendment__status=ReportStatus.ACCEPTED)  # an accepted amendment replaces it
            .values_list("report__carrier__region_id", "report__year", "code").annotate(total=Sum("value")))
    return {(region, year, code): total for region, year, code, total in rows}


def _evaluations() -> dict:
    from fuhua.evaluation.models import PUBLIC_STATUSES, EvaluationResult

    rows = (EvaluationResult._base_manager.order_by().filter(run__status__in=PUBLIC_STATUSES).exclude(grade="")
            .values_list("carrier__region_id", "run__period", "grade").annotate(n=Count("carrier", distinct=True)))
    return {(region, year, f"grade_{grade}"): n for region, year, grade, n in rows}


def _payouts() -> dict:
    from fuhua.policies.models import Payout

    out = {}
    rows = (Payout._base_manager.order_by().annotate(year=ExtractYear("paid_on"))
            .values_list("region_code", "year").annotate(total=Sum("amount_fen"), n=Count("id")))
    for region, year, total, n in rows:
        out[(region, year, "amount_fen")] = total
        out[(region, year, "count")] = n
    return out


def _vouchers() -> dict:
    from fuhua.vouchers.models import Voucher

    out = {}
    rows = (Voucher._base_manager.order_by().annotate(year=ExtractYear("claimed_at"))
            .values_list("batch__programme__region_id", "year")
            .annotate(n=Count("id"), face=Sum("face_value_fen"), settled=Sum("settled_fen")))
    for region, year, n, face, settled in rows:
        out[(region, year, "claimed")] = n
        out[(region, year, "face_value_fen")] = face or 0
        out[(region, year, "settled_fen")] = settled or 0
    return out


def _events() -> dict:
    from fuhua.events.models import Event, EventStatus, Registration, RegistrationStatus

    out = {}
    held = (Event._base_manager.order_by().filter(status=EventStatus.HELD)
            .annotate(where=Coalesce("region_id", "carrier__region_id"), year=ExtractYear("starts_at"))
            .values_list("where", "year").annotate(n=Count("id")))
    for region, year, n in held:
        out[(region, year, "held")] = n
    came = (Registration._base_manager.order_by().filter(status=RegistrationStatus.ATTENDED)
            .annotate(where=Coalesce(F("event__region_id"), F("event__carrier__region_id")),
                      year=ExtractYear("event__starts_at"))
            .values_list("where", "year").annotate(n=Count("id")))
    for region, year, n in came:
        out[(region, year, "attended")] = n
    return out


COMPUTE = {FigureGroup.STATISTICS: _statistics, FigureGroup.EVALUATIONS: _evaluations,
           FigureGroup.PAYOUTS: _payouts, FigureGroup.VOUCHERS: _vouchers, FigureGroup.EVENTS: _events}


def compute(groups) -> dict[tuple[str, str, int, str], int]:
    """(group, region code, year, measure) → value of this instance's own data, for the groups asked."""
    out = {}
    for group in groups:
        for (region, year, measure), value in COMPUTE[FigureGroup(group)]().items():
            if region and year and value is not None:
                out[(str(group), str(region), int(year), f"{group}:{measure}"[:60])] = int(value)
    known = set(Region.objects.filter(code__in={k[1] for k in out}).values_list("code", flat=True))
    return {k: v for k, v in out.items() if k[1] in known}


def refresh(instance, groups) -> dict[str, int]:
    """Bring this instance's own figures of `groups` up to date: new ones created, changed ones updated (one
    audited save each: few change between two exports), vanished ones set to 0 (a parent then sees the figure
    gone to zero rather than a stale value). Returns the counts."""
    wanted = compute(groups)
    held = {(f.group, f.region_id, f.year, f.measure): f
            for f in Figure.objects.filter(source=instance.code, group__in=list(groups))}
    counts: dict[str, int] = defaultdict(int)
    new = [Figure(source=instance.code, group=g, region_id=r, year=y, measure=m, value=v)
           for (g, r, y, m), v in wanted.items() if (g, r, y, m) not in held]
    if new:
        new = Figure.objects.bulk_create(new, batch_size=500)
        record_bulk(Figure, "create", new)
        counts["created"] = len(new)
    for key, figure in held.items():
        value = wanted.get(key, 0)
        if figure.value != value:
            figure.value = value
            figure.save(update_fields=["value", "updated_at"])
            counts["updated"] += 1
    return dict(counts)


# --- the steering metrics at a parent: the figures received added to the local records' ---------------------

MEASURES = {
    "statistic": lambda spec: [f"statistics:{spec['field']}"],
    "grades": lambda spec: [f"evaluations:grade_{grade}" for grade in spec.get("grades") or []],
    "payouts": lambda spec: ["payouts:amount_fen"],
}


def _provider(kind: str):
    def totals(user, region, year: int, spec: dict) -> dict[str, float]:
        """The figures of other sources the reader may see, per region (a metric's own records are local)."""
        from django.db.models import Sum

        own = Instance.objects.values_list("code", flat=True).first()
        if own is None:
            return {}
        qs = (Figure.objects.restrict(user, "view").exclude(source=own)
              .filter(year=year, measure__in=MEASURES[kind](spec)))
        if region is not None:
            qs = qs.filter(region.subtree_q("region"))
        return {code: float(total) for code, total in
                qs.order_by().values_list("region_id").annotate(total=Sum("value")) if total}
    return totals


def register_metrics() -> None:
    from fuhua.core.extensions import register_totals

    for kind in MEASURES:
        register_totals(kind, _provider(kind))
