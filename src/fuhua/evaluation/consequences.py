"""Consequences of grades, as rules: two consecutive failing grades propose revoking national status
(cn-most-2018 `revocation_due`, fed with `evaluation_grade_last/prev`). Rewards by grade are the
policies' business; they read `services.published_grades`."""

from __future__ import annotations

import datetime

import numpy as np

from fuhua.rules import Population, evaluate_population
from fuhua.rules.adapter.packs import pack_on

from .models import EvaluationResult, EvaluationRun
from .services import published_grades

PACK, RULE = "cn-most-2018", "revocation_due"


def revocation_proposals(run: EvaluationRun) -> list[dict]:
    """Carriers of the run whose grade this period and the published grade of the period before both fail."""
    current = dict(EvaluationResult.objects.filter(run=run).exclude(grade="").values_list("carrier_id", "grade"))
    if not current:
        return []
    ids = np.array(sorted(current), np.int64)
    before = published_grades(run.period - 1, ids.tolist())
    chosen = pack_on(PACK, datetime.date(run.period, 12, 31))
    population = Population.from_columns({"carrier": {
        "id": ids,
        "evaluation_grade_last": np.array([current[int(i)] for i in ids], dtype=object),
        "evaluation_grade_prev": np.array([before.get(int(i)) for i in ids], dtype=object),
    }})
    due = evaluate_population(chosen.pack, population, datetime.date(run.period, 12, 31), [RULE])[RULE]
    names = dict(EvaluationResult.objects.filter(run=run, carrier_id__in=ids[due].tolist())
                 .values_list("carrier_id", "carrier__name"))
    rule = chosen.pack.definitions[RULE]
    return [{"carrier_id": int(c), "carrier": names.get(int(c), ""), "grades": [before.get(int(c)), current[int(c)]],
             "rule": f"{chosen.pack.id} {rule.label_zh}", "citation": rule.citation.label() if rule.citation else "",
             "note": chosen.note} for c in ids[due]]
