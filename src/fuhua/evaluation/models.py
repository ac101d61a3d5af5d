"""Performance evaluation (绩效评价): runs of a scheme (a rule pack) over a period and a region,
and each carrier's result. Policies read published grades through `services.published_grades`."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fuhua.core.models import FuhuaModel
from fuhua.core.scoping import Scope


class Grade(models.TextChoices):
    A = "A", _("excellent (优秀)")
    B = "B", _("good (良好)")
    C = "C", _("qualified (合格)")
    D = "D", _("failed (不合格)")


GRADE_ORDER = ["A", "B", "C", "D"]  # best first


class RunStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    COMPUTED = "computed", _("computed")
    PUBLISHED = "published", _("published")
    CLOSED = "closed", _("appeals closed")


class EvaluationRun(FuhuaModel):
    """A scheme version × period × population (a region). Inputs are snapshotted for re-runs."""

    scheme = models.CharField(_("scheme"), max_length=80)  # rule pack id
    scheme_version = models.DateField(_("scheme version (in force from)"))
    period = models.PositiveSmallIntegerField(_("period (year)"))
    region = models.ForeignKey("registry.Region", on_delete=models.PROTECT, verbose_name=_("region"))
    status = models.CharField(
        _("status"), max_length=12, choices=RunStatus.choices, default=RunStatus.DRAFT, editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    computed_at = models.DateTimeField(_("computed"), null=True, blank=True, editable=False)
    published_at = models.DateTimeField(_("published"), null=True, blank=True, editable=False)
    appeal_deadline = models.DateField(_("appeal deadline"), null=True, blank=True)

    scope = Scope(region="region")

    class Meta:
        ordering = ["-period", "-id"]
        verbose_name = _("evaluation run")
        verbose_name_plural = _("evaluation runs")

    def __str__(self):
        return f"{self.scheme} {self.period} · {self.region}"


class EvaluationResult(FuhuaModel):
    """One carrier's outcome in a run. Scores are integers in thousandths of a point (exact re-runs)."""

    run = models.ForeignKey(EvaluationRun, on_delete=models.CASCADE, related_name="results")
    carrier = models.ForeignKey(
        "registry.Carrier", on_delete=models.PROTECT, related_name="evaluation_results", verbose_name=_("carrier")
    )
    total_milli = models.IntegerField(_("total score (0.001 points)"), null=True, blank=True)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    grade = models.CharField(_("grade"), max_length=1, choices=Grade.choices, blank=True)
    veto_reason = models.CharField(_("veto"), max_length=300, blank=True)
    incomplete = models.BooleanField(_("incomplete data"), default=False)

    scope = Scope(
        region="carrier__region", operator="carrier__operator_id",
        association="carrier__memberships__association_id",
    )

    class Meta:
        ordering = ["run", "rank", "carrier_id"]
        constraints = [models.UniqueConstraint(fields=["run", "carrier"], name="unique_result_per_run")]
        verbose_name = _("evaluation result")
        verbose_name_plural = _("evaluation results")

    def __str__(self):
        return f"{self.carrier} {self.run.period}: {self.grade or '—'}"
