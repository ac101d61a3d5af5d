"""Cross-field checks of a form: `a + b <= c`, `x <= 0.75 * y`. A tiny whitelist, never eval.

Python's `ast` only parses; the tree is walked against a whitelist (names of the form's fields,
numbers, + - and * by a number, one comparison) and turned into a closure over a dict of values.
A check whose fields are not all filled in is skipped: the required-field rule reports those.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable
from dataclasses import dataclass

_COMPARE = {ast.LtE: operator.le, ast.Lt: operator.lt, ast.GtE: operator.ge, ast.Gt: operator.gt,
            ast.Eq: operator.eq, ast.NotEq: operator.ne}
_ARITH = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul}


class ExpressionError(ValueError):
    pass


@dataclass(frozen=True)
class Check:
    rule: str
    codes: tuple[str, ...]  # the fields it reads; messages name them
    test: Callable[[dict], bool | None]  # None: some field is empty, nothing to say


def compile_check(rule: str, known: set[str]) -> Check:
    try:
        tree = ast.parse(rule.strip(), mode="eval").body
    except SyntaxError as exc:
        raise ExpressionError(f"{rule!r}: syntax error ({exc.msg})") from None
    if not (isinstance(tree, ast.Compare) and len(tree.ops) == 1 and type(tree.ops[0]) in _COMPARE):
        raise ExpressionError(f"{rule!r}: a check is one comparison, e.g. `a <= b`")
    codes: list[str] = []
    left = _term(tree.left, known, codes, rule)
    right = _term(tree.comparators[0], known, codes, rule)
    compare = _COMPARE[type(tree.ops[0])]

    def test(values: dict) -> bool | None:
        a, b = left(values), right(values)
        if a is None or b is None:
            return None
        return compare(a, b)

    return Check(rule, tuple(dict.fromkeys(codes)), test)


def _term(node, known: set[str], codes: list[str], rule: str) -> Callable[[dict], float | None]:
    if isinstance(node, ast.Name):
        if node.id not in known:
            raise ExpressionError(f"{rule!r}: unknown field {node.id!r}")
        codes.append(node.id)
        return lambda values, name=node.id: values.get(name)
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return lambda values, number=node.value: number
    if isinstance(node, ast.BinOp) and type(node.op) in _ARITH:
        if isinstance(node.op, ast.Mult) and not any(isinstance(s, ast.Constant) for s in (node.left, node.right)):
            raise ExpressionError(f"{rule!r}: multiply only by a number")
        left, right = _term(node.left, known, codes, rule), _term(node.right, known, codes, rule)
        op = _ARITH[type(node.op)]

        def arith(values):
            a, b = left(values), right(values)
            return None if a is None or b is None else op(a, b)

        return arith
    raise ExpressionError(f"{rule!r}: {type(node).__name__} is not allowed (fields, numbers, + - *, one comparison)")
