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
