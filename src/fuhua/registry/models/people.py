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


class FounderRole(models.TextChoices):
    FOUNDER = "founder", _("founder")
    CO_FOUNDER = "co_founder", _("co-founder")
    KEY_PERSON = "key_person", _("key person")


class Education(models.TextChoices):
    DOCTORATE = "doctorate", _("doctorate (博士)")
    MASTER = "master", _("master's degree (硕士)")
    BACHELOR = "bachelor", _("bachelor's degree (本科)")
    OTHER = "other", _("other")


class TalentTitle(models.TextChoices):
    """The talent programmes the published reports name (太仓创业领军人才, 姑苏创业领军人才: the association
    newsletter's 地方动态《苏州:“双创”服务升级催生高质量发展新动能》; 省"双创人才", "双创博士": 《江苏省常州市武进区
    双创经验总结》 四、（四）)."""

    GUSU_LEADING = "gusu_leading", _("Gusu entrepreneurial leading talent (姑苏创业领军人才)")
    TAICANG_LEADING = "taicang_leading", _("Taicang entrepreneurial leading talent (太仓创业领军人才)")
    JS_SHUANGCHUANG = "js_shuangchuang", _("Jiangsu innovation and entrepreneurship talent (江苏省双创人才)")
    JS_SHUANGCHUANG_PHD = "js_shuangchuang_phd", _("Jiangsu innovation and entrepreneurship doctor (江苏省双创博士)")


class Founder(SearchableModel):
    """A founder or key person of a firm or of a start-up team (创始人/核心人员): the person a talent programme pays.

    Personal data, kept to what the talent rules read: name, role, education, returnee and student flags, a
    talent title with its date. No identity card number is stored, in clear or hashed: no rule reads it, a
    hash of an 18-digit number with a checksum is reversible by enumeration, and payment goes to an account
    the beneficiary names and the bank verifies (PIPL art. 6: no more than the purpose needs). Seen only by the
    firm itself and the bureaus of its region; carrier operators do not see them (accounts/roles.py)."""

    name = models.CharField(_("name"), max_length=60)
    firm = models.ForeignKey("registry.Firm", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="founders", verbose_name=_("firm"))
    team = models.ForeignKey("registry.StartupTeam", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="founders", verbose_name=_("start-up team"))
    role = models.CharField(_("role"), max_length=16, choices=FounderRole.choices, default=FounderRole.FOUNDER)
    education = models.CharField(_("education"), max_length=12, choices=Education.choices, blank=True)
    overseas_returnee = models.BooleanField(_("returned from study abroad (海外留学归国)"), default=False)
    student = models.BooleanField(_("enrolled student (在校大学生)"), default=False)
    talent_title = models.CharField(_("talent title"), max_length=24, choices=TalentTitle.choices, blank=True)
    title_granted_on = models.DateField(_("title granted on"), null=True, blank=True)

    scope = Scope(region=("firm__region", "team__region"), firm="firm_id")

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("founder")
        verbose_name_plural = _("founders")
        constraints = [models.CheckConstraint(
            condition=models.Q(firm__isnull=False, team__isnull=True) | models.Q(firm__isnull=True, team__isnull=False),
            name="founder_of_firm_or_team")]

    def __str__(self):
        return self.name

    @property
    def venture(self):
        return self.firm or self.team

    def clean(self):
        from django.core.exceptions import ValidationError

        errors = {}
        if bool(self.firm_id) == bool(self.team_id):
            errors["firm"] = _("A founder belongs to one firm or one start-up team.")
        if bool(self.talent_title) != bool(self.title_granted_on):
            field = "title_granted_on" if self.talent_title else "talent_title"
            errors[field] = _("A talent title needs both its name and the date it was granted.")
        if errors:
            raise ValidationError(errors)
