"""How a higher app adds to a lower app's pages without the lower one importing it (NetBox's template
extensions): panels and sections on an object's page, registered from the higher app's AppConfig.ready().

    register_panel("registry.carrier", Panel("graduation", "incubation/_carrier_panel.html", carrier_panel))
    register_sections("registry.carrier", tenant_sections)

- a *panel* is a template rendered on the object's page (`{% panels object %}`, in core/object_detail.html)
  with the page's context plus what its `context(request, obj)` returns; returning None hides it (e.g. the
  user may not see that app's data);
- *sections* are related tables (core.views.generic.Section) that `sections(user, obj)` returns, shown
  after the page's own.

Both are kept in registration order unless `order` says otherwise; each is keyed, so registering the same
key again replaces it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Panel:
    key: str
    template: str
    context: Callable  # (request, obj) -> dict | None
    order: int = 100


@dataclass(frozen=True)
class SectionSource:
    key: str
    sections: Callable  # (user, obj) -> list[Section]
    order: int = 100


_PANELS: dict[str, list[Panel]] = {}
_SECTIONS: dict[str, list[SectionSource]] = {}


def _label(model_or_obj) -> str:
    return model_or_obj if isinstance(model_or_obj, str) else model_or_obj._meta.label_lower


def register_panel(model_label: str, panel: Panel) -> None:
    panels = [p for p in _PANELS.get(model_label.lower(), []) if p.key != panel.key]
    _PANELS[model_label.lower()] = sorted([*panels, panel], key=lambda p: p.order)


def register_sections(model_label: str, sections, *, key: str | None = None, order: int = 100) -> None:
    source = SectionSource(key or f"{sections.__module__}.{sections.__qualname__}", sections, order)
    sources = [s for s in _SECTIONS.get(model_label.lower(), []) if s.key != source.key]
    _SECTIONS[model_label.lower()] = sorted([*sources, source], key=lambda s: s.order)


def panels_for(request, obj) -> list[tuple[Panel, dict]]:
    """The panels registered for `obj`'s model that have something to show, with their context."""
    shown = []
    for panel in _PANELS.get(_label(obj), []):
        context = panel.context(request, obj)
        if context is not None:
            shown.append((panel, context))
    return shown


def sections_for(user, obj) -> list:
    return [section for source in _SECTIONS.get(_label(obj), []) for section in source.sections(user, obj)]


# --- the region dimension of forms and list filters ---------------------------------------------------
# Core's forms give a field named "region" the registry's region select, and its list filters the
# cascading region picker, without importing the registry: it registers them (registry/apps.py).


@dataclass(frozen=True)
class RegionHooks:
    field: Callable  # (user=..., **field kwargs) -> a form field choosing a region
    picker_levels: Callable  # (picker values) -> the picker's levels for core/_region_picker.html
    chosen_prefix: Callable  # (picker values) -> the chosen region's code prefix, "" for none
    under_prefix: Callable  # (path to a region, prefix) -> Q


_REGION: list[RegionHooks] = []


def register_region(hooks: RegionHooks) -> None:
    _REGION[:] = [hooks]


def region_hooks() -> RegionHooks | None:
    return _REGION[0] if _REGION else None


# Totals kept outside the records a metric reads, added to the metrics of one kind (steering.metrics): one
# network's figures received from other instances (federation.figures registers them).
# provider(user, region or None, year, spec, where) -> {region code: value}; `where` is the metric's conditions
# on the carriers counted (a kind, a level; {} for none): a provider adds only what matches them.
_TOTALS: dict[str, Callable] = {}


def register_totals(kind: str, provider: Callable) -> None:
    _TOTALS[kind] = provider


def totals_provider(kind: str) -> Callable | None:
    return _TOTALS.get(kind)
