"""Evaluate a policy over its population: the amounts due per carrier and item, with explanations.

Pure reading: nothing here writes to the database, so what-if simulations use it as they are.
Policies a policy offsets against (不重复享受) are computed first, on the same carriers and date, and
what they make due this time counts as already taken.
"""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass, field

import numpy as np

from fuhua.rules import Population, evaluate_population, explain, to_plain

from . import packs
from .due import Due
from .firm_compute import compute_firms
from .population import Facts, build, period_of


@dataclass
class Computation:
    policy: packs.PolicyPack
    as_of: datetime.date
    overrides: dict
    population: Population
    facts: Facts
    outputs: dict[str, np.ndarray]
    dues: list[Due] = field(default_factory=list)
    seconds: float = 0.0  # engine time only

    @property
    def period(self) -> int:
        return period_of(self.as_of)

    def by_carrier(self) -> dict[int, int]:
        out: dict[int, int] = {}
        for due in self.dues:
            out[due.carrier_id] = out.get(due.carrier_id, 0) + due.amount_fen
        return out

    def explain(self, due: Due) -> dict:
        """Trace (JSON), its Chinese rendering and the citations of every parameter it used."""
        trace = explain(self.policy.pack, "carrier", due.carrier_id, self.population, due.item, self.as_of,
                        self.overrides or None)
        citations = [{"parameter": p.get("name"), **(p.get("citation") or {})} for p in trace.params_used
                     if p.get("citation")]
        data = trace.to_json()
        data["facts"] = self.facts_of(due.carrier_id)  # attributes an `explain` sentence may name
        return {"trace": data, "text": trace.render("zh"), "citations": citations}

    def facts_of(self, carrier_id: int) -> dict:
        """The carrier's attributes in this computation (str codes decoded), plus the period."""
        table = self.population["carrier"]
        row = table.row_of(carrier_id)
        attributes = self.population.schema["carrier"].attributes
        out = {"period": self.period}
        for name, column in table.columns.items():
            value = column[row:row + 1]
            attr = attributes.get(name)
            if attr is not None and attr.type == "str":
                value = self.population.vocabulary.decode(value)
            out[name] = to_plain(value)
        return out


def _key(template: str, period: int, new_level: str) -> str:
    return template.format(period=period, new_level=new_level)


def dues_of(policy: packs.PolicyPack, outputs: dict, population: Population, facts: Facts, period: int) -> list[Due]:
    new_level = population.vocabulary.decode(population["carrier"].columns["new_level"])
    dues = []
    for rule, item in policy.meta.items.items():
        values = outputs[rule]
        for row in np.flatnonzero(values > 0):
            pk = int(facts.ids[row])
            dues.append(Due(
                pk, rule, item.group, _key(item.key, period, str(new_level[row])), int(values[row]),
                facts.region_code.get(pk, ""), facts.recognised_since.get(pk),
                facts.new_recognition.get(pk) if item.recognition else None,
            ))
    return dues


def compute(policy_id: str, as_of: datetime.date, *, carrier_ids=None, overrides: dict | None = None,
            _upstream_cache: dict | None = None) -> Computation:
    policy = packs.get(policy_id)
    if policy.firm_level:  # firms and teams: firm_compute (same interface)
        return compute_firms(policy_id, as_of, overrides=overrides)
    overrides = dict(overrides or {})
    if overrides:
        packs.check_caps(policy.pack.file, policy.pack, policy.meta, overrides)
    upstream: dict[str, dict[int, dict[str, int]]] = {}
    cache = _upstream_cache if _upstream_cache is not None else {}
    for offset in policy.meta.offsets:
        if offset.policy not in cache:
            cache[offset.policy] = compute(offset.policy, as_of, carrier_ids=carrier_ids, _upstream_cache=cache)
        grouped: dict[int, dict[str, int]] = {}
        for due in cache[offset.policy].dues:
            grouped.setdefault(due.carrier_id, {}).setdefault(due.group, 0)
            grouped[due.carrier_id][due.group] += due.amount_fen
        upstream[offset.policy] = grouped
    population, facts = build(policy, as_of, carrier_ids, upstream)
    started = time.perf_counter()
    outputs = evaluate_population(policy.pack, population, as_of, policy.rules, overrides or None)
    seconds = time.perf_counter() - started
    result = Computation(policy, as_of, overrides, population, facts, outputs, seconds=seconds)
    result.dues = dues_of(policy, outputs, population, facts, result.period)
    return result
