"""REST endpoints of the demands: demands (with their steps and their matches), challenges (揭榜挂帅) with
their steps, responses (揭榜: submitted through the service, picked, declined or withdrawn through the workflow),
and the open needs that fit the calling mentor or investor. Reads and plain writes come from the CRUD kit."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from ninja import Query, Router, Status

from fuhua.core.api_crud import Resource, crud_router, get_scoped, operation, require
from fuhua.core.api_errors import COMMON_ERRORS, OBJECT_ERRORS, WRITE_ERRORS
from fuhua.core.schemas import StepOut
from fuhua.core.workflow import Workflow

from . import matching, services
from . import schemas as s
from .models import Challenge, ChallengeResponse, Demand
from .workflow import CHALLENGE_WORKFLOW, DEMAND_WORKFLOW, RESPONSE_WORKFLOW

DEMANDS = Resource(Demand, s.DemandOut, s.DemandIn, filters=s.DemandFilters,
                   ordering=("deadline", "published_on", "created_at"), select_related=("firm", "team", "carrier"),
                   search=lambda q: Q(title__icontains=q))
CHALLENGES = Resource(Challenge, s.ChallengeOut, s.ChallengeIn, filters=s.ChallengeFilters,
                      ordering=("deadline", "reward_fen", "published_on"), select_related=("firm",),
                      search=lambda q: Q(title__icontains=q))
RESPONSES = Resource(ChallengeResponse, s.ResponseOut, filters=s.ResponseFilters, ordering=("submitted_on",),
                     select_related=("organisation", "expert"), search=None)


def _steps(router: Router, res: Resource, workflow: Workflow, take, name: str, label: str) -> None:
    @router.get("/{id}/transitions", response={200: list[StepOut], **OBJECT_ERRORS},
                **operation(f"{name}_transitions", "Steps the current user may take now"))
    def available(request, id: int):
        obj = get_scoped(res, request.auth_user, id)
        return [{"name": t.name, "label": str(t.label), "target": str(t.target), "needs_reason": t.needs_reason}
                for t in workflow.available(request.auth_user, obj)]

    @router.post("/{id}/transitions/{name}", response={200: res.out, **WRITE_ERRORS},
                 **operation(f"{name}_transition", label))
    def take_step(request, id: int, name: str, payload: s.DemandStepIn):
        obj = get_scoped(res, request.auth_user, id, "change")
        if name not in workflow.transitions:
            raise Http404
        take(request.auth_user, obj, name, reason=payload.reason)
        return get_scoped(res, request.auth_user, obj.pk)


def demands_router() -> Router:
    r = crud_router(DEMANDS)
    _steps(r, DEMANDS, DEMAND_WORKFLOW, services.transition, "demand",
           "Take a step: publish, match or close (with a note), expire")

    @r.get("/{id}/matches", response={200: list[s.MatchOut], **OBJECT_ERRORS},
           **operation("demand_matches", "Ranked mentors, investors, providers, products, experts and challenges "
                                         "for this need, each with its reasons (kinds: comma-separated)"))
    def matches(request, id: int, kinds: str | None = None):
        demand = get_scoped(DEMANDS, request.auth_user, id)
        wanted = [k for k in (kinds or "").split(",") if k in matching.KINDS] or None
        found = matching.match_demand(request.auth_user, demand, wanted)
        return [{"kind": m.kind, "kind_label": m.kind_label, "id": m.pk, "name": m.name, "detail": m.detail,
                 "score": m.score, "reasons": list(m.reasons), "url": m.url}
                for ms in found.values() for m in ms]

    return r


def challenges_router() -> Router:
    r = crud_router(CHALLENGES)
    _steps(r, CHALLENGES, CHALLENGE_WORKFLOW, services.challenge_transition, "challenge",
           "Take a step: publish, close (with a reason), expire; awarding is picking a response")
    return r


def responses_router() -> Router:
    r = crud_router(RESPONSES)

    @r.post("", response={201: s.ResponseOut, **WRITE_ERRORS},
            **operation("challengeresponse_create", "Respond to an open challenge before its deadline (揭榜)"))
    def create(request, payload: s.ResponseIn):
        require(request.auth_user, "add", ChallengeResponse)
        response = services.respond(request.auth_user, payload.model_dump())
        return Status(201, get_scoped(RESPONSES, request.auth_user, response.pk))

    _steps(r, RESPONSES, RESPONSE_WORKFLOW, services.response_transition, "challengeresponse",
           "Take a step: pick (the others are declined), decline, withdraw")
    return r


def fits_router() -> Router:
    r = Router(tags=["demands"])

    @r.get("", response={200: list[s.DemandFitOut], **COMMON_ERRORS},
           **operation("demand_fits", "Open needs of firms that fit the calling mentor or investor, with reasons"))
    def fits(request, limit: int = Query(10, ge=1, le=50)):
        found = services.fits_for(request.auth_user, limit)
        if found is None:
            raise PermissionDenied("Only mentors and investors have needs matched to them.")
        return [{"demand": d, "score": score, "reasons": list(reasons)} for d, score, reasons in found]

    return r


def routers() -> dict[str, Router]:
    return {"demands": demands_router(), "challenges": challenges_router(),
            "challenge-responses": responses_router(), "demand-fits": fits_router()}
