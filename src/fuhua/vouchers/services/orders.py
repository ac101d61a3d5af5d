"""Orders paid with a voucher: place (price frozen, co-payment computed from the pack), confirm or decline
(provider), cancel (firm or bureau), attach evidence and deliver (provider), accept or dispute (firm), rate."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fuhua.core.context import acting_for
from fuhua.core.exceptions import Conflict
from fuhua.core.system import as_db_user
from fuhua.core.uploads import human_size
from fuhua.marketplace import services as marketplace
from fuhua.marketplace.models import Product

from ..models import MAX_EVIDENCE_BYTES, DeliveryEvidence, Order, OrderStatus, Voucher, validate_evidence
from ..packs import Terms
from ..workflow import ORDER_WORKFLOW, VOUCHER_WORKFLOW, is_firm_of, is_provider_of
from .common import require, share, terms, today, yuan

RATEABLE = (OrderStatus.ACCEPTED, OrderStatus.REDEEMING, OrderStatus.REDEEMED, OrderStatus.SETTLED)


def copay(t: Terms, price_fen: int, face_fen: int) -> tuple[int, int, str]:
    """(covered by the voucher, paid by the firm, the rule in words): a price up to `copay_full_below` is fully
    covered; above it the voucher covers that amount plus `copay_share` of the rest; never more than the face
    value. All in fen, rounded half up."""
    if price_fen <= t.copay_full_below:
        covered = price_fen
        rule = _("up to %(limit)s yuan fully covered (%(source)s)") % {
            "limit": yuan(t.copay_full_below), "source": t.cite("copay_full_below")}
    else:
        covered = t.copay_full_below + share(price_fen - t.copay_full_below, t.copay_share)
        rule = _("%(limit)s yuan plus %(share)s%% of the rest covered (%(source)s)") % {
            "limit": yuan(t.copay_full_below), "share": f"{t.copay_share * 100:g}", "source": t.cite("copay_share")}
    if covered > face_fen:
        covered = face_fen
        rule += _("; limited to the face value %(face)s yuan") % {"face": yuan(face_fen)}
    return covered, price_fen - covered, rule


@transaction.atomic
def place_order(user, voucher: Voucher, product: Product, *, note: str = "", on: datetime.date | None = None) -> Order:
    """The firm spends a held voucher on a published catalogue product of an eligible category."""
    require(user, "add", Order)
    voucher = Voucher.objects.select_for_update().select_related("batch__programme", "firm").get(pk=voucher.pk)
    require(user, "view", voucher)
    VOUCHER_WORKFLOW.can(user, voucher, "use", on=on).raise_if_refused()
    if not Product.objects.restrict(user, "view").filter(pk=product.pk).exists():
        raise ValidationError({"product": _("No such service product in the catalogue.")})
    product = Product.objects.select_related("provider__organisation", "category").get(pk=product.pk)
    marketplace.is_orderable(product, on).raise_if_refused()
    programme = voucher.batch.programme
    t = terms(programme, today(on))
    if product.category.code not in t.eligible_categories:
        raise ValidationError({"product": _("%(category)s is not a service this voucher pays for (%(source)s).") % {
            "category": product.category.label, "source": t.cite("eligible_categories")}})
    if not marketplace.accepts_programme(product, programme.code):
        raise ValidationError({"product": _("%(product)s does not accept %(programme)s.") % {
            "product": product.name, "programme": programme.title}})
    covered, firm_pays, rule = copay(t, product.price_fen, voucher.face_value_fen)
    now = timezone.now()
    with acting_for(user):
        order = Order(voucher=voucher, firm=voucher.firm, product=product, provider=product.provider,
                      category_code=product.category.code, product_name=product.name, price_fen=product.price_fen,
                      covered_fen=covered, firm_pays_fen=firm_pays, copay_note=rule[:300], note=note[:500],
                      placed_at=now, confirm_by=today(on) + datetime.timedelta(days=t.confirm_days))
        order.full_clean()
        try:
            with transaction.atomic():
                order.save()
        except IntegrityError:
            raise Conflict(_("This voucher already pays for another order.")) from None
        VOUCHER_WORKFLOW.apply(user, voucher, "use", reason=_("Order %(pk)s: %(product)s") % {
            "pk": order.pk, "product": product.name}, on=on)
    return order


def _locked(order: Order) -> Order:
    return Order.objects.select_for_update().select_related("voucher__batch__programme", "provider__organisation",
                                                            "firm").get(pk=order.pk)


def _release(user, order: Order, reason: str) -> None:
    voucher = Voucher.objects.select_for_update().get(pk=order.voucher_id)
    VOUCHER_WORKFLOW.apply(user, voucher, "release", reason=reason, order=order)


@transaction.atomic
def confirm_order(user, order: Order, on: datetime.date | None = None) -> Order:
    order = _locked(order)
    order.deliver_by = today(on) + datetime.timedelta(days=order.product.delivery_days)
    return ORDER_WORKFLOW.apply(user, order, "confirm", on=on)


@transaction.atomic
def decline_order(user, order: Order, reason: str) -> Order:
    order = _locked(order)
    order.status_reason = (reason or "")[:500]
    ORDER_WORKFLOW.apply(user, order, "decline", reason=reason)
    _release(user, order, reason)
    return order


@transaction.atomic
def cancel_order(user, order: Order, reason: str) -> Order:
    order = _locked(order)
    order.status_reason = (reason or "")[:500]
    ORDER_WORKFLOW.apply(user, order, "cancel", reason=reason)
    _release(user, order, reason)
    return order


DELIVERABLE = (OrderStatus.CONFIRMED, OrderStatus.DISPUTED)


@transaction.atomic
def add_evidence(user, order: Order, title: str, file, request=None) -> DeliveryEvidence:
    """The provider attaches a delivery evidence file (before delivering, or after a dispute)."""
    order = _locked(order)
    if not is_provider_of(user, order.provider):
        raise PermissionDenied(_("Only the provider the order is placed with attaches delivery evidence."))
    require(user, "add", DeliveryEvidence)
    if order.status not in DELIVERABLE:
        raise Conflict(_("Evidence is attached to a confirmed or disputed order."))
    if file is None:
        raise ValidationError({"file": _("Choose the evidence file.")})
    if getattr(file, "size", 0) > MAX_EVIDENCE_BYTES:
        raise ValidationError({"file": _("%(name)s is %(size)s, more than the %(max)s allowed here.") % {
            "name": file.name, "size": human_size(file.size), "max": human_size(MAX_EVIDENCE_BYTES)}})
    validate_evidence(file)
    with acting_for(user):
        evidence = DeliveryEvidence(order=order, title=(title or file.name)[:120], file=file,
                                    uploaded_by=as_db_user(user))
        evidence.full_clean()
        evidence.save()
    return evidence


@transaction.atomic
def deliver(user, order: Order, note: str = "", on: datetime.date | None = None) -> Order:
    """The provider records the delivery (evidence required); the firm accepts or disputes by `accept_by`."""
    order = _locked(order)
    t = terms(order.voucher.batch.programme, today(on))
    order.delivered_at = timezone.now()
    order.accept_by = today(on) + datetime.timedelta(days=t.accept_days)
    order.delivery_note = (note or "")[:2000]
    return ORDER_WORKFLOW.apply(user, order, "deliver", on=on)


@transaction.atomic
def accept(user, order: Order, on: datetime.date | None = None) -> Order:
    order = _locked(order)
    # Accepted on the given day (a demo's or a test's simulated day; the redemption window runs from it).
    order.accepted_at = timezone.now() if on is None else timezone.make_aware(
        datetime.datetime.combine(on, datetime.time(12, 0)))
    return ORDER_WORKFLOW.apply(user, order, "accept", on=on)


@transaction.atomic
def dispute(user, order: Order, reason: str, on: datetime.date | None = None) -> Order:
    order = _locked(order)
    order.dispute_reason = (reason or "")[:500]
    return ORDER_WORKFLOW.apply(user, order, "dispute", reason=reason, on=on)


def rate_order(user, order: Order, score, comment: str = ""):
    """The firm rates the delivered service (once per order), through the marketplace's ratings."""
    require(user, "view", order)
    if order.status not in RATEABLE:
        raise Conflict(_("A service is rated after its delivery is accepted."))
    if not is_firm_of(user, order.firm_id):
        raise PermissionDenied(_("Only the firm that placed the order rates it."))
    return marketplace.rate(user, order.product, order.firm, score, comment, source=f"vouchers.order:{order.pk}")


__all__ = ["accept", "add_evidence", "cancel_order", "confirm_order", "copay", "decline_order", "deliver", "dispute",
           "place_order", "rate_order"]
