"""Which pack version applies on a date, with a note when the caller gets a different one than asked."""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass

import numpy as np
from django.utils.translation import gettext as _

from ..engine import NotInForce, Pack, RulesError, load_registry

TENANT_RULE = "entry_age_ok"  # a pack "has tenant rules" when it defines the admission check


@functools.cache
def registry():
    return load_registry()


@dataclass(frozen=True)
class Chosen:
    pack: Pack
    note: str = ""  # why this version, when it is not simply the one in force


def _day(day) -> np.datetime64:
    return np.datetime64(day, "D")


def pack_on(pack_id: str, day: datetime.date) -> Chosen:
    """The version of `pack_id` in force on `day`; after its end, its last version, saying so."""
    versions = registry().versions(pack_id)
    if not versions:
        known = ", ".join(registry().ids())
        raise RulesError(_("Unknown pack %(id)s; known: %(ids)s.") % {"id": pack_id, "ids": known})
    for pack in versions:
        if pack.in_force(_day(day)):
            return Chosen(pack)
    earlier = [p for p in versions if p.effective_from <= _day(day)]
    if not earlier:
        raise NotInForce(_("Pack %(id)s was not yet in force on %(day)s.") % {"id": pack_id, "day": day})
    pack = earlier[-1]
    return Chosen(pack, _("%(id)s ended on %(end)s; its last version is applied to %(day)s for reference%(next)s.") % {
        "id": pack.id, "end": pack.effective_to, "day": day,
        "next": _(" (superseded by %(next)s)") % {"next": pack.superseded_by} if pack.superseded_by else ""})


def tenant_pack(day: datetime.date) -> Chosen:
    """The pack whose tenant rules decide admission on `day`: the one in force, else the latest that has them."""
    with_rules = [p for p in registry().packs() if TENANT_RULE in p.definitions and p.effective_from <= _day(day)]
    if not with_rules:
        raise NotInForce(_("No pack with tenant rules was in force on %(day)s.") % {"day": day})
    in_force = [p for p in with_rules if p.in_force(_day(day))]
    if in_force:
        return Chosen(in_force[-1])
    pack = max(with_rules, key=lambda p: p.effective_from)
    current = [p.id for p in registry().packs() if p.in_force(_day(day))]
    return Chosen(pack, _("No pack in force on %(day)s (%(current)s) has tenant rules; the latest that has them, "
                          "%(id)s (%(document)s), is applied.") % {
        "day": day, "current": ", ".join(current) or "—", "id": pack.id, "document": pack.document.number})
