"""Pagination with a cheap, capped count for large lists.

Counting 500,000 rows on every page view costs more than the page itself, so the count
stops at :data:`COUNT_CAP` (``SELECT COUNT(*) FROM (… LIMIT cap+1)``) and the page shows
"10,000+"; users narrow the list with search and filters instead of paging that far.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest
from django.utils.functional import cached_property

COUNT_CAP = 10_000
DEFAULT_PER_PAGE = 25
MAX_PER_PAGE = 100


class CappedPaginator(Paginator):
    """A ``Paginator`` whose ``count`` stops at ``cap``; ``is_capped`` says it did."""

    def __init__(
        self, object_list: Any, per_page: int, *, cap: int = COUNT_CAP, **kwargs: Any
    ) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap
        self.is_capped = False

    @cached_property
    def count(self) -> int:
        qs = self.object_list
        if hasattr(qs, "order_by") and hasattr(qs, "values"):
            counted = qs.order_by().values("pk")[: self.cap + 1].count()
        else:
            counted = len(qs)
        if counted > self.cap:
            self.is_capped = True
            return self.cap
        return counted


def per_page_from(request: HttpRequest, default: int = DEFAULT_PER_PAGE) -> int:
    """``?per_page=`` clamped to 1…100 (the default when missing or invalid)."""
    try:
        value = int(request.GET.get("per_page", default))
    except (TypeError, ValueError):
        return default
    return max(1, min(MAX_PER_PAGE, value))


def paginate(
    request: HttpRequest, queryset: Any, *, per_page: int | None = None, param: str = "page"
) -> Page:
    """The requested page of ``queryset`` (out-of-range or invalid numbers give the
    nearest valid page, never an error)."""
    paginator = CappedPaginator(queryset, per_page or per_page_from(request))
    return paginator.get_page(request.GET.get(param))
