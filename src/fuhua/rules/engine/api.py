"""Public entry points: evaluate a pack over a population, or explain one entity."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field

import numpy as np

from ..entities import Attribute, EntityKind, Schema
from .binder import Binder
from .errors import ExpressionError, RulesError
from .nodes import Name, walk
from .pack import Definition, DocumentRef, Pack
from .parser import parse
from .population import Population
from .row_eval import RowEvaluator
from .sentence import template_fields
from .trace import Trace, to_plain
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
    params_used = list(evaluator.params_used.values())
    return Trace(pack=pack.id, document=pack.document.number or pack.document.name, rule=rule,
                 entity=entity_kind, entity_id=population[entity_kind].ids[row], as_of=str(evaluator.as_of),
                 value=value, root=step, params_used=params_used,
                 overrides=json.loads(json.dumps(overrides or {}, default=str)),
                 facts=_template_facts(pack, definition, population, evaluator, row))


def _template_facts(pack: Pack, definition: Definition, population: Population, evaluator: RowEvaluator,
                    row: int) -> dict:
    """The values an `explain` template names that the rule itself may not read (its sentence says
    "入孵时已成立 23 个月" though the rule compares dates): same-entity attributes, variables, parameters."""
    facts: dict = {}
    table = population[definition.entity]
    for text in [*definition.explain.values(), *definition.explain_failed.values()]:
        for name, _spec in template_fields(text):
            if name in facts:
                continue
            other = pack.definitions.get(name)
            try:
                if other is not None and other.entity == definition.entity:
                    facts[name] = to_plain(evaluator.show(evaluator.definition(name, row, trace=False)[0], other.type))
                elif name in table.columns:
                    kind = population.schema[definition.entity].attributes[name].type
                    facts[name] = to_plain(evaluator.show(table.columns[name][row:row + 1], kind))
                elif name in evaluator.params:
                    facts[name] = to_plain(evaluator.params[name].value)
            except (RulesError, KeyError, ValueError):
                continue  # a figure that cannot be computed here is shown as "—"
    return facts


# --- one expression over named values (e.g. a statistics form's cross-field checks) -----------------


@dataclass(frozen=True)
class Expression:
    """An expression of the rules language over plain named values, bound and type-checked once.

    The same parser, binder and vectorised evaluator as the packs: one language in the project.
    """

    text: str
    names: tuple[str, ...]  # the names it reads, in order of first use
    type: str  # bool, int, float, date or str
    pack: Pack
    _row: tuple | None = field(default=None, init=False, repr=False, compare=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False, compare=False)

    def evaluate_many(self, columns: dict) -> np.ndarray:
        """Vectorised: ``columns`` maps each name to an array (one value per row)."""
        length = len(next(iter(columns.values()))) if columns else 1
        table = {"id": np.arange(length, dtype=np.int64), **{n: np.asarray(columns[n]) for n in self.names}}
        population = Population.from_columns({_RECORD: table}, self.pack.schema)
        return evaluate_population(self.pack, population, _EPOCH, [_VALUE])[_VALUE]

    def evaluate(self, values: dict):
        """One row; None when a name it reads has no value (nothing to say about missing figures).

        Row by row (a report being edited, a workbook row) through one cached one-row table and the row
        evaluator, so a check costs microseconds, not a population build."""
        if any(values.get(name) is None for name in self.names):
            return None
        with self._lock:
            if self._row is None:
                table = {"id": np.zeros(1, np.int64), **{n: [values[n]] for n in self.names}}
                population = Population.from_columns({_RECORD: table}, self.pack.schema)
                object.__setattr__(self, "_row", (population["record"].columns,
                                                  RowEvaluator(self.pack, population, _EPOCH)))
            columns, evaluator = self._row
            for name in self.names:
                columns[name][0] = values[name]
            evaluator.cache.clear()
            value = evaluator.definition(_VALUE, 0, trace=False)[0]
        return value.item() if hasattr(value, "item") else value


_RECORD, _VALUE = "record", "value"
_EPOCH = np.datetime64("1970-01-01", "D")
_DEFAULTS = {"int": 0, "float": float("nan"), "bool": False, "str": ""}


def compile_expression(text: str, names: dict[str, str]) -> Expression:
    """Parse and type-check ``text`` over ``names`` (name → type: bool, int, float, date, str).

    Raises :class:`ExpressionError` naming the construct or the unknown name and its column.
    """
    attributes = {n: Attribute(n, t, default=_DEFAULTS[t]) if t in _DEFAULTS else Attribute(n, t)
                  for n, t in names.items()}  # names the expression does not read need no column
    schema = Schema({_RECORD: EntityKind(_RECORD, attributes)})
    node = parse(text)
    definition = Definition(_VALUE, _RECORD, text, node, True)
    try:
        Binder(schema, {}, {_VALUE: definition}).bind_all()
    except ExpressionError as exc:
        raise ExpressionError(f"{text!r}: {exc.message}", exc.col) from None
    read = tuple(dict.fromkeys(x.name for x in walk(node) if isinstance(x, Name) and x.base is None
                               and x.name in names))
    # Evaluated over a table of just the names it reads (no default columns built for the others).
    schema = Schema({_RECORD: EntityKind(_RECORD, {n: attributes[n] for n in read})})
    pack = Pack(id="expression", title=text, document=DocumentRef(name="expression"), effective_from=_EPOCH,
                effective_to=None, entity=_RECORD, parameters={}, definitions={_VALUE: definition}, schema=schema)
    return Expression(text, read, definition.type, pack)


def evaluate_expression(text: str, values: dict, types: dict[str, str] | None = None):
    """Evaluate ``text`` once over ``values`` (types default to int, or float for float values)."""
    types = types or {k: "float" if isinstance(v, float) else "bool" if isinstance(v, bool) else "int"
                      for k, v in values.items()}
    return compile_expression(text, types).evaluate(values)


def references(pack: Pack, name: str) -> list[tuple[tuple, str]]:
    """What a definition reads, as bound by the binder: ``(ref, text)`` per name, in source order.

    ``ref`` is ``("attr", entity, attribute)``, ``("var", entity, definition)``, ``("param", name)``,
    ``("as_of",)``, ``("relation", entity, relation)`` or ``("via", entity, relation, inner_ref)``.
    """
    definition = pack.definitions.get(name)
    if definition is None:
        raise RulesError(f"pack {pack.id} has no rule or variable {name!r}")
    return [(node.ref, node.text) for node in walk(definition.node) if isinstance(node, Name) and node.ref]
