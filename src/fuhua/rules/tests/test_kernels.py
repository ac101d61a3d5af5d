"""Fast paths of the numpy kernels agree exactly with the direct arithmetic.

Large date columns go through per-day tables (kernels._per_day); small arrays (the row
evaluator's) use the calendar arithmetic directly.  Evaluating a large column whole and in
small slices must give identical results, including NaT, pre-1970 and post-2200 dates.
"""

import numpy as np
import pytest

from fuhua.rules.engine import kernels as K
from fuhua.rules.engine.errors import EvaluationError

RANGES = [("2015-01-01", "2024-06-01"), ("1950-01-01", "1990-12-31"), ("2099-01-01", "2201-03-01"),
          ("1899-01-01", "1899-12-31")]


def _dates(rng, lo, hi, n=60_000):
    a, b = np.datetime64(lo, "D").astype(np.int64), np.datetime64(hi, "D").astype(np.int64)
    d = rng.integers(a, b, n).astype("datetime64[D]")
    d[rng.random(n) < 0.05] = np.datetime64("NaT")
    return d


def _equal(x, y) -> bool:
    if x.dtype.kind == "M":
        return x.dtype == y.dtype and np.array_equal(x.view(np.int64), y.view(np.int64))
    return x.dtype == y.dtype and np.array_equal(x, y, equal_nan=True)


@pytest.mark.parametrize(("lo", "hi"), RANGES)
def test_per_day_tables_agree_with_arithmetic(lo, hi):
    rng = np.random.default_rng(3)
    d = _dates(rng, lo, hi)
    other = d[::-1].copy()
    few = np.where(rng.random(d.size) < 0.5, 48, 60)  # a (day, k) table
    many = rng.integers(-30, 70, d.size)
    as_of = np.array([np.datetime64("2021-06-30")])
    cases = {
        "add_months k": lambda s: K.add_months(d[s], 24),
        "add_months few k": lambda s: K.add_months(d[s], few[s]),
        "add_months many k": lambda s: K.add_months(d[s], many[s]),
        "months_between": lambda s: K.months_between(d[s], as_of),
        "months_between reversed": lambda s: K.months_between(as_of, d[s]),
        "years_between": lambda s: K.years_between(d[s], as_of),
        "years_between reversed": lambda s: K.years_between(as_of, d[s]),
        "months_between pairs": lambda s: K.months_between(d[s], other[s]),
    }
    for name, f in cases.items():
        whole = f(slice(None))
        pieces = np.concatenate([f(slice(i, i + 1000)) for i in range(0, d.size, 1000)])
        assert _equal(whole, pieces), name
    months = K.months_between(d, as_of)
    assert np.array_equal(K.years_between(d, as_of), np.trunc(months / 12), equal_nan=True)


def test_per_day_table_is_used_for_large_columns():
    d = _dates(np.random.default_rng(1), "2015-01-01", "2024-06-01")
    days, missing = K._as_days(d)
    assert missing.any() and K._per_day(days) is not None  # NaT does not widen the day range
    assert K._per_day(days[:10]) is None


def test_lookup_codes_agrees_with_lookup():
    strings = ["bio", "ic", "software", "None-like"]
    table = {"bio": 3, "ic": 2, "None": 7}
    codes = np.array([0, 1, 2, -1, 3, 0, -1], np.int64)
    decoded = np.array([*strings, None], dtype=object)[codes]
    assert np.array_equal(K.lookup_codes(table, codes, strings, np.array([1])), K.lookup(table, decoded, np.array([1])))
    per_row = np.arange(7)
    assert np.array_equal(K.lookup_codes(table, codes, strings, per_row), K.lookup(table, decoded, per_row))
    with pytest.raises(EvaluationError) as codes_error:
        K.lookup_codes(table, codes, strings)
    with pytest.raises(EvaluationError) as plain_error:
        K.lookup(table, decoded)
    assert str(codes_error.value) == str(plain_error.value)
    known = codes[np.isin(codes, [0, 1, -1])]
    assert np.array_equal(K.lookup_codes(table, known, strings), K.lookup(table, np.array([*strings, None],
                                                                                          dtype=object)[known]))
