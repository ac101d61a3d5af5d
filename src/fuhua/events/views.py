"""Events pages: events (organiser: create, publish, registrations, check-in, attendance and feedback), series,
registrations (the organiser's approvals and check-in list; a firm's own registrations), feedback, and the
iCalendar feed of the events in the user's scope. Lists and forms are the generic ones; writes go through
services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from fuhua.core.forms import add_service_errors
from fuhua.core.scoping import check
from fuhua.core.views import generic as g
from fuhua.core.views.steps import StepsMixin

from . import services
from .forms import EventFilter, EventForm, FeedbackForm, RegistrationFilter, RegistrationForm, SeriesForm
from .ical import calendar_bytes
from .models import Event, EventFeedback, EventSeries, Registration
from .workflow import EVENT_WORKFLOW, IRREVERSIBLE, REGISTRATION_WORKFLOW

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
              "description", "status", "cancel_reason"]

    def take(self, user, obj, name, reason):
        services.transition(user, obj, name, reason=reason)

    def sections(self, obj):
        user = self.request.user
        registrations = Registration.objects.restrict(user).filter(event=obj).select_related("event", "firm", "team")
        feedback = EventFeedback.objects.restrict(user).filter(registration__event=obj).select_related(
            "registration__event", "registration__firm", "registration__team")
        add = f"{reverse('events:registration_create')}?event={obj.pk}" if check(user, "add", Registration) else None
        return [g.Section(_("Registrations and check-in"), REGISTRATION_COLUMNS, list(registrations[:500]), add),
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
