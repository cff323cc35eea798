"""List-page helpers: pagination with ``?per_page=`` and whitelisted sorting."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

DEFAULT_PER_PAGE = 25
MAX_PER_PAGE = 100


def per_page(request: HttpRequest, default: int = DEFAULT_PER_PAGE) -> int:
    try:
        value = int(request.GET.get("per_page", default))
    except (TypeError, ValueError):
        return default
    return max(1, min(MAX_PER_PAGE, value))


def paginate(request: HttpRequest, queryset: QuerySet[Any] | list[Any]) -> Page[Any]:
    """The requested page (an out-of-range or malformed ``?page=`` gives the nearest page)."""
    return Paginator(queryset, per_page(request)).get_page(request.GET.get("page"))


def sort_order(
    request: HttpRequest, options: dict[str, list[str]], default: str
) -> tuple[str, list[str]]:
    """``(key, order_by)`` for ``?sort=key`` or ``?sort=-key``; unknown keys use ``default``."""
    key = request.GET.get("sort", default) or default
    descending = key.startswith("-")
    name = key.lstrip("-")
    if name not in options:
        key, descending, name = default, default.startswith("-"), default.lstrip("-")
    fields = options[name]
    if descending:
        fields = [f[1:] if f.startswith("-") else f"-{f}" for f in fields]
    return key, fields
