from django.urls import path

from fuhua.core.views.generic import object_urls as crud

from . import views as v

app_name = "demands"

urlpatterns = [
    path("fits/", v.Fits.as_view(), name="fits"),
    *crud("needs", "demand", {"list": v.DemandList, "create": v.DemandCreate, "detail": v.DemandDetail,
                              "edit": v.DemandEdit, "history": v.DemandHistory}),
    path("needs/<int:pk>/transition/", v.DemandTransition.as_view(), name="demand_transition"),
    *crud("challenges", "challenge", {"list": v.ChallengeList, "create": v.ChallengeCreate,
                                      "detail": v.ChallengeDetail, "edit": v.ChallengeEdit,
                                      "delete": v.ChallengeDelete, "history": v.ChallengeHistory}),
    path("challenges/<int:pk>/transition/", v.ChallengeTransition.as_view(), name="challenge_transition"),
    *crud("responses", "challengeresponse", {"list": v.ResponseList, "create": v.ResponseCreate,
                                             "detail": v.ResponseDetail, "history": v.ResponseHistory}),
    path("responses/<int:pk>/transition/", v.ResponseTransition.as_view(), name="challengeresponse_transition"),
]
