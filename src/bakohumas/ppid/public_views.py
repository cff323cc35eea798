"""Public PPID pages: the request form and the tracking page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse


def request_form(request: HttpRequest, code: str) -> HttpResponse:
    raise NotImplementedError


def track(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError
