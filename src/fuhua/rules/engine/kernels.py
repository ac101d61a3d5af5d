"""Numpy kernels shared by both evaluators (the row evaluator calls them on
length-1 arrays), so date arithmetic and rounding agree bit for bit."""

from __future__ import annotations

import numpy as np

from .errors import EvaluationError


def is_missing(values: np.ndarray, typ: str) -> np.ndarray:
    values = np.asarray(values)
    if typ == "float":
        return np.isnan(values)
    if typ == "date":
        return np.isnat(values)
    if typ == "str":
        return values < 0  # categorical code -1
    return np.zeros(values.shape, dtype=bool)


_MONTH_DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], np.int64)


# Calendar tables for 1900..2199: date arithmetic becomes array look-ups (gathers),
# which is ~10x faster than integer division or numpy's datetime64[M] conversions.
_FIRST_MONTH = 1900 * 12
_MONTH_START = np.arange("1900-01", "2200-02", dtype="datetime64[M]").astype("datetime64[D]").astype(np.int64)
_TABLE_START, _TABLE_END = _MONTH_START[0], _MONTH_START[-1]
_TABLE_MONTH_INDEX = np.repeat(np.arange(len(_MONTH_START) - 1), np.diff(_MONTH_START)) + _FIRST_MONTH
_TABLE_DAY = np.arange(_TABLE_START, _TABLE_END) - _MONTH_START[_TABLE_MONTH_INDEX - _FIRST_MONTH] + 1
_MONTH_LEN = np.diff(_MONTH_START)
_NAT = np.datetime64("NaT").view(np.int64)


def _in_table(days: np.ndarray) -> bool:
    return days.size == 0 or (days.min() >= _TABLE_START and days.max() < _TABLE_END)


def _civil(days: np.ndarray):
    """Days since 1970-01-01 → (year, month 1-12, day)."""
    if _in_table(days):
        offset = days - _TABLE_START
        month_index = _TABLE_MONTH_INDEX[offset]
        return month_index // 12, month_index % 12 + 1, _TABLE_DAY[offset]
    return _civil_arithmetic(days)


def _civil_arithmetic(days: np.ndarray):
    """H. Hinnant's civil-from-days algorithm, for dates outside the tables."""
    z = days + 719468
    era = np.floor_divide(z, 146097)
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = np.where(mp < 10, mp + 3, mp - 9)
    year = yoe + era * 400 + (month <= 2)
    return year, month, day


def _days(year, month, day) -> np.ndarray:
    index = year * 12 + month - 1 - _FIRST_MONTH
    if index.size == 0 or (index.min() >= 0 and index.max() < len(_MONTH_START) - 1):
        return _MONTH_START[index] + day - 1
    y = year - (month <= 2)
    era = np.floor_divide(y, 400)
    yoe = y - era * 400
    doy = (153 * np.where(month > 2, month - 3, month + 9) + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def _month_days(year, month) -> np.ndarray:
    index = year * 12 + month - 1 - _FIRST_MONTH
    if index.size == 0 or (index.min() >= 0 and index.max() < len(_MONTH_START) - 1):
        return _MONTH_START[index + 1] - _MONTH_START[index]
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    return _MONTH_DAYS[month - 1] + (leap & (month == 2))


def _as_days(d) -> tuple[np.ndarray, np.ndarray | None]:
    """Day numbers (a zero-copy int64 view) and the missing mask (None when nothing is missing)."""
    days = np.asarray(d, "datetime64[D]").view(np.int64)
    missing = days == _NAT
    if not missing.any():
        return days, None
    return np.where(missing, 0, days), missing


def _month_and_day(days: np.ndarray):
    """(absolute month index year*12+month-1, day of month), via the tables when possible."""
    if _in_table(days):
        offset = days - _TABLE_START
        return _TABLE_MONTH_INDEX[offset], _TABLE_DAY[offset]
    year, month, day = _civil_arithmetic(days)
    return year * 12 + month - 1, day


def _month_length(month_index: np.ndarray) -> np.ndarray:
    local = month_index - _FIRST_MONTH
    if local.size == 0 or (local.min() >= 0 and local.max() < len(_MONTH_LEN)):
        return _MONTH_LEN[local]
    return _month_days(month_index // 12, month_index % 12 + 1)


def months_between(d1, d2) -> np.ndarray:
    """Whole months from d1 to d2 (negative if d2 < d1); NaN if a date is missing.

    Consistent with :func:`add_months`: 2019-12-31 → 2021-06-30 is 18 months,
    because the end of a shorter month completes the month.
    """
    (a, miss_a), (b, miss_b) = _as_days(d1), _as_days(d2)
    sign = np.where(b >= a, 1, -1)
    lo_month, lo_day = _month_and_day(np.minimum(a, b))
    hi_month, hi_day = _month_and_day(np.maximum(a, b))
    incomplete = (hi_day < lo_day) & (hi_day != _month_length(hi_month))
    out = (sign * (hi_month - lo_month - incomplete)).astype(np.float64)
    for missing in (miss_a, miss_b):
        if missing is not None:
            out[missing] = np.nan
    return out


def years_between(d1, d2) -> np.ndarray:
    return np.trunc(months_between(d1, d2) / 12)


def days_between(d1, d2) -> np.ndarray:
    d1, d2 = np.asarray(d1, "datetime64[D]"), np.asarray(d2, "datetime64[D]")
    out = (d2 - d1).astype(np.int64).astype(np.float64)
    out[np.isnat(d1) | np.isnat(d2)] = np.nan
    return out


def add_months(d, k) -> np.ndarray:
    """d + k calendar months, day clipped to the month's end (Jan 31 + 1 → Feb 28/29)."""
    days, missing = _as_days(d)
    month, day = _month_and_day(days)
    target = month + np.asarray(k, np.int64)
    local = target - _FIRST_MONTH
    if local.size == 0 or (local.min() >= 0 and local.max() < len(_MONTH_LEN)):
        out = np.minimum(day, _MONTH_LEN[local])
        out += _MONTH_START[local]
        out -= 1
    else:
        year, mon = np.floor_divide(target, 12), target % 12 + 1
        out = _days(year, mon, np.minimum(day, _month_days(year, mon)))
    out = out.view("datetime64[D]")
    if missing is not None:
        out[missing] = np.datetime64("NaT")
    return out


def round_half_away(x, digits: int = 0, as_int: bool = True, what: str = "round()") -> np.ndarray:
    """Commercial rounding (四舍五入): halves go away from zero."""
    x = np.asarray(x, np.float64)
    scale = 10.0**digits
    out = np.sign(x) * np.floor(np.abs(x) * scale + 0.5) / scale
    if not as_int:
        return out
    if np.isnan(out).any():
        raise EvaluationError(f"{what}: value is missing (NaN); guard it with coalesce()")
    return out.astype(np.int64)


def divide(a, b) -> np.ndarray:
    """True division; division by zero gives NaN (missing), never inf."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    out = np.full(np.broadcast(a, b).shape, np.nan)
    np.divide(a, b, out=out, where=b != 0)
    return out


def int_divide(a, b, op: str) -> np.ndarray:
    """``//`` and ``%`` on integers; a zero divisor gives 0 (documented)."""
    a, b = np.asarray(a, np.int64), np.asarray(b, np.int64)
    safe = np.where(b == 0, 1, b)
    out = a // safe if op == "//" else a % safe
    return np.where(b == 0, 0, out)


def lookup(table: dict, keys, default=None, what: str = "lookup()") -> np.ndarray:
    """Map keys through a table parameter; unknown keys take ``default`` or raise."""
    keys = np.asarray(keys)
    uniques, inverse = np.unique(keys.astype(str), return_inverse=True)
    inverse = inverse.reshape(keys.shape)
    is_int = all(type(v) is int for v in table.values())
    found = np.array([k in table for k in uniques], dtype=bool)  # per distinct key, not per entity
    if default is None and not found.all():
        missing = ", ".join(repr(str(k)) for k in uniques[~found][:5])
        raise EvaluationError(f"{what}: key(s) {missing} not in table (keys: {', '.join(table)})")
    values = np.array([table.get(str(k), 0) for k in uniques], np.int64 if is_int else np.float64)
    out = values[inverse]
    if default is not None:
        default = np.asarray(default)
        out = np.where(found[inverse], out, default)
    return out
