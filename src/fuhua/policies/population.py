"""Registry + recognitions + published grades + applications + ledger → a policy `Population`.

The carrier's own attributes come from the rules adapter (`rules.adapter.load_population`); this module
adds what policies need (see `schema.py`): jurisdiction, the operator's ownership, recognition levels before
and during the period, the evaluation grade, the approved application amount, and what the ledger
already paid per group. All in a few grouped queries, no query per carrier.
"""

from __future__ import annotations

import contextlib
import datetime
from contextvars import ContextVar
from dataclasses import dataclass, field

import numpy as np
from django.db.models import Q, Sum

from fuhua.evaluation.services import published_grades
from fuhua.registry.models import Carrier, Recognition, Region
from fuhua.registry.models.carrier import LEVEL_RANK
from fuhua.rules import Population
from fuhua.rules.adapter import load_population

from .packs import PolicyPack
from .schema import policy_schema

NONE = "none"
LEVELS = ("national", "provincial", "municipal", "county_city", "district")
RANK = {str(level): rank for level, rank in LEVEL_RANK.items()}
APPROVED_STATUSES = ("reviewed", "notice", "paid", "evaluated")  # approved amount set


@dataclass
class Facts:
    """What the Python side needs besides the engine's population (aligned with carrier ids)."""

    ids: np.ndarray
    region_code: dict[int, str] = field(default_factory=dict)
    new_recognition: dict[int, int] = field(default_factory=dict)  # carrier → recognition that set new_level
    recognised_since: dict[int, datetime.date] = field(default_factory=dict)


def period_of(as_of: datetime.date) -> int:
    return as_of.year


def _levels(carrier_ids: list[int], as_of: datetime.date, period_start: datetime.date):
    """Per carrier: highest active level, highest level before the period, new level in the period, and
    every level newly reached in the period (a carrier can reach two in one year)."""
    highest, before, new, new_rec, since, reached = {}, {}, {}, {}, {}, {}
    rows = (Recognition.objects.filter(carrier_id__in=carrier_ids, granted_on__lte=as_of)
            .values_list("carrier_id", "id", "level", "granted_on", "valid_until", "revoked_on"))

    def raise_to(target: dict, carrier: int, level: str) -> bool:
        if RANK.get(level, 0) > RANK.get(target.get(carrier, NONE), 0):
            target[carrier] = level
            return True
        return False

    for carrier, pk, level, granted, valid_until, revoked in rows:
        revoked_by_now = revoked is not None and revoked <= as_of
        active = not revoked_by_now and (valid_until is None or as_of <= valid_until)
        if active:
            raise_to(highest, carrier, level)
            since[carrier] = min(since.get(carrier, granted), granted)
        if revoked_by_now:
            continue  # a revoked recognition neither counts as held before nor as newly granted
        if granted < period_start:
            raise_to(before, carrier, level)
            continue
        reached.setdefault(carrier, set()).add(level)
        if raise_to(new, carrier, level):
            new_rec[carrier] = pk
    for carrier, levels in reached.items():  # a level already held before the period is not newly reached
        levels.discard(before.get(carrier))
    return highest, before, new, new_rec, since, reached


def _ledger_sums(policy_code: str, carrier_ids: list[int], groups, period: int | None) -> dict[int, int]:
    from .models import Payout

    qs = Payout.objects.filter(policy__code=policy_code, carrier_id__in=carrier_ids, group__in=list(groups))
    if period is not None:
        qs = qs.filter(period=period)
    return dict(qs.order_by().values_list("carrier_id").annotate(s=Sum("amount_fen")))


def _approved_claims(policy: PolicyPack, carrier_ids: list[int], as_of: datetime.date) -> dict[int, int]:
    from .models import Application

    qs = Application.objects.filter(call__policy__code=policy.id, carrier_id__in=carrier_ids,
                                    status__in=APPROVED_STATUSES, approved_fen__isnull=False)
    if policy.meta.claim_period:  # only claims for the months the policy pays for
        start, end = policy.meta.claim_period
        qs = qs.filter(claim_from__gte=start, claim_to__lte=end)
    return dict(qs.order_by().values_list("carrier_id").annotate(s=Sum("approved_fen")))


def _decoded(population: Population, kind: str) -> dict[str, np.ndarray]:
    table = population[kind]
    schema = population.schema[kind]
    out = {"id": table.ids}
    for name, values in table.columns.items():
        attr = schema.attributes.get(name)
        out[name] = population.vocabulary.decode(values) if attr is not None and attr.type == "str" else values
    return out


def carriers_for(policy: PolicyPack, carrier_ids=None):
    """The population a policy is computed over: its region's carriers (or the ids given)."""
    if carrier_ids is not None:
        return Carrier.objects.filter(pk__in=list(carrier_ids))
    region = Region.objects.get(pk=policy.meta.region)
    # An enclave (飞地) located elsewhere but administered from the policy's region belongs to it too.
    return Carrier.objects.filter(region.subtree_q("region") | region.subtree_q("administering_region"))


_REUSED: ContextVar[dict | None] = ContextVar("policies_population_reused", default=None)


@contextlib.contextmanager
def population_reused():
    """Within the block, the carriers' population for one day and one set of carriers is loaded once: for a
    batch of runs over registry data that does not change meanwhile (the demo runs three policies at once)."""
    token = _REUSED.set({})
    try:
        yield
    finally:
        _REUSED.reset(token)


def _base(as_of: datetime.date, carriers):
    reused = _REUSED.get()
    if reused is None:
        return load_population(as_of, carriers=carriers)
    key = (as_of, str(carriers.query))
    if key not in reused:
        reused[key] = load_population(as_of, carriers=carriers)
    return reused[key]


def build(policy: PolicyPack, as_of: datetime.date, carrier_ids=None,
          upstream: dict[str, dict[int, dict[str, int]]] | None = None) -> tuple[Population, Facts]:
    """`upstream`: policy → carrier → group → amount due in this same computation (for offsets)."""
    meta = policy.meta
    base = _base(as_of, carriers_for(policy, carrier_ids))
    columns = _decoded(base.population, "carrier")
    ids = columns["id"]
    id_list = ids.tolist()
    n = len(ids)
    period = period_of(as_of)
    facts = Facts(ids)
    prefix = Region.objects.get(pk=meta.region).code_prefix
    ownership, administered_from = {}, {}
    for pk, region_code, administering, owner in Carrier.objects.filter(pk__in=id_list).values_list(
            "id", "region_id", "administering_region_id", "operator__ownership"):
        facts.region_code[pk] = region_code
        administered_from[pk] = administering or ""
        ownership[pk] = owner or NONE
    highest, before, new, facts.new_recognition, facts.recognised_since, reached = _levels(
        id_list, as_of, datetime.date(period, 1, 1))
    grades = published_grades(period + meta.grade_period, id_list)
    claims = _approved_claims(policy, id_list, as_of)

    def column(values: dict, default, dtype=object):
        return np.array([values.get(pk, default) for pk in id_list], dtype=dtype) if n else np.zeros(0, dtype)

    columns.update({
        "in_jurisdiction": np.array([facts.region_code.get(pk, "").startswith(prefix)
                                     or administered_from.get(pk, "").startswith(prefix) for pk in id_list], bool),
        "operator_ownership": column(ownership, NONE),
        **{f"new_{level}": np.array([level in reached.get(pk, ()) for pk in id_list], bool) for level in LEVELS},
        "highest_level": column(highest, NONE), "level_before": column(before, NONE), "new_level": column(new, NONE),
        "grade": column(grades, NONE), "approved_claim_fen": column(claims, 0, np.int64),
        "recognised_since": np.array([facts.recognised_since.get(pk) for pk in id_list], "datetime64[D]"),
    })
    for group, per in meta.groups.items():
        sums = _ledger_sums(policy.id, id_list, [group], period if per == "period" else None)
        columns[f"paid_{group}_fen"] = column(sums, 0, np.int64)
    for offset in meta.offsets:
        sums = _ledger_sums(offset.policy, id_list, offset.groups, period if offset.per == "period" else None)
        due = (upstream or {}).get(offset.policy, {})
        total = {pk: sums.get(pk, 0) + sum(due.get(pk, {}).get(g, 0) for g in offset.groups) for pk in id_list}
        columns[offset.into] = column(total, 0, np.int64)
    schema = policy_schema(meta.groups, [o.into for o in meta.offsets])
    return Population.from_columns({"carrier": columns}, schema), facts


__all__ = ["Facts", "Q", "build", "carriers_for", "period_of"]
