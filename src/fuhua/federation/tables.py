"""The tables an instance can share with its parent, the columns of each, and what never leaves.

Each table is one resource of a package (docs/federation.md). Columns are the model's own fields; a
foreign key to another shared table travels as the referenced record's provenance ({"origin", "id"}),
a region as its GB/T 2260 code. Personal data (legal representatives, a mentor's name unless the mentors
table is switched on, accounts) and bank details are not among the columns at all, so they cannot leave
whatever a peer is configured to receive. Tables marked `default` are shared with a new peer.

A column that is a workflow's state (a carrier's `status`) is copied as the source's workflow left it: the
transition (suspend, resume, close) happened there, under that instance's guards and audit, and the copy here
is read-only (guard.py), so no workflow can run on it here. Such columns are declared in `states`; the import
(exchange._values) is then the one allowed writer of that state besides its workflow, and
tests/test_tables.py fails when a shared column holds a workflow's state without being declared.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.apps import apps
from django.utils.translation import gettext_lazy as _

from .models import FigureGroup

FIGURE_COLUMNS = ("source", "group", "measure", "year", "value", "breakdown")


@dataclass(frozen=True)
class Table:
    key: str  # the resource name in a package
    model_label: str
    label: object
    columns: tuple[str, ...]  # plain fields (name = attname)
    refs: dict[str, str] = field(default_factory=dict)  # FK field → table key it points to
    regions: tuple[str, ...] = ()  # FK fields to registry.Region, exported as codes
    claims: tuple[str, ...] = ()  # region fields of which one must lie in the sender's region
    states: tuple[str, ...] = ()  # columns that are a workflow's state, copied as the source's workflow left them
    natural_key: str | None = None  # unique field matching a record that already exists here (credit codes)
    default: bool = True
    only: dict = field(default_factory=dict)  # the rows of the model this table carries (filter lookups)
    # columns added after the first packages: a package without them is still imported (the field's default)
    optional: tuple[str, ...] = ()

    def rows(self):
        """The model's rows this table shares (all of them unless `only` narrows them)."""
        return self.model._base_manager.filter(**self.only)

    @property
    def model(self):
        return apps.get_model(self.model_label)

    @property
    def searchable(self) -> bool:
        """The model keeps a search column (name, pinyin, initials): the package may carry it as `_search`."""
        return hasattr(self.model, "search_parts")

    def schema(self) -> dict:
        """The Frictionless table schema of this resource."""
        model = self.model
        fields = [
            {"name": "_op", "type": "string", "constraints": {"enum": ["upsert", "delete"]}},
            {"name": "_origin", "type": "string", "description": "code of the instance that owns the record"},
            {"name": "_id", "type": "string", "description": "the record's id at its origin"},
            {"name": "_changed", "type": "datetime", "description": "last change at the origin (UTC, ISO 8601)"},
        ]
        for name in self.columns:
            f = model._meta.get_field(name)
            fields.append({"name": name, "type": _frictionless_type(f), "title": str(f.verbose_name),
                           **({"constraints": {"enum": [c[0] for c in f.choices]}} if f.choices else {})})
        for name in self.regions:
            fields.append({"name": name, "type": "string", "title": str(model._meta.get_field(name).verbose_name),
                           "description": "GB/T 2260 region code"})
        for name, target in self.refs.items():
            fields.append({"name": name, "type": "object", "title": str(model._meta.get_field(name).verbose_name),
                           "description": f"reference to a record of `{target}`: {{\"origin\": …, \"id\": …}}"})
        if self.searchable:
            fields.append({"name": "_search", "type": "string",
                           "description": "optional: the record's search text at its origin (its name, the name's "
                                          "pinyin and initials, lower case); a receiver computes it when absent"})
        return {
            "fields": fields,
            "primaryKey": ["_origin", "_id"],
            "foreignKeys": [{"fields": [name], "reference": {"resource": target, "fields": ["_origin", "_id"]}}
                            for name, target in self.refs.items()],
        }


def _frictionless_type(f) -> str:
    internal = f.get_internal_type()
    if internal in ("DateField",):
        return "date"
    if internal in ("DateTimeField",):
        return "datetime"
    if internal.endswith("IntegerField"):
        return "integer"
    if internal == "BooleanField":
        return "boolean"
    return "string"


TABLES: tuple[Table, ...] = (
    Table("organisations", "registry.organisation", _("organisations (public facts)"),
          ("name", "credit_code", "kind", "ownership", "founded"), regions=("region",), natural_key="credit_code"),
    Table("firms", "registry.firm", _("firms (public facts)"),
          ("name", "credit_code", "founded", "industry_field", "size_class", "listed_on", "listing_board",
           "acquired_on", "deregistered_on"), regions=("region",), claims=("region",), natural_key="credit_code"),
    Table("carriers", "registry.carrier", _("carriers"),
          ("name", "kind", "demo_base_type", "address", "established", "incubation_area_m2", "tenant_area_m2",
           "workstations", "specialisation", "industry_field", "has_tech_platform", "status"),
          refs={"operator": "organisations"}, regions=("region", "administering_region"),
          claims=("region", "administering_region"), states=("status",)),
    Table("recognitions", "registry.recognition", _("recognitions"),
          ("level", "kind", "carrier_kind", "authority", "document_number", "granted_on", "valid_until", "revoked_on",
           "revoked_reason", "national_grade"), refs={"carrier": "carriers"}),
    Table("mentors", "registry.mentorprofile", _("mentor pool (names of persons: not shared unless chosen)"),
          ("name", "title", "employer", "industry_field", "full_time"), regions=("region",), claims=("region",),
          default=False),
    # A firm's stays at carriers (start-up teams' are not shared: a team is persons): at the parent, the stays
    # of one firm received from several instances (its credit code links them) form its whole incubation chain.
    Table("incubations", "incubation.incubation", _("tenancies (a firm's incubation chain)"),
          ("status", "applied_on", "entered_on", "left_on"), refs={"firm": "firms", "carrier": "carriers"},
          states=("status",), only={"firm__isnull": False}),
    Table("pool", "mentoring.poolmentor", _("mentor pool entries (with the mentors table)"),
          ("specialities", "capacity", "active"), refs={"profile": "mentors"}, default=False),
    # Aggregates (federation.Figure): totals per region and year, never the records or persons behind them.
    *(Table(group.value, "federation.figure", group.label, FIGURE_COLUMNS, regions=("region",), claims=("region",),
            only={"group": group.value}, optional=("breakdown",)) for group in FigureGroup),
)
BY_KEY = {t.key: t for t in TABLES}
BY_MODEL: dict[str, Table] = {}
for _table in TABLES:  # the first table of a model (the figures' tables share one model)
    BY_MODEL.setdefault(_table.model_label, _table)
MODELS = list(dict.fromkeys(t.model_label for t in TABLES))
DEFAULT_TABLES = [t.key for t in TABLES if t.default]


def table_choices() -> list[tuple[str, object]]:
    return [(t.key, t.label) for t in TABLES]
