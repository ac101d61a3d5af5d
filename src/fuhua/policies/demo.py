"""Demo entitlements: the 2025 免申即享 runs of the Suzhou and Taicang policies over the demo province,
with part of them confirmed and paid through the ledger. Written by the system (no user), like the
rest of the demo data."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from fuhua.core.context import acting_as

from .models import Confirmation, Entitlement, EntitlementStatus
from .services import pay, run_entitlements, sync_policies

AS_OF = datetime.date(2025, 12, 31)
POLICIES = ("suzhou-2020-carriers", "suzhou-2022-action-plan", "taicang-2021-carriers")


def _confirm_every_other(code: str) -> int:
    """The demo beneficiaries confirm half of their entitlements (as operators would on their pages)."""
    waiting = Entitlement.objects.filter(policy__code=code, status=EntitlementStatus.PROPOSED).order_by("pk")
    chosen = [e for i, e in enumerate(waiting.select_related("carrier__operator")) if i % 2 == 0]
    for e in chosen:
        Confirmation.objects.create(entitlement=e, account_name=e.carrier.operator.name[:120],
                                    bank_name="中国工商银行苏州分行", account_number=f"62220211020{e.pk:08d}")
        e.status = EntitlementStatus.CONFIRMED
        e.save(update_fields=["status", "updated_at"])
    return len(chosen)


def load_policies(progress: Callable[[str], object] = print) -> None:
    sync_policies()
    with acting_as(None, source="demo"):
        for code in POLICIES:
            run = run_entitlements(None, code, AS_OF)
            confirmed = _confirm_every_other(code)
            paid = pay(None, code, AS_OF.year, paid_on=AS_OF, reference="DEMO-2025")
            progress(f"  policy {code}: {run.created} entitlements, {run.total_fen / 100:,.0f} yuan due; "
                     f"{confirmed} confirmed, {len(paid.paid)} paid ({paid.total_fen / 100:,.0f} yuan)")
