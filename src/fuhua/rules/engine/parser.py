"""Whitelist parser: expression text → engine nodes.

Python's ``ast`` is used only to *parse* (mode ``eval``); the tree is then
walked against a whitelist and converted to :mod:`.nodes`.  Nothing is ever
compiled or evaluated by Python.  Anything not explicitly allowed is rejected
with the construct's name and its column.
"""

from __future__ import annotations

import ast

import numpy as np

from . import nodes as n
from .errors import ExpressionError

MAX_CHARS = 2000
MAX_DEPTH = 40
MAX_POWER = 8  # `x ** k` only with a literal integer 0 <= k <= MAX_POWER
MAX_INT_LITERAL = 2**62
MAX_STR_LITERAL = 200

# name -> (min args, max args or None)
SCALAR_FUNCTIONS = {
    "min": (2, None), "max": (2, None), "clip": (3, 3), "round": (1, 2), "abs": (1, 1),
    "lookup": (2, 3), "months_between": (2, 2), "years_between": (2, 2),
    "days_between": (2, 2), "add_months": (2, 2), "coalesce": (2, 2), "present": (1, 1),
}
# first argument is a to-many relation; the rest are evaluated per element
COLLECTION_FUNCTIONS = {"count": (1, 2), "sum": (2, 2), "any": (1, 2), "all": (2, 2), "mean": (2, 2)}
FUNCTIONS = SCALAR_FUNCTIONS | COLLECTION_FUNCTIONS

_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//",
           ast.Mod: "%", ast.Pow: "**"}
_CMPOPS = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}
_UNARY = {ast.USub: "-", ast.UAdd: "+", ast.Not: "not"}
_CONSTRUCT_NAMES = {
    ast.Subscript: "subscript", ast.Lambda: "lambda", ast.ListComp: "comprehension",
    ast.SetComp: "comprehension", ast.DictComp: "comprehension", ast.GeneratorExp: "generator expression",
    ast.JoinedStr: "f-string", ast.FormattedValue: "f-string", ast.NamedExpr: "walrus (:=)",
    ast.Starred: "starred expression", ast.Dict: "dict display", ast.Set: "set display",
    ast.Await: "await", ast.Yield: "yield", ast.YieldFrom: "yield", ast.Slice: "slice",
    ast.List: "list display", ast.Tuple: "tuple display",
}


def parse(text: str) -> n.Node:
    """Parse one expression; raise :class:`ExpressionError` on anything not whitelisted."""
    if not isinstance(text, str):
        raise ExpressionError(f"expression must be a string, got {type(text).__name__}", 1)
    if len(text) > MAX_CHARS:
        raise ExpressionError(f"expression longer than {MAX_CHARS} characters", 1)
    src = text.strip()
    try:
        tree = ast.parse(src, mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"syntax error: {exc.msg}", exc.offset or 1) from None
    except (RecursionError, MemoryError, ValueError) as exc:
        raise ExpressionError(f"expression too complex or invalid ({type(exc).__name__})", 1) from None
    return _Converter(src).convert(tree.body, 0)


class _Converter:
    def __init__(self, src: str):
        self.src = src

    def fail(self, node: ast.AST, message: str):
        raise ExpressionError(message, getattr(node, "col_offset", 0) + 1)

    def base(self, node: ast.AST) -> dict:
        text = ast.get_source_segment(self.src, node) or ""
        return {"text": text, "col": node.col_offset + 1}

    def convert(self, node: ast.AST, depth: int) -> n.Node:
        if depth > MAX_DEPTH:
            self.fail(node, f"expression nested deeper than {MAX_DEPTH} levels")
        method = getattr(self, "_" + type(node).__name__, None)
        if method is None:
            what = _CONSTRUCT_NAMES.get(type(node), type(node).__name__)
            self.fail(node, f"{what} is not allowed (column {node.col_offset + 1})")
        return method(node, depth + 1)

    def _Constant(self, node: ast.Constant, depth: int) -> n.Node:
        value = node.value
        if isinstance(value, (bool, float)):
            pass
        elif isinstance(value, int):
            if abs(value) > MAX_INT_LITERAL:
                self.fail(node, f"integer literal too large (column {node.col_offset + 1})")
        elif isinstance(value, str):
            if len(value) > MAX_STR_LITERAL:
                self.fail(node, f"string literal longer than {MAX_STR_LITERAL} characters")
        else:
            self.fail(node, f"literal {value!r} is not allowed (column {node.col_offset + 1})")
        return n.Const(**self.base(node), value=value)

    def _check_identifier(self, node: ast.AST, name: str) -> None:
        if name.startswith("_"):
            self.fail(node, f"name {name!r} is not allowed: names may not start with '_' "
                            f"(column {node.col_offset + 1})")

    def _Name(self, node: ast.Name, depth: int) -> n.Node:
        self._check_identifier(node, node.id)
        if node.id in ("True", "False"):  # pragma: no cover - parsed as Constant
            return n.Const(**self.base(node), value=node.id == "True")
        return n.Name(**self.base(node), name=node.id)

    def _Attribute(self, node: ast.Attribute, depth: int) -> n.Node:
        if not isinstance(node.value, ast.Name):
            self.fail(node, "attribute access is only allowed as name.field (param.x or "
                            f"relation.field), not on {type(node.value).__name__} "
                            f"(column {node.col_offset + 1})")
        self._check_identifier(node.value, node.value.id)
        if node.attr.startswith("_"):
            self.fail(node, f"attribute {node.attr!r} is not allowed (column {node.col_offset + 1})")
        return n.Name(**self.base(node), name=node.attr, base=node.value.id)

    def _UnaryOp(self, node: ast.UnaryOp, depth: int) -> n.Node:
        op = _UNARY.get(type(node.op))
        if op is None:
            self.fail(node, f"operator {type(node.op).__name__} is not allowed (column {node.col_offset + 1})")
        operand = self.convert(node.operand, depth)
        if op == "-" and isinstance(operand, n.Const) and not isinstance(operand.value, (bool, str)):
            return n.Const(**self.base(node), value=-operand.value)  # fold negative literals
        return n.Unary(**self.base(node), op=op, operand=operand)

    def _BinOp(self, node: ast.BinOp, depth: int) -> n.Node:
        op = _BINOPS.get(type(node.op))
        if op is None:
            self.fail(node, f"operator {type(node.op).__name__} is not allowed (column {node.col_offset + 1})")
        if op == "**":
            exp = node.right
            if not (isinstance(exp, ast.Constant) and type(exp.value) is int and 0 <= exp.value <= MAX_POWER):
                self.fail(node, f"'**' needs a literal integer exponent 0..{MAX_POWER} "
                                f"(column {node.col_offset + 1})")
        return n.BinOp(**self.base(node), op=op, left=self.convert(node.left, depth),
                       right=self.convert(node.right, depth))

    def _BoolOp(self, node: ast.BoolOp, depth: int) -> n.Node:
        op = "and" if isinstance(node.op, ast.And) else "or"
        return n.BoolOp(**self.base(node), op=op, values=[self.convert(v, depth) for v in node.values])

    def _IfExp(self, node: ast.IfExp, depth: int) -> n.Node:
        return n.IfExp(**self.base(node), test=self.convert(node.test, depth),
                       body=self.convert(node.body, depth), orelse=self.convert(node.orelse, depth))

    def _Compare(self, node: ast.Compare, depth: int) -> n.Node:
        if any(isinstance(op, (ast.In, ast.NotIn)) for op in node.ops):
            if len(node.ops) != 1:
                self.fail(node, f"'in' cannot be chained (column {node.col_offset + 1})")
            return self._membership(node, depth)
        ops = []
        for op in node.ops:
            sym = _CMPOPS.get(type(op))
            if sym is None:
                self.fail(node, f"comparison {type(op).__name__} is not allowed (column {node.col_offset + 1})")
            ops.append(sym)
        return n.Compare(**self.base(node), left=self.convert(node.left, depth), ops=ops,
                         comparators=[self.convert(c, depth) for c in node.comparators])

    def _membership(self, node: ast.Compare, depth: int) -> n.Node:
        rhs = node.comparators[0]
        if isinstance(rhs, (ast.Tuple, ast.List)):
            options = [self.convert(e, depth) for e in rhs.elts]
            if not options or not all(isinstance(o, n.Const) for o in options):
                self.fail(rhs, f"'in' needs a non-empty tuple of literals (column {rhs.col_offset + 1})")
        elif isinstance(rhs, (ast.Name, ast.Attribute)):
            options = self.convert(rhs, depth)
        else:
            what = _CONSTRUCT_NAMES.get(type(rhs), type(rhs).__name__)
            self.fail(rhs, f"'in' needs a tuple of literals or a list parameter, not {what} "
                           f"(column {rhs.col_offset + 1})")
        return n.In(**self.base(node), left=self.convert(node.left, depth), options=options,
                    negate=isinstance(node.ops[0], ast.NotIn))

    def _Call(self, node: ast.Call, depth: int) -> n.Node:
        if not isinstance(node.func, ast.Name):
            self.fail(node, f"only calls of the fixed functions are allowed, not a method call "
                            f"(column {node.col_offset + 1})")
        name = node.func.id
        if node.keywords:
            self.fail(node, f"keyword arguments are not allowed (column {node.col_offset + 1})")
        if name == "date":
            return self._date(node)
        if name not in FUNCTIONS:
            self.fail(node, f"unknown function {name!r} (column {node.col_offset + 1}); allowed: "
                            + ", ".join([*sorted(FUNCTIONS), "date"]))
        args = [self.convert(a, depth) for a in node.args]  # rejects starred etc. first
        lo, hi = FUNCTIONS[name]
        if len(node.args) < lo or (hi is not None and len(node.args) > hi):
            want = f"{lo}" if lo == hi else f"{lo}..{hi or 'n'}"
            self.fail(node, f"{name}() takes {want} arguments, got {len(node.args)} "
                            f"(column {node.col_offset + 1})")
        if name in COLLECTION_FUNCTIONS and not (isinstance(args[0], n.Name) and args[0].base is None):
            self.fail(node, f"{name}() needs a relation name as first argument (column {node.col_offset + 1})")
        return n.Call(**self.base(node), func=name, args=args)

    def _date(self, node: ast.Call) -> n.Node:
        arg = node.args[0] if len(node.args) == 1 else None
        if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
            self.fail(node, f'date() needs one literal "YYYY-MM-DD" string (column {node.col_offset + 1})')
        try:
            value = np.datetime64(arg.value, "D")
        except ValueError:
            self.fail(node, f"invalid date {arg.value!r} (column {node.col_offset + 1})")
        if np.isnat(value) or len(arg.value) != 10:
            self.fail(node, f"invalid date {arg.value!r} (column {node.col_offset + 1})")
        return n.Const(**self.base(node), value=value)
