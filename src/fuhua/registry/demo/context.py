"""What the builders share while loading: the random stream, name and code makers, and the bulk writer."""

from __future__ import annotations

import bisect
import datetime
import itertools
import random
from collections import Counter
from dataclasses import dataclass, field

from django.core.management.color import no_style
from django.db import connection
from django.db.models import Max

from fuhua.core.bulk import insert_rows

from .calibration import Scale
from .codes import CodeMaker
from .names import NameMaker

STAMPS = ("created_at", "updated_at")  # set to now by insert_rows
PREPARED_TYPES = {"JSONField", "DecimalField"}  # values the database driver cannot take as they are


class Row:
    """A row to write, by field name or attribute name: what a model instance carries, without the ~10 µs
    of a model's __init__ (the demo builds hundreds of thousands). Its key is set when the sink writes it."""

    def __init__(self, **values) -> None:
        self.__dict__.update(values)

    @property
    def pk(self):
        return self.__dict__.get("id")


_MISSING = object()


class Sink:
    """Bulk inserts; counts what it wrote. Bulk writes bypass model signals and so the audit trail.

    The demo writes hundreds of thousands of rows: Django's bulk_create prepares every value field by field
    (~40 µs a row), so the sink numbers the rows itself (the next free keys, read once per table) and hands
    their attribute values to core.bulk.insert_rows. Callers' objects get their keys, as with bulk_create,
    so later rows can refer to them; `finish()` moves the tables' key sequences past what was written.
    """

    def __init__(self) -> None:
        self.counts: Counter = Counter()
        self.next_pk: dict = {}

    def save(self, model, objects: list) -> None:
        if not objects:
            return
        meta = model._meta
        pk = meta.pk
        if model not in self.next_pk:
            self.next_pk[model] = (model.objects.aggregate(top=Max(pk.attname))["top"] or 0) + 1
        start = self.next_pk[model]
        self.next_pk[model] = start + len(objects)
        fields = [f for f in meta.concrete_fields if f.attname not in STAMPS]
        relations = [f for f in fields if f.is_relation]
        prepared = [i for i, f in enumerate(fields) if f.get_internal_type() in PREPARED_TYPES]
        for i, obj in enumerate(objects, start):
            setattr(obj, pk.attname, i)
            if type(obj) is Row:
                continue
            obj._state.adding = False
            for f in relations:  # an object assigned before it had its key
                if getattr(obj, f.attname) is None and f.is_cached(obj):
                    related = f.get_cached_value(obj)
                    setattr(obj, f.attname, related.pk if related is not None else None)

        attnames = [f.attname for f in fields]

        def missing(values: dict, f):  # a Row without the attribute: its related object's key, or the default
            related = values.get(f.name, _MISSING) if f.is_relation else _MISSING
            if related is not _MISSING:
                return related if related is None else related.pk
            return f.get_default()

        def rows():
            # ~3 million values at the province scale: a dict lookup per value, the rest only where one is missing
            for obj in objects:
                if type(obj) is Row:
                    values = obj.__dict__
                    row = [values.get(a, _MISSING) for a in attnames]
                    if _MISSING in row:
                        row = [missing(values, f) if v is _MISSING else v for v, f in zip(row, fields, strict=True)]
                else:
                    row = [getattr(obj, a) for a in attnames]
                for i in prepared:
                    row[i] = fields[i].get_db_prep_save(row[i], connection)
                yield row

        insert_rows(model, [f.attname for f in fields], rows())
        self.counts[meta.verbose_name_plural] += len(objects)

    def finish(self) -> None:
        """Move the key sequences past the rows written with explicit keys (PostgreSQL; SQLite follows itself)."""
        statements = connection.ops.sequence_reset_sql(no_style(), list(self.next_pk))
        if statements:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)


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


class Weighted:
    """A pick from `population` by `weights`, exactly as `random.choices(population, weights)[0]` draws it (one
    `random()` and the same bisection, so the demo data stay the same) without its set-up on every call: the
    province demo makes ~300,000 such picks."""

    def __init__(self, population, weights) -> None:
        self.population = list(population)
        self.cum_weights = list(itertools.accumulate(weights))
        self.total = self.cum_weights[-1] + 0.0
        self.hi = len(self.population) - 1

    def pick(self, r: random.Random):
        return self.population[bisect.bisect(self.cum_weights, r.random() * self.total, 0, self.hi)]


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
