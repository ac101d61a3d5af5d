"""Evaluate a firm-level policy (beneficiary firm or start-up team): the amounts due, and for each firm which
of the pack's conditions it meets — the reading behind "which policies fit me", the push and the reach.

Pure reading, like compute.py: what-ifs and the reach before publishing use it as it is. The conditions
are the pack's own bool variables named in its policy section (`applies`, each item's `conditions`,
`gaps`), evaluated by the engine in the same vectorised pass as the amounts: nothing is written per policy
in Python.
"""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass, field

import numpy as np
from django.utils import timezone

from fuhua.rules import Population, evaluate_population, explain, to_plain

from . import packs
from .due import Due
from .firm_population import FirmBase, FirmFacts, beneficiaries_for, build, holders, load_base
from .packs import condition_names

ENTITLED, CLOSE, OPEN, NOT_APPLICABLE = "entitled", "close", "open", "not_applicable"


def default_as_of(today: datetime.date | None = None) -> datetime.date:
    """Firm-level policies reward a completed year (its designations, figures, financing): by default the
    computation is as of the end of the last complete year, the period being paid now."""
    today = today or timezone.localdate()
    return datetime.date(today.year - 1, 12, 31)


@dataclass
class FirmComputation:
    policy: packs.PolicyPack
    as_of: datetime.date
    overrides: dict
    population: Population
    facts: FirmFacts
    outputs: dict[str, np.ndarray]
    dues: list[Due] = field(default_factory=list)
    seconds: float = 0.0  # engine time only

    @property
    def period(self) -> int:
        return self.as_of.year

    @property
    def entity(self) -> str:
        return self.facts.entity

    def by_carrier(self) -> dict[int, int]:
        """Amount per beneficiary (firm or team id; the name is the carrier computation's)."""
        out: dict[int, int] = {}
        for due in self.dues:
            pk = due.beneficiary[1]
            out[pk] = out.get(pk, 0) + due.amount_fen
        return out

    def explain(self, due: Due) -> dict:
        pk = due.beneficiary[1]
        trace = explain(self.policy.pack, self.entity, pk, self.population, due.item, self.as_of,
                        self.overrides or None)
        citations = [{"parameter": p.get("name"), **(p.get("citation") or {})} for p in trace.params_used
                     if p.get("citation")]
        data = trace.to_json()
        data["facts"] = self.facts_of(pk)
        return {"trace": data, "text": trace.render("zh"), "citations": citations}

    def facts_of(self, pk: int) -> dict:
        table = self.population[self.entity]
        row = table.row_of(pk)
        attributes = self.population.schema[self.entity].attributes
        out = {"period": self.period}
        for name, column in table.columns.items():
            value = column[row:row + 1]
            attr = attributes.get(name)
            if attr is not None and attr.type == "str":
                value = self.population.vocabulary.decode(value)
            out[name] = to_plain(value)
        return out


def dues_of(policy: packs.PolicyPack, outputs: dict, facts: FirmFacts, period: int) -> list[Due]:
    dues = []
    for rule, item in policy.meta.items.items():
        values = outputs[rule]
        for row in np.flatnonzero(values > 0):
            pk = int(facts.ids[row])
            key = item.key.format(period=period, new_level="")
            if facts.entity == "firm":
                dues.append(Due(None, rule, item.group, key, int(values[row]), facts.region_code.get(pk) or "",
                                None, None, firm_id=pk))
            elif facts.entity == "operator":
                dues.append(Due(None, rule, item.group, key, int(values[row]), facts.region_code.get(pk) or "",
                                None, None, operator_id=pk))
            elif facts.entity == "person":  # a team's founder: through the team's host carrier
                dues.append(Due(facts.host_carrier.get(pk), rule, item.group, key, int(values[row]),
                                facts.region_code.get(pk) or "", None, None, person_id=pk))
            else:
                dues.append(Due(facts.host_carrier.get(pk), rule, item.group, key, int(values[row]),
                                facts.region_code.get(pk) or "", None, None, team_id=pk))
    return dues


def evaluate(policy: packs.PolicyPack, base: FirmBase, *, overrides: dict | None = None, ledger: bool = True,
             with_conditions: bool = False) -> FirmComputation:
    """One pack over a loaded base (shared by the packs evaluated for the same firms and day)."""
    population, facts = build(policy, base, base.as_of.year, ledger=ledger)
    names = policy.rules + (condition_names(policy) if with_conditions else [])
    started = time.perf_counter()
    outputs = evaluate_population(policy.pack, population, base.as_of, names, overrides or None)
    seconds = time.perf_counter() - started
    result = FirmComputation(policy, base.as_of, dict(overrides or {}), population, facts, outputs, seconds=seconds)
    result.dues = dues_of(policy, outputs, facts, result.period)
    return result


def compute_firms(policy_id: str, as_of: datetime.date, *, overrides: dict | None = None, ids=None,
                  with_conditions: bool = False) -> FirmComputation:
    policy = packs.get(policy_id)
    if overrides:
        packs.check_caps(policy.pack.file, policy.pack, policy.meta, overrides)
    queryset = beneficiaries_for(policy)
    if ids is not None:
        queryset = queryset.filter(pk__in=list(ids))
    base = load_base(packs.BENEFICIARIES[policy.beneficiary], as_of, queryset)
    return evaluate(policy, base, overrides=overrides, with_conditions=with_conditions)


# --- clawback: what ended the basis of a payout -------------------------------------------------------


@dataclass
class ClawbackReason:
    conditions: list[str]  # the labels of the pack's variables that hold (e.g. "迁出苏州市（奖励拨付后五年内）")
    limit_fen: int | None = None  # the pack's `amount` variable: at most this much is recovered


def clawback_reasons(policy: packs.PolicyPack, as_of: datetime.date, ids) -> dict[int, dict[str, ClawbackReason]]:
    """holder → ledger group → why its payouts lose their basis, for the holders given (those paid), evaluated
    by the engine over them wherever they are now (a firm that left the region is no longer in the policy's
    population), with the ledger as of now."""
    when = packs.clawback_when(policy)
    ids = sorted(set(ids))
    if not when or not ids:
        return {}
    amounts = packs.clawback_amounts(policy)
    base = load_base(packs.BENEFICIARIES[policy.beneficiary], as_of, holders(policy, ids))
    population, facts = build(policy, base, as_of.year)
    outputs = evaluate_population(policy.pack, population, as_of, packs.clawback_names(policy), None)
    out: dict[int, dict[str, ClawbackReason]] = {}
    for row, pk in enumerate(facts.ids.tolist()):
        for group, names in when.items():
            hit = [_label(policy, name) for name in names if bool(outputs[name][row])]
            if hit:
                limit = int(outputs[amounts[group]][row]) if group in amounts else None
                out.setdefault(pk, {})[group] = ClawbackReason(hit, limit)
    return out


# --- fit: entitled now, would be entitled if …, not applicable ---------------------------------------


@dataclass
class Missing:
    condition: str
    label: str
    gap_fen: int | None = None  # by how much (fen) when the pack names a gap


@dataclass
class ItemFit:
    item: str
    label: str
    amount_fen: int
    missing: list[Missing]


@dataclass
class Fit:
    policy: str
    status: str  # entitled | close (one condition missing) | open (more) | not_applicable
    amount_fen: int = 0
    items: list[ItemFit] = field(default_factory=list)
    reasons: list[Missing] = field(default_factory=list)  # not applicable: the failing applicability tests

    @property
    def missing(self) -> list[Missing]:
        """The smallest set of missing conditions over the policy's items (first such item)."""
        open_items = [i for i in self.items if i.amount_fen <= 0]
        return min((i.missing for i in open_items), key=len, default=[])


def _label(policy: packs.PolicyPack, name: str) -> str:
    definition = policy.pack.definitions[name]
    return definition.label_zh or definition.label_en or name


def fits(policy: packs.PolicyPack, computation: FirmComputation) -> list[Fit]:
    """The fit of every entity of the computation (evaluated `with_conditions`), aligned with its ids."""
    out = computation.outputs
    n = len(computation.facts.ids)
    applies = [(name, np.asarray(out[name], bool)) for name in policy.meta.applies]
    result = []
    for row in range(n):
        failing = [Missing(name, _label(policy, name)) for name, values in applies if not values[row]]
        if failing:
            result.append(Fit(policy.id, NOT_APPLICABLE, reasons=failing))
            continue
        items = []
        for rule, item in policy.meta.items.items():
            amount = int(out[rule][row])
            missing = []
            if amount <= 0:
                for condition in item.conditions:
                    if bool(out[condition][row]):
                        continue
                    gap = policy.meta.gaps.get(condition)
                    missing.append(Missing(condition, _label(policy, condition),
                                           int(out[gap][row]) if gap else None))
            items.append(ItemFit(rule, _label(policy, rule), amount, missing))
        total = sum(i.amount_fen for i in items if i.amount_fen > 0)
        if total > 0:
            result.append(Fit(policy.id, ENTITLED, total, items))
            continue
        smallest = Fit(policy.id, OPEN, 0, items).missing
        state = CLOSE if len(smallest) == 1 else OPEN if smallest else NOT_APPLICABLE
        # every condition met and still nothing due (e.g. already paid in full): not applicable, "received"
        result.append(Fit(policy.id, state, 0, items, reasons=[] if smallest else [Missing("paid", "")]))
    return result
