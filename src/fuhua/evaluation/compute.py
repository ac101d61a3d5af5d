"""Scoring a run: inputs (a snapshot) + expert scores → per-indicator scores, totals, vetoes, ranks, grades.

Pure numpy over whole columns, no database. The rules engine evaluates the scheme's rules (indicator
values, categories, vetoes, bonus items) vectorised; everything after the normalised fraction is
integer arithmetic in milli-points (permille × weight), so a re-run from the same snapshot gives the
same numbers on any machine.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from fuhua.rules import Population, evaluate_population

from .inputs import InputTable
from .scheme import GRADES, Scheme

NOT_REVIEWED = -1  # qualitative aggregate when no expert has scored


def round_half_up(numerator: np.ndarray, denominator: int) -> np.ndarray:
    """Integer numerator / positive integer denominator, rounded half up (四舍五入), in int64."""
    return (2 * np.asarray(numerator, np.int64) + denominator) // (2 * denominator)


def permille(fraction: np.ndarray) -> np.ndarray:
    return np.floor(np.asarray(fraction, np.float64) * 1000 + 0.5).astype(np.int64)


def contribution(permilles: np.ndarray, weight_milli: np.ndarray) -> np.ndarray:
    return round_half_up(np.asarray(permilles, np.int64) * weight_milli, 1000)


@dataclass
class Outcome:
    carrier_ids: np.ndarray
    category: np.ndarray  # category code per carrier ("" = none)
    raw: dict[str, np.ndarray]  # indicator → value (float; qualitative: aggregated expert score, milli)
    available: dict[str, np.ndarray]  # indicator → its inputs were reported (qualitative: reviewed)
    permille: dict[str, np.ndarray]
    points: dict[str, np.ndarray]  # indicator or bonus item → milli-points
    weight: dict[str, np.ndarray]  # indicator → weight (milli) for the carrier's category
    completeness: np.ndarray  # percent of the category's quantitative weight with data
    incomplete: np.ndarray
    missing: dict[str, np.ndarray]  # statistics field → not reported
    vetoes: dict[str, np.ndarray]  # veto code → applies (and its inputs were reported)
    quantitative: np.ndarray
    qualitative: np.ndarray
    bonus: np.ndarray
    total: np.ndarray
    rank: np.ndarray  # 0 = not ranked
    grade: np.ndarray  # "" = not graded
    timings: dict = field(default_factory=dict)  # also caches the per-carrier code lists

    def row(self, carrier_id: int) -> int:
        return int(np.searchsorted(self.carrier_ids, carrier_id))

    def missing_at(self, row: int) -> list[str]:
        return self._listed("missing")[row]

    def vetoes_at(self, row: int) -> list[str]:
        return self._listed("vetoes")[row]

    def _listed(self, name: str) -> list[list[str]]:
        """Per carrier, the codes whose mask is set (computed once; most carriers have none)."""
        cache = self.timings.setdefault(f"_{name}", None)
        if cache is None:
            masks = getattr(self, name)
            cache = [[] for _ in range(len(self.carrier_ids))]
            for code, mask in masks.items():
                for row in np.flatnonzero(mask).tolist():
                    cache[row].append(code)
            self.timings[f"_{name}"] = cache
        return cache


_EMPTY = {"int": np.int64, "bool": bool, "float": np.float64, "date": "datetime64[D]"}


def _full_columns(scheme: Scheme, inputs: InputTable) -> dict[str, np.ndarray]:
    """Every carrier attribute as an array (defaults where the snapshot has none): the engine's fast path."""
    n = len(inputs)
    columns = {"id": inputs.carrier_ids}
    for name, attr in scheme.pack.schema["carrier"].attributes.items():
        if name in inputs.columns:
            columns[name] = inputs.columns[name]
        elif attr.type == "str":
            columns[name] = np.full(n, None, dtype=object)
        elif attr.type in ("int", "bool"):
            columns[name] = np.full(n, attr.default, dtype=_EMPTY[attr.type])
        else:
            columns[name] = np.full(n, np.nan if attr.type == "float" else np.datetime64("NaT"), _EMPTY[attr.type])
    return columns


def evaluate_rules(scheme: Scheme, inputs: InputTable, period: int) -> dict[str, np.ndarray]:
    columns = _full_columns(scheme, inputs)
    population = Population.from_columns({"carrier": columns}, scheme.pack.schema)
    return evaluate_population(scheme.pack, population, scheme.as_of(period), scheme.output_rules())


def _categories(scheme: Scheme, values: dict, n: int) -> np.ndarray:
    category = np.full(n, "", dtype=object)
    for code, cat in reversed(list(scheme.categories.items())):  # first listed wins
        category = np.where(values[cat.rule], code, category)
    return category


def _present(inputs: InputTable, codes) -> np.ndarray:
    mask = np.ones(len(inputs), bool)
    for code in codes:
        mask &= inputs.present[code]
    return mask


def score(scheme: Scheme, inputs: InputTable, period: int, qualitative: dict[str, np.ndarray] | None = None,
          values: dict[str, np.ndarray] | None = None) -> Outcome:
    """Score every carrier. `qualitative`: indicator → aggregated expert score in milli (NOT_REVIEWED = -1)."""
    n = len(inputs)
    values = values if values is not None else evaluate_rules(scheme, inputs, period)
    category = _categories(scheme, values, n)
    weight = {code: np.zeros(n, np.int64) for code in scheme.indicators}
    for code, ind in scheme.indicators.items():
        for cat, w in ind.weights.items():
            weight[code][category == cat] = w
    available, raw = {}, {}
    for ind in scheme.quantitative:
        available[ind.code] = _present(inputs, ind.stats_inputs)
        raw[ind.code] = np.where(available[ind.code], np.asarray(values[ind.code], np.float64), np.nan)
    quantitative_weight = sum(weight[i.code] for i in scheme.quantitative)
    reported_weight = sum(np.where(available[i.code], weight[i.code], 0) for i in scheme.quantitative)
    with np.errstate(invalid="ignore", divide="ignore"):
        completeness = np.where(quantitative_weight > 0, reported_weight * 100 // np.maximum(quantitative_weight, 1), 0)
    veto_known = np.ones(n, bool)
    for veto in scheme.vetoes.values():
        veto_known &= _present(inputs, veto.stats_inputs)
    incomplete = (category == "") | (completeness < scheme.min_completeness) | ~veto_known
    missing = {code: ~inputs.present[code] for code in scheme.stats_codes()}

    perm, points = {}, {}
    for ind in scheme.quantitative:
        p = np.zeros(n, np.int64)
        for cat in scheme.categories:
            rows = np.flatnonzero((category == cat) & available[ind.code])
            cohort_rows = rows[~incomplete[rows]]
            p[rows] = permille(ind.normalise.fraction(raw[ind.code][rows], raw[ind.code][cohort_rows]))
        perm[ind.code] = p
        points[ind.code] = contribution(p, weight[ind.code])
    qualitative = qualitative or {}
    for ind in scheme.qualitative:
        agg = np.asarray(qualitative.get(ind.code, np.full(n, NOT_REVIEWED)), np.int64)
        available[ind.code] = agg >= 0
        raw[ind.code] = np.where(agg >= 0, agg / 1000, np.nan)
        perm[ind.code] = np.where(agg >= 0, round_half_up(np.maximum(agg, 0) * 1000, ind.max_score * 1000), 0)
        points[ind.code] = contribution(perm[ind.code], weight[ind.code])
    bonus = np.zeros(n, np.int64)
    for item in scheme.bonuses.values():
        v = np.asarray(values[item.code], np.float64)
        v = np.where(np.isfinite(v) & (v > 0) & _present(inputs, item.stats_inputs), v, 0.0)
        pts = np.floor(v * item.points_milli + 0.5).astype(np.int64)
        pts = np.minimum(pts, item.cap_milli or np.iinfo(np.int64).max)
        points[item.code] = pts
        bonus += pts
    if scheme.bonus_cap_milli:
        bonus = np.minimum(bonus, scheme.bonus_cap_milli)
    quantitative = sum((points[i.code] for i in scheme.quantitative), np.zeros(n, np.int64))
    qual_total = sum((points[i.code] for i in scheme.qualitative), np.zeros(n, np.int64))
    total = quantitative + qual_total + bonus
    vetoes = {code: np.asarray(values[code], bool) & ~incomplete for code in scheme.vetoes}
    vetoed = np.zeros(n, bool)
    for mask in vetoes.values():
        vetoed |= mask
    graded = ~incomplete
    grade = assign_grades(scheme, total, graded, vetoed)
    rank = ranks(total, graded, vetoed)
    for arr in (quantitative, qual_total, bonus, total):
        arr[incomplete] = 0
    return Outcome(inputs.carrier_ids, category, raw, available, perm, points, weight, completeness.astype(np.int64),
                   incomplete, missing, vetoes, quantitative, qual_total, bonus, total, rank, grade)


def by_thresholds(scheme: Scheme, total: np.ndarray) -> np.ndarray:
    t = scheme.thresholds
    return np.select([total >= t["A"], total >= t["B"], total >= t["C"]], ["A", "B", "C"], "D").astype(object)


def assign_grades(scheme: Scheme, total: np.ndarray, graded: np.ndarray, vetoed: np.ndarray) -> np.ndarray:
    """Thresholds first, then quotas (A at most x% of the graded carriers): over the quota, the lowest totals
    move down one grade; carriers tied at the cut all move, so the quota is never exceeded."""
    grade = np.where(graded, by_thresholds(scheme, total), "").astype(object)
    grade[vetoed] = "D"
    n_graded = int(graded.sum())
    for g in ("A", "B"):
        if g not in scheme.quotas:
            continue
        allowed = scheme.quotas[g] * n_graded // 100
        holders = np.flatnonzero(grade == g)
        if len(holders) <= allowed:
            continue
        totals = np.sort(total[holders])[::-1]
        cut = totals[allowed]  # the first total that does not fit
        demote = holders[total[holders] <= cut]
        grade[demote] = GRADES[GRADES.index(g) + 1]
    return grade


def ranks(total: np.ndarray, graded: np.ndarray, vetoed: np.ndarray) -> np.ndarray:
    """Competition ranking (1, 2, 2, 4) by total; vetoed carriers rank after all the others."""
    rank = np.zeros(len(total), np.int64)
    offset = 0
    for group in (graded & ~vetoed, graded & vetoed):
        rows = np.flatnonzero(group)
        if not len(rows):
            continue
        t = total[rows]
        ordered = np.sort(t)[::-1]
        rank[rows] = offset + np.searchsorted(-ordered, -t, "left") + 1
        offset += len(rows)
    return rank


def aggregate_expert_scores(scores: list[int], method: str, trim: int) -> int:
    """Milli-point scores of one carrier's indicator → one score (milli), integers only."""
    if not scores:
        return NOT_REVIEWED
    ordered = sorted(scores)
    if method == "trimmed_mean" and len(ordered) > 2 * trim:
        ordered = ordered[trim:len(ordered) - trim]
    return int(round_half_up(np.int64(sum(ordered)), len(ordered)))
