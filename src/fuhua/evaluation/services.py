"""Evaluation services: create and score runs (from a checksummed snapshot), persist results, compare,
reproduce. Other apps (policies) read grades only through `published_grades`. Expert review and appeals
are in `review.py`, scorecards in `explain.py`.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import dataclass

import numpy as np
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fuhua.core import services as core
from fuhua.core.audit import record_bulk
from fuhua.core.bulk import insert_rows
from fuhua.core.context import acting_for
from fuhua.core.exceptions import Conflict
from fuhua.core.workflow import workflow_for

from . import compute
from .inputs import InputTable, checksum, gather
from .models import (
    GRADE_ORDER,
    Appeal,
    AppealStatus,
    EvaluationResult,
    EvaluationRun,
    ExpertScore,
    IndicatorScore,
    RunSnapshot,
    RunStatus,
)
from .scheme import Scheme, get_scheme

RESULT_FIELDS = ("category", "completeness", "quantitative_milli", "qualitative_milli", "bonus_milli", "total_milli",
                 "rank", "grade", "veto_reason", "incomplete", "missing")


def published_grades(period: int, carrier_ids=None, scheme: str | None = None) -> dict[int, str]:
    """carrier id → grade of its latest published (or appeal-closed) run for `period`.

    A later run for the same carrier and period (a re-run after appeals) replaces an earlier one.
    """
    results = EvaluationResult.objects.filter(
        run__period=period, run__status__in=[RunStatus.PUBLISHED, RunStatus.CLOSED]
    ).exclude(grade="")
    if scheme:
        results = results.filter(run__scheme=scheme)
    if carrier_ids is not None:
        results = results.filter(carrier_id__in=list(carrier_ids))
    grades: dict[int, str] = {}
    for carrier_id, grade in results.order_by("run__published_at", "run_id").values_list("carrier_id", "grade"):
        grades[carrier_id] = grade
    return grades


def sees_expert_scores(user) -> bool:
    """Bureaus and experts see each expert's score and comment; carriers see the aggregate only."""
    from fuhua.accounts.roles import Role, roles_of

    return bool(roles_of(user) & {Role.ADMIN, Role.BUREAU, Role.EXPERT})


def scheme_of(run: EvaluationRun) -> Scheme:
    return get_scheme(run.scheme, version=run.scheme_version)


# --- creating a run ------------------------------------------------------------------------------


def create_run(user, scheme_id: str, period: int, region, appeal_deadline=None) -> EvaluationRun:
    """A draft run of the scheme version in force at the end of `period`, for carriers under `region`."""
    try:
        scheme = get_scheme(scheme_id, period)
    except KeyError as exc:
        raise ValidationError({"scheme": str(exc.args[0])}) from None
    data = {"scheme": scheme.id, "scheme_version": scheme.version, "period": period, "region": region,
            "appeal_deadline": appeal_deadline}
    if getattr(user, "pk", None):
        data["created_by"] = user
    return core.create_object(user, EvaluationRun, data)


def population_ids(scheme: Scheme, region, period: int) -> list[int]:
    """Operating carriers of the scheme's kinds under `region`; with `recognition` levels, only those holding
    such a recognition (not revoked) at the end of the period, e.g. a provincial evaluation of provincial
    and national incubators."""
    from django.db.models import Q

    from fuhua.registry.models import Carrier, Recognition

    carriers = Carrier.objects.filter(region.subtree_q("region"), kind__in=scheme.kinds, status="operating")
    if scheme.recognition:
        end = scheme.as_of(period)
        recognised = Recognition.objects.filter(level__in=scheme.recognition, granted_on__lte=end).filter(
            Q(revoked_on__isnull=True) | Q(revoked_on__gt=end))
        carriers = carriers.filter(pk__in=recognised.values("carrier_id"))
    return sorted(carriers.values_list("pk", flat=True))


# --- scoring -------------------------------------------------------------------------------------


def load_inputs(run: EvaluationRun) -> InputTable:
    """The run's snapshot, after checking its checksum."""
    snapshot = run.snapshot
    data = bytes(snapshot.data)
    if checksum(data) != snapshot.sha256:
        raise Conflict(_("The snapshot of this run does not match its checksum; it was altered."))
    return InputTable.from_bytes(data)


def corrections_of(run: EvaluationRun) -> dict[int, dict[str, int]]:
    out: dict[int, dict[str, int]] = {}
    for carrier_id, values in (Appeal.objects.filter(result__run=run, status=AppealStatus.UPHELD)
                               .order_by("decided_at", "pk").values_list("result__carrier_id", "corrections")):
        out.setdefault(carrier_id, {}).update({k: int(v) for k, v in (values or {}).items()})
    return out


def qualitative_scores(run: EvaluationRun, scheme: Scheme, carrier_ids: np.ndarray) -> dict[str, np.ndarray]:
    """Aggregated expert scores (milli) per qualitative indicator, aligned with `carrier_ids`."""
    collected: dict[tuple[int, str], list[int]] = {}
    for carrier_id, indicator, value in ExpertScore.objects.filter(assignment__run=run).values_list(
            "assignment__result__carrier_id", "indicator", "score_milli"):
        collected.setdefault((carrier_id, indicator), []).append(value)
    out = {i.code: np.full(len(carrier_ids), compute.NOT_REVIEWED, np.int64) for i in scheme.qualitative}
    for (carrier_id, indicator), values in collected.items():
        if indicator in out:
            row = int(np.searchsorted(carrier_ids, carrier_id))
            if row < len(carrier_ids) and carrier_ids[row] == carrier_id:
                out[indicator][row] = compute.aggregate_expert_scores(values, scheme.aggregate, scheme.trim)
    return out


def outcome_of(run: EvaluationRun, scheme: Scheme | None = None) -> compute.Outcome:
    """Re-score the run from its snapshot, the upheld appeals' corrections and the expert scores."""
    scheme = scheme or scheme_of(run)
    inputs = load_inputs(run).with_corrections(corrections_of(run))
    return compute.score(scheme, inputs, run.period, qualitative_scores(run, scheme, inputs.carrier_ids))


def take_snapshot(run: EvaluationRun, scheme: Scheme) -> RunSnapshot:
    inputs = gather(scheme, population_ids(scheme, run.region, run.period), run.period)
    data = inputs.to_bytes()
    return RunSnapshot.objects.create(run=run, data=data, sha256=checksum(data), carriers=len(inputs),
                                      fields=len(inputs.columns))


def compute_run(run: EvaluationRun) -> list[dict]:
    """Score the run (snapshotting its inputs the first time) and store the results; returns the changes."""
    scheme = scheme_of(run)
    if not RunSnapshot.objects.filter(run=run).exists():
        take_snapshot(run, scheme)
    outcome = outcome_of(run, scheme)
    changes = persist(run, scheme, outcome)
    run.computed_at = timezone.now()
    run.scheme_sha256 = scheme.sha256
    run.previous = previous_run(run)
    return changes


def _veto_text(scheme: Scheme, codes: list[str]) -> str:
    return "；".join(scheme.vetoes[c].reason_zh for c in codes)[:300]


def result_values(scheme: Scheme, outcome: compute.Outcome, row: int) -> dict:
    incomplete = bool(outcome.incomplete[row])
    return {
        "category": str(outcome.category[row]),
        "completeness": int(outcome.completeness[row]),
        "quantitative_milli": int(outcome.quantitative[row]),
        "qualitative_milli": int(outcome.qualitative[row]),
        "bonus_milli": int(outcome.bonus[row]),
        "total_milli": None if incomplete else int(outcome.total[row]),
        "rank": int(outcome.rank[row]) or None,
        "grade": str(outcome.grade[row]),
        "veto_reason": _veto_text(scheme, outcome.vetoes_at(row)),
        "incomplete": incomplete,
        "missing": outcome.missing_at(row),
    }


INDICATOR_COLUMNS = ("result_id", "indicator", "raw", "available", "permille", "weight_milli", "points_milli")


def _indicator_rows(scheme: Scheme, outcome: compute.Outcome, result_ids: np.ndarray) -> list[tuple]:
    """One row per result and indicator (INDICATOR_COLUMNS), result by result: rows of one result sit
    together in the table and its result_id index grows at the end instead of in 30 places."""
    per_code = []
    ids = result_ids.tolist()
    for code in list(scheme.indicators) + list(scheme.bonuses):
        if code in scheme.bonuses:
            raw = np.asarray(outcome.points[code], np.float64) / 1000
            available, perm, weight = np.ones(len(ids), bool), np.zeros(len(ids), np.int64), raw * 0
        else:
            raw, available = outcome.raw[code], outcome.available[code]
            perm, weight = outcome.permille[code], outcome.weight[code]
        points = outcome.points[code]
        raw_list = np.where(np.isfinite(raw), raw, np.nan).tolist()
        raw_list = [None if v != v else v for v in raw_list]  # NaN and ±inf: no value
        per_code.append(zip(ids, [code] * len(ids), raw_list, available.tolist(), perm.tolist(),
                            np.asarray(weight, np.int64).tolist(), points.tolist(), strict=True))
    return [row for rows in zip(*per_code, strict=True) for row in rows]


def _write_indicator_scores(run: EvaluationRun, scheme: Scheme, outcome: compute.Outcome, result_ids,
                            replace: bool) -> None:
    # Raw SQL both ways: the ORM's delete would load every row (the audit signals listen to deletes) and
    # bulk_create would build half a million model instances; neither adds anything for derived rows.
    # Table names come from the models' Meta, values are parameters: nothing user-supplied is formatted in.
    table, results = IndicatorScore._meta.db_table, EvaluationResult._meta.db_table
    if replace:  # a re-scoring: the first computation has nothing to delete
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE result_id IN (SELECT id FROM {results} WHERE run_id = %s)",  # noqa: S608
                           [run.pk])
    insert_rows(IndicatorScore, list(INDICATOR_COLUMNS), _indicator_rows(scheme, outcome, result_ids))


def _insert_results(run: EvaluationRun, rows: list[tuple[int, dict]]) -> dict[int, int]:
    """First computation (or carriers new to a re-scoring): results written with multi-row inserts (the
    ORM's bulk_create spends seconds preparing 16,000 objects) and audited in bulk (`record_bulk`), each
    entry naming its carrier. Returns carrier id → result id."""
    now = timezone.now()
    fields = ["run_id", "carrier_id", *RESULT_FIELDS, "created_at", "updated_at"]
    insert_rows(EvaluationResult, fields, [
        (run.pk, carrier_id, *[json.dumps(v[f]) if f == "missing" else v[f] for f in RESULT_FIELDS], now, now)
        for carrier_id, v in rows])
    new = {carrier_id for carrier_id, _v in rows}
    # str() of a result names its carrier and run: the carrier's name comes with the results, the run is given.
    created = [r for r in EvaluationResult.objects.filter(run=run).select_related("carrier").only(
        *[f.name for f in EvaluationResult._meta.concrete_fields], "carrier__id", "carrier__name")
        if r.carrier_id in new]
    for result in created:
        result.run = run
    record_bulk(EvaluationResult, "create", created, _("computed"))
    return {r.carrier_id: r.pk for r in created}


@transaction.atomic
def persist(run: EvaluationRun, scheme: Scheme, outcome: compute.Outcome) -> list[dict]:
    """Create the run's results (first computation) or update those that changed; returns
    [{carrier, field, before, after}] for every changed field (appeal decisions record it)."""

    existing = {r.carrier_id: r for r in EvaluationResult.objects.filter(run=run).select_related("carrier")}
    changes: list[dict] = []
    created, updated = [], []
    for row, carrier_id in enumerate(outcome.carrier_ids.tolist()):
        values = result_values(scheme, outcome, row)
        result = existing.get(carrier_id)
        if result is None:
            created.append((carrier_id, values))
            continue
        diff = [(f, getattr(result, f), v) for f, v in values.items() if getattr(result, f) != v]
        if diff:
            for name, before, after in diff:
                setattr(result, name, after)
                changes.append({"carrier": carrier_id, "field": name, "before": before, "after": after})
            updated.append(result)
    ids = {carrier_id: r.pk for carrier_id, r in existing.items()}
    if created:
        ids.update(_insert_results(run, created))
    if updated:
        now = timezone.now()
        for r in updated:
            r.updated_at = now
        EvaluationResult.objects.bulk_update(updated, [*RESULT_FIELDS, "updated_at"], batch_size=2000)
        record_bulk(EvaluationResult, "update", updated, _("re-scored"))
    result_ids = np.array([ids[c] for c in outcome.carrier_ids.tolist()], np.int64)
    _write_indicator_scores(run, scheme, outcome, result_ids, replace=bool(existing))
    return changes


def transition(user, run: EvaluationRun, name: str, reason: str = "") -> EvaluationRun:
    # The run's workflow (evaluation.workflow, registered with core.workflow) sits above this module: its
    # effects call compute_run and scheme_of here.
    with acting_for(user):  # the effects write results in bulk; their audit entries name the user too
        return workflow_for(run).apply(user, run, name, reason=reason)


# --- reading a run -------------------------------------------------------------------------------


def previous_run(run: EvaluationRun) -> EvaluationRun | None:
    """The latest published run of the same scheme id and region before this one (earlier period first)."""
    earlier = EvaluationRun.objects.filter(scheme=run.scheme, region=run.region,
                                           status__in=[RunStatus.PUBLISHED, RunStatus.CLOSED]).exclude(pk=run.pk)
    earlier = earlier.filter(period__lte=run.period).order_by("-period", "-published_at", "-pk")
    return earlier.first()


def distribution(run: EvaluationRun) -> dict:
    counts = Counter(EvaluationResult.objects.filter(run=run).values_list("grade", flat=True))
    incomplete = EvaluationResult.objects.filter(run=run, incomplete=True).count()
    graded = sum(counts[g] for g in GRADE_ORDER)
    vetoed = EvaluationResult.objects.filter(run=run).exclude(veto_reason="").count()
    return {"grades": {g: counts[g] for g in GRADE_ORDER}, "graded": graded, "incomplete": incomplete,
            "vetoed": vetoed, "total": graded + counts[""]}


@dataclass
class Comparison:
    previous: EvaluationRun | None
    matrix: dict  # (before, after) → count; "" = not in the previous run
    up: int
    down: int
    same: int
    movers: list  # (carrier name, before, after), largest moves first


def compare(run: EvaluationRun, limit: int = 50, *, user=None) -> Comparison:
    """Grades against the previous published run; with `user`, only the results that user may view
    (an expert its assigned results, an operator its own carriers'), None: the system, every result."""
    previous = run.previous or previous_run(run)
    if previous is None:
        return Comparison(None, {}, 0, 0, 0, [])
    before = dict(EvaluationResult.objects.filter(run=previous).exclude(grade="").values_list("carrier_id", "grade"))
    matrix: Counter = Counter()
    movers = []
    up = down = same = 0
    current = EvaluationResult.objects.filter(run=run) if user is None else \
        EvaluationResult.objects.restrict(user, "view").filter(run=run)
    for carrier_id, name, grade in current.exclude(grade="").values_list("carrier_id", "carrier__name", "grade"):
        old = before.get(carrier_id, "")
        matrix[(old, grade)] += 1
        if not old:
            continue
        step = GRADE_ORDER.index(old) - GRADE_ORDER.index(grade)
        up, down, same = up + (step > 0), down + (step < 0), same + (step == 0)
        if step:
            movers.append((abs(step), name, old, grade))
    movers.sort(key=lambda m: (-m[0], m[1]))
    return Comparison(previous, dict(matrix), up, down, same, [m[1:] for m in movers[:limit]])


def reproduce(run: EvaluationRun) -> list[str]:
    """Re-score from the snapshot and compare with every stored number; [] when identical."""
    scheme = scheme_of(run)
    if run.scheme_sha256 and run.scheme_sha256 != scheme.sha256:
        return [_("The scheme file changed since the run was computed (checksum %(old)s, now %(new)s).") % {
            "old": run.scheme_sha256[:12], "new": scheme.sha256[:12]}]
    outcome = outcome_of(run, scheme)
    problems = []
    stored = {r.carrier_id: r for r in EvaluationResult.objects.filter(run=run)}
    for row, carrier_id in enumerate(outcome.carrier_ids.tolist()):
        values = result_values(scheme, outcome, row)
        result = stored.get(carrier_id)
        for name, value in values.items():
            if result is None or getattr(result, name) != value:
                problems.append(f"carrier {carrier_id}: {name} {getattr(result, name, None)!r} ≠ {value!r}")
    ids = {pk: c for c, pk in ((r.carrier_id, r.pk) for r in stored.values())}
    fresh = {(ids.get(r[0]), r[1]): r[2:] for r in _indicator_rows(scheme, outcome, np.array(
        [stored[c].pk for c in outcome.carrier_ids.tolist()], np.int64))}
    for row in IndicatorScore.objects.filter(result__run=run).values_list(
            "result_id", "indicator", "raw", "available", "permille", "weight_milli", "points_milli"):
        key = (ids.get(row[0]), row[1])
        if fresh.get(key) != tuple(row[2:]):
            problems.append(f"carrier {key[0]} {key[1]}: stored {row[2:]} ≠ {fresh.get(key)}")
    return problems


def timed_run(user, run: EvaluationRun) -> dict:
    """Compute through the workflow and report the seconds (CLI and benchmark)."""
    started = time.perf_counter()
    transition(user, run, "compute")
    return {"seconds": time.perf_counter() - started}
