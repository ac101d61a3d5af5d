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
