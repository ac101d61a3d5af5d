from django.urls import path

from fuhua.core.views.generic import object_urls as crud

from . import views as v

app_name = "mentoring"

urlpatterns = [
    path("", v.Home.as_view(), name="home"),
    *crud("pool", "poolmentor", {"list": v.PoolList, "create": v.PoolCreate, "detail": v.PoolDetail,
                                 "edit": v.PoolEdit, "delete": v.PoolDelete, "history": v.PoolHistory}),
    *crud("pairings", "pairing", {"list": v.PairingList, "create": v.PairingCreate, "detail": v.PairingDetail,
                                  "edit": v.PairingEdit, "history": v.PairingHistory}),
    path("pairings/<int:pk>/transition/", v.PairingTransition.as_view(), name="pairing_transition"),
    *crud("logs", "servicelog", {"list": v.LogList, "create": v.LogCreate, "detail": v.LogDetail,
                                 "edit": v.LogEdit, "delete": v.LogDelete, "history": v.LogHistory}),
    *crud("feedback", "feedback", {"list": v.FeedbackList, "create": v.FeedbackCreate, "detail": v.FeedbackDetail,
                                   "history": v.FeedbackHistory}),
]
