"""REST endpoints of incubation records: CRUD (status read-only) plus the workflow's transitions."""

from django.http import Http404
from ninja import Router

from fuhua.core.api_crud import Resource, crud_router, get_scoped, operation
from fuhua.core.api_errors import OBJECT_ERRORS, WRITE_ERRORS

from . import lifecycle
from . import schemas as s
from .models import Incubation
from .workflow import INCUBATION_WORKFLOW

INCUBATIONS = Resource(
    Incubation, s.IncubationOut, s.IncubationIn, filters=s.IncubationFilters,
    ordering=("entered_on", "applied_on", "status", "created_at"), select_related=("firm", "team", "carrier"),
    search=s.search_incubation,
)


def _transition(obj, name: str):
    transition = INCUBATION_WORKFLOW.transitions.get(name)
    if transition is None:
        raise Http404
    return transition


def _describe(transition) -> dict:
    return {"name": transition.name, "label": str(transition.label), "target": str(transition.target),
            "needs_reason": transition.needs_reason}


def router() -> Router:
    r = crud_router(INCUBATIONS)

    @r.get("/{id}/transitions", response={200: list[s.TransitionOut], **OBJECT_ERRORS},
           **operation("incubation_transitions", "Transitions the current user may take now"))
    def available_transitions(request, id: int):
        obj = get_scoped(INCUBATIONS, request.auth_user, id)
        return [_describe(t) for t in INCUBATION_WORKFLOW.available(request.auth_user, obj)]

    @r.post("/{id}/transitions/{name}", response={200: s.IncubationOut, **WRITE_ERRORS},
            **operation("incubation_transition", "Take a transition: admit, start, graduate, exit, expire"))
    def take_transition(request, id: int, name: str, payload: s.TransitionIn):
        obj = get_scoped(INCUBATIONS, request.auth_user, id, "change")
        _transition(obj, name)
        lifecycle.take_transition(request.auth_user, obj, name, reason=payload.reason, on=payload.on,
                                  override=payload.override)
        return INCUBATIONS.queryset(request.auth_user, "view").get(pk=obj.pk)

    return r
