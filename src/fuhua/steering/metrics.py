"""Metrics as data (catalogue/metrics.yaml) computed over the registry, statistics, evaluation and policies.

A `Frame` loads once what a region's metrics need (its carriers with their recognitions, tenant entries,
grades, payouts), each from a queryset restricted to the reader; `value(code, year)` then answers a metric
for the region and each of its sub-regions from memory, so a report or a dashboard asks the database a
handful of times however many figures it shows.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
from django.db.models import Sum
from django.utils.translation import get_language

from fuhua.core.extensions import totals_provider
from fuhua.evaluation.models import PUBLIC_STATUSES, EvaluationResult
from fuhua.incubation.models import Incubation
from fuhua.policies.models import Payout
from fuhua.registry.choices import CarrierKind, CarrierStatus, RecognitionLevel, RegionLevel
from fuhua.registry.models import Carrier, Recognition, Region
from fuhua.registry.models.carrier import LEVEL_RANK
from fuhua.statistics import services as statistics

from .yamlfile import DataFileError, load, where

CATALOGUE = Path(__file__).resolve().parent / "catalogue" / "metrics.yaml"
KINDS = {"carriers", "new_recognitions", "statistic", "entered", "incubating", "grades", "payouts", "coverage",
         "share", "change", "records"}
RECORD_KEYS = ("model", "date", "region")  # a `records` metric: rows of another app's model, by date and region
WHERE_KEYS = {"kind", "specialisation", "level"}
LEVELS = {str(v) for v in RecognitionLevel.values}


@dataclass(frozen=True)
class Metric:
    code: str
    kind: str
    label_zh: str
    label_en: str
    unit: str
    note_zh: str
    note_en: str
    where: dict
    spec: dict
    source: str  # file:line

    @property
    def label(self) -> str:
        return self.label_en if _english() else self.label_zh

    @property
    def note(self) -> str:
        return self.note_en if _english() else self.note_zh

    @property
    def is_money(self) -> bool:
        return self.unit == "fen"

    @property
    def counts_carriers(self) -> bool:
        return self.kind in ("carriers", "new_recognitions")


def _english() -> bool:
    return (get_language() or "zh").startswith("en")


def parse_catalogue(path: Path) -> dict[str, Metric]:
    data = load(path)
    entries = data.get("metrics")
    if not isinstance(entries, dict):
        raise DataFileError(f"{where(path, data)}: a catalogue has a `metrics` mapping")
    out: dict[str, Metric] = {}
    for code, entry in entries.items():
        at = where(path, entries, code)
        if not isinstance(entry, dict):
            raise DataFileError(f"{at}: metric {code} must be a mapping")
        kind = entry.get("kind")
        if kind not in KINDS:
            raise DataFileError(f"{at}: metric {code} has unknown kind {kind!r} (one of {', '.join(sorted(KINDS))})")
        for key in ("label", "label_en", "unit", "note"):
            if not entry.get(key):
                raise DataFileError(f"{at}: metric {code} needs `{key}`")
        where_ = dict(entry.get("where") or {})
        unknown = set(where_) - WHERE_KEYS
        if unknown:
            raise DataFileError(f"{at}: metric {code}: unknown condition {sorted(unknown)}")
        if set(where_.get("level", ())) - LEVELS:
            raise DataFileError(f"{at}: metric {code}: unknown level in {where_['level']}")
        if set(where_.get("kind", ())) - set(CarrierKind.values):
            raise DataFileError(f"{at}: metric {code}: unknown carrier kind in {where_['kind']}")
        if kind == "statistic" and not entry.get("field"):
            raise DataFileError(f"{at}: metric {code}: a statistic names its `field`")
        if kind == "records":
            _check_records(at, code, entry)
        if kind == "new_recognitions" and not where_.get("level"):
            raise DataFileError(f"{at}: metric {code}: new_recognitions needs where.level")
        out[code] = Metric(code, kind, entry["label"], entry["label_en"], str(entry["unit"]), entry["note"],
                           entry.get("note_en", entry["note"]), where_, dict(entry), at)
    for code, metric in out.items():  # references between metrics
        for key in ("numerator", "denominator", "of"):
            ref = metric.spec.get(key)
            if ref is not None and ref not in out:
                raise DataFileError(f"{metric.source}: metric {code}: {key} {ref!r} is not in the catalogue")
        if metric.kind == "share" and not (metric.spec.get("numerator") and metric.spec.get("denominator")):
            raise DataFileError(f"{metric.source}: metric {code}: a share needs numerator and denominator")
        if metric.kind == "change" and not metric.spec.get("of"):
            raise DataFileError(f"{metric.source}: metric {code}: a change needs `of`")
    return out


def _check_records(at: str, code: str, entry: dict) -> None:
    """A `records` metric names a model of an app (app_label.Model), the date field that places a row in a
    year, the path to its region and optionally `filter` (field lookups) and `sum` (a field; else rows count)."""
    from django.apps import apps
    from django.core.exceptions import FieldDoesNotExist

    missing = [k for k in RECORD_KEYS if not entry.get(k)]
    if missing:
        raise DataFileError(f"{at}: metric {code}: a records metric needs {', '.join(missing)}")
    try:
        model = apps.get_model(entry["model"])
    except (LookupError, ValueError) as exc:
        raise DataFileError(f"{at}: metric {code}: unknown model {entry['model']!r}") from exc
    for path in (entry["date"], entry["region"], entry.get("sum"), *(entry.get("filter") or {})):
        if not path:
            continue
        meta, parts = model._meta, path.split("__")
        for i, part in enumerate(parts):
            try:
                field = meta.get_field(part)
            except FieldDoesNotExist:
                if i and part in ("in", "year", "gte", "lte", "isnull", "exact"):
                    break  # a lookup at the end of a filter
                raise DataFileError(f"{at}: metric {code}: {entry['model']} has no field {path!r}") from None
            if field.is_relation and i < len(parts) - 1:
                meta = field.related_model._meta


@lru_cache(maxsize=4)
def _catalogue(path: str) -> dict[str, Metric]:
    return parse_catalogue(Path(path))


def catalogue() -> dict[str, Metric]:
    return _catalogue(str(CATALOGUE))


# --- the frame: one region's data, loaded once --------------------------------------------------------------


def _year_end(year: int) -> datetime.date:
    return datetime.date(year, 12, 31)


def children_of(region: Region | None) -> list[Region]:
    if region is None:
        return list(Region.objects.filter(level=RegionLevel.PROVINCE).order_by("code"))
    return list(Region.objects.filter(parent=region).order_by("code"))


@dataclass
class Value:
    value: float | None
    by_child: dict[str, float] = field(default_factory=dict)


class Frame:
    """One region's (None: the whole country's) data as the reader may see it."""

    def __init__(self, user, region: Region | None):
        self.user, self.region = user, region
        self.children = children_of(region)
        self.child_names = {c.code: c.name for c in self.children}
        self.key_length = 2 if region is None else (4 if region.level == RegionLevel.PROVINCE else 6)
        carriers = Carrier.objects.restrict(user, "view")
        if region is not None:
            carriers = carriers.filter(region.subtree_q("region"))
        self.carriers_qs = carriers
        rows = list(carriers.order_by("pk").values_list("pk", "region_id", "kind", "specialisation", "established",
                                                        "status"))
        self.ids = np.array([r[0] for r in rows], dtype=np.int64)
        self.region_ids = [r[1] for r in rows]
        self.kinds = np.array([r[2] for r in rows], dtype=object)
        self.specialised = np.array([r[3] == "specialised" for r in rows], dtype=bool)
        self.established = np.array([r[4].year for r in rows], dtype=np.int64)
        self.closed = np.array([r[5] == CarrierStatus.CLOSED for r in rows], dtype=bool)
        self.position = {int(pk): i for i, pk in enumerate(self.ids)}
        self.child_keys = np.array([self._child(code) for code in self.region_ids], dtype=object)
        self._recognitions = None
        self._entries = None
        self._cache: dict = {}

    def _child(self, region_code: str) -> str:
        if self.key_length == 6:
            return region_code
        return region_code[: self.key_length].ljust(6, "0")

    # carriers and their recognitions
    def recognitions(self):
        if self._recognitions is None:
            rows = Recognition.objects.restrict(self.user, "view").filter(carrier__in=self.carriers_qs).values_list(
                "carrier_id", "level", "granted_on", "valid_until", "revoked_on")
            self._recognitions = [r for r in rows if int(r[0]) in self.position]
        return self._recognitions

    def existing(self, year: int) -> np.ndarray:
        return (self.established <= year) & ~self.closed

    def top_rank(self, year: int) -> np.ndarray:
        key = ("rank", year)
        if key not in self._cache:
            day = _year_end(year)
            rank = np.zeros(len(self.ids), dtype=np.int64)
            for carrier_id, level, granted, valid_until, revoked in self.recognitions():
                active = (valid_until is None or valid_until >= day) and (revoked is None or revoked > day)
                if granted <= day and active:
                    i = self.position[int(carrier_id)]
                    rank[i] = max(rank[i], LEVEL_RANK[level])
            self._cache[key] = rank
        return self._cache[key]

    def first_reached(self, levels: tuple[str, ...]) -> np.ndarray:
        """Year each carrier first got a recognition at one of `levels` (0: never)."""
        key = ("first", levels)
        if key not in self._cache:
            first = np.zeros(len(self.ids), dtype=np.int64)
            for carrier_id, level, granted, _valid, _revoked in self.recognitions():
                if level in levels:
                    i = self.position[int(carrier_id)]
                    first[i] = granted.year if not first[i] else min(first[i], granted.year)
            self._cache[key] = first
        return self._cache[key]

    def mask(self, where_: dict, year: int) -> np.ndarray:
        m = self.existing(year)
        if where_.get("kind"):
            m = m & np.isin(self.kinds, list(where_["kind"]))
        if where_.get("specialisation"):
            m = m & (self.specialised == (where_["specialisation"] == "specialised"))
        if where_.get("level"):
            ranks = {LEVEL_RANK[level] for level in where_["level"]}
            m = m & np.isin(self.top_rank(year), list(ranks))
        return m

    def entries(self):
        """(carrier position, entered year, left_on) of every tenancy that began."""
        if self._entries is None:
            rows = (Incubation.objects.restrict(self.user, "view").filter(carrier__in=self.carriers_qs,
                                                                         entered_on__isnull=False)
                    .values_list("carrier_id", "entered_on", "left_on"))
            position = self.position
            self._entries = [(position[c], e, left) for c, e, left in rows if c in position]
        return self._entries

    # grouping
    def grouped(self, weights: np.ndarray) -> Value:
        by_child: dict[str, float] = defaultdict(float)
        for key, w in zip(self.child_keys[weights != 0], weights[weights != 0], strict=True):
            by_child[key] += float(w)
        return Value(float(weights.sum()), {c.code: by_child.get(c.code, 0.0) for c in self.children})

    # the metric kinds
    def value(self, code: str, year: int) -> Value:
        key = ("value", code, year)
        if key not in self._cache:
            metric = catalogue().get(code)
            if metric is None:
                raise KeyError(code)
            self._cache[key] = getattr(self, f"_{metric.kind}")(metric, year)
        return self._cache[key]

    def weights(self, metric: Metric, year: int) -> np.ndarray | None:
        """Each carrier's contribution for carrier-based kinds (None for the others, or without data)."""
        key = ("weights", metric.code, year)
        if key not in self._cache:
            method = getattr(self, f"_w_{metric.kind}", None)
            self._cache[key] = method(metric, year) if method else None
        return self._cache[key]

    def _carrier_based(self, metric: Metric, year: int) -> Value:
        w = self.weights(metric, year)
        return self._with_external(metric, year, Value(None, {}) if w is None else self.grouped(w))

    def _with_external(self, metric: Metric, year: int, value: Value) -> Value:
        """The metric with the totals a registered provider keeps for the region's parts (core.extensions: one
        network's figures at a parent). A metric with conditions gets the parts of those totals that match them
        (the figures broken down by carrier kind, level and specialisation), the others the totals."""
        provider = totals_provider(metric.kind)
        extra = provider(self.user, self.region, year, metric.spec, metric.where) if provider else None
        if not extra:
            return value
        total, by_child = value.value or 0.0, dict(value.by_child)
        for code, amount in extra.items():
            total += amount
            key = self._child(code)
            if key in self.child_names:
                by_child[key] = by_child.get(key, 0.0) + amount
        return Value(total, by_child)

    _carriers = _new_recognitions = _statistic = _entered = _incubating = _grades = _carrier_based

    def _w_carriers(self, metric: Metric, year: int) -> np.ndarray:
        return self.mask(metric.where, year).astype(np.int64)

    def _w_new_recognitions(self, metric: Metric, year: int) -> np.ndarray:
        first = self.first_reached(tuple(metric.where["level"]))
        where_ = {k: v for k, v in metric.where.items() if k != "level"}
        return (self.mask(where_, year) & (first == year)).astype(np.int64)

    def statistic_column(self, code: str, year: int) -> tuple[np.ndarray, np.ndarray]:
        key = ("stat", code, year)
        if key not in self._cache:  # every field the catalogue reads, for the year, in one pass
            codes = sorted({m.spec["field"] for m in catalogue().values() if m.kind == "statistic"} | {code})
            figures = statistics.figures(self.ids.tolist(), year, codes)
            for c in codes:
                self._cache[("stat", c, year)] = (figures.values[c], figures.present[c])
        return self._cache[key]

    def has_statistics(self, year: int) -> bool:
        _values, present = self.statistic_column("tenants", year)
        return bool(present.any())

    def _w_statistic(self, metric: Metric, year: int) -> np.ndarray | None:
        values, present = self.statistic_column(metric.spec["field"], year)
        if not present.any():
            return None
        if metric.where:  # without conditions, every accepted report counts, whatever the carrier's state today
            values = np.where(self.mask(metric.where, year), values, 0)
        return values.astype(np.int64)

    def entry_arrays(self):
        if "entry_arrays" not in self._cache:
            entries = self.entries()
            far = datetime.date(9999, 12, 31).toordinal()
            self._cache["entry_arrays"] = (
                np.array([e[0] for e in entries], dtype=np.int64),
                np.array([e[1].toordinal() for e in entries], dtype=np.int64),
                np.array([e[2].toordinal() if e[2] else far for e in entries], dtype=np.int64),
            )
        return self._cache["entry_arrays"]

    def _w_entered(self, metric: Metric, year: int) -> np.ndarray:
        pos, entered, _left = self.entry_arrays()
        start, end = datetime.date(year, 1, 1).toordinal(), _year_end(year).toordinal()
        chosen = pos[(entered >= start) & (entered <= end)]
        return np.bincount(chosen, minlength=len(self.ids)).astype(np.int64)

    def _w_incubating(self, metric: Metric, year: int) -> np.ndarray:
        pos, entered, left = self.entry_arrays()
        day = _year_end(year).toordinal()
        chosen = pos[(entered <= day) & (left > day)]
        return np.bincount(chosen, minlength=len(self.ids)).astype(np.int64)

    def _w_grades(self, metric: Metric, year: int) -> np.ndarray | None:
        published = (EvaluationResult.objects.restrict(self.user, "view")
                     .filter(run__status__in=PUBLIC_STATUSES, run__period=year, carrier__in=self.carriers_qs)
                     .exclude(grade=""))
        key = ("graded", year)
        if key not in self._cache:
            self._cache[key] = published.exists()
        if not self._cache[key]:
            return None  # no evaluation published for the year: no figure, not a zero
        rows = published.filter(grade__in=list(metric.spec.get("grades") or [])).values_list(
            "carrier_id", flat=True).distinct()
        weights = np.zeros(len(self.ids), dtype=np.int64)
        for carrier_id in rows:
            if carrier_id in self.position:
                weights[self.position[carrier_id]] = 1
        if metric.where:  # the carriers the conditions select, as for a statistic (and the figures' parts)
            weights = np.where(self.mask(metric.where, year), weights, 0)
        return weights

    def _payouts(self, metric: Metric, year: int) -> Value:
        qs = Payout.objects.restrict(self.user, "view").filter(paid_on__year=year)
        if self.region is not None:
            prefix = self.region.code_prefix
            qs = qs.filter(region_code__startswith=prefix)
        by_child: dict[str, float] = defaultdict(float)
        total = 0.0
        for code, amount in qs.order_by().values_list("region_code").annotate(s=Sum("amount_fen")):
            total += amount
            by_child[self._child(code)] += amount
        return self._with_external(metric, year, Value(total, {c.code: by_child.get(c.code, 0.0)
                                                               for c in self.children}))

    def records_by_region(self, metric: Metric, year: int) -> list[tuple[str, float]]:
        """(region code, count or sum) of a `records` metric's rows in the year, restricted to the reader
        and, for a region, to its subtree."""
        from django.apps import apps
        from django.db.models import Count

        spec = metric.spec
        qs = (apps.get_model(spec["model"]).objects.restrict(self.user, "view")
              .filter(**{f"{spec['date']}__year": year}, **dict(spec.get("filter") or {})))
        if self.region is not None:
            qs = qs.filter(**{f"{spec['region']}__code__startswith": self.region.code_prefix})
        total = Sum(spec["sum"]) if spec.get("sum") else Count("pk")
        return [(code, float(n or 0)) for code, n in
                qs.order_by().values_list(spec["region"]).annotate(n=total) if code]

    def _records(self, metric: Metric, year: int) -> Value:
        by_child: dict[str, float] = defaultdict(float)
        total = 0.0
        for code, n in self.records_by_region(metric, year):
            total += n
            by_child[self._child(code)] += n
        return Value(total, {c.code: by_child.get(c.code, 0.0) for c in self.children})

    def counties(self) -> list[str]:
        if "counties" not in self._cache:
            qs = Region.objects.filter(level=RegionLevel.COUNTY)
            if self.region is not None:
                qs = qs.filter(self.region.subtree_q(""))
            self._cache["counties"] = list(qs.order_by("code").values_list("code", flat=True))
        return self._cache["counties"]

    def _coverage(self, metric: Metric, year: int) -> Value:
        kinds = list(metric.spec.get("kinds") or [])
        present: dict[str, set] = defaultdict(set)
        existing = self.existing(year)
        for i in np.flatnonzero(existing):
            present[self.region_ids[i]].add(self.kinds[i])
        counties = self.counties()
        covered = {c for c in counties if set(kinds) <= present.get(c, set())}
        per_child_total: dict[str, int] = defaultdict(int)
        per_child_covered: dict[str, int] = defaultdict(int)
        for c in counties:
            key = self._child(c)
            per_child_total[key] += 1
            per_child_covered[key] += c in covered
        total = round(100.0 * len(covered) / len(counties), 1) if counties else None
        return Value(total, {c.code: round(100.0 * per_child_covered[c.code] / per_child_total[c.code], 1)
                             for c in self.children if per_child_total.get(c.code)})

    def _share(self, metric: Metric, year: int) -> Value:
        num, den = self.value(metric.spec["numerator"], year), self.value(metric.spec["denominator"], year)

        def ratio(a, b):
            return round(100.0 * a / b, 1) if a is not None and b else None

        by_child = {k: ratio(num.by_child.get(k), v) for k, v in den.by_child.items()}
        return Value(ratio(num.value, den.value), {k: v for k, v in by_child.items() if v is not None})

    def _change(self, metric: Metric, year: int) -> Value:
        now, before = self.value(metric.spec["of"], year), self.value(metric.spec["of"], year - 1)
        if now.value is None or before.value is None:
            return Value(None, {})
        return Value(now.value - before.value,
                     {k: v - before.by_child.get(k, 0.0) for k, v in now.by_child.items()})
