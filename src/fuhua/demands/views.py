"""Demands pages: demands (with their matches and steps), challenges (揭榜挂帅) with their responses, responding,
picking, and the open needs that fit a mentor or an investor (`demands:fits`). Lists and forms are the generic
ones; writes go through the services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from fuhua.accounts.models import RoleGrant
from fuhua.accounts.roles import Role
from fuhua.core.forms import add_service_errors
from fuhua.core.scoping import check
from fuhua.core.views import generic as g
from fuhua.core.views.steps import StepsMixin, TransitionView

from . import matching, services
from .forms import ChallengeFilter, ChallengeForm, DemandFilter, DemandForm, ResponseFilter, ResponseForm
from .models import Challenge, ChallengeResponse, ChallengeStatus, Demand
from .workflow import (
    CHALLENGE_IRREVERSIBLE,
    CHALLENGE_WORKFLOW,
    DEMAND_IRREVERSIBLE,
    DEMAND_WORKFLOW,
    RESPONSE_IRREVERSIBLE,
    RESPONSE_WORKFLOW,
)

DEMAND_COLUMNS = [
    g.Column("title", gettext_lazy("title"), sort="title", link=True), g.Column("kind", gettext_lazy("kind")),
    g.Column("firm", gettext_lazy("firm")), g.Column("team", gettext_lazy("start-up team")),
    g.Column("industry_field", gettext_lazy("industry field")), g.Column("region", gettext_lazy("region")),
    g.Column("budget_fen", gettext_lazy("budget")), g.Column("deadline", gettext_lazy("deadline"), sort="deadline"),
    g.Column("status", gettext_lazy("status"), sort="status"),
]
CHALLENGE_COLUMNS = [
    g.Column("title", gettext_lazy("title"), sort="title", link=True),
    g.Column("firm", gettext_lazy("posting firm")), g.Column("region", gettext_lazy("region")),
    g.Column("industry_field", gettext_lazy("industry field")),
    g.Column("reward_fen", gettext_lazy("reward"), sort="reward_fen"),
    g.Column("deadline", gettext_lazy("deadline for responses"), sort="deadline"),
    g.Column("status", gettext_lazy("status"), sort="status"),
]
RESPONSE_COLUMNS = [
    g.Column("challenge", gettext_lazy("challenge"), link=True),
    g.Column("organisation", gettext_lazy("responding organisation")),
    g.Column("expert", gettext_lazy("responding expert")), g.Column("price_fen", gettext_lazy("price asked")),
    g.Column("submitted_on", gettext_lazy("submitted on"), sort="submitted_on"),
    g.Column("status", gettext_lazy("status"), sort="status"),
]


class DemandList(g.ObjectListView):
    model = Demand
    filter_form = DemandFilter
    search_paths = ("title", "firm__search", "team__search")
    default_sort = "deadline"
    select_related = ("firm", "team", "region")
    columns = DEMAND_COLUMNS


class DemandDetail(StepsMixin, g.ObjectDetailView):
    model = Demand
    template_name = "demands/demand_detail.html"
    workflow = DEMAND_WORKFLOW
    irreversible = DEMAND_IRREVERSIBLE
    transition_url = "demands:demand_transition"
    fields = ["firm", "team", "carrier", "kind", "title", "description", "industry_field", "region", "stage",
              "positions", "budget_fen", "deadline", "status", "published_on", "closed_on", "close_note"]

    def take(self, user, obj, name, reason):
        services.transition(user, obj, name, reason=reason)

    def detail_context(self, obj, **extra):
        found = matching.match_demand(self.request.user, obj)
        groups = [(matching.KIND_LABELS[kind], ms) for kind, ms in found.items()]
        return super().detail_context(obj, match_groups=groups, **extra)


class DemandTransition(TransitionView, DemandDetail):
    pass


class DemandCreate(g.ObjectCreateView):
    model = Demand
    form_class = DemandForm

    def get_initial(self) -> dict:
        initial = super().get_initial()
        grant = RoleGrant.objects.filter(user=self.request.user, role=Role.FIRM).select_related("firm").first()
        if grant is not None and grant.firm is not None:
            initial.setdefault("firm", grant.firm_id)
            initial.setdefault("industry_field", grant.firm.industry_field)
            initial.setdefault("region", grant.firm.region_id)
        return initial


class DemandEdit(g.ObjectEditView):
    model = Demand
    form_class = DemandForm


class DemandHistory(g.ObjectHistoryView):
    model = Demand


class ChallengeList(g.ObjectListView):
    model = Challenge
    filter_form = ChallengeFilter
    search_paths = ("title",)
    default_sort = "deadline"
    select_related = ("firm", "region")
    columns = CHALLENGE_COLUMNS


class ChallengeDetail(StepsMixin, g.ObjectDetailView):
    model = Challenge
    template_name = "demands/challenge_detail.html"
    workflow = CHALLENGE_WORKFLOW
    irreversible = CHALLENGE_IRREVERSIBLE
    transition_url = "demands:challenge_transition"
    fields = ["title", "description", "industry_field", "region", "firm", "reward_fen", "deadline", "status",
              "published_on", "awarded_on", "close_reason"]

    def take(self, user, obj, name, reason):
        services.challenge_transition(user, obj, name, reason=reason)

    def sections(self, obj):
        user = self.request.user
        rows = list(ChallengeResponse.objects.restrict(user).filter(challenge=obj)
                    .select_related("organisation", "expert", "challenge"))
        add = (f"{reverse('demands:challengeresponse_create')}?challenge={obj.pk}"
               if obj.status == ChallengeStatus.OPEN and check(user, "add", ChallengeResponse) else None)
        columns = [g.Column("responder", gettext_lazy("responder"), link=True), *RESPONSE_COLUMNS[3:]]
        return [g.Section(_("Responses"), columns, rows, add)]


class ChallengeTransition(TransitionView, ChallengeDetail):
    pass


class ChallengeCreate(g.ObjectCreateView):
    model = Challenge
    form_class = ChallengeForm


class ChallengeEdit(g.ObjectEditView):
    model = Challenge
    form_class = ChallengeForm


class ChallengeDelete(g.ObjectDeleteView):
    model = Challenge


class ChallengeHistory(g.ObjectHistoryView):
    model = Challenge


class ResponseList(g.ObjectListView):
    model = ChallengeResponse
    filter_form = ResponseFilter
    search_paths = ("challenge__title", "organisation__search", "expert__search")
    default_sort = "-submitted_on"
    select_related = ("challenge", "organisation", "expert")
    columns = RESPONSE_COLUMNS


class ResponseDetail(StepsMixin, g.ObjectDetailView):
    model = ChallengeResponse
    template_name = "demands/response_detail.html"
    workflow = RESPONSE_WORKFLOW
    irreversible = RESPONSE_IRREVERSIBLE
    transition_url = "demands:challengeresponse_transition"
    fields = ["challenge", "organisation", "expert", "proposal", "price_fen", "submitted_on", "status", "decided_on"]

    def take(self, user, obj, name, reason):
        services.response_transition(user, obj, name, reason=reason)


class ResponseTransition(TransitionView, ResponseDetail):
    pass


class ResponseCreate(g.ObjectCreateView):
    model = ChallengeResponse
    form_class = ResponseForm

    def get_initial(self) -> dict:
        initial = super().get_initial()
        user = self.request.user
        grant = RoleGrant.objects.filter(user=user, role=Role.SERVICE_PROVIDER).first()
        if grant is not None and grant.organisation_id:
            initial.setdefault("organisation", grant.organisation_id)
        profile = getattr(user, "expert_profile", None)
        if profile is not None and "organisation" not in initial:
            initial.setdefault("expert", profile.pk)
        return initial

    def post(self, request, pk=None):
        form = self.form_class(request.POST, user=request.user)
        if form.is_valid():
            try:
                response = services.respond(request.user, form.service_data())
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Response submitted; the poster was notified."))
                return redirect(g.object_url(response))
        return self.render_form(form, None, status=400)


class ResponseHistory(g.ObjectHistoryView):
    model = ChallengeResponse


class Fits(g.ScopedMixin, View):
    """A mentor's or investor's page: the open needs of firms that fit them, with the reasons."""

    model = Demand

    def get(self, request):
        found = services.fits_for(request.user, 20)
        if found is None:
            raise PermissionDenied(_("Only mentors and investors have needs matched to them."))
        return render(request, "demands/fits.html", self.base_context(fits=found))
