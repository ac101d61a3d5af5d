from django.urls import path
from ninja import NinjaAPI, Schema

from fuhua.registry.models import Region
from fuhua.urls import urlpatterns as fuhua_urlpatterns

bare = NinjaAPI(urls_namespace="bare", docs_url=None, openapi_url=None)


class RegionOut(Schema):
    code: str
    name: str
    level: str


@bare.get("/region", response=RegionOut)
def one_region(request):
    """The floor: one indexed row, no authentication, no scoping."""
    return Region.objects.get(code="320500")


urlpatterns = [path("bench/", bare.urls), *fuhua_urlpatterns]
