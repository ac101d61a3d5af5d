"""A carrier's scorecard: every indicator with its data, formula, normalisation, weight and citation,
and "what would raise the grade": per indicator, the smallest value that alone lifts the carrier to the
next grade (the normalisation inverted on the same cohort, the weight and integer rounding applied)."""

from __future__ import annotations

import numpy as np
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from fuhua.core import glossary

from . import compute
from .compute import contribution
from .inputs import OWN_FIELDS, InputTable
from .models import GRADE_ORDER, EvaluationResult, EvaluationRun, ExpertScore
from .scheme import Indicator, Scheme
from .services import corrections_of, load_inputs, qualitative_scores, scheme_of

_CACHE: dict = {}


def _english() -> bool:
    return (get_language() or "zh-hans").startswith("en")


def label(zh: str, en: str) -> str:
    return en if _english() and en else zh


def state(run: EvaluationRun) -> tuple[Scheme, InputTable, compute.Outcome]:
    """Scheme, inputs and outcome of the run as it stands (cached while nothing changed)."""
    latest_score = ExpertScore.objects.filter(assignment__run=run).order_by("-updated_at").values_list(
        "updated_at", flat=True).first()
    key = (run.pk, run.updated_at, latest_score)
    if key not in _CACHE:
        scheme = scheme_of(run)
        inputs = load_inputs(run).with_corrections(corrections_of(run))
        outcome = compute.score(scheme, inputs, run.period, qualitative_scores(run, scheme, inputs.carrier_ids))
        _CACHE.clear()  # one run at a time is plenty for a page or an API call
        _CACHE[key] = (scheme, inputs, outcome)
    return _CACHE[key]


def _field_labels() -> dict:
    from fuhua.statistics.definitions import all_forms

    out = {}
    for form in all_forms():
        for code, f in form.fields.items():
            out[code] = f
    return out


def _cohort(scheme, outcome, code: str, row: int) -> tuple[np.ndarray, int | None]:
    mask = (outcome.category == outcome.category[row]) & outcome.available[code] & ~outcome.incomplete
    rows = np.flatnonzero(mask)
    own = np.flatnonzero(rows == row)
    return outcome.raw[code][rows], (int(own[0]) if len(own) else None)


def _min_permille(points_needed: int, weight: int) -> int | None:
    if weight <= 0 or points_needed > int(contribution(np.array([1000]), np.array([weight]))[0]):
        return None
    p = max(0, min(1000, (points_needed * 1000) // weight - 1))
    while p <= 1000 and int(contribution(np.array([p]), np.array([weight]))[0]) < points_needed:
        p += 1
    return p if p <= 1000 else None


def needed_total(scheme: Scheme, outcome: compute.Outcome, row: int, target: str) -> int:
    """The total that earns `target`: its threshold, or beating the last carrier inside its quota."""
    need = scheme.thresholds[target]
    if target in scheme.quotas:
        graded = ~outcome.incomplete
        allowed = scheme.quotas[target] * int(graded.sum()) // 100
        vetoed = np.zeros(len(graded), bool)
        for mask in outcome.vetoes.values():
            vetoed |= mask
        others = graded & ~vetoed & (outcome.total >= scheme.thresholds[target])
        others[row] = False
        totals = np.sort(outcome.total[others])[::-1]
        if allowed == 0:
            return -1
        if len(totals) >= allowed:
            need = max(need, int(totals[allowed - 1]) + 1)
    return need


def raise_options(scheme: Scheme, outcome: compute.Outcome, row: int) -> dict:
    grade = str(outcome.grade[row])
    if outcome.incomplete[row]:
        return {"kind": "incomplete", "missing": outcome.missing_at(row)}
    vetoes = outcome.vetoes_at(row)
    if vetoes:
        without = str(compute.by_thresholds(scheme, outcome.total[row:row + 1])[0])
        return {"kind": "veto", "vetoes": [label(scheme.vetoes[v].reason_zh, scheme.vetoes[v].reason_en)
                                           for v in vetoes], "grade_without_veto": without}
    if grade == "A":
        return {"kind": "top"}
    target = GRADE_ORDER[GRADE_ORDER.index(grade) - 1]
    need = needed_total(scheme, outcome, row, target)
    if need < 0:
        return {"kind": "quota_full", "target": target}
    gap = need - int(outcome.total[row])
    options = []
    for ind in scheme.indicators.values():
        weight = int(outcome.weight[ind.code][row])
        current = int(outcome.points[ind.code][row])
        p = _min_permille(current + gap, weight)
        if p is None:
            continue
        value = outcome.raw[ind.code][row]
        if ind.qualitative:
            needed = p * ind.max_score / 1000
        else:
            cohort, own = _cohort(scheme, outcome, ind.code, row)
            needed = ind.normalise.needed(p, float(value) if np.isfinite(value) else 0.0, cohort, own)
            if needed is None or (ind.unit == "ratio" and needed > 1):
                continue
            if ind.expression in ind.stats_inputs:  # a reported count or amount: the next whole unit
                needed = float(np.ceil(needed))
        base = float(value) if np.isfinite(value) else 0.0
        change = needed - base
        options.append({"indicator": ind.code, "label": label(ind.label_zh, ind.label_en), "current": base,
                        "needed": needed, "change": change, "relative": change / max(abs(base), 1e-9),
                        "percent": 100 * change / abs(base) if base else None,
                        "qualitative": ind.qualitative})
    options.sort(key=lambda o: (o["relative"], o["indicator"]))
    return {"kind": "raise", "target": target, "needed_total": need / 1000, "gap": gap / 1000, "options": options,
            "headroom": [] if options else _headroom(scheme, outcome, row)}


def _headroom(scheme: Scheme, outcome: compute.Outcome, row: int, limit: int = 5) -> list[dict]:
    """When no single indicator closes the gap: where the most points are still to be won."""
    rows = []
    for ind in scheme.indicators.values():
        weight = int(outcome.weight[ind.code][row])
        gain = int(contribution(np.array([1000]), np.array([weight]))[0]) - int(outcome.points[ind.code][row])
        if gain > 0:
            rows.append({"indicator": ind.code, "label": label(ind.label_zh, ind.label_en), "gain": gain / 1000})
    return sorted(rows, key=lambda r: (-r["gain"], r["indicator"]))[:limit]


def _data(ind: Indicator, inputs: InputTable, row: int, fields: dict) -> list[dict]:
    rows = []
    for code in ind.stats_inputs:
        f = fields.get(code)
        stored = int(inputs.columns[code][row])
        rows.append({"code": code, "label": f.label if f else code, "present": bool(inputs.present[code][row]),
                     "value": f.to_display(stored) if f else stored, "unit": f.unit.label if f else "",
                     "source": _("annual statistics")})
    for name in ind.registry_inputs:
        value = inputs.columns[name][row]
        value = value.item() if hasattr(value, "item") else value
        rows.append({"code": name, "label": _registry_label(name), "present": True,
                     "value": glossary.word(value) if isinstance(value, str) else value,
                     "unit": "", "source": _("registry")})
    return rows


def _registry_label(name: str) -> str:
    """A carrier attribute in words (the model field's name), not its code."""
    from fuhua.registry.models import Carrier

    try:
        return str(Carrier._meta.get_field(OWN_FIELDS.get(name, name)).verbose_name)
    except Exception:
        return name


def _citation(ind: Indicator) -> str:
    return ind.citation.label() if ind.citation else ""


def scorecard(result: EvaluationResult, with_experts: bool = False) -> dict:
    run = result.run
    scheme, inputs, outcome = state(run)
    row = inputs.row_of(result.carrier_id)
    fields = _field_labels()
    category = str(outcome.category[row])
    groups = []
    for code, (zh, en) in scheme.groups.items():
        items = []
        for ind in (i for i in scheme.indicators.values() if i.group == code):
            value = outcome.raw[ind.code][row]
            item = {
                "code": ind.code, "label": label(ind.label_zh, ind.label_en), "qualitative": ind.qualitative,
                "value": None if not np.isfinite(value) else round(float(value), 6),
                "available": bool(outcome.available[ind.code][row]), "permille": int(outcome.permille[ind.code][row]),
                "weight": int(outcome.weight[ind.code][row]) / 1000,
                "points": int(outcome.points[ind.code][row]) / 1000, "assumed": ind.assumed,
                "formula": ind.expression, "citation": _citation(ind), "unit": ind.unit,
                "normalisation": ind.normalise.describe() if ind.normalise else
                _("expert score 0–%(max)d, %(how)s") % {"max": ind.max_score, "how": scheme.aggregate},
                "data": [] if ind.qualitative else _data(ind, inputs, row, fields),
            }
            if ind.normalise is not None and ind.normalise.relative:
                cohort, _own = _cohort(scheme, outcome, ind.code, row)
                if len(cohort):
                    item["cohort"] = {"n": len(cohort), "median": float(np.median(cohort)),
                                      "min": float(cohort.min()), "max": float(cohort.max())}
            if ind.qualitative and with_experts:
                item["experts"] = [{"expert": str(s.assignment.expert), "score": s.score_milli / 1000,
                                    "comment": s.comment} for s in ExpertScore.objects.filter(
                    assignment__result=result, indicator=ind.code).select_related("assignment__expert")]
            items.append(item)
        groups.append({"code": code, "label": label(zh, en), "indicators": items,
                       "points": sum(i["points"] for i in items)})
    bonus = [{"code": b.code, "label": label(b.label_zh, b.label_en), "points": int(outcome.points[b.code][row]) / 1000,
              "cap": b.cap_milli / 1000, "per_unit": b.points_milli / 1000, "formula": b.expression,
              "assumed": b.assumed} for b in scheme.bonuses.values()]
    vetoes = [{"code": v.code, "label": label(v.reason_zh, v.reason_en), "applies": bool(outcome.vetoes[v.code][row]),
               "formula": v.expression, "citation": v.citation.label() if v.citation else ""}
              for v in scheme.vetoes.values()]
    return {
        "run": {"id": run.pk, "scheme": scheme.id, "title": scheme.title, "version": str(scheme.version),
                "period": run.period, "region": str(run.region), "status": run.status,
                "document": scheme.pack.document.number},
        "carrier": {"id": result.carrier_id, "name": str(result.carrier)},
        "category": label(scheme.categories[category].label_zh, scheme.categories[category].label_en)
        if category else "",
        "completeness": int(outcome.completeness[row]), "min_completeness": scheme.min_completeness,
        "incomplete": bool(outcome.incomplete[row]),
        "missing": [{"code": c, "label": fields[c].label if c in fields else c} for c in outcome.missing_at(row)],
        "groups": groups, "bonus": bonus, "bonus_total": int(outcome.bonus[row]) / 1000,
        "bonus_cap": scheme.bonus_cap_milli / 1000, "vetoes": vetoes,
        "quantitative": int(outcome.quantitative[row]) / 1000, "qualitative": int(outcome.qualitative[row]) / 1000,
        "total": None if outcome.incomplete[row] else int(outcome.total[row]) / 1000,
        "rank": int(outcome.rank[row]) or None, "grade": str(outcome.grade[row]),
        "thresholds": {g: v / 1000 for g, v in scheme.thresholds.items()}, "quotas": scheme.quotas,
        "assumed_parameters": scheme.assumed_count, "notes": scheme.notes,
        "raise": raise_options(scheme, outcome, row),
    }
