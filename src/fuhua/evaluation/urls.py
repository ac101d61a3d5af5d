from django.urls import path

from fuhua.core.views.generic import object_urls as crud

from . import views as v

app_name = "evaluation"

urlpatterns = [
    *crud("runs", "evaluationrun", {"list": v.RunList, "create": v.RunCreate, "detail": v.RunDetail,
                                    "history": v.RunHistory}),
    path("runs/<int:pk>/transition/", v.RunTransition.as_view(), name="evaluationrun_transition"),
    path("runs/<int:pk>/export/", v.RunExport.as_view(), name="evaluationrun_export"),
    *crud("results", "evaluationresult", {"list": v.ResultList, "detail": v.ResultDetail,
                                          "history": v.ResultHistory}),
    path("results/<int:pk>/appeal/", v.ResultAppeal.as_view(), name="evaluationresult_appeal"),
    path("results/<int:pk>/assign/", v.ResultAssign.as_view(), name="evaluationresult_assign"),
    path("results/<int:pk>/draw/", v.ResultDraw.as_view(), name="evaluationresult_draw"),
    *crud("assignments", "expertassignment", {"detail": v.AssignmentDetail}),
    path("assignments/<int:pk>/score/", v.AssignmentScore.as_view(), name="expertassignment_score"),
    *crud("appeals", "appeal", {"list": v.AppealList, "detail": v.AppealDetail, "history": v.AppealHistory}),
    path("appeals/<int:pk>/decide/", v.AppealDecide.as_view(), name="appeal_decide"),
]
