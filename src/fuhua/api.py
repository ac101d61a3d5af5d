"""The REST API root at /api/v1 (OpenAPI docs at /api/v1/docs); each app contributes routers."""

import copy

from django.urls import URLPattern, re_path
from ninja import NinjaAPI
from ninja.renderers import JSONRenderer

from fuhua.accounts.api import router as accounts_router
from fuhua.accounts.api_auth import API_AUTH
from fuhua.core import api_errors
from fuhua.core.api_crud import render_json
from fuhua.dealflow.api import routers as dealflow_routers
from fuhua.demands.api import routers as demands_routers
from fuhua.desk.api import routers as desk_routers
from fuhua.evaluation.api import routers as evaluation_routers
from fuhua.events.api import routers as events_routers
from fuhua.federation.api import routers as federation_routers
from fuhua.incubation.api import router as incubation_router
from fuhua.marketplace.api import routers as marketplace_routers
from fuhua.mentoring.api import routers as mentoring_routers
from fuhua.policies.api import routers as policies_routers
from fuhua.registry.api import routers as registry_routers
from fuhua.registry.api_experts import routers as experts_routers
from fuhua.statistics.api import routers as statistics_routers
from fuhua.steering.api import routers as steering_routers
from fuhua.vouchers.api import routers as vouchers_routers

DESCRIPTION = """The registry of a region's incubation network: carriers, recognitions, firms, teams,
mentors, investors and incubation records. Every answer is limited to what the caller may see.

**Authentication**: `Authorization: Bearer fh_…` (create a token at `POST /api/v1/tokens` or with
`fuhua manage create_api_token USERNAME NAME`), or the browser session with the `X-CSRFToken` header
on writes.

**Errors** always look like `{"status": 422, "code": "validation_error", "message": "…",
"errors": [{"field": "credit_code", "message": "…", "code": "check_character"}]}`; `field` is null
for errors about the whole object. 403 means your role may not do this (the message says why), 404
that the object does not exist or is outside your scope.

**Lists** take `limit` / `offset`, `q` (name in Chinese, pinyin or initials), `ordering` (comma
separated, `-` to reverse) and filters; `region` filters include everything under the code.
"""


class ReadableJSON(JSONRenderer):
    """UTF-8 JSON with Chinese as itself, not \\u escapes (core.api_crud.render_json: orjson, with
    dates and times as Django writes them)."""

    def render(self, request, data, *, response_status):
        return render_json(data)


class FuhuaAPI(NinjaAPI):
    """The API: JSON errors on every route, and its OpenAPI document built once per process.

    django-ninja builds the document on every call (~4.5 s of CPU for ~430 operations): each request to
    /api/v1/openapi.json, and the test modules that enumerate the routes. The routes do not change while the
    process runs, so the document is built once per path prefix and each caller gets its own copy."""

    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: dict | None = None) -> dict:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        cache = self.__dict__.setdefault("_openapi_documents", {})
        key = path_prefix.rstrip("/")  # ninja joins the paths on "/": "/api/v1/" and "/api/v1" give one document
        if key not in cache:
            cache[key] = dict(super().get_openapi_schema(path_prefix=path_prefix))
        return copy.deepcopy(cache[key])

    @property
    def urls(self):
        patterns, app_name, namespace = super().urls
        for pattern in patterns:
            if isinstance(pattern, URLPattern):
                pattern.callback = api_errors.with_json_errors(pattern.callback)
        # Last: any other path under /api/v1 is a JSON 404, not the site's HTML page.
        patterns.append(re_path(r"^.*$", api_errors.not_found_view, name="not-found"))
        return patterns, app_name, namespace


api = FuhuaAPI(
    title="Fuhua API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    docs_url="/docs",
    auth=API_AUTH,
    renderer=ReadableJSON(),
)
api_errors.install(api)

api.add_router("/", accounts_router)
for prefix, router in {**registry_routers(), **statistics_routers(), **policies_routers(),
                       **evaluation_routers(), **marketplace_routers(), **vouchers_routers(), **desk_routers(),
                       **steering_routers(), **federation_routers(), **experts_routers(),
                       **mentoring_routers(), **dealflow_routers(), **events_routers(),
                       **demands_routers()}.items():
    api.add_router(f"/{prefix}", router)
api.add_router("/incubations", incubation_router())
