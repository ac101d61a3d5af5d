"""Public entry points: evaluate a pack over a population, or explain one entity."""

from __future__ import annotations

import json

import numpy as np

from .errors import RulesError
from .pack import Pack
from .population import Population
from .row_eval import RowEvaluator
from .trace import Trace
from .vector_eval import VectorEvaluator


def _names(pack: Pack, rules) -> list[str]:
    names = list(rules) if rules is not None else pack.rules
    unknown = [r for r in names if r not in pack.definitions]
    if unknown:
        raise RulesError(f"pack {pack.id} has no rule or variable {', '.join(unknown)}")
    return names


def evaluate_population(pack: Pack, population: Population, as_of, rules=None,
                        overrides: dict | None = None) -> dict[str, np.ndarray]:
    """Evaluate ``rules`` (default: all rules of the pack) for every entity, vectorised.

    Returns ``{name: array}``; each array is aligned with ``population[rule entity].ids``.
    ``overrides`` maps parameter names to what-if values in YAML units (yuan, percent…);
    the pack itself is never modified.
    """
    evaluator = VectorEvaluator(pack, population, as_of, overrides)
    out = {}
    for name in _names(pack, rules):
        value = evaluator.variable(name)
        if pack.definitions[name].type == "str":
            value = population.vocabulary.decode(value)  # categorical codes → strings for callers
        out[name] = value if value.flags.writeable else value.copy()
    return out


def explain(pack: Pack, entity_kind: str, entity, population: Population | None, rule: str, as_of,
            overrides: dict | None = None) -> Trace:
    """Evaluate one rule for one entity and return the value with its explanation trace.

    ``entity`` is an id in ``population``, or a dict record (then a one-entity population
    is built from it, without related records).
    """
    definition = pack.definitions.get(rule)
    if definition is None:
        raise RulesError(f"pack {pack.id} has no rule or variable {rule!r}")
    if definition.entity != entity_kind:
        raise RulesError(f"{rule} is a rule of {definition.entity}, not {entity_kind}")
    if isinstance(entity, dict):
        population = Population.from_records({entity_kind: [entity]}, pack.schema)
        entity = entity["id"]
    row = population[entity_kind].row_of(entity)
    evaluator = RowEvaluator(pack, population, as_of, overrides)
    value, step = evaluator.definition(rule, row, trace=True)
    return Trace(pack=pack.id, document=pack.document.number or pack.document.name, rule=rule,
                 entity=entity_kind, entity_id=population[entity_kind].ids[row], as_of=str(evaluator.as_of),
                 value=value, root=step, params_used=list(evaluator.params_used.values()),
                 overrides=json.loads(json.dumps(overrides or {}, default=str)))
