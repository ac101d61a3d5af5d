"""REST endpoints of events: events (with their steps), series (creating the occurrences), registrations (with
their steps: approve, reject, promote, check in, cancel) and feedback. Reads and plain writes come from the CRUD
kit; registering, series and steps go through the services."""

from django.db.models import Q
from django.http import Http404
from ninja import Router, Status

from fuhua.core.api_crud import Resource, crud_router, get_scoped, operation, require
from fuhua.core.api_errors import OBJECT_ERRORS, WRITE_ERRORS
from fuhua.core.schemas import StepOut

from . import schemas as s
from . import services
from .models import Event, EventFeedback, EventSeries, Registration
from .workflow import EVENT_WORKFLOW, REGISTRATION_WORKFLOW

EVENTS = Resource(Event, s.EventOut, s.EventIn, filters=s.EventFilters, ordering=("starts_at", "created_at"),
                  select_related=("carrier", "association"), search=lambda q: Q(title__icontains=q))
SERIES = Resource(EventSeries, s.SeriesOut, filters=s.SeriesFilters, ordering=("first_starts_at", "created_at"),
                  search=lambda q: Q(title__icontains=q))
REGISTRATIONS = Resource(Registration, s.RegistrationOut, filters=s.RegistrationFilters,
                         ordering=("created_at", "waitlist_position"), select_related=("firm", "team"), search=None)
FEEDBACK = Resource(EventFeedback, s.FeedbackOut, s.FeedbackIn, filters=s.FeedbackFilters,
                    ordering=("created_at", "score"), search=None)


def _steps(router: Router, res: Resource, workflow, op: str, take):
    @router.get("/{id}/transitions", response={200: list[StepOut], **OBJECT_ERRORS},
                **operation(f"{op}_transitions", "Steps the current user may take now"))
    def available(request, id: int):
        obj = get_scoped(res, request.auth_user, id)
        return [{"name": t.name, "label": str(t.label), "target": str(t.target), "needs_reason": t.needs_reason}
                for t in workflow.available(request.auth_user, obj)]

    @router.post("/{id}/transitions/{name}", response={200: res.out, **WRITE_ERRORS},
                 **operation(f"{op}_transition", "Take a step (with a reason where it needs one)"))
    def step(request, id: int, name: str, payload: s.EventStepIn):
        obj = get_scoped(res, request.auth_user, id, "change")
        if name not in workflow.transitions:
            raise Http404
        take(request.auth_user, obj, name, reason=payload.reason)
        return get_scoped(res, request.auth_user, obj.pk)


def events_router() -> Router:
    r = crud_router(EVENTS)
    _steps(r, EVENTS, EVENT_WORKFLOW, "event", services.transition)
    return r


def series_router() -> Router:
    r = crud_router(SERIES)

    @r.post("", response={201: s.SeriesOut, **WRITE_ERRORS},
            **operation("eventseries_create", "Create a series and its occurrences (as drafts)"))
    def create(request, payload: s.SeriesIn):
        require(request.auth_user, "add", EventSeries)
        series, _events = services.create_series(request.auth_user, payload.model_dump(exclude_unset=True))
        return Status(201, get_scoped(SERIES, request.auth_user, series.pk))

    return r


def registrations_router() -> Router:
    r = crud_router(REGISTRATIONS)

    @r.post("", response={201: s.RegistrationOut, **WRITE_ERRORS},
            **operation("registration_create", "Register (confirmed, waiting for approval, or on the waitlist)"))
    def create(request, payload: s.RegistrationIn):
        require(request.auth_user, "add", Registration)
        registration = services.register(request.auth_user, payload.model_dump(exclude_unset=True))
        return Status(201, get_scoped(REGISTRATIONS, request.auth_user, registration.pk))

    _steps(r, REGISTRATIONS, REGISTRATION_WORKFLOW, "registration", services.step)
    return r


def routers() -> dict[str, Router]:
    return {"events": events_router(), "event-series": series_router(), "event-registrations": registrations_router(),
            "event-feedback": crud_router(FEEDBACK)}
