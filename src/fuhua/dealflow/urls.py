from django.urls import path

from fuhua.core.views.generic import object_urls as crud

from . import views as v

app_name = "dealflow"

urlpatterns = [
    path("", v.Home.as_view(), name="home"),
    *crud("funds", "fund", {"list": v.FundList, "create": v.FundCreate, "detail": v.FundDetail,
                            "edit": v.FundEdit, "delete": v.FundDelete, "history": v.FundHistory}),
    *crud("stationings", "stationing", {"list": v.StationingList, "create": v.StationingCreate,
                                        "detail": v.StationingDetail, "edit": v.StationingEdit,
                                        "delete": v.StationingDelete, "history": v.StationingHistory}),
    *crud("needs", "financingneed", {"list": v.NeedList, "create": v.NeedCreate, "detail": v.NeedDetail,
                                     "edit": v.NeedEdit, "history": v.NeedHistory}),
    path("needs/<int:pk>/transition/", v.NeedTransition.as_view(), name="financingneed_transition"),
    *crud("deals", "deal", {"list": v.DealList, "create": v.DealCreate, "detail": v.DealDetail,
                            "edit": v.DealEdit, "history": v.DealHistory}),
    path("deals/<int:pk>/transition/", v.DealTransition.as_view(), name="deal_transition"),
]
