"""Factories of steering for tests, and its rows of the generated scope matrix (core/tests/test_scope_matrix.py)."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

from .models import ReportSnapshot, Target
from .report import _metric_json, checksum, template, used_metrics


def target(region, metric="national_carriers", period="2024-2026", value=10, mode="by_end") -> Target:
    return Target.objects.create(region=region, metric=metric, period=period, value=value, mode=mode,
                                 plan_title="测试行动方案", plan_number="测科〔2024〕1号")


def snapshot(region, year=2025) -> ReportSnapshot:
    """A snapshot without figures (every value absent), for tests about reach rather than numbers."""
    from .metrics import catalogue

    tpl = template()
    codes = used_metrics(tpl)
    data = {"template": tpl, "template_code": "annual-report", "region": {"code": region.code, "name": region.name},
            "year": year, "years": [year - 1, year], "children": [], "values": {c: {} for c in codes},
            "by_child": {c: {} for c in codes}, "metrics": {c: _metric_json(catalogue()[c]) for c in codes},
            "collected_at": "2026-01-01T00:00:00+00:00"}
    return ReportSnapshot.objects.create(region=region, year=year, template="annual-report", data=data,
                                         checksum=checksum(data))


def scope_objects(w) -> SimpleNamespace:
    cached = getattr(w, "_steering", None)
    if cached is None:
        cached = SimpleNamespace(targets=[target(w.regions.sz), target(w.regions.nj)],
                                 snapshots=[snapshot(w.regions.sz), snapshot(w.regions.nj)])
        w._steering = cached
    return cached


SCOPE_RESOURCES = {
    "targets": (lambda w: scope_objects(w).targets, {"value": "30"}),
    "development-reports": (lambda w: scope_objects(w).snapshots, {}),
}
SCOPE_WEB_NAMES = {"steering:target": "targets", "steering:reportsnapshot": "development-reports"}
SCOPE_NOT_RESOURCES = {"steering": "a region's figures, overview and the metric catalogue: the region is checked "
                                   "against the reader's grants inside (steering/tests/test_steering.py)"}
# For core/tests/test_audit.py's FACTORIES: label → (create(world), change).
AUDIT_FACTORIES = {
    "steering.target": (lambda w: target(w.regions.sz, value=Decimal("10.00")), {"value": Decimal("12.00")}),
    "steering.reportsnapshot": (lambda w: snapshot(w.regions.sz), {"year": 2024}),
}


def audit_factories() -> dict[str, tuple]:
    return AUDIT_FACTORIES
