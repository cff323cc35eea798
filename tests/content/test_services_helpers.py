"""Helpers shared by the content service tests (no tests here).

``db_state`` re-reads everything a content service may write for one item, so a refused
call can be shown to have changed nothing; ``unchanged`` wraps that as a context manager.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from bakohumas.content import services
from bakohumas.content.models import (
    ChannelVariant,
    ContentItem,
    ContentMedia,
    ContentVersion,
    Status,
    Transition,
)
from bakohumas.core.models import Level, WorkUnit
from bakohumas.media.models import MediaAsset

_asset_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def fast_passwords(settings: Any) -> None:
    """Test users are made by the dozen: one fast hash instead of PBKDF2's 0.7 s each.
    Import it into a test module to apply it there."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_asset(unit: WorkUnit, **fields: Any) -> MediaAsset:
    """A media-library row made through the ORM (no file is needed by the services)."""
    n = next(_asset_numbers)
    data: dict[str, Any] = {
        "kind": "image",
        "file": f"media/{unit.pk}/asset-{n}.jpg",
        "original_name": f"foto-{n}.jpg",
        "mime_type": "image/jpeg",
        "size": 2048,
        "sha256": hashlib.sha256(f"asset-{n}".encode()).hexdigest(),
        "width": 1200,
        "height": 800,
        "title": f"Foto {n}",
        "alt_text": f"Petugas KPU menyiapkan logistik {n}",
        "caption": f"Keterangan {n}",
        "credit": "Humas KPU",
    }
    data.update(fields)
    return MediaAsset.objects.create(unit=unit, **data)


def db_state(item: ContentItem | int) -> dict[str, Any]:
    """Everything the services write for one item, freshly read from the database."""
    pk = item if isinstance(item, int) else item.pk
    return {
        "row": ContentItem.objects.filter(pk=pk).values().first(),
        "transitions": list(
            Transition.objects.filter(item_id=pk)
            .order_by("id")
            .values_list("id", "from_status", "to_status", "comment")
        ),
        "versions": list(
            ContentVersion.objects.filter(item_id=pk)
            .order_by("number")
            .values_list("number", "content_hash")
        ),
        "variants": list(
            ChannelVariant.objects.filter(item_id=pk)
            .order_by("channel")
            .values_list("channel", "text", "hashtags", "link")
        ),
        "media": list(
            ContentMedia.objects.filter(item_id=pk)
            .order_by("position")
            .values_list("asset_id", "position")
        ),
        "tags": sorted(
            ContentItem.tags.through.objects.filter(contentitem_id=pk).values_list(
                "contenttag_id", flat=True
            )
        ),
        "authors": sorted(
            ContentItem.authors.through.objects.filter(contentitem_id=pk).values_list(
                "user_id", flat=True
            )
        ),
    }


@contextmanager
def unchanged(item: ContentItem) -> Iterator[None]:
    """Assert that the block (which is expected to fail) wrote nothing for ``item``."""
    before = db_state(item)
    yield
    after = db_state(item)
    assert after == before


def fresh(item: ContentItem) -> ContentItem:
    return ContentItem.objects.get(pk=item.pk)


def to_submitted(make_item: Callable[..., ContentItem], by: Any, **fields: Any) -> ContentItem:
    item = make_item(by=by, **fields)
    return services.submit(item, by=by)


def to_approved(item: ContentItem, coordinator: Any) -> ContentItem:
    item = services.approve(item, by=coordinator)
    assert item.status in {Status.APPROVED, Status.SCHEDULED}
    return item


def to_published(item: ContentItem, by: Any) -> ContentItem:
    item = services.publish_now(item, by=by)
    assert item.status == Status.PUBLISHED
    return item


def other_province(units: dict[str, WorkUnit]) -> tuple[WorkUnit, WorkUnit]:
    """KPU Provinsi Kalimantan Selatan (63) and KPU Kota Banjarmasin (63.71), made here
    because the test data holds Kalimantan Timur only."""
    national = units["00"]
    province = WorkUnit.objects.create(
        code="63",
        name="KPU Provinsi Kalimantan Selatan",
        region_name="Kalimantan Selatan",
        level=Level.PROVINCE,
        parent=national,
        time_zone="Asia/Makassar",
    )
    province.province = province
    province.save(update_fields=["province"])
    city = WorkUnit.objects.create(
        code="63.71",
        name="KPU Kota Banjarmasin",
        region_name="Kota Banjarmasin",
        level=Level.REGENCY_CITY,
        parent=province,
        province=province,
        time_zone="Asia/Makassar",
    )
    units["63"], units["63.71"] = province, city
    return province, city
