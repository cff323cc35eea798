"""Fixtures shared by the content, media and public API tests (imported by them)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from bakohumas.content.models import ContentItem, Status, Transition
from bakohumas.media.models import MediaAsset, MediaKind

CONTENT = "/api/v1/content"


@pytest.fixture(autouse=True)
def _dummy_tasks(settings: Any) -> None:
    # Tasks are stored, not run: the tests drive publication through the API.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    # Test users only: hashing their passwords slowly buys nothing here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def news(**fields: Any) -> dict[str, Any]:
    """A valid body for ``POST /content`` (a news text ready to submit)."""
    data: dict[str, Any] = {
        "form": "news",
        "title": "Jadwal pemutakhiran data pemilih",
        "summary": "Ringkasan",
        "body": "<p>Isi berita <strong>penting</strong>.</p>",
    }
    data.update(fields)
    return data


@pytest.fixture(name="asset_factory")
def asset_factory_fixture(units: dict[str, Any]) -> Callable[..., MediaAsset]:
    counter = {"n": 0}

    def make(code: str = "64.72", **fields: Any) -> MediaAsset:
        counter["n"] += 1
        n = counter["n"]
        fields.setdefault("kind", MediaKind.IMAGE)
        fields.setdefault("file", f"media/test/{n}.jpg")
        fields.setdefault("mime_type", "image/jpeg")
        fields.setdefault("sha256", f"{n:064x}")
        fields.setdefault("alt_text", f"Gambar {n}")
        fields.setdefault("title", f"Berkas {n}")
        fields.setdefault("width", 800)
        fields.setdefault("height", 600)
        return MediaAsset.objects.create(unit=units[code], **fields)

    return make


def row(item: ContentItem | int) -> tuple[Any, ...]:
    """What must not change when a write is refused."""
    pk = item if isinstance(item, int) else item.pk
    item = ContentItem.objects.get(pk=pk)
    return (
        item.status,
        item.version,
        item.title,
        item.summary,
        item.body,
        item.content_hash,
        item.approved_hash,
        item.approved_by_id,
        item.approved_at,
        item.publish_at,
        item.published_at,
        item.updated_at,
        Transition.objects.filter(item_id=pk).count(),
        item.versions.count(),
    )


def published(
    unit: Any, by: Any, *, slug: str, title: str = "Berita", **fields: Any
) -> ContentItem:
    """A published item made through the ORM (the public API only reads)."""
    fields.setdefault("form", "news")
    fields.setdefault("status", Status.PUBLISHED)
    fields.setdefault("published_at", timezone.now() - timedelta(hours=1))
    fields.setdefault("body", "<p>Isi</p>")
    fields.setdefault("body_text", "Isi")
    return ContentItem.objects.create(unit=unit, created_by=by, slug=slug, title=title, **fields)
