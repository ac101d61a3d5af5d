"""What-if: the same computation with parameter overrides (the engine's `overrides`), compared with the
baseline — total cost, cost by region, who gains and who loses. Reads only; nothing is written. Rows and
totals cover the carriers in the caller's scope only."""

from __future__ import annotations

import datetime

import yaml
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from fuhua.core.system import is_system
from fuhua.registry.models import Carrier, Region
from fuhua.rules import RulesError

from .. import packs
from ..compute import compute
from ..models import Budget
from .ledger import budget_status
from .runs import require
from .sync import policy_row


def carriers_in_scope(user, carrier_ids) -> set[int]:
    """The carriers among `carrier_ids` the user may view: a computation runs over the whole population
    (so that shared budgets and ranks are right) but shows rows and totals only for these."""
    wanted = {int(pk) for pk in carrier_ids}
    if is_system(user):  # the platform itself (demo, scheduled tasks): every carrier
        return wanted
    return wanted & set(Carrier.objects.restrict(user, "view").values_list("pk", flat=True))


def parse_settings(pairs: list[str]) -> dict:
    """["cap=2000000", "table={national: 1}"] → overrides; values are YAML (numbers, lists, tables)."""
    overrides = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise ValidationError({"set": _("Write each change as NAME=VALUE, got %(pair)r.") % {"pair": pair}})
        try:
            overrides[name.strip()] = yaml.safe_load(value)
        except yaml.YAMLError:
            raise ValidationError({"set": _("%(name)s: the value is not valid YAML.") % {"name": name}}) from None
    return overrides


def _by_region(amounts: dict[int, int], regions: dict[int, str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for pk, fen in amounts.items():
        code = regions.get(pk, "")
        out[code] = out.get(code, 0) + fen
    return out


def simulate(user, policy_code: str, as_of: datetime.date, overrides: dict, *, top: int = 50) -> dict:
    policy = policy_row(policy_code)
    require(user, "view", policy)
    try:
        base = compute(policy_code, as_of)
        what_if = compute(policy_code, as_of, overrides=overrides)
    except (RulesError, packs.PolicyError) as exc:
        raise ValidationError({"set": str(exc)}) from None
    visible = carriers_in_scope(user, base.facts.ids)
    before = {pk: fen for pk, fen in base.by_carrier().items() if pk in visible}
    after = {pk: fen for pk, fen in what_if.by_carrier().items() if pk in visible}
    regions = base.facts.region_code
    names = dict(Carrier.objects.filter(pk__in=set(before) | set(after)).values_list("pk", "name"))
    changes = sorted(((pk, before.get(pk, 0), after.get(pk, 0)) for pk in set(before) | set(after)
                      if before.get(pk, 0) != after.get(pk, 0)), key=lambda c: (-(abs(c[2] - c[1])), c[0]))
    region_names = dict(Region.objects.values_list("code", "name"))
    by_region_before, by_region_after = _by_region(before, regions), _by_region(after, regions)
    return {
        "policy": policy_code, "as_of": as_of.isoformat(), "overrides": overrides,
        "carriers": len(visible),
        "baseline_fen": sum(before.values()), "simulated_fen": sum(after.values()),
        # the reader's own budget rows only: none for a role without budgets or a bureau of another region
        "budget": next((b for b in budget_status(policy, Budget.objects.restrict(user))
                        if b["year"] == base.period), None),
        "by_region": [{"region": code, "name": region_names.get(code, code),
                       "baseline_fen": by_region_before.get(code, 0), "simulated_fen": by_region_after.get(code, 0)}
                      for code in sorted(set(by_region_before) | set(by_region_after))],
        "gainers": sum(1 for _, b, a in changes if a > b), "losers": sum(1 for _, b, a in changes if a < b),
        "changes": [{"carrier_id": pk, "carrier": names.get(pk, ""), "baseline_fen": b, "simulated_fen": a,
                     "delta_fen": a - b} for pk, b, a in changes[:top]],
        "seconds": base.seconds + what_if.seconds,
    }
