"""A carrier's seed funds and staffing: the facts behind the recognition rules' funding and staff criteria."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fuhua.core.models import FuhuaModel
from fuhua.core.scoping import Scope

from ..choices import FundOwnership

CARRIER_FACT_SCOPE = Scope(
    region="carrier__region", operator="carrier__operator_id", association="carrier__memberships__association_id"
)


class SeedFund(FuhuaModel):
    """An own or partner seed/incubation fund (孵化资金) of a carrier."""

    carrier = models.ForeignKey("registry.Carrier", on_delete=models.CASCADE, related_name="seed_funds",
                                verbose_name=_("carrier"))
    name = models.CharField(_("name"), max_length=200)
    size_fen = models.BigIntegerField(_("size (fen)"))
    ownership = models.CharField(_("ownership"), max_length=8, choices=FundOwnership.choices,
                                 default=FundOwnership.OWN)
    established_on = models.DateField(_("established"))

    scope = CARRIER_FACT_SCOPE

    class Meta:
        ordering = ["-established_on", "id"]
        verbose_name = _("seed fund")
        verbose_name_plural = _("seed funds")

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        if self.size_fen is not None and self.size_fen <= 0:
            errors["size_fen"] = _("The size must be positive.")
        if self.established_on and self.established_on > timezone.localdate():
            errors["established_on"] = _("This date cannot be in the future.")
        if errors:
            raise ValidationError(errors)


class CarrierStaffing(FuhuaModel):
    """The operator's staff in one year: total, professional incubation staff, full-time service staff."""

    carrier = models.ForeignKey("registry.Carrier", on_delete=models.CASCADE, related_name="staffing",
                                verbose_name=_("carrier"))
    year = models.PositiveSmallIntegerField(_("year"))
    staff_total = models.PositiveIntegerField(_("staff"))
    staff_professional = models.PositiveIntegerField(_("professional incubation staff"))
    staff_fulltime = models.PositiveIntegerField(_("full-time service staff"))

    scope = CARRIER_FACT_SCOPE

    class Meta:
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["carrier", "year"], name="unique_carrier_staffing_year")]
        verbose_name = _("staffing")
        verbose_name_plural = _("staffing")

    def __str__(self):
        return f"{self.carrier} · {self.year}"

    def clean(self):
        errors = {}
        total = self.staff_total
        if total is not None and self.staff_professional is not None and self.staff_professional > total:
            errors["staff_professional"] = _("Professional staff cannot exceed the staff total (%(n)s).") % {"n": total}
        if total is not None and self.staff_fulltime is not None and self.staff_fulltime > total:
            errors["staff_fulltime"] = _("Full-time staff cannot exceed the staff total (%(n)s).") % {"n": total}
        if self.year and self.year > timezone.localdate().year:
            errors["year"] = _("This year has not begun yet.")
        if errors:
            raise ValidationError(errors)
