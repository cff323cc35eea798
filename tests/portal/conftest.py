"""Portal tests: English UI text, a fixed SITE_URL, and builders of published content.

Content is created through the ORM directly (status, ``published_at`` and an already
sanitised body), as the content services would leave it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from bakohumas.content.models import ContentForm, ContentItem, ContentMedia, Status
from bakohumas.core.models import WorkUnit
from bakohumas.media.models import MediaAsset, MediaKind, MediaRendition
from bakohumas.portal.models import AgendaEvent

SITE = "https://humas.example.id"
_counter = itertools.count(1)


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"
    settings.SITE_URL = SITE


@pytest.fixture
def author(db: Any) -> Any:
    return get_user_model().objects.create_user(username="penulis", password="x-Pass-123!")


@pytest.fixture
def make_item(units: dict[str, WorkUnit], author: Any) -> Callable[..., ContentItem]:
    """``make_item("64.72", "Title", form=…, status=…, minutes_ago=…, **fields)``."""

    def make(
        code: str = "64.72",
        title: str | None = None,
        *,
        form: str = ContentForm.NEWS,
        status: str = Status.PUBLISHED,
        minutes_ago: int = 60,
        body: str = "<p>Isi berita.</p>",
        body_text: str | None = None,
        **fields: Any,
    ) -> ContentItem:
        n = next(_counter)
        title = title or f"Berita nomor {n}"
        published = timezone.now() - timedelta(minutes=minutes_ago)
        if status in (Status.DRAFT, Status.SUBMITTED, Status.APPROVED, Status.SCHEDULED):
            fields.setdefault("published_at", None)
        fields.setdefault("published_at", published)
        fields.setdefault("slug", f"item-{n}")
        item = ContentItem.objects.create(
            unit=units[code],
            form=form,
            title=title,
            body=body,
            body_text=body_text if body_text is not None else _text(body),
            status=status,
            created_by=author,
            **fields,
        )
        return item

    return make


def _text(html: str) -> str:
    from django.utils.html import strip_tags

    return " ".join(strip_tags(html).split())


@pytest.fixture
def make_image(units: dict[str, WorkUnit]) -> Callable[..., MediaAsset]:
    """An image asset with renditions (rows only; the portal only needs their URLs)."""

    def make(code: str = "64.72", alt_text: str = "Petugas KPPS menghitung suara") -> MediaAsset:
        n = next(_counter)
        unit = units[code]
        asset = MediaAsset.objects.create(
            unit=unit,
            kind=MediaKind.IMAGE,
            file=f"media/{unit.pk}/img{n}.jpg",
            mime_type="image/jpeg",
            size=200_000,
            sha256=f"{n:064d}",
            width=2000,
            height=1333,
            alt_text=alt_text,
            caption="Penghitungan suara",
            credit="Humas KPU",
        )
        for name, width in (("thumb", 320), ("w480", 480), ("w960", 960), ("w1600", 1600)):
            MediaRendition.objects.create(
                asset=asset,
                name=name,
                file=f"media/{unit.pk}/img{n}-{name}.webp",
                width=width,
                height=width * 2 // 3,
                mime_type="image/webp",
                size=width * 40,
            )
        return asset

    return make


@pytest.fixture
def attach() -> Callable[..., None]:
    def do(item: ContentItem, *assets: MediaAsset) -> None:
        for position, asset in enumerate(assets):
            ContentMedia.objects.create(item=item, asset=asset, position=position)

    return do


@pytest.fixture
def make_event(units: dict[str, WorkUnit]) -> Callable[..., AgendaEvent]:
    def make(
        code: str = "64.72",
        title: str = "Sosialisasi pemilih pemula",
        *,
        days: float = 2,
        **fields: Any,
    ) -> AgendaEvent:
        return AgendaEvent.objects.create(
            unit=units[code],
            title=title,
            starts_at=timezone.now() + timedelta(days=days),
            location=fields.pop("location", "Aula KPU"),
            **fields,
        )

    return make
