"""What the builders share while loading: the random stream, name and code makers, and the bulk writer."""

from __future__ import annotations

import datetime
import random
from collections import Counter
from dataclasses import dataclass, field

from .calibration import Scale
from .codes import CodeMaker
from .names import NameMaker

BATCH_SIZE = 2000  # rows per INSERT where the database allows (SQLite caps it at 999 parameters)


class Sink:
    """Bulk inserts; counts what it wrote. Bulk writes bypass model signals and so the audit trail."""

    def __init__(self) -> None:
        self.counts: Counter = Counter()

    def save(self, model, objects: list) -> None:
        if objects:
            model.objects.bulk_create(objects, batch_size=BATCH_SIZE)
            self.counts[model._meta.verbose_name_plural] += len(objects)


@dataclass
class Context:
    scale: Scale
    sink: Sink = field(default_factory=Sink)
    codes: CodeMaker = field(default_factory=CodeMaker)
    rng: random.Random = field(default_factory=random.Random)
    names: NameMaker = field(init=False)
    universities: dict = field(default_factory=dict)  # name → Organisation, shared across groups
    associations: dict = field(default_factory=dict)  # province code → Organisation

    def __post_init__(self) -> None:
        self.names = NameMaker(self.rng)

    def start_group(self, key: str) -> None:
        # A stream per group: a group's data does not depend on how much the groups before it drew.
        self.rng.seed(f"{self.scale.seed}:{key}")
        self.names.new_group()


def between(r: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    """A day in [start, end]; `start` when the range is empty."""
    return start + datetime.timedelta(days=r.randint(0, max(0, (end - start).days)))


def add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def seeded(key: str) -> random.Random:
    # A string seed is hashed with SHA-512 by random.seed: the same stream on every run and machine.
    return random.Random(key)  # noqa: S311 - demo data, not secrets
