"""Scoped reads of the media library (the staff list, the picker, the detail page)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from bakohumas.media.models import MediaAsset, MediaKind

MAX_SEARCH_WORDS = 8


def _search(queryset: QuerySet[MediaAsset], q: str) -> QuerySet[MediaAsset]:
    """Every word must appear in the title, the original file name or the caption."""
    for word in (q or "").split()[:MAX_SEARCH_WORDS]:
        queryset = queryset.filter(
            Q(title__icontains=word) | Q(original_name__icontains=word) | Q(caption__icontains=word)
        )
    return queryset


def asset_list(
    user: Any,
    *,
    q: str = "",
    kind: str = "",
    unit: Any = None,
    missing_alt: bool = False,
) -> QuerySet[MediaAsset]:
    """The assets ``user`` may see, filtered, newest first, with unit and renditions."""
    queryset: QuerySet[MediaAsset] = MediaAsset.objects.for_user(user)
    if unit is not None:
        queryset = queryset.filter(unit_id=getattr(unit, "pk", unit))
    if kind in MediaKind.values:
        queryset = queryset.filter(kind=kind)
    if missing_alt:
        queryset = queryset.filter(kind=MediaKind.IMAGE, alt_text="")
    queryset = _search(queryset, q)
    return (
        queryset.select_related("unit")
        .prefetch_related("renditions")
        .order_by("-created_at", "-id")
    )


def asset_detail_queryset() -> QuerySet[MediaAsset]:
    return MediaAsset.objects.select_related("unit", "uploaded_by").prefetch_related("renditions")


def items_using(asset: MediaAsset, user: Any) -> tuple[list[Any], int]:
    """The content items using ``asset`` that ``user`` may see (at most 50), and how many
    items use it in total (in any unit)."""
    from bakohumas.content.models import ContentItem

    total = asset.uses.count()
    if not total:
        return [], 0
    items = list(
        ContentItem.objects.for_user(user)
        .filter(media_links__asset=asset)
        .select_related("unit")
        .order_by("-updated_at", "-id")[:50]
    )
    return items, total
