"""Carrier attributes from the annual statistics (火炬统计), registered with the rules adapter.

Statistics of year Y are reported early in Y+1, so "last year" is the calendar year before the as-of
date. Only accepted reports count: a draft or a returned report is not "statistics reported".
"""

from __future__ import annotations

import datetime

import numpy as np

from fuhua.rules.adapter import register_attribute_source

from .models import AnnualReport, ReportStatus
from .services import figures

LOOKBACK_YEARS = 10  # enough for "consecutive years"; older history does not change any rule

# entity attribute → statistics code of last year's report
FIGURES = {
    "income_total_fen": "income_total_fen",
    "income_rent_property_fen": "income_rent_fen",
    "incubation_cases_last_year": "incubation_cases",
    "events_last_year": "events",
}
SOURCES = {
    "carrier.stats_years_consecutive": "accepted annual reports, consecutive years up to last year",
    "carrier.stats_reported": "an accepted annual report for last year",
    "carrier.stats_reports_missed_consecutive": "years without an accepted annual report, back from last year",
    "carrier.income_total_fen": "last year's annual report: income_total_fen",
    "carrier.income_rent_property_fen": "last year's annual report: income_rent_fen",
    "carrier.incubation_income_separate": "last year's annual report reports incubation-service income",
    "carrier.incubation_cases_last_year": "last year's annual report: incubation_cases",
    "carrier.events_last_year": "last year's annual report: events",
}


def _reported_years(ids: np.ndarray, last: int) -> dict[int, set[int]]:
    years: dict[int, set[int]] = {}
    rows = AnnualReport.objects.filter(
        carrier_id__in=ids.tolist(), status=ReportStatus.ACCEPTED, year__gt=last - LOOKBACK_YEARS, year__lte=last
    ).values_list("carrier_id", "year").distinct()
    for carrier, year in rows:
        years.setdefault(carrier, set()).add(year)
    return years


def _run_length(years: set[int], last: int, present: bool, since: int) -> int:
    """How many years back from `last` (not before `since`) are reported (present) or missing."""
    count, year = 0, last
    while year >= since and year > last - LOOKBACK_YEARS and ((year in years) == present):
        count, year = count + 1, year - 1
    return count


def statistics_columns(ids: np.ndarray, as_of: datetime.date, columns: dict) -> dict[str, np.ndarray]:
    last = as_of.year - 1
    reported = _reported_years(ids, last)
    established = columns.get("established", np.full(len(ids), np.datetime64("NaT"), "datetime64[D]"))
    founded = [int(str(d)[:4]) if str(d) != "NaT" else last for d in established]
    consecutive = [_run_length(reported.get(int(c), set()), last, True, f) for c, f in zip(ids, founded, strict=True)]
    missed = [_run_length(reported.get(int(c), set()), last, False, f) for c, f in zip(ids, founded, strict=True)]
    got = figures(ids.tolist(), last, [*FIGURES.values(), "income_service_fen"])
    return {
        **{name: got.values[code] for name, code in FIGURES.items()},
        "stats_years_consecutive": np.array(consecutive, np.int64),
        "stats_reported": np.array([last in reported.get(int(c), set()) for c in ids], bool),
        "stats_reports_missed_consecutive": np.array(missed, np.int64),
        "incubation_income_separate": got.present["income_service_fen"] & (got.values["income_service_fen"] > 0),
    }


def register() -> None:
    register_attribute_source("carrier", [k.split(".", 1)[1] for k in SOURCES], statistics_columns, sources=SOURCES)
