"""Policy pages: thin views over the services. Scoped like every page (403 by role, 404 by scope)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fuhua.core import formatting as fmt
from fuhua.core import glossary
from fuhua.core.exports import announce_export
from fuhua.core.scoping import check
from fuhua.core.views import generic as g
from fuhua.registry.models import Carrier, Firm, Organisation

from . import forms as f
from . import packs, services
from .application_workflow import APPLICATION_WORKFLOW
from .firm_compute import default_as_of
from .models import Application, Budget, Call, Entitlement, Feedback, Notification, Payout, Policy, Subscription
from .services import applications as app_services
from .services.ledger import budget_status, export_xlsx, ledger_totals, recover
from .services.simulate import parse_settings
from .workflow import CALL_WORKFLOW, ENTITLEMENT_WORKFLOW


def _errors(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


class PostOnly:
    def get(self, request, pk, **kwargs):
        return redirect(g.object_url(self.get_object()))


# --- policies --------------------------------------------------------------------------------------


class PolicyList(g.ObjectListView):
    model = Policy
    search_paths = ("code", "title")
    default_sort = "code"
    select_related = ("region",)
    columns = [g.Column("code", sort="code"), g.Column("title", link=True, sort="title"),
               g.Column("document_number"), g.Column("region"), g.Column("needs_application")]


class PolicyDetail(g.ObjectDetailView):
    model = Policy
    template_name = "policies/policy_detail.html"
    fields = ["code", "title", "document_number", "issuer", "region", "needs_application", "effective_from",
              "effective_to"]

    def detail_context(self, obj, **extra):
        user, today = self.request.user, timezone.localdate()
        simulation, form = None, f.SimulationForm(self.request.GET or None, initial={"as_of": today})
        firm_level = packs.get(obj.code).firm_level
        feedback = services.feedback_summary(Feedback.objects.restrict(user).filter(entitlement__policy=obj))
        extra.setdefault("firm_level", firm_level)
        extra.setdefault("feedback", feedback.get(obj.code))
        if self.request.GET and form.is_valid() and not firm_level:
            try:
                simulation = services.simulate(user, obj.code, form.cleaned_data["as_of"], parse_settings(form.pairs()))
            except ValidationError as exc:
                form.add_error(None, exc.messages)
        payouts = Payout.objects.restrict(user).filter(policy=obj)
        return super().detail_context(
            obj, budgets=budget_status(obj, Budget.objects.restrict(user)), runs=obj.runs.all()[:10],
            ledger=ledger_totals(payouts),
            can_manage=bool(check(user, "change", obj)), run_form=f.RunForm(initial={"as_of": today}),
            pay_form=f.PayForm(initial={"year": today.year}), simulation_form=form, simulation=simulation, **extra)


class PolicyRun(PostOnly, PolicyDetail):
    action = "change"

    def post(self, request, pk):
        policy = self.get_object()
        form = f.RunForm(request.POST)
        if not form.is_valid() or policy.needs_application:
            messages.error(request, _("Give the date; policies paid on application are run through their calls."))
            return redirect(g.object_url(policy))
        run = services.run_entitlements(request.user, policy.code, form.cleaned_data["as_of"])
        messages.success(request, _("Computed: %(new)s new, %(changed)s changed; %(total)s yuan due.") % {
            "new": run.created, "changed": run.changed, "total": f"{run.total_fen / 100:,.2f}"})
        return redirect(g.object_url(policy))


class PolicyPay(PostOnly, PolicyDetail):
    action = "change"

    def post(self, request, pk):
        policy = self.get_object()
        form = f.PayForm(request.POST)
        if form.is_valid():
            try:
                result = services.pay(request.user, policy.code, form.cleaned_data["year"],
                                      limit=form.cleaned_data["limit"], reference=form.cleaned_data["reference"])
            except ValidationError as exc:
                _errors(request, exc)
            else:
                messages.success(request, _("Paid %(n)s entitlements, %(total)s yuan.") % {
                    "n": len(result.paid), "total": f"{result.total_fen / 100:,.2f}"})
        return redirect(g.object_url(policy))


class PolicyHistory(g.ObjectHistoryView):
    model = Policy


# --- entitlements ----------------------------------------------------------------------------------


class EntitlementList(g.ObjectListView):
    model = Entitlement
    filter_form = f.EntitlementFilter
    search_paths = ("carrier__search", "firm__search", "operator__search", "person__search", "key")
    default_sort = "-created_at"
    select_related = ("policy", "carrier", "firm", "team", "operator", "person")
    columns = [g.Column("policy", sort="policy__code"),
               g.Column("holder", gettext_lazy("beneficiary"), value=lambda e: e.holder_name),
               g.Column("key", link=True, value=lambda e: glossary.key_label(e.key)),
               g.Column("amount_yuan", gettext_lazy("amount (yuan)"), sort="amount_fen"),
               g.Column("status", sort="status"), g.Column("queue_position", sort="queue_position")]


class EntitlementDetail(g.ObjectDetailView):
    model = Entitlement
    template_name = "policies/entitlement_detail.html"
    fields = ["policy", "beneficiary", "carrier", "firm", "team", "operator", "person", "key", "item", "period",
              "amount_fen", "status",
              "queue_position", "priority_on", "as_of", "recognition", "reverses"]

    def detail_context(self, obj, **extra):
        user = self.request.user
        extra.setdefault("confirm_form", f.ConfirmForm() if services.may_confirm(user, obj) else None)
        extra.setdefault("feedback_form", f.FeedbackForm() if services.may_give_feedback(user, obj) else None)
        extra.setdefault("feedback", Feedback.objects.restrict(user).filter(entitlement=obj).first())
        return super().detail_context(obj, payouts=obj.payouts.all(), may_recover=bool(
            ENTITLEMENT_WORKFLOW.can(user, obj, "recover")), **extra)


class EntitlementConfirm(PostOnly, EntitlementDetail):
    action = "change"

    def post(self, request, pk):
        obj = self.get_object()
        form = f.ConfirmForm(request.POST)
        if form.is_valid():
            try:
                services.confirm(request.user, obj, form.cleaned_data)
            except ValidationError as exc:
                _errors(request, exc)
            else:
                messages.success(request, _("Payment details confirmed."))
                return redirect(g.object_url(obj))
        return render(request, self.template_name, self.detail_context(obj, confirm_form=form), status=400)


class EntitlementRecover(PostOnly, EntitlementDetail):
    action = "view"  # the policy's bureau recovers (the service and the workflow's guard check it), not the carrier

    def post(self, request, pk):
        obj = self.get_object()
        try:
            recover(request.user, obj, request.POST.get("reason", ""))
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, str(exc))
        return redirect(g.object_url(obj))


class EntitlementHistory(g.ObjectHistoryView):
    model = Entitlement


# --- ledger ----------------------------------------------------------------------------------------


class PayoutList(g.ObjectListView):
    model = Payout
    template_name = "policies/payout_list.html"
    search_paths = ("carrier__search", "firm__search", "operator__search", "person__search", "key")
    default_sort = "-paid_on"
    select_related = ("policy", "carrier", "firm", "team", "operator", "person")
    columns = [g.Column("paid_on", sort="paid_on", link=True), g.Column("policy", sort="policy__code"),
               g.Column("holder", gettext_lazy("beneficiary"),
                        value=lambda p: getattr(p.firm or p.team or p.operator or p.person or p.carrier, "name", "")),
               g.Column("key", value=lambda p: glossary.key_label(p.key)),
               g.Column("kind", sort="kind"),
               g.Column("amount_fen", sort="amount_fen"), g.Column("budget_year", sort="budget_year")]


class PayoutDetail(g.ObjectDetailView):
    model = Payout


class PayoutExport(g.ScopedMixin, g.View):
    model = Payout

    def get(self, request):
        payouts = self.get_queryset()
        if request.GET.get("policy"):
            payouts = payouts.filter(policy__code=request.GET["policy"])
        response = HttpResponse(export_xlsx(payouts), content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
        response["Content-Disposition"] = f'attachment; filename="ledger-{timezone.localdate()}.xlsx"'
        announce_export(request, "policies.payout", payouts.count(), filters={"policy": request.GET.get("policy", "")})
        return response


# --- calls and applications -----------------------------------------------------------------------


class CallList(g.ObjectListView):
    model = Call
    search_paths = ("title",)
    default_sort = "-opens_on"
    columns = [g.Column("title", link=True), g.Column("policy"), g.Column("opens_on", sort="opens_on"),
               g.Column("closes_on", sort="closes_on"), g.Column("status", sort="status")]


class CallCreate(g.ObjectCreateView):
    model = Call
    form_class = f.CallForm


class CallDetail(g.ObjectDetailView):
    model = Call
    template_name = "policies/call_detail.html"

    def detail_context(self, obj, **extra):
        return super().detail_context(obj, transitions=CALL_WORKFLOW.available(self.request.user, obj), **extra)


class CallTransition(PostOnly, CallDetail):
    action = "change"

    def post(self, request, pk):
        obj = self.get_object()
        try:
            CALL_WORKFLOW.apply(request.user, obj, request.POST.get("transition", ""))
        except ValidationError as exc:
            _errors(request, exc)
        return redirect(g.object_url(obj))


class CallHistory(g.ObjectHistoryView):
    model = Call


class ApplicationList(g.ObjectListView):
    model = Application
    filter_form = f.ApplicationFilter
    search_paths = ("carrier__search",)
    default_sort = "-created_at"
    select_related = ("carrier", "call")
    columns = [g.Column("carrier", link=True, sort="carrier__name"), g.Column("call"),
               g.Column("status", sort="status"), g.Column("submitted_on", sort="submitted_on"),
               g.Column("amount_fen", sort="amount_fen")]


class ApplicationCreate(g.ObjectCreateView):
    model = Application
    form_class = f.ApplicationForm


class ApplicationDetail(g.ObjectDetailView):
    model = Application
    template_name = "policies/application_detail.html"

    def detail_context(self, obj, **extra):
        user = self.request.user
        extra.setdefault("attach_form", f.AttachmentForm() if app_services.may_attach(user, obj) else None)
        return super().detail_context(obj, transitions=APPLICATION_WORKFLOW.available(user, obj),
                                      attachments=obj.attachments.all(), **extra)


class ApplicationTransition(PostOnly, ApplicationDetail):
    action = "change"

    def post(self, request, pk):
        obj = self.get_object()
        form = f.StepForm(request.POST)
        if form.is_valid():
            try:
                app_services.take_step(request.user, obj, form.cleaned_data["transition"],
                                       reason=form.cleaned_data["reason"], **form.step_data())
            except ValidationError as exc:
                _errors(request, exc)
            else:
                messages.success(request, _("Status: %(s)s.") % {"s": obj.get_status_display()})
        return redirect(g.object_url(obj))


class ApplicationAttach(PostOnly, ApplicationDetail):
    action = "change"

    def post(self, request, pk):
        obj = self.get_object()
        form = f.AttachmentForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                app_services.add_attachment(request.user, obj, form.cleaned_data["title"], form.cleaned_data["file"])
            except ValidationError as exc:
                _errors(request, exc)
            else:
                return redirect(g.object_url(obj))
        return render(request, self.template_name, self.detail_context(obj, attach_form=form), status=400)


class ApplicationFile(ApplicationDetail):
    def get(self, request, pk):
        attachment = get_object_or_404(self.get_object().attachments, pk=request.GET.get("id") or 0)
        if not attachment.file:
            raise Http404
        return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.file.name)


class ApplicationHistory(g.ObjectHistoryView):
    model = Application


class NotificationRead(PostOnly, g.ScopedMixin, g.View):
    model = Notification
    action = "change"

    def post(self, request, pk):
        services.mark_read(request.user, self.get_object())
        return redirect(request.POST.get("next") or "dashboard")

    def get(self, request, pk):
        self.get_object()
        return redirect("dashboard")


# --- firm-level policies: which policies fit me, reach and publication, feedback --------------------


class FirmFit(g.ObjectDetailView):
    """Which policies fit a firm: entitled now (amount, explanation, articles), would be entitled if …, not
    applicable. The firm itself, or bureau staff for a firm of their region (404 otherwise)."""

    model = Firm
    template_name = "policies/fit.html"

    def detail_context(self, obj, **extra):
        user = self.request.user
        form = f.FitForm(self.request.GET or None, initial={"as_of": default_as_of()})
        as_of = form.cleaned_data["as_of"] if form.is_valid() and form.cleaned_data.get("as_of") else default_as_of()
        fits = services.firm_fits(user, obj.pk, as_of)
        return self.base_context(
            object=obj, tab="fit", fits=fits, form=form, as_of=as_of,
            subscribed=Subscription.objects.filter(firm=obj).exists(), may_subscribe=bool(check(user, "change", obj)),
            subject_url=g.object_url(obj), **extra)


class MyFit(FirmFit):
    """/policies/fit/: the signed-in firm user's own firm (one firm grant), a carrier operator's own organisation
    (one operator grant), else the firm list to pick from."""

    def get(self, request, pk=None):
        firms = list(Firm.objects.restrict(request.user).filter(
            pk__in=request.user.role_grants.filter(firm__isnull=False).values("firm_id"))[:2])
        if len(firms) != 1:
            operators = list(request.user.role_grants.filter(role="operator", organisation__isnull=False)
                             .values_list("organisation_id", flat=True)[:2])
            if not firms and len(operators) == 1:
                return redirect("policies:operator_fit", pk=operators[0])
            return redirect("registry:firm_list")
        return render(request, self.template_name, self.detail_context(firms[0]))


class FirmSubscribe(PostOnly, FirmFit):
    action = "change"

    def post(self, request, pk):
        firm = self.get_object()
        if request.POST.get("subscribe") == "0":
            services.unsubscribe(request.user, firm)
            messages.success(request, _("You will no longer be told of new policies."))
        else:
            services.subscribe(request.user, firm)
            messages.success(request, _("You will be told when a new policy fits this firm."))
        return redirect("policies:firm_fit", pk=firm.pk)


class CarrierFit(g.ObjectDetailView):
    """Which carrier policies fit a carrier: entitled now (amount, explanation), or not (why)."""

    model = Carrier
    template_name = "policies/fit.html"

    def detail_context(self, obj, **extra):
        form = f.FitForm(self.request.GET or None, initial={"as_of": timezone.localdate()})
        as_of = form.cleaned_data["as_of"] if form.is_valid() and form.cleaned_data.get("as_of") else None
        fits = services.carrier_fits(self.request.user, obj.pk, as_of)
        return self.base_context(object=obj, tab="fit", fits=fits, form=form, as_of=as_of or timezone.localdate(),
                                 subject_url=g.object_url(obj), **extra)


class OperatorFit(g.ObjectDetailView):
    """Which operator policies fit a carrier operator (the organisation running carriers): entitled now, would
    be entitled if …, not applicable. The operator itself, or bureau staff of its region (404 otherwise)."""

    model = Organisation
    template_name = "policies/fit.html"

    def detail_context(self, obj, **extra):
        form = f.FitForm(self.request.GET or None, initial={"as_of": default_as_of()})
        as_of = form.cleaned_data["as_of"] if form.is_valid() and form.cleaned_data.get("as_of") else default_as_of()
        fits = services.operator_fits(self.request.user, obj.pk, as_of)
        return self.base_context(object=obj, tab="fit", fits=fits, form=form, as_of=as_of,
                                 subject_url=g.object_url(obj), **extra)


class PolicyReach(PolicyDetail):
    """The reach of a firm-level policy on the real population (firms, cost, close firms), before publishing."""

    template_name = "policies/policy_reach.html"

    def detail_context(self, obj, **extra):
        user = self.request.user
        form = f.SimulationForm(self.request.GET or None, initial={"as_of": default_as_of()})
        reach = None
        if packs.get(obj.code).firm_level:
            as_of, overrides = default_as_of(), {}
            if self.request.GET and form.is_valid():
                as_of, overrides = form.cleaned_data["as_of"], parse_settings(form.pairs())
            try:
                reach = services.reach(user, obj.code, as_of, overrides)
            except ValidationError as exc:
                form.add_error(None, exc.messages)
        return g.ObjectDetailView.detail_context(
            self, obj, reach=reach, reach_form=form, can_manage=bool(check(user, "change", obj)),
            publish_form=f.PublishForm(initial={"as_of": default_as_of()}), **extra)


class PolicyPublish(PostOnly, PolicyDetail):
    action = "change"

    def post(self, request, pk):
        policy = self.get_object()
        form = f.PublishForm(request.POST)
        if not form.is_valid():
            _errors(request, ValidationError(form.errors))
            return redirect("policies:policy_reach", pk=policy.pk)
        try:
            done = services.publish(request.user, policy.code, form.cleaned_data["as_of"])
        except ValidationError as exc:
            _errors(request, exc)
            return redirect("policies:policy_reach", pk=policy.pk)
        messages.success(request, _("Published: %(n)s entitlements (%(total)s yuan); %(close)s firms told what they "
                                    "miss.") % {"n": done["entitlements"], "total": fmt.yuan(done["total_fen"]),
                                                "close": done["close"]})
        return redirect(g.object_url(policy))


class EntitlementFeedback(PostOnly, EntitlementDetail):
    action = "change"

    def post(self, request, pk):
        obj = self.get_object()
        form = f.FeedbackForm(request.POST)
        if form.is_valid():
            try:
                services.give_feedback(request.user, obj, form.cleaned_data)
            except ValidationError as exc:
                _errors(request, exc)
            else:
                messages.success(request, _("Thank you for your feedback."))
                return redirect(g.object_url(obj))
        return render(request, self.template_name, self.detail_context(obj, feedback_form=form), status=400)
