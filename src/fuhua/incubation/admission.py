"""The admission rule of an incubation record: the `admit` transition's guard (incubation.workflow) and
the check shown on pages, from the tenant rules of the pack in force on the entry date.

Below both the workflow and lifecycle.py, so that each imports it at the top: lifecycle → workflow →
admission, with no cycle.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import numpy as np
from django.utils import timezone
from django.utils.translation import gettext as _

from fuhua.accounts.roles import Role, roles_of
from fuhua.core.workflow import ALLOWED, Decision, forbidden, invalid
from fuhua.rules import NotInForce, Pack, Population, Trace, explain, months_between
from fuhua.rules.adapter.packs import tenant_pack

from .models import Incubation

OVERRIDE_ROLES = {Role.BUREAU, Role.ADMIN}


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
