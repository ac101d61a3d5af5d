"""The expert pool (专家库): reviewers shared by evaluation, policy application review and competition judging,
and the record of every panel drawn from it (registry.experts draws; see its docstring for the rules)."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fuhua.core.models import FuhuaModel
from fuhua.core.permissions import policy
from fuhua.core.scoping import RestrictedQuerySet, Scope

from ..choices import IndustryField
from .organisation import SearchableModel


class Availability(models.TextChoices):
    AVAILABLE = "available", _("available")
    BUSY = "busy", _("busy until a date")
    RETIRED = "retired", _("retired from the pool")


class ExpertPoolQuerySet(RestrictedQuerySet):
    """A pool shared with a region is that region's to draw from (view), not to change or delete: a write
    reaches an expert through the expert's own region (or the expert's own account) only."""

    def restrict(self, user, action: str = "view"):
        from fuhua.accounts.roles import ROLE_DIMENSION

        qs = super().restrict(user, action)
        if action == "view" or not (user and user.is_authenticated) or user.is_superuser:
            return qs
        own = Q(pk__in=[])
        for grant in policy().grants_of(user):
            if not policy().role_allows(grant.role, self.model, action):
                continue
            if grant.is_unlimited:
                return qs
            dimension = ROLE_DIMENSION.get(grant.role)
            if dimension and dimension[0] == "region" and grant.region_id:
                own |= grant.region.subtree_q("region")
            elif (condition := grant.condition_for(self.model)) is not None:
                own |= condition
        return qs.filter(own)


class ExpertProfile(SearchableModel):
    """One expert of the pool. In the pool of the bureaus of its region and of the regions it is shared
    with (`shared_with`: a province pool that the cities draw on); the expert keeps their own profile."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="expert_profile",
        verbose_name=_("account"), help_text=_("The expert's own account (role: expert), to score what they review."),
    )
    name = models.CharField(_("name"), max_length=60)
    title = models.CharField(pgettext_lazy("person", "title"), max_length=100, blank=True)  # 职称
    organisation = models.ForeignKey(
        "registry.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="experts",
        verbose_name=_("employer organisation"),
    )
    fields = models.JSONField(_("industry fields"), default=list, blank=True,
                              help_text=_("The industry fields the expert reviews."))
    region = models.ForeignKey("registry.Region", on_delete=models.PROTECT, related_name="experts",
                               verbose_name=_("region"))
    shared_with = models.ManyToManyField(
        "registry.Region", blank=True, related_name="shared_experts", verbose_name=_("shared with regions"),
        help_text=_("Regions whose bureaus may draw this expert besides the expert's own region."),
    )
    availability = models.CharField(_("availability"), max_length=12, choices=Availability.choices,
                                    default=Availability.AVAILABLE)
    busy_until = models.DateField(_("busy until"), null=True, blank=True)
    declared_organisations = models.ManyToManyField(
        "registry.Organisation", blank=True, related_name="declared_experts",
        verbose_name=_("declared relations: organisations"),
        help_text=_("Organisations the expert must not judge (former employers, shareholdings, family)."),
    )
    declared_carriers = models.ManyToManyField(
        "registry.Carrier", blank=True, related_name="declared_experts", verbose_name=_("declared relations: carriers"),
    )
    active = models.BooleanField(_("active"), default=True)

    scope = Scope(region=("region", "shared_with"), expert="user")  # writes: not through shared_with
    objects = ExpertPoolQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("expert")
        verbose_name_plural = _("experts")

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        codes = set(IndustryField.values)
        if not isinstance(self.fields, list) or any(code not in codes for code in self.fields):
            raise ValidationError({"fields": _("Choose industry fields from the list: %(codes)s.") % {
                "codes": ", ".join(IndustryField.values)}})
        if self.availability == Availability.BUSY and self.busy_until is None:
            raise ValidationError({"busy_until": _("Give the date until which the expert is busy.")})

    def field_labels(self) -> str:
        labels = dict(IndustryField.choices)
        return "、".join(str(labels.get(code, code)) for code in self.fields)


class DrawPurpose(models.TextChoices):
    EVALUATION = "evaluation", _("evaluation run")
    POLICY_REVIEW = "policy_review", _("policy application review")
    COMPETITION = "competition", _("competition judging")
    OTHER = "other", _("other review")


class ExpertDraw(FuhuaModel):
    """One panel drawn from the pool: for what (purpose and object), with which seed, by whom, who was drawn
    and who was left out and why. Kept as drawn (created, never changed)."""

    purpose = models.CharField(_("purpose"), max_length=16, choices=DrawPurpose.choices)
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("object type"))
    object_id = models.PositiveBigIntegerField(_("object id"), null=True, blank=True)
    object_label = models.CharField(_("reviewed object"), max_length=200, blank=True)
    region = models.ForeignKey("registry.Region", on_delete=models.PROTECT, related_name="expert_draws",
                               verbose_name=_("region"))
    seed = models.BigIntegerField(_("seed"))
    size = models.PositiveSmallIntegerField(_("panel size"))
    wanted_fields = models.JSONField(_("industry fields wanted"), default=list, blank=True)
    exclude_own_region = models.BooleanField(_("experts of the object's own region excluded"), default=False)
    drawn = models.ManyToManyField(ExpertProfile, blank=True, related_name="draws", verbose_name=_("experts drawn"))
    excluded = models.JSONField(_("experts excluded"), default=list, blank=True,
                                help_text=_("Each left-out expert with the reason."))
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name=_("drawn by"))

    scope = Scope(region="region", expert="drawn__user")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("expert draw")
        verbose_name_plural = _("expert draws")

    def __str__(self):
        return f"{self.get_purpose_display()} · {self.object_label or '—'} · {self.created_at:%Y-%m-%d}" \
            if self.created_at else f"{self.get_purpose_display()} · {self.object_label or '—'}"
