"""The voucher workflows (data): batches, vouchers, orders, redemptions, audit items.

Who takes a step is decided per step by its guards (the firm that holds the voucher, the provider the order
is placed with, the programme's bureau, or the platform itself: `core.system.SYSTEM` for the scheduled
expiry and deemed acceptance), so the workflows of vouchers, orders, redemptions and audit items ask only
that the user can see the object. Deadlines are guards too: a provider confirms by `confirm_by`, a firm
disputes by `accept_by`, a provider applies for redemption within the programme's window.

The services (`vouchers.services`) validate the input first and call `apply`; nothing else writes a status.
"""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fuhua.core.permissions import policy
from fuhua.core.scoping import check
from fuhua.core.workflow import ALLOWED, Decision, Transition, Workflow, conflict, forbidden

from .models import AuditItemStatus as A
from .models import BatchStatus as B
from .models import DeliveryEvidence
from .models import OrderStatus as O
from .models import RedemptionStatus as R
from .models import VoucherStatus as V

PROVIDER_ROLE, FIRM_ROLE = "service_provider", "firm"


def _today(on=None) -> datetime.date:
    return on or timezone.localdate()


def _grants(user, role: str) -> list:
    if getattr(user, "is_superuser", False):
        return []
    return [g for g in policy().grants_of(user) if g.role == role]


def is_firm_of(user, firm_id) -> bool:
    """The user acts for this firm (a firm grant for it), or is the platform (superuser, SYSTEM)."""
    return bool(getattr(user, "is_superuser", False)) or any(g.firm_id == firm_id for g in _grants(user, FIRM_ROLE))


def is_provider_of(user, provider) -> bool:
    """The user acts for this provider's organisation, or is the platform."""
    return bool(getattr(user, "is_superuser", False)) or any(
        g.organisation_id == provider.organisation_id for g in _grants(user, PROVIDER_ROLE))


def is_bureau_of(user, programme) -> bool:
    """The programme's bureau: may change the programme (its region or above), or the platform."""
    return bool(check(user, "change", programme))


def _bureau(user, obj, **kw) -> Decision:
    programme = programme_of(obj)
    return ALLOWED if is_bureau_of(user, programme) else forbidden(_("Only the programme's bureau takes this step."))


def programme_of(obj):
    from .models import AuditItem, Batch, Order, Redemption, Voucher

    if isinstance(obj, Batch):
        return obj.programme
    if isinstance(obj, Voucher):
        return obj.batch.programme
    if isinstance(obj, Order):
        return obj.voucher.batch.programme
    if isinstance(obj, Redemption):
        return obj.order.voucher.batch.programme
    if isinstance(obj, AuditItem):
        return obj.sample.programme
    raise TypeError(type(obj))


# --- batches -----------------------------------------------------------------------------------------

BATCH_WORKFLOW = Workflow("status", model="vouchers.Batch", transitions=[
    Transition("publish", gettext_lazy("publish (cut the budget into vouchers)"), frozenset({B.DRAFT}), B.PUBLISHED,
               guards=(_bureau,)),
    Transition("close", gettext_lazy("close"), frozenset({B.PUBLISHED}), B.CLOSED, needs_reason=True,
               guards=(_bureau,)),
])


# --- vouchers ----------------------------------------------------------------------------------------


def _holder(user, voucher, **kw) -> Decision:
    if is_firm_of(user, voucher.firm_id):
        return ALLOWED
    return forbidden(_("Only the firm holding the voucher uses it."))


def _holder_provider_or_bureau(user, voucher, order=None, **kw) -> Decision:
    if is_firm_of(user, voucher.firm_id) or is_bureau_of(user, voucher.batch.programme):
        return ALLOWED
    if order is not None and is_provider_of(user, order.provider):
        return ALLOWED
    return forbidden(_("Only the firm, the provider of its order or the bureau frees this voucher."))


def _still_valid(user, voucher, on=None, **kw) -> Decision:
    if voucher.valid_until < _today(on):
        return conflict(_("This voucher expired on %(day)s.") % {"day": voucher.valid_until.isoformat()})
    return ALLOWED


def _expired(user, voucher, on=None, **kw) -> Decision:
    if voucher.valid_until >= _today(on):
        return conflict(_("This voucher is valid until %(day)s.") % {"day": voucher.valid_until.isoformat()})
    return ALLOWED


def _voucher_bureau(user, voucher, **kw) -> Decision:
    return _bureau(user, voucher)


VOUCHER_WORKFLOW = Workflow("status", model="vouchers.Voucher", action="view", transitions=[
    Transition("use", gettext_lazy("use for an order"), frozenset({V.HELD}), V.IN_USE,
               guards=(_holder, _still_valid)),
    Transition("release", gettext_lazy("free again (order declined or cancelled)"), frozenset({V.IN_USE}), V.HELD,
               guards=(_holder_provider_or_bureau,)),
    Transition("settle", gettext_lazy("settle"), frozenset({V.IN_USE}), V.SETTLED, guards=(_voucher_bureau,)),
    Transition("lapse", gettext_lazy("lapse (expired unused)"), frozenset({V.HELD}), V.LAPSED,
               guards=(_voucher_bureau, _expired)),
])


# --- orders ------------------------------------------------------------------------------------------


def _order_firm(user, order, **kw) -> Decision:
    return ALLOWED if is_firm_of(user, order.firm_id) else forbidden(_("Only the firm that placed the order "
                                                                      "takes this step."))


def _order_provider(user, order, **kw) -> Decision:
    if not is_provider_of(user, order.provider):
        return forbidden(_("Only the provider the order is placed with takes this step."))
    return ALLOWED


def _provider_listed(user, order, **kw) -> Decision:
    provider = order.provider
    if provider.status != "listed":
        return conflict(_("The provider %(provider)s is %(status)s: its voucher orders are on hold.") % {
            "provider": provider.name, "status": provider.get_status_display()})
    return ALLOWED


def _confirm_in_time(user, order, on=None, **kw) -> Decision:
    if _today(on) > order.confirm_by:
        return conflict(_("The order had to be confirmed by %(day)s.") % {"day": order.confirm_by.isoformat()})
    return ALLOWED


def _has_evidence(user, order, **kw) -> Decision:
    if not DeliveryEvidence.objects.filter(order=order).exists():
        return Decision(False, _("Attach the delivery evidence first (a report, receipt or certificate)."),
                        "invalid", "evidence")
    return ALLOWED


def _before_accept_deadline(user, order, on=None, **kw) -> Decision:
    if order.accept_by and _today(on) > order.accept_by:
        return conflict(_("The delivery counts as accepted since %(day)s.") % {"day": order.accept_by.isoformat()})
    return ALLOWED


def _firm_or_deemed(user, order, on=None, **kw) -> Decision:
    """The firm accepts; after its deadline the platform deems the delivery accepted."""
    if getattr(user, "is_superuser", False) and not getattr(user, "pk", None):  # the system actor
        if order.accept_by and _today(on) <= order.accept_by:
            return conflict(_("The firm may still accept or dispute until %(day)s.") % {
                "day": order.accept_by.isoformat()})
        return ALLOWED
    return _order_firm(user, order)


def _cancel_actor(user, order, **kw) -> Decision:
    if is_firm_of(user, order.firm_id) or is_bureau_of(user, order.voucher.batch.programme):
        return ALLOWED
    return forbidden(_("Only the firm or the bureau cancels an order."))


def _order_bureau(user, order, **kw) -> Decision:
    return _bureau(user, order)


ORDER_WORKFLOW = Workflow("status", model="vouchers.Order", action="view", transitions=[
    Transition("confirm", gettext_lazy("confirm the order"), frozenset({O.PLACED}), O.CONFIRMED,
               guards=(_order_provider, _provider_listed, _confirm_in_time)),
    Transition("decline", gettext_lazy("decline the order"), frozenset({O.PLACED}), O.DECLINED, needs_reason=True,
               guards=(_order_provider,)),
    Transition("cancel", gettext_lazy("cancel the order"), frozenset({O.PLACED, O.CONFIRMED}), O.CANCELLED,
               needs_reason=True, guards=(_cancel_actor,)),
    Transition("deliver", gettext_lazy("record the delivery"), frozenset({O.CONFIRMED, O.DISPUTED}), O.DELIVERED,
               guards=(_order_provider, _provider_listed, _has_evidence)),
    Transition("accept", gettext_lazy("accept the delivery"), frozenset({O.DELIVERED}), O.ACCEPTED,
               guards=(_firm_or_deemed,)),
    Transition("dispute", gettext_lazy("dispute the delivery"), frozenset({O.DELIVERED}), O.DISPUTED,
               needs_reason=True, guards=(_order_firm, _before_accept_deadline)),
    Transition("apply_redemption", gettext_lazy("apply for redemption"), frozenset({O.ACCEPTED}), O.REDEEMING,
               guards=(_order_provider, _provider_listed)),
    Transition("redemption_approved", gettext_lazy("redemption approved"), frozenset({O.REDEEMING}), O.REDEEMED,
               guards=(_order_bureau,)),
    Transition("redemption_rejected", gettext_lazy("redemption rejected"), frozenset({O.REDEEMING}), O.ACCEPTED,
               needs_reason=True, guards=(_order_bureau,)),
    Transition("settle", gettext_lazy("settle"), frozenset({O.REDEEMED}), O.SETTLED, guards=(_order_bureau,)),
])


# --- redemptions and audits --------------------------------------------------------------------------


def _redemption_bureau(user, redemption, **kw) -> Decision:
    return _bureau(user, redemption)


REDEMPTION_WORKFLOW = Workflow("status", model="vouchers.Redemption", action="view", transitions=[
    Transition("approve", gettext_lazy("approve"), frozenset({R.APPLIED}), R.APPROVED, guards=(_redemption_bureau,)),
    Transition("reject", gettext_lazy("reject"), frozenset({R.APPLIED}), R.REJECTED, needs_reason=True,
               guards=(_redemption_bureau,)),
    Transition("settle", gettext_lazy("settle"), frozenset({R.APPROVED}), R.SETTLED, guards=(_redemption_bureau,)),
])


def _audit_bureau(user, item, **kw) -> Decision:
    return _bureau(user, item)


AUDIT_ITEM_WORKFLOW = Workflow("status", model="vouchers.AuditItem", action="view", transitions=[
    Transition("pass", gettext_lazy("no finding"), frozenset({A.PENDING}), A.PASSED, guards=(_audit_bureau,)),
    Transition("find", gettext_lazy("record a finding and claw back"), frozenset({A.PENDING}), A.FINDING,
               needs_reason=True, guards=(_audit_bureau,)),
])
