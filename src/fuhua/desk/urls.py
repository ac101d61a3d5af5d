from django.urls import path

from fuhua.core.views.generic import object_urls as crud

from . import views as v

app_name = "desk"

urlpatterns = [
    *crud("requests", "servicerequest", {"list": v.RequestList, "create": v.RequestCreate, "detail": v.RequestDetail,
                                         "history": v.RequestHistory}),
    path("requests/<int:pk>/transition/", v.RequestTransition.as_view(), name="servicerequest_transition"),
    path("requests/<int:pk>/message/", v.RequestMessage.as_view(), name="servicerequest_message"),
    path("requests/<int:pk>/assign/", v.RequestAssign.as_view(), name="servicerequest_assign"),
    path("requests/<int:pk>/link/", v.RequestLink.as_view(), name="servicerequest_link"),
    path("requests/<int:pk>/file/", v.RequestFile.as_view(), name="servicerequest_file"),
    *crud("stewards", "steward", {"list": v.StewardList, "create": v.StewardCreate, "detail": v.StewardDetail,
                                  "edit": v.StewardEdit, "delete": v.StewardDelete, "history": v.StewardHistory}),
    path("report/", v.Report.as_view(), name="report"),
    path("notices/", v.NoticeList.as_view(), name="notice_list"),
]
