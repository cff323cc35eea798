"""update_asset and delete_asset: rules, permissions, files removed after commit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage

from bakohumas.content.models import ContentItem, ContentMedia
from bakohumas.core.models import Role
from bakohumas.media import services
from bakohumas.media.models import MediaAsset, MediaRendition
from bakohumas.media.signals import asset_updated
from tests.media.conftest import image_bytes, stored_files

Ingest = Callable[..., MediaAsset]


def use_in_item(asset: MediaAsset, user: Any, title: str = "Infografis") -> ContentItem:
    item = ContentItem.objects.create(
        unit=asset.unit, form="infographic", title=title, slug=title.lower(), created_by=user
    )
    ContentMedia.objects.create(item=item, asset=asset)
    return item


def test_update_texts_and_signal(ingest: Ingest, editor: Any) -> None:
    asset = ingest(image_bytes())
    received: list[dict[str, Any]] = []

    def listener(**kwargs: Any) -> None:
        received.append(kwargs)

    asset_updated.connect(listener)
    try:
        services.update_asset(asset, editor, alt_text="  Ketua KPU membuka rapat  ", title="")
    finally:
        asset_updated.disconnect(listener)
    asset.refresh_from_db()
    assert asset.alt_text == "Ketua KPU membuka rapat"
    assert not asset.needs_alt_text
    assert len(received) == 1 and received[0]["changed"] == ["alt_text"]


def test_update_without_change_sends_nothing(ingest: Ingest, editor: Any) -> None:
    asset = ingest(image_bytes(), title="A")
    received: list[Any] = []
    asset_updated.connect(received.append)  # type: ignore[arg-type]
    try:
        services.update_asset(asset, editor, title="A")
    finally:
        asset_updated.disconnect(received.append)  # type: ignore[arg-type]
    assert received == []


def test_update_rejects_unknown_fields_and_long_text(ingest: Ingest, editor: Any) -> None:
    asset = ingest(image_bytes())
    with pytest.raises(TypeError):
        services.update_asset(asset, editor, kind="video")
    with pytest.raises(ValidationError) as info:
        services.update_asset(asset, editor, alt_text="x" * 501)
    assert "alt_text" in info.value.message_dict
    assert MediaAsset.objects.get(pk=asset.pk).alt_text == ""


def test_update_permission_and_scope(ingest: Ingest, make_user: Any) -> None:
    asset = ingest(image_bytes())
    with pytest.raises(PermissionDenied):
        services.update_asset(asset, make_user("64.72", Role.VIEWER), title="x")
    with pytest.raises(PermissionDenied):
        services.update_asset(asset, make_user("64.03", Role.COORDINATOR), title="x")
    services.update_asset(asset, make_user("64", Role.CONTRIBUTOR), title="from the province")
    assert MediaAsset.objects.get(pk=asset.pk).title == "from the province"


def test_delete_refused_while_used(ingest: Ingest, make_user: Any, settings: Any) -> None:
    coordinator = make_user("64.72", Role.COORDINATOR)
    asset = ingest(image_bytes("PNG", (800, 400)))
    use_in_item(asset, coordinator)
    files_before = stored_files(settings)
    with pytest.raises(ValidationError) as info:
        services.delete_asset(asset, coordinator)
    assert "used by 1 content item" in info.value.messages[0]
    assert MediaAsset.objects.filter(pk=asset.pk).exists()
    assert MediaRendition.objects.filter(asset=asset).count() == 2
    assert stored_files(settings) == files_before


def test_delete_removes_row_renditions_and_files_after_commit(
    ingest: Ingest, make_user: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    coordinator = make_user("64.72", Role.COORDINATOR)
    asset = ingest(image_bytes("PNG", (800, 400)))
    names = [asset.file.name, *(r.file.name for r in asset.renditions.all())]
    assert all(default_storage.exists(n) for n in names)
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_asset(asset, coordinator)
    assert not MediaAsset.objects.exists() and not MediaRendition.objects.exists()
    assert not any(default_storage.exists(n) for n in names)
    assert stored_files(settings) == []


def test_delete_needs_permission_and_scope(ingest: Ingest, make_user: Any) -> None:
    asset = ingest(image_bytes())
    for user in (
        make_user("64.72", Role.EDITOR),  # editors may not delete media
        make_user("64.72", Role.CONTRIBUTOR),
        make_user("64.03", Role.COORDINATOR),  # another unit
    ):
        with pytest.raises(PermissionDenied):
            services.delete_asset(asset, user)
    assert MediaAsset.objects.filter(pk=asset.pk).exists()
