from django.urls import include, path
from django.views.generic import RedirectView

from .api import api
from .registry.views.regions import region_picker
from .registry.views.search import search

urlpatterns = [
    path("api/v1/", api.urls),
    path("api/docs", RedirectView.as_view(url="/api/v1/docs", permanent=False), name="api-docs"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("fuhua.accounts.urls")),
    path("registry/", include("fuhua.registry.urls")),
    path("incubation/", include("fuhua.incubation.urls")),
    path("policies/", include("fuhua.policies.urls")),
    path("statistics/", include("fuhua.statistics.urls")),
    path("evaluation/", include("fuhua.evaluation.urls")),
    path("marketplace/", include("fuhua.marketplace.urls")),
    path("mentoring/", include("fuhua.mentoring.urls")),
    path("dealflow/", include("fuhua.dealflow.urls")),
    path("events/", include("fuhua.events.urls")),
    path("vouchers/", include("fuhua.vouchers.urls")),
    path("desk/", include("fuhua.desk.urls")),
    path("demands/", include("fuhua.demands.urls")),
    path("steering/", include("fuhua.steering.urls")),
    path("network/", include("fuhua.federation.urls")),
    path("", include("fuhua.dashboard.urls")),
    path("", include("fuhua.core.urls")),
    # Site-wide pages the registry serves (un-namespaced names, as the templates use them).
    path("search/", search, name="search"),
    path("regions/picker/", region_picker, name="region_picker"),
]
