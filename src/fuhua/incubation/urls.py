from django.urls import path

from fuhua.core.views.generic import object_urls as crud

from . import views

app_name = "incubation"

urlpatterns = [
    *crud("incubations", "incubation", {
        "list": views.IncubationList, "create": views.IncubationCreate, "detail": views.IncubationDetail,
        "edit": views.IncubationEdit, "delete": views.IncubationDelete, "history": views.IncubationHistory,
    }),
    path("carriers/<int:pk>/tenants/", views.CarrierTenants.as_view(), name="carrier_tenants"),
    path("incubations/attention/", views.Attention.as_view(), name="incubation_attention"),
    path("incubations/register/", views.RegisterApplicant.as_view(), name="incubation_register"),
    path("incubations/<int:pk>/transition/", views.IncubationTransition.as_view(), name="incubation_transition"),
]
