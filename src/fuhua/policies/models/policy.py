from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from fuhua.core.glossary import STATUSES
from fuhua.core.models import FuhuaModel
from fuhua.core.scoping import Scope

from .entitlement import BeneficiaryKind


class Policy(FuhuaModel):
    """A published policy, mirrored from its pack (policies/packs/<code>.yaml) by `services.sync`."""

    code = models.CharField(_("code"), max_length=60, unique=True)  # the pack id
    title = models.CharField(_("title"), max_length=200)
    document_number = models.CharField(_("document number (文号)"), max_length=80, blank=True)
    issuer = models.CharField(_("issuing authority"), max_length=100, blank=True)
    region = models.ForeignKey("registry.Region", on_delete=models.PROTECT, verbose_name=_("region"))
    needs_application = models.BooleanField(_("needs an application"), default=False)
    effective_from = models.DateField(_("in force from"))
    effective_to = models.DateField(_("in force until"), null=True, blank=True)
    # Who the policy pays (the pack's `beneficiary`): carrier, firm or start-up team.
    beneficiary = models.CharField(_("beneficiary"), max_length=10, choices=BeneficiaryKind.choices,
                                   default=BeneficiaryKind.CARRIER, editable=False)
    # Firm-level policies are announced by the bureau (services.push.publish), after it has seen their reach;
    # until then firms do not see them among the policies that fit them. Carrier policies: from the pack.
    published_on = models.DateField(_("published on"), null=True, blank=True, editable=False)

    # Policies are public information; bureau staff of the region manage runs and payments.
    scope = Scope(region="region", public=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("policy")
        verbose_name_plural = _("policies")

    def __str__(self):
        return f"{self.title}（{self.document_number}）" if self.document_number else self.title


class Budget(FuhuaModel):
    """One policy's budget for one year. Payments lock this row (select_for_update) to serialise."""

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="budgets", verbose_name=_("policy"))
    year = models.PositiveSmallIntegerField(_("year"))
    amount_fen = models.BigIntegerField(_("budget (fen)"))

    scope = Scope(region="policy__region")

    class Meta:
        ordering = ["policy", "-year"]
        constraints = [models.UniqueConstraint(fields=["policy", "year"], name="unique_budget_per_year")]
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")

    def __str__(self):
        return f"{self.policy.code} {self.year}: {self.amount_fen / 100:,.2f}"

    def clean(self):
        if self.amount_fen is not None and self.amount_fen < 0:
            raise ValidationError({"amount_fen": _("A budget cannot be negative.")})


class CallStatus(models.TextChoices):
    DRAFT = "draft", STATUSES["call_status"]["draft"]
    PUBLISHED = "published", STATUSES["call_status"]["published"]
    CLOSED = "closed", STATUSES["call_status"]["closed"]


class Call(FuhuaModel):
    """A call for applications (申报通知) under a policy that still needs them."""

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="calls", verbose_name=_("policy"))
    title = models.CharField(_("title"), max_length=200)
    opens_on = models.DateField(_("opens"))
    closes_on = models.DateField(_("deadline"))
    review_by = models.DateField(_("review deadline"), null=True, blank=True)
    notice_days = models.PositiveSmallIntegerField(_("public notice (days)"), default=7)
    status = models.CharField(_("status"), max_length=12, choices=CallStatus.choices, default=CallStatus.DRAFT,
                              editable=False)

    scope = Scope(region="policy__region", public=True)

    class Meta:
        ordering = ["-opens_on", "-id"]
        verbose_name = _("call for applications")
        verbose_name_plural = _("calls for applications")

    def __str__(self):
        return self.title

    def clean(self):
        if self.opens_on and self.closes_on and self.closes_on < self.opens_on:
            raise ValidationError({"closes_on": _("The deadline cannot be before the opening date.")})
        if self.review_by and self.closes_on and self.review_by < self.closes_on:
            raise ValidationError({"review_by": _("The review deadline cannot be before the application deadline.")})
