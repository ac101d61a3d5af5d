"""On the page of every record of a shared table: where it comes from, when it was last synced."""

from __future__ import annotations

from fuhua.core.extensions import Panel, register_panel

from .guard import source_of
from .tables import MODELS


def provenance_panel(request, obj):
    record = source_of(obj)
    if record is None:
        return None
    return {"federated": record, "federated_peer": record.peer}


def register() -> None:
    for label in MODELS:
        register_panel(label, Panel("federation-source", "federation/_provenance_panel.html", provenance_panel,
                                    order=10))
