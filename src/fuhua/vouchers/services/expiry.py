"""Time-driven steps, run daily by the scheduled task (tasks.expire_vouchers) as the system actor, or by
`fuhua vouchers expire`: orders not confirmed in time are cancelled (their vouchers freed), deliveries not
accepted or disputed in time are deemed accepted, and held vouchers past their validity lapse, their value
returning to the batch."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from ..models import Order, OrderStatus, Voucher, VoucherStatus
from ..workflow import ORDER_WORKFLOW, VOUCHER_WORKFLOW
from .common import require, today
from .orders import accept, cancel_order
from .programmes import return_value


@dataclass
class ExpiryResult:
    cancelled: int = 0
    accepted: int = 0
    lapsed: int = 0
    returned_fen: int = 0


def expire(user, on: datetime.date | None = None, batch=None) -> ExpiryResult:
    """Take every overdue step up to `on` (today); each step in its own transaction."""
    day = today(on)
    result = ExpiryResult()
    orders = Order.objects.restrict(user, "view")
    vouchers = Voucher.objects.restrict(user, "view")
    if batch is not None:
        orders, vouchers = orders.filter(voucher__batch=batch), vouchers.filter(batch=batch)
    for order in orders.filter(status=OrderStatus.PLACED, confirm_by__lt=day):
        cancel_order(user, order, _("Not confirmed by the provider by %(day)s.") % {"day": order.confirm_by})
        result.cancelled += 1
    for order in orders.filter(status=OrderStatus.DELIVERED, accept_by__lt=day):
        if ORDER_WORKFLOW.may(user, order, "accept"):
            accept(user, order, on=day)
            result.accepted += 1
    for voucher in vouchers.filter(status=VoucherStatus.HELD, valid_until__lt=day).select_related("batch__programme"):
        result.returned_fen += lapse(user, voucher, day)
        result.lapsed += 1
    return result


@transaction.atomic
def lapse(user, voucher: Voucher, on: datetime.date | None = None) -> int:
    """An expired, unused voucher lapses; its face value returns to the batch. Returns the value returned."""
    voucher = Voucher.objects.select_for_update().select_related("batch__programme").get(pk=voucher.pk)
    require(user, "view", voucher)
    voucher.lapsed_on = today(on)
    voucher.returned_fen = voucher.face_value_fen
    VOUCHER_WORKFLOW.apply(user, voucher, "lapse", reason=_("Unused after %(day)s.") % {"day": voucher.valid_until},
                           on=on)
    return_value(voucher.batch, voucher.face_value_fen)
    return voucher.face_value_fen


__all__ = ["ExpiryResult", "expire", "lapse"]
