"""REST endpoints of steering: targets (CRUD and progress), report snapshots (build, read, render) and the
figures of a region (the numbers the pages and reports show, as JSON). Region endpoints answer 404 for a
region outside the caller's scope, like objects."""

import json

from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from ninja import Query, Router, Status

from fuhua.core.api_crud import Resource, crud_router, get_scoped, operation, require
from fuhua.core.api_errors import COMMON_ERRORS, OBJECT_ERRORS, WRITE_ERRORS

from . import aggregates, report, services
from . import index as shuangchuang
from . import schemas as s
from .metrics import Frame, catalogue
from .models import ReportSnapshot, Target

TARGETS = Resource(Target, s.TargetOut, s.TargetIn, filters=s.TargetFilters, ordering=("metric", "first_year"),
                   select_related=("region",), search=None)
SNAPSHOTS = Resource(ReportSnapshot, s.SnapshotOut, filters=s.SnapshotFilters, ordering=("created_at", "year"),
                     search=None)
CONTENT_TYPES = {"html": "text/html; charset=utf-8", "pdf": "application/pdf",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def targets_router() -> Router:
    r = crud_router(TARGETS)

    @r.get("/{id}/progress", response={200: s.ProgressOut, **OBJECT_ERRORS},
           **operation("target_progress", "Progress of a target: actuals per year and sub-region, completion, "
                                          "forecast"))
    def target_progress(request, id: int):
        target = get_scoped(TARGETS, request.auth_user, id)
        return services.progress_json(services.progress(request.auth_user, target))

    return r


def snapshots_router() -> Router:
    r = crud_router(SNAPSHOTS)

    @r.post("", response={201: s.SnapshotOut, **WRITE_ERRORS},
            **operation("reportsnapshot_create", "Build the annual development report of a region and year "
                                                 "(a checksummed snapshot of its data)"))
    def build(request, payload: s.SnapshotIn):
        require(request.auth_user, "add", ReportSnapshot)
        region = services.region_for(request.auth_user, payload.region, "add")
        try:
            snapshot = report.build_snapshot(request.auth_user, region, payload.year, payload.template)
        except report.ReportError as exc:
            raise ValidationError({"year": str(exc)}) from exc
        return Status(201, snapshot)

    @r.get("/{id}/document", response={200: None, **OBJECT_ERRORS},
           **operation("reportsnapshot_document", "The report rendered from its snapshot: html, pdf or xlsx"))
    def document(request, id: int, format: s.Format = "html", lang: str = "zh"):
        snapshot = get_scoped(SNAPSHOTS, request.auth_user, id)
        if format == "json":
            return _json(snapshot)
        body = report.render(snapshot, format, "en" if lang == "en" else "zh")
        response = HttpResponse(body, content_type=CONTENT_TYPES[format])
        if format != "html":
            name = f"report-{snapshot.region_id}-{snapshot.year}.{format}"
            response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    return r


def _json(snapshot):
    return JsonResponse({"checksum": snapshot.checksum, "data": snapshot.data},
                        json_dumps_params={"ensure_ascii": False})


def steering_router() -> Router:
    r = Router(tags=["steering"])

    @r.get("/metrics", response={200: list[s.MetricOut], **COMMON_ERRORS},
           **operation("steering_metrics", "The metric catalogue (targets, reports and dashboards use it)"))
    def metrics(request):
        require(request.auth_user, "view", Target)
        return [{"code": m.code, "label": m.label, "kind": m.kind, "unit": m.unit, "note": m.note}
                for m in catalogue().values()]

    @r.get("/regions/{code}/figures", response={200: s.FiguresOut, **OBJECT_ERRORS},
           **operation("steering_region_figures", "Every metric of a region for a year, with its sub-regions"))
    def region_figures(request, code: str, year: int | None = None, metric: Query[list[str]] = None):
        region = services.region_for(request.auth_user, code)
        year = year or report.last_complete_year()
        frame = Frame(request.auth_user, region)
        wanted = [m for m in (metric or catalogue()) if m in catalogue()]
        figures = []
        for m in wanted:
            value = frame.value(m, year)
            figures.append({"metric": m, "label": catalogue()[m].label, "unit": catalogue()[m].unit,
                            "value": value.value, "by_region": value.by_child, "method": catalogue()[m].note,
                            "definition": catalogue()[m].source.rsplit("/", 1)[-1]})
        return {"region": region.code, "region_name": region.name, "year": year, "figures": figures}

    @r.get("/regions/{code}/index", response={200: dict, **OBJECT_ERRORS},
           **operation("steering_region_index", "The 双创指数 of a region's sub-regions for a year, with its method"))
    def region_index(request, code: str, year: int | None = None):
        region = services.region_for(request.auth_user, code)
        year = year or report.last_complete_year()
        frame = Frame(request.auth_user, region)
        by_child = {m: frame.value(m, year).by_child for m in shuangchuang.metrics()}
        children = [{"code": c.code, "name": c.name} for c in frame.children]
        return {"region": region.code, "year": year, "method": json.loads(json.dumps(shuangchuang.method())),
                "rows": shuangchuang.compute(by_child, children)}

    @r.get("/regions/{code}/overview", response={200: dict, **OBJECT_ERRORS},
           **operation("steering_region_overview", "The dashboard's aggregates of a region (as fresh as stated)"))
    def region_overview(request, code: str):
        region = services.region_for(request.auth_user, code)
        at = aggregates.freshness()
        return {"region": region.code, "computed_at": at.isoformat() if at else None,
                "age_seconds": int((timezone.now() - at).total_seconds()) if at else None,
                "values": aggregates.read(region.code)}

    return r


def routers() -> dict[str, Router]:
    """URL prefix → router; api.py mounts each under /api/v1/<prefix>."""
    return {"targets": targets_router(), "development-reports": snapshots_router(), "steering": steering_router()}
