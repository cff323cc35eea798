"""Version history: a numbered snapshot each time the content changes, none for a no-op
save, and an edit based on a stale copy refused."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from bakohumas.content import services
from bakohumas.content.models import ContentItem, ContentVersion
from bakohumas.core.models import Role
from tests.content.test_services_helpers import (  # noqa: F401
    fast_passwords,
    fresh,
    make_asset,
    unchanged,
)


def test_creation_is_version_one_with_a_full_snapshot(
    units: dict[str, Any], contributor: Any
) -> None:
    asset = make_asset(units["64.72"], alt_text="Kotak suara", caption="Gudang logistik")
    item = services.create_item(
        unit=units["64.72"],
        by=contributor,
        fields={
            "form": "photo",
            "title": "Distribusi logistik",
            "summary": "Ringkas",
            "body": "<p>Isi <em>foto</em></p>",
        },
        variants=[{"channel": "facebook", "text": "Distribusi logistik hari ini"}],
        media=[asset.pk],
        tags=["Logistik", "#Pemilu2029"],
    )
    (version,) = ContentVersion.objects.filter(item=item)
    assert version.number == item.version == 1
    assert version.created_by == contributor
    assert version.content_hash == item.content_hash == services.compute_hash(item)
    snap = version.snapshot
    assert snap["fields"]["title"] == "Distribusi logistik"
    assert snap["fields"]["body"] == "<p>Isi <em>foto</em></p>"
    assert snap["fields"]["form"] == "photo"
    assert "publish_at" not in snap["fields"]  # planning is not content
    assert snap["tags"] == ["Logistik", "Pemilu2029"]
    assert snap["media"] == [
        {
            "id": asset.pk,
            "sha256": asset.sha256,
            "alt_text": "Kotak suara",
            "caption": "Gudang logistik",
            "credit": asset.credit,
            "title": asset.title,
        }
    ]
    assert snap["variants"] == [
        {"channel": "facebook", "text": "Distribusi logistik hari ini", "hashtags": "", "link": ""}
    ]


def test_each_content_change_is_the_next_version(
    make_item: Callable[..., ContentItem], contributor: Any, make_user: Callable[..., Any]
) -> None:
    editor = make_user("64.72", Role.EDITOR)
    item = make_item(title="Versi satu")
    item = services.update_item(item, by=contributor, fields={"title": "Versi dua"})
    item = services.update_item(item, by=editor, tags=["baru"])
    item = services.update_item(
        item, by=contributor, variants=[{"channel": "whatsapp", "text": "Pesan WA"}]
    )
    versions = list(ContentVersion.objects.filter(item=item).order_by("number"))
    assert [v.number for v in versions] == [1, 2, 3, 4]
    assert fresh(item).version == 4
    assert [v.created_by for v in versions] == [contributor, contributor, editor, contributor]
    assert [v.snapshot["fields"]["title"] for v in versions] == [
        "Versi satu",
        "Versi dua",
        "Versi dua",
        "Versi dua",
    ]
    assert versions[1].snapshot["tags"] == [] and versions[2].snapshot["tags"] == ["baru"]
    assert versions[3].snapshot["variants"][0]["text"] == "Pesan WA"
    assert len({v.content_hash for v in versions}) == 4
    assert fresh(item).content_hash == versions[-1].content_hash


def test_no_new_version_for_a_no_op_save(
    make_item: Callable[..., ContentItem], contributor: Any
) -> None:
    item = make_item()
    item = services.update_item(item, by=contributor, tags=["KPU", "Pemilu"])
    before = list(ContentVersion.objects.filter(item=item).values_list("number", flat=True))
    same = services.update_item(
        item,
        by=contributor,
        fields={
            "title": f"  {item.title}  ",  # stripped to the same title
            "summary": item.summary,
            "body": item.body,
        },
        tags=["pemilu", "#KPU"],  # the same tags
        variants=[],
        media=[],
    )
    assert same.version == item.version
    assert list(ContentVersion.objects.filter(item=item).values_list("number", flat=True)) == (
        before
    )


def test_planning_fields_make_no_version(
    make_item: Callable[..., ContentItem], contributor: Any
) -> None:
    item = make_item()
    item = services.update_item(
        item,
        by=contributor,
        fields={"publish_at": timezone.now() + timedelta(days=3), "schedule_reason": "Catatan"},
    )
    assert item.version == 1 and ContentVersion.objects.filter(item=item).count() == 1


def test_edit_on_a_stale_copy_is_refused(
    make_item: Callable[..., ContentItem], contributor: Any, make_user: Callable[..., Any]
) -> None:
    editor = make_user("64.72", Role.EDITOR)
    item = make_item()
    mine = fresh(item)  # the contributor opens the form at version 1
    services.update_item(item, by=editor, fields={"summary": "Editor lebih dulu"})
    with unchanged(item), pytest.raises(ValidationError) as exc:
        services.update_item(
            mine, by=contributor, fields={"summary": "Kontributor"}, expected_version=1
        )
    assert exc.value.code == "stale"
    assert fresh(item).summary == "Editor lebih dulu"
    # With the current version number the edit goes through.
    item = services.update_item(
        mine, by=contributor, fields={"summary": "Kontributor"}, expected_version=2
    )
    assert fresh(item).version == 3 and fresh(item).summary == "Kontributor"


def test_versions_of_items_are_independent(
    make_item: Callable[..., ContentItem], contributor: Any
) -> None:
    a = make_item(title="A")
    b = make_item(title="B")
    services.update_item(a, by=contributor, fields={"summary": "A2"})
    assert fresh(a).version == 2 and fresh(b).version == 1
    assert ContentVersion.objects.filter(item=b).get().number == 1
