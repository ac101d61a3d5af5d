"""Prefill sources: what the apps already know about a carrier's year, registered for the annual statistics.

The annual report (statistics) prefills a form field from the source its definition names
(`prefill: incubations.tenants`). Statistics sits beside the apps that hold those facts (incubation's
tenants, vouchers' services, later events, mentors, deals), so it cannot import them; each app registers
its sources here from its AppConfig.ready() and statistics reads them through this registry:

    register_prefill_source(
        "incubations", _("incubation records"),
        fields={"incubations.tenants": _("incubation records: firms in incubation on 31 December"), ...},
        load=lambda carrier_ids, year, fields: {carrier_id: {"incubations.tenants": 12, ...}, ...},
        counted=True,
    )

- `fields` maps each field key (what a form's `prefill:` names) to where its number comes from, shown
  next to the prefilled value; a field key belongs to one source.
- `load(carrier_ids, year, fields)` answers the requested `fields` (a subset of the source's) for many
  carriers at once — a few grouped queries, not one per carrier; `carrier_ids` None means every carrier.
  A carrier it says nothing about is simply absent.
- `counted`: the source counts records, so a carrier without any gets 0 (no tenants is a fact); otherwise a
  carrier the source knows nothing about gets no value (staffing not recorded stays blank).

Values are integers in the field's storage unit (fen for money, m² for areas, counts).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass

Loader = Callable[[list[int] | None, int, frozenset[str]], Mapping[int, Mapping[str, int]]]


@dataclass(frozen=True)
class PrefillSource:
    key: str
    label: object  # the source in words (a lazy translated string)
    fields: Mapping[str, object]  # field key -> where its number comes from (lazy string)
    load: Loader
    counted: bool = False


_SOURCES: dict[str, PrefillSource] = {}
_FIELDS: dict[str, str] = {}  # field key -> source key


def register_prefill_source(key: str, label, fields: Mapping[str, object], load: Loader, *,
                            counted: bool = False) -> None:
    """Add (or replace, by key) a source of prefilled figures. A field key already given by another
    source is an error: two apps must not answer the same field."""
    for field in fields:
        owner = _FIELDS.get(field)
        if owner is not None and owner != key:
            raise ValueError(f"prefill field {field!r} is already registered by source {owner!r}")
    old = _SOURCES.get(key)
    if old is not None:
        for field in old.fields:
            _FIELDS.pop(field, None)
    _SOURCES[key] = PrefillSource(key, label, dict(fields), load, counted)
    for field in fields:
        _FIELDS[field] = key


def unregister_prefill_source(key: str) -> None:
    source = _SOURCES.pop(key, None)
    for field in source.fields if source is not None else ():
        _FIELDS.pop(field, None)


def registered() -> list[PrefillSource]:
    return sorted(_SOURCES.values(), key=lambda s: s.key)


def source_of(field: str) -> PrefillSource | None:
    """The source that answers a field key, or None if no app registered it."""
    key = _FIELDS.get(field)
    return _SOURCES[key] if key is not None else None


def field_label(field: str) -> str:
    """Where a field's prefilled number comes from, in words ("" for an unknown field)."""
    source = source_of(field)
    return str(source.fields[field]) if source is not None else ""


def load(fields: Iterable[str], carrier_ids: Collection[int] | None, year: int) -> dict[str, dict[int, int]]:
    """field key -> {carrier id: value} for the registered `fields` (unknown ones are left out); each
    source is asked once, for all its requested fields. Missing carriers of a counted source are not
    filled in here (the caller knows its carriers; see `PrefillSource.counted`)."""
    wanted: dict[str, set[str]] = {}
    for field in fields:
        key = _FIELDS.get(field)
        if key is not None:
            wanted.setdefault(key, set()).add(field)
    ids = None if carrier_ids is None else list(carrier_ids)
    out: dict[str, dict[int, int]] = {}
    for key, names in sorted(wanted.items()):
        per_carrier = _SOURCES[key].load(ids, year, frozenset(names))
        columns = {name: {} for name in names}
        for carrier_id, values in per_carrier.items():
            for name, value in values.items():
                if name in columns and value is not None:
                    columns[name][carrier_id] = int(value)
        out.update(columns)
    return out


def per_field(functions: Mapping[str, Callable[[list[int] | None, int], Mapping[int, int]]]) -> Loader:
    """A loader from one function per field (carrier ids, year) -> {carrier id: value}; each requested
    field is one call, typically one grouped query."""

    def load_fields(carrier_ids, year, fields):
        out: dict[int, dict[str, int]] = {}
        for field in sorted(fields):
            for carrier_id, value in functions[field](carrier_ids, year).items():
                out.setdefault(carrier_id, {})[field] = value
        return out

    return load_fields
