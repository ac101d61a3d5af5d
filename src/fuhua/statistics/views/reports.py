"""Report pages: list, the report itself (figures with prefill sources and validation messages,
steps, comments, versions), and the POST endpoints for figures, steps, comments and amendments.
All writes go through statistics.services / statistics.workflow."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views import View

from fuhua.core.scoping import check
from fuhua.core.views import generic as g
from fuhua.registry.models import Carrier

from .. import services, workflow
from ..forms import AmendForm, CommentForm, ReportFilter, StartForm, StepForm, ValuesForm
from ..models import AnnualReport, CommentKind
from ..prefill import source_label
from ..validation import blocking

STEP_LABELS = [gettext_noop("submit"), gettext_noop("return for correction"), gettext_noop("accept")]


class ReportList(g.ObjectListView):
    model = AnnualReport
    filter_form = ReportFilter
    search_paths = ("carrier__search",)
    default_sort = "-year"
    select_related = ("carrier",)
    template_name = "statistics/report_list.html"
    columns = [
        g.Column("carrier", sort="carrier__name", link=True),
        g.Column("year", sort="year"),
        g.Column("version", sort="version"),
        g.Column("status", sort="status"),
        g.Column("submitted_at", sort="submitted_at"),
        g.Column("accepted_at", sort="accepted_at"),
    ]

    def base_context(self, **extra):
        user = self.request.user
        carriers = Carrier.objects.restrict(user, "view").filter(status="operating").order_by("name")
        return super().base_context(start_form=StartForm() if check(user, "add", AnnualReport) else None,
                                    start_carriers=carriers[:500], **extra)


class ReportStart(g.ScopedMixin, View):
    """Open (or create, prefilled from the registry) a carrier's report for a year."""

    model = AnnualReport
    action = "add"

    def post(self, request):
        form = StartForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose a carrier and a year."))
            return redirect("statistics:annualreport_list")
        carrier = get_object_or_404(Carrier.objects.restrict(request.user, "view"), pk=form.cleaned_data["carrier"])
        report = services.start_report(request.user, carrier, form.cleaned_data["year"])
        return redirect(g.object_url(report))


def _field_rows(report, definition, values, prefilled, messages_, comments, form):
    by_code = {}
    for m in messages_:
        for code in m.codes or (m.code,):
            by_code.setdefault(code, []).append(m)
    sections = []
    for section in definition.sections:
        rows = []
        for f in section.fields:
            value = values.get(f.code)
            pre = prefilled.get(f.code)
            rows.append({
                "field": f, "value": f.to_display(value), "bound": form[f.code] if form else None,
                "prefilled": f.to_display(pre), "source": source_label(f.prefill) if f.prefill else "",
                "differs": pre is not None and value != pre, "messages": by_code.get(f.code, []),
                "comments": comments.get(f.code, []),
                "needs_explanation": any(m.level == "warning" for m in by_code.get(f.code, [])),
            })
        sections.append({"section": section, "rows": rows})
    return sections


class ReportDetail(g.ObjectDetailView):
    model = AnnualReport
    template_name = "statistics/report_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("carrier", "submitted_by", "accepted_by", "previous")

    def detail_context(self, report, values_form=None, **extra):
        user = self.request.user
        definition = services.form_of(report)
        rows = list(report.values.all())
        values = {v.code: v.value for v in rows}
        prefilled = {v.code: v.prefilled for v in rows if v.prefilled is not None}
        can_change = bool(check(user, "change", report))
        editable = report.editable and can_change
        if editable and values_form is None:
            values_form = ValuesForm(definition=definition, initial=ValuesForm.initial_from(definition, values))
        comments = {}
        for c in report.comments.select_related("author"):
            comments.setdefault(c.code, []).append(c)
        messages_ = services.messages_of(report)
        explained = services.explained_codes(report)
        return super().detail_context(
            report, definition=definition, values_form=values_form if editable else None, editable=editable,
            sections_data=_field_rows(report, definition, values, prefilled, messages_, comments,
                                      values_form if editable else None),
            problems=messages_, blocking=blocking(messages_, explained) if editable else [],
            steps=workflow.available(user, report), is_reviewer=workflow.is_reviewer(user),
            can_amend=bool(services.may_amend(user, report)),
            versions=list(services.versions_of(report)), deadline=definition.deadline(report.year),
            comment_kinds=CommentKind, **extra,
        )


class _ReportPost(ReportDetail):
    action = "change"

    def get(self, request, pk):
        return redirect(g.object_url(self.get_object()))

    def fail(self, report, exc, **extra):
        for message in getattr(exc, "messages", [str(exc)]):
            messages.error(self.request, message)
        return render(self.request, self.template_name, self.detail_context(report, **extra), status=400)


class ReportEdit(_ReportPost):
    def post(self, request, pk):
        report = self.get_object()
        form = ValuesForm(request.POST, definition=services.form_of(report))
        if not form.is_valid():
            return render(request, self.template_name, self.detail_context(report, values_form=form), status=400)
        try:
            changed = services.save_values(request.user, report, form.stored())
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for code, errors in exc.message_dict.items():
                    form.add_error(code if code in form.fields else None, errors)
            return self.fail(report, exc, values_form=form)
        messages.success(request, _("Saved %(n)d change(s).") % {"n": changed})
        return redirect(g.object_url(report))


class ReportTransition(_ReportPost):
    def post(self, request, pk):
        report = self.get_object()
        form = StepForm(request.POST)
        name = form.data.get("transition", "")
        if not form.is_valid() or name not in workflow.REPORT_WORKFLOW.transitions:
            return self.fail(report, ValidationError(_("This step is not available for this report.")))
        try:
            workflow.apply(request.user, report, name, reason=form.cleaned_data["reason"].strip())
        except (ValidationError, PermissionDenied) as exc:
            report.refresh_from_db()
            return self.fail(report, exc)
        messages.success(request, _("Status changed to %(status)s.") % {"status": report.get_status_display()})
        return redirect(g.object_url(report))


class ReportComment(_ReportPost):
    def post(self, request, pk):
        report = self.get_object()
        form = CommentForm(request.POST)
        if not form.is_valid():
            return self.fail(report, ValidationError(_("Write the comment.")))
        try:
            services.add_comment(request.user, report, form.cleaned_data["code"], form.cleaned_data["text"],
                                 form.cleaned_data["kind"])
        except (ValidationError, PermissionDenied) as exc:
            return self.fail(report, exc)
        return redirect(g.object_url(report) + f"#field-{form.cleaned_data['code']}")


class ReportAmend(_ReportPost):
    def post(self, request, pk):
        report = self.get_object()
        form = AmendForm(request.POST)
        if not form.is_valid():
            return self.fail(report, ValidationError(_("Say why the report is amended.")))
        try:
            new = services.amend(request.user, report, form.cleaned_data["reason"])
        except (ValidationError, PermissionDenied) as exc:
            return self.fail(report, exc)
        messages.success(request, _("Version %(v)d created; correct it and submit it.") % {"v": new.version})
        return redirect(g.object_url(new))


class ReportHistory(g.ObjectHistoryView):
    model = AnnualReport

