"""Firm-facing policy service: subscriptions to new fitting policies, what a firm was already told (so a
push never repeats itself), and the beneficiaries' feedback after payment (post-evaluation, 评价与反馈)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from fuhua.core.models import FuhuaModel
from fuhua.core.scoping import Scope

FIRM_SCOPE = Scope(region="firm__region", firm="firm_id")


class Subscription(FuhuaModel):
    """A firm asks to be told when a policy newly fits it (entitled or one condition away)."""

    firm = models.OneToOneField("registry.Firm", on_delete=models.CASCADE, related_name="policy_subscription",
                                verbose_name=_("firm"))
    # Besides policies it is entitled to or one condition away from (every firm hears of those), a subscriber
    # hears of every new policy that concerns it; with include_open, also those where several conditions miss.
    include_open = models.BooleanField(_("also policies with several conditions missing"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    scope = FIRM_SCOPE

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("policy subscription")
        verbose_name_plural = _("policy subscriptions")

    def __str__(self):
        return str(self.firm)


class FitNotice(FuhuaModel):
    """What a beneficiary has been told about a policy: entitled, or close (one condition missing). A push tells
    it only what it was not told before (unique per holder, policy and fit). The holder is a firm (firm
    policies), a carrier operator (`organisation`: operator policies) or a person (`person`, a founder under a
    person policy: told through the founder's firm, `firm`, or for a team's founder the host carrier's operator,
    `organisation`)."""

    firm = models.ForeignKey("registry.Firm", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="fit_notices", verbose_name=_("firm"))
    organisation = models.ForeignKey("registry.Organisation", null=True, blank=True, on_delete=models.CASCADE,
                                     related_name="fit_notices", verbose_name=_("carrier operator"))
    person = models.ForeignKey("registry.Founder", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="fit_notices", verbose_name=_("person"))
    policy = models.ForeignKey("policies.Policy", on_delete=models.CASCADE, related_name="fit_notices",
                               verbose_name=_("policy"))
    fit = models.CharField(_("fit"), max_length=16)
    as_of = models.DateField(_("as of"))
    missing = models.CharField(_("missing condition"), max_length=200, blank=True)

    scope = Scope(region=("firm__region", "organisation__region", "policy__region"), operator="organisation_id",
                  firm="firm_id")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["firm", "policy", "fit"], name="unique_fit_notice",
                                    condition=models.Q(person__isnull=True, firm__isnull=False)),
            models.UniqueConstraint(fields=["organisation", "policy", "fit"], name="unique_operator_fit_notice",
                                    condition=models.Q(person__isnull=True, organisation__isnull=False)),
            models.UniqueConstraint(fields=["person", "policy", "fit"], name="unique_person_fit_notice",
                                    condition=models.Q(person__isnull=False)),
        ]
        verbose_name = _("fit notice")
        verbose_name_plural = _("fit notices")

    def __str__(self):
        return f"{self.person or self.firm or self.organisation} · {self.policy.code} · {self.fit}"


class Feedback(FuhuaModel):
    """The beneficiary's evaluation of a paid entitlement (Yangpu's 评价 and 反馈): one per entitlement."""

    entitlement = models.OneToOneField("policies.Entitlement", on_delete=models.CASCADE, related_name="feedback",
                                       verbose_name=_("entitlement"))
    rating = models.PositiveSmallIntegerField(_("satisfaction (1–5)"),
                                              validators=[MinValueValidator(1), MaxValueValidator(5)])
    paid_on_time = models.BooleanField(_("paid on time"), default=True)
    no_paperwork = models.BooleanField(_("no paperwork needed"), default=True)
    comment = models.TextField(_("comment"), max_length=1000, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")

    scope = Scope(region="entitlement__policy__region",
                  operator=("entitlement__carrier__operator_id", "entitlement__operator_id"),
                  firm=("entitlement__firm_id", "entitlement__person__firm_id"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("policy feedback")
        verbose_name_plural = _("policy feedback")

    def __str__(self):
        return f"{self.entitlement} · {self.rating}"

    def clean(self):
        if self.rating is not None and not 1 <= self.rating <= 5:
            raise ValidationError({"rating": _("Rate from 1 to 5.")})
