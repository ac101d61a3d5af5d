"""The aggregates an instance shares with its parent instead of the records behind them (federation.Figure).

Each group is one table of the exchange (tables.py), set per peer like the others:

- `statistics`: the sum of every figure of the accepted annual statistics (the newest accepted version of each
  carrier's report), per the carrier's region and the report's year: `tenants`, `revenue_fen`, …;
- `evaluations`: the carriers graded in a published evaluation, per grade (`grade_A`, …), region and period;
- `payouts`: the policy payouts as totals (`amount_fen`, `count`), per the payout's region and year paid;
- `vouchers`: vouchers claimed (`claimed`, `face_value_fen`, `settled_fen`), per programme region and year;
- `events`: events held (`held`) and the registrations that came (`attended`), per event region and year.

The groups counted per carrier (`statistics`: the fields of STATISTICS_IN_PARTS; `evaluations`) are also shared
**broken down** by what the steering
metrics' conditions (`where`) ask of a carrier: its kind, its specialisation and its highest recognition level
valid at the end of the figure's year (`breakdown`: "kind=incubator;level=national;specialisation=specialised",
level empty without one), over the carriers that existed that year and are not closed (steering.metrics.Frame.mask).
A parent sums the parts matching a metric's conditions (`matches`); the total (`breakdown` empty) serves the metrics
without conditions, so each figure is counted once either way.

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


# --- the parts per carrier kind, level and specialisation (what a metric's `where` selects) -------------------

BREAKDOWN_KEYS = ("kind", "level", "specialisation")


def breakdown_key(kind: str, level: str, specialisation: str) -> str:
    return f"kind={kind};level={level};specialisation={specialisation}"


def parse_breakdown(key: str) -> dict[str, str]:
    return dict(part.partition("=")[::2] for part in key.split(";") if part)


def matches(where: dict, part: dict[str, str]) -> bool:
    """Whether the carriers of a breakdown are those a metric's conditions select (as Frame.mask does)."""
    from fuhua.registry.models.carrier import LEVEL_RANK

    if where.get("kind") and part.get("kind") not in set(where["kind"]):
        return False
    if where.get("specialisation") and (
            (part.get("specialisation") == "specialised") != (where["specialisation"] == "specialised")):
        return False
    if where.get("level"):
        rank = LEVEL_RANK.get(part.get("level") or "", 0)
        if rank not in {LEVEL_RANK[level] for level in where["level"]}:
            return False
    return True


class _Carriers:
    """Each carrier's breakdown in a year (None: not counted under conditions: established later, or closed)."""

    def __init__(self):
        from fuhua.registry.choices import CarrierStatus
        from fuhua.registry.models import Carrier, Recognition

        self.rows = {pk: (kind, spec, established.year if established else 0, status == CarrierStatus.CLOSED)
                     for pk, kind, spec, established, status in Carrier._base_manager.order_by().values_list(
                         "pk", "kind", "specialisation", "established", "status")}
        self.recognitions = defaultdict(list)
        for carrier, level, granted, valid_until, revoked in Recognition._base_manager.order_by().values_list(
                "carrier_id", "level", "granted_on", "valid_until", "revoked_on"):
            self.recognitions[carrier].append((level, granted, valid_until, revoked))
        self._cache: dict = {}

    def key(self, carrier: int, year: int) -> str | None:
        import datetime

        from fuhua.registry.models.carrier import LEVEL_RANK

        if (carrier, year) not in self._cache:
            row = self.rows.get(carrier)
            if row is None or row[2] > year or row[3]:
                self._cache[(carrier, year)] = None
            else:
                day, top = datetime.date(year, 12, 31), ""
                for level, granted, valid_until, revoked in self.recognitions.get(carrier, ()):
                    active = (valid_until is None or valid_until >= day) and (revoked is None or revoked > day)
                    if granted <= day and active and LEVEL_RANK.get(level, 0) > LEVEL_RANK.get(top, 0):
                        top = level
                self._cache[(carrier, year)] = breakdown_key(row[0], top, row[1])
        return self._cache[(carrier, year)]


# The statistics fields shared in parts: those a steering metric with conditions reads (steering's catalogue:
# `tenants_new_national`; tests/test_shared.py fails when a conditioned metric reads a field not listed). Every
# field in parts would multiply the figures shipped ~10 times (Jiangsu: 9,360 totals; 92,813 parts of all 37
# measures, 2,920 of `tenants_new`). Grades are few: all are shared in parts.
STATISTICS_IN_PARTS = frozenset({"tenants_new"})


def _statistics_parts(carriers: _Carriers) -> dict:
    from fuhua.statistics.models import ReportStatus, ReportValue

    rows = (ReportValue.objects.order_by()
            .filter(report__status=ReportStatus.ACCEPTED, value__isnull=False, code__in=sorted(STATISTICS_IN_PARTS))
            .exclude(report__amendment__status=ReportStatus.ACCEPTED)
            .values_list("report__carrier_id", "report__carrier__region_id", "report__year", "code")
            .annotate(total=Sum("value")))
    out: dict = defaultdict(int)
    for carrier, region, year, code, total in rows:
        part = carriers.key(carrier, year)
        if part is not None and total is not None:
            out[(region, year, code, part)] += total
    return out


def _evaluations_parts(carriers: _Carriers) -> dict:
    from fuhua.evaluation.models import PUBLIC_STATUSES, EvaluationResult

    rows = (EvaluationResult._base_manager.order_by().filter(run__status__in=PUBLIC_STATUSES).exclude(grade="")
            .values_list("carrier_id", "carrier__region_id", "run__period", "grade").distinct())
    out: dict = defaultdict(int)
    for carrier, region, year, grade in rows:
        part = carriers.key(carrier, year)
        if part is not None:
            out[(region, year, f"grade_{grade}", part)] += 1
    return out


PARTS = {FigureGroup.STATISTICS: _statistics_parts, FigureGroup.EVALUATIONS: _evaluations_parts}


COMPUTE = {FigureGroup.STATISTICS: _statistics, FigureGroup.EVALUATIONS: _evaluations,
           FigureGroup.PAYOUTS: _payouts, FigureGroup.VOUCHERS: _vouchers, FigureGroup.EVENTS: _events}


def compute(groups) -> dict[tuple[str, str, int, str, str], int]:
    """(group, region code, year, measure, breakdown) → value of this instance's own data, for the groups asked:
    each total (breakdown "") and, for the groups counted per carrier, its parts."""
    out = {}
    carriers = None
    for group in groups:
        for (region, year, measure), value in COMPUTE[FigureGroup(group)]().items():
            if region and year and value is not None:
                out[(str(group), str(region), int(year), f"{group}:{measure}"[:60], "")] = int(value)
        if FigureGroup(group) in PARTS:
            carriers = carriers or _Carriers()
            for (region, year, measure, part), value in PARTS[FigureGroup(group)](carriers).items():
                if region and year:
                    out[(str(group), str(region), int(year), f"{group}:{measure}"[:60], part)] = int(value)
    known = set(Region.objects.filter(code__in={k[1] for k in out}).values_list("code", flat=True))
    return {k: v for k, v in out.items() if k[1] in known}


def refresh(instance, groups) -> dict[str, int]:
    """Bring this instance's own figures of `groups` up to date: new ones created, changed ones updated (one
    audited save each: few change between two exports), vanished ones set to 0 (a parent then sees the figure
    gone to zero rather than a stale value). Returns the counts."""
    wanted = compute(groups)
    held = {(f.group, f.region_id, f.year, f.measure, f.breakdown): f
            for f in Figure.objects.filter(source=instance.code, group__in=list(groups))}
    counts: dict[str, int] = defaultdict(int)
    new = [Figure(source=instance.code, group=g, region_id=r, year=y, measure=m, breakdown=b, value=v)
           for (g, r, y, m, b), v in wanted.items() if (g, r, y, m, b) not in held]
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
    def totals(user, region, year: int, spec: dict, where: dict | None = None) -> dict[str, float]:
        """The figures of other sources the reader may see, per region (a metric's own records are local): the
        totals for a metric without conditions, the parts matching `where` for one with them (a source whose
        packages carry no parts adds nothing to it)."""
        from django.db.models import Sum

        own = Instance.objects.values_list("code", flat=True).first()
        if own is None:
            return {}
        qs = (Figure.objects.restrict(user, "view").exclude(source=own)
              .filter(year=year, measure__in=MEASURES[kind](spec)))
        if region is not None:
            qs = qs.filter(region.subtree_q("region"))
        if not where:
            return {code: float(total) for code, total in
                    qs.filter(breakdown="").order_by().values_list("region_id").annotate(total=Sum("value")) if total}
        out: dict[str, float] = defaultdict(float)
        parts: dict[str, bool] = {}
        for code, part, total in (qs.exclude(breakdown="").order_by().values_list("region_id", "breakdown")
                                  .annotate(total=Sum("value"))):
            if part not in parts:
                parts[part] = matches(where, parse_breakdown(part))
            if parts[part] and total:
                out[code] += float(total)
        return dict(out)
    return totals


def register_metrics() -> None:
    from fuhua.core.extensions import register_totals

    for kind in MEASURES:
        register_totals(kind, _provider(kind))
