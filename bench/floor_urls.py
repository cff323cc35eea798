"""The product's URLs plus two floors: the cheapest pages the framework can serve.

``/bench/floor`` runs through the same middleware stack, resolves the same session and
user as every workspace page, and returns a few bytes without touching a template or a
domain table. ``/bench/floor-public`` is its anonymous twin for the public portal: the
same middleware, no session and no user lookup (as a portal page should be). Their
latency is what the framework (WSGI server, middleware, session, auth) costs on its own;
the benchmark divides every page's p95 by its floor's p95.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from bakohumas.urls import urlpatterns as product_urlpatterns


def floor(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return HttpResponse("anonymous", content_type="text/plain", status=403)
    return HttpResponse("ok", content_type="text/plain")


def floor_public(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/floor", floor, name="bench_floor"),
    path("bench/floor-public", floor_public, name="bench_floor_public"),
    *product_urlpatterns,
]
