"""HTTP plumbing of the public portal: rendering without the session, cache headers, ETags.

Public pages must be cacheable by browsers and by a shared cache in front of the site:

* they are rendered without the staff context processors (which read ``request.user``
  and so load the session): :func:`render_public`;
* every answer carries ``Cache-Control: public, max-age=60``, an ``ETag`` and
  ``Vary: Accept-Language, Cookie`` (the language comes from the ``django_language``
  cookie or the browser's ``Accept-Language``; nothing else varies);
* a conditional GET whose ``If-None-Match`` / ``If-Modified-Since`` still matches gets a
  304 without a body (:func:`public_page`). Pages whose ETag is known from the data
  (an item page, its PDF) answer 304 before rendering anything.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from functools import cache, wraps
from importlib import resources
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseNotAllowed
from django.template import loader
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date, parse_http_date_safe, quote_etag
from django.utils.translation import get_language

MAX_AGE = 60
VARY = ("Accept-Language", "Cookie")
CACHEABLE_STATUSES = {200, 304, 404, 410}


@cache
def build_token() -> str:
    """A digest of the portal's templates and stylesheet, computed once per process: part
    of every data-derived ETag, so a deployment that changes the pages changes the ETags."""
    digest = hashlib.sha256()
    root = resources.files("bakohumas")
    for folder in ("templates/portal", "static/portal"):
        directory = root.joinpath(folder)
        if not directory.is_dir():
            continue
        for entry in sorted(directory.iterdir(), key=lambda e: e.name):
            if entry.is_file():
                digest.update(entry.name.encode())
                digest.update(entry.read_bytes())
    return digest.hexdigest()[:16]


def data_etag(*parts: Any) -> str:
    """A quoted ETag from ``parts`` plus the language and :func:`build_token`."""
    text = "|".join(str(p) for p in (*parts, get_language(), build_token()))
    return quote_etag(hashlib.sha256(text.encode()).hexdigest()[:32])


def render_public(
    request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200
) -> HttpResponse:
    """``template`` rendered with ``context`` and the request, but without context
    processors (they would read the session). The template gets ``request``."""
    content = loader.render_to_string(
        template, {"request": request, "SITE_URL": settings.SITE_URL, **context}
    )
    return HttpResponse(content, status=status)


def _body_etag(request: HttpRequest, response: HttpResponse) -> str:
    content = response.content
    nonce = getattr(request, "_csp_nonce", None)
    if isinstance(nonce, str) and nonce:
        # The CSP nonce changes on every request; the page does not.
        content = content.replace(nonce.encode(), b"")
    return quote_etag(hashlib.sha256(content).hexdigest()[:32])


def finish(request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
    """Add the public cache headers to ``response``; a 304 when the client's copy is
    current."""
    patch_vary_headers(response, VARY)
    if response.status_code not in CACHEABLE_STATUSES:
        patch_cache_control(response, no_cache=True)
        return response
    patch_cache_control(response, public=True, max_age=MAX_AGE)
    if response.status_code == 304:
        return response
    if not isinstance(response, HttpResponse) or response.streaming:
        return response
    if not response.has_header("ETag"):
        response["ETag"] = _body_etag(request, response)
    if response.status_code != 200:
        return response
    conditional = get_conditional_response(
        request,
        etag=response.get("ETag"),
        last_modified=parse_http_date_safe(response.get("Last-Modified") or ""),
        response=response,
    )
    return conditional if conditional is not None else response


def conditional_response(
    request: HttpRequest, etag: str, last_modified: datetime | None
) -> HttpResponseBase | None:
    """A 304 (with ``etag`` and ``last_modified``) when the client's copy is current, else
    ``None``: for views that know their ETag before rendering."""
    response = get_conditional_response(
        request,
        etag=etag,
        last_modified=int(last_modified.timestamp()) if last_modified else None,
    )
    if response is not None:
        stamp(response, etag, last_modified)
    return response


def stamp(response: HttpResponseBase, etag: str, last_modified: datetime | None) -> None:
    response["ETag"] = etag
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified.timestamp())


# --- the rendered-page cache -------------------------------------------------------------
#
# Each web process keeps rendered public pages in the "portal" cache (settings.CACHES) for
# at most MAX_AGE seconds, keyed by the path, the language, the build and the portal's
# generation (``PortalState``), which every change of public data increments: a page is
# never served stale after a publication or a withdrawal, even with one local cache per
# process. Reading the generation is one indexed query per request.

NONCE_PLACEHOLDER = "__bakohumas_csp_nonce__"
CACHED_HEADERS = ("Content-Type", "ETag", "Last-Modified", "Content-Disposition")


def portal_generation() -> int:
    from bakohumas.portal.models import PortalState

    value = PortalState.objects.filter(pk=1).values_list("generation", flat=True).first()
    return int(value or 0)


def _page_cache() -> Any:
    from django.core.cache import caches

    return caches["portal"] if "portal" in settings.CACHES else None


def _cache_key(request: HttpRequest) -> str:
    text = "|".join(
        (
            request.get_full_path(),
            get_language() or "",
            str(getattr(settings, "PORTAL_HOME_UNIT", "")),
            build_token(),
            str(portal_generation()),
        )
    )
    return "portal-page:" + hashlib.sha256(text.encode()).hexdigest()


def _store(request: HttpRequest, key: str, response: HttpResponseBase, store: Any) -> None:
    if response.status_code != 200 or not isinstance(response, HttpResponse):
        return
    if response.streaming:
        return
    content = response.content
    nonce = getattr(request, "_csp_nonce", None)
    if isinstance(nonce, str) and nonce:
        content = content.replace(nonce.encode(), NONCE_PLACEHOLDER.encode())
    headers = {name: response[name] for name in CACHED_HEADERS if response.has_header(name)}
    store.set(key, (content, headers), MAX_AGE)


def _from_store(request: HttpRequest, entry: tuple[bytes, dict[str, str]]) -> HttpResponse:
    content, headers = entry
    if NONCE_PLACEHOLDER.encode() in content:
        nonce = str(getattr(request, "csp_nonce", ""))  # also puts it in the CSP header
        content = content.replace(NONCE_PLACEHOLDER.encode(), nonce.encode())
    response = HttpResponse(content)
    for name, value in headers.items():
        response[name] = value
    response["X-Portal-Cache"] = "hit"
    return response


def public_page(view: Callable[..., HttpResponseBase] | None = None, *, cached: bool = True) -> Any:
    """Decorator of every public view: GET/HEAD only, then :func:`finish`; with
    ``cached`` the rendered page is kept in the portal cache (see above)."""

    def decorate(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if request.method not in ("GET", "HEAD"):
                response: HttpResponseBase = HttpResponseNotAllowed(["GET", "HEAD"])
                patch_vary_headers(response, VARY)
                return response
            store = _page_cache() if cached else None
            key = ""
            if store is not None:
                key = _cache_key(request)
                entry = store.get(key)
                if entry is not None:
                    return finish(request, _from_store(request, entry))
            response = view(request, *args, **kwargs)
            if store is not None:
                _store(request, key, response, store)
            return finish(request, response)

        return wrapper

    if view is not None:
        return decorate(view)
    return decorate
