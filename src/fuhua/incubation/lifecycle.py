"""Incubation decisions taken by the rule packs: admission, time limit (expiry), graduation; and the
sanctioned way for an operator to register a new applicant.

Each check returns a `Check` carrying the engine's explanation trace, so pages, the API and the
audit trail all say *why*, down to the article. Lists are computed vectorised for a whole scope.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import numpy as np
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from fuhua.core.context import acting_for
from fuhua.core.scoping import check
from fuhua.registry.models import Carrier, Firm
from fuhua.rules import NotInForce, Pack, Population, add_months, evaluate_population, explain
from fuhua.rules.adapter import load_population
from fuhua.rules.adapter.packs import tenant_pack

from .admission import (  # noqa: F401  (the admission check is part of the lifecycle's interface)
    OVERRIDE_ROLES,
    Check,
    _citation,
    _day,
    _one,
    _param,
    admission_check,
    admission_guard,
    may_override,
    not_applicable,
    refusal_message,
)
from .models import Incubation, IncubationStatus
from .workflow import INCUBATION_WORKFLOW

OPEN_STATUSES = (IncubationStatus.APPLIED, IncubationStatus.ADMITTED, IncubationStatus.INCUBATING)


def take_transition(user, incubation: Incubation, name: str, *, reason: str = "", on=None, override: bool = False):
    """Apply a workflow step; an admission override is audited with its reason and the rule it sets aside."""
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
