"""The REST API root: /api/v1, OpenAPI docs at /api/v1/docs. Each app contributes a Router."""

from ninja import NinjaAPI

api = NinjaAPI(title="Fuhua API", version="1", urls_namespace="api", docs_url="/docs")
