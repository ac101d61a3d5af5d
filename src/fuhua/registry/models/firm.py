import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fuhua.core.models import FuhuaModel
from fuhua.core.scoping import Scope, Via

from ..choices import DesignationKind, IndustryField, ListingBoard, SizeClass
from .organisation import CreditCodeField, SearchableModel

# The incubation statuses of a tenancy still running (incubation.lifecycle.OPEN_STATUSES, spelled out here
# because the registry sits below the incubation app; core/tests/test_scope_tenancy.py keeps them equal).
OPEN_TENANCY = ("applied", "admitted", "incubating")


def while_tenant(prefix: str = "") -> Via:
    """An operator reaches a firm or team (and its facts) through an incubation at its carriers only while
    that incubation is open: a graduated, exited or expired tenant is no longer the operator's. The
    incubation records themselves stay readable to it (incubation.models scopes them by carrier)."""
    return Via(f"{prefix}incubations__carrier__operator_id", {f"{prefix}incubations__status__in": OPEN_TENANCY})


class Firm(SearchableModel):
    """A (tenant) enterprise, identified by its unified social credit code."""

    name = models.CharField(_("name"), max_length=200)
    credit_code = CreditCodeField(unique=True)
    founded = models.DateField(_("founded"))
    industry_field = models.CharField(_("industry field"), max_length=24, choices=IndustryField.choices)
    size_class = models.CharField(_("size class"), max_length=8, choices=SizeClass.choices, default=SizeClass.MICRO)
    region = models.ForeignKey(
        "registry.Region", on_delete=models.PROTECT, related_name="firms", verbose_name=_("registered in")
    )
    listed_on = models.DateField(_("listed on"), null=True, blank=True)
    listing_board = models.CharField(_("board"), max_length=10, choices=ListingBoard.choices, blank=True)
    acquired_on = models.DateField(_("merged or acquired on"), null=True, blank=True)
    deregistered_on = models.DateField(_("deregistered on"), null=True, blank=True)

    # A bureau sees firms registered in its region and firms incubated by carriers in its region.
    scope = Scope(
        region=("region", "incubations__carrier__region"),
        operator=while_tenant(),
        firm="id",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("firm")
        verbose_name_plural = _("firms")
        # The common list filters (a field within a region subtree): the scope's region range then narrows
        # an index range instead of every firm of the region, and the list's sort key (name) and the count
        # are read from the index alone (benchmarks/api_throughput.py).
        indexes = [models.Index(fields=["industry_field", "region", "name"], name="firm_industry_region_name"),
                   models.Index(fields=["size_class", "region"], name="firm_size_region")]

    def __str__(self):
        return self.name

    def search_parts(self):
        return (self.name, self.credit_code)

    def clean(self):
        errors = {}
        today = timezone.localdate()
        if self.founded and self.founded > today:
            errors["founded"] = _("The founding date cannot be in the future.")
        if bool(self.listed_on) != bool(self.listing_board):
            field = "listing_board" if self.listed_on else "listed_on"
            errors[field] = _("A listing needs both its date and its board.")
        for field in ("listed_on", "acquired_on", "deregistered_on"):
            value = getattr(self, field)
            if value and self.founded and value < self.founded:
                errors[field] = _("This date is before the firm was founded.")
        if errors:
            raise ValidationError(errors)

    def designations_active(self, as_of: datetime.date | None = None) -> set[str]:
        day = as_of or timezone.localdate()
        return {d.kind for d in self.designations.all() if d.is_active(day)}


class FirmDesignation(FuhuaModel):
    """A status a firm holds for a period: 高新技术企业, 科技型中小企业, 专精特新, 小巨人, 瞪羚, 独角兽."""

    firm = models.ForeignKey(Firm, on_delete=models.CASCADE, related_name="designations", verbose_name=_("firm"))
    kind = models.CharField(_("designation"), max_length=16, choices=DesignationKind.choices)
    granted_on = models.DateField(_("granted on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    certificate_number = models.CharField(_("certificate number"), max_length=60, blank=True)

    scope = Scope(
        region=("firm__region", "firm__incubations__carrier__region"),
        operator=while_tenant("firm__"),
        firm="firm_id",
    )

    class Meta:
        ordering = ["-granted_on"]
        verbose_name = _("designation")
        verbose_name_plural = _("designations")

    def __str__(self):
        return f"{self.firm} · {self.get_kind_display()}"

    def clean(self):
        if self.granted_on and self.expires_on and self.expires_on <= self.granted_on:
            raise ValidationError({"expires_on": _("The expiry must be after the date granted.")})

    def is_active(self, day: datetime.date) -> bool:
        return self.granted_on <= day and (self.expires_on is None or day <= self.expires_on)


class StartupTeam(SearchableModel):
    """A start-up team (创业团队) not yet registered as a firm; linked to its firm once it is."""

    name = models.CharField(_("name"), max_length=200)
    leader = models.CharField(_("leader"), max_length=60)
    members = models.PositiveSmallIntegerField(_("members"), default=1)
    industry_field = models.CharField(_("industry field"), max_length=24, choices=IndustryField.choices)
    formed_on = models.DateField(_("formed"))
    student_founded = models.BooleanField(_("founded by students"), default=False)
    region = models.ForeignKey("registry.Region", on_delete=models.PROTECT, verbose_name=_("region"))
    firm = models.ForeignKey(
        Firm, null=True, blank=True, on_delete=models.SET_NULL, related_name="teams",
        verbose_name=_("registered as"),
    )

    scope = Scope(
        region=("region", "incubations__carrier__region"), operator=while_tenant()
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("start-up team")
        verbose_name_plural = _("start-up teams")

    def __str__(self):
        return self.name

    def clean(self):
        if self.formed_on and self.formed_on > timezone.localdate():
            raise ValidationError({"formed_on": _("The date formed cannot be in the future.")})
