"""The REST API (django-ninja): /api/v1/, OpenAPI 3 at /api/v1/openapi.json, docs at /api/v1/docs.

Every operation needs a personal token (``Authorization: Bearer <token>``) or the
workspace session, applies the same scoping (``.for_user(user)``) and role permissions
as the workspace, and answers errors in one shape (:mod:`bakohumas.api.errors`).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.http.response import HttpResponseBase
from django.urls import URLPattern, URLResolver
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Router, Swagger
from ninja.operation import Operation

from bakohumas.api.auth import requires
from bakohumas.api.errors import error_body, install_handlers
from bakohumas.api.routers import (
    contacts,
    content,
    dissemination,
    groups,
    inbox,
    media,
    organisations,
    people,
    ppid,
    public,
    units,
)
from bakohumas.api.schemas import ErrorOut

DESCRIPTION = """
The REST API of Bakohumas.

**Authentication.** Send a personal token as `Authorization: Bearer <token>`. Create one
under *API tokens* in the workspace (`/app/api-tokens/`) or with
`bakohumas create_api_token USERNAME`. The workspace session also works (this page uses
it); with the session, unsafe methods need the `X-CSRFToken` header.

**Scope and permissions.** You see the records of your work unit (and, for a province,
of its regencies and cities; national staff see everything). An id outside your scope
answers 404. Writes need the role permission (403 otherwise).

**Lists** are paginated: `?page=1&page_size=25` (at most 200) answer
`{"count", "next", "previous", "results"}`. The long lists (a publication's deliveries,
the inbox threads) use cursor pages instead: follow `next` (or pass `cursor`).

**Inbox and information requests.** Messages from the public are returned as plain
strings, never HTML. A requester's personal data (name, identity number, address,
contact) is masked unless you hold the requester-data permission (coordinators,
administrators); the tracking code of a request is returned once, when it is registered.

**Errors** always look like `{"detail": "…", "errors": {"field": ["…"]}}`: 400 for a body
that is not JSON, 401, 403, 404, 405, 409 for a conflict, 413 for a body over 5 MB, and
422 with field errors for invalid data (unknown fields are refused). Messages follow
`Accept-Language` (Indonesian by default, or English).

**Content workflow.** 409 means the item's state does not allow the action (a transition
its status forbids, a stale `version`, validating an item you wrote, changing an approved
item without `"void_approval": true`); 422 lists invalid fields, or under `__all__` what
the item still lacks. Neither changes anything.

**Public API.** `/api/v1/public/…` needs no credential and shows published items only
(410 with the correction notice for a withdrawn item); answers are cacheable for 60 s.
"""


class Docs(Swagger):
    """Swagger UI served from django-ninja's own static files (no CDN).

    The page loads its scripts from files (``swagger-ui-bundle.js``,
    ``swagger-ui-init.js``) and keeps its settings in a JSON data block, so it runs under
    our Content-Security-Policy (``script-src 'self'``) without exemptions.
    """

    template = "api/swagger.html"


class BakohumasAPI(NinjaAPI):
    """NinjaAPI whose "method not allowed" answers use the API's JSON error shape too."""

    def get_openapi_operation_id(self, operation: Operation) -> str:
        # Short, stable ids for client generators: "list_organisations", "set_consent" …
        return str(operation.view_func.__name__)

    def _get_urls(self) -> list[URLResolver | URLPattern]:
        urls = super()._get_urls()
        for pattern in urls:
            if isinstance(pattern, URLPattern):
                pattern.callback = _json_not_allowed(pattern.callback)
        return urls


def _json_not_allowed(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith(
            "application/json"
        ):
            allow = response.get("Allow", "")
            response = JsonResponse(
                error_body(_("Method “%(method)s” not allowed.") % {"method": request.method}),
                status=405,
            )
            response["Allow"] = allow
        return response

    return wrapper


api = BakohumasAPI(
    title="Bakohumas API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api_v1",
    docs=Docs(settings={"persistAuthorization": False, "displayRequestDuration": True}),
    docs_url="/docs",
    openapi_url="/openapi.json",
    auth=requires(None),
)
install_handlers(api)

api.add_router("", units.router)
api.add_router("", people.router)
api.add_router("", organisations.router)
api.add_router("", contacts.router)
api.add_router("", groups.router)
api.add_router("", content.router)
api.add_router("", media.router)
api.add_router("", dissemination.router)
api.add_router("", inbox.router)
api.add_router("", ppid.router)
api.add_router("", public.router)

# Last: any other path under /api/v1/ is a JSON 404 (not the workspace's HTML page).
_fallback = Router()


@_fallback.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"],
    "/{path:rest}",
    auth=None,
    include_in_schema=False,
    response={404: ErrorOut},
)
def not_found(request: HttpRequest, rest: str) -> Any:
    from django.http import Http404

    raise Http404


api.add_router("", _fallback)
