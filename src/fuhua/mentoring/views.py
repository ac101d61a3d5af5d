"""Mentoring pages: the pool, pairings (with their steps), service logs, feedback, and the mentor's own page
(`mentoring:home`: their pairings and logs). Lists and forms are the generic ones; writes go through services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from fuhua.core.forms import add_service_errors
from fuhua.core.scoping import check
from fuhua.core.views import generic as g
from fuhua.core.views.steps import StepsMixin, TransitionView

from . import services
from .forms import FeedbackForm, PairingFilter, PairingForm, PoolFilter, PoolMentorForm, ServiceLogForm
from .models import Feedback, Pairing, PoolMentor, ServiceLog
from .workflow import IRREVERSIBLE, PAIRING_WORKFLOW

PAIRING_COLUMNS = [
    g.Column("mentor", gettext_lazy("mentor"), sort="mentor__profile__name", link=True),
    g.Column("firm", gettext_lazy("firm")), g.Column("team", gettext_lazy("start-up team")),
    g.Column("carrier", gettext_lazy("carrier")), g.Column("starts_on", gettext_lazy("starts on"), sort="starts_on"),
    g.Column("ends_on", gettext_lazy("ends on"), sort="ends_on"), g.Column("status", gettext_lazy("status"),
                                                                          sort="status"),
]
LOG_COLUMNS = [
    g.Column("date", gettext_lazy("date"), sort="date", link=True), g.Column("mentor", gettext_lazy("mentor")),
    g.Column("firm", gettext_lazy("firm")), g.Column("team", gettext_lazy("start-up team")),
    g.Column("hours", gettext_lazy("hours"), sort="hours"), g.Column("topic", gettext_lazy("topic")),
    g.Column("outcome", gettext_lazy("outcome")),
]


class Home(g.ScopedMixin, View):
    """A mentor's (or firm's, operator's) own page: pairings and service logs in their scope."""

    model = Pairing

    def get(self, request):
        user = request.user
        pairings = list(Pairing.objects.restrict(user).select_related("mentor__profile", "firm", "team", "carrier")
                        .order_by("-starts_on")[:100])
        logs = ServiceLog.objects.restrict(user).select_related("mentor__profile", "firm", "team")
        hours = logs.aggregate(h=Sum("hours"))["h"] or 0
        sections = [g.Section(_("Pairings"), PAIRING_COLUMNS, pairings,
                              reverse("mentoring:pairing_create") if check(user, "add", Pairing) else None),
                    g.Section(_("Service logs"), LOG_COLUMNS, list(logs.order_by("-date")[:100]),
                              reverse("mentoring:servicelog_create") if check(user, "add", ServiceLog) else None)]
        context = self.base_context(sections=sections, pairings=pairings, hours=hours,
                                    may_log=bool(check(user, "add", ServiceLog)),
                                    may_pair=bool(check(user, "add", Pairing)))
        return render(request, "mentoring/home.html", context)


class PoolList(g.ObjectListView):
    model = PoolMentor
    filter_form = PoolFilter
    search_paths = ("profile__search",)
    default_sort = "profile__search"
    select_related = ("profile", "profile__region")
    columns = [
        g.Column("profile__name", gettext_lazy("name"), sort="profile__search", link=True),
        g.Column("profile__title", gettext_lazy("title")), g.Column("profile__industry_field", gettext_lazy("field")),
        g.Column("profile__region", gettext_lazy("region")), g.Column("specialities"),
        g.Column("capacity"), g.Column("active", sort="active"),
    ]


class PoolDetail(g.ObjectDetailView):
    model = PoolMentor
    fields = ["profile", "specialities", "shared_with", "capacity", "active"]

    def sections(self, obj):
        pairings = Pairing.objects.restrict(self.request.user).filter(mentor=obj).select_related(
            "mentor__profile", "firm", "team", "carrier")
        return [g.Section(_("Pairings"), PAIRING_COLUMNS, list(pairings[:100]))]


class PoolCreate(g.ObjectCreateView):
    model = PoolMentor
    form_class = PoolMentorForm


class PoolEdit(g.ObjectEditView):
    model = PoolMentor
    form_class = PoolMentorForm


class PoolDelete(g.ObjectDeleteView):
    model = PoolMentor


class PoolHistory(g.ObjectHistoryView):
    model = PoolMentor


class PairingList(g.ObjectListView):
    model = Pairing
    filter_form = PairingFilter
    search_paths = ("mentor__profile__search", "firm__search", "team__search")
    default_sort = "-starts_on"
    select_related = ("mentor__profile", "firm", "team", "carrier")
    columns = PAIRING_COLUMNS


class PairingDetail(StepsMixin, g.ObjectDetailView):
    model = Pairing
    template_name = "mentoring/pairing_detail.html"
    workflow = PAIRING_WORKFLOW
    irreversible = IRREVERSIBLE
    transition_url = "mentoring:pairing_transition"
    fields = ["mentor", "firm", "team", "carrier", "goals", "starts_on", "ends_on", "status", "ended_on",
              "end_reason"]

    def take(self, user, obj, name, reason):
        services.transition(user, obj, name, reason=reason)

    def sections(self, obj):
        user = self.request.user
        logs = ServiceLog.objects.restrict(user).filter(pairing=obj).select_related("mentor__profile", "firm", "team")
        feedback = Feedback.objects.restrict(user).filter(pairing=obj)
        add_feedback = (f"{reverse('mentoring:feedback_create')}?pairing={obj.pk}"
                        if check(user, "add", Feedback) and not feedback.exists() else None)
        return [g.Section(_("Service logs"), LOG_COLUMNS, list(logs)),
                g.Section(_("Feedback"), [g.Column("score", gettext_lazy("score (1–5)"), link=True),
                                          g.Column("comment", gettext_lazy("comment"))], list(feedback),
                          add_feedback)]


class PairingTransition(TransitionView, PairingDetail):
    pass


class PairingCreate(g.ObjectCreateView):
    model = Pairing
    form_class = PairingForm

    def post(self, request, pk=None):
        form = self.form_class(request.POST, user=request.user)
        if form.is_valid():
            try:
                pairing = services.propose_pairing(request.user, form.service_data())
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Pairing proposed; the mentor and the firm were notified."))
                return redirect(g.object_url(pairing))
        return self.render_form(form, None, status=400)


class PairingEdit(g.ObjectEditView):
    model = Pairing
    form_class = PairingForm


class PairingHistory(g.ObjectHistoryView):
    model = Pairing


class LogList(g.ObjectListView):
    model = ServiceLog
    search_paths = ("topic", "firm__search", "mentor__profile__search")
    default_sort = "-date"
    select_related = ("mentor__profile", "firm", "team")
    columns = LOG_COLUMNS


class LogDetail(g.ObjectDetailView):
    model = ServiceLog
    fields = ["mentor", "firm", "team", "pairing", "date", "hours", "topic", "outcome"]


class LogCreate(g.ObjectCreateView):
    model = ServiceLog
    form_class = ServiceLogForm


class LogEdit(g.ObjectEditView):
    model = ServiceLog
    form_class = ServiceLogForm


class LogDelete(g.ObjectDeleteView):
    model = ServiceLog


class LogHistory(g.ObjectHistoryView):
    model = ServiceLog


class FeedbackList(g.ObjectListView):
    model = Feedback
    search_paths = ("comment",)
    default_sort = "-created_at"
    select_related = ("pairing__mentor__profile", "pairing__firm", "pairing__team")
    columns = [g.Column("pairing", gettext_lazy("pairing"), link=True), g.Column("score", sort="score"),
               g.Column("comment"), g.Column("created_at", gettext_lazy("given"), sort="created_at")]


class FeedbackDetail(g.ObjectDetailView):
    model = Feedback
    fields = ["pairing", "score", "comment"]


class FeedbackCreate(g.ObjectCreateView):
    model = Feedback
    form_class = FeedbackForm


class FeedbackHistory(g.ObjectHistoryView):
    model = Feedback
