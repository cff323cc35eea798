"""Inbound webhooks: Telegram updates, inbound email."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse


def telegram(request: HttpRequest, account_pk: int) -> HttpResponse:
    raise NotImplementedError


def email(request: HttpRequest, code: str) -> HttpResponse:
    raise NotImplementedError
