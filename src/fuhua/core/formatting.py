"""How figures read on screen, in exports and in notifications: one place, pure functions.

Money is stored as integer fen and shown as 元 (``yuan``) or 万元 (``wan_yuan``) with thousands
separators in every language; years are years ("2025", never "2,025"); dates are YYYY-MM-DD; times
are Beijing time "YYYY-MM-DD HH:MM" whatever the stored zone. No Django settings are read except the
time zone used for times (Asia/Shanghai unless told otherwise).
"""

from __future__ import annotations

import datetime as _dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")
EMPTY = "—"
WAN_FEN = 1_000_000  # 1 万元 = 10,000 元 = 1,000,000 fen

# Field names that hold a year / money in fen: the generic list and detail pages format them by name.
YEAR_NAMES = {"year", "period", "budget_year", "report_year", "period_year", "first_year", "last_year", "founded_year"}


def _blank(value) -> bool:
    return value is None or value == ""


def _int(value) -> int:
    if isinstance(value, bool):
        raise TypeError("a boolean is not a number")
    if isinstance(value, float):
        return round(value)
    return int(value)


def number(value, places: int | None = None) -> str:
    """A count or measure with thousands separators: 12345 → "12,345"; 1234.5 (places=2) → "1,234.50"."""
    if _blank(value):
        return EMPTY
    if isinstance(value, bool):
        return str(value)
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    if not d.is_finite():
        return EMPTY
    if places is None:  # as many decimals as the value has, at most 4, no trailing zeros
        if d == d.to_integral_value():
            return f"{int(d):,}"
        q = d.quantize(Decimal(1).scaleb(-min(max(-d.as_tuple().exponent, 0), 4)), rounding=ROUND_HALF_UP)
        text = f"{q:,f}"
        return text.rstrip("0").rstrip(".") if "." in text else text
    q = d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return f"{q:,.{places}f}"


def yuan(fen, cents: bool | None = True) -> str:
    """Integer fen → 元 with separators, as an accountant writes it: 5_000_000_000 → "50,000,000.00"
    (``cents=None``: cents only when there are any; ``cents=False``: rounded down to whole yuan)."""
    if _blank(fen):
        return EMPTY
    fen = _int(fen)
    sign = "-" if fen < 0 else ""
    whole, rest = divmod(abs(fen), 100)
    if cents or (cents is None and rest):
        return f"{sign}{whole:,}.{rest:02d}"
    return f"{sign}{whole:,}"


def wan_yuan(fen, places: int = 2) -> str:
    """Integer fen → 万元 with separators, trailing zeros dropped: 30_000_000 → "30"; 1_305_653_400 → "1,305.65"."""
    if _blank(fen):
        return EMPTY
    d = (Decimal(_int(fen)) / WAN_FEN).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{d:,.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


def money(fen, unit: str = "auto", lang: str = "zh") -> str:
    """Fen → a figure with its unit. Chinese: "30 万元" from 1 万元 upwards when whole yuan ("auto"), else
    "5,000 元"; ``unit`` "wan" or "yuan" forces one. English always reads "300,000 yuan"."""
    if _blank(fen):
        return EMPTY
    fen = _int(fen)
    if str(lang).lower().startswith("en"):
        return f"{yuan(fen, cents=None)} yuan"
    if unit == "auto":
        unit = "wan" if abs(fen) >= WAN_FEN and fen % 100 == 0 else "yuan"
    return f"{wan_yuan(fen)} 万元" if unit == "wan" else f"{yuan(fen, cents=None)} 元"


def year(value) -> str:
    """A year without a separator: 2025 → "2025"; a date → its year."""
    if _blank(value):
        return EMPTY
    if isinstance(value, (_dt.date, _dt.datetime)):
        return str(value.year)
    try:
        return str(_int(str(value).replace(",", "")))
    except (TypeError, ValueError):
        return str(value)


def date(value) -> str:
    """A date (or datetime, taken in Beijing time) → "YYYY-MM-DD"; ISO strings pass through."""
    if _blank(value):
        return EMPTY
    if isinstance(value, _dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(BEIJING)
        return value.date().isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    return str(value)[:10]


def datetime(value, seconds: bool = False) -> str:
    """A datetime → Beijing time "YYYY-MM-DD HH:MM" (aware values are converted; naive ones are taken as Beijing)."""
    if _blank(value):
        return EMPTY
    if not isinstance(value, _dt.datetime):
        return date(value)
    if value.tzinfo is not None:
        value = value.astimezone(BEIJING)
    return value.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def percent(value, places: int = 1, ratio: bool = True) -> str:
    """A ratio (0.125, ``ratio=True``) or a percentage (12.5, ``ratio=False``) → "12.5%"."""
    if _blank(value):
        return EMPTY
    d = Decimal(str(value)) * (100 if ratio else 1)
    return f"{number(d, places)}%"


def area_m2(value, places: int = 0) -> str:
    """Square metres with separators: 12000 → "12,000 m²"."""
    if _blank(value):
        return EMPTY
    return f"{number(value, places)} m²"


GRADES = {"excellent": "A", "good": "B", "pass": "C", "passed": "C", "fail": "D", "failed": "D"}


def grade(value) -> str:
    """A grade, one way everywhere: the letter A–D in upper case ("excellent"/"a"/" A " → "A")."""
    if _blank(value):
        return EMPTY
    text = str(value).strip()
    return GRADES.get(text.lower(), text.upper())


def thousand_yuan(value, places: int = 2) -> str:
    """A figure already in 千元 (statistics tables) with separators: 63835395.61 → "63,835,395.61"."""
    if _blank(value):
        return EMPTY
    return number(value, places)


def is_money_name(name: str) -> bool:
    return name.endswith("_fen")


def is_year_name(name: str) -> bool:
    return name in YEAR_NAMES or name.endswith("_year")


def money_label(label) -> str:
    """A field label that names fen ("amount (fen)", "金额（分）") → the same label in 元."""
    text = str(label)
    for old, new in (("（分）", "（元）"), ("(fen)", "(yuan)"), ("（fen）", "（元）")):
        text = text.replace(old, new)
    return text


def field_value(name: str, value) -> str | None:
    """Format `value` by its field name when the name says what it is (money, year); None otherwise."""
    if _blank(value):
        return None
    if is_money_name(name) and isinstance(value, int) and not isinstance(value, bool):
        return yuan(value)
    if is_year_name(name) and isinstance(value, int) and not isinstance(value, bool):
        return year(value)
    if name.endswith("_m2") and isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return area_m2(value)
    return None
