"""Bulk writes of report figures (imports, demo) through core.bulk."""

from __future__ import annotations

from collections.abc import Iterable

from fuhua.core.bulk import insert_rows

from .models import ReportValue


def insert_values(rows: Iterable[tuple[int, str, int | None, str, int | None]]) -> int:
    """Insert (report id, code, value, origin, prefilled) figures; returns how many."""
    return insert_rows(ReportValue, ["report_id", "code", "value", "origin", "prefilled"], rows)
