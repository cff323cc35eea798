"""Page-number pagination shared by every list endpoint.

``?page=2&page_size=50`` (``page_size`` from 1 to 200, default 25) answers
``{"count": n, "next": url|null, "previous": url|null, "results": [...]}``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import PaginationBase

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 200


def _page_url(request: HttpRequest, page: int) -> str:
    query = request.GET.copy()
    query["page"] = str(page)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


class PagePagination(PaginationBase):
    items_attribute = "results"

    class Input(Schema):
        page: int = Field(1, ge=1, description="Page number, from 1.")
        page_size: int = Field(
            DEFAULT_PAGE_SIZE,
            ge=1,
            le=MAX_PAGE_SIZE,
            description=f"Rows per page (at most {MAX_PAGE_SIZE}).",
        )

    class Output(Schema):
        count: int = Field(description="Rows matching the filters, on every page.")
        next: str | None = Field(description="URL of the next page, or null.")
        previous: str | None = Field(description="URL of the previous page, or null.")
        results: list[Any]

    def paginate_queryset(
        self,
        queryset: QuerySet[Any],
        pagination: Input,
        request: HttpRequest,
        **params: Any,
    ) -> dict[str, Any]:
        size = pagination.page_size
        page = pagination.page
        count = self._items_count(queryset)
        offset = (page - 1) * size
        results = list(queryset[offset : offset + size]) if offset < count else []
        return {
            "count": count,
            "next": _page_url(request, page + 1) if offset + size < count else None,
            "previous": _page_url(request, min(page - 1, max(1, -(-count // size))))
            if page > 1
            else None,
            "results": results,
        }
