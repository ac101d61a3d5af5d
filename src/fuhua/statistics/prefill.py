"""Prefill: what the apps already know about a carrier's year, per form field, with its source.

Sources are a registry (`core.prefill`): each app that holds facts about a carrier's year registers them
from its AppConfig.ready() — incubation its records and its tenants' figures, IP and investments
(`incubation/prefill.py`), vouchers and later apps theirs — and a form field names one (`prefill:
incubations.tenants`). Statistics reads them through the registry and imports no such app. The carrier's
own record, staffing, mentors and seed funds are registry facts, read here and registered the same way.

Each source answers many carriers at once with a few grouped queries (the demo prefills every carrier's
three years in a few dozen queries).
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Sum
from django.utils.translation import gettext_lazy as _

from fuhua.core import prefill as sources
from fuhua.registry import models as registry

Result = dict[int, int]


def _in(qs, path: str, ids):
    return qs if ids is None else qs.filter(**{f"{path}__in": ids})


def _carrier(ids, year, fields):
    columns = {f: f.split(".", 1)[1] for f in fields}
    out: dict[int, dict[str, int]] = {}
    for row in _in(registry.Carrier.objects, "pk", ids).values("pk", *columns.values()):
        out[row["pk"]] = {f: row[col] for f, col in columns.items()}
    return out


_STAFFING = {"staffing.total": "staff_total", "staffing.professional": "staff_professional",
             "staffing.fulltime": "staff_fulltime"}


def _staffing(ids, year, fields):
    """The staffing of the year, or the latest recorded before it."""
    columns = {f: _STAFFING[f] for f in fields}
    out: dict[int, dict[str, int]] = {}
    qs = _in(registry.CarrierStaffing.objects, "carrier_id", ids).filter(year__lte=year).order_by(
        "carrier_id", "-year")
    for row in qs.values("carrier_id", *columns.values()):
        if row["carrier_id"] not in out:
            out[row["carrier_id"]] = {f: row[col] for f, col in columns.items()}
    return out


def _grouped(qs, key: str, agg) -> Result:
    return {row[key]: int(row["n"] or 0) for row in qs.values(key).annotate(n=agg).order_by()}


def _mentors(ids, year):
    through = registry.MentorProfile.carriers.through
    return _grouped(_in(through.objects, "carrier_id", ids), "carrier_id", Count("pk"))


def _seed_funds(ids, year):
    qs = _in(registry.SeedFund.objects, "carrier_id", ids).filter(established_on__lte=datetime.date(year, 12, 31))
    return _grouped(qs, "carrier_id", Sum("size_fen"))


def register() -> None:
    """The registry's facts about a carrier (statistics reads the registry, a lower layer, directly)."""
    sources.register_prefill_source("carrier", _("carrier record"), {
        "carrier.incubation_area_m2": _("carrier record: incubation area"),
        "carrier.tenant_area_m2": _("carrier record: tenant-use area"),
        "carrier.workstations": _("carrier record: workstations"),
    }, _carrier)
    staffing = _("staffing of the year (or the latest before)")
    sources.register_prefill_source("staffing", _("staffing"), {f: staffing for f in _STAFFING}, _staffing)
    sources.register_prefill_source("mentors", _("mentors"), {"mentors.count": _("mentors linked to the carrier")},
                                    sources.per_field({"mentors.count": _mentors}), counted=True)
    sources.register_prefill_source("seed_funds", _("seed funds"), {
        "seed_funds.size": _("seed funds established by 31 December")},
        sources.per_field({"seed_funds.size": _seed_funds}))


register()


def available(source: str) -> bool:
    """A field key some app registered (a form may name a source of an app that is not installed)."""
    return sources.source_of(source) is not None


def prefill(form, carrier_ids: list[int] | None, year: int) -> dict[int, dict[str, int]]:
    """carrier id → {field code: value} for every field of `form` with a registered source.

    Carriers a counted source knows nothing about get 0 (no tenants is a fact); carriers a source of
    carrier-level facts knows nothing about get nothing (staffing not recorded)."""
    ids = None if carrier_ids is None else list(carrier_ids)
    all_ids = ids if ids is not None else list(registry.Carrier.objects.values_list("pk", flat=True))
    out: dict[int, dict[str, int]] = {pk: {} for pk in all_ids}
    fields = [f for f in form.fields.values() if f.prefill and available(f.prefill)]
    columns = sources.load({f.prefill for f in fields}, ids, year)
    for field in fields:
        values = columns.get(field.prefill, {})
        default = 0 if sources.source_of(field.prefill).counted else None
        for pk in all_ids:
            value = values.get(pk, default)
            if value is not None:
                out[pk][field.code] = int(value)
    return out


def source_label(source: str) -> str:
    return sources.field_label(source)
