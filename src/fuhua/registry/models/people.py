from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fuhua.core.scoping import Scope

from ..choices import IndustryField
from .organisation import SearchableModel


class MentorProfile(SearchableModel):
    """创业导师: serves one or more carriers; may log in to manage their own profile."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="mentor_profile"
    )
    name = models.CharField(_("name"), max_length=60)
    title = models.CharField(pgettext_lazy("person", "title"), max_length=100, blank=True)  # 职称, not a heading
    employer = models.CharField(_("employer"), max_length=200, blank=True)
    industry_field = models.CharField(_("field"), max_length=24, choices=IndustryField.choices)
    region = models.ForeignKey("registry.Region", on_delete=models.PROTECT, verbose_name=_("region"))
    carriers = models.ManyToManyField(
        "registry.Carrier", blank=True, related_name="mentors", verbose_name=_("carriers served")
    )
    full_time = models.BooleanField(_("full-time"), default=False)

    scope = Scope(region="region", operator="carriers__operator_id", mentor="id")

    class Meta:
        ordering = ["name"]
        verbose_name = _("mentor")
        verbose_name_plural = _("mentors")

    def __str__(self):
        return self.name


class InvestorProfile(SearchableModel):
    """A contact at an investment institution (投资机构), matched to firms later."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="investor_profile"
    )
    name = models.CharField(_("name"), max_length=60)
    institution = models.ForeignKey(
        "registry.Organisation", on_delete=models.PROTECT, related_name="investor_contacts",
        verbose_name=_("institution"),
    )
    position = models.CharField(_("position"), max_length=100, blank=True)
    focus_field = models.CharField(_("focus"), max_length=24, choices=IndustryField.choices)
    region = models.ForeignKey("registry.Region", on_delete=models.PROTECT, verbose_name=_("region"))

    scope = Scope(region="region", investor="id")

    class Meta:
        ordering = ["name"]
        verbose_name = _("investor")
        verbose_name_plural = _("investors")

    def __str__(self):
        return self.name
