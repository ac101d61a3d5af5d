"""Pages of steering: a region's targets with progress and forecast, target forms, the annual report (build,
read, download as HTML, PDF or XLSX). Region pages answer 404 outside the reader's scope."""

from __future__ import annotations

import urllib.parse

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views import View

from fuhua.core.exports import announce_export, export_response
from fuhua.core.scoping import check
from fuhua.core.views import generic as g

from . import index as shuangchuang
from . import report, services
from .api import CONTENT_TYPES
from .charts import charts
from .forms import BuildForm, TargetForm
from .metrics import Frame
from .models import ReportSnapshot, Target


def figure_link(region_code: str, year: int):
    def link(metric: str) -> str:
        query = urllib.parse.urlencode({"year": year, "metric": metric})
        return f"/api/v1/steering/regions/{region_code}/figures?{query}"
    return link


@login_required
def home(request):
    allowed = check(request.user, "view", Target)
    if not allowed:
        raise PermissionDenied(allowed.reason)
    provinces = services.regions_in_reach(request.user).filter(level="province").order_by("code")
    if provinces.count() > 1:  # national reach: choose a province
        counts = dict(Target.objects.restrict(request.user, "view").order_by().values_list("region_id")
                      .annotate(n=Count("pk")))
        rows = [{"region": p, "targets": sum(n for code, n in counts.items() if code.startswith(p.code[:2]))}
                for p in provinces]
        return render(request, "steering/home.html", {"rows": rows})
    region = services.default_region(request.user)
    if region is None:
        raise Http404(_("You steer no region."))
    return redirect("steering:region", code=region.code)


@login_required
def region_page(request, code: str):
    try:
        region = services.region_for(request.user, code)
    except ValidationError as exc:
        raise Http404(str(exc.message_dict.get("region", [""])[0])) from exc
    frame = Frame(request.user, region)
    targets = Target.objects.restrict(request.user, "view").filter(region=region).select_related("region")
    rows = [services.progress(request.user, t, frame, with_forecast=False) for t in targets]
    snapshots = ReportSnapshot.objects.restrict(request.user, "view").filter(region=region).defer("data")[:10]
    children = services.regions_in_reach(request.user).filter(parent=region).order_by("code")
    index_year = report.last_complete_year()
    index_rows = []
    if len(frame.ids) and frame.children:
        index_rows = shuangchuang.compute({m: frame.value(m, index_year).by_child for m in shuangchuang.metrics()},
                                          [{"code": c.code, "name": c.name} for c in frame.children])
    return render(request, "steering/region.html", {
        "index_rows": index_rows, "index_year": index_year, "index_dimensions": shuangchuang.method()["dimensions"],
        "region": region, "progress_rows": rows, "snapshots": snapshots, "children": children,
        "build_form": BuildForm(initial={"year": report.last_complete_year()}),
        "can_add_target": check(request.user, "add", Target), "can_build": check(request.user, "add", ReportSnapshot),
    })


@login_required
def build_report(request, code: str):
    if request.method != "POST":
        return redirect("steering:region", code=code)
    try:
        region = services.region_for(request.user, code, "add")
    except ValidationError as exc:
        raise Http404(str(exc)) from exc
    form = BuildForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the year of the report."))
        return redirect("steering:region", code=region.code)
    try:
        snapshot = report.build_snapshot(request.user, region, form.cleaned_data["year"])
    except report.ReportError as exc:
        messages.error(request, str(exc))
        return redirect("steering:region", code=region.code)
    return redirect("steering:reportsnapshot_detail", pk=snapshot.pk)


class TargetList(g.ObjectListView):
    model = Target
    search_paths = ("metric", "plan_title")
    default_sort = "region"
    select_related = ("region",)
    columns = [
        g.Column("metric_label", gettext_lazy("metric"), link=True), g.Column("region", sort="region"),
        g.Column("period", sort="first_year"), g.Column("value", sort="value"), g.Column("plan_title"),
    ]


class TargetCreate(g.ObjectCreateView):
    model = Target
    form_class = TargetForm


class TargetEdit(g.ObjectEditView):
    model = Target
    form_class = TargetForm


class TargetDelete(g.ObjectDeleteView):
    model = Target


class TargetHistory(g.ObjectHistoryView):
    model = Target


class TargetDetail(g.ScopedMixin, View):
    model = Target

    def get(self, request, pk):
        target = self.get_object()
        progress = services.progress(request.user, target)
        return render(request, "steering/target_detail.html", self.base_context(
            object=target, progress=progress, actions=g.object_actions(request.user, target)))


class SnapshotList(g.ObjectListView):
    model = ReportSnapshot
    search_paths = ("template",)
    default_sort = "-created_at"
    select_related = ("region",)
    columns = [g.Column("region", sort="region", link=True), g.Column("year", sort="year"),
               g.Column("created_at", sort="created_at"), g.Column("checksum")]

    def get_queryset(self):
        return super().get_queryset().defer("data")  # the frozen report: only its page and downloads read it


class SnapshotDelete(g.ObjectDeleteView):
    model = ReportSnapshot


def _lang(request) -> str:
    asked = request.GET.get("lang") or (get_language() or "zh")
    return "en" if asked.startswith("en") else "zh"


class SnapshotDetail(g.ScopedMixin, View):
    """The report itself, rendered from its snapshot (every figure linked to its query and method note)."""

    model = ReportSnapshot

    def get(self, request, pk):
        snapshot = self.get_object()
        link = figure_link(snapshot.region_id, snapshot.year)
        return HttpResponse(report.render_html(snapshot, _lang(request), link))


class SnapshotDownload(g.ScopedMixin, View):
    model = ReportSnapshot

    def get(self, request, pk):
        snapshot = self.get_object()
        fmt_ = request.GET.get("format", "pdf")
        if fmt_ not in ("html", "pdf", "xlsx"):
            raise Http404(_("Unknown format."))
        body = report.render(snapshot, fmt_, _lang(request),
                             figure_link(snapshot.region_id, snapshot.year) if fmt_ == "html" else None)
        announce_export(request, f"report {snapshot.region_id} {snapshot.year}", 1, fmt=fmt_)
        response = HttpResponse(body, content_type=CONTENT_TYPES[fmt_])
        response["Content-Disposition"] = (f'attachment; filename="report-{snapshot.region_id}-{snapshot.year}'
                                           f'.{fmt_}"')
        return response


@login_required
def chart_xlsx(request):
    """One dashboard chart's rows (the table under it) as XLSX."""
    found = charts(request.user, request.GET.get("region"), request.GET.get("metric"))
    if found is None:
        raise Http404(_("No charts in your scope."))
    chart = next((c for c in found["charts"] if c["key"] == request.GET.get("chart")), None)
    if chart is None:
        raise Http404(_("Unknown chart."))
    announce_export(request, f"chart {chart['key']} {found['region_code']}", len(chart["rows"]))
    return export_response(f"{chart['key']}-{found['region_code']}", chart["headers"], chart["rows"])
