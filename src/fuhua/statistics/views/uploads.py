"""Workbook pages: download the template or the export, upload a filled workbook (dry run or
import), see the result table and download the annotated error workbook.

An upload is kept in FUHUA_HOME/uploads under a random token remembered in the session, so that
its error workbook can be made on request; nothing else reads it.
"""

from __future__ import annotations

import json
import secrets
import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import View

from fuhua.core.exports import announce_export
from fuhua.core.scoping import check
from fuhua.core.uploads import size_problem
from fuhua.registry.models import Carrier, Firm

from ..exchange import jobs
from ..exchange.annotate import write_error_workbook
from ..exchange.firms import import_firms, write_firm_template
from ..exchange.guard import upload_cap
from ..exchange.importer import CellError
from ..exchange.queue import in_background, queue_import
from ..exchange.reports import import_reports, sheet_name, write_workbook
from ..forms import ReportUploadForm, UploadForm, YearRegionForm
from ..models import AnnualReport
from .common import carriers_for, export_rows

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SESSION_KEY = "stats_uploads"


def _require(user, action, model):
    decision = check(user, action, model)
    if not decision:
        raise PermissionDenied(decision.reason)


def _xlsx_response(write, filename: str) -> FileResponse:
    tmp = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    write(tmp)
    tmp.seek(0)
    return FileResponse(tmp, as_attachment=True, filename=filename, content_type=XLSX)


def _upload_dir() -> Path:
    path = Path(settings.FUHUA_HOME) / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _keep(request, upload, errors: list[CellError], sheet: str | None) -> str:
    token = secrets.token_urlsafe(16)
    folder = _upload_dir()
    with open(folder / token, "wb") as fh:
        for chunk in upload.chunks():
            fh.write(chunk)
    (folder / f"{token}.json").write_text(json.dumps(
        {"name": upload.name, "sheet": sheet, "errors": [e.as_dict() for e in errors]}, ensure_ascii=False), "utf-8")
    request.session[SESSION_KEY] = [*request.session.get(SESSION_KEY, [])[-9:], token]
    return token


class TemplateDownload(LoginRequiredMixin, View):
    def get(self, request):
        _require(request.user, "view", Carrier)
        form = YearRegionForm(request.GET or None)
        year, region = form.year_value(), (form.cleaned_data.get("region") if form.is_valid() else None)
        carriers = carriers_for(request.user, region)
        return _xlsx_response(lambda out: write_workbook(out, year, carriers), f"torch-{year}-template.xlsx")


class ExportDownload(LoginRequiredMixin, View):
    def get(self, request):
        _require(request.user, "view", AnnualReport)
        form = YearRegionForm(request.GET or None)
        year, region = form.year_value(), (form.cleaned_data.get("region") if form.is_valid() else None)
        carriers = list(carriers_for(request.user, region))
        rows = export_rows(carriers, year)
        response = _xlsx_response(lambda out: write_workbook(out, year, carriers, rows), f"torch-{year}-export.xlsx")
        announce_export(request, "statistics.annualreport", len(rows),
                        filters={"year": year, "region": region.code if region else ""})
        return response


class FirmTemplateDownload(LoginRequiredMixin, View):
    def get(self, request):
        _require(request.user, "add", Firm)
        return _xlsx_response(write_firm_template, "firms-template.xlsx")


class _Upload(LoginRequiredMixin, View):
    form_class = UploadForm
    title = ""
    template_name = "statistics/upload.html"

    def allowed(self, user):
        raise NotImplementedError

    def get(self, request):
        self.allowed(request.user)
        return render(request, self.template_name, {"form": self.form_class(), "title": self.title,
                                                    "kind": self.kind})

    def post(self, request):
        self.allowed(request.user)
        form = self.form_class(request.POST, request.FILES)
        problem = size_problem(request, request.FILES.get("file"), upload_cap(self.kind))
        if problem is not None:
            form.is_valid()
            form.errors["file"] = form.error_class([problem])
            return render(request, self.template_name, {"form": form, "title": self.title, "kind": self.kind},
                          status=413)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form, "title": self.title, "kind": self.kind},
                          status=400)
        upload = form.cleaned_data["file"]
        if in_background(upload):  # a large file: the worker imports it, the page follows its progress
            job = self.queue(request.user, upload, form.cleaned_data)
            request.session[SESSION_KEY] = [*request.session.get(SESSION_KEY, [])[-9:], job["id"]]
            return render(request, self.template_name, {"form": form, "title": self.title, "kind": self.kind,
                                                        "job": job}, status=202)
        source = upload.temporary_file_path() if hasattr(upload, "temporary_file_path") else upload.read()
        result, sheet = self.run(request.user, source, upload.name, form.cleaned_data)
        token = _keep(request, upload, result.errors, sheet) if result.errors else None
        return render(request, self.template_name, {"form": form, "title": self.title, "kind": self.kind,
                                                    "result": result, "token": token},
                      status=200 if result.ok else 400)


class ReportUpload(_Upload):
    form_class = ReportUploadForm
    kind = "reports"

    @property
    def title(self):
        return _("Import annual reports")

    def allowed(self, user):
        _require(user, "add", AnnualReport)

    def run(self, user, source, name, data):
        year = data["year"]
        return import_reports(source, name, year, user, dry_run=data["dry_run"]), sheet_name(year)

    def queue(self, user, upload, data):
        return queue_import(upload, user, "reports", dry_run=data["dry_run"], year=data["year"])


class FirmUpload(_Upload):
    kind = "firms"

    @property
    def title(self):
        return _("Import firms")

    def allowed(self, user):
        _require(user, "add", Firm)

    def run(self, user, source, name, data):
        return import_firms(source, name, user, dry_run=data["dry_run"]), None

    def queue(self, user, upload, data):
        return queue_import(upload, user, "firms", dry_run=data["dry_run"])


class ImportJobStatus(LoginRequiredMixin, View):
    """The progress of a queued import (an htmx fragment that polls itself until the job ends), or JSON."""

    def get(self, request, token):
        job = jobs.job_for(request.user, token)
        if job is None:
            raise Http404
        if request.GET.get("format") == "json":
            return JsonResponse(job, json_dumps_params={"ensure_ascii": False})
        return render(request, "statistics/_import_job.html", {"job": job})


class ErrorWorkbook(LoginRequiredMixin, View):
    def get(self, request, token):
        if token not in request.session.get(SESSION_KEY, []):
            raise Http404
        folder = _upload_dir()
        meta_path = folder / f"{token}.json"
        if not meta_path.exists():
            raise Http404
        meta = json.loads(meta_path.read_text("utf-8"))
        result = meta.get("result") or {}  # a background import's job record keeps its errors in its result
        name = meta.get("name") or meta.get("filename") or "upload"
        errors = [CellError(**e) for e in meta.get("errors") or result.get("errors") or []]
        if not (folder / token).exists():
            raise Http404
        stem = Path(name).stem
        return _xlsx_response(lambda out: write_error_workbook(str(folder / token), name, errors, out,
                                                               meta.get("sheet") or result.get("sheet")),
                              f"{stem}-errors.xlsx")
