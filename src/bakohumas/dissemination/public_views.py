"""Public views of dissemination (stub: being written)."""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse


def subscribe(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def confirm(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def unsubscribe(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def unsubscribe_subscriber(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def click(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def share(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404
