"""Carrier attributes from the published evaluations (the last two grades), registered with the rules adapter."""

from __future__ import annotations

import datetime

import numpy as np

from fuhua.rules.adapter import register_attribute_source

from .services import published_grades

SOURCES = {
    "carrier.evaluation_grade_last": "published evaluation grade for last year",
    "carrier.evaluation_grade_prev": "published evaluation grade for the year before",
}


def grade_columns(ids: np.ndarray, as_of: datetime.date, _columns: dict) -> dict[str, np.ndarray]:
    last = as_of.year - 1
    grades_last, grades_prev = published_grades(last, ids.tolist()), published_grades(last - 1, ids.tolist())
    return {
        "evaluation_grade_last": np.array([grades_last.get(int(c)) for c in ids], dtype=object),
        "evaluation_grade_prev": np.array([grades_prev.get(int(c)) for c in ids], dtype=object),
    }


def register() -> None:
    register_attribute_source("carrier", [k.split(".", 1)[1] for k in SOURCES], grade_columns, sources=SOURCES)
