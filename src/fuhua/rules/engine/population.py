"""Columnar populations: one table (dict of numpy arrays) per entity kind.

Relations are materialised lazily as index arrays:
* to-one: ``to_one(kind, rel)`` → int64 row index into the target (-1 = none);
* to-many: ``grouping(kind, rel)`` → :class:`Grouping` (CSR: member rows sorted
  by parent, ``offsets[i]:offsets[i+1]`` are the members of parent row i).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..entities import Schema, default_schema
from .errors import PopulationError

_DTYPES = {"bool": bool, "int": np.int64, "float": np.float64, "date": "datetime64[D]", "str": np.int32}
MISSING_CODE = -1


class Vocabulary:
    """String interning shared by every str column of a population.

    String attributes are stored as int32 codes (categorical), so equality and
    ``in`` are integer comparisons, also across tables (``firm.industry_field
    == carrier.industry_field``).  Missing is code -1.
    """

    def __init__(self):
        self.codes: dict[str, int] = {}
        self.strings: list[str] = []

    def code(self, value) -> int:
        if value is None:
            return MISSING_CODE
        value = str(value)
        if value not in self.codes:
            self.codes[value] = len(self.strings)
            self.strings.append(value)
        return self.codes[value]

    def encode(self, values) -> np.ndarray:
        values = np.asarray(values, dtype=object)
        missing = np.equal(values, None)
        out = np.full(values.shape, MISSING_CODE, np.int32)
        if (~missing).any():
            uniques, inverse = np.unique(values[~missing].astype(str), return_inverse=True)
            out[~missing] = np.array([self.code(u) for u in uniques], np.int32)[inverse.reshape(-1)]
        return out

    def decode(self, codes) -> np.ndarray:
        table = np.empty(len(self.strings) + 1, dtype=object)
        table[:-1] = self.strings
        table[-1] = None  # code -1 indexes the last slot
        return table[np.asarray(codes, np.int64)]


@dataclass
class Grouping:
    order: np.ndarray  # member row indices, grouped by parent
    offsets: np.ndarray  # len(parents) + 1
    parent: np.ndarray  # parent row of every member-table row (-1: none)
    all_linked: bool  # every member row has a parent

    def members(self, parent_row: int) -> np.ndarray:
        return self.order[self.offsets[parent_row]:self.offsets[parent_row + 1]]


class EntityTable:
    def __init__(self, kind: str, ids: np.ndarray, columns: dict[str, np.ndarray]):
        self.kind, self.ids, self.columns = kind, ids, columns
        self._sorter = np.argsort(ids, kind="stable")
        sorted_ids = ids[self._sorter]
        if len(ids) > 1 and (sorted_ids[1:] == sorted_ids[:-1]).any():
            dup = sorted_ids[1:][sorted_ids[1:] == sorted_ids[:-1]][0]
            raise PopulationError(f"{kind}: duplicate id {dup!r}")
        self._sorted_ids = sorted_ids

    def __len__(self) -> int:
        return len(self.ids)

    def rows_of(self, ids) -> np.ndarray:
        """Row index of each id, -1 where unknown or None (vectorised)."""
        ids = np.asarray(ids)
        out = np.full(ids.shape, -1, np.int64)
        present = ~np.equal(ids, None) if ids.dtype == object else np.ones(ids.shape, bool)
        if len(self.ids) == 0 or not present.any():
            return out
        needles = ids[present]
        try:
            if needles.dtype == object:
                needles = needles.astype(str if self._sorted_ids.dtype.kind == "U" else self._sorted_ids.dtype)
            pos = np.searchsorted(self._sorted_ids, needles)
            pos = np.minimum(pos, len(self.ids) - 1)
            hit = self._sorted_ids[pos] == needles
        except (TypeError, ValueError):
            raise PopulationError(f"{self.kind}: ids of mixed types cannot be matched") from None
        out[present] = np.where(hit, self._sorter[pos], -1)
        return out

    def row_of(self, entity_id) -> int:
        row = int(self.rows_of(np.asarray([entity_id], dtype=self.ids.dtype))[0])
        if row < 0:
            raise PopulationError(f"no {self.kind} with id {entity_id!r}")
        return row


class Population:
    """All entity tables for one evaluation.  Build with :meth:`from_records` or :meth:`from_columns`."""

    def __init__(self, tables: dict[str, EntityTable], schema: Schema, vocabulary: Vocabulary):
        self.tables, self.schema, self.vocabulary = tables, schema, vocabulary
        self._to_one: dict[tuple, np.ndarray] = {}
        self._groups: dict[tuple, Grouping] = {}
        self._joined: dict[tuple, np.ndarray] = {}

    def __getitem__(self, kind: str) -> EntityTable:
        return self.tables[kind]

    @classmethod
    def from_records(cls, records: dict[str, list[dict]], schema: Schema | None = None) -> Population:
        """``{"carrier": [{"id": 1, "kind": "incubator", ...}], "incubation": [...]}``."""
        schema = schema or default_schema()
        columns = {}
        for kind, rows in records.items():
            if kind not in schema:
                raise PopulationError(f"unknown entity kind {kind!r}")
            known = _column_names(schema, kind)
            cols: dict[str, list] = {name: [] for name in known}
            for i, rec in enumerate(rows):
                unknown = set(rec) - set(known)
                if unknown:
                    raise PopulationError(f"{kind} record {rec.get('id', i)!r}: unknown field(s) {sorted(unknown)}")
                if "id" not in rec:
                    raise PopulationError(f"{kind} record #{i}: missing id")
                for name in known:
                    cols[name].append(rec.get(name))
            columns[kind] = {k: v for k, v in cols.items() if any(x is not None for x in v) or k == "id"}
        return cls.from_columns(columns, schema)

    @classmethod
    def from_columns(cls, columns: dict[str, dict], schema: Schema | None = None) -> Population:
        """``{"carrier": {"id": array, "incubation_area_m2": array, ...}, ...}``; absent columns take defaults."""
        schema = schema or default_schema()
        tables, vocabulary = {}, Vocabulary()
        for kind in schema.kinds:
            cols = columns.get(kind, {"id": []})
            if "id" not in cols:
                raise PopulationError(f"{kind}: an 'id' column is required")
            ids = np.asarray(cols["id"])
            if ids.size == 0:
                ids = ids.astype(np.int64)
            if ids.dtype.kind not in "iuUO":
                raise PopulationError(f"{kind}: ids must be integers or strings")
            tables[kind] = EntityTable(kind, ids, _convert(schema, kind, cols, ids, vocabulary))
        return cls(tables, schema, vocabulary)

    def to_one(self, kind: str, relation: str) -> np.ndarray:
        key = (kind, relation)
        if key not in self._to_one:
            rel = self.schema[kind].relations[relation]
            self._to_one[key] = self.tables[rel.target].rows_of(self.tables[kind].columns[rel.fk])
        return self._to_one[key]

    def joined(self, kind: str, relation: str, attribute: str) -> np.ndarray | None:
        """``relation.attribute`` for every row of ``kind`` (a materialised join, cached);
        None when some rows have no related entity (the evaluator handles those)."""
        key = (kind, relation, attribute)
        if key not in self._joined:
            index = self.to_one(kind, relation)
            if (index < 0).any():
                return None
            target = self.schema[kind].relations[relation].target
            self._joined[key] = self.tables[target].columns[attribute][index]
        return self._joined[key]

    def grouping(self, kind: str, relation: str) -> Grouping:
        key = (kind, relation)
        if key not in self._groups:
            rel = self.schema[kind].relations[relation]
            parent = self.tables[kind].rows_of(self.tables[rel.target].columns[rel.fk])
            rows = np.flatnonzero(parent >= 0)
            order = rows[np.argsort(parent[rows], kind="stable")]
            counts = np.bincount(parent[rows], minlength=len(self.tables[kind]))
            offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
            self._groups[key] = Grouping(order, offsets, parent, len(rows) == len(parent))
        return self._groups[key]


def _column_names(schema: Schema, kind: str) -> list[str]:
    ek = schema[kind]
    fks = [r.fk for r in ek.relations.values() if r.kind == "one"]
    return ["id", *ek.attributes, *fks]


def _convert(schema: Schema, kind: str, cols: dict, ids: np.ndarray, vocabulary: Vocabulary) -> dict:
    ek, n = schema[kind], len(ids)
    unknown = set(cols) - set(_column_names(schema, kind))
    if unknown:
        raise PopulationError(f"{kind}: unknown column(s) {sorted(unknown)}")
    out = {}
    for rel in ek.relations.values():
        if rel.kind == "one":
            raw = cols.get(rel.fk)
            out[rel.fk] = np.asarray(raw if raw is not None else [None] * n, dtype=object if raw is None else None)
    for name, attr in ek.attributes.items():
        raw = cols.get(name)
        if raw is None:
            raw = [None] * n
        if attr.type == "str":
            out[name] = vocabulary.encode(raw)
        else:
            out[name] = _column(kind, attr, raw, ids)
        if len(out[name]) != n:
            raise PopulationError(f"{kind}.{name}: {len(out[name])} values for {n} ids")
    return out


def _column(kind: str, attr, raw, ids: np.ndarray) -> np.ndarray:
    if isinstance(raw, np.ndarray) and raw.dtype != object:
        return _checked_array(kind, attr, raw)
    values = list(raw)
    missing = [i for i, v in enumerate(values) if v is None]
    if missing and attr.type in ("int", "bool"):
        if not attr.has_default:
            raise PopulationError(f"{kind} {ids[missing[0]]!r}: {attr.name} is missing and has no default")
        for i in missing:
            values[i] = attr.default
    if attr.type == "int":
        for i, v in enumerate(values):
            integral = isinstance(v, (int, np.integer)) or (isinstance(v, float) and v.is_integer())
            if isinstance(v, bool) or not integral:
                raise PopulationError(f"{kind} {ids[i]!r}: {attr.name} must be an integer, got {v!r}")
    if attr.type == "bool":
        for i, v in enumerate(values):
            if not isinstance(v, (bool, np.bool_)):
                raise PopulationError(f"{kind} {ids[i]!r}: {attr.name} must be true/false, got {v!r}")
    if attr.type == "float":
        values = [np.nan if v is None else v for v in values]
    try:
        return np.asarray(values, dtype=_DTYPES[attr.type])
    except (ValueError, TypeError) as exc:
        raise PopulationError(f"{kind}.{attr.name}: cannot read values as {attr.type}: {exc}") from None


def _checked_array(kind: str, attr, raw: np.ndarray) -> np.ndarray:
    want = np.dtype(_DTYPES[attr.type])
    if attr.type == "date" and raw.dtype.kind in "iu":
        raise PopulationError(f"{kind}.{attr.name}: dates must be datetime64, not integers")
    if attr.type == "int" and raw.dtype.kind == "f" and not np.all(np.isfinite(raw) & (raw == np.trunc(raw))):
        raise PopulationError(f"{kind}.{attr.name}: integer column has fractional or missing values")
    return raw.astype(want, copy=False)
