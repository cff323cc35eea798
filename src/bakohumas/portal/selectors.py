"""Reads of the public portal: which units, items and events the public may see.

Everything here is *public*: no user, no scope. An item is on the portal when
``ContentItem.objects.public()`` says so (published, or archived after publishing) and its
publication time has come; a withdrawn item answers 410 with its correction notice; every
other status is a 404. Lists are ordered newest first and their related rows (work unit,
media, renditions) come in a fixed number of queries.
"""

from __future__ import annotations

import heapq
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import F, Prefetch, Q, QuerySet, prefetch_related_objects
from django.http import Http404
from django.utils import timezone

from bakohumas.content.models import (
    FORMS_BY_SLUG,
    PUBLIC_STATUSES,
    ContentForm,
    ContentItem,
    ContentMedia,
    Status,
)
from bakohumas.core.models import Level, WorkUnit
from bakohumas.media.models import MediaRendition
from bakohumas.portal.models import AgendaEvent

DEFAULT_HOME_UNIT = "64"
GALLERY_FORMS = (ContentForm.PHOTO, ContentForm.INFOGRAPHIC)


class ItemWithdrawn(Exception):
    """The item exists and was published, but has been withdrawn (HTTP 410)."""

    def __init__(self, item: ContentItem) -> None:
        super().__init__(item.pk)
        self.item = item


# --- work units -----------------------------------------------------------------------------


def active_units() -> QuerySet[WorkUnit]:
    return WorkUnit.objects.filter(is_active=True)


def home_unit() -> WorkUnit | None:
    """The unit of the portal's front page: ``settings.PORTAL_HOME_UNIT`` (default "64"),
    else the first province, else the national unit, else any unit (``None`` without one)."""
    code = getattr(settings, "PORTAL_HOME_UNIT", DEFAULT_HOME_UNIT) or DEFAULT_HOME_UNIT
    unit = active_units().filter(code=code).first()
    if unit is not None:
        return unit
    return (
        active_units().filter(level=Level.PROVINCE).order_by("code").first()
        or active_units().filter(level=Level.NATIONAL).order_by("code").first()
        or active_units().order_by("code").first()
    )


def get_unit(code: str) -> WorkUnit:
    """The active unit with region code ``code`` or a 404."""
    unit = active_units().select_related("parent").filter(code=code).first()
    if unit is None:
        raise Http404("No such work unit.")
    return unit


def unit_tree_ids(unit: WorkUnit) -> list[int]:
    """The unit and the units whose content its portal shows: a province with its kab/kota,
    the national unit with the provinces, a kab/kota alone."""
    if unit.level == Level.PROVINCE:
        ids = list(active_units().filter(province_id=unit.pk).values_list("id", flat=True))
    elif unit.level == Level.NATIONAL:
        ids = list(active_units().filter(parent_id=unit.pk).values_list("id", flat=True))
    else:
        return [unit.pk]
    if unit.pk not in ids:
        ids.append(unit.pk)
    return ids


def units_for_directory() -> list[dict[str, Any]]:
    """Every active unit, grouped: the national unit(s), then each province with its
    kab/kota (one query)."""
    units = list(
        active_units()
        .order_by("code")
        .only("id", "code", "name", "level", "province_id", "parent_id")
    )
    national = [u for u in units if u.level == Level.NATIONAL]
    provinces = [u for u in units if u.level == Level.PROVINCE]
    children: dict[int, list[WorkUnit]] = {}
    for u in units:
        if u.level == Level.REGENCY_CITY and u.province_id is not None:
            children.setdefault(u.province_id, []).append(u)
    return [
        {"national": national},
        *({"province": p, "children": children.get(p.pk, [])} for p in provinces),
    ]


# --- content items --------------------------------------------------------------------------


def form_from_slug(slug: str) -> str:
    """The ``ContentForm`` value of the portal URL segment ``slug`` or a 404."""
    form = FORMS_BY_SLUG.get(slug)
    if form is None:
        raise Http404("No such form.")
    return form


WIDE_UNIT_LIST = 20


def public_items(
    unit_ids: list[int] | None = None,
    forms: tuple[str, ...] | list[str] | None = None,
    *,
    now: datetime | None = None,
) -> QuerySet[ContentItem]:
    """Public items (of ``unit_ids`` and ``forms`` when given), newest first, with their unit."""
    qs = ContentItem.objects.public().filter(published_at__lte=now or timezone.now())
    if unit_ids is not None:
        if len(unit_ids) == 1:
            qs = qs.filter(unit_id=unit_ids[0])
        elif len(unit_ids) > WIDE_UNIT_LIST:
            # KPU RI and its provinces (~45 % of the items): "unit_id + 0" keeps SQLite off
            # the per-unit index (which sorts every item of those units) and on the date
            # order instead (bench/results: /feed/ 567 → 17 ms); PostgreSQL is unchanged.
            qs = qs.alias(unit_key=F("unit_id") + 0).filter(unit_key__in=unit_ids)
        else:
            qs = qs.filter(unit_id__in=unit_ids)
    if forms:
        qs = qs.filter(form__in=list(forms)) if len(forms) != 1 else qs.filter(form=forms[0])
    # The units in a second query: a join makes SQLite's planner start from the units.
    return qs.prefetch_related("unit").order_by("-published_at", "-id")


def media_prefetch() -> Prefetch:
    """The items' media (in order) with their assets and renditions: two queries."""
    return Prefetch(
        "media_links",
        queryset=ContentMedia.objects.select_related("asset").prefetch_related(
            Prefetch("asset__renditions", queryset=MediaRendition.objects.order_by("width"))
        ),
    )


def with_media(qs: QuerySet[ContentItem]) -> QuerySet[ContentItem]:
    return qs.prefetch_related(media_prefetch())


def latest(qs: QuerySet[ContentItem], limit: int, *, media: bool = False) -> list[ContentItem]:
    """The newest ``limit`` rows of a :func:`public_items` queryset (with their media when
    ``media``).

    One query per public status, merged: each is answered in index order
    (``status, -published_at``) instead of sorting every public row of the site, which is
    what ``status IN (…) ORDER BY published_at DESC`` makes PostgreSQL do.
    """
    parts = [list(qs.filter(status=status)[:limit]) for status in sorted(PUBLIC_STATUSES)]
    merged = heapq.merge(*parts, key=_newest_first)
    items = [item for _i, item in zip(range(limit), merged, strict=False)]
    if media:
        prefetch_related_objects(items, media_prefetch())
    return items


def _newest_first(item: ContentItem) -> tuple[float, int]:
    published = item.published_at.timestamp() if item.published_at else 0.0
    return (-published, -item.pk)


def get_public_item(unit: WorkUnit, slug: str) -> ContentItem:
    """The item ``slug`` of ``unit`` as the public may see it.

    Raises :class:`ItemWithdrawn` for a withdrawn item that had been published, ``Http404``
    for every other non-public item (draft, in validation, scheduled, not yet due).
    """
    item = (
        ContentItem.objects.filter(unit=unit, slug=slug)
        .prefetch_related(media_prefetch(), "tags")
        .first()
    )
    if item is None:
        raise Http404("No such item.")
    item.unit = unit  # the same row, already loaded
    withdrawn = item.status == Status.WITHDRAWN or item.withdrawn_at is not None
    if withdrawn and item.published_at is not None:  # also archived after a withdrawal
        raise ItemWithdrawn(item)
    if not item.is_public or item.published_at is None or item.published_at > timezone.now():
        raise Http404("Not published.")
    return item


def images_of(item: ContentItem) -> list[Any]:
    """The image assets of ``item`` in order (from the prefetched media links)."""
    return [link.asset for link in item.media_links.all() if link.asset.kind == "image"]


def first_image(item: ContentItem) -> Any:
    images = images_of(item)
    return images[0] if images else None


# --- agenda ---------------------------------------------------------------------------------


def upcoming_events(unit_ids: list[int], *, now: datetime | None = None) -> QuerySet[AgendaEvent]:
    """Public events of ``unit_ids`` that have not ended yet, soonest first."""
    moment = now or timezone.now()
    return (
        AgendaEvent.objects.filter(unit_id__in=unit_ids, is_public=True)
        .filter(Q(starts_at__gte=moment) | Q(ends_at__gte=moment))
        .select_related("unit")
        .order_by("starts_at", "id")
    )
