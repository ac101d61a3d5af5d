"""Calls and entitlements as workflows (data); applications in application_workflow.py, above the services.

Entitlements (免申即享): a run
creates them `proposed` (or `clawback` for a revoked recognition's money); the beneficiary confirms the
payment details; the budget queue moves them between `proposed`/`confirmed` and `queued`; the ledger pays
(`paid`), reverses (back to `confirmed`) and recovers clawbacks; a run cancels what is no longer due.

Bureau-only steps are guarded by the right to change the policy (operators may only view it); the
deadlines are guards too: no submission after the call's deadline, no payment before the notice ends.
"""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fuhua.core.scoping import check
from fuhua.core.workflow import ALLOWED, Decision, Transition, Workflow, conflict, forbidden

from .models import CallStatus as C
from .models import Confirmation
from .models.entitlement import EntitlementStatus as E


def _today(on=None, **kw) -> datetime.date:
    return on or timezone.localdate()


def policy_bureau(user, policy) -> Decision:
    """Bureau-only steps: the right to change the policy (remembered on the policy object for bulk steps)."""
    memo = policy.__dict__.setdefault("_fuhua_may_change", {})
    key = getattr(user, "pk", None) if not getattr(user, "is_superuser", False) else "superuser"
    if key not in memo:
        memo[key] = bool(check(user, "change", policy))
    return ALLOWED if memo[key] else forbidden(_("Only the policy's bureau staff take this step."))


def _call_bureau(user, call, **kw) -> Decision:
    return policy_bureau(user, call.policy)


CALL_WORKFLOW = Workflow("status", model="policies.Call", transitions=[
    Transition("publish", gettext_lazy("publish"), frozenset({C.DRAFT}), C.PUBLISHED, guards=(_call_bureau,)),
    Transition("close", gettext_lazy("close"), frozenset({C.PUBLISHED}), C.CLOSED, guards=(_call_bureau,)),
])


# --- entitlements ------------------------------------------------------------------------------------


def has_confirmation(entitlement) -> bool:
    """Payment details on file (services that already know set `_confirmed` to spare a query per row)."""
    known = entitlement.__dict__.get("_confirmed")
    if known is None:
        known = Confirmation.objects.filter(entitlement_id=entitlement.pk).exists()
    return known


def _entitlement_bureau(user, entitlement, **kw) -> Decision:
    return policy_bureau(user, entitlement.policy)


def _beneficiary(user, entitlement, **kw) -> Decision:
    decision = check(user, "change", entitlement)  # the carrier's operator (and the platform admin)
    return ALLOWED if decision else forbidden(decision.reason)


def _not_yet_confirmed(user, entitlement, **kw) -> Decision:
    if has_confirmation(entitlement):
        return conflict(_("The payment details of this entitlement are already confirmed."))
    return _beneficiary(user, entitlement)


def _confirmed(user, entitlement, **kw) -> Decision:
    if not has_confirmation(entitlement):
        return conflict(_("The payment details of this entitlement are not confirmed yet."))
    return _entitlement_bureau(user, entitlement)


def _unconfirmed(user, entitlement, **kw) -> Decision:
    if has_confirmation(entitlement):
        return conflict(_("The payment details of this entitlement are confirmed."))
    return _entitlement_bureau(user, entitlement)


PAYABLE = frozenset({E.PROPOSED, E.QUEUED, E.CONFIRMED})

# Who moves an entitlement is decided per step by its guards (the beneficiary confirms; the policy's bureau
# queues, pays, cancels, recovers), so the workflow itself asks only that the user can see it.
ENTITLEMENT_WORKFLOW = Workflow("status", model="policies.Entitlement", action="view", transitions=[
    # The beneficiary gives the payment details: a proposed entitlement becomes payable; a queued one stays
    # in the queue with its details on file (released as confirmed when the budget reaches it).
    Transition("confirm", gettext_lazy("confirm the payment details"), frozenset({E.PROPOSED}), E.CONFIRMED,
               guards=(_not_yet_confirmed,)),
    Transition("confirm_queued", gettext_lazy("confirm the payment details"), frozenset({E.QUEUED}), E.QUEUED,
               guards=(_not_yet_confirmed,)),
    # An application's approval (公示 over) is the confirmation: the bureau awards the amount.
    Transition("award", gettext_lazy("award after the application's notice"), frozenset({E.PROPOSED}),
               E.CONFIRMED, needs_reason=True, guards=(_entitlement_bureau,)),
    # The budget queue (recomputed by every run and payment, in the pack's priority order).
    Transition("queue", gettext_lazy("queue (budget used up)"), frozenset({E.PROPOSED, E.CONFIRMED}), E.QUEUED,
               guards=(_entitlement_bureau,)),
    Transition("release", gettext_lazy("release from the queue"), frozenset({E.QUEUED}), E.PROPOSED,
               guards=(_unconfirmed,)),
    Transition("release_confirmed", gettext_lazy("release from the queue"), frozenset({E.QUEUED}), E.CONFIRMED,
               guards=(_confirmed,)),
    # The ledger.
    Transition("pay", gettext_lazy("pay"), frozenset({E.CONFIRMED}), E.PAID, guards=(_entitlement_bureau,)),
    Transition("reopen", gettext_lazy("payable again after a reversal"), frozenset({E.PAID}), E.CONFIRMED,
               needs_reason=True, guards=(_entitlement_bureau,)),
    Transition("cancel", gettext_lazy("cancel (no longer due)"), frozenset(PAYABLE), E.CANCELLED,
               needs_reason=True, guards=(_entitlement_bureau,)),
    Transition("recover", gettext_lazy("record the recovery"), frozenset({E.CLAWBACK}), E.RECOVERED,
               guards=(_entitlement_bureau,)),
])
