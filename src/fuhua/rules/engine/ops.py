"""Element-wise operators shared by both evaluators.

Both evaluators represent values as numpy arrays (the row evaluator uses
length-1 arrays), so arithmetic, comparison and scalar functions have one
implementation; the evaluators differ in how they walk the tree, aggregate
collections and resolve variables.
"""

from __future__ import annotations

import numpy as np

from . import kernels
from .errors import EvaluationError

# str values are int32 codes of the population's Vocabulary (-1 = missing)
DTYPES = {"bool": np.bool_, "int": np.int64, "float": np.float64, "date": "datetime64[D]", "str": np.int32}


def const(value, typ: str, n: int = 1) -> np.ndarray:
    """A constant as a length-n array; str constants must already be encoded."""
    return np.full(n, value, dtype=DTYPES[typ])


def cast(values: np.ndarray, typ: str) -> np.ndarray:
    want = np.dtype(DTYPES[typ])
    return values if values.dtype == want else values.astype(want)


def numeric(values: np.ndarray) -> np.ndarray:
    return values.astype(np.int64) if values.dtype == bool else values


def unary(op: str, v: np.ndarray) -> np.ndarray:
    if op == "not":
        return np.logical_not(v)
    v = numeric(v)
    return -v if op == "-" else v


def binop(op: str, a: np.ndarray, b: np.ndarray, result_type: str) -> np.ndarray:
    if a.dtype.kind == "M":  # date - date (the binder allows nothing else)
        return kernels.days_between(b, a)
    a, b = numeric(a), numeric(b)
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "/":
        return kernels.divide(a, b)
    if op in ("//", "%"):
        if result_type == "int":
            return kernels.int_divide(a, b, op)
        a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
        safe = np.where(b == 0, 1.0, b)
        out = np.floor_divide(a, safe) if op == "//" else np.mod(a, safe)
        return np.where(b == 0, np.nan, out)
    if op == "**":
        return np.power(a, b)
    raise EvaluationError(f"operator {op}")  # pragma: no cover


_COMPARE = {"==": np.equal, "!=": np.not_equal, "<": np.less, "<=": np.less_equal,
            ">": np.greater, ">=": np.greater_equal}


def compare(op: str, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return _COMPARE[op](numeric(a), numeric(b))


def membership(v: np.ndarray, options) -> np.ndarray:
    """``v in options``; options are encoded like v (str → codes)."""
    if len(options) > 8:
        return np.isin(v, np.asarray(options, dtype=v.dtype))
    out = np.zeros(v.shape, dtype=bool)
    for option in options:  # a few equality passes beat isin's sort for short lists
        out |= v == option
    return out


def call(func: str, args: list[np.ndarray], types: list[str], result_type: str, what: str,
         table: dict | None = None) -> np.ndarray:
    """Scalar (non-collection) functions."""
    if func in ("min", "max"):
        fn = np.minimum if func == "min" else np.maximum
        out = numeric(args[0])
        for a in args[1:]:
            out = fn(out, numeric(a))
        return cast(out, result_type)
    if func == "clip":
        x, lo, hi = (numeric(a) for a in args)
        return cast(np.minimum(np.maximum(x, lo), hi), result_type)
    if func == "abs":
        return np.abs(numeric(args[0]))
    if func == "round":
        digits = int(args[1][0]) if len(args) > 1 else 0
        return kernels.round_half_away(args[0], digits, result_type == "int", what)
    if func == "months_between":
        return kernels.months_between(args[0], args[1])
    if func == "years_between":
        return kernels.years_between(args[0], args[1])
    if func == "days_between":
        return kernels.days_between(args[0], args[1])
    if func == "add_months":
        return kernels.add_months(args[0], numeric(args[1]))
    if func == "coalesce":
        missing = kernels.is_missing(args[0], types[0])
        return cast(np.where(missing, args[1], args[0]), result_type)
    if func == "present":
        return ~kernels.is_missing(args[0], types[0])
    if func == "lookup":
        default = args[2] if len(args) > 2 else None
        return cast(kernels.lookup(table, args[1], default, what), result_type)
    raise EvaluationError(f"unknown function {func}")  # pragma: no cover
