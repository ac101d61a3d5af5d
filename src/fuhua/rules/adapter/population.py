"""Build a rules `Population` (numpy columns) from querysets: a few grouped queries, no query per row.

    loaded = load_population(as_of, carriers=Carrier.objects.restrict(user))   # a region
    loaded = load_population(as_of, incubations=Incubation.objects.filter(pk=7))  # one record
    evaluate_population(pack, loaded.population, as_of)

The keywords are those of the registered entities (see attributes.py: the registry registers carriers and
firms, incubation its records, statistics and evaluation more carrier attributes). Linking entities are
selected first (an incubation record belongs to the population when its carrier, its firm or itself was
asked for), and bring the rows they refer to; then each entity's own rows, then its other attributes.
Statuses and dates are taken as they stood on `as_of`, so a past date re-counts the tenants of that day.
"""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass

import numpy as np

from ..engine import Population
from .attributes import ATTRIBUTES, ENTITIES


@dataclass
class Loaded:
    population: Population
    as_of: datetime.date
    seconds: float  # loading only; computing is timed by the caller

    def ids(self, kind: str) -> np.ndarray:
        return self.population[kind].ids


def load_population(as_of: datetime.date, **scope) -> Loaded:
    """The population around the given querysets (any combination of the registered keywords), as of `as_of`."""
    started = time.perf_counter()
    unknown = set(scope) - {e.keyword for e in ENTITIES.values()}
    if unknown:
        raise TypeError(f"load_population: unknown keyword(s) {sorted(unknown)}; known: "
                        f"{sorted(e.keyword for e in ENTITIES.values())}")
    full_scope = {e.keyword: scope.get(e.keyword) for e in ENTITIES.values()}
    columns: dict[str, dict] = {}
    wanted: dict[str, set[int]] = {}
    for entity in ENTITIES.values():
        if entity.select is not None:
            columns[entity.entity] = cols = entity.select(full_scope, as_of)
            for column, target in entity.refers.items():
                wanted.setdefault(target, set()).update(cols[column].tolist())
    for entity in ENTITIES.values():
        if entity.load is not None:
            ids = wanted.get(entity.entity, set())
            if scope.get(entity.keyword) is not None:
                ids |= set(scope[entity.keyword].values_list("pk", flat=True))
            columns[entity.entity] = entity.load(np.array(sorted(ids), np.int64), as_of)
    for source in ATTRIBUTES:
        cols = columns.get(source.entity)
        if cols is not None:
            cols.update(source.loader(cols["id"], as_of, cols))
    population = Population.from_columns(columns)
    return Loaded(population, as_of, time.perf_counter() - started)
