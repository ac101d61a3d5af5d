"""Innovation vouchers (创新券): programmes from rule packs, batches, pre-allocated voucher slots, vouchers,
orders of catalogue services, delivery evidence, redemptions, the append-only settlement ledger, audits.

The claim rush (see README.md): a batch's budget is cut into `Slot` rows when the batch is published. A
claim takes the first free slot with `SELECT … FOR UPDATE SKIP LOCKED` (PostgreSQL), so concurrent claims
each lock a different row instead of queueing on one counter; the per-firm limits are checked under a
transaction-scoped advisory lock on the firm. On SQLite writes are serialised (IMMEDIATE transactions).

Money is integer fen. The budget of a batch reconciles to the fen (services.budget):
    budget = free slots + held + in use (ordered … redeemed) + settled + clawed back + returned pool
where value released by a lapsed voucher or the unused part of a settled one goes to the batch's returned
pool (`Batch.returned_fen`), from which new full-value slots are cut.

Scoping: a firm sees its own vouchers and orders and the programmes of its region; a provider (the
`organisation` dimension) the orders of its products and the vouchers behind them; a bureau everything of
programmes in its region and below. Statuses change only through `vouchers.workflow`.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fuhua.core.models import FuhuaModel
from fuhua.core.scoping import RestrictedQuerySet, Scope

EVIDENCE_EXTENSIONS = ("pdf", "jpg", "jpeg", "png", "docx", "xlsx", "zip")
MAX_EVIDENCE_BYTES = 20 * 1024 * 1024

# Firms registered in the programme's region or below (a region has at most two levels beneath it).
_FIRMS_UNDER = ("region__firms", "region__children__firms", "region__children__children__firms")
_ORGS_UNDER = ("region__organisation", "region__children__organisation",
               "region__children__children__organisation")


def validate_evidence(file) -> None:
    """Delivery evidence: common document formats, at most 20 MB (views check the size first: core.uploads)."""
    extension = file.name.rsplit(".", 1)[-1].lower() if "." in file.name else ""
    if extension not in EVIDENCE_EXTENSIONS:
        raise ValidationError(_("Upload a %(kinds)s file.") % {"kinds": ", ".join(EVIDENCE_EXTENSIONS)})
    if file.size > MAX_EVIDENCE_BYTES:
        raise ValidationError(_("An evidence file may be at most 20 MB."))


class VoucherProgramme(FuhuaModel):
    """A voucher programme as its rule pack states it (vouchers/packs/<code>.yaml), synced by `setup`."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    title = models.CharField(_("title"), max_length=200)
    issuer = models.CharField(_("issuer"), max_length=120)
    document_number = models.CharField(_("document"), max_length=120, blank=True)
    region = models.ForeignKey("registry.Region", on_delete=models.PROTECT, related_name="voucher_programmes",
                               verbose_name=_("region"))
    pack_version = models.DateField(_("pack version (in force from)"))
    illustrative = models.BooleanField(_("illustrative programme (demo)"), default=False)

    scope = Scope(region="region", firm=_FIRMS_UNDER, organisation=_ORGS_UNDER)

    class Meta:
        ordering = ["code"]
        verbose_name = _("voucher programme")
        verbose_name_plural = _("voucher programmes")

    def __str__(self):
        return self.title


class BatchStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    PUBLISHED = "published", _("published")
    CLOSED = "closed", _("closed")


class Batch(FuhuaModel):
    """One issue (期) of a programme: its budget cut into slots of one face value, open for claims in a window."""

    programme = models.ForeignKey(VoucherProgramme, on_delete=models.PROTECT, related_name="batches",
                                  verbose_name=_("programme"))
    number = models.PositiveSmallIntegerField(_("batch number"))
    title = models.CharField(_("title"), max_length=200)
    budget_fen = models.BigIntegerField(_("budget (fen)"))
    face_value_fen = models.BigIntegerField(_("face value (fen)"))
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    status = models.CharField(_("status"), max_length=12, choices=BatchStatus.choices, default=BatchStatus.DRAFT,
                              editable=False, db_index=True)
    # Value returned by lapsed vouchers and the unused part of settled ones, not yet cut into new slots.
    returned_fen = models.BigIntegerField(_("returned, not yet re-issued (fen)"), default=0, editable=False)
    reissued_fen = models.BigIntegerField(_("re-issued from returns (fen)"), default=0, editable=False)

    scope = Scope(region="programme__region", firm=tuple(f"programme__{p}" for p in _FIRMS_UNDER),
                  organisation=tuple(f"programme__{p}" for p in _ORGS_UNDER))

    class Meta:
        ordering = ["programme", "number"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], name="voucher_batch_number_unique"),
            models.CheckConstraint(condition=Q(budget_fen__gt=0) & Q(face_value_fen__gt=0),
                                   name="voucher_batch_amounts_positive"),
        ]
        verbose_name = _("voucher batch")
        verbose_name_plural = _("voucher batches")

    def __str__(self):
        return f"{self.programme.title} · {self.title}"

    def clean(self):
        errors = {}
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            errors["closes_at"] = _("A batch closes after it opens.")
        if self.budget_fen and self.face_value_fen and self.face_value_fen > self.budget_fen:
            errors["face_value_fen"] = _("The face value is larger than the whole budget.")
        if errors:
            raise ValidationError(errors)


class Slot(FuhuaModel):
    """One pre-allocated voucher of a batch: taken by exactly one claim (`taken`, then its voucher).

    Not a status: a slot is free or taken, written only by services.claims in the claiming transaction."""

    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="slots", verbose_name=_("batch"))
    face_value_fen = models.BigIntegerField(_("face value (fen)"))
    taken = models.BooleanField(_("taken"), default=False, editable=False)
    reissue = models.BooleanField(_("re-issued from returned value"), default=False, editable=False)

    scope = Scope(region="batch__programme__region")

    class Meta:
        ordering = ["batch", "id"]
        # Only the free slots, in claim order: a take leaves the index (no entry for taken slots to step over
        # or to write), so the claim's pick reads one short range however far the batch has drained.
        indexes = [models.Index(fields=["batch", "id"], condition=Q(taken=False), name="voucher_slot_free_part_idx")]
        verbose_name = _("voucher slot")
        verbose_name_plural = _("voucher slots")

    def __str__(self):
        return f"{self.batch_id}#{self.pk}"


class VoucherStatus(models.TextChoices):
    HELD = "held", _("held")
    IN_USE = "in_use", _("in use")
    SETTLED = "settled", _("settled")
    LAPSED = "lapsed", _("lapsed")


class Voucher(FuhuaModel):
    """A voucher a firm claimed: its slot's face value, valid for the programme's days after the claim."""

    slot = models.OneToOneField(Slot, on_delete=models.PROTECT, related_name="voucher", verbose_name=_("slot"))
    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="vouchers", verbose_name=_("batch"))
    firm = models.ForeignKey("registry.Firm", on_delete=models.PROTECT, related_name="vouchers",
                             verbose_name=_("firm"))
    face_value_fen = models.BigIntegerField(_("face value (fen)"))
    status = models.CharField(_("status"), max_length=10, choices=VoucherStatus.choices, default=VoucherStatus.HELD,
                              editable=False, db_index=True)
    claimed_at = models.DateTimeField(_("claimed at"))
    valid_until = models.DateField(_("valid until"))
    # The client's key of the claim request: a retry with the same key finds this voucher, never a second one.
    idempotency_key = models.CharField(_("request key"), max_length=64)
    claimed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", editable=False)
    settled_fen = models.BigIntegerField(_("settled (fen)"), default=0, editable=False)
    returned_fen = models.BigIntegerField(_("returned to the batch (fen)"), default=0, editable=False)
    lapsed_on = models.DateField(_("lapsed on"), null=True, blank=True, editable=False)

    scope = Scope(region="batch__programme__region", firm="firm",
                  organisation="orders__provider__organisation_id")

    class Meta:
        ordering = ["-claimed_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["firm", "idempotency_key"], name="voucher_claim_key_once_per_firm"),
            models.CheckConstraint(condition=Q(face_value_fen__gt=0), name="voucher_face_value_positive"),
        ]
        indexes = [models.Index(fields=["firm", "status"], name="voucher_firm_status_idx"),
                   models.Index(fields=["status", "valid_until"], name="voucher_expiry_idx")]
        verbose_name = _("voucher")
        verbose_name_plural = _("vouchers")

    def __str__(self):
        return f"{self.batch.programme.title} #{self.pk}"


class EligibilityCheck(FuhuaModel):
    """A firm's eligibility for a programme on one day, from the pack (the claim reads it; `setup` and the
    first claim of the day compute it): answered at once in the rush, explained with the rule's citation."""

    programme = models.ForeignKey(VoucherProgramme, on_delete=models.CASCADE, related_name="eligibility",
                                  verbose_name=_("programme"))
    firm = models.ForeignKey("registry.Firm", on_delete=models.CASCADE, related_name="voucher_eligibility",
                             verbose_name=_("firm"))
    as_of = models.DateField(_("as of"))
    eligible = models.BooleanField(_("eligible"))
    reason = models.CharField(_("reason"), max_length=500, blank=True)

    scope = Scope(region="programme__region", firm="firm")

    class Meta:
        ordering = ["-as_of", "id"]
        constraints = [models.UniqueConstraint(fields=["programme", "firm", "as_of"],
                                               name="voucher_eligibility_once_a_day")]
        verbose_name = _("eligibility check")
        verbose_name_plural = _("eligibility checks")

    def __str__(self):
        return f"{self.firm_id} @ {self.as_of}: {self.eligible}"


class OrderStatus(models.TextChoices):
    PLACED = "placed", _("placed")
    CONFIRMED = "confirmed", _("confirmed")
    DELIVERED = "delivered", _("delivered")
    DISPUTED = "disputed", _("disputed")
    ACCEPTED = "accepted", _("accepted")
    REDEEMING = "redeeming", _("redemption applied")
    REDEEMED = "redeemed", _("redemption approved")
    SETTLED = "settled", _("settled")
    DECLINED = "declined", _("declined")
    CANCELLED = "cancelled", _("cancelled")


ACTIVE_ORDER = (OrderStatus.PLACED, OrderStatus.CONFIRMED, OrderStatus.DELIVERED, OrderStatus.DISPUTED,
                OrderStatus.ACCEPTED, OrderStatus.REDEEMING, OrderStatus.REDEEMED, OrderStatus.SETTLED)


class Order(FuhuaModel):
    """A firm's order of one catalogue product paid with one voucher: the price is frozen when ordered and the
    voucher covers what the programme's co-pay rule allows (`covered_fen`); the firm pays the rest."""

    voucher = models.ForeignKey(Voucher, on_delete=models.PROTECT, related_name="orders", verbose_name=_("voucher"))
    firm = models.ForeignKey("registry.Firm", on_delete=models.PROTECT, related_name="voucher_orders",
                             verbose_name=_("firm"))
    product = models.ForeignKey("marketplace.Product", on_delete=models.PROTECT, related_name="voucher_orders",
                                verbose_name=_("service product"))
    provider = models.ForeignKey("marketplace.Provider", on_delete=models.PROTECT, related_name="voucher_orders",
                                 verbose_name=_("service provider"))
    category_code = models.CharField(_("service category"), max_length=40, editable=False)
    product_name = models.CharField(_("product"), max_length=120, editable=False)
    price_fen = models.BigIntegerField(_("price at order time (fen)"), editable=False)
    covered_fen = models.BigIntegerField(_("covered by the voucher (fen)"), editable=False)
    firm_pays_fen = models.BigIntegerField(_("paid by the firm (fen)"), editable=False)
    copay_note = models.CharField(_("co-payment rule applied"), max_length=300, blank=True, editable=False)
    note = models.CharField(_("note"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=OrderStatus.choices, default=OrderStatus.PLACED,
                              editable=False, db_index=True)
    placed_at = models.DateTimeField(_("placed at"), editable=False)
    confirm_by = models.DateField(_("provider confirms by"), editable=False)
    deliver_by = models.DateField(_("delivery due by"), null=True, blank=True, editable=False)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True, editable=False)
    accept_by = models.DateField(_("firm accepts by"), null=True, blank=True, editable=False)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True, editable=False)
    delivery_note = models.TextField(_("delivery note"), max_length=2000, blank=True, editable=False)
    dispute_reason = models.CharField(_("dispute"), max_length=500, blank=True, editable=False)
    status_reason = models.CharField(_("reason"), max_length=500, blank=True, editable=False)

    scope = Scope(region="voucher__batch__programme__region", firm="firm",
                  organisation="provider__organisation_id")

    class Meta:
        ordering = ["-placed_at", "-id"]
        constraints = [
            # A voucher pays for one order at a time (declined and cancelled orders free it again).
            models.UniqueConstraint(fields=["voucher"], condition=Q(status__in=[str(s) for s in ACTIVE_ORDER]),
                                    name="voucher_one_active_order"),
            models.CheckConstraint(condition=Q(covered_fen__gte=0) & Q(firm_pays_fen__gte=0) & Q(price_fen__gt=0),
                                   name="voucher_order_amounts"),
        ]
        indexes = [models.Index(fields=["provider", "status"], name="voucher_order_provider_idx")]
        verbose_name = _("voucher order")
        verbose_name_plural = _("voucher orders")

    def __str__(self):
        return f"{self.product_name} · {self.firm}"


class DeliveryEvidence(FuhuaModel):
    """A file the provider attaches to prove delivery (a report, a filing receipt, a test certificate)."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="evidence", verbose_name=_("order"))
    title = models.CharField(_("title"), max_length=120)
    file = models.FileField(_("file"), upload_to="vouchers/evidence/%Y/", validators=[validate_evidence])
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", editable=False)

    scope = Scope(region="order__voucher__batch__programme__region", firm="order__firm",
                  organisation="order__provider__organisation_id")

    class Meta:
        ordering = ["id"]
        verbose_name = _("delivery evidence")
        verbose_name_plural = _("delivery evidence")

    def __str__(self):
        return self.title


class RedemptionStatus(models.TextChoices):
    APPLIED = "applied", _("applied")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")
    SETTLED = "settled", _("settled")


class Redemption(FuhuaModel):
    """A provider's application to redeem the voucher part of an accepted order; the bureau reviews in batches."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="redemptions", verbose_name=_("order"))
    provider = models.ForeignKey("marketplace.Provider", on_delete=models.PROTECT, related_name="voucher_redemptions",
                                 verbose_name=_("service provider"))
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    status = models.CharField(_("status"), max_length=10, choices=RedemptionStatus.choices,
                              default=RedemptionStatus.APPLIED, editable=False, db_index=True)
    applied_at = models.DateTimeField(_("applied at"), editable=False)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True, editable=False)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", editable=False)
    review_note = models.CharField(_("review note"), max_length=500, blank=True, editable=False)

    scope = Scope(region="order__voucher__batch__programme__region", firm="order__firm",
                  organisation="provider__organisation_id")

    class Meta:
        ordering = ["-applied_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["order"], condition=~Q(status="rejected"),
                                    name="voucher_one_live_redemption_per_order"),
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="voucher_redemption_amount_positive"),
        ]
        verbose_name = _("redemption")
        verbose_name_plural = _("redemptions")

    def __str__(self):
        return f"{self.order} · {self.amount_fen / 100:,.2f}"


class LedgerError(Exception):
    """A write that would change or remove a settlement ledger row."""


class EntryKind(models.TextChoices):
    PAYMENT = "payment", _("payment")
    REVERSAL = "reversal", _("reversal (correction)")
    CLAWBACK = "clawback", _("clawback (audit finding)")


class LedgerQuerySet(RestrictedQuerySet):
    def update(self, **kwargs):
        raise LedgerError("the settlement ledger is append-only: add a reversing entry instead of updating")

    def delete(self):
        raise LedgerError("the settlement ledger is append-only: add a reversing entry instead of deleting")


class SettlementEntry(FuhuaModel):
    """The settlement ledger: append-only (model, queryset and database triggers: core.append_only).

    A payment to the provider for an approved redemption; a correction is a reversing entry; an audit finding
    claws back with a negative entry. `key` is unique: a redemption is paid once, reversed once."""

    programme = models.ForeignKey(VoucherProgramme, on_delete=models.PROTECT, related_name="ledger",
                                  verbose_name=_("programme"))
    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="ledger", verbose_name=_("batch"))
    voucher = models.ForeignKey(Voucher, on_delete=models.PROTECT, related_name="ledger", verbose_name=_("voucher"))
    redemption = models.ForeignKey(Redemption, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="ledger", verbose_name=_("redemption"))
    provider = models.ForeignKey("marketplace.Provider", on_delete=models.PROTECT, related_name="voucher_ledger",
                                 verbose_name=_("service provider"))
    firm = models.ForeignKey("registry.Firm", on_delete=models.PROTECT, related_name="voucher_ledger",
                             verbose_name=_("firm"))
    key = models.CharField(_("entry key"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=EntryKind.choices, default=EntryKind.PAYMENT)
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    reverses = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by",
                                 verbose_name=_("reverses"))
    paid_on = models.DateField(_("paid on"))
    reference = models.CharField(_("reference"), max_length=80, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    objects = LedgerQuerySet.as_manager()
    scope = Scope(region="programme__region", firm="firm", organisation="provider__organisation_id")
    append_only = True  # database triggers (core.append_only)

    class Meta:
        ordering = ["-paid_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind="payment", amount_fen__gt=0)
                                   | (~Q(kind="payment") & Q(amount_fen__lt=0)),
                                   name="voucher_entry_sign_matches_kind"),
        ]
        indexes = [models.Index(fields=["batch", "kind"], name="voucher_entry_batch_idx")]
        verbose_name = _("settlement entry")
        verbose_name_plural = _("settlement ledger")

    def __str__(self):
        return f"{self.get_kind_display()} {self.key} {self.amount_fen / 100:,.2f}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise LedgerError("the settlement ledger is append-only: add a reversing entry instead of updating")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise LedgerError("the settlement ledger is append-only: add a reversing entry instead of deleting")


class AuditSample(FuhuaModel):
    """A reproducible random sample of a programme's settled redemptions: the same seed and population draw
    the same redemptions again (services.audits.draw); its size is at least the programme's rate."""

    programme = models.ForeignKey(VoucherProgramme, on_delete=models.PROTECT, related_name="audit_samples",
                                  verbose_name=_("programme"))
    seed = models.BigIntegerField(_("random seed"))
    rate_percent = models.DecimalField(_("sample rate (%)"), max_digits=5, decimal_places=2)
    population_size = models.PositiveIntegerField(_("redemptions in the population"))
    drawn_on = models.DateField(_("drawn on"))
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", editable=False)
    population_ids = models.JSONField(_("population (redemption ids)"), default=list, editable=False)

    scope = Scope(region="programme__region")

    class Meta:
        ordering = ["-drawn_on", "-id"]
        verbose_name = _("audit sample")
        verbose_name_plural = _("audit samples")

    def __str__(self):
        return gettext("%(programme)s, drawn %(day)s (random seed %(seed)s)") % {
            "programme": self.programme.title, "day": self.drawn_on.isoformat(), "seed": self.seed}


class AuditItemStatus(models.TextChoices):
    PENDING = "pending", _("to check")
    PASSED = "passed", _("no finding")
    FINDING = "finding", _("finding, clawed back")


class AuditItem(FuhuaModel):
    """One sampled redemption and the auditor's finding; a finding claws back through the ledger."""

    sample = models.ForeignKey(AuditSample, on_delete=models.PROTECT, related_name="items", verbose_name=_("sample"))
    redemption = models.ForeignKey(Redemption, on_delete=models.PROTECT, related_name="audit_items",
                                   verbose_name=_("redemption"))
    status = models.CharField(_("status"), max_length=10, choices=AuditItemStatus.choices,
                              default=AuditItemStatus.PENDING, editable=False, db_index=True)
    finding = models.CharField(_("finding"), max_length=500, blank=True, editable=False)
    clawback_fen = models.BigIntegerField(_("clawed back (fen)"), default=0, editable=False)

    scope = Scope(region="sample__programme__region", organisation="redemption__provider__organisation_id")

    class Meta:
        ordering = ["sample", "id"]
        constraints = [models.UniqueConstraint(fields=["sample", "redemption"], name="voucher_audit_item_once")]
        verbose_name = _("audit item")
        verbose_name_plural = _("audit items")

    def __str__(self):
        return f"{self.sample} · {self.redemption_id}"
