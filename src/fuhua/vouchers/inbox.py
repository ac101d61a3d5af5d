"""The voucher items of the dashboard's inbox, one COUNT each, each opening a list filtered the same way:
firms (vouchers expiring within 14 days, deliveries to accept), providers (orders to confirm, deliveries
due within 7 days, redemptions rejected), bureaus (redemptions to review, approved ones to settle, sampled
redemptions still to audit). Registered from VouchersConfig.ready()."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy

from fuhua.accounts.roles import Role
from fuhua.core.inbox import register_inbox_item

from .models import AuditItem, AuditItemStatus, Order, OrderStatus, Redemption, RedemptionStatus, Voucher, VoucherStatus

EXPIRING_DAYS = 14  # a held voucher "expires soon" within two weeks
DUE_DAYS = 7  # a confirmed order's delivery is "due" within a week (or overdue)
BUREAUS = {Role.BUREAU, Role.ADMIN}


def _list(name: str, **params) -> str:
    return f"{reverse(name)}?{urlencode(params, doseq=True)}"


def expiring(user, today: datetime.date):
    return Voucher.objects.restrict(user).filter(status=VoucherStatus.HELD, valid_until__gte=today,
                                                 valid_until__lte=today + datetime.timedelta(days=EXPIRING_DAYS))


def register() -> None:
    register_inbox_item(
        "vouchers.expiring", gettext_lazy("vouchers to use before they expire (within 14 days)"), {Role.FIRM},
        count=lambda user, today: expiring(user, today).count(),
        url=lambda user, today: _list("vouchers:voucher_list", status=VoucherStatus.HELD,
                                      expiring_by=(today + datetime.timedelta(days=EXPIRING_DAYS)).isoformat()),
        order=30)
    register_inbox_item(
        "vouchers.accept", gettext_lazy("deliveries to accept or dispute"), {Role.FIRM},
        count=lambda user, today: Order.objects.restrict(user).filter(status=OrderStatus.DELIVERED).count(),
        url=lambda user, today: _list("vouchers:order_list", status=OrderStatus.DELIVERED), order=31)
    register_inbox_item(
        "vouchers.confirm", gettext_lazy("voucher orders to confirm"), {Role.SERVICE_PROVIDER},
        count=lambda user, today: Order.objects.restrict(user).filter(status=OrderStatus.PLACED).count(),
        url=lambda user, today: _list("vouchers:order_list", status=OrderStatus.PLACED), order=30)
    register_inbox_item(
        "vouchers.due", gettext_lazy("voucher orders to deliver within 7 days"), {Role.SERVICE_PROVIDER},
        count=lambda user, today: Order.objects.restrict(user).filter(
            status__in=(OrderStatus.CONFIRMED, OrderStatus.DISPUTED),
            deliver_by__lte=today + datetime.timedelta(days=DUE_DAYS)).count(),
        url=lambda user, today: _list("vouchers:order_list", status=[OrderStatus.CONFIRMED, OrderStatus.DISPUTED],
                                      due_by=(today + datetime.timedelta(days=DUE_DAYS)).isoformat()), order=31)
    register_inbox_item(
        "vouchers.rejected", gettext_lazy("voucher redemptions rejected"), {Role.SERVICE_PROVIDER},
        count=lambda user, today: Redemption.objects.restrict(user).filter(status=RedemptionStatus.REJECTED).count(),
        url=lambda user, today: _list("vouchers:redemption_list", status=RedemptionStatus.REJECTED), order=32)
    register_inbox_item(
        "vouchers.review", gettext_lazy("voucher redemptions to review"), BUREAUS,
        count=lambda user, today: Redemption.objects.restrict(user).filter(status=RedemptionStatus.APPLIED).count(),
        url=lambda user, today: _list("vouchers:redemption_list", status=RedemptionStatus.APPLIED), order=30)
    register_inbox_item(
        "vouchers.settle", gettext_lazy("approved voucher redemptions to settle"), BUREAUS,
        count=lambda user, today: Redemption.objects.restrict(user).filter(status=RedemptionStatus.APPROVED).count(),
        url=lambda user, today: _list("vouchers:redemption_list", status=RedemptionStatus.APPROVED), order=31)
    register_inbox_item(
        "vouchers.audit", gettext_lazy("sampled voucher redemptions to audit"), BUREAUS,
        count=lambda user, today: AuditItem.objects.restrict(user).filter(status=AuditItemStatus.PENDING).count(),
        url=lambda user, today: _list("vouchers:audititem_list", status=AuditItemStatus.PENDING), order=32)
