from django.urls import path

from fuhua.core.views.generic import object_urls as crud

from . import views as v

app_name = "steering"

urlpatterns = [
    path("", v.home, name="home"),
    path("regions/<str:code>/", v.region_page, name="region"),
    path("regions/<str:code>/report/", v.build_report, name="report_build"),
    *crud("targets", "target", {"list": v.TargetList, "create": v.TargetCreate, "detail": v.TargetDetail,
                                "edit": v.TargetEdit, "delete": v.TargetDelete, "history": v.TargetHistory}),
    *crud("reports", "reportsnapshot", {"list": v.SnapshotList, "detail": v.SnapshotDetail,
                                        "delete": v.SnapshotDelete}),
    path("reports/<int:pk>/download/", v.SnapshotDownload.as_view(), name="reportsnapshot_download"),
    path("charts.xlsx", v.chart_xlsx, name="chart_xlsx"),
]
