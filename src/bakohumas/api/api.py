"""The REST API (django-ninja): /api/v1/, OpenAPI 3 at /api/v1/openapi.json, docs at /api/v1/docs."""

from ninja import NinjaAPI

api = NinjaAPI(
    title="Bakohumas API",
    version="1",
    urls_namespace="api_v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
