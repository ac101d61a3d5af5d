"""Pages of the service desk: requests (list, open, the thread with its steps), stewards, the bureau's report,
the user's notices. Lists use the generic views (pagination, filters, CSV/XLSX export); writes go through
the services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from fuhua.core.forms import add_service_errors
from fuhua.core.scoping import check
from fuhua.core.uploads import size_problem
from fuhua.core.views import generic as g

from . import forms as f
from . import services
from .chart import bars_svg
from .models import MAX_UPLOAD_BYTES, OPEN, Attachment, Notice, ServiceRequest, Status, Steward
from .workflow import REQUEST_WORKFLOW, is_assigned_steward, is_requester


def _errors(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _upload_problems(request, field: str = "files") -> list[str]:
    uploads = request.FILES.getlist(field) or [None]
    return [p for p in (size_problem(request, u, MAX_UPLOAD_BYTES, field=field) for u in uploads) if p]


class PostOnly:
    def get(self, request, pk, **kwargs):
        return redirect(g.object_url(self.get_object()))


def _flagged(day, late: bool) -> str:
    return f"{day.isoformat()} ⚠ {_('overdue')}" if late else day.isoformat()


class RequestList(g.ObjectListView):
    model = ServiceRequest
    filter_form = f.RequestFilter
    search_paths = ("title", "firm__search", "organisation__search")
    default_sort = "-opened_at"
    select_related = ("firm", "organisation", "region", "steward__user")
    columns = [
        g.Column("title", link=True),
        g.Column("topic", sort="topic"),
        g.Column("requester", gettext_lazy("requester")),
        g.Column("region"),
        g.Column("steward"),
        g.Column("status", sort="status"),
        g.Column("opened_at", sort="opened_at"),
        g.Column("first_response_due", sort="first_response_due",
                 value=lambda o: _flagged(o.first_response_due, o.first_response_overdue(timezone.localdate()))),
        g.Column("resolution_due", sort="resolution_due",
                 value=lambda o: _flagged(o.resolution_due, o.resolution_overdue(timezone.localdate()))),
        g.Column("rating", sort="rating"),
    ]

    def base_context(self, **extra):
        context = super().base_context(**extra)
        # Only a firm or an operator asks for itself: a platform administrator may add but has no requester.
        user = self.request.user
        context["can_add"] = g.model_url(ServiceRequest, "create") if bool(
            check(user, "add", ServiceRequest)) and any(services.requesters_of(user)) else None
        return context


class RequestCreate(g.ScopedMixin, View):
    model = ServiceRequest
    action = "add"
    template_name = "desk/request_form.html"

    def get(self, request):
        form = f.RequestForm(user=request.user, initial=request.GET.dict())
        return self._render(form)

    def post(self, request):
        form = f.RequestForm(request.POST, request.FILES, user=request.user)
        problems = _upload_problems(request)
        for problem in problems:
            form.add_error("files", problem)
        if not problems and form.is_valid():
            try:
                obj = services.open_request(request.user, form.service_data(), form.cleaned_data["files"])
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Your request was opened."))
                return redirect(g.object_url(obj))
        return self._render(form, status=400)

    def _render(self, form, status=200):
        if not form.fields["requester"].choices:
            raise PermissionDenied(_("Only a firm or carrier operator opens a request for itself."))
        return render(self.request, self.template_name, self.base_context(
            form=form, cancel_url=g.model_url(ServiceRequest)), status=status)


class RequestDetail(g.ObjectDetailView):
    model = ServiceRequest
    template_name = "desk/request_detail.html"
    fields = ["topic", "firm", "organisation", "region", "steward", "opened_at", "first_response_at", "resolved_at",
              "closed_at", "reopened", "rating", "rating_comment"]

    def get_queryset(self):
        return super().get_queryset().select_related("firm", "organisation", "region", "steward__user", "link_type")

    def detail_context(self, obj, **extra):
        user, today = self.request.user, timezone.localdate()
        steps = REQUEST_WORKFLOW.available(user, obj)
        writable = services.may_write(user, obj) is None
        bureau = [t for t in steps if t.name == "assign"]
        stewards = services.stewards_for(user, obj) if bureau else []
        extra.setdefault("message_form", f.MessageForm() if writable else None)
        extra.setdefault("assign_form", f.AssignForm(stewards=stewards) if stewards else None)
        requester = is_requester(user, obj)
        extra.setdefault("link_form", f.LinkForm() if requester and obj.status != Status.CLOSED
                         and services.linkable_models() else None)
        linked = services.linked_for(user, obj)
        return super().detail_context(
            obj, linked=linked, linked_url=g.object_url(linked) if linked else None,
            linked_kind=services.LINKABLE.get(f"{obj.link_type.app_label}.{obj.link_type.model}", "")
            if linked else "", steps=[t for t in steps if t.name not in ("assign", "close_unrated")],
            thread=obj.messages.select_related("author").prefetch_related("attachments"),
            first_late=obj.first_response_overdue(today),
            resolution_late=obj.resolution_overdue(today), is_steward=is_assigned_steward(user, obj),
            is_requester=requester, ratings=range(5, 0, -1), **extra)


class RequestTransition(PostOnly, RequestDetail):
    action = "change"

    def post(self, request, pk):
        obj = self.get_object()
        form = f.StepForm(request.POST)
        if not form.is_valid():
            _errors(request, ValidationError(form.errors.get("rating") or [_("Check the step's input.")]))
            return redirect(g.object_url(obj))
        data = form.cleaned_data
        extra = {"rating": data["rating"], "comment": data["comment"]} if data["transition"] == "rate" else {}
        try:
            services.take_step(request.user, obj, data["transition"], reason=data["reason"], **extra)
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("Status: %(s)s.") % {"s": obj.get_status_display()})
        return redirect(g.object_url(obj))


class RequestMessage(PostOnly, RequestDetail):
    action = "change"

    def post(self, request, pk):
        obj = self.get_object()
        form = f.MessageForm(request.POST, request.FILES)
        for problem in _upload_problems(request):
            form.add_error("files", problem)
        if form.errors or not form.is_valid():
            return render(request, self.template_name, self.detail_context(obj, message_form=form), status=400)
        try:
            services.post_message(request.user, obj, form.cleaned_data["body"], form.cleaned_data["files"])
        except ValidationError as exc:
            add_service_errors(form, exc)
            return render(request, self.template_name, self.detail_context(obj, message_form=form), status=400)
        messages.success(request, _("Message sent."))
        return redirect(g.object_url(obj))


class RequestAssign(PostOnly, RequestDetail):
    action = "change"

    def post(self, request, pk):
        obj = self.get_object()
        try:
            services.assign_in_scope(request.user, obj, request.POST.get("steward"),
                                     reason=request.POST.get("reason", "")[:500])
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("Assigned to %(name)s.") % {"name": obj.steward})
        return redirect(g.object_url(obj))


class RequestLink(PostOnly, RequestDetail):
    action = "change"

    def post(self, request, pk):
        obj = self.get_object()
        try:
            services.set_link(request.user, obj, request.POST.get("link"), request.POST.get("link_id"))
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("Linked."))
        return redirect(g.object_url(obj))


class RequestFile(RequestDetail):
    def get(self, request, pk):
        obj = self.get_object()
        attachment_id = request.GET.get("id", "")
        attachment = Attachment.objects.filter(message__request=obj, pk=attachment_id).first() if (
            attachment_id.isdigit()) else None
        if attachment is None or not attachment.file:
            raise Http404
        return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name)


class RequestHistory(g.ObjectHistoryView):
    model = ServiceRequest


# --- stewards ---------------------------------------------------------------------------------------


class StewardList(g.ObjectListView):
    model = Steward
    search_paths = ("user__username", "user__first_name", "user__last_name")
    default_sort = "region_id"
    select_related = ("user", "region")
    columns = [g.Column("user", link=True, value=lambda s: s.display_name), g.Column("region", sort="region_id"),
               g.Column("topics", value=lambda s: s.topic_labels()), g.Column("capacity", sort="capacity"),
               g.Column("open", gettext_lazy("open requests"), value=lambda s: s.open_requests),
               g.Column("active", sort="active")]

    def get_queryset(self):
        return super().get_queryset().annotate(open_requests=Count("requests", filter=Q(requests__status__in=OPEN)))


class StewardCreate(g.ObjectCreateView):
    model = Steward
    form_class = f.StewardForm


class StewardEdit(g.ObjectEditView):
    model = Steward
    form_class = f.StewardForm


class StewardDetail(g.ObjectDetailView):
    model = Steward
    fields = ["user", "region", "capacity", "active"]

    def sections(self, obj):
        rows = list(ServiceRequest.objects.restrict(self.request.user).filter(steward=obj, status__in=OPEN)
                    .select_related("firm", "organisation")[:50])
        return [g.Section(_("Open requests"), [g.Column("title", link=True), g.Column("status"),
                                               g.Column("resolution_due")], rows)]


class StewardDelete(g.ObjectDeleteView):
    model = Steward


class StewardHistory(g.ObjectHistoryView):
    model = Steward


# --- the bureau's report and the user's notices ------------------------------------------------------


class Report(g.ScopedMixin, View):
    model = Steward
    template_name = "desk/report.html"

    def get(self, request):
        report = services.report(request.user, timezone.localdate())

        def chart(rows, attr, scale, fmt, colour):
            data = [(r.label, getattr(r, attr), fmt(getattr(r, attr))) for r in rows]
            return mark_safe(bars_svg(data, scale, "", colour))  # noqa: S308 (labels escaped in bars_svg)

        rating = lambda v: "—" if v is None else f"{v:.2f}"  # noqa: E731
        stewards = [r for r in report.by_steward if r.key]
        return render(request, self.template_name, self.base_context(
            report=report,
            satisfaction_chart=chart(stewards, "mean_rating", 5, rating, "#2e7d32"),
            load_chart=chart(stewards, "open", max([r.open for r in stewards] + [1]), str, "#1565c0"),
            topic_chart=chart(report.by_topic, "mean_rating", 5, rating, "#6a1b9a"),
        ))


class NoticeList(g.ScopedMixin, View):
    model = Notice
    template_name = "desk/notices.html"

    def get(self, request):
        notices = Notice.objects.restrict(request.user).filter(recipient_id=request.user.pk).select_related(
            "request")[:200]
        return render(request, self.template_name, self.base_context(notices=notices))

    def post(self, request):
        services.mark_read(request.user)
        return redirect("desk:notice_list")
