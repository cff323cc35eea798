"""The product's URLs plus ``/bench/floor``: the cheapest page the framework can serve.

The floor view runs through the same middleware stack, resolves the same session and
user as every workspace page, and returns a few bytes without touching a template or a
domain table. Its latency is what the framework (WSGI server, middleware, session, auth)
costs on its own; the benchmark divides every page's p95 by the floor's p95.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from bakohumas.urls import urlpatterns as product_urlpatterns


def floor(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return HttpResponse("anonymous", content_type="text/plain", status=403)
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/floor", floor, name="bench_floor"), *product_urlpatterns]
