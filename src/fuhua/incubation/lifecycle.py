"""Incubation decisions taken by the rule packs: admission, time limit (expiry), graduation; and the
sanctioned way for an operator to register a new applicant.

Each check returns a `Check` carrying the engine's explanation trace, so pages, the API and the
audit trail all say *why*, down to the article. Lists are computed vectorised for a whole scope.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import numpy as np
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from fuhua.accounts.roles import Role, roles_of
from fuhua.core.context import acting_for
from fuhua.core.scoping import check
from fuhua.core.workflow import ALLOWED, Decision, forbidden, invalid
from fuhua.registry.models import Carrier, Firm
from fuhua.rules.adapter import load_population
from fuhua.rules.adapter.packs import tenant_pack
from fuhua.rules.engine import NotInForce, Pack, Population, Trace, evaluate_population, explain
from fuhua.rules.engine.kernels import add_months, months_between

from .models import Incubation, IncubationStatus

OVERRIDE_ROLES = {Role.BUREAU, Role.ADMIN}
OPEN_STATUSES = (IncubationStatus.APPLIED, IncubationStatus.ADMITTED, IncubationStatus.INCUBATING)


@dataclass
class Check:
    name: str  # admission | time_limit | graduation
    label: str
    passed: bool | None  # None: the rule does not apply (e.g. a start-up team's age)
    pack: Pack | None = None
    trace: Trace | None = None
    note: str = ""
    facts: dict = field(default_factory=dict)  # the figures a reader wants first (age, limit, end date…)
    applicable: bool = True  # False: no pack covers the date asked (the note says why)

    @property
    def citation(self) -> str:
        return _citation(self.pack, self.trace) if self.trace else ""

    def explanation(self, lang: str = "zh") -> str:
        text = self.trace.render(lang) if self.trace else ""
        return "\n".join(t for t in (self.note, text) if t)


def _citation(pack: Pack, trace: Trace) -> str:
    definition = pack.definitions[trace.rule]
    article = definition.citation.label() if definition.citation else ""
    return f"{pack.document.number} {article}".strip()


def _param(trace: Trace, name: str):
    return next((p["value"] for p in trace.params_used if p["name"] == name), None)


def _day(value) -> datetime.date | None:
    value = np.asarray(value, "datetime64[D]").reshape(-1)[0]
    return None if np.isnat(value) else value.astype(datetime.date)


def not_applicable(name: str, label: str, exc: NotInForce) -> Check:
    """A rule question on a date no pack covers: "not applicable", with the reason, never an error."""
    return Check(name, label, None, note=_("Not applicable: %(reason)s") % {"reason": exc}, applicable=False)


def _one(incubation: Incubation, entered: datetime.date, status: str) -> Population:
    firm = incubation.firm
    return Population.from_records({
        "carrier": [{"id": incubation.carrier_id}],
        "firm": [{"id": firm.pk, "founded": firm.founded, "industry_field": firm.industry_field}],
        "incubation": [{"id": incubation.pk or 0, "carrier_id": incubation.carrier_id, "firm_id": firm.pk,
                        "entered": entered, "status": status}],
    })


# --- admission -------------------------------------------------------------------------------------


def admission_check(incubation: Incubation, entry: datetime.date | None = None) -> Check:
    """The tenant rule (firm age at entry) of the pack in force on the entry date."""
    entry = entry or incubation.entered_on or timezone.localdate()
    label = _("Admission: firm age at entry")
    if incubation.firm_id is None:
        return Check("admission", label, None, note=_("A start-up team is not yet a registered firm; "
                                                      "the firm-age rule does not apply."))
    try:
        chosen = tenant_pack(entry)
    except NotInForce as exc:
        return not_applicable("admission", label, exc)
    trace = explain(chosen.pack, "incubation", incubation.pk or 0, _one(incubation, entry, "admitted"),
                    "entry_age_ok", entry)
    founded = incubation.firm.founded
    age = int(months_between(np.datetime64(founded, "D"), np.datetime64(entry, "D")).reshape(-1)[0])
    facts = {"founded": founded, "entry": entry, "age_months": age,
             "max_months": _param(trace, "max_firm_age_at_entry_months")}
    result = Check("admission", label, bool(trace.value), chosen.pack, trace, chosen.note, facts)
    result.facts["citation"] = result.citation
    return result


def refusal_message(result: Check) -> str:
    f = result.facts
    return _("Refused: the firm was founded on %(founded)s, %(age)s months before entry on %(entry)s; tenants may be "
             "at most %(max)s months old when they enter (%(citation)s, %(pack)s). A bureau user may override "
             "with a reason.") % {"founded": f["founded"], "age": f["age_months"], "entry": f["entry"],
                                   "max": f["max_months"], "citation": f["citation"], "pack": result.pack.id}


def may_override(user) -> bool:
    return bool(roles_of(user) & OVERRIDE_ROLES)


def admission_guard(user, incubation, reason: str = "", on=None, override: bool | None = None,
                    **_kwargs) -> Decision:
    """The `admit` transition's guard: the rule, or a bureau override with a reason.

    Asked without the input (`override` not given, as `available` does), a refusal that bureau staff may
    override still offers the step to them."""
    result = admission_check(incubation, on)
    if result.passed is not False:
        return ALLOWED
    if override is None and may_override(user):
        return ALLOWED
    if not override:
        return invalid(refusal_message(result))
    if not may_override(user):
        return forbidden(_("Only bureau staff may override the admission rules."))
    if not reason.strip():
        return invalid(_("Give the reason for overriding the admission rules."), "reason")
    return ALLOWED


def take_transition(user, incubation: Incubation, name: str, *, reason: str = "", on=None, override: bool = False):
    """Apply a workflow step; an admission override is audited with its reason and the rule it sets aside."""
    from .workflow import INCUBATION_WORKFLOW

    if name == "admit" and override and reason.strip() and may_override(user):
        result = admission_check(incubation, on)
        if result.passed is False:
            reason = _("Admission override: %(reason)s (sets aside %(rule)s, %(citation)s: "
                       "%(age)s months > %(max)s)") % {
                "reason": reason.strip(), "rule": result.trace.rule, "citation": result.citation,
                "age": result.facts["age_months"], "max": result.facts["max_months"]}
    return INCUBATION_WORKFLOW.apply(user, incubation, name, reason=reason, on=on, override=override)


# --- time limit and expiry -------------------------------------------------------------------------


def time_limit_check(incubation: Incubation, as_of: datetime.date | None = None) -> Check:
    as_of = as_of or timezone.localdate()
    label = _("Time limit")
    if incubation.status != IncubationStatus.INCUBATING or not incubation.entered_on:
        return Check("time_limit", label, None, note=_("Only a record in incubation runs against the time limit."))
    try:
        chosen = tenant_pack(incubation.entered_on)
    except NotInForce as exc:
        return not_applicable("time_limit", label, exc)
    population = load_population(as_of, incubations=Incubation.objects.filter(pk=incubation.pk)).population
    trace = explain(chosen.pack, "incubation", incubation.pk, population, "within_time_limit", as_of)
    limit = int(evaluate_population(chosen.pack, population, as_of, ["incubation_limit_months"])
                ["incubation_limit_months"][0])
    ends = _day(add_months(np.datetime64(incubation.entered_on, "D"), np.int64(limit)))
    result = Check("time_limit", label, bool(trace.value), chosen.pack, trace, chosen.note,
                   {"limit_months": limit, "ends_on": ends, "entered": incubation.entered_on})
    result.facts["citation"] = result.citation
    return result


@dataclass
class Overdue:
    incubation: Incubation
    limit_months: int
    ends_on: datetime.date


def overdue(user, as_of: datetime.date | None = None, carriers=None) -> tuple[list[Overdue], Pack]:
    """Records in incubation past their time limit, among those the user may see (optionally some carriers)."""
    as_of = as_of or timezone.localdate()
    records = Incubation.objects.restrict(user, "view").filter(status=IncubationStatus.INCUBATING)
    if carriers is not None:
        records = records.filter(carrier__in=carriers)
    pack = tenant_pack(as_of).pack
    population = load_population(as_of, incubations=records).population
    out = evaluate_population(pack, population, as_of,
                              ["within_time_limit", "incubation_limit_months", "is_current_tenant"])
    table = population["incubation"]
    late = np.flatnonzero(~out["within_time_limit"] & out["is_current_tenant"])
    ids = table.ids[late]
    limits = out["incubation_limit_months"][late].astype(np.int64)
    ends = add_months(table.columns["entered"][late], limits)
    objects = Incubation.objects.select_related("firm", "team", "carrier").in_bulk(ids.tolist())
    rows = [Overdue(objects[int(i)], int(m), _day(e)) for i, m, e in zip(ids, limits, ends, strict=True)]
    rows.sort(key=lambda r: (r.ends_on, r.incubation.pk))
    return rows, pack


def expiry_reason(row: Overdue, pack: Pack) -> str:
    article = pack.definitions["within_time_limit"].citation
    return _("Incubation time limit of %(months)s months passed on %(ends)s (%(document)s %(article)s)") % {
        "months": row.limit_months, "ends": row.ends_on, "document": pack.document.number,
        "article": article.label() if article else ""}


def expire(user, row: Overdue, pack: Pack, on: datetime.date | None = None):
    return take_transition(user, row.incubation, "expire", reason=expiry_reason(row, pack),
                           on=on or timezone.localdate())


# --- graduation ------------------------------------------------------------------------------------

CONDITION_PREFIX = "graduation_by_"  # the pack's graduation conditions: one firm variable each


def condition_names(pack: Pack) -> list[str]:
    """The graduation conditions the pack declares (variables `graduation_by_*` of the firm), in its order."""
    return [name for name, d in pack.definitions.items() if name.startswith(CONDITION_PREFIX) and d.entity == "firm"]


def condition_label(pack: Pack, name: str) -> str:
    """A condition in the pack's own words, in the reader's language."""
    definition = pack.definitions[name]
    zh = (get_language() or "zh").lower().startswith("zh")
    return (definition.label_zh if zh else definition.label_en) or definition.label_zh or name


def _conditions(pack: Pack, population: Population, as_of) -> dict[str, np.ndarray]:
    """Each graduation condition for every firm (aligned with the firm table), evaluated by the pack."""
    names = condition_names(pack)
    return evaluate_population(pack, population, as_of, names) if names else {}


@dataclass
class Proposal:
    incubation: Incubation
    conditions: list[str]
    reason: str


def graduation_reason(pack: Pack, conditions: list[str]) -> str:
    citation = pack.definitions["graduation_due"].citation
    return _("Meets a graduation condition: %(conditions)s (%(document)s %(article)s)") % {
        "conditions": "; ".join(condition_label(pack, c) for c in conditions), "document": pack.document.number,
        "article": citation.label() if citation else ""}


def graduation_proposals(user, as_of: datetime.date | None = None, carriers=None) -> list[Proposal]:
    """Tenants the user may see that meet a graduation condition now, with the conditions that hold."""
    as_of = as_of or timezone.localdate()
    records = Incubation.objects.restrict(user, "view").filter(status=IncubationStatus.INCUBATING,
                                                              firm__isnull=False)
    if carriers is not None:
        records = records.filter(carrier__in=carriers)
    pack = tenant_pack(as_of).pack
    population = load_population(as_of, incubations=records).population
    due = evaluate_population(pack, population, as_of, ["graduation_due"])["graduation_due"]
    firm_rows = population.to_one("incubation", "firm")
    conditions = _conditions(pack, population, as_of)
    rows = np.flatnonzero(due)
    objects = Incubation.objects.select_related("firm", "carrier").in_bulk(population["incubation"].ids[rows].tolist())
    out = []
    for row in rows:
        held = [name for name, values in conditions.items() if values[firm_rows[row]]]
        obj = objects[int(population["incubation"].ids[row])]
        out.append(Proposal(obj, held, graduation_reason(pack, held)))
    return sorted(out, key=lambda p: (p.incubation.carrier.name, p.incubation.pk))


def graduation_check(incubation: Incubation, as_of: datetime.date | None = None) -> Check:
    as_of = as_of or timezone.localdate()
    label = _("Graduation conditions")
    if incubation.firm_id is None or incubation.status != IncubationStatus.INCUBATING:
        return Check("graduation", label, None, note=_("Only a firm in incubation is checked for graduation."))
    try:
        chosen = tenant_pack(as_of)
    except NotInForce as exc:
        return not_applicable("graduation", label, exc)
    population = load_population(as_of, incubations=Incubation.objects.filter(pk=incubation.pk)).population
    trace = explain(chosen.pack, "incubation", incubation.pk, population, "graduation_due", as_of)
    firm_row = population.to_one("incubation", "firm")[0]
    held = [n for n, v in _conditions(chosen.pack, population, as_of).items() if v[firm_row]]
    result = Check("graduation", label, bool(trace.value), chosen.pack, trace, chosen.note,
                   {"conditions": [condition_label(chosen.pack, c) for c in held],
                    "reason": graduation_reason(chosen.pack, held) if held else ""})
    result.facts["citation"] = result.citation
    return result


def checks(incubation: Incubation, as_of: datetime.date | None = None) -> list[Check]:
    return [admission_check(incubation), time_limit_check(incubation, as_of), graduation_check(incubation, as_of)]


# --- what needs attention: overdue tenants and graduation proposals, in one pass -------------------


@dataclass
class Attention:
    """Ids of the records (among those the user may see) past their time limit, and of those that meet a
    graduation condition: one population load and one vectorised evaluation for both lists."""

    overdue: list[int]
    graduation: list[int]
    pack: Pack


def attention(user, as_of: datetime.date | None = None, carriers=None) -> Attention:
    as_of = as_of or timezone.localdate()
    records = Incubation.objects.restrict(user, "view").filter(status=IncubationStatus.INCUBATING)
    if carriers is not None:
        records = records.filter(carrier__in=carriers)
    pack = tenant_pack(as_of).pack
    population = load_population(as_of, incubations=records).population
    out = evaluate_population(pack, population, as_of, ["within_time_limit", "is_current_tenant", "graduation_due"])
    table = population["incubation"]
    is_firm = table.columns["firm_id"] > 0  # start-up teams stand in as negative firm ids
    late = ~out["within_time_limit"] & out["is_current_tenant"]
    due = out["graduation_due"] & is_firm
    return Attention(sorted(table.ids[late].tolist()), sorted(table.ids[due].tolist()), pack)


# --- registering an applicant ----------------------------------------------------------------------


@transaction.atomic
def register_applicant(user, carrier: Carrier, *, firm: Firm | None = None, firm_data: dict | None = None,
                       applied_on: datetime.date | None = None) -> Incubation:
    """Create the firm (when new) and its `applied` incubation at `carrier`, in one transaction.

    Operators may not add firms directly; this is the sanctioned path, limited to carriers the user
    may change (an operator's own) and to users who may add incubation records.
    """
    decision = check(user, "add", Incubation)
    if not decision:
        raise PermissionDenied(decision.reason)
    if not check(user, "change", carrier):
        raise PermissionDenied(_("You may register applicants only at carriers you run."))
    if (firm is None) == (firm_data is None):
        raise ValidationError({"firm": _("Give either an existing firm or the new firm's details.")})
    if firm is not None and Incubation.objects.filter(
            firm=firm, carrier=carrier, status__in=OPEN_STATUSES).exists():
        raise ValidationError({"firm": _("%(firm)s already has an open incubation record at %(carrier)s.") % {
            "firm": firm, "carrier": carrier}})
    with acting_for(user):
        if firm is None:
            firm = Firm(**firm_data)
            firm.full_clean()
            firm.save()
        record = Incubation(firm=firm, carrier=carrier, status=IncubationStatus.APPLIED,
                            applied_on=applied_on or timezone.localdate())
        record.full_clean()
        record.save()
    return record
