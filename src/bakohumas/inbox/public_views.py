"""Public forms: question, feedback, complaint, hoax report."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse


def contact_form(request: HttpRequest, code: str) -> HttpResponse:
    raise NotImplementedError


def hoax_form(request: HttpRequest, code: str) -> HttpResponse:
    raise NotImplementedError
