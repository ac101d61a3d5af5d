import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fuhua.core.models import FuhuaModel
from fuhua.core.scoping import RestrictedQuerySet, Scope

from ..choices import (
    CarrierKind,
    CarrierStatus,
    DemoBaseType,
    IndustryField,
    NationalGrade,
    RecognitionKind,
    RecognitionLevel,
    Specialisation,
)
from .organisation import SearchableModel

LEVEL_RANK = {
    RecognitionLevel.NATIONAL: 4,
    RecognitionLevel.PROVINCIAL: 3,
    RecognitionLevel.MUNICIPAL: 2,
    RecognitionLevel.COUNTY_CITY: 1,  # county level, like a district's
    RecognitionLevel.DISTRICT: 1,
}


class Carrier(SearchableModel):
    """An incubation carrier (孵化载体): maker space, incubator, accelerator, park, base."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=CarrierKind.choices, db_index=True)
    demo_base_type = models.CharField(
        _("demonstration base type"), max_length=12, choices=DemoBaseType.choices, blank=True
    )
    operator = models.ForeignKey(
        "registry.Organisation", on_delete=models.PROTECT, related_name="carriers", verbose_name=_("operator")
    )
    region = models.ForeignKey(
        "registry.Region", on_delete=models.PROTECT, related_name="carriers", verbose_name=_("region")
    )
    # An enclave (飞地) lies outside the region whose bureau runs and pays it, e.g. a Taicang enclave
    # incubator in Shanghai: that region is its administering region, and its policies reach it.
    administering_region = models.ForeignKey(
        "registry.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="administered_carriers",
        verbose_name=_("administering region"),
        help_text=_("For an enclave outside the region that runs it: the region whose bureau administers it."),
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    established = models.DateField(_("established"))
    incubation_area_m2 = models.PositiveIntegerField(_("incubation area (m²)"))
    tenant_area_m2 = models.PositiveIntegerField(_("tenant-use area (m²)"))
    workstations = models.PositiveIntegerField(_("workstations"), default=0)
    specialisation = models.CharField(
        _("specialisation"), max_length=16, choices=Specialisation.choices, default=Specialisation.COMPREHENSIVE
    )
    industry_field = models.CharField(_("industry field"), max_length=24, choices=IndustryField.choices, blank=True)
    # A specialised incubator needs its own public technical service platform (cn-most-2018 第九条第8项).
    has_tech_platform = models.BooleanField(_("own technical service platform"), default=False)
    status = models.CharField(  # changed only by registry.workflow.CARRIER_WORKFLOW
        _("status"), max_length=12, choices=CarrierStatus.choices, default=CarrierStatus.OPERATING, db_index=True,
        editable=False,
    )

    scope = Scope(
        region=("region", "administering_region"), operator="operator_id", association="memberships__association_id",
        organisation=None,
        expert="evaluation_results__assignments__expert",  # experts see the carriers they review
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("carrier")
        verbose_name_plural = _("carriers")

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        if (
            self.incubation_area_m2 is not None
            and self.tenant_area_m2 is not None
            and self.tenant_area_m2 > self.incubation_area_m2
        ):
            errors["tenant_area_m2"] = _("The tenant-use area cannot exceed the incubation area (%(area)s m²).") % {
                "area": self.incubation_area_m2
            }
        if self.established and self.established > timezone.localdate():
            errors["established"] = _("The establishment date cannot be in the future.")
        if self.kind == CarrierKind.DEMO_BASE and not self.demo_base_type:
            errors["demo_base_type"] = _("A demonstration base needs its type.")
        if self.kind != CarrierKind.DEMO_BASE and self.demo_base_type:
            errors["demo_base_type"] = _("Only demonstration bases have a type.")
        if self.administering_region_id and self.administering_region_id == self.region_id:
            errors["administering_region"] = _("Leave this empty when the carrier lies in the region that runs it.")
        if self.specialisation == Specialisation.SPECIALISED and not self.industry_field:
            errors["industry_field"] = _("A specialised carrier needs its industry field.")
        if errors:
            raise ValidationError(errors)

    def active_recognitions(self, as_of: datetime.date | None = None):
        return self.recognitions.active(as_of)

    def highest_level(self, as_of: datetime.date | None = None) -> str | None:
        levels = [r.level for r in self.active_recognitions(as_of)]
        return max(levels, key=LEVEL_RANK.get) if levels else None


class AssociationMembership(FuhuaModel):
    """A carrier's membership of an incubator association, which then sees its aggregates."""

    association = models.ForeignKey(
        "registry.Organisation", on_delete=models.CASCADE, related_name="member_carriers",
        verbose_name=_("association"),
    )
    carrier = models.ForeignKey(Carrier, on_delete=models.CASCADE, related_name="memberships")
    joined_on = models.DateField(_("joined"))

    scope = Scope(region="carrier__region", operator="carrier__operator_id", association="association_id")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["association", "carrier"], name="unique_membership")]
        verbose_name = _("association membership")
        verbose_name_plural = _("association memberships")

    def __str__(self):
        return f"{self.carrier} ∈ {self.association}"


class RecognitionQuerySet(RestrictedQuerySet):
    def active(self, as_of: datetime.date | None = None):
        day = as_of or timezone.localdate()
        return self.filter(
            Q(granted_on__lte=day),
            Q(valid_until__isnull=True) | Q(valid_until__gte=day),
            Q(revoked_on__isnull=True) | Q(revoked_on__gt=day),
        )


class Recognition(FuhuaModel):
    """认定 or 备案 of a carrier at a level, by an authority, under a document number, with validity."""

    carrier = models.ForeignKey(
        Carrier, on_delete=models.CASCADE, related_name="recognitions", verbose_name=_("carrier")
    )
    level = models.CharField(_("level"), max_length=12, choices=RecognitionLevel.choices, db_index=True)
    kind = models.CharField(_("kind"), max_length=12, choices=RecognitionKind.choices)
    carrier_kind = models.CharField(_("recognised as"), max_length=20, choices=CarrierKind.choices)
    authority = models.CharField(_("authority"), max_length=100)
    document_number = models.CharField(_("document number (文号)"), max_length=80)
    granted_on = models.DateField(_("date"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)
    revoked_reason = models.CharField(_("reason for revocation"), max_length=200, blank=True)
    national_grade = models.CharField(
        _("national grade"), max_length=12, choices=NationalGrade.choices, blank=True
    )

    objects = RecognitionQuerySet.as_manager()
    scope = Scope(
        region="carrier__region", operator="carrier__operator_id", association="carrier__memberships__association_id"
    )

    class Meta:
        ordering = ["-granted_on", "id"]
        verbose_name = _("recognition")
        verbose_name_plural = _("recognitions")

    def __str__(self):
        return f"{self.carrier} · {self.get_level_display()}{self.get_kind_display()} {self.document_number}"

    def clean(self):
        errors = {}
        if self.granted_on and self.valid_until and self.valid_until <= self.granted_on:
            errors["valid_until"] = _("The end of validity must be after the date granted.")
        if self.revoked_on and self.granted_on and self.revoked_on < self.granted_on:
            errors["revoked_on"] = _("A recognition cannot be revoked before it was granted.")
        if self.revoked_on and not self.revoked_reason:
            errors["revoked_reason"] = _("Say why the recognition was revoked.")
        if self.revoked_reason and not self.revoked_on:
            errors["revoked_on"] = _("Give the date of revocation.")
        if self.national_grade and self.level != RecognitionLevel.NATIONAL:
            errors["national_grade"] = _("Only national recognitions carry a grade.")
        if errors:
            raise ValidationError(errors)

    def is_active(self, as_of: datetime.date | None = None) -> bool:
        day = as_of or timezone.localdate()
        return (
            self.granted_on <= day
            and (self.valid_until is None or day <= self.valid_until)
            and (self.revoked_on is None or day < self.revoked_on)
        )
