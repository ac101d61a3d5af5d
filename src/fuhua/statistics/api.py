"""REST endpoints of the annual statistics: reports (read, figures, steps, comments, amendments)
and, under /stats, the overview and workbook uploads. Thin over statistics.services."""

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Status, UploadedFile
from pydantic import Field

from fuhua.core.api_crud import Resource, crud_router, get_scoped, operation, require
from fuhua.core.api_errors import COMMON_ERRORS, OBJECT_ERRORS, WRITE_ERRORS, error_response, error_responses
from fuhua.core.schemas import StepOut
from fuhua.core.uploads import size_problem
from fuhua.registry.models import Carrier, Firm

from . import schemas as s
from . import services, workflow
from .exchange import jobs
from .exchange.firms import import_firms
from .exchange.guard import upload_cap
from .exchange.queue import in_background, queue_import
from .exchange.reports import import_reports
from .models import AnnualReport, FieldComment
from .prefill import source_label
from .validation import blocking

REPORTS = Resource(
    AnnualReport, s.ReportOut, filters=s.ReportFilters, ordering=("year", "version", "status", "updated_at"),
    select_related=("carrier",), search=lambda q: Q(carrier__search__icontains=q.lower()),
)


def _values_out(report) -> dict:
    definition = services.form_of(report)
    rows = {v.code: v for v in report.values.all()}
    messages = services.messages_of(report)
    return {
        "report": report.pk, "form_code": report.form_code, "status": report.status,
        "values": [{
            "code": f.code, "label": f.label, "unit": f.unit.label, "scale": f.unit.scale, "required": f.required,
            "value": rows[f.code].value if f.code in rows else None,
            "prefilled": rows[f.code].prefilled if f.code in rows else None,
            "source": source_label(f.prefill) if f.prefill else "",
            "origin": rows[f.code].origin if f.code in rows else None,
        } for f in definition.fields.values()],
        "messages": [m.as_dict() for m in messages],
        "blocking": [m.as_dict() for m in blocking(messages, services.explained_codes(report))],
    }


def _describe(t) -> dict:
    return {"name": t.name, "label": str(t.label), "target": str(t.target), "needs_reason": t.needs_reason}


def reports_router() -> Router:
    r = crud_router(REPORTS)

    @r.post("", response={201: s.ReportOut, **WRITE_ERRORS},
            **operation("annualreport_start", "Open the carrier's report for a year (a prefilled draft if new)"))
    def start(request, payload: s.StartIn):
        require(request.auth_user, "add", AnnualReport)
        carrier = get_object_or_404(Carrier.objects.restrict(request.auth_user, "view"), pk=payload.carrier)
        report = services.start_report(request.auth_user, carrier, payload.year)
        return Status(201, REPORTS.queryset(request.auth_user, "view").get(pk=report.pk))

    @r.get("/{id}/values", response={200: s.ValuesOut, **OBJECT_ERRORS},
           **operation("annualreport_values", "Figures with prefill, sources and validation messages"))
    def get_values(request, id: int):
        return _values_out(get_scoped(REPORTS, request.auth_user, id))

    @r.put("/{id}/values", response={200: s.ValuesOut, **WRITE_ERRORS},
           **operation("annualreport_values_update", "Set figures (storage units: fen, m², counts)"))
    def put_values(request, id: int, payload: s.ValuesIn):
        report = get_scoped(REPORTS, request.auth_user, id, "change")
        if any(v is not None and abs(v) > 2**62 for v in payload.values.values()):
            raise ValidationError({"values": "a value is out of range"})
        services.save_values(request.auth_user, report, payload.values)
        return _values_out(report)

    @r.get("/{id}/transitions", response={200: list[StepOut], **OBJECT_ERRORS},
           **operation("annualreport_transitions", "Steps the current user may take now"))
    def transitions(request, id: int):
        report = get_scoped(REPORTS, request.auth_user, id)
        return [_describe(t) for t in workflow.available(request.auth_user, report)]

    @r.post("/{id}/transitions/{name}", response={200: s.ReportOut, **WRITE_ERRORS},
            **operation("annualreport_transition", "Take a step: submit, return (reason), accept"))
    def take(request, id: int, name: str, payload: s.ReasonIn):
        report = get_scoped(REPORTS, request.auth_user, id, "change")
        if name not in workflow.REPORT_WORKFLOW.transitions:
            raise Http404
        workflow.apply(request.auth_user, report, name, reason=payload.reason)
        return REPORTS.queryset(request.auth_user, "view").get(pk=report.pk)

    @r.post("/{id}/amend", response={201: s.ReportOut, **WRITE_ERRORS},
            **operation("annualreport_amend", "Amend an accepted report: a new draft version, with the reason"))
    def amend(request, id: int, payload: s.ReasonIn):
        report = get_scoped(REPORTS, request.auth_user, id, "change")
        new = services.amend(request.auth_user, report, payload.reason)
        return Status(201, REPORTS.queryset(request.auth_user, "view").get(pk=new.pk))

    @r.get("/{id}/comments", response={200: list[s.CommentOut], **OBJECT_ERRORS},
           **operation("annualreport_comments", "Reviewers' comments and operators' explanations"))
    def comments(request, id: int):
        report = get_scoped(REPORTS, request.auth_user, id)
        return list(FieldComment.objects.restrict(request.auth_user, "view").filter(report=report))

    @r.post("/{id}/comments", response={201: s.CommentOut, **WRITE_ERRORS},
            **operation("annualreport_comment", "Comment on a field (return) or explain a figure"))
    def comment(request, id: int, payload: s.CommentIn):
        report = get_scoped(REPORTS, request.auth_user, id, "change")
        return Status(201, services.add_comment(request.auth_user, report, payload.code, payload.text,
                                                payload.kind))

    return r


class OverviewParams(s.Schema):
    year: int = Field(..., ge=2000, le=2100)


class ReportImportParams(s.Schema):
    year: int = Field(..., ge=2000, le=2100)
    dry_run: bool = True


def _import_out(result) -> dict:
    return result.as_dict()


class ImportJobOut(s.Schema):
    id: str
    kind: str
    filename: str
    size: int
    dry_run: bool
    status: str = Field(description="queued, running, done (see result.ok) or failed (see error)")
    phase: str = Field(description="checking (the whole file, nothing written) or writing (a chunk at a time)")
    rows: int = Field(description="rows read so far in this phase")
    created: str
    finished: str | None = None
    error: str = ""
    result: s.ImportOut | None = None
    status_url: str


def _job_out(job: dict) -> dict:
    return {**job, "status_url": f"/api/v1/stats/imports/jobs/{job['id']}"}


UPLOAD_ERRORS = {**COMMON_ERRORS, **error_responses(413)}


def _refuse(request, upload, cap: int):
    """413 for a file over the endpoint's cap (or refused on the way in), 422 for no file; else None."""
    if (problem := size_problem(request, upload, cap)) is not None:
        return error_response(413, problem, [{"field": "file", "message": problem, "code": "too_large"}],
                              code="too_large")
    if upload is None:
        message = _("Attach the file to import (form field 'file').")
        return error_response(422, message, [{"field": "file", "message": message, "code": "required"}])
    return None


def _source(upload: UploadedFile):
    return upload.temporary_file_path() if hasattr(upload, "temporary_file_path") else upload.read()


def stats_router() -> Router:
    r = Router(tags=["annual statistics"])

    @r.get("/overview", response={200: s.OverviewOut, **COMMON_ERRORS},
           **operation("stats_overview", "Per city: carriers that have not submitted; totals of accepted figures"))
    def overview(request, params: Query[OverviewParams]):
        from .definitions import form_for_year
        from .views.overview import TOTAL_CODES

        require(request.auth_user, "view", Carrier)
        definition = form_for_year(params.year)
        cities = services.overview(request.auth_user, params.year)
        return {"year": params.year, "deadline": definition.deadline(params.year),
                "cities": [{**{k: getattr(c, k) for k in ("code", "name", "carriers", "missing", "draft",
                                                           "returned", "submitted", "accepted")},
                            "not_submitted": [{"id": x.pk, "name": x.name} for x, _ in c.not_submitted]}
                           for c in cities],
                "totals": services.totals(request.auth_user, params.year,
                                          [c for c in TOTAL_CODES if c in definition.fields])}

    @r.post("/imports/reports", response={200: s.ImportOut, 202: ImportJobOut, **UPLOAD_ERRORS},
            **operation("stats_import_reports", "Import a workbook or CSV of annual reports (all or nothing); "
                                                "a large file is queued: 202 with the job to poll"))
    def import_report_file(request, data: Form[ReportImportParams], file: File[UploadedFile] = None):
        require(request.auth_user, "add", AnnualReport)
        if (refused := _refuse(request, file, upload_cap("reports"))) is not None:
            return refused
        if in_background(file):
            return Status(202, _job_out(queue_import(file, request.auth_user, "reports", dry_run=data.dry_run,
                                                     year=data.year)))
        result = import_reports(_source(file), file.name or "upload", data.year, request.auth_user,
                                dry_run=data.dry_run)
        return _import_out(result)

    @r.post("/imports/firms", response={200: s.ImportOut, 202: ImportJobOut, **UPLOAD_ERRORS},
            **operation("stats_import_firms", "Import a workbook or CSV of firms keyed by credit code; a large "
                                              "file is queued: 202 with the job to poll"))
    def import_firm_file(request, file: File[UploadedFile] = None, dry_run: Form[bool] = True):
        require(request.auth_user, "add", Firm)
        if (refused := _refuse(request, file, upload_cap("firms"))) is not None:
            return refused
        if in_background(file):
            return Status(202, _job_out(queue_import(file, request.auth_user, "firms", dry_run=dry_run)))
        return _import_out(import_firms(_source(file), file.name or "upload", request.auth_user, dry_run=dry_run))

    @r.get("/imports/jobs/{job_id}", response={200: ImportJobOut, **OBJECT_ERRORS},
           **operation("stats_import_job", "A queued import: status, progress and, when done, its result"))
    def import_job(request, job_id: str):
        job = jobs.job_for(request.auth_user, job_id)
        if job is None:
            raise Http404
        return _job_out(job)

    return r


def routers() -> dict[str, Router]:
    """URL prefix → router; api.py mounts each under /api/v1/<prefix>."""
    return {"reports": reports_router(), "stats": stats_router()}
