"""Row evaluator: one entity at a time, returning the value and a trace.

Values are length-1 numpy arrays so the element-wise operators are the same
as the vectorised evaluator's (see :mod:`.ops`); tree walking, branch
selection, variable resolution and collection aggregation are independent
(explicit loops over member rows), which is what the agreement tests check.
"""

from __future__ import annotations

import numpy as np

from . import nodes as n
from . import ops
from .errors import EvaluationError
from .pack import Pack
from .population import Population
from .trace import Step, to_plain
from .units import MONEY_UNITS, display

_SYMBOL_FAIL = "✗"  # language-neutral: the trace is rendered in Chinese or English
MAX_MEMBER_SAMPLE = 5


class RowEvaluator:
    def __init__(self, pack: Pack, population: Population, as_of, overrides: dict | None = None):
        self.pack, self.pop = pack, population
        self.as_of = np.datetime64(as_of, "D")
        self.params = pack.resolve_params(self.as_of, overrides)
        self.cache: dict[tuple, tuple[np.ndarray, Step | None]] = {}
        self.params_used: dict[str, dict] = {}

    def encode(self, value, typ: str):
        return self.pop.vocabulary.code(value) if typ == "str" else value

    def figure(self, node, value) -> str:
        """A compared value as people read it: money in 元 (not fen), floats with at most 4 decimals."""
        plain = to_plain(self.show(value, node.type))
        unit = ""
        if isinstance(node, n.Name) and node.ref[0] == "param":
            unit = self.params[node.name].unit
        if isinstance(plain, int) and not isinstance(plain, bool) and (
                unit in MONEY_UNITS or node.text.endswith("_fen")):
            return display("fen", plain)
        if isinstance(plain, float):
            return f"{round(plain, 4):g}"
        return str(plain)

    def show(self, value, typ: str):
        """Value for a trace step (str codes decoded)."""
        return self.pop.vocabulary.decode(value) if typ == "str" else value

    def definition(self, name: str, row: int, trace: bool = True) -> tuple[np.ndarray, Step | None]:
        key = (name, row, trace)
        if key not in self.cache:
            d = self.pack.definitions[name]
            with np.errstate(all="ignore"):  # same arithmetic semantics as the vector evaluator
                value, inner = self.eval(d.node, d.entity, row, trace)
            value = ops.cast(value, d.type)
            step = None
            if trace:
                kind = "rule" if d.is_rule else "variable"
                citation = d.citation.to_json() if d.citation else None
                step = Step(kind, d.name, self.show(value, d.type), d.label_zh, d.label_en, _passed(value, d.type),
                            citation=citation, children=[inner] if inner else [])
            self.cache[key] = (value, step)
        return self.cache[key]

    # -- walking ------------------------------------------------------------
    def eval(self, node: n.Node, entity: str, row: int, trace: bool) -> tuple[np.ndarray, Step | None]:
        if isinstance(node, n.Const):
            return ops.const(self.encode(node.value, node.type), node.type), None
        if isinstance(node, n.Name):
            return self.name(node, entity, row, trace)
        if isinstance(node, n.Unary):
            v, s = self.eval(node.operand, entity, row, trace)
            return self._step(node, ops.unary(node.op, v), "arith", trace, [s])
        if isinstance(node, n.BinOp):
            a, sa = self.eval(node.left, entity, row, trace)
            b, sb = self.eval(node.right, entity, row, trace)
            return self._step(node, ops.binop(node.op, a, b, node.type), "arith", trace, [sa, sb])
        if isinstance(node, n.Compare):
            return self.compare(node, entity, row, trace)
        if isinstance(node, n.BoolOp):
            results = [self.eval(v, entity, row, trace) for v in node.values]  # all evaluated: list every failure
            values = [bool(v[0]) for v, _ in results]
            value = all(values) if node.op == "and" else any(values)
            note = ""
            if trace and not value:
                failed = [v.text for v, ok in zip(node.values, values, strict=True) if not ok]
                note = f"{_SYMBOL_FAIL} " + "; ".join(failed)
            return self._step(node, np.array([value]), "bool", trace, [s for _, s in results], note)
        if isinstance(node, n.IfExp):
            test, st = self.eval(node.test, entity, row, trace)
            branch = node.body if bool(test[0]) else node.orelse
            v, sb = self.eval(branch, entity, row, trace)
            note = f"取分支 branch taken: {'if' if branch is node.body else 'else'} → {branch.text}"
            return self._step(node, ops.cast(v, node.type), "if", trace, [st, sb], note)
        if isinstance(node, n.In):
            v, s = self.eval(node.left, entity, row, trace)
            if isinstance(node.options, list):
                options, ps = [o.value for o in node.options], None
            else:
                options, ps = list(self.params[node.options.name].value), self.param_step(node.options, trace)
            result = ops.membership(v, [self.encode(o, node.left.type) for o in options])
            result = ~result if node.negate else result
            return self._step(node, result, "in", trace, [s, ps])
        if isinstance(node, n.Call):
            return self.call(node, entity, row, trace)
        raise EvaluationError(f"cannot evaluate {type(node).__name__}")  # pragma: no cover

    def _step(self, node, value, kind, trace, children, note="", **extra):
        if not trace:
            return value, None
        kids = [c for c in children if c is not None]
        return value, Step(kind, node.text, self.show(value, node.type), passed=_passed(value, node.type), note=note,
                           children=kids, **extra)

    def compare(self, node: n.Compare, entity: str, row: int, trace: bool):
        left, sl = self.eval(node.left, entity, row, trace)
        steps, result, note = [sl], True, ""
        left_node = node.left
        for op, comp in zip(node.ops, node.comparators, strict=True):
            right, sr = self.eval(comp, entity, row, trace)
            steps.append(sr)
            ok = bool(ops.compare(op, left, right)[0])
            if not ok and result:
                note = (f"{_SYMBOL_FAIL} {left_node.text} ({self.figure(left_node, left)}) {op} "
                        f"{comp.text} ({self.figure(comp, right)})")
            result = result and ok
            left, left_node = right, comp
        return self._step(node, np.array([result]), "compare", trace, steps, note)

    # -- names --------------------------------------------------------------
    def name(self, node: n.Name, entity: str, row: int, trace: bool):
        ref = node.ref
        if ref[0] == "param":
            value = ops.const(self.encode(self.params[ref[1]].value, node.type), node.type)
            return value, self.param_step(node, trace)
        if ref[0] == "as_of":
            return ops.const(self.as_of, "date"), (Step("as_of", "as_of", self.as_of) if trace else None)
        if ref[0] == "var":
            return self.definition(ref[2], row, trace)
        if ref[0] == "attr":
            value = self.pop[ref[1]].columns[ref[2]][row:row + 1]
            return value, (Step("attribute", node.text, self.show(value, node.type),
                                passed=_passed(value, node.type)) if trace else None)
        # to-one relation
        _, _, relation, inner = ref
        target_row = int(self.pop.to_one(entity, relation)[row])
        if target_row < 0:
            if node.type in ("int", "bool"):
                raise EvaluationError(f"{entity} {self.pop[entity].ids[row]!r} has no {relation}, "
                                      f"needed for {node.text!r}")
            fill = {"float": np.nan, "date": np.datetime64("NaT"), "str": -1}[node.type]
            value = ops.const(fill, node.type)
            return value, (Step("attribute", node.text, None, note=f"no {relation}") if trace else None)
        target = self.pop.schema[entity].relations[relation].target
        if inner[0] == "var":
            value, inner_step = self.definition(inner[2], target_row, trace)
            return value, (Step("variable", node.text, inner_step.value, inner_step.label_zh, inner_step.label_en,
                                inner_step.passed, children=[inner_step]) if trace else None)
        value = self.pop[target].columns[inner[2]][target_row:target_row + 1]
        return value, (Step("attribute", node.text, self.show(value, node.type),
                            passed=_passed(value, node.type)) if trace else None)

    def param_step(self, node: n.Name, trace: bool) -> Step | None:
        p = self.params[node.name]
        info = {"name": p.name, "value": to_plain(p.value), "raw": to_plain(p.raw), "unit": p.unit,
                "display": display(p.unit, p.value), "since": p.since, "overridden": p.overridden}
        citation = p.citation.to_json() if p.citation else None
        self.params_used[p.name] = dict(info, citation=citation)
        if not trace:
            return None
        label = self.pack.parameters[p.name].description
        return Step("param", node.text, p.value, label, label, citation=citation, param=info)

    # -- functions ----------------------------------------------------------
    def call(self, node: n.Call, entity: str, row: int, trace: bool):
        if node.inner_entity:
            return self.collection(node, entity, row, trace)
        if node.func == "lookup":
            table = self.params[node.args[0].name].value
            results = [self.eval(a, entity, row, trace) for a in node.args[1:]]
            args = [None] + [v for v, _ in results]
            if node.args[1].type == "str":
                args[1] = self.pop.vocabulary.decode(args[1])
            steps = [self.param_step(node.args[0], trace)] + [s for _, s in results]
            return self._step(node, ops.call("lookup", args, [], node.type, node.text, table), "call", trace, steps)
        results = [self.eval(a, entity, row, trace) for a in node.args]
        value = ops.call(node.func, [v for v, _ in results], [a.type for a in node.args], node.type, node.text)
        return self._step(node, value, "call", trace, [s for _, s in results])

    def collection(self, node: n.Call, entity: str, row: int, trace: bool):
        members = self.pop.grouping(entity, node.args[0].name).members(row)
        if len(node.args) == 1:
            values = [True] * len(members)
        else:
            values = [self.eval(node.args[1], node.inner_entity, int(m), False)[0][0] for m in members]
        kind = node.args[1].type if len(node.args) > 1 else "bool"
        if node.func in ("count", "any", "all"):
            hits = sum(1 for v in values if v)
            value = {"count": hits, "any": hits > 0, "all": hits == len(values)}[node.func]
        else:
            acc = np.array(values, dtype=np.float64 if kind == "float" else np.int64)
            total = np.add.reduce(acc) if len(acc) else acc.dtype.type(0)
            value = total if node.func == "sum" else ops.binop("/", np.array([total]), np.array([len(acc)]),
                                                              "float")[0]
        value = ops.cast(np.array([value]), node.type)
        if not trace:
            return value, None
        ids = self.pop[node.inner_entity].ids
        sample = [{"id": to_plain(ids[m]), "value": to_plain(v)} for m, v in
                  list(zip(members, values, strict=True))[:MAX_MEMBER_SAMPLE]]
        note = f"{len(members)} 条 {node.inner_entity} records"
        if node.func in ("count", "any", "all") and len(node.args) > 1:
            note += f"，其中 {sum(1 for v in values if v)} 条满足 {node.args[1].text} / match"
        step = Step("collection", node.text, value, passed=_passed(value, node.type), note=note)
        step.param = None
        step.children = [Step("members", f"{node.args[0].name} (first {len(sample)})", sample)] if sample else []
        return value, step


def _passed(value, typ: str):
    return bool(value[0]) if typ == "bool" else None
