"""Firms, start-up teams, carrier operators and persons → the `Population` of a firm-level policy.

The national firm attributes come from the registry's firm loader (the one it registers with the rules
adapter, `registry.rule_sources.firm_columns`); the firm-level policy attributes (designations with dates,
first financing, tenancy, student founders) and the team entity from the registry's loaders
(`registry.rule_sources.firm_policy_columns`, `team_columns`); this module adds what depends on the
policy: its jurisdiction and what the ledger already paid per group. A few grouped queries per call, none per firm.

`FirmBase` is loaded once per day and set of firms and shared by every pack evaluated over them ("which
policies fit me" evaluates all packs in force for one firm; a demo run evaluates several over a province).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import numpy as np
from django.db.models import Min, Q, Sum

from fuhua.core.bulk import among_pks
from fuhua.registry.models import Carrier, Firm, Founder, Organisation, Region, StartupTeam
from fuhua.registry.rule_sources import (
    firm_columns,
    firm_policy_columns,
    operator_columns,
    person_columns,
    team_columns,
)
from fuhua.rules import Population
from fuhua.rules.adapter.columns import dates

from .packs import BENEFICIARIES, PolicyPack
from .schema import firm_policy_schema


@dataclass
class FirmBase:
    """The decoded columns of one entity (firm or team) for one day, without the policy's own columns."""

    entity: str
    as_of: datetime.date
    columns: dict[str, np.ndarray]
    # A few holders ("which policies fit me"): their payouts under every policy, read once for all the packs
    # evaluated over them (policy code, group, holder, period, kind, paid on, fen); None: each pack reads its own.
    payouts: list[tuple] | None = None

    @property
    def ids(self) -> np.ndarray:
        return self.columns["id"]


@dataclass
class FirmFacts:
    """What the Python side needs besides the population (aligned with the entity's ids)."""

    ids: np.ndarray
    entity: str
    region_code: dict[int, str] = field(default_factory=dict)
    host_carrier: dict[int, int] = field(default_factory=dict)  # teams: the carrier that confirms and is paid


def region_of(policy: PolicyPack) -> Region:
    return Region.objects.get(pk=policy.meta.region)


def region_prefix(code: str) -> str:
    """The code prefix a region's subregions share (GB/T 2260: 320000 → 32, 320500 → 3205, 320115 → 320115)."""
    digits = code.rstrip("0")
    return code[: max(2, len(digits) + len(digits) % 2)]


def beneficiaries_for(policy: PolicyPack):
    """The firms (or teams) a policy is computed over: registered under its region or incubated there."""
    region = region_of(policy)
    entity = BENEFICIARIES[policy.beneficiary]
    if entity == "operator":  # organisations registered there that run a carrier
        q = region.subtree_q("region") & Q(pk__in=Carrier.objects.values("operator_id"))
        return Organisation.objects.filter(q)
    if entity == "person":  # founders of firms or teams registered or incubated there
        q = (region.subtree_q("firm__region") | region.subtree_q("team__region")
             | region.subtree_q("firm__incubations__carrier__region")
             | region.subtree_q("team__incubations__carrier__region"))
        return Founder.objects.filter(pk__in=Founder.objects.filter(q).values("pk"))
    model = Firm if entity == "firm" else StartupTeam
    q = region.subtree_q("region") | region.subtree_q("incubations__carrier__region")
    return model.objects.filter(pk__in=model.objects.filter(q).values("pk"))


HOLDER_MODELS = {"firm": Firm, "team": StartupTeam, "operator": Organisation, "person": Founder}


def holders(policy: PolicyPack, ids):
    """These beneficiaries of the policy's kind wherever they are now (a clawback reads a firm that moved away)."""
    return among_pks(HOLDER_MODELS[BENEFICIARIES[policy.beneficiary]].objects.all(), ids)


HOLDER_COLUMNS = {"firm": "firm_id", "team": "team_id", "operator": "operator_id", "person": "person_id"}


def load_base(entity: str, as_of: datetime.date, queryset=None, *, ids=None, with_payouts: bool = False) -> FirmBase:
    """The entity's columns for the rows of `queryset` (or the known `ids`: no query for them); `with_payouts`
    (a few holders): their ledger rows read once for every pack evaluated over them."""
    loaders = {"team": team_columns, "operator": operator_columns, "person": person_columns}
    ids = np.array(sorted(queryset.values_list("pk", flat=True) if ids is None else {int(i) for i in ids}),
                   np.int64)
    if entity in loaders:
        base = FirmBase(entity, as_of, loaders[entity](ids, as_of))
    else:
        # The firm's own rows from the loader the registry registers with the rules adapter (rules/adapter: the
        # "firm" entity): firm packs read no incubation or carrier rows, so the adapter's linked loads are skipped.
        columns = firm_columns(ids, as_of)
        columns.update(firm_policy_columns(columns["id"], as_of))
        base = FirmBase(entity, as_of, columns)
    if with_payouts:
        from .models import Payout

        column = HOLDER_COLUMNS[entity]
        base.payouts = list(Payout.objects.filter(**{f"{column}__in": base.ids.tolist()}).order_by().values_list(
            "policy__code", "group", column, "period", "kind", "paid_on", "amount_fen"))
    return base


def _under(codes: np.ndarray, prefix: str) -> np.ndarray:
    return np.array([bool(c) and str(c).startswith(prefix) for c in codes], bool)


def _sums_of(payouts: list[tuple], code: str, group: str, period: int | None) -> dict[int, tuple]:
    """`_ledger_sums` over rows read before (FirmBase.payouts)."""
    out: dict[int, list] = {}
    for policy, grp, holder, paid_period, kind, paid_on, fen in payouts:
        if policy != code or grp != group or (period is not None and paid_period != period):
            continue
        row = out.setdefault(holder, [0, None])
        row[0] += fen
        if kind == "payment" and (row[1] is None or paid_on < row[1]):
            row[1] = paid_on
    return {pk: (s, first) for pk, (s, first) in out.items()}


def _ledger_sums(policy: PolicyPack, entity: str, ids: list[int], group: str,
                 period: int | None) -> dict[int, tuple[int, datetime.date | None]]:
    """holder → (net amount paid under the group, date of its first payment)."""
    from .models import Payout, PayoutKind

    column = HOLDER_COLUMNS[entity]
    # A few holders (a fit, a push): by id; a policy's whole population: the group's payouts, kept for the ids
    # (a province's persons would pass SQLite's variable limit as an IN list).
    qs = Payout.objects.filter(policy__code=policy.id, group=group, **{f"{column}__isnull": False})
    if len(ids) <= 1000:
        qs = qs.filter(**{f"{column}__in": ids})
    if period is not None:
        qs = qs.filter(period=period)
    rows = qs.order_by().values_list(column).annotate(s=Sum("amount_fen"),
                                                      first=Min("paid_on", filter=Q(kind=PayoutKind.PAYMENT)))
    wanted = set(ids) if len(ids) > 1000 else None
    return {pk: (s, first) for pk, s, first in rows if wanted is None or pk in wanted}


def build(policy: PolicyPack, base: FirmBase, period: int, *, ledger: bool = True) -> tuple[Population, FirmFacts]:
    entity = base.entity
    columns = dict(base.columns)
    ids = columns["id"]
    id_list = ids.tolist()
    prefix = region_prefix(policy.meta.region)
    facts = FirmFacts(ids, entity)
    facts.region_code = dict(zip(id_list, columns["region_code"].tolist(), strict=True))
    if entity == "firm":
        columns["in_jurisdiction"] = _under(columns["region_code"], prefix)
        columns["tenant_in_jurisdiction"] = columns["tenant"] & _under(columns["tenant_region_code"], prefix)
        first = columns["first_investment_on"]
        start = np.datetime64(datetime.date(period, 1, 1), "D")
        columns["first_financed_in_period"] = ~np.isnat(first) & (first >= start) & (
            first <= np.datetime64(base.as_of, "D"))
    elif entity == "operator":
        columns["in_jurisdiction"] = _under(columns["region_code"], prefix)
    elif entity == "person":
        columns["in_jurisdiction"] = _under(columns["region_code"], prefix)
        columns["venture_tenant_in_jurisdiction"] = columns["venture_tenant"] & _under(
            columns["venture_tenant_region_code"], prefix)
        facts.host_carrier = {pk: c for pk, c in zip(id_list, columns["venture_host_carrier"].tolist(), strict=True)
                              if c}
    else:
        columns["in_jurisdiction"] = _under(columns["region_code"], prefix)
        columns["host_in_jurisdiction"] = columns["hosted"] & _under(columns["host_region_code"], prefix)
        facts.host_carrier = {pk: c for pk, c in zip(id_list, columns["host_carrier"].tolist(), strict=True) if c}
    for group, per in policy.meta.groups.items():
        within = period if per == "period" else None
        if not ledger:
            sums = {}
        elif base.payouts is not None:
            sums = _sums_of(base.payouts, policy.id, group, within)
        else:
            sums = _ledger_sums(policy, entity, id_list, group, within)
        columns[f"paid_{group}_fen"] = np.array([sums[pk][0] if pk in sums else 0 for pk in id_list], np.int64)
        columns[f"paid_{group}_on"] = dates(sums[pk][1] if pk in sums and sums[pk][0] > 0 else None
                                            for pk in id_list)
    schema = firm_policy_schema(entity, policy.meta.groups)
    return Population.from_columns({entity: columns}, schema), facts


__all__ = ["FirmBase", "FirmFacts", "beneficiaries_for", "build", "holders", "load_base"]
