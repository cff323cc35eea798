"""An approval is bound to the hash of the exact version approved (issue 3 item 3).

Any edit of the content (title, body, channel variants, media, tags …) after approval
voids it: the item is back in review with an empty approved hash and a recorded
transition. Planning (the publication time) is not content. A media file's alt text or
caption changing under an approved item is caught at publication.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from bakohumas.content import services
from bakohumas.content.models import ContentItem, Status, Transition
from bakohumas.core.models import Role
from bakohumas.media.models import MediaAsset
from tests.content.test_services_helpers import (  # noqa: F401
    fast_passwords,
    fresh,
    make_asset,
    unchanged,
)


@pytest.fixture
def editor(make_user: Callable[..., Any]) -> Any:
    return make_user("64.72", Role.EDITOR)


@pytest.fixture
def assets(units: dict[str, Any]) -> list[MediaAsset]:
    return [make_asset(units["64.72"]) for _ in range(3)]


@pytest.fixture
def infographic(
    units: dict[str, Any], contributor: Any, coordinator: Any, assets: list[MediaAsset]
) -> ContentItem:
    """An approved infographic with two images, two channel variants and tags."""
    item = services.create_item(
        unit=units["64.72"],
        by=contributor,
        fields={
            "form": "infographic",
            "title": "Infografis tahapan Pilkada 2029",
            "summary": "Tahapan dan jadwal",
            "body": "<p>Tahapan pemilihan.</p>",
        },
        variants=[
            {"channel": "instagram", "text": "Simak tahapannya", "hashtags": "pilkada kpu"},
            {"channel": "x", "text": "Tahapan Pilkada", "link": "https://kpu.go.id/tahapan"},
        ],
        media=[assets[0].pk, assets[1].pk],
        tags=["Pilkada", "Tahapan"],
    )
    services.submit(item, by=contributor)
    item = services.approve(item, by=coordinator)
    assert item.status == Status.APPROVED and item.approval_valid
    return fresh(item)


EDITS: dict[str, Callable[[list[MediaAsset]], dict[str, Any]]] = {
    "title": lambda a: {"fields": {"title": "Infografis tahapan Pilkada 2029 (revisi)"}},
    "body": lambda a: {"fields": {"body": "<p>Tahapan pemilihan, diperbarui.</p>"}},
    "summary": lambda a: {"fields": {"summary": "Ringkasan lain"}},
    "slug": lambda a: {"fields": {"slug": "infografis-baru"}},
    "national issue": lambda a: {"fields": {"national_issue_url": "https://kpu.go.id/x"}},
    "variant text": lambda a: {
        "variants": [
            {"channel": "instagram", "text": "Simak tahapannya!", "hashtags": "pilkada kpu"},
            {"channel": "x", "text": "Tahapan Pilkada", "link": "https://kpu.go.id/tahapan"},
        ]
    },
    "variant link": lambda a: {
        "variants": [
            {"channel": "instagram", "text": "Simak tahapannya", "hashtags": "pilkada kpu"},
            {"channel": "x", "text": "Tahapan Pilkada", "link": "https://kpu.go.id/lain"},
        ]
    },
    "variant removed": lambda a: {
        "variants": [
            {"channel": "instagram", "text": "Simak tahapannya", "hashtags": "pilkada kpu"}
        ]
    },
    "media added": lambda a: {"media": [a[0].pk, a[1].pk, a[2].pk]},
    "media replaced": lambda a: {"media": [a[0].pk, a[2].pk]},
    "media reordered": lambda a: {"media": [a[1].pk, a[0].pk]},
    "tags": lambda a: {"tags": ["Pilkada"]},
}


@pytest.mark.parametrize("state", [Status.APPROVED, Status.SCHEDULED])
@pytest.mark.parametrize("edit", list(EDITS))
def test_any_content_edit_after_approval_voids_it(
    edit: str,
    state: str,
    infographic: ContentItem,
    assets: list[MediaAsset],
    editor: Any,
) -> None:
    item = infographic
    if state == Status.SCHEDULED:
        item = services.schedule(item, by=editor, publish_at=timezone.now() + timedelta(days=2))
    approved_version = item.version
    transitions = Transition.objects.filter(item=item).count()
    # Without the explicit confirmation the edit is refused and nothing changes.
    with unchanged(item), pytest.raises(ValidationError) as exc:
        services.update_item(item, by=editor, **EDITS[edit](assets))
    assert exc.value.code == "approved"
    item = services.update_item(item, by=editor, void_approval=True, **EDITS[edit](assets))
    item = fresh(item)
    assert item.status == Status.SUBMITTED
    assert item.approved_hash == "" and item.approved_by is None and item.approved_at is None
    assert not item.approval_valid
    assert item.version == approved_version + 1
    assert Transition.objects.filter(item=item).count() == transitions + 1
    step = item.transitions.first()
    assert step is not None
    assert (step.from_status, step.to_status, step.by) == (state, "submitted", editor)
    assert step.version == item.version
    # ... and a scheduled item is no longer published at its time.
    assert services.publish_due(now=timezone.now() + timedelta(days=3)) == 0
    assert fresh(item).status == Status.SUBMITTED


def test_the_same_content_saved_again_keeps_the_approval(
    infographic: ContentItem, editor: Any
) -> None:
    before = Transition.objects.filter(item=infographic).count()
    item = services.update_item(
        infographic,
        by=editor,
        fields={"title": infographic.title, "summary": infographic.summary},
        tags=["tahapan", "pilkada"],  # same tags, other order and case
    )
    item = fresh(item)
    assert item.status == Status.APPROVED and item.approval_valid
    assert item.version == infographic.version
    assert Transition.objects.filter(item=item).count() == before


def test_editing_only_the_publication_time_keeps_the_approval(
    infographic: ContentItem, editor: Any
) -> None:
    when = timezone.now() + timedelta(days=5)
    item = fresh(services.update_item(infographic, by=editor, fields={"publish_at": when}))
    assert item.status == Status.APPROVED and item.approval_valid
    assert item.version == infographic.version and item.publish_at == when


def test_moving_a_scheduled_item_keeps_the_approval_and_enqueues_it(
    infographic: ContentItem, editor: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django_tasks import default_task_backend

    item = services.schedule(infographic, by=editor, publish_at=timezone.now() + timedelta(days=2))
    later = timezone.now() + timedelta(days=4)
    default_task_backend.clear()  # type: ignore[attr-defined]
    with django_capture_on_commit_callbacks(execute=True):
        item = services.update_item(item, by=editor, fields={"publish_at": later})
    item = fresh(item)
    assert item.status == Status.SCHEDULED and item.approval_valid and item.publish_at == later
    (result,) = default_task_backend.results  # type: ignore[attr-defined]
    assert result.args == [item.pk, item.version]
    assert result.task.run_after == later
    # not at the old time, at the new one
    assert services.publish_due(now=timezone.now() + timedelta(days=3)) == 0
    assert services.publish_due(now=later + timedelta(seconds=1)) == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("alt_text", "Alt text yang diubah"),
        ("caption", "Keterangan yang diubah"),
        ("credit", "Fotografer lain"),
        ("title", "Judul berkas lain"),
        ("sha256", "f" * 64),  # the file itself was replaced
    ],
)
def test_media_changed_after_approval_is_caught_by_publish_now(
    field: str, value: str, infographic: ContentItem, assets: list[MediaAsset], editor: Any
) -> None:
    MediaAsset.objects.filter(pk=assets[0].pk).update(**{field: value})
    approved_version = infographic.version
    with pytest.raises(ValidationError) as exc:
        services.publish_now(infographic, by=editor)
    assert exc.value.code == "voided"
    item = fresh(infographic)  # the voiding is kept, not rolled back with the error
    assert item.status == Status.SUBMITTED
    assert item.approved_hash == "" and item.approved_by is None
    assert item.published_at is None
    assert not ContentItem.objects.public().filter(pk=item.pk).exists()
    assert item.version == approved_version + 1
    assert item.versions.first().snapshot["media"][0][field] == value  # type: ignore[union-attr]
    step = item.transitions.first()
    assert step is not None and (step.from_status, step.to_status) == ("approved", "submitted")


def test_media_changed_under_a_scheduled_item_is_voided_by_publish_due(
    infographic: ContentItem, assets: list[MediaAsset], editor: Any, coordinator: Any
) -> None:
    when = timezone.now() + timedelta(hours=1)
    item = services.schedule(infographic, by=editor, publish_at=when)
    MediaAsset.objects.filter(pk=assets[1].pk).update(caption="Keterangan baru")
    assert services.publish_due(now=when + timedelta(seconds=1)) == 0
    item = fresh(item)
    assert item.status == Status.SUBMITTED and item.approved_hash == ""
    assert item.published_at is None
    # the next sweep does nothing more
    assert services.publish_due(now=when + timedelta(minutes=1)) == 0
    assert Transition.objects.filter(item=item, to_status="submitted").count() == 2
    # The coordinator validates the new version; it can then be published.
    item = services.approve(item, by=coordinator)
    assert item.approval_valid
    assert fresh(services.publish_now(item, by=editor)).status == Status.PUBLISHED


def test_media_changed_under_an_approved_item_voids_scheduling(
    infographic: ContentItem, assets: list[MediaAsset], editor: Any
) -> None:
    MediaAsset.objects.filter(pk=assets[0].pk).update(alt_text="Baru")
    with pytest.raises(ValidationError) as exc:
        services.schedule(infographic, by=editor, publish_at=timezone.now() + timedelta(days=1))
    assert exc.value.code == "voided"
    assert fresh(infographic).status == Status.SUBMITTED


def test_media_changed_under_a_scheduled_item_voids_rescheduling(
    infographic: ContentItem, assets: list[MediaAsset], editor: Any
) -> None:
    item = services.schedule(infographic, by=editor, publish_at=timezone.now() + timedelta(days=1))
    MediaAsset.objects.filter(pk=assets[0].pk).update(alt_text="Baru")
    with pytest.raises(ValidationError) as exc:
        services.reschedule(item, by=editor, publish_at=timezone.now() + timedelta(days=2))
    assert exc.value.code == "voided"
    item = fresh(item)  # "back in review" must be true, not rolled back
    assert item.status == Status.SUBMITTED and item.approved_hash == ""


def test_media_changed_before_approval_is_part_of_the_approved_version(
    units: dict[str, Any], contributor: Any, coordinator: Any, assets: list[MediaAsset]
) -> None:
    item = services.create_item(
        unit=units["64.72"],
        by=contributor,
        fields={"form": "photo", "title": "Foto rapat pleno"},
        media=[assets[0].pk],
    )
    services.submit(item, by=contributor)
    MediaAsset.objects.filter(pk=assets[0].pk).update(caption="Caption diperbaiki")
    item = fresh(services.approve(item, by=coordinator))
    assert item.status == Status.APPROVED and item.version == 2
    assert item.approved_hash == services.compute_hash(item)
    assert item.versions.first().snapshot["media"][0]["caption"] == "Caption diperbaiki"  # type: ignore[union-attr]


def test_an_image_losing_its_alt_text_blocks_approval(
    units: dict[str, Any], contributor: Any, coordinator: Any, assets: list[MediaAsset]
) -> None:
    item = services.create_item(
        unit=units["64.72"],
        by=contributor,
        fields={"form": "photo", "title": "Foto tanpa alt"},
        media=[assets[0].pk],
    )
    services.submit(item, by=contributor)
    MediaAsset.objects.filter(pk=assets[0].pk).update(alt_text="  ")
    with unchanged(item), pytest.raises(ValidationError, match="alternative text"):
        services.approve(item, by=coordinator)


def test_an_image_without_alt_text_cannot_be_submitted(
    units: dict[str, Any], contributor: Any
) -> None:
    bare = make_asset(units["64.72"], alt_text="")
    item = services.create_item(
        unit=units["64.72"],
        by=contributor,
        fields={"form": "infographic", "title": "Tanpa alt"},
        media=[bare.pk],
    )
    with unchanged(item), pytest.raises(ValidationError, match="alternative text"):
        services.submit(item, by=contributor)


def test_the_hash_covers_exactly_the_content(infographic: ContentItem) -> None:
    digest = services.compute_hash(infographic)
    assert digest == infographic.content_hash == infographic.approved_hash
    ContentItem.objects.filter(pk=infographic.pk).update(
        publish_at=timezone.now() + timedelta(days=9), schedule_reason="Catatan"
    )
    assert services.compute_hash(fresh(infographic)) == digest
    ContentItem.objects.filter(pk=infographic.pk).update(topic="kelembagaan")
    assert services.compute_hash(fresh(infographic)) != digest
