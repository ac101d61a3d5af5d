"""Deal-flow pages: the pipeline board (`dealflow:home`: a table per stage, for the investor their
institution's deals, for a firm its own needs and deals, for operators and bureaus their tenants' and
region's), funds, stationed investors, financing needs and deals with their stage steps. Lists are the
generic ones (filters, CSV/XLSX export); writes go through the services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
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
from .forms import DealFilter, DealForm, FundForm, MoveForm, NeedFilter, NeedForm, StationingForm
from .models import PIPELINE, Deal, DealStatus, FinancingNeed, Fund, NeedStatus, Stationing
from .workflow import DEAL_WORKFLOW, IRREVERSIBLE, NEED_WORKFLOW

BOARD_ROWS = 50  # per stage on the board; the filtered list has them all
DEAL_COLUMNS = [
    g.Column("firm", gettext_lazy("firm"), sort="firm__search", link=True),
    g.Column("institution", gettext_lazy("institution")), g.Column("fund", gettext_lazy("fund")),
    g.Column("contact", gettext_lazy("investor contact")),
    g.Column("introduced_on", gettext_lazy("introduced on"), sort="introduced_on"),
    g.Column("status", gettext_lazy("stage"), sort="status"),
    g.Column("amount_fen", gettext_lazy("amount invested (fen)"), sort="amount_fen"),
]
NEED_COLUMNS = [
    g.Column("firm", gettext_lazy("firm"), sort="firm__search", link=True),
    g.Column("amount_fen", gettext_lazy("amount sought (fen)"), sort="amount_fen"),
    g.Column("stage", gettext_lazy("round"), sort="stage"), g.Column("use", gettext_lazy("use of funds")),
    g.Column("posted_on", gettext_lazy("posted on"), sort="posted_on"),
    g.Column("status", gettext_lazy("status"), sort="status"),
]
DEAL_SELECT = ("firm", "institution", "fund", "contact")


class Home(g.ScopedMixin, View):
    """The pipeline board: one table per stage of the deals in the user's scope, and their financing needs."""

    model = Deal

    def get(self, request):
        user = request.user
        deals = Deal.objects.restrict(user).select_related(*DEAL_SELECT)
        counts = services.pipeline_counts(deals)
        list_url = reverse("dealflow:deal_list")
        board = []
        for stage in PIPELINE:
            rows = list(deals.filter(status=stage).order_by("-introduced_on", "-id")[:BOARD_ROWS])
            board.append({"stage": DealStatus(stage).label, "code": stage, "count": counts[stage],
                          "url": f"{list_url}?status={stage}",
                          "section": g.Section(f"{DealStatus(stage).label} ({counts[stage]})", DEAL_COLUMNS, rows)})
        needs = FinancingNeed.objects.restrict(user).select_related("firm").filter(status=NeedStatus.OPEN)
        sections = [g.Section(_("Open financing needs"), NEED_COLUMNS, list(needs.order_by("-posted_on")[:100]),
                              reverse("dealflow:financingneed_create") if check(user, "add", FinancingNeed)
                              else None)]
        context = self.base_context(board=board, sections=sections, total=sum(counts.values()),
                                    may_introduce=bool(check(user, "add", Deal)))
        return render(request, "dealflow/home.html", context)


class FundList(g.ObjectListView):
    model = Fund
    search_paths = ("name", "institution__search")
    default_sort = "name"
    select_related = ("institution",)
    columns = [g.Column("name", gettext_lazy("name"), sort="name", link=True),
               g.Column("institution", gettext_lazy("institution")),
               g.Column("size_fen", gettext_lazy("size (fen)"), sort="size_fen"),
               g.Column("vintage", gettext_lazy("vintage year"), sort="vintage")]


class FundDetail(g.ObjectDetailView):
    model = Fund
    fields = ["institution", "name", "size_fen", "stages", "industry_fields", "regions", "vintage"]

    def sections(self, obj):
        deals = Deal.objects.restrict(self.request.user).filter(fund=obj).select_related(*DEAL_SELECT)
        return [g.Section(_("Deals"), DEAL_COLUMNS, list(deals[:100]))]


class FundCreate(g.ObjectCreateView):
    model = Fund
    form_class = FundForm


class FundEdit(g.ObjectEditView):
    model = Fund
    form_class = FundForm


class FundDelete(g.ObjectDeleteView):
    model = Fund


class FundHistory(g.ObjectHistoryView):
    model = Fund


class StationingList(g.ObjectListView):
    model = Stationing
    search_paths = ("investor__search", "carrier__search")
    default_sort = "-since"
    select_related = ("investor", "carrier")
    columns = [g.Column("investor", gettext_lazy("investor"), link=True), g.Column("carrier", gettext_lazy("carrier")),
               g.Column("since", gettext_lazy("since"), sort="since"), g.Column("until", gettext_lazy("until"))]


class StationingDetail(g.ObjectDetailView):
    model = Stationing
    fields = ["investor", "carrier", "since", "until"]


class StationingCreate(g.ObjectCreateView):
    model = Stationing
    form_class = StationingForm


class StationingEdit(g.ObjectEditView):
    model = Stationing
    form_class = StationingForm


class StationingDelete(g.ObjectDeleteView):
    model = Stationing


class StationingHistory(g.ObjectHistoryView):
    model = Stationing


class NeedList(g.ObjectListView):
    model = FinancingNeed
    filter_form = NeedFilter
    search_paths = ("firm__search", "use")
    default_sort = "-posted_on"
    select_related = ("firm",)
    columns = NEED_COLUMNS


class NeedDetail(StepsMixin, g.ObjectDetailView):
    model = FinancingNeed
    template_name = "dealflow/need_detail.html"
    workflow = NEED_WORKFLOW
    step_form = MoveForm
    irreversible = IRREVERSIBLE
    transition_url = "dealflow:financingneed_transition"
    steps_for_editors = False  # the card only while the need can still be closed
    fields = ["firm", "amount_fen", "stage", "use", "posted_on", "status", "closed_on"]

    def take(self, user, obj, name, reason):
        services.close_need(user, obj, reason=reason)

    def sections(self, obj):
        user = self.request.user
        deals = Deal.objects.restrict(user).filter(need=obj).select_related(*DEAL_SELECT)
        add = (f"{reverse('dealflow:deal_create')}?need={obj.pk}&firm={obj.firm_id}"
               if check(user, "add", Deal) else None)
        return [g.Section(_("Deals"), DEAL_COLUMNS, list(deals), add)]


class NeedTransition(TransitionView, NeedDetail):
    pass


class NeedCreate(g.ObjectCreateView):
    model = FinancingNeed
    form_class = NeedForm


class NeedEdit(g.ObjectEditView):
    model = FinancingNeed
    form_class = NeedForm


class NeedHistory(g.ObjectHistoryView):
    model = FinancingNeed


class DealList(g.ObjectListView):
    model = Deal
    filter_form = DealFilter
    search_paths = ("firm__search", "institution__search")
    default_sort = "-introduced_on"
    select_related = DEAL_SELECT
    columns = DEAL_COLUMNS


class DealDetail(StepsMixin, g.ObjectDetailView):
    model = Deal
    template_name = "dealflow/deal_detail.html"
    workflow = DEAL_WORKFLOW
    step_form = MoveForm
    irreversible = IRREVERSIBLE
    transition_url = "dealflow:deal_transition"
    fields = ["firm", "need", "institution", "fund", "contact", "note", "status", "introduced_on", "meeting_on",
              "diligence_on", "term_sheet_on", "invested_on", "declined_on", "decline_reason", "amount_fen", "round",
              "investment"]

    def take(self, user, obj, name, reason, **kwargs):
        services.move(user, obj, name, reason=reason, **kwargs)

    def step_kwargs(self, form):
        return form.step_kwargs()

    def step_message(self, obj):
        return _("Deal moved to %(stage)s.") % {"stage": obj.get_status_display()}


class DealTransition(TransitionView, DealDetail):
    pass


class DealCreate(g.ObjectCreateView):
    model = Deal
    form_class = DealForm

    def post(self, request, pk=None):
        form = self.form_class(request.POST, user=request.user)
        if form.is_valid():
            try:
                deal = services.introduce(request.user, form.service_data())
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Deal introduced; the firm and the institution were notified."))
                return redirect(g.object_url(deal))
        return self.render_form(form, None, status=400)


class DealEdit(g.ObjectEditView):
    model = Deal
    form_class = DealForm


class DealHistory(g.ObjectHistoryView):
    model = Deal
