"""The payout ledger: append-only. A correction is a reversing entry, never an update or a delete.

Enforced three times: `save`/`delete` here, the queryset's `update`/`delete`, and in the database
(PostgreSQL and SQLite) by the triggers core.append_only installs for `append_only = True`, which reject
UPDATE, DELETE and TRUNCATE from any client, the base manager and raw SQL included.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fuhua.core.models import FuhuaModel
from fuhua.core.scoping import RestrictedQuerySet, Scope


class LedgerError(Exception):
    """A write that would change or remove a ledger row."""


class PayoutKind(models.TextChoices):
    PAYMENT = "payment", _("payment")
    REVERSAL = "reversal", _("reversal (correction)")
    RECOVERY = "recovery", _("recovery (clawback)")


class LedgerQuerySet(RestrictedQuerySet):
    def update(self, **kwargs):
        raise LedgerError("the payout ledger is append-only: add a reversing entry instead of updating")

    def delete(self):
        raise LedgerError("the payout ledger is append-only: add a reversing entry instead of deleting")


class Payout(FuhuaModel):
    policy = models.ForeignKey("policies.Policy", on_delete=models.PROTECT, related_name="payouts",
                               verbose_name=_("policy"))
    carrier = models.ForeignKey("registry.Carrier", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="payouts", verbose_name=_("carrier"))
    firm = models.ForeignKey("registry.Firm", null=True, blank=True, on_delete=models.PROTECT, related_name="payouts",
                             verbose_name=_("firm"))
    team = models.ForeignKey("registry.StartupTeam", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="payouts", verbose_name=_("start-up team"))
    operator = models.ForeignKey("registry.Organisation", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="payouts", verbose_name=_("carrier operator"))
    person = models.ForeignKey("registry.Founder", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="payouts", verbose_name=_("person"))
    entitlement = models.ForeignKey("policies.Entitlement", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="payouts", verbose_name=_("entitlement"))
    # Unique per policy and carrier: the entitlement key for a payment (so it is paid once), a derived
    # key for reversals and recoveries. Two concurrent payment runs collide here, not in the bank.
    key = models.CharField(_("entitlement key"), max_length=160)
    kind = models.CharField(_("kind"), max_length=10, choices=PayoutKind.choices, default=PayoutKind.PAYMENT)
    group = models.CharField(_("ledger group"), max_length=60)
    period = models.PositiveSmallIntegerField(_("period (year)"))
    budget_year = models.PositiveSmallIntegerField(_("budget year"))
    region_code = models.CharField(_("region code"), max_length=6, db_index=True)
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    reverses = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by",
                                 verbose_name=_("reverses"))
    paid_on = models.DateField(_("paid on"))
    reference = models.CharField(_("reference"), max_length=80, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")  # who paid: an account with ledger rows cannot be deleted

    objects = LedgerQuerySet.as_manager()
    scope = Scope(region="policy__region", operator=("carrier__operator_id", "operator_id"),
                  firm=("firm_id", "person__firm_id"))
    append_only = True  # database triggers (core.append_only)

    class Meta:
        ordering = ["-paid_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "carrier", "key"], name="payout_once_per_entitlement_key",
                                    condition=models.Q(firm__isnull=True, team__isnull=True, operator__isnull=True,
                                                       person__isnull=True)),
            models.UniqueConstraint(fields=["policy", "firm", "key"], name="payout_once_per_firm_key",
                                    condition=models.Q(firm__isnull=False)),
            models.UniqueConstraint(fields=["policy", "team", "key"], name="payout_once_per_team_key",
                                    condition=models.Q(team__isnull=False)),
            models.UniqueConstraint(fields=["policy", "operator", "key"], name="payout_once_per_operator_key",
                                    condition=models.Q(operator__isnull=False)),
            models.UniqueConstraint(fields=["policy", "person", "key"], name="payout_once_per_person_key",
                                    condition=models.Q(person__isnull=False)),
            models.CheckConstraint(
                condition=models.Q(kind="payment", amount_fen__gt=0)
                | (~models.Q(kind="payment") & models.Q(amount_fen__lt=0)),
                name="payout_sign_matches_kind"),
        ]
        indexes = [models.Index(fields=["policy", "budget_year"], name="payout_policy_year_idx")]
        verbose_name = _("payout")
        verbose_name_plural = _("payouts")

    def __str__(self):
        holder = self.firm or self.team or self.operator or self.person or self.carrier
        return f"{self.get_kind_display()} {holder} {self.key} {self.amount_fen / 100:,.2f}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise LedgerError("the payout ledger is append-only: add a reversing entry instead of updating")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise LedgerError("the payout ledger is append-only: add a reversing entry instead of deleting")
