"""The public read-only API: published content and the work units, without authentication.

What the public portal shows, and nothing more: published items (or archived after
publishing) whose time has come, through :mod:`bakohumas.portal.selectors`, so the API
and the portal answer the same question the same way. No draft, no workflow, no author,
no approval. A withdrawn item answers 410 with its public correction notice only.
Answers may be cached by anyone for a minute (``Cache-Control: public, max-age=60``).
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.decorators import decorate_view
from ninja.pagination import paginate

from bakohumas.api.content_schemas import (
    GoneOut,
    PublicItemDetailOut,
    PublicItemFilter,
    PublicItemOut,
    PublicUnitFilter,
    PublicUnitOut,
)
from bakohumas.api.pagination import PagePagination
from bakohumas.api.schemas import ErrorOut
from bakohumas.portal import selectors
from bakohumas.portal.search import search_items

router = Router(tags=["Public"], auth=None)

CACHE_CONTROL = "public, max-age=60"
# Messages follow the language: the ``django_language`` cookie or ``Accept-Language``.
VARY = ("Accept-Language", "Cookie")
PUBLIC_ERRORS: dict[int, Any] = {404: ErrorOut, 422: ErrorOut}


def _public_cache(run: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Mark every answer but a server error as cacheable by anyone for a minute (varying
    only with the language)."""

    @wraps(run)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = run(request, *args, **kwargs)
        if response.status_code < 500:
            response["Cache-Control"] = CACHE_CONTROL
            patch_vary_headers(response, VARY)
        return response

    return wrapper


@router.get(
    "/public/units",
    response={200: list[PublicUnitOut], **PUBLIC_ERRORS},
    auth=None,
    summary="List the work units (public)",
)
@decorate_view(_public_cache)
@paginate(PagePagination)
def public_units(request: HttpRequest, filters: Query[PublicUnitFilter]) -> Any:
    """The active work units by region code (``level``: national, province or
    regency_city; ``parent``: the region code of the unit above)."""
    qs = selectors.active_units().select_related("parent").order_by("code")
    if filters.level:
        qs = qs.filter(level=filters.level)
    if filters.parent:
        qs = qs.filter(parent__code=filters.parent.strip())
    return qs


@router.get(
    "/public/items",
    response={200: list[PublicItemOut], **PUBLIC_ERRORS},
    auth=None,
    summary="List published items (public)",
)
@decorate_view(_public_cache)
@paginate(PagePagination)
def public_items(request: HttpRequest, filters: Query[PublicItemFilter]) -> Any:
    """Published items, newest first (by relevance with ``q``). ``unit`` is a region code
    (404 when no such unit); ``include_children`` adds the units below it (a province's
    kab/kota); ``since`` gives the items published at or after a time."""
    unit_ids = None
    if filters.unit:
        unit = selectors.get_unit(filters.unit.strip())
        unit_ids = selectors.unit_tree_ids(unit) if filters.include_children else [unit.pk]
    qs = selectors.public_items(unit_ids, [filters.form] if filters.form else None)
    if filters.since:
        since = filters.since
        if timezone.is_naive(since):  # read in the server's zone
            since = timezone.make_aware(since)
        qs = qs.filter(published_at__gte=since)
    q = (filters.q or "").strip()
    if q:
        qs = search_items(qs, q)
    return qs.prefetch_related("tags", selectors.media_prefetch())


@router.get(
    "/public/items/{unit_code}/{slug}",
    response={200: PublicItemDetailOut, 410: GoneOut, **PUBLIC_ERRORS},
    auth=None,
    summary="Get a published item (public)",
)
@decorate_view(_public_cache)
def public_item(request: HttpRequest, unit_code: str, slug: str) -> Any:
    """One published item of the unit ``unit_code`` (its portal address). 404 for an item
    that is not published (or not yet due); 410 for a withdrawn item, with only its
    public correction notice."""
    unit = selectors.get_unit(unit_code)
    try:
        return selectors.get_public_item(unit, slug)
    except selectors.ItemWithdrawn as gone:
        return Status(
            410,
            {
                "detail": _("This item was withdrawn."),
                "correction_notice": gone.item.correction_notice,
                "withdrawn_at": gone.item.withdrawn_at,
            },
        )
