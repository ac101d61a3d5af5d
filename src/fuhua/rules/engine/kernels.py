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
    first = np.argmin(missing)  # fill with a present day (results there are masked) so the day range stays narrow
    return np.where(missing, days.flat[first] if not missing.flat[first] else 0, days), missing


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


# -- per-day tables ---------------------------------------------------------
# A date column of a large table holds few distinct days (500,000 incubations span ~3,500 days),
# so a date function of one column (the other arguments fixed) is computed once per day of the
# column's [min, max] range and gathered.  The table is small enough to stay in cache, and the
# gather is the only pass over the column that writes a full-size array.  Small arrays (the row
# evaluator's length-1 values) use the arithmetic directly; both paths run the same arithmetic
# on the same day numbers, so they agree exactly.
_DIRECT_TABLE_DAYS = 1 << 20  # days 0..2**20 (1970 .. ~4840) index a table directly (no offset pass)


def _per_day(days: np.ndarray, width: int = 1):
    """Day range (lo, hi) of ``days`` when a per-day table (``width`` entries per day) pays off, else None."""
    if days.size < 4096:
        return None
    lo, hi = int(days.min()), int(days.max())
    return (lo, hi) if (hi - lo + 1) * width <= days.size // 2 else None


def _gather_per_day(days: np.ndarray, lo: int, hi: int, values: np.ndarray) -> np.ndarray:
    """``values[d - lo]`` for every day d of ``days`` (values computed for lo..hi)."""
    if lo >= 0 and hi < _DIRECT_TABLE_DAYS:  # index by day number: no offset array needed
        table = np.empty(hi + 1, values.dtype)  # pages below lo are never touched
        table[lo:] = values
        return table[days]
    return values[days - lo]


def _months_between_days(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Whole months from day a to day b (int64), by calendar arithmetic."""
    sign = np.where(b >= a, 1, -1)
    lo_month, lo_day = _month_and_day(np.minimum(a, b))
    hi_month, hi_day = _month_and_day(np.maximum(a, b))
    incomplete = (hi_day < lo_day) & (hi_day != _month_length(hi_month))
    hi_month -= lo_month
    hi_month -= incomplete
    hi_month *= sign
    return hi_month


def _months_between_any(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Day numbers (no missing) → whole months as int64; through a per-day table when one side is fixed."""
    if a.size == 1 or b.size == 1:
        column, fixed = (b, a) if a.size == 1 else (a, b)
        span = _per_day(column)
        if span is not None:
            lo, hi = span
            domain = np.arange(lo, hi + 1, dtype=np.int64)
            values = _months_between_days(fixed, domain) if a.size == 1 else _months_between_days(domain, fixed)
            return _gather_per_day(column, lo, hi, values)
    return _months_between_days(a, b)


def _with_missing(out: np.ndarray, *masks) -> np.ndarray:
    for missing in masks:
        if missing is not None:
            if out.shape != missing.shape:
                out = np.array(np.broadcast_to(out, np.broadcast_shapes(out.shape, missing.shape)))
            out[missing] = np.nan
    return out


def months_between(d1, d2) -> np.ndarray:
    """Whole months from d1 to d2 (negative if d2 < d1); NaN if a date is missing.

    Consistent with :func:`add_months`: 2019-12-31 → 2021-06-30 is 18 months,
    because the end of a shorter month completes the month.
    """
    (a, miss_a), (b, miss_b) = _as_days(d1), _as_days(d2)
    return _with_missing(_months_between_any(a, b).astype(np.float64), miss_a, miss_b)


def years_between(d1, d2) -> np.ndarray:
    (a, miss_a), (b, miss_b) = _as_days(d1), _as_days(d2)
    months = _months_between_any(a, b)
    years = np.abs(months) // 12  # truncation towards zero, in integers
    years *= np.sign(months)
    return _with_missing(years.astype(np.float64), miss_a, miss_b)


def days_between(d1, d2) -> np.ndarray:
    d1, d2 = np.asarray(d1, "datetime64[D]"), np.asarray(d2, "datetime64[D]")
    out = (d2 - d1).astype(np.int64).astype(np.float64)
    out[np.isnat(d1) | np.isnat(d2)] = np.nan
    return out


def _add_months_days(days: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Day numbers + k calendar months (int64 day numbers), by calendar arithmetic."""
    month, day = _month_and_day(days)
    target = month + k
    local = target - _FIRST_MONTH
    if local.size == 0 or (local.min() >= 0 and local.max() < len(_MONTH_LEN)):
        out = np.minimum(day, _MONTH_LEN[local])
        out += _MONTH_START[local]
        out -= 1
        return out
    year, mon = np.floor_divide(target, 12), target % 12 + 1
    return _days(year, mon, np.minimum(day, _month_days(year, mon)))


def add_months(d, k) -> np.ndarray:
    """d + k calendar months, day clipped to the month's end (Jan 31 + 1 → Feb 28/29)."""
    days, missing = _as_days(d)
    k = np.asarray(k, np.int64)
    out = None
    if k.size == 1:  # one month count: a table per day of the column
        span = _per_day(days)
        if span is not None:
            lo, hi = span
            out = _gather_per_day(days, lo, hi, _add_months_days(np.arange(lo, hi + 1, dtype=np.int64), k))
            out = out.reshape(np.broadcast_shapes(days.shape, k.shape))
    elif days.shape == k.shape and days.size >= 4096:  # a few distinct month counts: a (day, k) table
        k_lo, k_hi = int(k.min()), int(k.max())
        width = k_hi - k_lo + 1
        span = _per_day(days, width)
        if span is not None:
            lo, hi = span
            grid_days = np.repeat(np.arange(lo, hi + 1, dtype=np.int64), width)
            grid_k = np.tile(np.arange(k_lo, k_hi + 1, dtype=np.int64), hi - lo + 1)
            grid = _add_months_days(grid_days, grid_k)
            index = days - lo
            index *= width
            index += k
            index -= k_lo
            out = grid[index]
    if out is None:
        out = _add_months_days(days, k)
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


def lookup_codes(table: dict, codes: np.ndarray, strings: list[str], default=None,
                 what: str = "lookup()") -> np.ndarray:
    """:func:`lookup` for categorical str keys (codes into ``strings``; -1 = missing), without decoding:
    the table is mapped once per vocabulary entry, then gathered by code.  Same results and errors."""
    codes = np.asarray(codes, np.int64)
    names = [*strings, str(None)]  # code -1 (missing) indexes the last slot, as str(None) would
    found = np.array([k in table for k in names], dtype=bool)
    is_int = all(type(v) is int for v in table.values())
    values = np.array([table.get(k, 0) for k in names], np.int64 if is_int else np.float64)
    if default is None:
        used = np.bincount(codes + 1, minlength=len(names)) > 0  # slot 0 counts code -1
        used = np.roll(used, -1)
        if not found[used].all():
            missing = ", ".join(repr(k) for k in sorted(np.array(names, dtype=object)[used & ~found])[:5])
            raise EvaluationError(f"{what}: key(s) {missing} not in table (keys: {', '.join(table)})")
        return values[codes]
    default = np.asarray(default)
    if default.size == 1:
        return np.where(found, values, default.reshape(()))[codes]
    return np.where(found[codes], values[codes], default)
