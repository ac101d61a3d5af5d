"""Which policies fit me: for a firm (or a carrier), every published policy in force in its region, each
entitled now (amount, explanation, articles), would be entitled if … (the smallest set of missing
conditions, in the pack's words, with the articles they come from and by how much), or not applicable (why).

Computed by the rules engine from the packs' own conditions (firm_compute.fits), never written per policy.
Scoped: a firm reads its own firm, bureau staff any firm of their region (404 otherwise).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from fuhua.core import formatting as fmt
from fuhua.core import glossary
from fuhua.core.scoping import check
from fuhua.registry.models import Carrier, Firm, Founder, Organisation
from fuhua.rules import explain, explain_sentence

from .. import packs
from ..compute import compute
from ..firm_compute import CLOSE, ENTITLED, NOT_APPLICABLE, OPEN, FirmComputation, default_as_of, evaluate, fits
from ..firm_population import load_base, region_prefix
from ..models import Entitlement, Policy

ORDER = {ENTITLED: 0, CLOSE: 1, OPEN: 2, NOT_APPLICABLE: 3}
STATUS_LABELS = {ENTITLED: gettext_lazy("Entitled now"), CLOSE: gettext_lazy("Would be entitled if"),
                 OPEN: gettext_lazy("Would be entitled if"), NOT_APPLICABLE: gettext_lazy("Not applicable")}


@dataclass
class Condition:
    name: str
    label: str
    gap_fen: int | None = None
    citations: list[dict] = field(default_factory=list)


@dataclass
class PolicyFit:
    policy: Policy
    status: str
    amount_fen: int = 0
    explanations: list[dict] = field(default_factory=list)  # entitled: {item, label, amount_fen, text, citations}
    # close/open: the smallest set of missing conditions; entitled: that of the policy's items not (yet) due
    missing: list[Condition] = field(default_factory=list)
    reasons: list[Condition] = field(default_factory=list)  # not applicable
    entitlements: list[Entitlement] = field(default_factory=list)  # saved rows (to confirm, to rate)
    holder: str = ""  # a person policy: the founder it concerns (a firm sees one row per founder)

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    def as_dict(self) -> dict:
        def cond(c: Condition) -> dict:
            return {"condition": c.name, "label": c.label, "gap_fen": c.gap_fen, "citations": c.citations}

        return {"policy": self.policy.code, "policy_id": self.policy.pk, "title": self.policy.title,
                "document_number": self.policy.document_number, "status": self.status,
                "amount_fen": self.amount_fen, "explanations": self.explanations,
                "missing": [cond(c) for c in self.missing], "reasons": [cond(c) for c in self.reasons],
                "entitlements": [e.pk for e in self.entitlements], "holder": self.holder}


def in_force(policy: packs.PolicyPack, as_of: datetime.date) -> bool:
    start, end = policy.pack.effective_from, policy.pack.effective_to
    day = str(as_of)
    return (start is None or str(start)[:10] <= day) and (end is None or day <= str(end)[:10])


def _covers(policy: packs.PolicyPack, codes) -> bool:
    prefix = region_prefix(policy.meta.region)
    return any(code and str(code).startswith(prefix) for code in codes)


def published_rows(as_of: datetime.date | None = None) -> dict[str, Policy]:
    """The published policies (a firm-level policy is published on the day the bureau announces it, usually
    after the period it rewards)."""
    return {p.code: p for p in Policy.objects.filter(published_on__isnull=False)}


def _citations(policy: packs.PolicyPack, comp: FirmComputation, pk: int, name: str) -> list[dict]:
    """The articles behind a condition: the citations of the parameters its evaluation reads, else the
    policy's document (a condition that reads no parameter, e.g. "registered in Suzhou")."""
    trace = explain(policy.pack, comp.entity, pk, comp.population, name, comp.as_of)
    cited = [{"parameter": p.get("name"), **(p.get("citation") or {})} for p in trace.params_used if p.get("citation")]
    if cited:
        return cited
    doc = policy.pack.document
    return [{"document": doc.number or doc.name, "article": "", "text": policy.pack.title}]


def _role_may_view(user, model) -> None:
    decision = check(user, "view", model)  # a role that never sees the model: 403; out of scope: 404
    if not decision:
        raise PermissionDenied(decision.reason)


def _explained(policy: packs.PolicyPack, comp, due, name: str) -> dict:
    """An amount due in one sentence (the pack's `explain` template), with the articles it rests on."""
    why = comp.explain(due)
    sentence = explain_sentence(policy.pack, why["trace"], _lang(), name=name, money=fmt.money, word=glossary.word)
    return {"item": due.item, "label": policy.pack.definitions[due.item].label_zh, "amount_fen": due.amount_fen,
            "text": sentence.text, "citations": why["citations"], "trace": why["text"]}


def _lang() -> str:
    return "en" if (get_language() or "zh").startswith("en") else "zh"


def firm_for(user, firm_id: int) -> Firm:
    _role_may_view(user, Firm)
    firm = Firm.objects.restrict(user, "view").filter(pk=firm_id).first()
    if firm is None:
        raise Http404(_("No such firm in your scope."))
    return firm


def firm_fits(user, firm_id: int, as_of: datetime.date | None = None, *, with_explanations: bool = True,
              unpublished: bool = False) -> list[PolicyFit]:
    """Every published firm policy in force whose region covers the firm (registered or incubated there)."""
    firm = firm_for(user, firm_id)
    as_of = as_of or default_as_of()
    base = load_base("firm", as_of, ids=[firm.pk], with_payouts=True)
    codes = (base.columns["region_code"][0], base.columns["tenant_region_code"][0]) if len(base.ids) else ()
    rows = {p.code: p for p in Policy.objects.all()} if unpublished else published_rows(as_of)
    saved: dict[str, list[Entitlement]] = {}
    for e in Entitlement.objects.restrict(user).filter(firm=firm).select_related("policy").order_by("period", "pk"):
        saved.setdefault(e.policy.code, []).append(e)
    out = _fits_of("firm", base, {firm.pk: firm.name}, codes, rows, saved, with_explanations)
    # The firm's founders under person policies (talent programmes): one row per founder and policy.
    founders = dict(Founder.objects.restrict(user).filter(firm=firm).order_by("pk").values_list("pk", "name"))
    if founders and any(p.beneficiary == "person" for p in packs.bundled().values()):
        person_base = load_base("person", as_of, ids=list(founders), with_payouts=True)
        person_saved: dict[str, list[Entitlement]] = {}
        for e in (Entitlement.objects.restrict(user).filter(person__firm=firm).select_related("policy")
                  .order_by("period", "pk")):
            person_saved.setdefault(f"{e.policy.code}:{e.person_id}", []).append(e)
        out += _fits_of("person", person_base, founders, codes, rows, person_saved, with_explanations)
    return sorted(out, key=lambda f: (ORDER[f.status], -f.amount_fen, f.policy.code, f.holder))


def _fits_of(entity: str, base, names: dict[int, str], codes, rows, saved, with_explanations: bool) -> list[PolicyFit]:
    """The fit of every published policy of `entity` in force over the loaded base (one row per id). `saved`:
    the saved entitlements by policy code (one holder) or by "code:pk" (several)."""
    out = []
    for code, policy in packs.bundled().items():
        if (policy.beneficiary != entity or code not in rows or not in_force(policy, base.as_of)
                or not _covers(policy, codes)):
            continue
        comp = evaluate(policy, base, with_conditions=True)
        for index, fit in enumerate(fits(policy, comp)):
            pk = int(base.ids[index])
            several = len(names) > 1 or entity == "person"
            row = PolicyFit(rows[code], fit.status, fit.amount_fen,
                            entitlements=saved.get(f"{code}:{pk}" if several else code, []),
                            holder=names.get(pk, "") if entity == "person" else "")
            if fit.status == ENTITLED and with_explanations:
                for due in comp.dues:
                    if due.beneficiary[1] == pk:
                        row.explanations.append(_explained(policy, comp, due, names.get(pk, "")))
            for m in fit.missing if fit.status != NOT_APPLICABLE else ():  # entitled: its other items' gaps
                row.missing.append(Condition(m.condition, m.label, m.gap_fen,
                                             _citations(policy, comp, pk, m.condition) if with_explanations else []))
            for m in fit.reasons:
                label = m.label or _("Already received in full.")
                cites = _citations(policy, comp, pk, m.condition) if with_explanations and m.label else []
                row.reasons.append(Condition(m.condition, label, None, cites))
            out.append(row)
    return out


def operator_fits(user, organisation_id: int, as_of: datetime.date | None = None, *,
                  with_explanations: bool = True) -> list[PolicyFit]:
    """Every published operator policy in force whose region covers the carrier operator (registered there)."""
    _role_may_view(user, Organisation)
    organisation = Organisation.objects.restrict(user, "view").filter(pk=organisation_id).first()
    if organisation is None:
        raise Http404(_("No such organisation in your scope."))
    as_of = as_of or default_as_of()
    base = load_base("operator", as_of, ids=[organisation.pk], with_payouts=True)
    saved: dict[str, list[Entitlement]] = {}
    for e in (Entitlement.objects.restrict(user).filter(operator=organisation).select_related("policy")
              .order_by("period", "pk")):
        saved.setdefault(e.policy.code, []).append(e)
    out = _fits_of("operator", base, {organisation.pk: organisation.name}, (organisation.region_id,),
                   published_rows(as_of), saved, with_explanations)
    return sorted(out, key=lambda f: (ORDER[f.status], -f.amount_fen, f.policy.code))


def carrier_fits(user, carrier_id: int, as_of: datetime.date | None = None) -> list[PolicyFit]:
    """A carrier's published carrier policies in force: entitled now (amounts and explanations) or not (the
    engine's explanation of the first item, which says which test failed)."""
    _role_may_view(user, Carrier)
    carrier = Carrier.objects.restrict(user, "view").filter(pk=carrier_id).first()
    if carrier is None:
        raise Http404(_("No such carrier in your scope."))
    as_of = as_of or timezone.localdate()
    rows = published_rows(as_of)
    codes = (carrier.region_id, carrier.administering_region_id)
    out = []
    for code, policy in packs.bundled().items():
        if policy.firm_level or code not in rows or not in_force(policy, as_of) or not _covers(policy, codes):
            continue
        comp = compute(code, as_of, carrier_ids=[carrier.pk])
        dues = [d for d in comp.dues if d.carrier_id == carrier.pk]
        if dues:
            row = PolicyFit(rows[code], ENTITLED, sum(d.amount_fen for d in dues))
            for due in dues:
                row.explanations.append(_explained(policy, comp, due, carrier.name))
        else:
            first = policy.rules[0]
            trace = explain(policy.pack, "carrier", carrier.pk, comp.population, first, as_of)
            why = explain_sentence(policy.pack, trace.to_json(), _lang(), name=carrier.name, money=fmt.money,
                                   word=glossary.word)  # a sentence, not the engine's trace
            row = PolicyFit(rows[code], NOT_APPLICABLE, reasons=[Condition(first, why.text)])
        out.append(row)
    return sorted(out, key=lambda f: (ORDER[f.status], -f.amount_fen, f.policy.code))
