"""REST endpoints of mentoring: the pool, pairings (with their workflow steps), service logs and feedback.
Reads and plain writes come from the CRUD kit; creating a pairing and its steps go through the services."""

from django.db.models import Q
from django.http import Http404
from ninja import Router, Status

from fuhua.core.api_crud import Resource, crud_router, get_scoped, operation, require
from fuhua.core.api_errors import OBJECT_ERRORS, WRITE_ERRORS
from fuhua.core.schemas import StepOut

from . import schemas as s
from . import services
from .models import Feedback, Pairing, PoolMentor, ServiceLog
from .workflow import PAIRING_WORKFLOW

POOL = Resource(PoolMentor, s.PoolMentorOut, s.PoolMentorIn, filters=s.PoolMentorFilters, ordering=("created_at",),
                select_related=("profile", "profile__region"), prefetch_related=("shared_with",),
                search=lambda q: Q(profile__search__icontains=q.lower()))
PAIRINGS = Resource(Pairing, s.PairingOut, filters=s.PairingFilters, ordering=("starts_on", "ends_on", "created_at"),
                    select_related=("mentor__profile", "firm", "team", "carrier"), search=None)
LOGS = Resource(ServiceLog, s.ServiceLogOut, s.ServiceLogIn, filters=s.ServiceLogFilters, ordering=("date", "hours"),
                search=None)
FEEDBACK = Resource(Feedback, s.MentoringFeedbackOut, s.MentoringFeedbackIn, filters=s.MentoringFeedbackFilters,
                    operation_name="mentoring_feedback", ordering=("created_at", "score"), search=None)


def pairings_router() -> Router:
    r = crud_router(PAIRINGS)

    @r.post("", response={201: s.PairingOut, **WRITE_ERRORS},
            **operation("pairing_create", "Propose a pairing (the mentor and the firm are notified)"))
    def create(request, payload: s.PairingIn):
        require(request.auth_user, "add", Pairing)
        pairing = services.propose_pairing(request.auth_user, payload.model_dump())
        return Status(201, get_scoped(PAIRINGS, request.auth_user, pairing.pk))

    @r.get("/{id}/transitions", response={200: list[StepOut], **OBJECT_ERRORS},
           **operation("pairing_transitions", "Steps the current user may take now"))
    def available(request, id: int):
        obj = get_scoped(PAIRINGS, request.auth_user, id)
        return [{"name": t.name, "label": str(t.label), "target": str(t.target), "needs_reason": t.needs_reason}
                for t in PAIRING_WORKFLOW.available(request.auth_user, obj)]

    @r.post("/{id}/transitions/{name}", response={200: s.PairingOut, **WRITE_ERRORS},
            **operation("pairing_transition", "Take a step: activate, complete, end (with a reason)"))
    def take(request, id: int, name: str, payload: s.PairingStepIn):
        obj = get_scoped(PAIRINGS, request.auth_user, id, "change")
        if name not in PAIRING_WORKFLOW.transitions:
            raise Http404
        services.transition(request.auth_user, obj, name, reason=payload.reason)
        return get_scoped(PAIRINGS, request.auth_user, obj.pk)

    return r


def routers() -> dict[str, Router]:
    return {"mentor-pool": crud_router(POOL), "pairings": pairings_router(),
            "mentoring-logs": crud_router(LOGS), "mentoring-feedback": crud_router(FEEDBACK)}
