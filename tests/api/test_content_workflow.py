"""The validation workflow through the staff API: the same rules as the workspace.

Convention under test: 403 role, 404 another unit, 422 invalid data (field errors) or an
item still incomplete (``__all__``), 409 a transition the item's state does not allow, a
stale version, or validating one's own item; a refused write changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, timedelta
from typing import Any

import pytest
from django.utils import timezone

from bakohumas.content.models import ContentItem, ElectionStage, Status
from bakohumas.core.models import Role
from tests.api.test_content_support import (  # noqa: F401 - fixtures
    CONTENT,
    _dummy_tasks,
    asset_factory_fixture,
    news,
    row,
)


def _post(client: Any, path: str) -> Any:
    """A POST without a body (as ``curl -X POST`` sends it)."""
    return client.post(path, content_type="application/json")


def _conflict(response: Any, text: str = "") -> str:
    assert response.status_code == 409, response.content
    body = response.json()
    assert set(body) == {"detail"}
    assert text in body["detail"], body
    return str(body["detail"])


ROLES = {
    "contributor": ("64.72", Role.CONTRIBUTOR),
    "coordinator": ("64.72", Role.COORDINATOR),
    "other_coordinator": ("64.72", Role.COORDINATOR),
    "editor": ("64.72", Role.EDITOR),
    "viewer": ("64.72", Role.VIEWER),
    "berau": ("64.03", Role.COORDINATOR),
    "province": ("64", Role.COORDINATOR),
}


@pytest.fixture
def people(api: Callable[..., Any]) -> dict[str, Any]:
    """API clients by name, each made when first used."""

    class People(dict[str, Any]):
        def __missing__(self, key: str) -> Any:
            self[key] = api(*ROLES[key])
            return self[key]

    return People()


def _create(client: Any, **fields: Any) -> dict[str, Any]:
    response = client.post_json(CONTENT, news(**fields))
    assert response.status_code == 201, response.content
    return dict(response.json())


def test_the_done_flow(people: dict[str, Any], asset_factory: Any) -> None:
    contributor, coordinator = people["contributor"], people["coordinator"]
    other = people["other_coordinator"]
    image = asset_factory("64.72")
    when = timezone.now() + timedelta(hours=3)
    body = news(
        form="infographic",
        title="Infografis tahapan",
        media=[image.pk],
        publish_at=when.isoformat(),
        variants=[
            {"channel": "x", "text": "Cek tahapan", "hashtags": "pemilu, KPU", "link": ""},
            {"channel": "instagram", "text": "Tahapan pemilu 🗳️", "hashtags": "#pemilu"},
        ],
        authors=[coordinator.user.pk],
    )
    response = contributor.post_json(CONTENT, body)
    assert response.status_code == 201, response.content
    item = response.json()
    assert item["status"] == "draft" and item["version"] == 1
    assert {a["id"] for a in item["authors"]} == {contributor.user.pk, coordinator.user.pk}
    assert [m["id"] for m in item["media"]] == [image.pk]
    checks = {v["channel"]: v["check"] for v in item["variants"]}
    assert checks["x"]["limit"] == 280 and checks["x"]["ok"] is True
    assert checks["instagram"]["hashtags"] == 1
    pk = item["id"]

    response = contributor.post_json(f"{CONTENT}/{pk}/submit", {"comment": "Siap"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "submitted"

    # The contributor cannot approve: her role lacks the permission.
    before = row(pk)
    response = contributor.post_json(f"{CONTENT}/{pk}/approve", {"version": 1})
    assert response.status_code == 403
    assert row(pk) == before

    # The coordinator who co-wrote it cannot either (four eyes).
    response = coordinator.post_json(f"{CONTENT}/{pk}/approve", {"version": 1})
    _conflict(response, "four-eyes")
    assert row(pk) == before
    assert coordinator.get(f"{CONTENT}/{pk}").json()["validation_refusal"]

    # Another coordinator of the unit approves: it is scheduled for its planned time.
    detail = other.get(f"{CONTENT}/{pk}").json()
    assert detail["validation_refusal"] is None
    response = other.post_json(f"{CONTENT}/{pk}/approve", {"version": 1, "comment": "OK"})
    assert response.status_code == 200, response.content
    approved = response.json()
    assert approved["status"] == "scheduled"
    assert approved["approval"]["approved_by"]["id"] == other.user.pk
    assert approved["approval"]["approved_version"] == 1
    assert approved["approval"]["valid"] is True
    steps = [(t["from_status"], t["to_status"]) for t in approved["transitions"]]
    assert steps[:3] == [
        ("approved", "scheduled"),
        ("submitted", "approved"),
        ("draft", "submitted"),
    ]

    # Approving again: a clear 409, nothing changes.
    before = row(pk)
    _conflict(other.post_json(f"{CONTENT}/{pk}/approve", {"version": 1}), "Scheduled")
    assert row(pk) == before

    # Editing an approved item without saying it voids the approval: 409, nothing changes.
    before = row(pk)
    response = contributor.patch_json(f"{CONTENT}/{pk}", {"version": 1, "title": "Baru"})
    _conflict(response, "voids the approval")
    assert row(pk) == before

    # With "void_approval": the approval is void and the item back in validation.
    response = contributor.patch_json(
        f"{CONTENT}/{pk}", {"version": 1, "title": "Baru", "void_approval": True}
    )
    assert response.status_code == 200, response.content
    edited = response.json()
    assert edited["status"] == "submitted"
    assert edited["version"] == 2
    assert edited["approval"]["valid"] is False and edited["approval"]["approved_by"] is None
    # An edit based on the old version: 409, nothing changes.
    before = row(pk)
    response = contributor.patch_json(f"{CONTENT}/{pk}", {"version": 1, "title": "Lama"})
    _conflict(response, "newer version (2)")
    assert row(pk) == before

    # Approving a stale version: 409.
    _conflict(other.post_json(f"{CONTENT}/{pk}/approve", {"version": 1}), "Review it again")
    assert row(pk) == before
    response = other.post_json(f"{CONTENT}/{pk}/approve", {"version": 2})
    assert response.status_code == 200
    assert response.json()["status"] == "scheduled"

    # Publishing now, then withdrawing with a notice, then archiving.
    response = people["editor"].post_json(f"{CONTENT}/{pk}/publish", {})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "published"
    assert ContentItem.objects.public().filter(pk=pk).exists()

    before = row(pk)
    _conflict(contributor.patch_json(f"{CONTENT}/{pk}", {"version": 2, "title": "X"}))
    _conflict(other.post_json(f"{CONTENT}/{pk}/approve", {"version": 2}))
    assert row(pk) == before

    response = people["editor"].post_json(f"{CONTENT}/{pk}/withdraw", {"notice": "   "})
    assert response.status_code == 422
    assert "notice" in response.json()["errors"]
    response = people["editor"].post_json(f"{CONTENT}/{pk}/withdraw", {"notice": "Koreksi."})
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    assert response.json()["correction_notice"] == "Koreksi."
    response = people["editor"].post_json(f"{CONTENT}/{pk}/archive", {})
    assert response.json()["status"] == "archived"


def test_submit_lists_what_is_missing(people: dict[str, Any]) -> None:
    item = _create(people["contributor"], form="infographic")
    before = row(item["id"])
    response = _post(people["contributor"], f"{CONTENT}/{item['id']}/submit")
    assert response.status_code == 422, response.content
    errors = response.json()["errors"]["__all__"]
    assert any("image" in m for m in errors)
    assert row(item["id"]) == before
    assert item["submission_problems"] == errors


def test_submit_twice_is_a_conflict(people: dict[str, Any]) -> None:
    item = _create(people["contributor"])
    assert _post(people["contributor"], f"{CONTENT}/{item['id']}/submit").status_code == 200
    before = row(item["id"])
    _conflict(_post(people["contributor"], f"{CONTENT}/{item['id']}/submit"), "Only a draft")
    assert row(item["id"]) == before


def test_coordinator_cannot_approve_own_item(people: dict[str, Any]) -> None:
    coordinator = people["coordinator"]
    item = _create(coordinator)
    _post(coordinator, f"{CONTENT}/{item['id']}/submit")
    before = row(item["id"])
    _conflict(coordinator.post_json(f"{CONTENT}/{item['id']}/approve", {"version": 1}), "four-eyes")
    assert row(item["id"]) == before
    assert ContentItem.objects.get(pk=item["id"]).approved_hash == ""


def test_editor_who_edited_cannot_be_the_validator(people: dict[str, Any]) -> None:
    """Writing any version makes one an author."""
    item = _create(people["contributor"])
    response = people["coordinator"].patch_json(
        f"{CONTENT}/{item['id']}", {"version": 1, "summary": "Disunting koordinator"}
    )
    assert response.status_code == 200
    _post(people["contributor"], f"{CONTENT}/{item['id']}/submit")
    _conflict(
        people["coordinator"].post_json(f"{CONTENT}/{item['id']}/approve", {"version": 2}),
        "four-eyes",
    )


def test_province_coordinator_validates_a_kabkota_item(people: dict[str, Any]) -> None:
    item = _create(people["contributor"])
    _post(people["contributor"], f"{CONTENT}/{item['id']}/submit")
    response = people["province"].post_json(f"{CONTENT}/{item['id']}/approve", {"version": 1})
    assert response.status_code == 200
    assert response.json()["status"] == "approved"
    # Approving an approved item: a clear 409 that changes nothing.
    before = row(item["id"])
    response = people["other_coordinator"].post_json(
        f"{CONTENT}/{item['id']}/approve", {"version": 1}
    )
    _conflict(response, "(it is Approved)")
    response = people["other_coordinator"].post_json(
        f"{CONTENT}/{item['id']}/return", {"comment": "Terlambat"}
    )
    _conflict(response, "(it is Approved)")
    assert row(item["id"]) == before


def test_other_kabkota_coordinator_gets_404(people: dict[str, Any]) -> None:
    item = _create(people["contributor"])
    _post(people["contributor"], f"{CONTENT}/{item['id']}/submit")
    before = row(item["id"])
    response = people["berau"].post_json(f"{CONTENT}/{item['id']}/approve", {"version": 1})
    assert response.status_code == 404
    assert row(item["id"]) == before


def test_return_needs_a_comment_and_goes_back_to_the_author(people: dict[str, Any]) -> None:
    item = _create(people["contributor"])
    _post(people["contributor"], f"{CONTENT}/{item['id']}/submit")
    before = row(item["id"])
    response = people["other_coordinator"].post_json(
        f"{CONTENT}/{item['id']}/return", {"comment": ""}
    )
    assert response.status_code == 422
    assert "comment" in response.json()["errors"]
    assert row(item["id"]) == before
    response = people["other_coordinator"].post_json(
        f"{CONTENT}/{item['id']}/return", {"comment": "Perbaiki judul"}
    )
    assert response.status_code == 200
    assert response.json()["status"] == "returned"
    assert response.json()["transitions"][0]["comment"] == "Perbaiki judul"
    # Returned items can be resubmitted.
    assert _post(people["contributor"], f"{CONTENT}/{item['id']}/submit").status_code == 200


def test_approve_needs_the_version(people: dict[str, Any]) -> None:
    item = _create(people["contributor"])
    _post(people["contributor"], f"{CONTENT}/{item['id']}/submit")
    response = people["other_coordinator"].post_json(f"{CONTENT}/{item['id']}/approve", {})
    assert response.status_code == 422
    assert response.json()["errors"] == {"version": ["This field is required."]}


def _approved(people: dict[str, Any], **fields: Any) -> int:
    item = _create(people["contributor"], **fields)
    _post(people["contributor"], f"{CONTENT}/{item['id']}/submit")
    response = people["other_coordinator"].post_json(
        f"{CONTENT}/{item['id']}/approve", {"version": item["version"]}
    )
    assert response.status_code == 200, response.content
    return int(item["id"])


def test_schedule_unschedule_and_publish(people: dict[str, Any]) -> None:
    pk = _approved(people)
    editor = people["editor"]
    past = (timezone.now() - timedelta(hours=1)).isoformat()
    before = row(pk)
    response = editor.post_json(f"{CONTENT}/{pk}/schedule", {"publish_at": past})
    assert response.status_code == 422
    assert "publish_at" in response.json()["errors"]
    naive = (timezone.now() + timedelta(days=1)).replace(tzinfo=None).isoformat()
    response = editor.post_json(f"{CONTENT}/{pk}/schedule", {"publish_at": naive})
    assert response.status_code == 422
    assert "publish_at" in response.json()["errors"]
    assert row(pk) == before

    when = timezone.now() + timedelta(days=1)
    response = editor.post_json(f"{CONTENT}/{pk}/schedule", {"publish_at": when.isoformat()})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "scheduled"
    response = _post(editor, f"{CONTENT}/{pk}/unschedule")
    assert response.json()["status"] == "approved"
    _conflict(_post(editor, f"{CONTENT}/{pk}/unschedule"), "not scheduled")
    response = _post(editor, f"{CONTENT}/{pk}/publish")
    assert response.status_code == 200
    assert response.json()["status"] == "published"
    assert response.json()["published_at"]


def test_contributor_cannot_publish(people: dict[str, Any]) -> None:
    pk = _approved(people)
    before = row(pk)
    assert _post(people["contributor"], f"{CONTENT}/{pk}/publish").status_code == 403
    assert _post(people["contributor"], f"{CONTENT}/{pk}/archive").status_code == 403
    assert row(pk) == before


def test_publishing_an_unapproved_item_is_a_conflict(people: dict[str, Any]) -> None:
    item = _create(people["contributor"])
    before = row(item["id"])
    _conflict(_post(people["editor"], f"{CONTENT}/{item['id']}/publish"), "approved")
    _conflict(
        people["editor"].post_json(f"{CONTENT}/{item['id']}/withdraw", {"notice": "x"}),
        "published",
    )
    assert row(item["id"]) == before


def test_quiet_period_needs_a_reason(people: dict[str, Any], units: dict[str, Any]) -> None:
    from bakohumas.content.models import Election

    when = timezone.now() + timedelta(days=2)
    day = units["64.72"].localtime(when).date()
    election = Election.objects.create(name="Pemilu", kind="pemilu")
    ElectionStage.objects.create(
        election=election, name="Masa tenang", starts_on=day, ends_on=day, restricts_publishing=True
    )
    pk = _approved(people)
    before = row(pk)
    response = people["editor"].post_json(
        f"{CONTENT}/{pk}/schedule", {"publish_at": when.isoformat()}
    )
    assert response.status_code == 422, response.content
    messages = response.json()["errors"]["schedule_reason"]
    assert any("Masa tenang" in m for m in messages)
    assert row(pk) == before
    response = people["editor"].post_json(
        f"{CONTENT}/{pk}/schedule",
        {"publish_at": when.isoformat(), "reason": "Pengumuman resmi"},
    )
    assert response.status_code == 200
    detail = response.json()
    assert detail["status"] == "scheduled" and detail["schedule_reason"] == "Pengumuman resmi"
    assert detail["schedule_warnings"]


def test_reschedule_moves_a_draft(people: dict[str, Any]) -> None:
    item = _create(people["contributor"])
    when = timezone.now() + timedelta(days=5)
    response = people["contributor"].post_json(
        f"{CONTENT}/{item['id']}/reschedule", {"publish_at": when.isoformat()}
    )
    assert response.status_code == 200, response.content
    assert response.json()["publish_at"].startswith(when.astimezone(UTC).isoformat()[:16])
    assert response.json()["status"] == "draft"


def test_delete_only_drafts(people: dict[str, Any]) -> None:
    coordinator = people["coordinator"]
    draft = _create(people["contributor"])
    assert people["contributor"].delete(f"{CONTENT}/{draft['id']}").status_code == 403
    response = coordinator.delete(f"{CONTENT}/{draft['id']}")
    assert response.status_code == 200
    assert response.json()["deleted"] is True
    assert not ContentItem.objects.filter(pk=draft["id"]).exists()
    pk = _approved(people)
    before = row(pk)
    _conflict(coordinator.delete(f"{CONTENT}/{pk}"), "Only a draft")
    assert row(pk) == before


def test_media_change_after_approval_sends_it_back(
    people: dict[str, Any], asset_factory: Any
) -> None:
    image = asset_factory("64.72")
    pk = _approved(people, form="photo", media=[image.pk])
    image.alt_text = "Teks lain"
    image.save()
    response = _post(people["editor"], f"{CONTENT}/{pk}/publish")
    _conflict(response, "back in review")
    item = ContentItem.objects.get(pk=pk)
    assert item.status == Status.SUBMITTED and item.published_at is None


def test_share_down_and_localise(people: dict[str, Any], api: Callable[..., Any]) -> None:
    province_contrib = api("64", Role.CONTRIBUTOR)
    province_coord = people["province"]
    item = _create(province_contrib, title="Templat provinsi")
    _post(province_contrib, f"{CONTENT}/{item['id']}/submit")
    province_coord.post_json(f"{CONTENT}/{item['id']}/approve", {"version": 1})
    samarinda = people["contributor"]
    assert samarinda.get(f"{CONTENT}/templates").json()["count"] == 0
    # A kab/kota item cannot be shared; a contributor lacks the permission.
    kab = _approved(people)
    _conflict(people["coordinator"].post_json(f"{CONTENT}/{kab}/share", {"shared": True}))
    assert samarinda.post_json(f"{CONTENT}/{item['id']}/share", {}).status_code == 403

    response = province_coord.post_json(f"{CONTENT}/{item['id']}/share", {"shared": True})
    assert response.status_code == 200 and response.json()["is_template"] is True
    listing = samarinda.get(f"{CONTENT}/templates").json()
    assert [(r["id"], r["localised_id"]) for r in listing["results"]] == [(item["id"], None)]
    # The template itself stays out of the kab/kota's scope.
    assert samarinda.get(f"{CONTENT}/{item['id']}").status_code == 404

    response = _post(samarinda, f"{CONTENT}/templates/{item['id']}/localise")
    assert response.status_code == 201, response.content
    copy = response.json()
    assert copy["status"] == "draft" and copy["unit"]["code"] == "64.72"
    assert copy["source"]["id"] == item["id"] and copy["title"] == "Templat provinsi"
    listing = samarinda.get(f"{CONTENT}/templates").json()
    assert listing["results"][0]["localised_id"] == copy["id"]
    count = ContentItem.objects.count()
    _conflict(_post(samarinda, f"{CONTENT}/templates/{item['id']}/localise"), "already")
    assert ContentItem.objects.count() == count
    # Berau may localise too; an unknown or unshared template is a 404.
    assert _post(people["berau"], f"{CONTENT}/templates/{item['id']}/localise").status_code == 201
    assert _post(samarinda, f"{CONTENT}/templates/{kab}/localise").status_code == 404
    # Province staff localise for a kab/kota of their scope only.
    response = province_coord.post_json(
        f"{CONTENT}/templates/{item['id']}/localise", {"unit": 999999}
    )
    assert response.status_code == 422 and "unit" in response.json()["errors"]


def test_duplicate_makes_a_new_draft(people: dict[str, Any]) -> None:
    pk = _approved(people)
    response = _post(people["editor"], f"{CONTENT}/{pk}/duplicate")
    assert response.status_code == 201, response.content
    copy = response.json()
    assert copy["id"] != pk and copy["status"] == "draft"
    assert copy["slug"] != ContentItem.objects.get(pk=pk).slug
    assert _post(people["viewer"], f"{CONTENT}/{pk}/duplicate").status_code == 403


def test_versions_and_diff(people: dict[str, Any]) -> None:
    contributor = people["contributor"]
    item = _create(contributor, variants=[{"channel": "x", "text": "Satu"}])
    contributor.patch_json(f"{CONTENT}/{item['id']}", {"version": 1, "title": "Judul dua"})
    contributor.patch_json(
        f"{CONTENT}/{item['id']}",
        {"version": 2, "variants": [{"channel": "x", "text": "Dua"}], "tags": ["pemilu"]},
    )
    listing = contributor.get(f"{CONTENT}/{item['id']}/versions").json()
    assert [v["number"] for v in listing["results"]] == [3, 2, 1]
    v2 = contributor.get(f"{CONTENT}/{item['id']}/versions/2").json()
    assert v2["changed"] == ["title"]
    assert v2["snapshot"]["fields"]["title"] == "Judul dua"
    v3 = contributor.get(f"{CONTENT}/{item['id']}/versions/3").json()
    assert v3["changed"] == ["tags", "variants"]
    assert contributor.get(f"{CONTENT}/{item['id']}/versions/1").json()["changed"] == []
    assert contributor.get(f"{CONTENT}/{item['id']}/versions/9").status_code == 404
    assert people["berau"].get(f"{CONTENT}/{item['id']}/versions").status_code == 404
    assert people["berau"].get(f"{CONTENT}/{item['id']}/versions/1").status_code == 404
