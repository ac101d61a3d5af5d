"""REST endpoints of events: events (with their steps), series (creating the occurrences), registrations (with
their steps: approve, reject, promote, check in, cancel) and feedback. Reads and plain writes come from the CRUD
kit; registering, series and steps go through the services."""

from django.db.models import Q
from django.http import Http404
from ninja import Router, Status

from fuhua.core.api_crud import Resource, crud_router, get_scoped, operation, require
from fuhua.core.api_errors import OBJECT_ERRORS, WRITE_ERRORS
from fuhua.core.schemas import StepOut

from . import competitions, services
from . import schemas as s
from .models import Application, Event, EventFeedback, EventSeries, InvestmentIntent, Registration, Round, Score
from .workflow import APPLICATION_WORKFLOW, EVENT_WORKFLOW, REGISTRATION_WORKFLOW, ROUND_WORKFLOW

EVENTS = Resource(Event, s.EventOut, s.EventIn, filters=s.EventFilters, ordering=("starts_at", "created_at"),
                  select_related=("carrier", "association"), search=lambda q: Q(title__icontains=q))
SERIES = Resource(EventSeries, s.SeriesOut, filters=s.SeriesFilters, ordering=("first_starts_at", "created_at"),
                  search=lambda q: Q(title__icontains=q))
REGISTRATIONS = Resource(Registration, s.RegistrationOut, filters=s.RegistrationFilters,
                         ordering=("created_at", "waitlist_position"), select_related=("firm", "team"), search=None)
FEEDBACK = Resource(EventFeedback, s.FeedbackOut, s.FeedbackIn, filters=s.FeedbackFilters,
                    ordering=("created_at", "score"), search=None)


ROUNDS = Resource(Round, s.CompetitionRoundOut, s.CompetitionRoundIn, filters=s.CompetitionRoundFilters,
                  ordering=("starts_on", "number"), search=lambda q: Q(name__icontains=q))
APPLICATIONS = Resource(Application, s.CompetitionApplicationOut, filters=s.CompetitionApplicationFilters,
                        operation_name="competition_application", ordering=("created_at", "rank"),
                        select_related=("firm", "team"),
                        search=lambda q: Q(project__icontains=q))
SCORES = Resource(Score, s.ScoreSheetOut, filters=s.ScoreSheetFilters, ordering=("created_at",), search=None)
INTENTS = Resource(InvestmentIntent, s.InvestmentIntentOut, filters=s.InvestmentIntentFilters,
                   ordering=("created_at",), search=None)


def _steps(router: Router, res: Resource, workflow, take):
    @router.get("/{id}/transitions", response={200: list[StepOut], **OBJECT_ERRORS},
                **operation(f"{res.name}_transitions", "Steps the current user may take now"))
    def available(request, id: int):
        obj = get_scoped(res, request.auth_user, id)
        return [{"name": t.name, "label": str(t.label), "target": str(t.target), "needs_reason": t.needs_reason}
                for t in workflow.available(request.auth_user, obj)]

    @router.post("/{id}/transitions/{name}", response={200: res.out, **WRITE_ERRORS},
                 **operation(f"{res.name}_transition", "Take a step (with a reason where it needs one)"))
    def step(request, id: int, name: str, payload: s.EventStepIn):
        obj = get_scoped(res, request.auth_user, id, "change")
        if name not in workflow.transitions:
            raise Http404
        take(request.auth_user, obj, name, reason=payload.reason)
        return get_scoped(res, request.auth_user, obj.pk)


def events_router() -> Router:
    r = crud_router(EVENTS)
    _steps(r, EVENTS, EVENT_WORKFLOW, services.transition)
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

    _steps(r, REGISTRATIONS, REGISTRATION_WORKFLOW, services.step)
    return r


def rounds_router() -> Router:
    r = crud_router(ROUNDS)
    _steps(r, ROUNDS, ROUND_WORKFLOW, competitions.transition)

    @r.post("/{id}/draw", response={200: s.CompetitionRoundOut, **WRITE_ERRORS},
            **operation("round_draw", "Draw the round's judging panel from the expert pool (seed recorded)"))
    def draw(request, id: int, payload: s.PanelDrawIn):
        rnd = get_scoped(ROUNDS, request.auth_user, id, "change")
        competitions.draw_panel(request.auth_user, rnd, seed=payload.seed)
        return get_scoped(ROUNDS, request.auth_user, rnd.pk)

    @r.post("/{id}/advance", response={200: list[s.CompetitionApplicationOut], **WRITE_ERRORS},
            **operation("round_advance", "Announce a published round's outcome (advance to the next round or award)"))
    def advance(request, id: int, payload: s.EventStepIn):
        rnd = get_scoped(ROUNDS, request.auth_user, id, "change")
        ahead, _behind = competitions.advance(request.auth_user, rnd)
        return ahead

    @r.get("/{id}/ranking", response={200: list[s.RoundStandingOut], **OBJECT_ERRORS},
           **operation("round_ranking", "The round's ranking (weighted mean; ties by the heaviest criterion)"))
    def ranking(request, id: int):
        rnd = get_scoped(ROUNDS, request.auth_user, id)
        visible = set(Application.objects.restrict(request.auth_user).filter(event_id=rnd.event_id)
                      .values_list("pk", flat=True))
        if not (competitions.check(request.auth_user, "change", rnd.event) or rnd.status == "published"):
            return []
        return [{"application_id": st.application.pk, "project": st.application.project, "rank": st.rank,
                 "mean": st.mean, "sheets": st.sheets} for st in competitions.ranking(rnd)
                if st.application.pk in visible]

    return r


def applications_router() -> Router:
    r = crud_router(APPLICATIONS)
    _steps(r, APPLICATIONS, APPLICATION_WORKFLOW,
           lambda user, obj, name, reason="": APPLICATION_WORKFLOW.apply(user, obj, name, reason=reason))
    return r


def scores_router() -> Router:
    r = crud_router(SCORES)

    @r.post("", response={201: s.ScoreSheetOut, **WRITE_ERRORS},
            **operation("score_create", "Fill (or replace) the expert's score sheet for an application"))
    def create(request, payload: s.ScoreSheetIn):
        require(request.auth_user, "add", Score)
        rnd = get_scoped(ROUNDS, request.auth_user, payload.round)
        application = get_scoped(APPLICATIONS, request.auth_user, payload.application)
        score = competitions.score(request.auth_user, rnd, application, payload.values, payload.comment)
        return Status(201, get_scoped(SCORES, request.auth_user, score.pk))

    return r


def intents_router() -> Router:
    r = crud_router(INTENTS)

    @r.post("", response={201: s.InvestmentIntentOut, **WRITE_ERRORS},
            **operation("investmentintent_create", "Record an investment intent at a roadshow (becomes a deal)"))
    def create(request, payload: s.InvestmentIntentIn):
        require(request.auth_user, "add", InvestmentIntent)
        intent = competitions.record_intent(request.auth_user, payload.model_dump(exclude_unset=True))
        return Status(201, get_scoped(INTENTS, request.auth_user, intent.pk))

    return r


def routers() -> dict[str, Router]:
    return {"events": events_router(), "event-series": series_router(), "event-registrations": registrations_router(),
            "event-feedback": crud_router(FEEDBACK), "competition-rounds": rounds_router(),
            "competition-applications": applications_router(), "score-sheets": scores_router(),
            "investment-intents": intents_router()}
