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

from .models import Entitlement, EntitlementStatus
from .population import population_reused
from .services import confirm, pay, run_entitlements, sync_policies

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
