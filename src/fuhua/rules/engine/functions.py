"""Type rules of the fixed function set (see parser.FUNCTIONS)."""

from __future__ import annotations

from . import nodes as n
from .errors import ExpressionError

NUMBERS = ("int", "float", "bool")


def _err(node: n.Node, message: str) -> ExpressionError:
    return ExpressionError(f"{message} (column {node.col})", node.col)


def bind_call(binder, node: n.Call, entity: str) -> str:
    f, args = node.func, node.args
    if f in ("count", "sum", "any", "all", "mean"):
        return _bind_collection(binder, node, entity)
    if f in ("min", "max"):
        types = [binder._value(a, entity) for a in args]
        if all(t == "date" for t in types):
            return "date"
        if not all(t in NUMBERS for t in types):
            raise _err(node, f"{f}() needs numbers or dates, got {', '.join(types)}")
        return "float" if "float" in types else "int"
    if f == "clip":
        types = [binder._expect(a, entity, NUMBERS, "clip()") for a in args]
        return "float" if "float" in types else "int"
    if f == "abs":
        typ = binder._expect(args[0], entity, NUMBERS, "abs()")
        return "float" if typ == "float" else "int"
    if f == "round":
        binder._expect(args[0], entity, NUMBERS, "round()")
        if len(args) == 1:
            return "int"
        digits = args[1]
        if not (isinstance(digits, n.Const) and type(digits.value) is int and 0 <= digits.value <= 12):
            raise _err(digits, "round() digits must be a literal integer 0..12")
        digits.type = "int"
        return "int" if digits.value == 0 else "float"
    if f in ("months_between", "years_between", "days_between"):
        for a in args:
            binder._expect(a, entity, ("date",), f"{f}()")
        return "float"  # NaN when a date is missing
    if f == "add_months":
        binder._expect(args[0], entity, ("date",), "add_months()")
        binder._expect(args[1], entity, ("int", "bool"), "add_months() months")
        return "date"
    if f == "coalesce":
        a, b = binder._value(args[0], entity), binder._value(args[1], entity)
        return binder._unify(node, a, b)
    if f == "present":
        binder._value(args[0], entity)
        return "bool"
    if f == "lookup":
        return _bind_lookup(binder, node, entity)
    raise _err(node, f"unknown function {f!r}")  # pragma: no cover - parser rejects it


def _bind_collection(binder, node: n.Call, entity: str) -> str:
    rel_node = node.args[0]
    if binder.bind(rel_node, entity) != "relation":
        raise _err(rel_node, f"{node.func}() needs a to-many relation of {entity} as first argument, "
                             f"{rel_node.text!r} is not one")
    relation = binder.schema[entity].relations[rel_node.name]
    node.inner_entity = relation.target
    if len(node.args) == 1:
        return "int" if node.func == "count" else "bool"
    inner = node.args[1]
    if node.func in ("count", "any", "all"):
        binder._expect(inner, relation.target, ("bool",), f"the condition of {node.func}()")
        return "int" if node.func == "count" else "bool"
    typ = binder._expect(inner, relation.target, NUMBERS, f"{node.func}()")
    if node.func == "mean":
        return "float"
    return "float" if typ == "float" else "int"


def _bind_lookup(binder, node: n.Call, entity: str) -> str:
    table = node.args[0]
    if not (isinstance(table, n.Name) and table.base == "param"):
        raise _err(table, "lookup() needs param.<table> as first argument")
    if binder.bind(table, entity) != "table":
        raise _err(table, f"{table.text!r} is not a table parameter")
    binder._expect(node.args[1], entity, ("str", "int"), "lookup() key")
    values = [pv.value for pv in binder.params[table.name].values]
    all_int = all(type(v) is int for tbl in values for v in tbl.values())
    typ = "int" if all_int else "float"
    if len(node.args) == 3:
        typ = binder._unify(node, typ, binder._expect(node.args[2], entity, NUMBERS, "lookup() default"))
    return typ
