"""Helpers for attribute sources: grouped query results → numpy columns aligned with an entity's ids."""

from __future__ import annotations

import numpy as np
from django.db.models import Q

# SQLite caps the parameters of one query (250,000 in Debian's build, 32,766 by default), and a national
# population has more firms than that: a long id list is sent as its range instead.
MAX_LISTED_IDS = 20_000


def dates(values) -> np.ndarray:
    return np.array(list(values), dtype="datetime64[D]")


def scatter(ids: np.ndarray, pairs, dtype=np.int64) -> np.ndarray:
    """Values keyed by id (from a grouped query) → an array aligned with `ids` (0 where absent)."""
    out = np.zeros(len(ids), dtype)
    pairs = list(pairs)
    if not pairs or not len(ids):
        return out
    keys = np.array([p[0] for p in pairs], np.int64)
    values = np.array([p[1] or 0 for p in pairs], dtype)
    order = np.argsort(ids)
    pos = np.clip(np.searchsorted(ids, keys, sorter=order), 0, len(ids) - 1)
    hit = ids[order[pos]] == keys
    out[order[pos[hit]]] = values[hit]
    return out


def member(ids: np.ndarray, members) -> np.ndarray:
    return np.isin(ids, np.fromiter(members, np.int64)) if len(ids) else np.zeros(0, bool)


def among(path: str, ids) -> Q:
    """`path` is one of `ids`; for a long list, within their range: a superset, so every caller aligns
    by id (`scatter`, `member`) or trims its rows (`only`)."""
    ids = [int(i) for i in ids]
    if len(ids) <= MAX_LISTED_IDS:
        return Q(**{f"{path}__in": ids})
    return Q(**{f"{path}__gte": min(ids), f"{path}__lte": max(ids)})


def only(rows: list, ids) -> list:
    wanted = set(int(i) for i in ids)
    return [r for r in rows if r[0] in wanted]


def grouped(qs, key: str, aggregate) -> list:
    return list(qs.order_by().values(key).annotate(v=aggregate).values_list(key, "v"))
