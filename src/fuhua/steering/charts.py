"""The dashboard's charts (registered as a panel on the start page): trends, a metric by sub-region, the tile
map of the region's cities, targets against actuals and money paid. All read the aggregates table (kept current
by `steering.refresh`), so a national page costs a few indexed reads; each chart comes with its table and an
XLSX download of the same rows."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fuhua.core.scoping import check, scope_filter
from fuhua.incubation.models import Incubation
from fuhua.registry.choices import CarrierKind, RecognitionLevel
from fuhua.registry.models import Carrier, Firm, Region

from . import aggregates, svg
from .aggregates import NATION
from .metrics import catalogue
from .models import Target, TargetMode
from .services import default_region, regions_in_reach
from .yamlfile import load

TILES = Path(__file__).resolve().parent / "catalogue" / "tiles.yaml"
TREND = ("carriers", "provincial_plus_carriers", "national_carriers")
GROWTH = ("tenants", "tenants_new", "entered")
MAP_METRICS = ("carriers", "national_carriers", "tenants", "tenant_employees", "specialised_share", "chain_coverage",
               "payouts_fen")


@lru_cache(maxsize=1)
def _layouts() -> dict:
    return {str(k): {str(c): tuple(v) for c, v in rows.items()} for k, rows in load(TILES).items()}


def tile_positions(parent_code: str, codes: list[str]) -> dict[str, tuple[int, int]]:
    layout = _layouts().get(parent_code)
    if layout:
        return {c: layout[c] for c in codes if c in layout}
    if parent_code == NATION:
        rows: dict[str, int] = {}
        out = {}
        for code in sorted(codes):
            row = min(int(code[0]) - 1, 6)
            out[code] = (row, rows.get(str(row), 0))
            rows[str(row)] = rows.get(str(row), 0) + 1
        return out
    return {c: (i // 6, i % 6) for i, c in enumerate(sorted(codes))}


def _label(code: str) -> str:
    return catalogue()[code].label


def _num(value):
    """A whole number as an int (the tables read 2107, not 2107.0); None and fractions as they are."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _shown(code: str, value):
    if value is None:
        return None
    return _num(round(value / 1_000_000, 2) if catalogue()[code].unit == "fen" else value)  # money in 万元


def _unit(code: str) -> str:
    unit = catalogue()[code].unit
    return _("10k yuan") if unit == "fen" else unit


def scope_of(user, code: str | None):
    """(region code, name, child regions) the user may read aggregates of; None when none."""
    if not check(user, "view", Target):
        return None
    nationwide = scope_filter(Target, user, "view") is None  # an unlimited grant: no query
    if code and code != NATION:
        region = regions_in_reach(user).filter(code=code).first()
        if region is None:
            return None
    elif nationwide:
        return NATION, _("China"), list(Region.objects.filter(level="province").order_by("code"))
    else:
        region = default_region(user)
        if region is None:
            return None
    return region.code, region.name, list(Region.objects.filter(parent=region).order_by("code"))


def charts(user, code: str | None = None, metric: str | None = None) -> dict | None:
    scope = scope_of(user, code)
    if scope is None:
        return None
    region_code, region_name, children = scope
    metric = metric if metric in MAP_METRICS else "carriers"
    child_codes = [c.code for c in children]
    values, by_year, at = aggregates.read_page(region_code, child_codes, metric)
    years = sorted({y for per in values.values() for y in per})
    latest = max(years) if years else timezone.localdate().year - 1
    out = []

    def trend(key, title, codes):
        series = {_label(c): [_shown(c, values.get(c, {}).get(y)) for y in years] for c in codes}
        rows = [[str(y), *[_shown(c, values.get(c, {}).get(y)) for c in codes]] for y in years]
        out.append({"key": key, "title": title, "svg": svg.line_chart(key, title, [str(y) for y in years], series),
                    "headers": [_("year"), *[f"{_label(c)}（{_unit(c)}）" for c in codes]], "rows": rows})

    trend("trend", _("Carriers over the years"), TREND)
    trend("growth", _("Tenants over the years"), GROWTH)
    by_child = by_year.get(latest, {})
    names = {c.code: c.name for c in children}
    shown_children = [c for c in child_codes if c in by_child or region_code != NATION]
    positions = tile_positions(region_code, shown_children)
    tiles = [{"name": names[c], "row": positions[c][0], "col": positions[c][1],
              "value": _shown(metric, by_child.get(c))} for c in shown_children if c in positions]
    rows = [[names[c], _shown(metric, by_child.get(c))] for c in shown_children]
    map_title = _("%(metric)s by region, %(year)s") % {"metric": _label(metric), "year": latest}
    out.append({"key": "map", "title": map_title, "svg": svg.tile_map("map", map_title, tiles),
                "headers": [_("region"), f"{_label(metric)}（{_unit(metric)}）"], "rows": rows})
    out.append({"key": "regions", "title": map_title,
                "svg": svg.bar_chart("regions", map_title, [r[0] for r in rows], [r[1] for r in rows], _label(metric)),
                "headers": [_("region"), f"{_label(metric)}（{_unit(metric)}）"], "rows": rows})
    targets = list(Target.objects.restrict(user, "view").filter(region_id=region_code).order_by("metric"))
    if targets:
        rows = []
        for t in targets:
            year = min(t.last_year, latest)
            actual = values.get(t.metric, {}).get(year)  # the region's aggregates, read once above
            rows.append([f"{_label(t.metric)} {t.period}", _shown(t.metric, float(t.value)), _shown(t.metric, actual),
                         _num(round(100.0 * actual / float(t.value), 1)) if actual is not None and t.value else None,
                         t.get_mode_display() if t.mode == TargetMode.EACH_YEAR else str(year)])
        title = _("Targets against actuals")
        out.append({"key": "targets", "title": title,
                    "svg": svg.bar_chart("targets", title, [r[0] for r in rows], [r[3] for r in rows],
                                         _("completion (%)")),
                    "headers": [_("target"), _("target value"), _("actual"), _("completion (%)"), _("year")],
                    "rows": rows})
    trend("money", _("Policy payouts over the years"), ("payouts_fen",))
    return {"region_code": region_code, "region_name": region_name, "charts": out, "computed_at": at,
            "metric": metric, "metrics": [(c, _label(c)) for c in MAP_METRICS], "latest": latest,
            "xlsx": reverse("steering:chart_xlsx"), "is_nation": region_code == NATION, "children": children}


def dashboard_figures(user, region_code: str, children: list, computed_at=None) -> dict | None:
    """The start page's counts for a reader who sees the whole country (the national admin: 16,000 carriers,
    500,000 tenancies), read from the aggregates (one indexed query) instead of counted per request, with the
    time they were computed. None for everyone else, whose scoped counts are small and exact, and before the
    first rebuild (the start page then counts)."""
    if region_code != NATION or any(scope_filter(m, user, "view") is not None for m in (Carrier, Firm, Incubation)):
        return None
    codes = [c.code for c in children]
    mine, kids = aggregates.current(NATION, codes)
    if not mine:
        return None
    names = {c.code: c.name for c in children}
    by_kind = [(label, int(mine[f"now.kind.{value}"])) for value, label in CarrierKind.choices
               if mine.get(f"now.kind.{value}")]
    by_level = [(label, int(mine.get(f"now.level.{value}", 0))) for value, label in RecognitionLevel.choices]
    return {
        "carriers": {"total": int(mine.get("now.carriers", 0)), "by_kind": by_kind,
                     "by_level": [*by_level, (None, int(mine.get("now.level.none", 0)))]},
        "firm_count": int(mine.get("now.firms", 0)),
        "attention": {"graduation": int(mine.get("now.attention.graduation", 0)),
                      "overdue": int(mine.get("now.attention.overdue", 0))}
        if "now.attention.graduation" in mine else None,
        "incubations": {"incubating": int(mine.get("now.incubating", 0)),
                        "graduated_this_year": int(mine.get("now.graduated", 0))},
        "cities": [{"code": c, "name": names[c], "carriers": int(kids[c].get("now.carriers", 0)),
                    "incubating": int(kids[c].get("now.incubating", 0))} for c in codes if c in kids],
        "figures_at": computed_at or aggregates.freshness(),
    }


def panel_context(request, obj) -> dict | None:
    user = request.user
    if not user.is_authenticated:
        return None
    found = charts(user, request.GET.get("region"), request.GET.get("metric"))
    figures = None
    if found is not None and found["is_nation"] and not request.GET.get("region"):
        figures = dashboard_figures(user, NATION, found["children"], found["computed_at"])
    return {"steering": found, "dashboard_figures": figures}
