"""Vectorised evaluator: one pass per node over a whole entity table.

Collections aggregate with ``np.bincount``/``np.add.reduceat`` over the CSR
grouping, so there is no Python loop per entity.  Variables are computed once
per evaluation and cached, and so is every sub-expression that occurs more than
once in the pack (same text, same entity).  Note: both branches of ``a if c else b``
are computed for every row (then selected), so guard missing values with
``coalesce``/``present``.

Large tables make memory traffic the cost, so chains of ``and``/``or`` and chained
comparisons combine into the first fresh result in place rather than allocating
one array per operator.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from . import kernels, ops
from . import nodes as n
from .errors import EvaluationError
from .pack import Pack
from .population import Grouping, Population


def segment_sum(values: np.ndarray, grouping: Grouping) -> np.ndarray:
    """Sum of ``values`` (one per member row) for each parent; integers stay int64."""
    offsets = grouping.offsets
    if values.dtype == bool:  # counting: bincount is exact below 2**53 and needs no gather
        parent, weights = grouping.parent, values
        if not grouping.all_linked:
            linked = parent >= 0
            parent, weights = parent[linked], values[linked]
        return np.bincount(parent, weights, minlength=len(offsets) - 1).astype(np.int64)
    out = np.zeros(len(offsets) - 1, dtype=values.dtype)
    if grouping.order.size == 0:
        return out
    starts = offsets[:-1]
    nonempty = offsets[1:] > starts
    out[nonempty] = np.add.reduceat(values[grouping.order], starts[nonempty])
    return out


def shared_subtrees(pack: Pack) -> frozenset:
    """Keys ``(entity, type, text)`` of compound sub-expressions that occur more than once in ``pack``
    (computed once per pack).  Equal text in the same entity scope binds to the same value, so the
    set only decides what is memoised, never what a value is."""
    if pack.shared_subtrees is None or pack.shared_subtrees[0] is not pack.definitions:
        counts: Counter = Counter()

        def visit(node: n.Node, entity: str) -> None:
            if not isinstance(node, (n.Const, n.Name)) and node.text:
                counts[(entity, node.type, node.text)] += 1
            if isinstance(node, n.Call) and node.inner_entity:
                visit(node.args[0], entity)
                for arg in node.args[1:]:
                    visit(arg, node.inner_entity)
                return
            for child in n.children(node):
                visit(child, entity)

        for d in pack.definitions.values():
            visit(d.node, d.entity)
        pack.shared_subtrees = (pack.definitions, frozenset(k for k, c in counts.items() if c > 1))
    return pack.shared_subtrees[1]


def _combine(fn, result: np.ndarray, value: np.ndarray, fresh: bool) -> np.ndarray:
    """``fn(result, value)``, written into ``result`` when it is a temporary of the right shape."""
    if fresh and result.shape == np.broadcast_shapes(result.shape, value.shape):
        return fn(result, value, out=result)
    return fn(result, value)


class VectorEvaluator:
    def __init__(self, pack: Pack, population: Population, as_of, overrides: dict | None = None):
        self.pack, self.pop = pack, population
        self.as_of = np.datetime64(as_of, "D")
        self.params = pack.resolve_params(self.as_of, overrides)
        self.cache: dict[str, np.ndarray] = {}
        self.shared = shared_subtrees(pack)
        self.memo: dict[tuple, np.ndarray] = {}  # shared sub-expressions of this evaluation

    def size(self, entity: str) -> int:
        return len(self.pop[entity])

    def variable(self, name: str) -> np.ndarray:
        if name not in self.cache:
            d = self.pack.definitions[name]
            with np.errstate(all="ignore"):  # overflow/NaN semantics are defined by the language
                value = self.full(d.node, d.entity)
            self.cache[name] = ops.cast(value, d.type)
        return self.cache[name]

    def full(self, node: n.Node, entity: str) -> np.ndarray:
        value = self.eval(node, entity)
        size = self.size(entity)
        return value if value.shape == (size,) else np.broadcast_to(value, (size,))

    def eval(self, node: n.Node, entity: str) -> np.ndarray:
        """Value of ``node`` for every row of ``entity``: an array of that length, or of length 1 (constant).

        The result may be a cached array (a column, a variable, a shared sub-expression):
        callers never write into it."""
        if self.shared and not isinstance(node, (n.Const, n.Name)):
            key = (entity, node.type, node.text)
            if key in self.shared:
                value = self.memo.get(key)
                if value is None:
                    value = self.memo[key] = self._eval(node, entity)
                return value
        return self._eval(node, entity)

    def _eval(self, node: n.Node, entity: str) -> np.ndarray:
        if isinstance(node, n.Const):
            return ops.const(self.encode(node.value, node.type), node.type)
        if isinstance(node, n.Name):
            return self.name(node, entity)
        if isinstance(node, n.Unary):
            return ops.unary(node.op, self.eval(node.operand, entity))
        if isinstance(node, n.BinOp):
            return ops.binop(node.op, self.eval(node.left, entity), self.eval(node.right, entity), node.type)
        if isinstance(node, n.Compare):
            left, result = self.eval(node.left, entity), None
            for op, comp in zip(node.ops, node.comparators, strict=True):
                right = self.eval(comp, entity)
                step = ops.compare(op, left, right)  # a fresh array
                result = step if result is None else _combine(np.logical_and, result, step, True)
                left = right
            return result
        if isinstance(node, n.BoolOp):
            fn = np.logical_and if node.op == "and" else np.logical_or
            result, fresh = self.eval(node.values[0], entity), False
            for v in node.values[1:]:
                result = _combine(fn, result, self.eval(v, entity), fresh)
                fresh = True
            return result
        if isinstance(node, n.IfExp):
            test = self.eval(node.test, entity)
            body, orelse = self.eval(node.body, entity), self.eval(node.orelse, entity)
            return ops.cast(np.where(test, body, orelse), node.type)
        if isinstance(node, n.In):
            options = self.options(node)
            result = ops.membership(self.eval(node.left, entity), options)
            return ~result if node.negate else result
        if isinstance(node, n.Call):
            return self.call(node, entity)
        raise EvaluationError(f"cannot evaluate {type(node).__name__}")  # pragma: no cover

    def encode(self, value, typ: str):
        return self.pop.vocabulary.code(value) if typ == "str" else value

    def options(self, node: n.In) -> list:
        values = [o.value for o in node.options] if isinstance(node.options, list) else \
            list(self.params[node.options.name].value)
        return [self.encode(v, node.left.type) for v in values]

    def param(self, name: str, typ: str) -> np.ndarray:
        return ops.const(self.encode(self.params[name].value, typ), typ)

    def name(self, node: n.Name, entity: str) -> np.ndarray:
        ref = node.ref
        if ref[0] == "attr":
            return self.pop[ref[1]].columns[ref[2]]
        if ref[0] == "var":
            return self.variable(ref[2])
        if ref[0] == "param":
            return self.param(ref[1], node.type)
        if ref[0] == "as_of":
            return ops.const(self.as_of, "date")
        if ref[0] == "via":
            return self.via(node, entity)
        raise EvaluationError(f"{node.text!r} cannot be used as a value")  # pragma: no cover

    def via(self, node: n.Name, entity: str) -> np.ndarray:
        _, _, relation, inner = node.ref
        if inner[0] == "attr":
            joined = self.pop.joined(entity, relation, inner[2])
            if joined is not None:
                return joined
        target = self.pop.schema[entity].relations[relation].target
        values = self.pop[target].columns[inner[2]] if inner[0] == "attr" else self.variable(inner[2])
        index = self.pop.to_one(entity, relation)
        missing = index < 0
        if not missing.any():
            return values[index]
        if node.type in ("int", "bool"):
            first = self.pop[entity].ids[np.argmax(missing)]
            raise EvaluationError(f"{entity} {first!r} has no {relation}, needed for {node.text!r}")
        fill = {"float": np.nan, "date": np.datetime64("NaT"), "str": -1}[node.type]
        out = values[np.where(missing, 0, index)] if len(values) else ops.const(fill, node.type, len(index))
        out = out.copy()
        out[missing] = fill
        return out

    def call(self, node: n.Call, entity: str) -> np.ndarray:
        if node.inner_entity:
            return self.collection(node, entity)
        if node.func == "lookup":
            table = self.params[node.args[0].name].value
            args = [None] + [self.eval(a, entity) for a in node.args[1:]]
            if node.args[1].type == "str":  # map the table over the vocabulary, gather by code
                default = args[2] if len(args) > 2 else None
                value = kernels.lookup_codes(table, args[1], self.pop.vocabulary.strings, default, node.text)
                return ops.cast(value, node.type)
            return ops.call("lookup", args, [], node.type, node.text, table)
        args = [self.eval(a, entity) for a in node.args]
        return ops.call(node.func, args, [a.type for a in node.args], node.type, node.text)

    def collection(self, node: n.Call, entity: str) -> np.ndarray:
        grouping = self.pop.grouping(entity, node.args[0].name)
        counts = np.diff(grouping.offsets)
        if len(node.args) == 1:
            return counts if node.func == "count" else counts > 0
        inner = self.full(node.args[1], node.inner_entity)
        total = segment_sum(inner if inner.dtype == bool else ops.numeric(inner), grouping)
        if node.func in ("count", "sum"):
            return total
        if node.func == "any":
            return total > 0
        if node.func == "all":
            return total == counts  # all() of no members is True
        return ops.binop("/", total, counts, "float")  # mean; NaN when there are no members
