"""Redemption and settlement: the provider applies (at most the voucher's part of the order, within the
programme's window), the bureau reviews in batches, settlement writes the append-only ledger; a correction
is a reversing entry. Each step locks the order row, so two redemptions of one voucher cannot both pass."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from fuhua.core.context import acting_for
from fuhua.core.exceptions import Conflict
from fuhua.core.system import as_db_user

from ..models import EntryKind, Order, OrderStatus, Redemption, SettlementEntry, Voucher
from ..workflow import ORDER_WORKFLOW, REDEMPTION_WORKFLOW, VOUCHER_WORKFLOW
from .common import require, terms, today, yuan
from .programmes import return_value


@transaction.atomic
def apply_redemption(user, order: Order, amount_fen: int | None = None, on: datetime.date | None = None
                     ) -> Redemption:
    """The provider applies to redeem the voucher's part of an accepted order (default: all of it)."""
    require(user, "add", Redemption)
    order = Order.objects.select_for_update().select_related("voucher__batch__programme", "provider").get(pk=order.pk)
    require(user, "view", order)
    amount = order.covered_fen if amount_fen is None else amount_fen
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise ValidationError({"amount_fen": _("The amount to redeem must be a positive number of fen.")})
    if amount > order.covered_fen:
        raise ValidationError({"amount_fen": _("%(amount)s yuan is more than the %(covered)s yuan the voucher covers "
                                               "for this order.") % {"amount": yuan(amount),
                                                                     "covered": yuan(order.covered_fen)}})
    if order.status == OrderStatus.ACCEPTED and order.accepted_at is not None:
        t = terms(order.voucher.batch.programme, today(on))
        last = timezone.localdate(order.accepted_at) + datetime.timedelta(days=t.redemption_window_days)
        if today(on) > last:
            raise Conflict(_("The redemption window closed on %(day)s (%(days)s days after acceptance, %(source)s).")
                           % {"day": last.isoformat(), "days": t.redemption_window_days,
                              "source": t.cite("redemption_window_days")})
    ORDER_WORKFLOW.can(user, order, "apply_redemption").raise_if_refused()
    with acting_for(user):
        redemption = Redemption(order=order, provider=order.provider, amount_fen=amount, applied_at=timezone.now())
        redemption.full_clean(validate_constraints=False)
        try:
            with transaction.atomic():
                redemption.save()
        except IntegrityError:
            raise Conflict(_("A redemption of this order is already under way.")) from None
        ORDER_WORKFLOW.apply(user, order, "apply_redemption")
    return redemption


def _locked(redemption: Redemption) -> Redemption:
    return Redemption.objects.select_for_update().select_related(
        "order__voucher__batch__programme", "provider").get(pk=redemption.pk)


@transaction.atomic
def review(user, redemptions, approve: bool, note: str = "") -> list[Redemption]:
    """The bureau approves (or rejects, with a reason) a batch of applied redemptions: all or nothing."""
    done = []
    for item in redemptions:
        redemption = _locked(item)
        redemption.reviewed_at, redemption.reviewed_by = timezone.now(), as_db_user(user)
        redemption.review_note = (note or "")[:500]
        REDEMPTION_WORKFLOW.apply(user, redemption, "approve" if approve else "reject", reason=note)
        order = Order.objects.select_for_update().get(pk=redemption.order_id)
        ORDER_WORKFLOW.apply(user, order, "redemption_approved" if approve else "redemption_rejected", reason=note)
        done.append(redemption)
    return done


@transaction.atomic
def settle(user, redemptions, reference: str = "", on: datetime.date | None = None) -> list[SettlementEntry]:
    """Pay approved redemptions: one ledger payment each (its key makes a second payment impossible); the
    voucher is settled and the part of its face value not redeemed returns to the batch."""
    require(user, "add", SettlementEntry)
    entries = []
    for item in redemptions:
        redemption = _locked(item)
        REDEMPTION_WORKFLOW.can(user, redemption, "settle").raise_if_refused()
        order = Order.objects.select_for_update().get(pk=redemption.order_id)
        voucher = Voucher.objects.select_for_update().select_related("batch__programme").get(pk=order.voucher_id)
        with acting_for(user):
            try:
                with transaction.atomic():
                    entry = SettlementEntry.objects.create(
                        programme=voucher.batch.programme, batch=voucher.batch, voucher=voucher, redemption=redemption,
                        provider_id=redemption.provider_id, firm_id=order.firm_id, key=f"redemption:{redemption.pk}",
                        kind=EntryKind.PAYMENT, amount_fen=redemption.amount_fen, paid_on=today(on),
                        reference=reference[:80], created_by=as_db_user(user))
            except IntegrityError:
                raise Conflict(_("Redemption %(pk)s has already been paid.") % {"pk": redemption.pk}) from None
            REDEMPTION_WORKFLOW.apply(user, redemption, "settle", reason=reference)
            ORDER_WORKFLOW.apply(user, order, "settle", reason=reference)
            voucher.settled_fen = redemption.amount_fen
            voucher.returned_fen = voucher.face_value_fen - redemption.amount_fen
            VOUCHER_WORKFLOW.apply(user, voucher, "settle", reason=reference)
            return_value(voucher.batch, voucher.returned_fen)
        entries.append(entry)
    return entries


def net_paid(redemption: Redemption) -> int:
    """What the ledger paid for a redemption after reversals and clawbacks."""
    payment = SettlementEntry.objects.filter(redemption=redemption)
    return payment.aggregate(s=Sum("amount_fen"))["s"] or 0


@transaction.atomic
def reverse_entry(user, entry: SettlementEntry, reason: str) -> SettlementEntry:
    """Correct a payment with a reversing entry (the ledger is append-only)."""
    require(user, "change", entry)
    require(user, "add", SettlementEntry)
    if entry.kind != EntryKind.PAYMENT:
        raise Conflict(_("Only a payment can be reversed."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the payment is reversed.")})
    with acting_for(user):
        try:
            with transaction.atomic():
                return SettlementEntry.objects.create(
                    programme=entry.programme, batch=entry.batch, voucher=entry.voucher, redemption=entry.redemption,
                    provider=entry.provider, firm=entry.firm, key=f"{entry.key}:reversal", kind=EntryKind.REVERSAL,
                    amount_fen=-entry.amount_fen, reverses=entry, paid_on=today(), reason=reason[:300],
                    created_by=as_db_user(user))
        except IntegrityError:
            raise Conflict(_("This payment has already been reversed.")) from None


__all__ = ["apply_redemption", "net_paid", "reverse_entry", "review", "settle"]
