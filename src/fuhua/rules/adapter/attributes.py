"""Where the rules adapter gets each entity's rows and attributes: sources that apps register.

The adapter imports no app. Each app declares, in its AppConfig.ready(), what it can provide:

    register_entity("carrier", keyword="carriers", load=carrier_rows, sources={"carrier.kind": "Carrier.kind"})
    register_entity("incubation", keyword="incubations", select=incubation_rows,
                    refers={"carrier_id": "carrier", "firm_id": "firm"})
    register_attribute_source("carrier", ["stats_reported", ...], reported_years, sources={...})

- an entity's *rows*: either `load(ids, as_of) -> columns` (the entity's own table, with its "id" column;
  `ids` are those asked for plus those other entities refer to), or, for an entity that links others
  (an incubation links a carrier and a firm), `select(scope, as_of) -> columns` from the querysets the
  caller passed (`scope`: keyword → queryset or None); its `refers` columns bring the linked rows;
- more *attributes* of an entity: `loader(ids, as_of, columns) -> {name: array aligned with ids}`, where
  `columns` are the entity's columns loaded so far (its rows first, then earlier sources in order).

`sources` say where each attribute comes from, in words: the explanations and the readiness page show them.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np

Columns = dict[str, np.ndarray]


@dataclass
class EntitySource:
    entity: str
    keyword: str
    load: Callable[[np.ndarray, datetime.date], Columns] | None = None
    select: Callable[[dict, datetime.date], Columns] | None = None
    refers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class AttributeSource:
    entity: str
    columns: tuple[str, ...]
    loader: Callable[[np.ndarray, datetime.date, Columns], Columns]


ENTITIES: dict[str, EntitySource] = {}
ATTRIBUTES: list[AttributeSource] = []
# attribute → where the adapter reads it (kind.attribute keys), filled by the registrations.
SOURCES: dict[str, str] = {}


def register_entity(entity: str, *, keyword: str, load=None, select=None, refers: dict[str, str] | None = None,
                    sources: dict[str, str] | None = None) -> None:
    """The rows of `entity` (once per entity; registering again replaces it, as a reloaded app does)."""
    if (load is None) == (select is None):
        raise ValueError(f"{entity}: pass exactly one of load= and select=")
    ENTITIES[entity] = EntitySource(entity, keyword, load, select, dict(refers or {}))
    SOURCES.update(sources or {})


def register_attribute_source(entity: str, columns: Iterable[str], loader, *,
                              sources: dict[str, str] | None = None) -> None:
    """More attributes of `entity`, computed for the entity's ids (replaces a source of the same columns)."""
    source = AttributeSource(entity, tuple(columns), loader)
    ATTRIBUTES[:] = [a for a in ATTRIBUTES if (a.entity, a.columns) != (source.entity, source.columns)]
    ATTRIBUTES.append(source)
    SOURCES.update(sources or {})


def keywords() -> set[str]:
    return {e.keyword for e in ENTITIES.values()}
