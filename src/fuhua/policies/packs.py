"""Policy packs: a rules-engine pack plus a trailing `policy:` section that this loader parses.

The engine rejects unknown top-level keys, so the file is split at the `policy:` line (which must be the
last top-level key): the part before goes to the engine unchanged — its line numbers stay right in
errors — and the section after describes what the engine does not know: jurisdiction, period, budget,
ledger groups, payable items and their entitlement keys, caps to check, stacking offsets, clawback.

Refused with a PolicyError naming the file: a cap below an amount it covers, an offset that points at
an unknown policy, or offsets that form a cycle (A offsets B offsets A: neither could be computed first).
"""

from __future__ import annotations

import datetime
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml

from fuhua.rules import Pack, load_pack_file, load_pack_text

from .schema import firm_policy_schema, policy_schema

PACKS_DIR = Path(__file__).resolve().parent / "packs"
PRIORITIES = ("earliest_recognition_then_id", "carrier_id")
PERIODS = ("ever", "period")
KEY_FIELDS = ("period", "new_level")
# Who a policy pays, and the rules-engine entity its pack is evaluated over. A start-up team's money goes
# through the carrier hosting it (its operator confirms the account); "operator" is the organisation running
# carriers (registry.Organisation), "person" a founder or key person (registry.Founder) — confirmed by the
# founder's firm, or for a team's founder by the operator of the team's host carrier.
BENEFICIARIES = {"carrier": "carrier", "firm": "firm", "team": "team", "operator": "operator", "person": "person"}
_SECTION = re.compile(r"^policy:\s*$", re.M)


class PolicyError(ValueError):
    def __init__(self, file: str, reason: str):
        super().__init__(f"{file}: {reason}")
        self.file, self.reason = file, reason


@dataclass(frozen=True)
class Item:
    rule: str
    group: str
    key: str  # template: {period} and {new_level}
    recognition: str = ""  # "new_level": the recognition that triggers it (for clawbacks)
    # Firm-level policies: the pack's bool variables that together make the item due, in the order a
    # reader checks them; "which policies fit me" names the ones a firm misses (the smallest set first).
    conditions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Offset:
    into: str  # carrier attribute the amounts land in
    policy: str
    groups: tuple[str, ...]
    per: str  # ever | period


@dataclass(frozen=True)
class PolicyMeta:
    region: str
    needs_application: bool
    period: str
    grade_period: int
    priority: str
    budget: dict[int, int]  # year → fen
    groups: dict[str, str]  # group → ever | period
    items: dict[str, Item]
    offsets: tuple[Offset, ...] = ()
    caps: tuple[tuple[str, tuple[str, ...]], ...] = ()
    clawback: dict = field(default_factory=dict)
    # The months a claimed amount must cover (e.g. rent waived "2020年2月到6月"): an application states
    # the period of its claim, and only claims inside this window count.
    claim_period: tuple[datetime.date, datetime.date] | None = None
    beneficiary: str = "carrier"
    # Firm-level policies: bool variables that decide whether the policy concerns the firm at all (its
    # region, its kind); a firm failing one is "not applicable", not "close".
    applies: tuple[str, ...] = ()
    # condition → the variable saying by how much a firm misses it (e.g. R&D spend short of the minimum)
    gaps: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PolicyPack:
    pack: Pack
    meta: PolicyMeta

    @property
    def id(self) -> str:
        return self.pack.id

    @property
    def rules(self) -> list[str]:
        return list(self.meta.items)

    @property
    def beneficiary(self) -> str:
        return self.meta.beneficiary

    @property
    def firm_level(self) -> bool:
        return self.meta.beneficiary != "carrier"


def _fen(yuan) -> int:
    return round(float(yuan) * 100)


def _meta(file: str, raw: dict, line_of=lambda key: 0) -> PolicyMeta:
    def fail(reason, key=None):
        line = line_of(key) if key else 0
        raise PolicyError(f"{file}:{line}" if line else file, f"policy section: {reason}")

    if not isinstance(raw, dict):
        fail("must be a mapping")
    for key in ("region", "items", "groups"):
        if key not in raw:
            fail(f"missing {key!r}")
    groups = {str(g): str((spec or {}).get("per", "ever")) for g, spec in raw["groups"].items()}
    if bad := [g for g, per in groups.items() if per not in PERIODS]:
        fail(f"group {bad[0]}: per must be one of {PERIODS}")
    beneficiary = str(raw.get("beneficiary", "carrier"))
    if beneficiary not in BENEFICIARIES:
        fail(f"unknown beneficiary kind {beneficiary!r}; known: {', '.join(BENEFICIARIES)}", "beneficiary")
    items = {}
    for rule, spec in raw["items"].items():
        item = Item(rule, str(spec.get("group", "")), str(spec.get("key", "")), str(spec.get("recognition", "")),
                    tuple(str(c) for c in spec.get("conditions") or ()))
        if item.group not in groups:
            fail(f"item {rule}: unknown group {item.group!r}")
        names = set(re.findall(r"{(\w+)}", item.key))
        if not item.key or names - set(KEY_FIELDS):
            fail(f"item {rule}: key {item.key!r} may use only {{period}} and {{new_level}}")
        items[rule] = item
    priority = str(raw.get("priority", PRIORITIES[0]))
    if priority not in PRIORITIES:
        fail(f"unknown priority rule {priority!r}; known: {', '.join(PRIORITIES)}")
    offsets = tuple(Offset(str(o["into"]), str(o["policy"]), tuple(o.get("groups") or ()), str(o.get("per", "ever")))
                    for o in raw.get("offsets") or ())
    caps = tuple((str(c["cap"]), tuple(c.get("covers") or ())) for c in raw.get("caps") or ())
    claim_period = None
    if raw.get("claim_period") is not None:
        spec = raw["claim_period"]
        try:
            claim_period = (_date(spec["from"]), _date(spec["to"]))
        except (KeyError, TypeError, ValueError):
            fail("claim_period needs from and to dates (YYYY-MM-DD)")
        if claim_period[0] > claim_period[1]:
            fail("claim_period: from is after to")
    return PolicyMeta(
        region=str(raw["region"]), needs_application=bool(raw.get("needs_application", False)),
        period=str(raw.get("period", "calendar_year")), grade_period=int(raw.get("grade_period", -1)),
        priority=priority, budget={int(y): _fen(v) for y, v in (raw.get("budget") or {}).items()},
        groups=groups, items=items, offsets=offsets, caps=caps, clawback=dict(raw.get("clawback") or {}),
        claim_period=claim_period, beneficiary=beneficiary, applies=tuple(str(a) for a in raw.get("applies") or ()),
        gaps={str(k): str(v) for k, v in (raw.get("gaps") or {}).items()},
    )


def _date(value) -> datetime.date:
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value))


def _amounts(pack: Pack, name: str, overrides: dict) -> list[tuple[np.datetime64 | None, str, int]]:
    """(from, label, fen) of every value a parameter takes (each entry of a table)."""
    from fuhua.rules import to_canonical

    param = pack.parameters[name]
    values = ([(None, to_canonical(param.unit, overrides[name]))] if name in overrides
              else [(pv.start, pv.value) for pv in param.values])
    out = []
    for start, value in values:
        entries = value.items() if isinstance(value, dict) else [(name, value)]
        out += [(start, str(k), int(v)) for k, v in entries]
    return out


def check_caps(file: str, pack: Pack, meta: PolicyMeta, overrides: dict | None = None) -> None:
    """A cap lower than a fixed amount it covers is a drafting error: refuse it (also for what-ifs)."""
    overrides = overrides or {}
    for cap, covers in meta.caps:
        for name in (cap, *covers):
            if name not in pack.parameters:
                raise PolicyError(file, f"cap check names unknown parameter {name!r}")
        limit = min(v for _, _, v in _amounts(pack, cap, overrides))  # the strictest value ever in force
        for name in covers:
            for _, label, fen in _amounts(pack, name, overrides):
                if fen > limit:
                    raise PolicyError(file, f"cap {cap} ({limit / 100:,.2f} yuan) is below the fixed amount "
                                            f"{label} = {fen / 100:,.2f} yuan of {name}; a cap cannot be lower "
                                            f"than an amount it caps")


def condition_names(policy: PolicyPack) -> list[str]:
    """Every variable a fit reads: the applicability tests, each item's conditions and their gaps."""
    names = [*policy.meta.applies]
    for item in policy.meta.items.values():
        names += item.conditions
    names += policy.meta.gaps.values()
    return list(dict.fromkeys(names))


def split(text: str) -> tuple[str, dict | None]:
    match = _SECTION.search(text)
    if match is None:
        return text, None
    tail = yaml.safe_load(text[match.start():]) or {}
    return text[: match.start()], tail


def load_policy_text(text: str, file: str = "<policy>") -> PolicyPack:
    pack_text, tail = split(text)
    if tail is None:
        raise PolicyError(file, "no 'policy:' section (it must be the last top-level key)")
    if set(tail) != {"policy"}:
        after = sorted(set(tail) - {"policy"})
        raise PolicyError(file, f"'policy:' must be the last top-level key; found {after} after it")
    offset = pack_text.count("\n")

    def line_of(key: str) -> int:
        found = re.search(rf"^\s+{re.escape(key)}:", text[len(pack_text):], re.M)
        return offset + text[len(pack_text):][:found.start()].count("\n") + 1 if found else 0

    meta = _meta(file, tail["policy"], line_of)
    if meta.beneficiary == "carrier":
        schema = policy_schema(meta.groups, [o.into for o in meta.offsets])
    else:
        if meta.offsets:
            raise PolicyError(f"{file}:{line_of('offsets')}", "offsets are for carrier policies only")
        schema = firm_policy_schema(BENEFICIARIES[meta.beneficiary], meta.groups)
    pack = load_pack_text(pack_text, file, schema)
    if pack.entity != BENEFICIARIES[meta.beneficiary]:
        raise PolicyError(f"{file}:{line_of('beneficiary')}", f"a policy for beneficiary {meta.beneficiary!r} is "
                          f"evaluated over {BENEFICIARIES[meta.beneficiary]!r}, but the pack's entity is "
                          f"{pack.entity!r}")
    for rule in meta.items:
        if rule not in pack.rules:
            raise PolicyError(file, f"item {rule} is not a rule of the pack")
    for name in (*meta.applies, *(c for item in meta.items.values() for c in item.conditions)):
        definition = pack.definitions.get(name)
        if definition is None or definition.type != "bool":
            key = "applies" if name in meta.applies else "conditions"
            raise PolicyError(f"{file}:{line_of(key)}", f"condition {name!r} is not a bool variable of the pack")
    for condition, gap in meta.gaps.items():
        if gap not in pack.definitions or pack.definitions[gap].type not in ("int", "float"):
            raise PolicyError(f"{file}:{line_of('gaps')}", f"gap {gap!r} of {condition!r} is not a number variable")
    _check_clawback(file, pack, meta, line_of("clawback"))
    check_caps(file, pack, meta)
    return PolicyPack(pack, meta)


def _check_clawback(file: str, pack: Pack, meta: PolicyMeta, line: int) -> None:
    """A carrier policy claws back when the recognition behind a paid item is revoked (`groups`); a firm-level
    policy names, per ledger group, the pack's bool variables that say the basis of the payout ended (`when`),
    and may name a number variable capping the amount recovered (`amount`, fen)."""
    spec = meta.clawback
    if not spec:
        return
    where = f"{file}:{line}" if line else file

    def fail(reason):
        raise PolicyError(where, f"clawback: {reason}")

    percent = spec.get("percent", 100)
    if not isinstance(percent, int) or not 0 < percent <= 100:
        fail(f"percent must be a whole number from 1 to 100, not {percent!r}")
    if meta.beneficiary == "carrier":
        if "when" in spec or "amount" in spec:
            fail("a carrier policy claws back on a revoked recognition (groups); 'when' and 'amount' are for "
                 "firm, team, operator and person policies")
        if bad := [g for g in spec.get("groups") or () if g not in meta.groups]:
            fail(f"unknown group {bad[0]!r}")
        return
    when = spec.get("when")
    if not isinstance(when, dict) or not when:
        fail("a firm-level policy names, per ledger group, the variables that end the basis of a payout "
             "(when: {group: [variable, …]})")
    for group, names in when.items():
        if group not in meta.groups:
            fail(f"unknown group {group!r}")
        for name in [names] if isinstance(names, str) else names or ():
            definition = pack.definitions.get(name)
            if definition is None or definition.type != "bool":
                fail(f"condition {name!r} of group {group!r} is not a bool variable of the pack")
    for group, name in (spec.get("amount") or {}).items():
        if group not in when:
            fail(f"amount for group {group!r}, which has no 'when'")
        definition = pack.definitions.get(name)
        if definition is None or definition.type not in ("int", "float"):
            fail(f"amount {name!r} of group {group!r} is not a number variable of the pack")


def clawback_when(policy: PolicyPack) -> dict[str, tuple[str, ...]]:
    """Firm-level policies: ledger group → the bool variables any of which ends the basis of its payouts."""
    if not policy.firm_level:
        return {}
    when = policy.meta.clawback.get("when") or {}
    return {str(g): tuple([names] if isinstance(names, str) else names or ()) for g, names in when.items()}


def clawback_amounts(policy: PolicyPack) -> dict[str, str]:
    """Firm-level policies: ledger group → the variable capping what is recovered (fen), where the pack names one."""
    return {str(g): str(v) for g, v in (policy.meta.clawback.get("amount") or {}).items()} if policy.firm_level else {}


def clawback_names(policy: PolicyPack) -> list[str]:
    """Every variable a firm-level clawback reads."""
    names = [n for group in clawback_when(policy).values() for n in group]
    return list(dict.fromkeys([*names, *clawback_amounts(policy).values()]))


def load_policy_file(path) -> PolicyPack:
    path = Path(path)
    return load_policy_text(path.read_text(encoding="utf-8"), str(path))


def dependency_order(policies: dict[str, PolicyPack]) -> list[str]:
    """Policy ids, each after the policies it offsets against; a cycle or unknown id is refused."""
    order, state = [], {}

    def visit(pid: str, path: list[str]):
        if state.get(pid) == "done":
            return
        if state.get(pid) == "open":
            cycle = [*path[path.index(pid):], pid]
            raise PolicyError(policies[pid].pack.file, "offsets form a cycle: " + " → ".join(cycle))
        state[pid] = "open"
        for offset in policies[pid].meta.offsets:
            if offset.policy not in policies:
                raise PolicyError(policies[pid].pack.file, f"offset against unknown policy {offset.policy!r}")
            visit(offset.policy, [*path, pid])
        state[pid] = "done"
        order.append(pid)

    for pid in sorted(policies):
        visit(pid, [])
    return order


def load_policies(directory=PACKS_DIR) -> dict[str, PolicyPack]:
    policies = {}
    for path in sorted(Path(directory).glob("*.yaml")):
        policy = load_policy_file(path)
        if policy.id in policies:
            raise PolicyError(str(path), f"duplicate policy id {policy.id}")
        policies[policy.id] = policy
    dependency_order(policies)
    return policies


@functools.cache
def bundled() -> dict[str, PolicyPack]:
    return load_policies()


def item_labels() -> dict[str, dict[str, str]]:
    """Entitlement key prefix (`recognition_award`) → the label of its rule, without the trailing note in
    brackets ("孵化器建设经费补助（差额补助…）" → "孵化器建设经费补助"), for the glossary."""
    out = {}
    for policy in bundled().values():
        for rule, item in policy.meta.items.items():
            d = policy.pack.definitions[rule]
            prefix = item.key.split(":")[0]
            out.setdefault(prefix, {"zh": re.sub(r"（[^（）]*）$", "", d.label_zh) or rule,
                                    "en": re.sub(r"\s*\([^()]*\)$", "", d.label_en) or rule})
    return out


def get(policy_id: str) -> PolicyPack:
    policies = bundled()
    if policy_id not in policies:
        raise PolicyError(policy_id, f"unknown policy; known: {', '.join(sorted(policies))}")
    return policies[policy_id]


__all__ = ["PolicyError", "PolicyPack", "bundled", "clawback_amounts", "clawback_names", "clawback_when",
           "dependency_order", "get", "load_pack_file", "load_policies", "load_policy_file", "load_policy_text"]
