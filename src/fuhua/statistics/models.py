"""Annual statistics (火炬统计): one report per carrier, year and version; one row per figure.

The figures are rows (`ReportValue`), not a JSON blob, so that the engines read them with one
indexed query and the database enforces one value per field. Money is integer fen, areas m².
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from fuhua.core.glossary import STATUSES
from fuhua.core.models import FuhuaModel
from fuhua.core.scoping import Scope

REPORT_SCOPE = Scope(
    region="carrier__region", operator="carrier__operator_id", association="carrier__memberships__association_id"
)


def _via_report(prefix: str) -> Scope:
    return Scope(region=f"{prefix}carrier__region", operator=f"{prefix}carrier__operator_id",
                 association=f"{prefix}carrier__memberships__association_id")


class ReportStatus(models.TextChoices):
    DRAFT = "draft", STATUSES["report_status"]["draft"]
    SUBMITTED = "submitted", STATUSES["report_status"]["submitted"]
    RETURNED = "returned", STATUSES["report_status"]["returned"]
    ACCEPTED = "accepted", STATUSES["report_status"]["accepted"]


EDITABLE_STATUSES = {ReportStatus.DRAFT, ReportStatus.RETURNED}


class AnnualReport(FuhuaModel):
    """A carrier's statistics for one year. Status changes only through statistics.workflow;
    an accepted report is locked and corrected by an amendment (a new version)."""

    carrier = models.ForeignKey("registry.Carrier", on_delete=models.PROTECT, related_name="annual_reports",
                                verbose_name=_("carrier"))
    year = models.PositiveSmallIntegerField(_("year"), db_index=True)
    form_code = models.CharField(_("form"), max_length=40)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    status = models.CharField(_("status"), max_length=12, choices=ReportStatus.choices,
                              default=ReportStatus.DRAFT, db_index=True, editable=False)
    previous = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="amendment", verbose_name=_("amends"), editable=False)
    amendment_reason = models.CharField(_("reason for the amendment"), max_length=500, blank=True, editable=False)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("submitted by"), editable=False)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True, editable=False)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("accepted by"), editable=False)

    scope = REPORT_SCOPE

    class Meta:
        ordering = ["-year", "carrier__name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["carrier", "year", "version"], name="unique_report_version"),
        ]
        indexes = [models.Index(fields=["year", "status"], name="report_year_status_idx")]
        verbose_name = _("annual report")
        verbose_name_plural = _("annual reports")

    def __str__(self):
        suffix = f" v{self.version}" if self.version > 1 else ""
        return f"{self.carrier} · {self.year}{suffix}"

    def clean(self):
        if self.year and not 2000 <= self.year <= 2100:
            raise ValidationError({"year": _("Give a year between 2000 and 2100.")})

    @property
    def editable(self) -> bool:
        return self.status in EDITABLE_STATUSES


class ValueOrigin(models.TextChoices):
    PREFILL = "prefill", _("prefilled from the registry")
    ENTERED = "entered", _("entered")
    IMPORTED = "imported", _("imported from a workbook")


class ReportValue(FuhuaModel):
    """One figure of a report: an integer in the field's storage unit (fen, m², count)."""

    report = models.ForeignKey(AnnualReport, on_delete=models.CASCADE, related_name="values",
                               verbose_name=_("report"))
    code = models.CharField(_("field"), max_length=48)
    value = models.BigIntegerField(_("value"), null=True, blank=True)
    origin = models.CharField(_("origin"), max_length=8, choices=ValueOrigin.choices, default=ValueOrigin.ENTERED)
    # What the registry said when the report was prefilled, kept so that differences stay visible.
    prefilled = models.BigIntegerField(_("prefilled value"), null=True, blank=True)

    scope = _via_report("report__")

    class Meta:
        ordering = ["report", "code"]
        constraints = [models.UniqueConstraint(fields=["report", "code"], name="unique_report_value")]
        verbose_name = _("report value")
        verbose_name_plural = _("report values")

    def __str__(self):
        return f"{self.report_id} · {self.code} = {self.value}"


class CommentKind(models.TextChoices):
    RETURN = "return", _("reviewer's comment")
    EXPLANATION = "explanation", _("operator's explanation")


class FieldComment(FuhuaModel):
    """A reviewer's comment on a field when returning a report, or the operator's explanation of a
    figure (a difference from the prefill, a year-on-year jump)."""

    report = models.ForeignKey(AnnualReport, on_delete=models.CASCADE, related_name="comments",
                               verbose_name=_("report"))
    code = models.CharField(_("field"), max_length=48)
    kind = models.CharField(_("kind"), max_length=12, choices=CommentKind.choices)
    text = models.CharField(_("text"), max_length=1000)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+", verbose_name=_("author"))

    scope = _via_report("report__")

    class Meta:
        ordering = ["report", "code", "created_at", "id"]
        verbose_name = _("field comment")
        verbose_name_plural = _("field comments")

    def __str__(self):
        return f"{self.report_id} · {self.code}: {self.text[:40]}"


class Reminder(FuhuaModel):
    """A deadline reminder recorded for a carrier that has not submitted its year's report."""

    carrier = models.ForeignKey("registry.Carrier", on_delete=models.CASCADE, related_name="stats_reminders",
                                verbose_name=_("carrier"))
    year = models.PositiveSmallIntegerField(_("year"))
    deadline = models.DateField(_("deadline"))
    days_before = models.SmallIntegerField(_("days before the deadline"))
    message = models.CharField(_("message"), max_length=300)

    scope = REPORT_SCOPE

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["carrier", "year", "days_before"], name="unique_reminder")]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")

    def __str__(self):
        return f"{self.carrier} · {self.year} · {self.days_before}"
