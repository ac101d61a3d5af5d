from django.urls import path

from fuhua.core.views.generic import object_urls as crud

from .views import overview, reports, uploads

app_name = "statistics"

urlpatterns = [
    *crud("reports", "annualreport", {
        "list": reports.ReportList, "detail": reports.ReportDetail, "edit": reports.ReportEdit,
        "history": reports.ReportHistory,
    }),
    path("reports/start/", reports.ReportStart.as_view(), name="annualreport_start"),
    path("reports/<int:pk>/transition/", reports.ReportTransition.as_view(), name="annualreport_transition"),
    path("reports/<int:pk>/comment/", reports.ReportComment.as_view(), name="annualreport_comment"),
    path("reports/<int:pk>/amend/", reports.ReportAmend.as_view(), name="annualreport_amend"),
    path("overview/", overview.Overview.as_view(), name="overview"),
    path("template.xlsx", uploads.TemplateDownload.as_view(), name="template"),
    path("export.xlsx", uploads.ExportDownload.as_view(), name="export"),
    path("upload/", uploads.ReportUpload.as_view(), name="upload"),
    path("firms/template.xlsx", uploads.FirmTemplateDownload.as_view(), name="firm_template"),
    path("firms/upload/", uploads.FirmUpload.as_view(), name="firm_upload"),
    path("upload/<str:token>/errors.xlsx", uploads.ErrorWorkbook.as_view(), name="upload_errors"),
    path("imports/<str:token>/", uploads.ImportJobStatus.as_view(), name="import_job"),
]
