"""The staff UI of content: the done-flow in the browser's requests, permissions, lists."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.test import Client
from django.utils import timezone

from bakohumas.content import services
from bakohumas.content.models import ContentItem, Status
from bakohumas.core.models import Role


def _post_data(**extra: Any) -> dict[str, Any]:
    data = {
        "form": "news",
        "topic": "kepemiluan",
        "title": "Sosialisasi <script>alert(1)</script> pemilih pemula",
        "summary": "Ringkasan 🗳️ مرحبا",
        "body": "<p>Isi</p><script>alert(2)</script>",
        "tags": "pemilu, pemula",
        "variant_x_text": "Ayo cek DPT! https://kpu.go.id",
        "variant_x_hashtags": "pemilu kpu",
        "variant_instagram_text": "Caption",
    }
    data.update(extra)
    return data


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_create_submit_approve_flow(make_user: Any, units: Any) -> None:
    author = make_user("64.72", Role.CONTRIBUTOR)
    validator = make_user("64.72", Role.COORDINATOR)
    c = _client(author)
    when = (timezone.now() + timedelta(days=1)).astimezone(units["64.72"].zone)
    response = c.post(
        "/app/content/new/",
        _post_data(publish_at=when.strftime("%Y-%m-%dT%H:%M"), submit="1"),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    item = ContentItem.objects.get()
    assert item.status == Status.SUBMITTED
    assert "script" not in item.body
    assert abs((item.publish_at - when).total_seconds()) < 60
    assert sorted(item.variants.values_list("channel", flat=True)) == ["instagram", "x"]
    page = c.get(f"/app/content/{item.pk}/")
    assert page.status_code == 200
    assert b"<script>alert(1)" not in page.content
    # the author cannot approve
    assert c.post(f"/app/content/{item.pk}/approve/", {"version": item.version}).status_code == 403
    item.refresh_from_db()
    assert item.status == Status.SUBMITTED
    v = _client(validator)
    response = v.post(f"/app/content/{item.pk}/approve/", {"version": item.version}, follow=True)
    assert response.status_code == 200
    item.refresh_from_db()
    assert item.status == Status.SCHEDULED
    # an edit without the confirmation is refused and changes nothing
    data = _post_data(
        summary="Ringkasan baru", version=item.version, publish_at=when.strftime("%Y-%m-%dT%H:%M")
    )
    response = c.post(f"/app/content/{item.pk}/edit/", data)
    assert response.status_code == 200
    assert b"voids the approval" in response.content
    item.refresh_from_db()
    assert item.status == Status.SCHEDULED and item.summary != "Ringkasan baru"
    # confirmed, it voids the approval
    response = c.post(f"/app/content/{item.pk}/edit/", {**data, "void_approval": "1"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == Status.SUBMITTED and not item.approved_hash


def test_other_unit_is_404_and_viewer_is_403(make_item: Any, make_user: Any) -> None:
    item = make_item()
    berau = _client(make_user("64.03", Role.COORDINATOR))
    assert berau.get(f"/app/content/{item.pk}/").status_code == 404
    assert berau.post(f"/app/content/{item.pk}/approve/").status_code == 404
    viewer = _client(make_user("64.72", Role.VIEWER))
    assert viewer.get(f"/app/content/{item.pk}/").status_code == 200
    assert viewer.get("/app/content/new/").status_code == 403
    assert viewer.post(f"/app/content/{item.pk}/submit/").status_code in {302, 403}
    item.refresh_from_db()
    assert item.status == Status.DRAFT


def test_list_query_count(
    make_item: Any, contributor: Any, django_assert_max_num_queries: Any
) -> None:
    for i in range(30):
        make_item(title=f"Berita {i}")
    c = _client(contributor)
    with django_assert_max_num_queries(14):
        response = c.get("/app/content/?per_page=25")
    assert response.status_code == 200
    assert response.content.count(b"/app/content/") >= 25


def test_bad_input_changes_nothing(contributor: Any) -> None:
    c = _client(contributor)
    response = c.post("/app/content/new/", _post_data(title="", variant_x_link="javascript:x"))
    assert response.status_code == 200
    assert ContentItem.objects.count() == 0
    response = c.post("/app/content/new/", _post_data(title="Judul\x00"))
    assert response.status_code == 200
    assert ContentItem.objects.count() == 0


def test_duplicate_slug_is_a_field_error(make_item: Any, contributor: Any) -> None:
    make_item(title="Sama", slug="sama")
    c = _client(contributor)
    response = c.post("/app/content/new/", _post_data(title="Lain", slug="sama"))
    assert response.status_code == 200
    assert b"already used" in response.content
    assert ContentItem.objects.count() == 1


def test_variant_preview_counts(contributor: Any) -> None:
    c = _client(contributor)
    response = c.post(
        "/app/content/variant-preview/",
        {"channel": "x", "variant_x_text": "a" * 281},
    )
    assert response.status_code == 200
    assert b"281" in response.content and b"280" in response.content


def test_withdraw_and_schedule_ui(make_item: Any, make_user: Any) -> None:
    editor = make_user("64.72", Role.EDITOR)
    coordinator = make_user("64.72", Role.COORDINATOR)
    item = make_item()
    services.submit(item, by=item.created_by)
    services.approve(item, by=coordinator)
    c = _client(editor)
    assert c.post(f"/app/content/{item.pk}/publish/").status_code == 302
    item.refresh_from_db()
    assert item.status == Status.PUBLISHED
    response = c.post(f"/app/content/{item.pk}/withdraw/", {"notice": ""}, follow=True)
    item.refresh_from_db()
    assert item.status == Status.PUBLISHED
    assert b"correction notice" in response.content
    c.post(f"/app/content/{item.pk}/withdraw/", {"notice": "Salah tanggal."})
    item.refresh_from_db()
    assert item.status == Status.WITHDRAWN and item.correction_notice == "Salah tanggal."
