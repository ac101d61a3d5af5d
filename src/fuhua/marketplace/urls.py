from django.urls import path

from fuhua.core.views.generic import object_urls as crud

from . import views

app_name = "marketplace"

urlpatterns = [
    path("", views.Catalogue.as_view(), name="catalogue"),
    path("categories/", views.CategoryList.as_view(), name="servicecategory_list"),
    path("providers/apply/", views.ProviderApply.as_view(), name="provider_create"),
    *crud("providers", "provider", {
        "list": views.ProviderList, "detail": views.ProviderDetail, "edit": views.ProviderEdit,
        "history": views.ProviderHistory,
    }),
    path("providers/<int:pk>/transition/", views.ProviderTransition.as_view(), name="provider_transition"),
    *crud("qualifications", "qualification", {
        "list": views.QualificationList, "create": views.QualificationCreate, "detail": views.QualificationDetail,
        "edit": views.QualificationEdit, "delete": views.QualificationDelete, "history": views.QualificationHistory,
    }),
    path("qualifications/<int:pk>/file/", views.QualificationFile.as_view(), name="qualification_file"),
    *crud("products", "product", {
        "list": views.ProductList, "create": views.ProductCreate, "detail": views.ProductDetail,
        "edit": views.ProductEdit, "delete": views.ProductDelete, "history": views.ProductHistory,
    }),
    path("products/<int:pk>/transition/", views.ProductTransition.as_view(), name="product_transition"),
    path("ratings/", views.RatingList.as_view(), name="rating_list"),
]
