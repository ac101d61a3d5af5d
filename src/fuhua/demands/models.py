"""Firms' demands (需求发布) and challenges (揭榜挂帅), with the responses to a challenge.

A **demand** is a need a firm or a start-up team posts: technology, financing, talent (a job post), space or a
service, in an industry field and a region, with a budget (fen, shown in 元) and a deadline. It moves draft → open
→ matched or closed (by the poster) or expired (past its deadline: `demands.expire`). Open demands are published
to the network: mentors, investors, providers and experts read them (and are matched with them).

A **challenge** (揭榜挂帅) is published by a bureau (for its region) or by a firm, with a reward and a deadline for
responses: the mechanism by which the Jiangsu science department collects technical solutions for firms'
problems ("通过'揭榜挂帅'机制征集技术解决方案，帮助企业解决技术难题", 江苏省科技厅 科技"三服务"行动实施方案,
2021). Providers and universities or institutes (an organisation) and experts of the pool respond until the
deadline; the poster then picks one response and the others are declined (demands.workflow).

Scoping: a demand belongs to its firm, the operator of the carrier incubating it, and the bureaus of its
region; a challenge to its poster (firm) and the bureaus of its region; a response also to its responder.
Published demands and challenges are readable by the roles that answer them (DemandQuerySet, ChallengeQuerySet).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fuhua.core.models import FuhuaModel
from fuhua.core.permissions import policy
from fuhua.core.scoping import RestrictedQuerySet, Scope
from fuhua.registry.choices import IndustryField, InvestmentRound
from fuhua.registry.models import Carrier
from fuhua.registry.models.firm import OPEN_TENANCY

# Roles that read what is published to the network (an open demand, an open or awarded challenge).
DEMAND_READERS = frozenset({"mentor", "investor", "service_provider", "expert"})
CHALLENGE_READERS = frozenset({"mentor", "investor", "service_provider", "expert", "firm", "operator"})


class PublishedQuerySet(RestrictedQuerySet):
    """Scoped as the model's Scope says, and for viewing also what is published to the roles that answer it."""

    readers: frozenset[str] = frozenset()
    published: tuple[str, ...] = ()

    def restrict(self, user, action: str = "view"):
        qs = super().restrict(user, action)
        if action != "view" or not (user and user.is_authenticated and user.is_active) or user.is_superuser:
            return qs
        if not any(g.role in self.readers and policy().role_allows(g.role, self.model, "view")
                   for g in policy().grants_of(user)):
            return qs
        return self.filter(Q(pk__in=qs.values("pk")) | Q(status__in=self.published))


class DemandQuerySet(PublishedQuerySet):
    readers = DEMAND_READERS
    published = ("open",)


class ChallengeQuerySet(PublishedQuerySet):
    readers = CHALLENGE_READERS
    published = ("open", "awarded")


class DemandKind(models.TextChoices):
    TECHNOLOGY = "technology", _("technology need")
    FINANCING = "financing", _("financing need")
    TALENT = "talent", _("talent (job post)")
    SPACE = "space", _("space need")
    SERVICE = "service", _("service need")


class DemandStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    OPEN = "open", _("open")
    MATCHED = "matched", _("matched")
    CLOSED = "closed", _("closed")
    EXPIRED = "expired", _("expired")


class Demand(FuhuaModel):
    """需求发布: one need of a firm or a start-up team."""

    firm = models.ForeignKey("registry.Firm", null=True, blank=True, on_delete=models.PROTECT, related_name="demands",
                             verbose_name=_("firm"))
    team = models.ForeignKey("registry.StartupTeam", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="demands", verbose_name=_("start-up team"))
    carrier = models.ForeignKey("registry.Carrier", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="demands", verbose_name=_("carrier"),
                                help_text=_("Where the firm or team is incubated; filled in from its tenancy."))
    kind = models.CharField(_("kind"), max_length=12, choices=DemandKind.choices)
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), max_length=4000)
    industry_field = models.CharField(_("industry field"), max_length=24, choices=IndustryField.choices)
    region = models.ForeignKey("registry.Region", on_delete=models.PROTECT, related_name="demands",
                               verbose_name=_("region"), help_text=_("Where the need is to be met."))
    stage = models.CharField(_("round"), max_length=12, choices=InvestmentRound.choices, blank=True,
                             help_text=_("For a financing need: the round sought."))
    positions = models.PositiveSmallIntegerField(_("positions"), null=True, blank=True,
                                                 validators=[MinValueValidator(1), MaxValueValidator(999)],
                                                 help_text=_("For a job post: how many people are sought."))
    budget_fen = models.BigIntegerField(_("budget"), null=True, blank=True, validators=[MinValueValidator(0)],
                                        help_text=_("In fen (分); shown in 元."))
    deadline = models.DateField(_("deadline"))
    status = models.CharField(_("status"), max_length=8, choices=DemandStatus.choices, default=DemandStatus.DRAFT,
                              editable=False, db_index=True)
    published_on = models.DateField(_("published on"), null=True, blank=True, editable=False)
    closed_on = models.DateField(_("closed on"), null=True, blank=True, editable=False)
    close_note = models.TextField(_("how it ended"), blank=True, editable=False)

    scope = Scope(region=("region", "firm__region", "team__region"), operator="carrier__operator_id",
                  firm="firm_id")
    objects = DemandQuerySet.as_manager()

    class Meta:
        ordering = ["-published_on", "-id"]
        indexes = [models.Index(fields=["status", "industry_field"], name="demand_status_field")]
        verbose_name = _("demand")
        verbose_name_plural = _("demands")

    def __str__(self):
        return self.title

    @property
    def poster(self):
        return self.firm or self.team

    def clean(self):
        super().clean()
        errors = {}
        if (self.firm_id is None) == (self.team_id is None):
            errors["firm"] = _("Post the demand for either a firm or a start-up team.")
        if self.kind == DemandKind.TALENT and not self.positions:
            errors["positions"] = _("A job post says how many people are sought.")
        if self.kind == DemandKind.FINANCING and not self.stage:
            errors["stage"] = _("A financing need names the round sought.")
        if self.deadline and self.status == DemandStatus.DRAFT and self.deadline < timezone.localdate():
            errors["deadline"] = _("The deadline has passed: give a date from today on.")
        if errors:
            raise ValidationError(errors)
        if self.carrier_id is None and (self.firm_id or self.team_id):
            poster = "firm" if self.firm_id else "team"
            self.carrier = (Carrier.objects.filter(**{f"incubations__{poster}_id": getattr(self, f"{poster}_id"),
                                                      "incubations__status__in": OPEN_TENANCY})
                            .order_by("pk").first())


class ChallengeStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    OPEN = "open", _("open for responses")
    AWARDED = "awarded", _("awarded")
    CLOSED = "closed", _("closed")
    EXPIRED = "expired", _("expired without responses")


class Challenge(FuhuaModel):
    """揭榜挂帅: a problem published with a reward; the poster picks one response."""

    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), max_length=4000)
    industry_field = models.CharField(_("industry field"), max_length=24, choices=IndustryField.choices)
    region = models.ForeignKey("registry.Region", on_delete=models.PROTECT, related_name="challenges",
                               verbose_name=_("region"),
                               help_text=_("The publishing bureau's region; a firm's challenge is in the firm's."))
    firm = models.ForeignKey("registry.Firm", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="challenges", verbose_name=_("posting firm"),
                             help_text=_("Empty when the bureau of the region publishes it."))
    reward_fen = models.BigIntegerField(_("reward"), validators=[MinValueValidator(1)],
                                        help_text=_("In fen (分); shown in 元."))
    deadline = models.DateField(_("deadline for responses"))
    status = models.CharField(_("status"), max_length=8, choices=ChallengeStatus.choices,
                              default=ChallengeStatus.DRAFT, editable=False, db_index=True)
    published_on = models.DateField(_("published on"), null=True, blank=True, editable=False)
    awarded_on = models.DateField(_("awarded on"), null=True, blank=True, editable=False)
    close_reason = models.TextField(_("reason closed"), blank=True, editable=False)

    scope = Scope(region="region", firm="firm_id")
    objects = ChallengeQuerySet.as_manager()

    class Meta:
        ordering = ["-published_on", "-id"]
        verbose_name = _("challenge (揭榜挂帅)")
        verbose_name_plural = _("challenges (揭榜挂帅)")

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if self.firm_id is not None:
            self.region_id = self.firm.region_id  # a firm publishes where it is registered
        if self.deadline and self.status == ChallengeStatus.DRAFT and self.deadline < timezone.localdate():
            raise ValidationError({"deadline": _("The deadline has passed: give a date from today on.")})


class ResponseStatus(models.TextChoices):
    SUBMITTED = "submitted", _("submitted")
    PICKED = "picked", _("picked")
    DECLINED = "declined", _("declined")
    WITHDRAWN = "withdrawn", _("withdrawn")


class ChallengeResponse(FuhuaModel):
    """揭榜: a provider, university or institute (an organisation) or an expert of the pool answers a challenge."""

    challenge = models.ForeignKey(Challenge, on_delete=models.PROTECT, related_name="responses",
                                  verbose_name=_("challenge"))
    organisation = models.ForeignKey("registry.Organisation", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="challenge_responses", verbose_name=_("responding organisation"))
    expert = models.ForeignKey("registry.ExpertProfile", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="challenge_responses", verbose_name=_("responding expert"))
    proposal = models.TextField(_("proposed solution"), max_length=4000)
    price_fen = models.BigIntegerField(_("price asked"), null=True, blank=True, validators=[MinValueValidator(0)],
                                       help_text=_("In fen (分); shown in 元."))
    submitted_on = models.DateField(_("submitted on"), editable=False)
    status = models.CharField(_("status"), max_length=10, choices=ResponseStatus.choices,
                              default=ResponseStatus.SUBMITTED, editable=False, db_index=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True, editable=False)

    scope = Scope(region="challenge__region", firm="challenge__firm_id", organisation="organisation_id",
                  expert="expert__user")

    class Meta:
        ordering = ["submitted_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["challenge", "organisation"], condition=Q(organisation__isnull=False),
                                    name="one_response_per_organisation"),
            models.UniqueConstraint(fields=["challenge", "expert"], condition=Q(expert__isnull=False),
                                    name="one_response_per_expert"),
        ]
        verbose_name = _("challenge response")
        verbose_name_plural = _("challenge responses")

    def __str__(self):
        return f"{self.challenge} · {self.responder}"

    @property
    def responder(self):
        return self.organisation or self.expert

    def clean(self):
        super().clean()
        if (self.organisation_id is None) == (self.expert_id is None):
            raise ValidationError({"organisation": _("Respond either as an organisation or as an expert.")})
        if self._state.adding:
            self.submitted_on = timezone.localdate()
        if self._state.adding and self.challenge_id:
            challenge = self.challenge
            if challenge.status != ChallengeStatus.OPEN:
                raise ValidationError({"challenge": _("%(challenge)s is not open for responses (%(status)s).") % {
                    "challenge": challenge, "status": challenge.get_status_display()}})
            if self.submitted_on > challenge.deadline:
                raise ValidationError({"challenge": _(
                    "Responses to %(challenge)s closed on %(deadline)s, its deadline: this response comes after "
                    "it.") % {"challenge": challenge, "deadline": challenge.deadline}})
