from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fuhua.core.glossary import STATUSES
from fuhua.core.models import FuhuaModel
from fuhua.core.scoping import Scope


class IncubationStatus(models.TextChoices):
    APPLIED = "applied", STATUSES["incubation_status"]["applied"]
    ADMITTED = "admitted", STATUSES["incubation_status"]["admitted"]
    INCUBATING = "incubating", STATUSES["incubation_status"]["incubating"]
    GRADUATED = "graduated", STATUSES["incubation_status"]["graduated"]
    EXITED = "exited", STATUSES["incubation_status"]["exited"]
    EXPIRED = "expired", STATUSES["incubation_status"]["expired"]


CLOSED_STATUSES = {IncubationStatus.GRADUATED, IncubationStatus.EXITED, IncubationStatus.EXPIRED}


class Incubation(FuhuaModel):
    """A firm's (or team's) stay at one carrier. Status changes only through incubation.workflow."""

    firm = models.ForeignKey(
        "registry.Firm", null=True, blank=True, on_delete=models.CASCADE, related_name="incubations",
        verbose_name=_("firm"),
    )
    team = models.ForeignKey(
        "registry.StartupTeam", null=True, blank=True, on_delete=models.CASCADE, related_name="incubations",
        verbose_name=_("team"),
    )
    carrier = models.ForeignKey(
        "registry.Carrier", on_delete=models.PROTECT, related_name="incubations", verbose_name=_("carrier")
    )
    status = models.CharField(
        _("status"), max_length=12, choices=IncubationStatus.choices, default=IncubationStatus.APPLIED,
        db_index=True, editable=False,
    )
    applied_on = models.DateField(_("applied on"), null=True, blank=True)
    entered_on = models.DateField(_("entered on"), null=True, blank=True)
    left_on = models.DateField(_("left on"), null=True, blank=True, editable=False)
    leave_reason = models.CharField(_("reason"), max_length=200, blank=True, editable=False)

    scope = Scope(region="carrier__region", operator="carrier__operator_id", firm="firm_id")

    class Meta:
        ordering = ["-entered_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(firm__isnull=False) & Q(team__isnull=True))
                | (Q(firm__isnull=True) & Q(team__isnull=False)),
                name="incubation_firm_xor_team",
            )
        ]
        indexes = [models.Index(fields=["carrier", "status"], name="incubation_carrier_status_idx")]
        verbose_name = _("incubation")
        verbose_name_plural = _("incubations")

    label_related = ("firm", "team", "carrier")  # what __str__ reads (core.forms: selects of these)

    def __str__(self):
        return f"{self.firm or self.team} @ {self.carrier}"

    @property
    def tenant(self):
        return self.firm or self.team

    def clean(self):
        errors = {}
        if bool(self.firm_id) == bool(self.team_id):
            errors["firm"] = _("An incubation is of either a firm or a start-up team.")
        if self.entered_on and self.entered_on > timezone.localdate():
            errors["entered_on"] = _("The entry date cannot be in the future.")
        if self.applied_on and self.entered_on and self.entered_on < self.applied_on:
            errors["entered_on"] = _("A tenant cannot enter before it applied.")
        if self.left_on and self.entered_on and self.left_on < self.entered_on:
            errors["left_on"] = _("A tenant cannot leave before it entered.")
        if errors:
            raise ValidationError(errors)
