"""Evaluation pages: runs (list, create, detail with the distribution chart, steps, export), results
(list, scorecard with expert scoring and appeals), appeals (detail, decision). Thin: services do the work."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from fuhua.core import glossary
from fuhua.core.exports import announce_export
from fuhua.core.forms import add_service_errors
from fuhua.core.scoping import check
from fuhua.core.views import generic as g
from fuhua.registry.models import Region

from . import explain, review, services
from .chart import REFERENCES, distribution_svg
from .consequences import revocation_proposals
from .export import workbook
from .forms import (
    AppealFilter,
    AppealForm,
    AssignForm,
    DecisionForm,
    DrawForm,
    ResultFilter,
    RunForm,
    RunResultFilter,
    ScoreForm,
)
from .models import Appeal, EvaluationResult, EvaluationRun, ExpertAssignment
from .workflow import APPEAL_WORKFLOW, RUN_WORKFLOW


class ScopedPostView(g.ScopedMixin, View):
    """An action taken by POST on one object; a GET answers 404 out of scope, else 405."""

    def get(self, request, pk):
        self.get_object()  # out of reach: 404 before saying the method is wrong
        return HttpResponseNotAllowed(["POST"])



def _errors(exc: ValidationError) -> str:
    return "; ".join(exc.messages)


class RunList(g.ObjectListView):
    model = EvaluationRun
    search_paths = ("scheme",)
    default_sort = "-period"
    select_related = ("region",)
    columns = [
        g.Column("scheme", sort="scheme", link=True), g.Column("period", sort="period"),
        g.Column("region", sort="region"), g.Column("status", sort="status"),
        g.Column("computed_at", sort="computed_at"), g.Column("published_at", sort="published_at"),
    ]


class RunCreate(g.ScopedMixin, View):
    action = "add"
    model = EvaluationRun

    def get(self, request):
        return self._render(RunForm(user=request.user))

    def post(self, request):
        form = RunForm(request.POST, user=request.user)
        if form.is_valid():
            region = Region.objects.filter(code=form.cleaned_data["region"]).first()
            if region is None:
                form.add_error("region", _("Unknown region code."))
            else:
                try:
                    run = services.create_run(request.user, form.cleaned_data["scheme"], form.cleaned_data["period"],
                                              region, form.cleaned_data["appeal_deadline"])
                except ValidationError as exc:
                    add_service_errors(form, exc)
                else:
                    return redirect(g.object_url(run))
        return self._render(form, status=400)

    def _render(self, form, status=200):
        return render(self.request, "core/object_form.html",
                      self.base_context(form=form, object=None, cancel_url=g.model_url(EvaluationRun)), status=status)


def _in_sight(rows: list[dict], results) -> list[dict]:
    """Rows about carriers whose result the user may view (an expert its assigned ones only)."""
    visible = set(results.values_list("carrier_id", flat=True))
    return [row for row in rows if row["carrier_id"] in visible]


class RunDetail(g.ObjectListView):
    """The run page: its distribution, steps and comparison, then its per-carrier results as a generic list
    (search, grade and data filters, sorting, pages, CSV/XLSX export of the filtered rows); htmx swaps the
    table alone. A run of a province has thousands of results: never rendered at once."""

    model = EvaluationResult  # the rows; the run itself is checked and scoped in get()
    template_name = "evaluation/run_detail.html"
    filter_form = RunResultFilter
    search_paths = ("carrier__search",)
    default_sort = "rank"
    select_related = ("carrier",)
    columns = [
        g.Column("rank", gettext_lazy("rank"), sort="rank"),
        g.Column("carrier", gettext_lazy("carrier"), sort="carrier__name", link=True),
        g.Column("category", gettext_lazy("category"), sort="category",
                 value=lambda r: glossary.word(r.category, None, "evaluation_category") if r.category else ""),
        g.Column("total", gettext_lazy("total score"), sort="total_milli"),
        g.Column("grade", gettext_lazy("grade"), sort="grade"),
        g.Column("veto_reason", gettext_lazy("veto")),
        g.Column("completeness", gettext_lazy("data completeness (%)"), sort="completeness"),
        g.Column("incomplete", gettext_lazy("incomplete data"), sort="incomplete"),
    ]

    def role_check(self, user):
        return check(user, "view", EvaluationRun)

    def get(self, request, pk):
        self.run = get_object_or_404(EvaluationRun.objects.restrict(request.user, "view"), pk=pk)
        return super().get(request)

    def get_queryset(self):
        return EvaluationResult.objects.restrict(self.request.user).filter(run=self.run)

    def base_context(self, **extra):
        context = super().base_context(**extra)
        run = self.run
        if self.request.htmx and self.request.htmx.target == "results":
            return context  # the table alone
        dist = services.distribution(run)
        results = self.get_queryset()
        context.update(
            object=run, model_meta=EvaluationRun._meta, list_url=g.model_url(EvaluationRun), can_add=False,
            tab="detail", actions=g.object_actions(self.request.user, run),
            dist=dist, chart=distribution_svg(dist["grades"], REFERENCES, _("this run")),
            comparison=services.compare(run, user=self.request.user),
            transitions=RUN_WORKFLOW.available(self.request.user, run), scheme=services.scheme_of(run),
            revocations=_in_sight(revocation_proposals(run), results),
        )
        return context


class RunTransition(ScopedPostView):
    model = EvaluationRun
    action = "change"

    def post(self, request, pk):
        run = self.get_object()
        name = request.POST.get("transition", "")
        if name not in RUN_WORKFLOW.transitions:
            messages.error(request, _("Unknown step."))
        else:
            try:
                services.transition(request.user, run, name, request.POST.get("reason", ""))
                messages.success(request, _("Done: %(step)s.") % {"step": RUN_WORKFLOW.transitions[name].label})
            except ValidationError as exc:
                messages.error(request, _errors(exc))
        return redirect(g.object_url(run))


class RunExport(g.ScopedMixin, View):
    model = EvaluationRun

    def get(self, request, pk):
        run = self.get_object()
        results = EvaluationResult.objects.restrict(request.user).filter(run=run)
        response = HttpResponse(workbook(run, services.scheme_of(run), results),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="evaluation-{run.pk}.xlsx"'
        announce_export(request, "evaluation.evaluationresult", results.count(), filters={"run": run.pk})
        return response


class RunHistory(g.ObjectHistoryView):
    model = EvaluationRun


class ResultList(g.ObjectListView):
    model = EvaluationResult
    filter_form = ResultFilter
    search_paths = ("carrier__search",)
    default_sort = "rank"
    select_related = ("carrier", "run", "run__region")
    columns = [
        g.Column("carrier", sort="carrier__name", link=True), g.Column("run", gettext_lazy("run"), sort="run"),
        g.Column("grade", sort="grade"), g.Column("total", gettext_lazy("total score"), sort="total_milli"),
        g.Column("rank", sort="rank"), g.Column("category", sort="category"),
        g.Column("incomplete", sort="incomplete"), g.Column("veto_reason"),
    ]


class ResultDetail(g.ObjectDetailView):
    model = EvaluationResult
    template_name = "evaluation/result_detail.html"

    def get(self, request, pk):
        result = self.get_object()
        user = request.user
        card = explain.scorecard(result, with_experts=services.sees_expert_scores(user))
        assignment = ExpertAssignment.objects.filter(result=result, expert=user).first() if user.pk else None
        context = self.detail_context(
            result, card=card, assignment=assignment,
            can_appeal=bool(review.may_appeal(user, result)), can_assign=bool(review.may_assign(user, result)),
            appeals=Appeal.objects.restrict(user).filter(result=result),
            assignments=ExpertAssignment.objects.restrict(user).filter(result=result).select_related("expert"),
            appeal_form=AppealForm(), assign_form=AssignForm(), draw_form=DrawForm(),
        )
        return render(request, self.template_name, context)


class ResultHistory(g.ObjectHistoryView):
    model = EvaluationResult


class _ResultPost(ScopedPostView):
    """POST-only actions on a result page; errors come back as messages on the scorecard."""

    model = EvaluationResult

    def post(self, request, pk):
        result = self.get_object()
        try:
            self.act(request, result)
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        return redirect(g.object_url(result))


class ResultAppeal(_ResultPost):
    def act(self, request, result):
        form = AppealForm(request.POST)
        if not form.is_valid():
            raise ValidationError(form.errors.as_text())
        review.file_appeal(request.user, result, form.cleaned_data["reason"])
        messages.success(request, _("Your appeal was filed."))


class ResultAssign(_ResultPost):
    def act(self, request, result):
        form = AssignForm(request.POST)
        if not form.is_valid():
            raise ValidationError(form.errors.as_text())
        review.assign_expert(request.user, result, form.cleaned_data["expert"])
        messages.success(request, _("The expert was assigned."))


class ResultDraw(_ResultPost):
    """Draw the result's reviewers from the expert pool; the draw's page shows who was drawn and who was left
    out, and why."""

    def post(self, request, pk):
        result = self.get_object()
        form = DrawForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError(form.errors.as_text())
            draw_record, assignments = review.draw_from_pool(
                request.user, result, form.cleaned_data["size"], seed=form.cleaned_data["seed"])
        except ValidationError as exc:
            messages.error(request, _errors(exc))
            return redirect(g.object_url(result))
        messages.success(request, _("%(count)d experts were drawn from the pool and assigned.") % {
            "count": len(assignments)})
        return redirect(reverse("registry:expertdraw_detail", kwargs={"pk": draw_record.pk}))


class AssignmentDetail(g.ObjectDetailView):
    model = ExpertAssignment


class AssignmentScore(ScopedPostView):
    model = ExpertAssignment
    action = "change"

    def post(self, request, pk):
        assignment = self.get_object()
        form = ScoreForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError(form.errors.as_text())
            review.score_indicator(request.user, assignment, form.cleaned_data["indicator"],
                                   form.cleaned_data["score"], form.cleaned_data["comment"])
            messages.success(request, _("Score saved."))
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        return redirect(reverse("evaluation:evaluationresult_detail", kwargs={"pk": assignment.result_id}))


class AppealList(g.ObjectListView):
    model = Appeal
    filter_form = AppealFilter
    search_paths = ("result__carrier__search",)
    default_sort = "-created_at"
    select_related = ("result", "result__carrier", "result__run")
    columns = [g.Column("result", gettext_lazy("result"), link=True), g.Column("status", sort="status"),
               g.Column("created_at", sort="created_at"), g.Column("decided_at", sort="decided_at")]


class AppealDetail(g.ObjectDetailView):
    model = Appeal
    template_name = "evaluation/appeal_detail.html"

    def get(self, request, pk):
        appeal = self.get_object()
        can_decide = bool(APPEAL_WORKFLOW.can(request.user, appeal, "reject"))
        return render(request, self.template_name, self.detail_context(
            appeal, can_decide=can_decide, form=DecisionForm(), result_url=g.object_url(appeal.result)))


class AppealDecide(ScopedPostView):
    model = Appeal
    action = "change"

    def post(self, request, pk):
        appeal = self.get_object()
        form = DecisionForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError(form.errors.as_text())
            data = form.cleaned_data
            review.decide_appeal(request.user, appeal, data["upheld"], data["decision"], data["corrections"])
            messages.success(request, _("The decision was recorded."))
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        except PermissionDenied:
            raise
        return redirect(g.object_url(appeal))


class AppealHistory(g.ObjectHistoryView):
    model = Appeal


