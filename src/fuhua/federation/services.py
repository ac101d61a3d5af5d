"""Registering peers: an explicit act of an administrator on each side, audited like every write."""

from __future__ import annotations

from fuhua.core.services import create_object, update_object

from .models import Peer
from .tables import DEFAULT_TABLES


def register_peer(user, *, relation: str, code: str, name: str, public_key: str, region_code: str | None = None,
                  url: str = "", tables: list[str] | None = None) -> Peer:
    """Add the parent this instance reports to, or a child that reports to it (core.services: validated,
    scoped to those whose role may add peers, audited)."""
    return create_object(user, Peer, {"relation": relation, "code": code.strip(), "name": name.strip(),
                                      "public_key": public_key.strip(), "region": region_code or None,
                                      "url": url.strip(), "tables": list(DEFAULT_TABLES if tables is None else tables)})


def set_tables(user, peer: Peer, tables: list[str]) -> Peer:
    return update_object(user, peer, {"tables": list(tables)})


def freshness() -> list[dict]:
    """Every source of federated data here with when it was last synced ("江苏省: synced 2 hours ago"), read from
    the peer that delivers it (a city reached through its province is as fresh as the province's last sync).
    Network metadata, not data of any region: shown beside federated pages to every reader, unscoped."""
    from .models import Origin

    out = []
    for origin in Origin.objects.select_related("via").order_by("code"):
        out.append({"code": origin.code, "name": origin.name, "via": origin.via.name,
                    "synced_at": origin.via.last_sync_at, "error": bool(origin.via.last_error)})
    return out


def figure_totals(user, *, group: str = "", year: int | None = None) -> list[dict]:
    """The shared figures the reader may see (scoped by region), summed per measure and year, with the part of
    each source: the parent's national view of statistics, grades, payouts, vouchers and events."""
    from collections import defaultdict

    from django.db.models import Sum

    from .models import Figure

    qs = Figure.objects.restrict(user, "view").filter(breakdown="")  # the totals (their parts: figures.py)
    if group:
        qs = qs.filter(group=group)
    if year:
        qs = qs.filter(year=year)
    rows: dict[tuple, dict] = {}
    parts: dict[tuple, dict] = defaultdict(dict)
    for group_, measure, year_, source, total in (qs.order_by().values_list("group", "measure", "year", "source")
                                                  .annotate(total=Sum("value"))):
        key = (group_, measure, year_)
        row = rows.setdefault(key, {"group": group_, "measure": measure, "year": year_, "total": 0})
        row["total"] += total
        parts[key][source] = total
    for key, row in rows.items():
        row["sources"] = sorted(parts[key].items())
        row["money"] = row["measure"].endswith("_fen")
    return sorted(rows.values(), key=lambda r: (r["group"], r["measure"], -r["year"]))


def source_names() -> dict[str, str]:
    """Each source of figures by the name the network gives it: the instances owning federated data here by their
    `Origin` (as `freshness` names them), this instance by its own name."""
    from .models import Instance, Origin

    names = dict(Origin.objects.order_by("code").values_list("code", "name"))
    instance = Instance.objects.first()
    if instance:
        names.setdefault(instance.code, instance.name)
    return names


def _grade_row(code: str, name: str, counts: list[int]) -> dict:
    from fuhua.evaluation.models import GRADE_ORDER, Grade

    total = sum(counts)
    labels = dict(Grade.choices)
    return {"code": code, "name": name, "counts": counts, "total": total,
            "grades": [{"grade": grade, "label": labels[grade], "count": n, "share": 100 * n / total if total else 0}
                       for grade, n in zip(GRADE_ORDER, counts, strict=True)]}


def grade_distributions(user, *, year: int | None = None) -> list[dict]:
    """The grades of published evaluations across the network, per year (latest first): for each source of the
    figures (every instance whose `evaluations:grade_*` totals are here, this one's own included, as on the
    figures table) the carriers graded A, B, C and D in the regions the reader may see, and the network's total.
    Read from the shared figures only (the same source of truth as figure_totals); a source or year whose grades
    all add up to zero (figures of results withdrawn since) has no row."""
    from collections import defaultdict

    from django.db.models import Sum

    from fuhua.evaluation.models import GRADE_ORDER

    from .models import Figure, FigureGroup

    measures = {f"{FigureGroup.EVALUATIONS.value}:grade_{grade}": i for i, grade in enumerate(GRADE_ORDER)}
    qs = Figure.objects.restrict(user, "view").filter(group=FigureGroup.EVALUATIONS, breakdown="",
                                                      measure__in=list(measures))
    if year:
        qs = qs.filter(year=year)
    counts: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0] * len(GRADE_ORDER)))
    for year_, source, measure, total in (qs.order_by().values_list("year", "source", "measure")
                                          .annotate(total=Sum("value"))):
        counts[year_][source][measures[measure]] += total or 0
    names = source_names()
    out = []
    for year_ in sorted(counts, reverse=True):
        sources = [_grade_row(code, names.get(code, code), row) for code, row in sorted(counts[year_].items())
                   if sum(row)]
        if not sources:
            continue
        network = [sum(s["counts"][i] for s in sources) for i in range(len(GRADE_ORDER))]
        out.append({"year": year_, "sources": sources, "total": _grade_row("", "", network)})
    return out
