"""REST endpoints of evaluation: runs (create, transitions, distribution, comparison, export), results
with their scorecards, appeals (file, decide) and expert assignments (assign, score). Thin: the services
do the work; every query starts from `restrict`."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from ninja import Router, Status

from fuhua.core.api_crud import Resource, crud_router, get_scoped, operation, require
from fuhua.core.api_errors import OBJECT_ERRORS, WRITE_ERRORS
from fuhua.core.exports import announce_export
from fuhua.core.schemas import StepOut
from fuhua.registry.models import Region

from . import explain, review, services
from . import schemas as s
from .export import workbook
from .models import Appeal, EvaluationResult, EvaluationRun, ExpertAssignment
from .workflow import RUN_WORKFLOW

RUNS = Resource(EvaluationRun, s.EvaluationRunOut, filters=s.RunFilters, ordering=("period", "created_at", "scheme"),
                select_related=("region",), search=None)
RESULTS = Resource(EvaluationResult, s.ResultOut, filters=s.ResultFilters,
                   ordering=("rank", "total_milli", "grade", "completeness"), select_related=("carrier",),
                   search=lambda q: Q(carrier__search__icontains=q.lower()))
APPEALS = Resource(Appeal, s.AppealOut, filters=s.AppealFilters, ordering=("created_at", "status"), search=None)
ASSIGNMENTS = Resource(ExpertAssignment, s.AssignmentOut, filters=s.AssignmentFilters, ordering=("created_at",),
                       search=None)


def _region(code: str) -> Region:
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise ValidationError({"region": f"unknown region {code}"})
    return region


def runs_router() -> Router:
    r = crud_router(RUNS)

    @r.post("", response={201: s.EvaluationRunOut, **WRITE_ERRORS},
            **operation("evaluationrun_create", "Create a draft run of a scheme for a period and region"))
    def create_run(request, payload: s.EvaluationRunIn):
        require(request.auth_user, "add", EvaluationRun)
        run = services.create_run(request.auth_user, payload.scheme, payload.period, _region(payload.region),
                                  payload.appeal_deadline)
        return Status(201, RUNS.queryset(request.auth_user, "view").get(pk=run.pk))

    @r.get("/{id}/transitions", response={200: list[StepOut], **OBJECT_ERRORS},
           **operation("evaluationrun_transitions", "Steps the current user may take now"))
    def transitions(request, id: int):
        run = get_scoped(RUNS, request.auth_user, id)
        return [{"name": t.name, "label": str(t.label), "target": str(t.target)}
                for t in RUN_WORKFLOW.available(request.auth_user, run)]

    @r.post("/{id}/transitions/{name}", response={200: s.EvaluationRunOut, **WRITE_ERRORS},
            **operation("evaluationrun_transition", "Take a step: compute, recompute, publish, close"))
    def take(request, id: int, name: str, payload: s.RunStepIn):
        run = get_scoped(RUNS, request.auth_user, id, "change")
        if name not in RUN_WORKFLOW.transitions:
            raise Http404
        services.transition(request.auth_user, run, name, payload.reason)
        return RUNS.queryset(request.auth_user, "view").get(pk=run.pk)

    @r.get("/{id}/distribution", response={200: s.DistributionOut, **OBJECT_ERRORS},
           **operation("evaluationrun_distribution", "Grade distribution of the run"))
    def distribution(request, id: int):
        return services.distribution(get_scoped(RUNS, request.auth_user, id))

    @r.get("/{id}/comparison", response={200: s.ComparisonOut, **OBJECT_ERRORS},
           **operation("evaluationrun_comparison", "Grades compared with the previous published run"))
    def comparison(request, id: int):
        c = services.compare(get_scoped(RUNS, request.auth_user, id), user=request.auth_user)
        return {"previous": c.previous.pk if c.previous else None, "up": c.up, "down": c.down, "same": c.same,
                "matrix": [{"before": b, "after": a, "count": n} for (b, a), n in sorted(c.matrix.items())],
                "movers": [{"carrier": m[0], "before": m[1], "after": m[2]} for m in c.movers]}

    @r.get("/{id}/export", response={200: None, **OBJECT_ERRORS},
           **operation("evaluationrun_export", "The results table as an Excel workbook"))
    def export(request, id: int):
        run = get_scoped(RUNS, request.auth_user, id)
        results = RESULTS.queryset(request.auth_user, "view").filter(run=run)
        response = HttpResponse(workbook(run, services.scheme_of(run), results),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="evaluation-{run.pk}.xlsx"'
        announce_export(request, "evaluation.evaluationresult", results.count(), filters={"run": run.pk},
                        user=request.auth_user)
        return response

    return r


def results_router() -> Router:
    r = crud_router(RESULTS)

    @r.get("/{id}/scorecard", response={200: dict, **OBJECT_ERRORS},
           **operation("evaluationresult_scorecard", "Every indicator with data, formula, normalisation and "
                                                     "citation, and what would raise the grade"))
    def scorecard(request, id: int):
        result = get_scoped(RESULTS, request.auth_user, id)
        return explain.scorecard(result, with_experts=services.sees_expert_scores(request.auth_user))

    return r


def appeals_router() -> Router:
    r = crud_router(APPEALS)

    @r.post("", response={201: s.AppealOut, **WRITE_ERRORS},
            **operation("appeal_create", "Appeal against a published result, within the appeal window"))
    def file(request, payload: s.AppealIn):
        require(request.auth_user, "add", Appeal)
        result = get_scoped(RESULTS, request.auth_user, payload.result)
        return Status(201, review.file_appeal(request.auth_user, result, payload.reason))

    @r.post("/{id}/decision", response={200: s.AppealOut, **WRITE_ERRORS},
            **operation("appeal_decide", "Uphold (with corrected figures, re-scoring the run) or reject"))
    def decide(request, id: int, payload: s.DecisionIn):
        appeal = get_scoped(APPEALS, request.auth_user, id, "change")
        return review.decide_appeal(request.auth_user, appeal, payload.upheld, payload.reason, payload.corrections)

    return r


def assignments_router() -> Router:
    r = crud_router(ASSIGNMENTS)

    @r.post("", response={201: s.AssignmentOut, **WRITE_ERRORS},
            **operation("expertassignment_create", "Assign an expert to review a result (conflicts refused)"))
    def assign(request, payload: s.AssignmentIn):
        require(request.auth_user, "add", ExpertAssignment)
        result = get_scoped(RESULTS, request.auth_user, payload.result)
        expert = get_user_model().objects.filter(pk=payload.expert, is_active=True).first()
        if expert is None:
            raise ValidationError({"expert": "unknown user"})
        return Status(201, review.assign_expert(request.auth_user, result, expert))

    @r.post("/{id}/scores", response={200: s.ScoreOut, **WRITE_ERRORS},
            **operation("expertassignment_score", "The assigned expert scores a qualitative indicator"))
    def score(request, id: int, payload: s.ScoreIn):
        assignment = get_scoped(ASSIGNMENTS, request.auth_user, id, "change")
        return review.score_indicator(request.auth_user, assignment, payload.indicator, payload.score,
                                      payload.reason)

    return r


def routers() -> dict[str, Router]:
    """URL prefix → router; api.py mounts each under /api/v1/<prefix>."""
    return {"evaluation-runs": runs_router(), "evaluation-results": results_router(), "appeals": appeals_router(),
            "expert-assignments": assignments_router()}

