"""Name resolution, type checking and dependency ordering of a pack's expressions.

Scoping: an expression of entity E sees E's attributes, E's variables/rules,
``as_of``, ``param.<name>``, ``<rel>.<field>`` for a to-one relation of E, and
E's to-many relations as the first argument of a collection function.
Inside ``count/sum/any/all/mean(rel, expr)`` the scope is the related entity.
"""

from __future__ import annotations

import difflib

from . import nodes as n
from .errors import ExpressionError
from .pack import Definition, Parameter

NUMERIC = ("int", "float", "bool")  # bool counts as 0/1 in arithmetic


class DefinitionError(ExpressionError):
    """An ExpressionError located in a named definition."""

    def __init__(self, definition: str, inner: ExpressionError):
        super().__init__(inner.message, inner.col)
        self.definition = definition


class Binder:
    def __init__(self, schema, parameters: dict[str, Parameter], definitions: dict[str, Definition]):
        self.schema, self.params, self.defs = schema, parameters, definitions
        self.order: list[str] = []
        self.state: dict[str, str] = {}  # name -> "visiting" | "done"
        self.stack: list[str] = []

    def bind_all(self) -> list[str]:
        """Bind every definition; return names in dependency order."""
        for name in self.defs:
            self.bind_definition(name)
        return self.order

    def bind_definition(self, name: str) -> None:
        if self.state.get(name) == "done":
            return
        if self.state.get(name) == "visiting":
            cycle = [*self.stack[self.stack.index(name):], name]
            raise DefinitionError(self.stack[-1], ExpressionError("cycle between variables: " + " → ".join(cycle)))
        self.state[name] = "visiting"
        self.stack.append(name)
        d = self.defs[name]
        if d.entity not in self.schema:
            raise DefinitionError(name, ExpressionError(f"unknown entity {d.entity!r}"))
        try:
            self.bind(d.node, d.entity)
        except DefinitionError:
            raise
        except ExpressionError as exc:
            raise DefinitionError(name, exc) from None
        self.stack.pop()
        self.state[name] = "done"
        self.order.append(name)

    # -- names ------------------------------------------------------------
    def _unknown(self, node: n.Node, what: str, candidates) -> ExpressionError:
        close = difflib.get_close_matches(what, list(candidates), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        return ExpressionError(f"unknown name {what!r} (column {node.col}){hint}", node.col)

    def _resolve_in(self, node: n.Name, entity: str, name: str) -> tuple[tuple, str]:
        kind = self.schema[entity]
        if name in kind.attributes:
            return ("attr", entity, name), kind.attributes[name].type
        if name in self.defs:
            d = self.defs[name]
            if d.entity != entity:
                raise ExpressionError(f"{name!r} is defined for entity {d.entity}, not {entity} "
                                      f"(column {node.col})", node.col)
            self.bind_definition(name)
            return ("var", entity, name), d.node.type
        if name in kind.relations:
            rel = kind.relations[name]
            if rel.kind == "many":
                return ("relation", entity, name), "relation"
            raise ExpressionError(f"{name!r} is a to-one relation: use {name}.<field> (column {node.col})", node.col)
        scope = [*kind.attributes, *kind.relations, *(k for k, d in self.defs.items() if d.entity == entity)]
        raise self._unknown(node, name, [*scope, "as_of", "param"])

    def _name(self, node: n.Name, entity: str) -> str:
        if node.base is None:
            if node.name == "as_of":
                node.ref = ("as_of",)
                return "date"
            if node.name == "param":
                raise ExpressionError(f"'param' needs a parameter name: param.<name> (column {node.col})", node.col)
            node.ref, typ = self._resolve_in(node, entity, node.name)
            return typ
        if node.base == "param":
            if node.name not in self.params:
                raise self._unknown(node, f"param.{node.name}", [f"param.{p}" for p in self.params])
            node.ref = ("param", node.name)
            return self.params[node.name].type
        rel = self.schema[entity].relations.get(node.base)
        if rel is None or rel.kind != "one":
            raise ExpressionError(f"{node.base!r} is not a to-one relation of {entity}, so "
                                  f"{node.text!r} is not allowed (column {node.col})", node.col)
        inner, typ = self._resolve_in(node, rel.target, node.name)
        if inner[0] == "relation":
            raise ExpressionError(f"{node.text!r}: collections of related entities are not reachable "
                                  f"(column {node.col})", node.col)
        node.ref = ("via", entity, node.base, inner)
        return typ

    # -- expressions ------------------------------------------------------
    def bind(self, node: n.Node, entity: str) -> str:
        node.type = self._bind(node, entity)
        if node.type == "relation" and not isinstance(node, n.Name):  # pragma: no cover
            raise ExpressionError("relation used as a value", node.col)
        return node.type

    def _value(self, node: n.Node, entity: str) -> str:
        typ = self.bind(node, entity)
        if typ == "relation":
            raise ExpressionError(f"{node.text!r} is a collection; aggregate it with count/sum/any/all/mean "
                                  f"(column {node.col})", node.col)
        if typ in ("list", "table"):
            raise ExpressionError(f"{node.text!r} is a {typ} parameter; use it with 'in' or lookup() "
                                  f"(column {node.col})", node.col)
        return typ

    def _expect(self, node: n.Node, entity: str, allowed: tuple, what: str) -> str:
        typ = self._value(node, entity)
        if typ not in allowed:
            raise ExpressionError(f"{what} needs {'/'.join(allowed)}, but {node.text!r} is {typ} "
                                  f"(column {node.col})", node.col)
        return typ

    def _bind(self, node: n.Node, entity: str) -> str:
        if isinstance(node, n.Const):
            v = node.value
            return ("bool" if isinstance(v, bool) else "int" if isinstance(v, int) else
                    "float" if isinstance(v, float) else "str" if isinstance(v, str) else "date")
        if isinstance(node, n.Name):
            return self._name(node, entity)
        if isinstance(node, n.Unary):
            if node.op == "not":
                self._expect(node.operand, entity, ("bool",), "'not'")
                return "bool"
            typ = self._expect(node.operand, entity, NUMERIC, f"unary {node.op}")
            return "float" if typ == "float" else "int"
        if isinstance(node, n.BinOp):
            return self._binop(node, entity)
        if isinstance(node, n.Compare):
            return self._compare(node, entity)
        if isinstance(node, n.BoolOp):
            for v in node.values:
                self._expect(v, entity, ("bool",), f"'{node.op}'")
            return "bool"
        if isinstance(node, n.IfExp):
            self._expect(node.test, entity, ("bool",), "the condition of 'if'")
            return self._unify(node, self._value(node.body, entity), self._value(node.orelse, entity))
        if isinstance(node, n.In):
            return self._membership(node, entity)
        if isinstance(node, n.Call):
            from .functions import bind_call

            return bind_call(self, node, entity)
        raise ExpressionError(f"unsupported node {type(node).__name__}", node.col)  # pragma: no cover

    def _unify(self, node: n.Node, a: str, b: str) -> str:
        if a == b:
            return a
        if {a, b} <= {"int", "float", "bool"}:
            return "float" if "float" in (a, b) else "int"
        raise ExpressionError(f"{node.text!r} mixes {a} and {b} (column {node.col})", node.col)

    def _binop(self, node: n.BinOp, entity: str) -> str:
        left, right = self._value(node.left, entity), self._value(node.right, entity)
        if node.op == "-" and left == right == "date":
            return "float"  # days between; NaN if a date is missing
        for side, typ in ((node.left, left), (node.right, right)):
            if typ not in NUMERIC:
                raise ExpressionError(f"operator {node.op} needs numbers, but {side.text!r} is {typ} "
                                      f"(column {side.col})", side.col)
        if node.op == "/":
            return "float"
        return "float" if "float" in (left, right) else "int"

    def _compare(self, node: n.Compare, entity: str) -> str:
        types = [self._value(x, entity) for x in [node.left, *node.comparators]]
        for a, b, op, right in zip(types, types[1:], node.ops, node.comparators, strict=False):
            ok = (a in NUMERIC and b in NUMERIC) or a == b
            if ok and a == "str" and op not in ("==", "!="):
                raise ExpressionError(f"strings can only be compared with == or != in {node.text!r} "
                                      f"(column {right.col})", right.col)
            if not ok:
                raise ExpressionError(f"cannot compare {a} with {b} in {node.text!r} (column {right.col})", right.col)
        return "bool"

    def _membership(self, node: n.In, entity: str) -> str:
        left = self._expect(node.left, entity, ("str", "int"), "'in'")
        if isinstance(node.options, list):
            for opt in node.options:
                if self._value(opt, entity) != left:
                    raise ExpressionError(f"'in' option {opt.text!r} is not {left} (column {opt.col})", opt.col)
        else:
            if self.bind(node.options, entity) != "list":
                raise ExpressionError(f"'in' needs a list parameter, {node.options.text!r} is not one "
                                      f"(column {node.options.col})", node.options.col)
        return "bool"
