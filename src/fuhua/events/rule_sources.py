"""The carrier's `events_last_year` for the rules (cn-maker-space-2017 备案条件第9项 `min_events`; the
incubator packs that count events), read from the event records.

The statistics source (statistics.rule_sources) gives last year's reported figure first; a carrier that
recorded events held last year in Fuhua gets the recorded count instead (records over a hand-typed number);
a carrier without records keeps the reported figure.
"""

from __future__ import annotations

import datetime

import numpy as np

from fuhua.rules.adapter import register_attribute_source

from .prefill import held

SOURCES = {"carrier.events_last_year": "event records: events the carrier held last year (status held); without "
                                       "records, last year's annual report: events"}


def carrier_events(ids: np.ndarray, as_of: datetime.date, columns: dict) -> dict[str, np.ndarray]:
    counts = held(ids.tolist(), as_of.year - 1)
    reported = columns.get("events_last_year", np.zeros(len(ids), np.int64))
    recorded = np.array([counts.get(int(i), -1) for i in ids], np.int64)
    return {"events_last_year": np.where(recorded >= 0, recorded, reported).astype(np.int64)}


def register() -> None:
    register_attribute_source("carrier", ["events_last_year"], carrier_events, sources=SOURCES)
