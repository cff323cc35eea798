"""Platform webhooks (stub: being written)."""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse


def whatsapp(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def email_bounces(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404
