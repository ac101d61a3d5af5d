"""Demo entitlements: the 免申即享 runs of the Suzhou and Taicang policies over the demo province as of the end
of the last complete year. Half of the beneficiaries have confirmed their payment details and been paid;
some confirmed after the payment batch (the bureau's next payments); the rest still have to confirm (the
operators' work). Written by the system actor, like the rest of the demo data."""

from __future__ import annotations

import datetime

from fuhua.core.context import acting_as
from fuhua.core.demo import DemoRun
from fuhua.core.exceptions import Conflict
from fuhua.core.system import SYSTEM
from fuhua.registry.demo.calibration import OPERATOR_CARRIER
from fuhua.registry.models import Carrier, Firm, FirmDesignation

from .models import Entitlement, EntitlementStatus, Policy
from .population import population_reused
from .services import confirm, give_feedback, pay, publish, run_entitlements, sync_policies

POLICIES = ("suzhou-2020-carriers", "suzhou-2022-action-plan", "taicang-2021-carriers")


def _confirm(code: str, every: int, offset: int = 0) -> int:
    """The beneficiaries of every `every`-th proposed entitlement confirm their bank account (as on their pages)."""
    waiting = (Entitlement.objects.filter(policy__code=code, status=EntitlementStatus.PROPOSED)
               .select_related("carrier__operator").order_by("pk"))
    chosen = [e for i, e in enumerate(waiting) if i % every == offset]
    for e in chosen:
        confirm(SYSTEM, e, {"account_name": e.carrier.operator.name[:120], "bank_name": "中国工商银行苏州分行",
                          "account_number": f"62220211020{e.pk:08d}"})
    return len(chosen)


def load_policies(run: DemoRun) -> None:
    sync_policies()
    as_of = datetime.date(run.last_year, 12, 31)
    paid_on = min(run.today, datetime.date(run.today.year, 3, 31))
    run.begin(len(POLICIES))
    with acting_as(None, source="demo"), population_reused():
        for code in POLICIES:
            computed = run_entitlements(SYSTEM, code, as_of)
            confirmed = _confirm(code, every=2)
            try:
                paid = pay(SYSTEM, code, as_of.year, paid_on=paid_on, reference=f"DEMO-{as_of.year}")
                n_paid, paid_fen = len(paid.paid), paid.total_fen
            except Conflict:  # no budget for that year in the pack
                n_paid, paid_fen = 0, 0
            to_pay = _confirm(code, every=3)
            run.advance()
            run.note(f"policy {code}: {computed.created} entitlements, {computed.total_fen / 100:,.0f} yuan due; "
                     f"{confirmed + to_pay} confirmed, {n_paid} paid ({paid_fen / 100:,.0f} yuan), "
                     f"{to_pay} awaiting payment")


# Firm-level policies: published (and so computed and notified) as of the demo's today, except the first-
# financing reward, which the Suzhou bureau is still weighing: bureau_sz sees its reach before publishing.
FIRM_POLICIES = ("suzhou-2022-high-tech-reward", "suzhou-2022-srdi-reward", "jiangning-2020-rd-reward",
                 "jiangsu-2021-student-teams", "suzhou-2021-brand-operators", "jiangsu-2021-phd-founders")
UNPUBLISHED = "suzhou-2022-first-financing"
BANKS = ("中国工商银行", "中国建设银行", "中国银行", "招商银行", "江苏银行")


def demo_firm() -> Firm | None:
    """The firm of the demo account `firm` (demo/accounts.py picks it the same way: the first tenant of the
    flagship Suzhou incubator), so that its user finds an entitlement to confirm and a near miss."""
    carrier = Carrier.objects.filter(name=OPERATOR_CARRIER).first()
    if carrier is None:
        return None
    return (Firm.objects.filter(incubations__carrier=carrier, incubations__status="incubating")
            .order_by("id").first())


def _newly_designated(firm: Firm, as_of: datetime.date) -> str:
    """The demo's story: the demo firm was recognised 高新技术企业 in the year paid now — or, when it held that
    title before, designated 专精特新 — so that its user finds a reward to confirm. Returns the designation."""
    for kind, prefix in (("high_tech", "GR"), ("srdi", "ZJTX")):
        held = FirmDesignation.objects.filter(firm=firm, kind=kind, granted_on__lte=as_of)
        if held.filter(granted_on__lt=datetime.date(as_of.year, 1, 1)).exists():
            continue
        if not held.exists():
            granted = datetime.date(as_of.year, 11, 15)
            FirmDesignation.objects.create(firm=firm, kind=kind, granted_on=granted,
                                           expires_on=datetime.date(granted.year + 3, granted.month, 14),
                                           certificate_number=f"{prefix}{granted.year}32{firm.pk:06d}")
        return kind
    return ""


def _firm_bank(e: Entitlement, i: int) -> dict:
    """Its own account for a firm, an operator or a person; a team's is its host operator's."""
    holder = e.firm or e.operator or e.person or e.carrier.operator
    place = e.firm or e.operator or (e.person and e.person.venture) or e.holder
    bank = BANKS[i % len(BANKS)]
    return {"account_name": holder.name[:120], "bank_name": bank, "branch": f"{bank}{place.region.name}支行",
            "account_number": f"3201{e.pk:012d}"}


def load_firm_policies(run: DemoRun) -> None:
    sync_policies()
    as_of = datetime.date(run.last_year, 12, 31)  # the completed year the rewards are for, paid this year
    paid_on = min(run.today, datetime.date(run.today.year, 3, 31))
    firm = demo_firm()
    run.begin(len(FIRM_POLICIES) + 1)
    with acting_as(None, source="demo"):
        if firm is not None:
            kind = _newly_designated(firm, as_of)
            run.note(f"the demo firm {firm.name}: newly designated {kind or 'nothing (held both before)'} "
                     f"in {as_of.year}")
        operator = Carrier.objects.filter(name=OPERATOR_CARRIER).values_list("operator_id", flat=True).first()
        for code in FIRM_POLICIES:
            done = publish(SYSTEM, code, as_of)
            # the demo firm (its own and its founders' entitlements) and the demo operator confirm themselves
            waiting = Entitlement.objects.filter(policy__code=code, status=EntitlementStatus.PROPOSED)
            if firm is not None:
                waiting = waiting.exclude(firm=firm).exclude(person__firm=firm)
            if operator is not None:
                waiting = waiting.exclude(operator_id=operator)
            waiting = list(waiting.select_related(
                "firm__region", "team__region", "carrier__operator", "operator__region", "person__firm__region",
                "person__team__region").order_by("pk"))
            for i, e in enumerate(waiting):
                if i % 3 != 2:  # two in three confirm their account; the rest still have to
                    confirm(SYSTEM, e, _firm_bank(e, i))
            try:
                paid = pay(SYSTEM, code, as_of.year, paid_on=paid_on, reference=f"DEMO-F-{as_of.year}")
                n_paid, paid_fen = len(paid.paid), paid.total_fen
            except Conflict:
                n_paid, paid_fen = 0, 0
            rated = 0
            for i, e in enumerate(Entitlement.objects.filter(policy__code=code, status=EntitlementStatus.PAID)
                                  .order_by("pk")):
                if i % 2 == 0:  # half of the paid beneficiaries answer the feedback form
                    give_feedback(SYSTEM, e, {"rating": 5 - (i // 2) % 3, "paid_on_time": i % 6 != 4,
                                              "no_paperwork": True, "comment": ""})
                    rated += 1
            run.advance()
            run.note(f"firm policy {code}: {done['entitlements']} entitlements, {done['total_fen'] / 100:,.0f} yuan "
                     f"due; {done['close']} one condition away; {n_paid} paid ({paid_fen / 100:,.0f} yuan), "
                     f"{rated} rated")
        row = Policy.objects.get(code=UNPUBLISHED)
        run.note(f"firm policy {UNPUBLISHED}: not published (bureau_sz sees its reach: {row.pk})")
        run.advance()
