"""List rows read with `.values()` for the busiest list endpoints (core.api_crud `Resource.list_rows`).

A page of 50 firms as model instances, with their designations prefetched and each serialised through
attribute access, costs more than the queries themselves; the same page as dicts costs two queries and
little else. The kit renders these rows without validating them again, so each function returns exactly
its output schema's fields, in their order (the tests compare the rows with the detail endpoint's answer
for the same objects, key order included).
"""

from __future__ import annotations

from collections import defaultdict

from django.db import connections
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from fuhua.core.api_crud import ListRows

from .models import FirmDesignation
from .schemas import FirmOut

FIRM_COLUMNS = ("id", "name", "credit_code", "founded", "industry_field", "size_class", "listed_on", "listing_board",
                "acquired_on", "deregistered_on", "created_at", "updated_at")


def held_on(day) -> Q:
    """Designations held on `day` (FirmDesignation.is_active as a filter)."""
    return Q(granted_on__lte=day) & (Q(expires_on__isnull=True) | Q(expires_on__gte=day))


def firm_values(queryset: QuerySet) -> QuerySet:
    return queryset.prefetch_related(None).values(
        *FIRM_COLUMNS, region_code=F("region__code"), region_name=F("region__name"), region_level=F("region__level"))


def designations_held(firm_ids: list[int], day) -> dict[int, set[str]]:
    """firm id → the kinds of designation it holds on `day` (FirmDesignation.is_active), in one query.
    Written as SQL (the same as `FirmDesignation.objects.filter(held_on(day), firm_id__in=…)`
    compiles to) because building that query cost more than running it on every list page."""
    held = defaultdict(set)
    if not firm_ids:
        return held
    meta, connection = FirmDesignation._meta, connections[FirmDesignation.objects.db]
    table, column = connection.ops.quote_name(meta.db_table), connection.ops.quote_name
    placeholders = ", ".join(["%s"] * len(firm_ids))  # quoted names and placeholders only; values are parameters
    firm, kind, granted, expires = (column(c) for c in ("firm_id", "kind", "granted_on", "expires_on"))
    sql = (f"SELECT {firm}, {kind} FROM {table} WHERE {firm} IN ({placeholders}) AND {granted} <= %s "  # noqa: S608
           f"AND ({expires} IS NULL OR {expires} >= %s)")
    day = connection.ops.adapt_datefield_value(day)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*firm_ids, day, day])
        for firm_id, kind in cursor.fetchall():
            held[firm_id].add(kind)
    return held


def firm_finish(rows: list[dict]) -> list[dict]:
    held = designations_held([r["id"] for r in rows], timezone.localdate())
    for row in rows:
        row["region"] = {"code": row["region_code"], "name": row["region_name"], "level": row["region_level"]}
        row["designations"] = sorted(held[row["id"]])
    return [{name: row[name] for name in FIRM_FIELDS} for row in rows]


firm_rows = ListRows(firm_values, firm_finish, as_text=(
    "founded", "listed_on", "acquired_on", "deregistered_on", "created_at", "updated_at"))
FIRM_FIELDS = tuple(FirmOut.model_fields)
