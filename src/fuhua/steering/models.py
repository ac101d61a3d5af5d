"""Targets a bureau steers by, the snapshots annual development reports are generated from, and the
aggregates kept current in the background for the dashboards."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fuhua.core.models import FuhuaModel
from fuhua.core.scoping import Scope

PERIOD_RE = re.compile(r"^\s*(\d{4})\s*(?:[-–—~至到]\s*(\d{4})\s*)?(?:年)?\s*$")


def parse_period(text: str) -> tuple[int, int]:
    """'2024' → (2024, 2024); '2022-2024', '2022–2024', '2022至2024' → (2022, 2024). ValueError otherwise."""
    match = PERIOD_RE.match(text or "")
    if not match:
        raise ValueError(text)
    first = int(match.group(1))
    last = int(match.group(2) or first)
    if not (2000 <= first <= last <= 2100):
        raise ValueError(text)
    return first, last


class TargetMode(models.TextChoices):
    BY_END = "by_end", _("reached by the end of the period")
    EACH_YEAR = "each_year", _("every year of the period")


class Target(FuhuaModel):
    """A value a region commits to for a metric of the catalogue over a period, from a named plan."""

    metric = models.CharField(_("metric"), max_length=60)
    region = models.ForeignKey("registry.Region", on_delete=models.PROTECT, related_name="steering_targets",
                               verbose_name=_("region"))
    period = models.CharField(_("period"), max_length=20, help_text=_("A year (2024) or a range of years (2022-2024)."))
    first_year = models.PositiveSmallIntegerField(_("first year"), editable=False)
    last_year = models.PositiveSmallIntegerField(_("last year"), editable=False)
    mode = models.CharField(_("how it is measured"), max_length=12, choices=TargetMode.choices,
                            default=TargetMode.BY_END)
    value = models.DecimalField(_("target value"), max_digits=14, decimal_places=2)
    plan_title = models.CharField(_("plan document"), max_length=200)
    plan_number = models.CharField(_("document number (文号)"), max_length=80, blank=True,
                                   help_text=_("Leave empty only when the published source does not give it."))
    plan_article = models.CharField(_("article or passage"), max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", editable=False)

    scope = Scope(region="region")

    class Meta:
        ordering = ["region_id", "metric", "first_year"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")

    def __str__(self):
        return f"{self.region} · {self.metric_label} · {self.period}"

    @property
    def metric_label(self) -> str:
        from .metrics import catalogue  # same app: the catalogue sits beside the model

        metric = catalogue().get(self.metric)
        return metric.label if metric else self.metric

    def clean(self):
        from .metrics import catalogue

        errors = {}
        if self.metric and self.metric not in catalogue():
            errors["metric"] = gettext("Unknown metric %(code)s: choose one of the catalogue (%(known)s).") % {
                "code": self.metric, "known": ", ".join(sorted(catalogue()))}
        try:
            self.first_year, self.last_year = parse_period(self.period)
        except ValueError:
            errors["period"] = gettext("The period %(text)s does not parse: write a year (2024) or a range "
                                       "(2022-2024).") % {"text": self.period}
        if self.value is not None and self.value < 0:
            errors["value"] = gettext("A target cannot be negative.")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        if self.period and not self.first_year:
            self.first_year, self.last_year = parse_period(self.period)
        super().save(*args, **kwargs)


class ReportSnapshot(FuhuaModel):
    """The data of one annual development report, frozen: a published report regenerates identically from it."""

    region = models.ForeignKey("registry.Region", on_delete=models.PROTECT, related_name="steering_reports",
                               verbose_name=_("region"))
    year = models.PositiveSmallIntegerField(_("year"))
    template = models.CharField(_("template"), max_length=60)
    data = models.JSONField(_("data"), editable=False)
    checksum = models.CharField(_("checksum (SHA-256)"), max_length=64, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", editable=False)

    scope = Scope(region="region")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("report snapshot")
        verbose_name_plural = _("report snapshots")

    def __str__(self):
        return f"{self.region} {self.year} · {self.checksum[:12]}"


class Aggregate(models.Model):
    """One metric's value for one region and year, kept current by the periodic task `steering.refresh`.
    Derived data (rebuilt from the registry at any time), so not audited row by row."""

    region_code = models.CharField(max_length=6)
    year = models.PositiveSmallIntegerField()
    metric = models.CharField(max_length=60)
    value = models.FloatField()
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["region_code", "year", "metric"], name="steering_aggregate_key")]
        indexes = [models.Index(fields=["metric", "year"], name="steering_agg_metric_year")]

    def __str__(self):
        return f"{self.region_code} {self.year} {self.metric} = {self.value:g}"
