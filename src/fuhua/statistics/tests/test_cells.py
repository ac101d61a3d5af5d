"""Cells as people type them: numbers, dates, full-width digits, thousands separators."""

import datetime

import pytest

from fuhua.statistics.exchange import cells

D = datetime.date


@pytest.mark.parametrize(("raw", "expected"), [
    (123, 123), (123.0, 123), ("123", 123), ("１２３", 123), ("1,234,567", 1234567), ("１，２３４", 1234),
    (" 42 ", 42), ("", None), (None, None), ("\u3000", None),
])
def test_numbers(raw, expected):
    assert cells.number(raw) == expected


def test_money_in_thousand_yuan_becomes_fen():
    assert cells.number("12.5", 100000) == 1_250_000
    assert cells.number(0.00001, 100000) == 1
    with pytest.raises(cells.CellProblem):
        cells.number("0.000001", 100000)


@pytest.mark.parametrize("raw", ["约100", "12a", "N/A", True, D(2024, 1, 1), "1.5", "inf", "nan"])
def test_not_numbers(raw):
    with pytest.raises(cells.CellProblem):
        cells.number(raw)


@pytest.mark.parametrize("raw", [
    "2024-03-01", "2024/3/1", "2024.3.1", "2024年3月1日", 45352, 45352.0, "45352", "20240301", "２０２４－０３－０１",
    D(2024, 3, 1), datetime.datetime(2024, 3, 1, 0, 0),
])
def test_dates_in_five_spellings_and_serials(raw):
    assert cells.date(raw) == D(2024, 3, 1)


@pytest.mark.parametrize("raw", ["2024-02-30", "March 1", "2024-13-01", -5, "1.3.2024"])
def test_not_dates(raw):
    with pytest.raises(cells.CellProblem):
        cells.date(raw)


def test_column_letters():
    assert [cells.column_letter(i) for i in (0, 25, 26, 27, 701, 702)] == ["A", "Z", "AA", "AB", "ZZ", "AAA"]
