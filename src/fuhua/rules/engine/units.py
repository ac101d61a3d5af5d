"""Units of parameters and how YAML values become engine values.

Convention (enforced): **YAML holds human units, expressions see canonical units.**

* money: ``unit: yuan`` values are written in yuan and stored as int64 *fen*
  (×100, must be a whole number of fen); ``unit: fen`` values must already be
  integers.  Money inside expressions is therefore always integer fen.
* ``unit: percent``: written as ``75`` meaning 75 %; expressions see ``0.75``.
* counts, months, years, days: integers.  ``m2``, ``ratio``, ``number``: floats.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

UNIT_TYPES = {
    "yuan": "int", "fen": "int", "percent": "float", "m2": "float", "ratio": "float",
    "number": "float", "count": "int", "months": "int", "years": "int", "days": "int",
    "bool": "bool", "text": "str", "list": "list", "table": "table",
}
MONEY_UNITS = ("yuan", "fen")


def to_canonical(unit: str, raw: object) -> object:
    """Convert a YAML value to its engine value; raise ValueError with a reason."""
    if unit not in UNIT_TYPES:
        raise ValueError(f"unknown unit {unit!r}; known: {', '.join(UNIT_TYPES)}")
    if unit == "list":
        if not isinstance(raw, list) or not all(isinstance(x, (str, int)) and not isinstance(x, bool) for x in raw):
            raise ValueError("a list parameter needs a list of strings or integers")
        return tuple(raw)
    if unit == "table":
        if not isinstance(raw, dict) or not raw:
            raise ValueError("a table parameter needs a non-empty mapping key: number")
        if not all(_is_number(v) for v in raw.values()):
            raise ValueError("table values must be numbers")
        return {str(k): v for k, v in raw.items()}
    if unit == "bool":
        if not isinstance(raw, bool):
            raise ValueError(f"expected true/false, got {raw!r}")
        return raw
    if unit == "text":
        if not isinstance(raw, str):
            raise ValueError(f"expected text, got {raw!r}")
        return raw
    if not _is_number(raw):
        raise ValueError(f"expected a number in {unit}, got {raw!r}")
    if unit in MONEY_UNITS:
        return _money_to_fen(unit, raw)
    if unit == "percent":
        return float(Decimal(str(raw)) / 100)
    if UNIT_TYPES[unit] == "int":
        if isinstance(raw, float) and not raw.is_integer():
            raise ValueError(f"a value in {unit} must be a whole number, got {raw!r}")
        return int(raw)
    return float(raw)


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _money_to_fen(unit: str, raw: int | float) -> int:
    try:
        fen = Decimal(str(raw)) * (100 if unit == "yuan" else 1)
    except InvalidOperation:  # pragma: no cover - numbers always convert
        raise ValueError(f"invalid money value {raw!r}") from None
    if fen != fen.to_integral_value():
        raise ValueError(f"money value {raw!r} {unit} is not a whole number of fen")
    return int(fen)


def display(unit: str, value: object) -> str:
    """Human rendering of a canonical value, e.g. 500000000 fen → '5,000,000 元'."""
    if unit in MONEY_UNITS and isinstance(value, int):
        yuan = Decimal(value) / 100
        return f"{yuan:,.2f} 元".replace(".00 ", " ")
    if unit == "percent" and isinstance(value, float):
        return f"{value * 100:g}%"
    if unit == "m2":
        return f"{value:g} m²"
    return str(value)
