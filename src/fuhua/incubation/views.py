"""Incubation pages. Status changes only through the workflow's transition buttons."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from django.views import View

from fuhua.core.forms import add_service_errors
from fuhua.core.scoping import check
from fuhua.core.views import generic as g
from fuhua.registry.models import Carrier

from . import lifecycle
from .forms import IncubationFilter, IncubationForm, RegisterApplicantForm, TransitionForm
from .models import Incubation
from .workflow import INCUBATION_WORKFLOW

# The workflow's labels are plain strings; listed here so that makemessages extracts them.
TRANSITION_LABELS = [
    gettext_noop("admit"), gettext_noop("start incubation"), gettext_noop("graduate"), gettext_noop("exit"),
    gettext_noop("expire"),
]


class IncubationList(g.ObjectListView):
    model = Incubation
    template_name = "incubation/incubation_list.html"
    filter_form = IncubationFilter
    search_paths = ("firm__search", "team__search", "carrier__search")
    default_sort = "-entered_on"
    select_related = ("firm", "team", "carrier")
    columns = [
        g.Column("tenant", gettext_lazy("tenant"), value=lambda i: i.tenant),
        g.Column("carrier", sort="carrier__name"),
        g.Column("status", sort="status", link=True),
        g.Column("applied_on", sort="applied_on"),
        g.Column("entered_on", sort="entered_on"),
        g.Column("left_on", sort="left_on"),
    ]

    def base_context(self, **extra):
        return super().base_context(may_register=bool(check(self.request.user, "add", Incubation)), **extra)


class CarrierTenants(IncubationList):
    """One carrier's tenants (its incubation records) as the generic list: search, status and field filters,
    sorting, pages and CSV/XLSX export; the carrier page shows the latest few and links here. 404 when the
    carrier is out of the reader's scope."""

    template_name = "incubation/carrier_tenants.html"
    columns = [c for c in IncubationList.columns if c.path != "carrier"]

    def get(self, request, pk):
        self.carrier = get_object_or_404(Carrier.objects.restrict(request.user, "view"), pk=pk)
        return super().get(request)

    def get_queryset(self):
        return super().get_queryset().filter(carrier=self.carrier)

    def base_context(self, **extra):
        return super().base_context(carrier=self.carrier, **extra)


class IncubationDetail(g.ObjectDetailView):
    model = Incubation
    template_name = "incubation/incubation_detail.html"

    def detail_context(self, obj, **extra):
        transitions = INCUBATION_WORKFLOW.available(self.request.user, obj)
        extra.setdefault("transition_form", TransitionForm(transitions=transitions))
        return super().detail_context(obj, transitions=transitions, checks=lifecycle.checks(obj),
                                      may_override=lifecycle.may_override(self.request.user), **extra)


class IncubationTransition(IncubationDetail):
    """POST one transition. Scoped like an edit: 403 without the change action, 404 outside the scope."""

    action = "change"

    def get(self, request, pk):
        return redirect(g.object_url(self.get_object()))

    def post(self, request, pk):
        obj = self.get_object()
        transitions = INCUBATION_WORKFLOW.available(request.user, obj)
        form = TransitionForm(request.POST, transitions=transitions)
        if form.is_valid():
            name = form.cleaned_data["transition"]
            try:
                lifecycle.take_transition(request.user, obj, name, reason=form.cleaned_data["reason"].strip(),
                                          on=form.cleaned_data["on"], override=form.cleaned_data["override"])
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, _("Status changed to %(status)s.") % {"status": obj.get_status_display()})
                return redirect(g.object_url(obj))
        obj.refresh_from_db()
        context = self.detail_context(obj, transition_form=form)
        return render(request, self.template_name, context, status=400)


class IncubationCreate(g.ObjectCreateView):
    model = Incubation
    form_class = IncubationForm


class IncubationEdit(g.ObjectEditView):
    model = Incubation
    form_class = IncubationForm


class IncubationDelete(g.ObjectDeleteView):
    model = Incubation


class IncubationHistory(g.ObjectHistoryView):
    model = Incubation


class RegisterApplicant(LoginRequiredMixin, View):
    """登记入孵申请: a new `applied` record at one of the user's carriers, for an existing or a new firm."""

    template_name = "incubation/register.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            decision = check(request.user, "add", Incubation)
            if not decision:
                raise PermissionDenied(decision.reason)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        initial = {k: v for k, v in request.GET.items() if k in ("carrier", "firm")}
        return self._render(RegisterApplicantForm(user=request.user, initial=initial))

    def post(self, request):
        form = RegisterApplicantForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                record = lifecycle.register_applicant(request.user, data["carrier"], firm=data.get("firm"),
                                                      firm_data=form.firm_data(), applied_on=data.get("applied_on"))
            except ValidationError as exc:
                add_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error("carrier", str(exc))
            else:
                messages.success(request, _("Registered the application of %(tenant)s at %(carrier)s.") % {
                    "tenant": record.tenant, "carrier": record.carrier})
                return redirect(g.object_url(record))
        return self._render(form, status=400)

    def _render(self, form, status=200):
        context = {"form": form, "model_meta": Incubation._meta, "list_url": g.model_url(Incubation)}
        return render(self.request, self.template_name, context, status=status)


class Attention(g.ScopedMixin, View):
    """The dashboard's rule-driven counts (graduation proposals, overdue tenants), fetched after the page
    renders: one population load and one vectorised evaluation for both, links to the filtered list."""

    model = Incubation
    template_name = "incubation/_attention.html"

    CACHE_SECONDS = 600  # a whole country's tenants take seconds to evaluate: counted once per user every 10 min

    def get(self, request):
        # Kept while no incubation record changed (the stamp) and for 10 minutes at most (firms' own figures).
        stamp = Incubation.objects.aggregate(changed=Max("updated_at"), last=Max("pk"))
        key = (f"incubation.attention:{request.user.pk}:{timezone.localdate().isoformat()}:"
               f"{stamp['changed'].isoformat() if stamp['changed'] else '-'}:{stamp['last']}")
        counts = cache.get(key)
        if counts is None:
            found = lifecycle.attention(request.user)
            counts = {"graduation": len(found.graduation), "overdue": len(found.overdue)}
            cache.set(key, counts, self.CACHE_SECONDS)
        return render(request, self.template_name, {"attention": counts})
