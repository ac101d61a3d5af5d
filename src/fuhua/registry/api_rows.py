"""List rows read with `.values()` for the busiest list endpoints (core.api_crud `Resource.list_rows`).

A page of 50 firms as model instances, with their designations prefetched and each serialised through
attribute access, costs more than the queries themselves; the same page as dicts costs two queries and
little else. The kit renders these rows without validating them again, so each function returns exactly
its output schema's fields, in their order (the tests compare the rows with the detail endpoint's answer
for the same objects, key order included).
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from .models import FirmDesignation
from .schemas import FirmOut

FIRM_COLUMNS = ("id", "name", "credit_code", "founded", "industry_field", "size_class", "listed_on", "listing_board",
                "acquired_on", "deregistered_on", "created_at", "updated_at")


def held_on(day) -> Q:
    """Designations held on `day` (FirmDesignation.is_active as a filter)."""
    return Q(granted_on__lte=day) & (Q(expires_on__isnull=True) | Q(expires_on__gte=day))


def firm_rows(page: QuerySet) -> list[dict]:
    rows = list(page.prefetch_related(None).values(
        *FIRM_COLUMNS, region_code=F("region__code"), region_name=F("region__name"),
        region_level=F("region__level")))
    held = defaultdict(set)
    designations = FirmDesignation.objects.filter(held_on(timezone.localdate()), firm_id__in=[r["id"] for r in rows])
    for firm_id, kind in designations.values_list("firm_id", "kind"):
        held[firm_id].add(kind)
    for row in rows:
        row["region"] = {"code": row["region_code"], "name": row["region_name"], "level": row["region_level"]}
        row["designations"] = sorted(held[row["id"]])
    return [{name: row[name] for name in FIRM_FIELDS} for row in rows]


FIRM_FIELDS = tuple(FirmOut.model_fields)
