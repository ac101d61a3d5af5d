"""Events pages: events (organiser: create, publish, registrations, check-in, attendance and feedback), series,
registrations (the organiser's approvals and check-in list; a firm's own registrations), feedback, and the
iCalendar feed of the events in the user's scope. Lists and forms are the generic ones; writes go through
services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from fuhua.core.forms import add_service_errors
from fuhua.core.scoping import check
from fuhua.core.uploads import size_problem
from fuhua.core.views import generic as g
from fuhua.core.views.steps import StepsMixin

from . import competitions, services
from .forms import (
    ApplicationFilter,
    ApplicationForm,
    EventFilter,
    EventForm,
    FeedbackForm,
    IntentForm,
    RegistrationFilter,
    RegistrationForm,
    RoundFilter,
    RoundForm,
    ScoreSheetForm,
    SeriesForm,
)
from .ical import calendar_bytes
from .models import (
    MAX_DECK_BYTES,
    Application,
    Event,
    EventFeedback,
    EventSeries,
    InvestmentIntent,
    Registration,
    Round,
    Score,
)
from .workflow import APPLICATION_WORKFLOW, EVENT_WORKFLOW, IRREVERSIBLE, REGISTRATION_WORKFLOW, ROUND_WORKFLOW

EVENT_COLUMNS = [
    g.Column("title", gettext_lazy("title"), link=True), g.Column("kind", gettext_lazy("kind"), sort="kind"),
    g.Column("organiser", gettext_lazy("organiser")), g.Column("starts_at", gettext_lazy("starts at"),
                                                               sort="starts_at"),
    g.Column("place", gettext_lazy("place")), g.Column("capacity", gettext_lazy("capacity")),
    g.Column("status", gettext_lazy("status"), sort="status"),
]
REGISTRATION_COLUMNS = [
    g.Column("participant", gettext_lazy("registrant"), link=True), g.Column("event", gettext_lazy("event")),
    g.Column("person", gettext_lazy("participant")), g.Column("contact", gettext_lazy("contact")),
    g.Column("status", gettext_lazy("status"), sort="status"),
    g.Column("waitlist_position", gettext_lazy("waitlist position"), sort="waitlist_position"),
    g.Column("checked_in_at", gettext_lazy("checked in at"), sort="checked_in_at"),
]


class _Steps(StepsMixin):
    """The detail page posts its own steps; a reader's POST gets the page back."""

    irreversible = IRREVERSIBLE

    def post(self, request, pk):
        obj = self.get_object()
        if not check(request.user, "change", obj):
            return g.ObjectDetailView.get(self, request, pk=pk)
        return self.take_step(request, obj)


class EventList(g.ObjectListView):
    model = Event
    filter_form = EventFilter
    search_paths = ("title",)
    default_sort = "-starts_at"
    select_related = ("carrier", "association", "region")
    columns = EVENT_COLUMNS


class EventDetail(_Steps, g.ObjectDetailView):
    model = Event
    template_name = "events/detail.html"
    workflow = EVENT_WORKFLOW
    fields = ["kind", "title", "carrier", "association", "region", "co_organisers", "series", "starts_at", "ends_at",
              "registration_deadline", "place", "online_url", "capacity", "waitlist", "approval_required",
              "investors", "description", "status", "cancel_reason"]

    def take(self, user, obj, name, reason):
        services.transition(user, obj, name, reason=reason)

    def sections(self, obj):
        user = self.request.user
        registrations = Registration.objects.restrict(user).filter(event=obj).select_related("event", "firm", "team")
        feedback = EventFeedback.objects.restrict(user).filter(registration__event=obj).select_related(
            "registration__event", "registration__firm", "registration__team")
        add = f"{reverse('events:registration_create')}?event={obj.pk}" if check(user, "add", Registration) else None
        judged = []
        if obj.kind in ("roadshow", "competition"):
            rounds = Round.objects.restrict(user).filter(event=obj).select_related("event")
            applications = Application.objects.restrict(user).filter(event=obj).select_related(
                "event", "firm", "team", "round")
            intents = InvestmentIntent.objects.restrict(user).filter(event=obj).select_related(
                "investor", "application")
            add_round = (f"{reverse('events:round_create')}?event={obj.pk}"
                         if check(user, "change", obj) and check(user, "add", Round) else None)
            apply = (f"{reverse('events:application_create')}?event={obj.pk}"
                     if check(user, "add", Application) and obj.status == "published" else None)
            judged = [g.Section(_("Rounds"), ROUND_COLUMNS, list(rounds), add_round),
                      g.Section(_("Applications"), APPLICATION_COLUMNS, list(applications[:500]), apply),
                      g.Section(_("Investment intents"), INTENT_COLUMNS, list(intents[:500]))]
        return [*judged,
                g.Section(_("Registrations and check-in"), REGISTRATION_COLUMNS, list(registrations[:500]), add),
                g.Section(_("Feedback"), [g.Column("registration", gettext_lazy("registration"), link=True),
                                          g.Column("score", gettext_lazy("score (1–5)")),
                                          g.Column("comment", gettext_lazy("comment"))], list(feedback[:500]))]


class EventCreate(g.ObjectCreateView):
    model = Event
    form_class = EventForm


class EventEdit(g.ObjectEditView):
    model = Event
    form_class = EventForm


class EventDelete(g.ObjectDeleteView):
    model = Event


class EventHistory(g.ObjectHistoryView):
    model = Event


class SeriesList(g.ObjectListView):
    model = EventSeries
    search_paths = ("title",)
    default_sort = "-first_starts_at"
    columns = [g.Column("title", gettext_lazy("title"), link=True), g.Column("kind", gettext_lazy("kind")),
               g.Column("frequency", gettext_lazy("frequency")),
               g.Column("first_starts_at", gettext_lazy("first occurrence starts"), sort="first_starts_at"),
               g.Column("occurrences", gettext_lazy("number of occurrences"))]


class SeriesDetail(g.ObjectDetailView):
    model = EventSeries
    fields = ["kind", "title", "carrier", "association", "region", "frequency", "first_starts_at",
              "duration_minutes", "occurrences", "registration_days_before", "place", "online_url", "capacity"]

    def sections(self, obj):
        events = Event.objects.restrict(self.request.user).filter(series=obj).select_related(
            "carrier", "association", "region").order_by("starts_at")
        return [g.Section(_("Events"), EVENT_COLUMNS, list(events[:200]))]


class SeriesCreate(g.ObjectCreateView):
    model = EventSeries
    form_class = SeriesForm

    def post(self, request, pk=None):
        form = self.form_class(request.POST, user=request.user)
        if form.is_valid():
            try:
                series, events = services.create_series(request.user, form.service_data())
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Series created with %(count)d events (drafts).") % {"count": len(events)})
                return redirect(g.object_url(series))
        return self.render_form(form, None, status=400)


class SeriesHistory(g.ObjectHistoryView):
    model = EventSeries


class RegistrationList(g.ObjectListView):
    model = Registration
    filter_form = RegistrationFilter
    search_paths = ("person", "firm__search", "event__title")
    default_sort = "-created_at"
    select_related = ("event", "firm", "team")
    columns = REGISTRATION_COLUMNS


class RegistrationDetail(_Steps, g.ObjectDetailView):
    model = Registration
    template_name = "events/detail.html"
    workflow = REGISTRATION_WORKFLOW
    fields = ["event", "firm", "team", "person", "contact", "status", "waitlist_position", "checked_in_at",
              "decision_reason"]

    def take(self, user, obj, name, reason):
        services.step(user, obj, name, reason=reason)

    def sections(self, obj):
        user = self.request.user
        feedback = EventFeedback.objects.restrict(user).filter(registration=obj)
        add = (f"{reverse('events:eventfeedback_create')}?registration={obj.pk}"
               if check(user, "add", EventFeedback) and not feedback.exists() else None)
        return [g.Section(_("Feedback"), [g.Column("score", gettext_lazy("score (1–5)"), link=True),
                                          g.Column("comment", gettext_lazy("comment"))], list(feedback), add)]


class RegistrationCreate(g.ObjectCreateView):
    model = Registration
    form_class = RegistrationForm

    def post(self, request, pk=None):
        form = self.form_class(request.POST, user=request.user)
        if form.is_valid():
            try:
                registration = services.register(request.user, form.service_data())
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Registered: %(status)s.") % {
                    "status": registration.get_status_display()})
                return redirect(g.object_url(registration))
        return self.render_form(form, None, status=400)


class RegistrationHistory(g.ObjectHistoryView):
    model = Registration


class FeedbackList(g.ObjectListView):
    model = EventFeedback
    search_paths = ("comment",)
    default_sort = "-created_at"
    select_related = ("registration__event", "registration__firm", "registration__team")
    columns = [g.Column("registration", gettext_lazy("registration"), link=True), g.Column("score", sort="score"),
               g.Column("comment"), g.Column("created_at", gettext_lazy("given"), sort="created_at")]


class FeedbackDetail(g.ObjectDetailView):
    model = EventFeedback
    fields = ["registration", "score", "comment"]


class FeedbackCreate(g.ObjectCreateView):
    model = EventFeedback
    form_class = FeedbackForm


class FeedbackHistory(g.ObjectHistoryView):
    model = EventFeedback


class Calendar(g.ScopedMixin, View):
    """The iCalendar feed (RFC 5545) of the published events in the user's scope, optionally one carrier's."""

    model = Event

    def get(self, request):
        events = Event.objects.restrict(request.user).exclude(status="draft").select_related(
            "carrier", "association", "region")
        carrier = request.GET.get("carrier", "")
        if carrier.isdigit():
            events = events.filter(carrier_id=int(carrier))
        body = calendar_bytes(events.order_by("starts_at")[:5000], name=_("Events"))
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="events.ics"'
        return response


# --- competitions and roadshows ------------------------------------------------------------------

ROUND_COLUMNS = [g.Column("name", gettext_lazy("name"), link=True), g.Column("event", gettext_lazy("event")),
                 g.Column("number", gettext_lazy("round number"), sort="number"),
                 g.Column("starts_on", gettext_lazy("starts on"), sort="starts_on"),
                 g.Column("panel_size", gettext_lazy("panel size")),
                 g.Column("status", gettext_lazy("status"), sort="status")]
APPLICATION_COLUMNS = [g.Column("project", gettext_lazy("project"), link=True),
                       g.Column("applicant", gettext_lazy("applicant")), g.Column("event", gettext_lazy("event")),
                       g.Column("round", gettext_lazy("round reached")), g.Column("rank", gettext_lazy("final place")),
                       g.Column("status", gettext_lazy("status"), sort="status")]
STANDING_COLUMNS = [g.Column("rank", gettext_lazy("rank in the round")),
                    g.Column("application", gettext_lazy("project")),
                    g.Column("mean", gettext_lazy("weighted mean (0–100)")),
                    g.Column("sheets", gettext_lazy("score sheets"))]
INTENT_COLUMNS = [g.Column("investor", gettext_lazy("investor"), link=True),
                  g.Column("application", gettext_lazy("application")),
                  g.Column("amount_fen", gettext_lazy("intended amount (fen)")),
                  g.Column("created_at", gettext_lazy("recorded"), sort="created_at")]


class RoundList(g.ObjectListView):
    model = Round
    filter_form = RoundFilter
    search_paths = ("name", "event__title")
    default_sort = "-starts_on"
    select_related = ("event",)
    columns = ROUND_COLUMNS


class RoundDetail(_Steps, g.ObjectDetailView):
    """The operator's round page: steps, the panel draw (with its seed), the ranking and the outcome; an
    expert's: the applications to score."""

    model = Round
    template_name = "events/round_detail.html"
    workflow = ROUND_WORKFLOW
    irreversible = IRREVERSIBLE
    fields = ["event", "number", "name", "starts_on", "ends_on", "sheet", "panel_size", "advancing", "draw",
              "status"]

    def take(self, user, obj, name, reason):
        competitions.transition(user, obj, name, reason=reason)

    def post(self, request, pk):
        obj = self.get_object()
        action = request.POST.get("action", "")
        if action not in ("draw", "advance"):
            return super().post(request, pk)
        try:
            if action == "draw":
                seed = request.POST.get("seed", "").strip()
                if seed and not seed.isdigit():
                    raise ValidationError({"seed": _("The seed is a whole number.")})
                record = competitions.draw_panel(request.user, obj, seed=int(seed) if seed else None)
                messages.success(request, _("Panel drawn (seed %(seed)s).") % {"seed": record.seed})
            else:
                ahead, behind = competitions.advance(request.user, obj)
                messages.success(request, _("Outcome announced: %(ahead)d advanced or won, %(behind)d did not.")
                                 % {"ahead": len(ahead), "behind": len(behind)})
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
            obj.refresh_from_db()
            return render(request, self.template_name, self.detail_context(obj), status=400)
        return redirect(g.object_url(obj))

    def detail_context(self, obj, **extra):
        user = self.request.user
        organiser = bool(check(user, "change", obj.event))
        mine = competitions.profile_of(user)
        on_panel = bool(mine and obj.draw_id and obj.draw.drawn.filter(pk=mine.pk).exists())
        scored = set(Score.objects.filter(round=obj, expert=mine).values_list("application_id", flat=True)) \
            if on_panel else set()
        to_score = [a for a in competitions.entrants(obj).select_related("firm", "team") if a.pk not in scored] \
            if on_panel and obj.status == "judging" else []
        return super().detail_context(
            obj, organiser=organiser, may_draw=organiser and obj.status == "planned",
            may_see_draw=bool(obj.draw_id and check(user, "view", obj.draw)),
            may_advance=organiser and obj.status == "published" and not competitions.announced(obj),
            panel=competitions.panel(obj), to_score=to_score, score_url=reverse("events:score_create"),
            criteria=obj.criteria_list(), tie_rule=_(competitions.TIE_RULE), **extra)

    def sections(self, obj):
        user = self.request.user
        if not (check(user, "change", obj.event) or obj.status == "published"):
            return []
        standings = competitions.ranking(obj)
        visible = set(Application.objects.restrict(user).filter(pk__in=[s.application.pk for s in standings])
                      .values_list("pk", flat=True))
        return [g.Section(_("Ranking"), STANDING_COLUMNS, [s for s in standings if s.application.pk in visible])]


class RoundCreate(g.ObjectCreateView):
    model = Round
    form_class = RoundForm


class RoundEdit(g.ObjectEditView):
    model = Round
    form_class = RoundForm


class RoundHistory(g.ObjectHistoryView):
    model = Round


class ApplicationList(g.ObjectListView):
    model = Application
    filter_form = ApplicationFilter
    search_paths = ("project", "event__title")
    default_sort = "-created_at"
    select_related = ("event", "firm", "team", "round")
    columns = APPLICATION_COLUMNS


class ApplicationDetail(_Steps, g.ObjectDetailView):
    model = Application
    template_name = "events/application_detail.html"
    workflow = APPLICATION_WORKFLOW
    fields = ["event", "firm", "team", "project", "industry_field", "summary", "pitch_deck", "round", "rank",
              "status"]

    def take(self, user, obj, name, reason):
        APPLICATION_WORKFLOW.apply(user, obj, name, reason=reason)

    def sections(self, obj):
        user = self.request.user
        scores = Score.objects.restrict(user).filter(application=obj).select_related("round", "expert")
        intents = InvestmentIntent.objects.restrict(user).filter(application=obj).select_related("investor")
        add_intent = (f"{reverse('events:investmentintent_create')}?application={obj.pk}"
                      if check(user, "add", InvestmentIntent) and obj.event.kind == "roadshow" else None)
        return [g.Section(_("Score sheets"), [g.Column("round", gettext_lazy("round"), link=True),
                                              g.Column("expert", gettext_lazy("expert")),
                                              g.Column("total", gettext_lazy("weighted total"))], list(scores)),
                g.Section(_("Investment intents"), INTENT_COLUMNS, list(intents), add_intent)]


class ApplicationCreate(g.ObjectCreateView):
    """Apply with the pitch deck, size-capped (core.uploads) before it is stored."""

    model = Application
    form_class = ApplicationForm
    template_name = "events/upload_form.html"

    def post(self, request, pk=None):
        form = self.form_class(request.POST, request.FILES, user=request.user)
        problem = size_problem(request, request.FILES.get("pitch_deck"), MAX_DECK_BYTES, field="pitch_deck")
        if problem:
            form.add_error("pitch_deck", problem)
        elif form.is_valid():
            try:
                application = competitions.apply(request.user, form.service_data())
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Application received: %(round)s.") % {"round": application.round})
                return redirect(g.object_url(application))
        return self.render_form(form, None, status=400)


class ApplicationDeck(g.ScopedMixin, View):
    """The pitch deck, to those who may see the application (its firm or team, the organiser, the panel's
    experts, the bureau of the region)."""

    model = Application

    def get(self, request, pk):
        obj = self.get_object()
        if not obj.pitch_deck:
            raise Http404
        return FileResponse(obj.pitch_deck.open("rb"), as_attachment=True,
                            filename=obj.pitch_deck.name.rsplit("/", 1)[-1])


class ApplicationHistory(g.ObjectHistoryView):
    model = Application


class ScoreList(g.ObjectListView):
    model = Score
    addable = False  # a score sheet is opened from its round, for one application
    search_paths = ("application__project",)
    default_sort = "-created_at"
    select_related = ("round", "application", "expert")
    columns = [g.Column("application", gettext_lazy("application"), link=True),
               g.Column("round", gettext_lazy("round")), g.Column("expert", gettext_lazy("expert")),
               g.Column("total", gettext_lazy("weighted total")),
               g.Column("created_at", gettext_lazy("given"), sort="created_at")]


class ScoreDetail(g.ObjectDetailView):
    model = Score
    fields = ["round", "application", "expert", "values", "total_milli", "comment"]


class ScoreCreate(g.ScopedMixin, View):
    """The expert's score sheet for one application of a round (?round=…&application=…)."""

    model = Score
    action = "add"
    template_name = "core/object_form.html"

    def _targets(self, request):
        rnd = Round.objects.restrict(request.user).filter(pk=_int(request.GET.get("round"))).first()
        application = Application.objects.restrict(request.user).filter(
            pk=_int(request.GET.get("application"))).first()
        if rnd is None or application is None:
            raise Http404
        return rnd, application

    def _render(self, request, form, rnd, application, status=200):
        return render(request, self.template_name, self.base_context(
            form=form, object=None, cancel_url=g.object_url(rnd),
            heading=_("Score sheet: %(application)s · %(round)s") % {"application": application, "round": rnd.name}),
            status=status)

    def get(self, request):
        rnd, application = self._targets(request)
        mine = competitions.profile_of(request.user)
        existing = Score.objects.filter(round=rnd, application=application, expert=mine).first() if mine else None
        initial = {**(existing.values if existing else {}), "comment": existing.comment if existing else ""}
        return self._render(request, ScoreSheetForm(initial=initial, criteria=rnd.criteria_list()), rnd, application)

    def post(self, request):
        rnd, application = self._targets(request)
        form = ScoreSheetForm(request.POST, criteria=rnd.criteria_list())
        if form.is_valid():
            try:
                competitions.score(request.user, rnd, application, form.values(), form.cleaned_data["comment"])
            except (ValidationError, PermissionDenied) as exc:
                if isinstance(exc, ValidationError):
                    add_service_errors(form, exc)
                else:
                    form.add_error(None, str(exc))
            else:
                messages.success(request, _("Score sheet saved."))
                return redirect(g.object_url(rnd))
        return self._render(request, form, rnd, application, status=400)


class ScoreHistory(g.ObjectHistoryView):
    model = Score


class IntentList(g.ObjectListView):
    model = InvestmentIntent
    search_paths = ("application__project", "note")
    default_sort = "-created_at"
    select_related = ("investor", "application", "event")
    columns = INTENT_COLUMNS


class IntentDetail(g.ObjectDetailView):
    model = InvestmentIntent
    template_name = "events/intent_detail.html"
    fields = ["event", "application", "investor", "amount_fen", "note"]

    def detail_context(self, obj, **extra):
        followup = obj.followup
        return super().detail_context(obj, followup_url=g.object_url(followup) if followup else None, **extra)


class IntentCreate(g.ObjectCreateView):
    model = InvestmentIntent
    form_class = IntentForm

    def post(self, request, pk=None):
        form = self.form_class(request.POST, user=request.user)
        if form.is_valid():
            try:
                intent = competitions.record_intent(request.user, form.service_data())
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Investment intent recorded."))
                return redirect(g.object_url(intent))
        return self.render_form(form, None, status=400)


class IntentHistory(g.ObjectHistoryView):
    model = InvestmentIntent


def _int(value) -> int:
    return int(value) if value and str(value).isdigit() else 0
