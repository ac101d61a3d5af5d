from django.urls import path

from fuhua.core.views.generic import object_urls as crud

from .views import carriers, directory, experts, facts, firms, readiness, recognitions

app_name = "registry"


urlpatterns = [
    *crud("carriers", "carrier", {
        "list": carriers.CarrierList, "create": carriers.CarrierCreate, "detail": carriers.CarrierDetail,
        "edit": carriers.CarrierEdit, "delete": carriers.CarrierDelete, "history": carriers.CarrierHistory,
    }),
    *crud("recognitions", "recognition", {
        "list": recognitions.RecognitionList, "create": recognitions.RecognitionCreate,
        "detail": recognitions.RecognitionDetail, "edit": recognitions.RecognitionEdit,
        "delete": recognitions.RecognitionDelete, "history": recognitions.RecognitionHistory,
    }),
    *crud("firms", "firm", {
        "list": firms.FirmList, "create": firms.FirmCreate, "detail": firms.FirmDetail,
        "edit": firms.FirmEdit, "delete": firms.FirmDelete, "history": firms.FirmHistory,
    }),
    *crud("organisations", "organisation", {
        "list": directory.OrganisationList, "detail": directory.OrganisationDetail,
        "history": directory.OrganisationHistory,
    }),
    *crud("mentors", "mentorprofile", {
        "list": directory.MentorList, "detail": directory.MentorDetail, "history": directory.MentorHistory,
    }),
    *crud("investors", "investorprofile", {
        "list": directory.InvestorList, "detail": directory.InvestorDetail, "history": directory.InvestorHistory,
    }),
    *crud("experts", "expertprofile", experts.EXPERT_PAGES),
    path("expert-draws/new/", experts.PanelDraw.as_view(), name="expertdraw_create"),
    *crud("expert-draws", "expertdraw", experts.DRAW_PAGES),
    # The facts the rules read (issue #3).
    *crud("investments", "investment", facts.INVESTMENT),
    *crud("annual-figures", "firmyearfigures", facts.FIGURES),
    *crud("ip-rights", "intellectualproperty", facts.IP),
    *crud("founders", "founder", facts.FOUNDER),
    *crud("seed-funds", "seedfund", facts.SEED_FUND),
    *crud("staffing", "carrierstaffing", facts.STAFFING),
    path("carriers/<int:pk>/readiness/", readiness.CarrierReadiness.as_view(), name="carrier_readiness"),
    path("carriers/<int:pk>/transition/", carriers.CarrierTransition.as_view(), name="carrier_transition"),
    path("readiness/", readiness.RegionReadiness.as_view(), name="readiness_region"),
]
