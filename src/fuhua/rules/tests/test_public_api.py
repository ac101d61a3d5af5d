"""Apps use the rules engine only through `fuhua.rules`; one expression language for packs and other checks."""

import ast
from pathlib import Path

import numpy as np
import pytest

from fuhua.rules import ExpressionError, compile_expression, evaluate_expression

SRC = Path(__file__).resolve().parents[2]  # src/fuhua


def test_no_app_imports_engine_internals():
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        if rel.startswith("rules/"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else (
                [a.name for a in node.names] if isinstance(node, ast.Import) else [])
            offenders += [f"{rel}:{node.lineno} {n}" for n in names if n.startswith("fuhua.rules.engine")]
    assert not offenders, "import these through fuhua.rules:\n" + "\n".join(offenders)


def test_an_expression_over_named_values_row_by_row_and_vectorised():
    expr = compile_expression("a + b <= 0.75 * c", {"a": "int", "b": "int", "c": "int", "unused": "int"})
    assert (expr.names, expr.type) == (("a", "b", "c"), "bool")
    assert [expr.evaluate({"a": 1, "b": 2, "c": 4}), expr.evaluate({"a": 1, "b": 2, "c": 3})] == [True, False]
    assert expr.evaluate({"a": 1, "b": None, "c": 3}) is None  # a missing value: nothing to say
    many = expr.evaluate_many({"a": np.array([1, 1]), "b": np.array([2, 2]), "c": np.array([4, 3])})
    assert many.tolist() == [True, False]
    assert evaluate_expression("max(a, b) * 2", {"a": 3, "b": 5}) == 10


@pytest.mark.parametrize(("text", "message"), [
    ("a <= zz", "unknown name 'zz'"),
    ("__import__('os')", "unknown function '__import__'"),
    ("[a] <= 1", "list display"),
])
def test_what_the_language_refuses_is_named(text, message):
    with pytest.raises(ExpressionError, match=message):
        compile_expression(text, {"a": "int"})
