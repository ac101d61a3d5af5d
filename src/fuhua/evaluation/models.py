"""Performance evaluation (绩效评价): runs of a scheme (a rule pack) over a period and a region,
each carrier's result with its indicator scores, expert review and appeals. Policies read published
grades through `services.published_grades`.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fuhua.core.glossary import GRADES, STATUSES
from fuhua.core.models import FuhuaModel
from fuhua.core.scoping import RestrictedQuerySet, Scope


class Grade(models.TextChoices):
    A = "A", GRADES["A"]  # the words come from the glossary, the same everywhere
    B = "B", GRADES["B"]
    C = "C", GRADES["C"]
    D = "D", GRADES["D"]


GRADE_ORDER = ["A", "B", "C", "D"]  # best first


class RunStatus(models.TextChoices):
    DRAFT = "draft", STATUSES["run_status"]["draft"]
    COMPUTED = "computed", STATUSES["run_status"]["computed"]
    PUBLISHED = "published", STATUSES["run_status"]["published"]
    CLOSED = "closed", STATUSES["run_status"]["closed"]


PUBLIC_STATUSES = (RunStatus.PUBLISHED, RunStatus.CLOSED)


class PublishedOnlyQuerySet(RestrictedQuerySet):
    """Carriers' operators see results only once published: scoping by role, then by the run's status for
    users who are neither bureau staff nor the experts reviewing the run."""

    run_path = "run"

    def restrict(self, user, action: str = "view"):
        from fuhua.accounts.roles import Role, roles_of

        qs = super().restrict(user, action)
        if user and user.is_authenticated and not roles_of(user) & {Role.ADMIN, Role.BUREAU, Role.EXPERT}:
            qs = qs.filter(**{f"{self.run_path}__status__in": PUBLIC_STATUSES})
        return qs


class ResultQuerySet(PublishedOnlyQuerySet):
    run_path = "run"


class ViaResultQuerySet(PublishedOnlyQuerySet):
    run_path = "result__run"


class EvaluationRun(FuhuaModel):
    """A scheme version × period × population (a region). Inputs are snapshotted for re-runs."""

    scheme = models.CharField(_("scheme"), max_length=80)  # rule pack id
    scheme_version = models.DateField(_("scheme version (in force from)"))
    scheme_sha256 = models.CharField(_("scheme checksum"), max_length=64, blank=True, editable=False)
    period = models.PositiveSmallIntegerField(_("period (year)"))
    region = models.ForeignKey("registry.Region", on_delete=models.PROTECT, verbose_name=_("region"))
    status = models.CharField(
        _("status"), max_length=12, choices=RunStatus.choices, default=RunStatus.DRAFT, editable=False
    )
    previous = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                 verbose_name=_("compared with"), editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    computed_at = models.DateTimeField(_("computed"), null=True, blank=True, editable=False)
    published_at = models.DateTimeField(_("published"), null=True, blank=True, editable=False)
    appeal_deadline = models.DateField(_("appeal deadline"), null=True, blank=True)

    scope = Scope(region="region", expert="assignments__expert")

    class Meta:
        ordering = ["-period", "-id"]
        verbose_name = _("evaluation run")
        verbose_name_plural = _("evaluation runs")

    def __str__(self):
        return f"{self.scheme} {self.period} · {self.region}"


class RunSnapshot(FuhuaModel):
    """The run's inputs as a compressed columnar file (see inputs.py for why), with its checksum."""

    run = models.OneToOneField(EvaluationRun, on_delete=models.CASCADE, related_name="snapshot")
    data = models.BinaryField(_("data"))
    sha256 = models.CharField(_("checksum (SHA-256)"), max_length=64)
    carriers = models.PositiveIntegerField(_("carriers"))
    fields = models.PositiveIntegerField(_("fields"))

    scope = Scope(region="run__region")

    class Meta:
        verbose_name = _("run snapshot")
        verbose_name_plural = _("run snapshots")

    def __str__(self):
        return f"{self.run} · {self.sha256[:12]}"


class EvaluationResult(FuhuaModel):
    """One carrier's outcome in a run. Scores are integers in thousandths of a point (exact re-runs)."""

    run = models.ForeignKey(EvaluationRun, on_delete=models.CASCADE, related_name="results")
    carrier = models.ForeignKey(
        "registry.Carrier", on_delete=models.PROTECT, related_name="evaluation_results", verbose_name=_("carrier")
    )
    category = models.CharField(_("category"), max_length=40, blank=True)
    completeness = models.PositiveSmallIntegerField(_("data completeness (%)"), default=0)
    quantitative_milli = models.IntegerField(_("quantitative score (0.001 points)"), default=0)
    qualitative_milli = models.IntegerField(_("expert score (0.001 points)"), default=0)
    bonus_milli = models.IntegerField(_("bonus (0.001 points)"), default=0)
    total_milli = models.IntegerField(_("total score (0.001 points)"), null=True, blank=True)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    grade = models.CharField(_("grade"), max_length=1, choices=Grade.choices, blank=True)
    veto_reason = models.CharField(_("veto"), max_length=300, blank=True)
    incomplete = models.BooleanField(_("incomplete data"), default=False)
    missing = models.JSONField(_("fields not reported"), default=list, blank=True)

    objects = ResultQuerySet.as_manager()
    scope = Scope(
        region="carrier__region", operator="carrier__operator_id",
        association="carrier__memberships__association_id", expert="assignments__expert",
    )

    class Meta:
        ordering = ["run", "rank", "carrier_id"]
        constraints = [models.UniqueConstraint(fields=["run", "carrier"], name="unique_result_per_run")]
        verbose_name = _("evaluation result")
        verbose_name_plural = _("evaluation results")

    def __str__(self):
        return f"{self.carrier} {self.run.period}: {self.grade or '—'}"

    @property
    def total(self) -> float | None:
        return None if self.total_milli is None else self.total_milli / 1000


class IndicatorScore(models.Model):
    """Per result and indicator: the raw value, the normalised score (‰) and the weighted points.

    Derived rows, written in bulk and reproducible from the run's snapshot, so not audited one by one
    (the run's computation and every later change to a result are)."""

    # One integer index only (no unique (result, indicator) text index): a run writes half a million rows,
    # and persist() writes each pair once by construction.
    result = models.ForeignKey(EvaluationResult, on_delete=models.CASCADE, related_name="indicator_scores")
    indicator = models.CharField(_("indicator"), max_length=60)
    raw = models.FloatField(_("value"), null=True, blank=True)
    available = models.BooleanField(_("data reported"), default=True)
    permille = models.PositiveSmallIntegerField(_("score (‰)"), default=0)
    weight_milli = models.IntegerField(_("weight (0.001 points)"), default=0)
    points_milli = models.IntegerField(_("points (0.001 points)"), default=0)

    objects = ViaResultQuerySet.as_manager()
    scope = Scope(region="result__carrier__region", operator="result__carrier__operator_id",
                  expert="result__assignments__expert")

    class Meta:
        ordering = ["result", "id"]
        verbose_name = _("indicator score")
        verbose_name_plural = _("indicator scores")

    def __str__(self):
        return f"{self.result_id} · {self.indicator}: {self.points_milli / 1000:g}"


class ExpertAssignment(FuhuaModel):
    """An expert assigned to review one carrier's result (its qualitative indicators) in a run."""

    run = models.ForeignKey(EvaluationRun, on_delete=models.CASCADE, related_name="assignments")
    result = models.ForeignKey(EvaluationResult, on_delete=models.CASCADE, related_name="assignments",
                               verbose_name=_("result"))
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="expert_assignments",
                               verbose_name=_("expert"))
    note = models.CharField(_("note to the expert"), max_length=300, blank=True)

    scope = Scope(region="run__region", expert="expert")

    class Meta:
        ordering = ["run", "result", "expert"]
        constraints = [models.UniqueConstraint(fields=["result", "expert"], name="unique_expert_per_result")]
        verbose_name = _("expert assignment")
        verbose_name_plural = _("expert assignments")

    def __str__(self):
        return f"{self.expert} → {self.result.carrier}"


class ExpertScore(FuhuaModel):
    """One expert's score (0.001 points, 0..the indicator's maximum) of one qualitative indicator."""

    assignment = models.ForeignKey(ExpertAssignment, on_delete=models.CASCADE, related_name="scores")
    indicator = models.CharField(_("indicator"), max_length=60)
    score_milli = models.IntegerField(_("score (0.001 points)"))
    comment = models.TextField(_("comment"), blank=True)

    scope = Scope(region="assignment__run__region", expert="assignment__expert")

    class Meta:
        ordering = ["assignment", "indicator"]
        constraints = [models.UniqueConstraint(fields=["assignment", "indicator"], name="unique_expert_score")]
        verbose_name = _("expert score")
        verbose_name_plural = _("expert scores")

    def __str__(self):
        return f"{self.assignment} · {self.indicator}: {self.score_milli / 1000:g}"


class AppealStatus(models.TextChoices):
    PENDING = "pending", STATUSES["appeal_status"]["pending"]
    UPHELD = "upheld", STATUSES["appeal_status"]["upheld"]
    REJECTED = "rejected", STATUSES["appeal_status"]["rejected"]


class Appeal(FuhuaModel):
    """A carrier's appeal against its published result, and the bureau's recorded decision."""

    result = models.ForeignKey(EvaluationResult, on_delete=models.PROTECT, related_name="appeals",
                               verbose_name=_("result"))
    reason = models.TextField(_("reason"))
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name=_("filed by"), editable=False)
    status = models.CharField(_("status"), max_length=10, choices=AppealStatus.choices, default=AppealStatus.PENDING,
                              editable=False)
    decision = models.TextField(_("decision"), blank=True, editable=False)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("decided by"), editable=False)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True, editable=False)
    # Upheld with corrected statistics figures {code: value in stored units}; the run is re-scored with them.
    corrections = models.JSONField(_("corrected figures"), default=dict, blank=True, editable=False)
    # What the decision changed: [{carrier, field, before, after}] over every result of the run.
    changes = models.JSONField(_("changes to results"), default=list, blank=True, editable=False)

    objects = ViaResultQuerySet.as_manager()
    scope = Scope(region="result__carrier__region", operator="result__carrier__operator_id")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")

    def __str__(self):
        return f"{self.result.carrier} · {self.get_status_display()}"
