"""The content endpoints: create, read, PATCH, lists and filters, scope, bad input."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bakohumas.content.models import ContentItem, ContentTag, Status
from bakohumas.core.models import Role
from tests.api.test_content_support import (  # noqa: F401 - fixtures
    CONTENT,
    _dummy_tasks,
    asset_factory_fixture,
    news,
    row,
)

SCRIPT = '<script>alert("x")</script>'
RTL = "انتخابات عامة 2029 — בחירות"
EMOJI = "Ayo memilih 🗳️🇮🇩👩🏽‍💻"


@pytest.fixture
def editor(api: Callable[..., Any]) -> Any:
    return api("64.72", Role.EDITOR)


def _create(client: Any, **fields: Any) -> dict[str, Any]:
    response = client.post_json(CONTENT, news(**fields))
    assert response.status_code == 201, response.content
    return dict(response.json())


def _assert_422(response: Any, *fields: str) -> dict[str, list[str]]:
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["detail"] == "The data is not valid."
    for field in fields:
        assert field in body["errors"], body
        assert all(isinstance(m, str) and m for m in body["errors"][field])
    return dict(body["errors"])


def _counts() -> tuple[int, ...]:
    from bakohumas.content.models import ChannelVariant, ContentVersion, Transition

    return (
        ContentItem.objects.count(),
        ContentVersion.objects.count(),
        Transition.objects.count(),
        ChannelVariant.objects.count(),
        ContentTag.objects.count(),
    )


# --- create and read ------------------------------------------------------------------------


def test_create_returns_the_full_item(
    editor: Any, units: dict[str, Any], asset_factory: Any
) -> None:
    image = asset_factory("64.72")
    parent_image = asset_factory("64")
    response = editor.post_json(
        CONTENT,
        news(
            form="press_release",
            topic="kelembagaan",
            summary="Ringkasan siaran",
            release_number="12/HM/2026",
            contact_name="Humas",
            contact_email="humas@kpu.example.id",
            media=[image.pk, parent_image.pk],
            tags=["#Pemilu", "pemilu", "Tahapan"],
            variants=[
                {"channel": "x", "text": "Baca https://kpu.example.id/berita/panjang-sekali"},
                {"channel": "website", "text": ""},
            ],
        ),
    )
    assert response.status_code == 201, response.content
    item = response.json()
    assert item["unit"] == {"id": units["64.72"].pk, "code": "64.72", "name": units["64.72"].name}
    assert item["status"] == "draft" and item["version"] == 1
    assert item["slug"] == "jadwal-pemutakhiran-data-pemilih"
    assert item["tags"] == ["Pemilu", "Tahapan"]
    assert [m["id"] for m in item["media"]] == [image.pk, parent_image.pk]
    assert item["media"][0]["url"].startswith("http://testserver/")
    # The empty website variant is no variant; the X one counts its link as 23.
    assert [v["channel"] for v in item["variants"]] == ["x"]
    check = item["variants"][0]["check"]
    assert check == {
        "length": len("Baca ") + 23,
        "limit": 280,
        "hashtags": 0,
        "max_hashtags": None,
        "ok": True,
        "errors": [],
    }
    assert item["created_by"]["id"] == editor.user.pk
    assert "email" not in item["created_by"]
    assert item["authors"] == [item["created_by"]]
    assert item["approval"] == {
        "approved_by": None,
        "approved_at": None,
        "approved_version": None,
        "valid": False,
    }
    assert [t["to_status"] for t in item["transitions"]] == ["draft"]
    assert item["submission_problems"] == []
    assert item["can_edit"] is True
    assert item["validation_refusal"] == "Only a coordinator can validate content."
    assert editor.get(f"{CONTENT}/{item['id']}").json() == item


def test_variant_over_the_limit_is_kept_but_flagged(editor: Any) -> None:
    item = _create(editor, variants=[{"channel": "x", "text": "🗳️" * 150}])
    check = item["variants"][0]["check"]
    assert check["ok"] is False and check["length"] > 280
    assert item["submission_problems"] == check["errors"]
    response = editor.post(f"{CONTENT}/{item['id']}/submit", content_type="application/json")
    assert _assert_422(response, "__all__")["__all__"] == check["errors"]


def test_script_payloads_are_stored_inert(editor: Any) -> None:
    item = _create(
        editor,
        title=f"Judul {SCRIPT}",
        summary=f"Ringkas {SCRIPT}",
        body=f'<p onclick="steal()">Teks</p>{SCRIPT}<a href="javascript:steal()">x</a>'
        '<img src=x onerror="steal()"><svg><script>steal()</script></svg>',
        variants=[{"channel": "facebook", "text": SCRIPT}],
        tags=[SCRIPT],
    )
    # The title and other plain texts come back exactly as typed: plain text in JSON
    # (a client must escape them like any text); no HTML is made of them.
    assert item["title"] == f"Judul {SCRIPT}"
    assert item["summary"] == f"Ringkas {SCRIPT}"
    assert item["variants"][0]["text"] == SCRIPT
    # The body is sanitised HTML: no script, handler or javascript: URL survives.
    for bad in ("<script", "onclick", "onerror", "javascript:", "<svg", "steal"):
        assert bad not in item["body"], bad
    assert "<p>Teks</p>" in item["body"]
    raw = editor.get(f"{CONTENT}/{item['id']}")
    assert raw["Content-Type"].startswith("application/json")
    assert raw["X-Content-Type-Options"] == "nosniff"
    stored = ContentItem.objects.get(pk=item["id"])
    assert "<script" not in stored.body and "steal" not in stored.body_text


def test_emoji_and_right_to_left_round_trip(editor: Any) -> None:
    item = _create(
        editor,
        title=f"{EMOJI} {RTL}",
        summary=RTL,
        body=f"<p>{RTL} {EMOJI}</p>",
        tags=[RTL, "🗳️"],
        variants=[{"channel": "instagram", "text": EMOJI, "hashtags": "#pemilu"}],
    )
    again = editor.get(f"{CONTENT}/{item['id']}").json()
    assert again["title"] == f"{EMOJI} {RTL}"
    assert again["summary"] == RTL
    assert again["body"] == f"<p>{RTL} {EMOJI}</p>"
    assert again["variants"][0]["text"] == EMOJI
    assert set(again["tags"]) == {RTL, "🗳️"}
    assert again["slug"]  # a slug is made even from non-Latin text


def test_nul_characters_are_refused(editor: Any) -> None:
    item = _create(editor)
    before = _counts()
    for payload, field in [
        (news(title="a\x00b"), "title"),
        (news(body="<p>a\x00</p>"), "body"),
        (news(tags=["a\x00"]), "tags"),
        (news(variants=[{"channel": "x", "text": "a\x00"}]), "variants.0"),
    ]:
        _assert_422(editor.post_json(CONTENT, payload), field)
    snapshot = row(item["id"])
    _assert_422(editor.patch_json(f"{CONTENT}/{item['id']}", {"version": 1, "summary": "\x00"}))
    assert row(item["id"]) == snapshot
    assert _counts() == before


def test_duplicate_slug_is_a_field_error(editor: Any) -> None:
    first = _create(editor, slug="berita-satu")
    second = _create(editor, title="Berita lain")
    before = _counts()
    errors = _assert_422(editor.post_json(CONTENT, news(slug="berita-satu")), "slug")
    assert errors["slug"] == ["This slug is already used in this unit."]
    snapshot = row(second["id"])
    response = editor.patch_json(f"{CONTENT}/{second['id']}", {"version": 1, "slug": "berita-satu"})
    _assert_422(response, "slug")
    assert row(second["id"]) == snapshot
    assert _counts() == before
    # The same title twice: the second gets its own slug.
    assert first["slug"] == "berita-satu"
    assert _create(editor)["slug"] == "jadwal-pemutakhiran-data-pemilih"
    assert _create(editor)["slug"] == "jadwal-pemutakhiran-data-pemilih-2"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"title": "A"}, "form"),
        (news(form="poem"), "form"),
        (news(topic="sport"), "topic"),
        (news(title=""), "title"),
        (news(title="   "), "title"),
        (news(title="x" * 201), "title"),
        (news(summary="x" * 601), "summary"),
        (news(colour="red"), "colour"),
        (news(status="published"), "status"),
        (news(publish_at="tomorrow"), "publish_at"),
        (news(publish_at="2030-01-01T09:00:00"), "publish_at"),
        (news(claim_rating="maybe"), "claim_rating"),
        (news(national_issue_url="not a url"), "national_issue_url"),
        (news(contact_email="nope"), "contact_email"),
        (news(variants=[{"channel": "myspace", "text": "x"}]), "variants.0"),
        (news(variants=[{"channel": "x", "text": "a"}, {"channel": "x", "text": "b"}]), "variants"),
        (news(variants=[{"channel": "x", "link": "javascript:alert(1)"}]), "variants"),
        (news(media=["abc"]), "media.0"),
        (news(media=[999999]), "media"),
        (news(tags="a,b"), "tags"),
        (news(tags=[f"t{i}" for i in range(21)]), "tags"),
        (news(authors=[999999]), "authors"),
        (news(election=999999), "election"),
        (news(unit="samarinda"), "unit"),
    ],
)
def test_bad_input_is_a_422_and_writes_nothing(
    editor: Any, payload: dict[str, Any], field: str
) -> None:
    before = _counts()
    _assert_422(editor.post_json(CONTENT, payload), field)
    assert _counts() == before


def test_media_and_authors_of_another_unit_are_refused(
    editor: Any, asset_factory: Any, make_user: Callable[..., Any]
) -> None:
    berau_image = asset_factory("64.03")
    berau_person = make_user("64.03", Role.CONTRIBUTOR)
    before = _counts()
    _assert_422(editor.post_json(CONTENT, news(media=[berau_image.pk])), "media")
    _assert_422(editor.post_json(CONTENT, news(authors=[berau_person.pk])), "authors")
    assert _counts() == before


def test_body_not_json_and_not_an_object(editor: Any) -> None:
    response = editor.post(CONTENT, "{nope", content_type="application/json")
    assert response.status_code == 400
    _assert_422(editor.post_json(CONTENT, [1, 2]))


def test_create_for_a_unit_in_scope(api: Callable[..., Any], units: dict[str, Any]) -> None:
    province = api("64", Role.EDITOR)
    item = _create(province, unit=units["64.03"].pk)
    assert item["unit"]["code"] == "64.03"
    samarinda = api("64.72", Role.EDITOR)
    before = _counts()
    _assert_422(samarinda.post_json(CONTENT, news(unit=units["64.03"].pk)), "unit")
    _assert_422(samarinda.post_json(CONTENT, news(unit=units["64"].pk)), "unit")
    assert _counts() == before


# --- PATCH --------------------------------------------------------------------------------


def test_patch_changes_only_what_is_sent(editor: Any, asset_factory: Any) -> None:
    image = asset_factory("64.72")
    item = _create(
        editor, tags=["a"], media=[image.pk], variants=[{"channel": "x", "text": "Satu"}]
    )
    response = editor.patch_json(
        f"{CONTENT}/{item['id']}", {"version": 1, "summary": None, "topic": "kelembagaan"}
    )
    assert response.status_code == 200, response.content
    changed = response.json()
    assert changed["summary"] == "" and changed["topic"] == "kelembagaan"
    assert changed["title"] == item["title"] and changed["body"] == item["body"]
    assert changed["tags"] == ["a"] and [m["id"] for m in changed["media"]] == [image.pk]
    assert changed["variants"] == item["variants"]
    assert changed["version"] == 2
    response = editor.patch_json(
        f"{CONTENT}/{item['id']}", {"version": 2, "tags": [], "media": [], "variants": []}
    )
    emptied = response.json()
    assert emptied["tags"] == [] and emptied["media"] == [] and emptied["variants"] == []
    # Nothing new: no new version.
    response = editor.patch_json(f"{CONTENT}/{item['id']}", {"version": 3})
    assert response.status_code == 200 and response.json()["version"] == 3


def test_patch_requires_the_version_and_refuses_nulls(editor: Any) -> None:
    item = _create(editor)
    snapshot = row(item["id"])
    errors = _assert_422(editor.patch_json(f"{CONTENT}/{item['id']}", {"title": "Baru"}))
    assert errors == {"version": ["This field is required."]}
    errors = _assert_422(
        editor.patch_json(f"{CONTENT}/{item['id']}", {"version": 1, "title": None, "tags": None})
    )
    assert set(errors) == {"title", "tags"}
    _assert_422(editor.patch_json(f"{CONTENT}/{item['id']}", {"version": 1, "id": 5}), "id")
    _assert_422(
        editor.patch_json(f"{CONTENT}/{item['id']}", {"version": 1, "status": "approved"}),
        "status",
    )
    assert row(item["id"]) == snapshot


def test_contributor_edits_only_what_she_wrote(api: Callable[..., Any], editor: Any) -> None:
    item = _create(editor)
    contributor = api("64.72", Role.CONTRIBUTOR)
    snapshot = row(item["id"])
    response = contributor.patch_json(f"{CONTENT}/{item['id']}", {"version": 1, "title": "X"})
    assert response.status_code == 403
    assert row(item["id"]) == snapshot
    assert contributor.get(f"{CONTENT}/{item['id']}").json()["can_edit"] is False
    own = _create(contributor)
    response = contributor.patch_json(f"{CONTENT}/{own['id']}", {"version": 1, "title": "Y"})
    assert response.status_code == 200 and response.json()["title"] == "Y"


# --- scope and permissions ------------------------------------------------------------------


def _item_calls(pk: int) -> list[tuple[str, str, dict[str, Any] | None]]:
    later = (timezone.now() + timedelta(days=1)).isoformat()
    return [
        ("get", f"{CONTENT}/{pk}", None),
        ("get", f"{CONTENT}/{pk}/versions", None),
        ("get", f"{CONTENT}/{pk}/versions/1", None),
        ("patch", f"{CONTENT}/{pk}", {"version": 1, "title": "Ganti"}),
        ("delete", f"{CONTENT}/{pk}", None),
        ("post", f"{CONTENT}/{pk}/submit", {}),
        ("post", f"{CONTENT}/{pk}/return", {"comment": "x"}),
        ("post", f"{CONTENT}/{pk}/approve", {"version": 1}),
        ("post", f"{CONTENT}/{pk}/schedule", {"publish_at": later}),
        ("post", f"{CONTENT}/{pk}/reschedule", {"publish_at": later}),
        ("post", f"{CONTENT}/{pk}/unschedule", None),
        ("post", f"{CONTENT}/{pk}/publish", {}),
        ("post", f"{CONTENT}/{pk}/withdraw", {"notice": "x"}),
        ("post", f"{CONTENT}/{pk}/archive", {}),
        ("post", f"{CONTENT}/{pk}/share", {"shared": True}),
        ("post", f"{CONTENT}/{pk}/duplicate", None),
    ]


def _call(client: Any, method: str, path: str, body: dict[str, Any] | None) -> Any:
    if body is None:
        return getattr(client, method)(path, content_type="application/json")
    return getattr(client, method)(path, body, content_type="application/json")


def test_another_kabkota_gets_404_everywhere(api: Callable[..., Any], editor: Any) -> None:
    item = _create(editor)
    berau = api("64.03", Role.ADMINISTRATOR)
    before, snapshot = _counts(), row(item["id"])
    for method, path, body in _item_calls(item["id"]):
        response = _call(berau, method, path, body)
        assert response.status_code == 404, (method, path, response.content)
        assert response.json() == {"detail": "Not found."}
    assert _counts() == before and row(item["id"]) == snapshot
    ids = {r["id"] for r in berau.get(f"{CONTENT}?page_size=200").json()["results"]}
    assert item["id"] not in ids
    unit = ContentItem.objects.get(pk=item["id"]).unit_id
    assert berau.get(f"{CONTENT}?unit={unit}").json()["count"] == 0


def test_province_and_nation_see_kabkota_items(api: Callable[..., Any], editor: Any) -> None:
    item = _create(editor)
    for code in ("64", "00"):
        client = api(code, Role.VIEWER)
        assert client.get(f"{CONTENT}/{item['id']}").status_code == 200
        ids = {r["id"] for r in client.get(CONTENT).json()["results"]}
        assert item["id"] in ids


def test_kabkota_cannot_see_province_items(api: Callable[..., Any]) -> None:
    item = _create(api("64", Role.EDITOR))
    samarinda = api("64.72", Role.ADMINISTRATOR)
    assert samarinda.get(f"{CONTENT}/{item['id']}").status_code == 404


def test_viewer_gets_403_on_every_write(api: Callable[..., Any], editor: Any) -> None:
    item = _create(editor)
    viewer = api("64.72", Role.VIEWER)
    before, snapshot = _counts(), row(item["id"])
    calls = [c for c in _item_calls(item["id"]) if c[0] != "get"]
    calls += [
        ("post", CONTENT, news()),
        ("post", CONTENT, {"nonsense": True}),
        ("post", f"{CONTENT}/templates/{item['id']}/localise", {}),
    ]
    for method, path, body in calls:
        response = _call(viewer, method, path, body)
        assert response.status_code == 403, (method, path, response.content)
        assert response.json() == {"detail": "You do not have permission to do this."}
    assert _counts() == before and row(item["id"]) == snapshot
    assert viewer.get(f"{CONTENT}/{item['id']}").status_code == 200


def test_without_a_token_401(editor: Any) -> None:
    item = _create(editor)
    client = Client()
    assert client.get(CONTENT).status_code == 401
    assert client.get(f"{CONTENT}/{item['id']}").status_code == 401
    response = client.post(CONTENT, news(), content_type="application/json")
    assert response.status_code == 401
    bad = Client(headers={"Authorization": "Bearer bkh_nope"})
    assert bad.get(CONTENT).status_code == 401


def test_session_writes_need_csrf(login: Callable[..., Any]) -> None:
    from django.test import Client as DjangoClient

    client = login("64.72", Role.EDITOR)
    assert client.get(CONTENT).status_code == 200
    strict = DjangoClient(enforce_csrf_checks=True)
    strict.cookies = client.cookies
    response = strict.post(CONTENT, news(), content_type="application/json")
    assert response.status_code == 403
    assert ContentItem.objects.count() == 0


# --- lists ----------------------------------------------------------------------------------


def _make(unit: Any, by: Any, n: int, **fields: Any) -> list[ContentItem]:
    tags = [ContentTag.objects.get_or_create(name=f"tag{i}", slug=f"tag{i}")[0] for i in range(3)]
    rows = []
    for i in range(n):
        item = ContentItem.objects.create(
            unit=unit,
            created_by=by,
            form=fields.get("form", "news"),
            title=f"Berita {unit.code} {i} {fields.get('title', '')}",
            slug=f"berita-{unit.pk}-{i}-{ContentItem.objects.count()}",
            status=fields.get("status", Status.DRAFT),
            publish_at=fields.get("publish_at"),
        )
        item.tags.set(tags)
        item.authors.add(by)
        rows.append(item)
    return rows


def test_list_filters(api: Callable[..., Any], units: dict[str, Any]) -> None:
    client = api("64", Role.COORDINATOR)
    by = api("64.72", Role.CONTRIBUTOR).user
    soon = timezone.now() + timedelta(days=2)
    drafts = _make(units["64.72"], by, 2)
    submitted = _make(units["64.72"], by, 2, status=Status.SUBMITTED, form="infographic")
    planned = _make(units["64.03"], by, 1, title="Sosialisasi", publish_at=soon)
    ContentItem.objects.filter(pk=planned[0].pk).update(topic="kelembagaan", is_template=True)

    def ids(query: str) -> set[int]:
        response = client.get(f"{CONTENT}?page_size=200&{query}")
        assert response.status_code == 200, response.content
        return {r["id"] for r in response.json()["results"]}

    everything = {i.pk for i in drafts + submitted + planned}
    assert ids("") == everything
    assert ids(f"unit={units['64.03'].pk}") == {planned[0].pk}
    assert ids("status=submitted") == {i.pk for i in submitted}
    assert ids("form=infographic") == {i.pk for i in submitted}
    assert ids("topic=kelembagaan") == {planned[0].pk}
    assert ids("template=true") == {planned[0].pk}
    assert ids("tag=TAG1") == everything
    assert ids("q=sosialisasi") == {planned[0].pk}
    start = (soon - timedelta(hours=1)).isoformat().replace("+", "%2B")
    end = (soon + timedelta(hours=1)).isoformat().replace("+", "%2B")
    assert ids(f"planned_from={start}&planned_to={end}") == {planned[0].pk}
    assert ids(f"planned_to={start}") == set()
    assert ids("awaiting_my_validation=true") == {i.pk for i in submitted}
    # The author is never offered her own items to validate.
    ContentItem.objects.get(pk=submitted[0].pk).authors.add(client.user)
    assert ids("awaiting_my_validation=true") == {submitted[1].pk}
    _assert_422(client.get(f"{CONTENT}?status=lost"), "status")
    _assert_422(client.get(f"{CONTENT}?planned_from=soon"), "planned_from")
    _assert_422(client.get(f"{CONTENT}?page_size=201"), "page_size")


@pytest.mark.parametrize(
    "query", ["", "?awaiting_my_validation=true", "?q=berita", "?tag=tag1&status=submitted"]
)
def test_list_queries_do_not_grow(
    api: Callable[..., Any], units: dict[str, Any], query: str
) -> None:
    client = api("64", Role.COORDINATOR)
    by = api("64.72", Role.CONTRIBUTOR).user
    client.get(CONTENT)  # warm up: last_used_at written once

    def count(n: int) -> tuple[int, int]:
        _make(units["64.72"], by, n, status=Status.SUBMITTED)
        _make(units["64.03"], by, n, status=Status.SUBMITTED)
        sep = "&" if query else "?"
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(f"{CONTENT}{query}{sep}page_size=200")
        assert response.status_code == 200, response.content
        return len(ctx.captured_queries), response.json()["count"]

    few, few_rows = count(3)
    many, many_rows = count(20)
    assert many_rows >= few_rows + 34
    assert many == few, (query, few, many)
    assert few <= 10, few


def test_detail_and_templates_query_budget(
    api: Callable[..., Any], units: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    editor = api("64.72", Role.EDITOR)
    item = _create(editor, tags=["a", "b"], variants=[{"channel": "x", "text": "x"}])
    editor.get(CONTENT)
    with django_assert_max_num_queries(25):
        assert editor.get(f"{CONTENT}/{item['id']}").status_code == 200
    province = api("64", Role.EDITOR).user
    shared = _make(units["64"], province, 30, status=Status.APPROVED)
    ContentItem.objects.filter(pk__in=[i.pk for i in shared]).update(is_template=True)
    with django_assert_max_num_queries(10):
        response = editor.get(f"{CONTENT}/templates?page_size=200")
    assert response.json()["count"] == 30
    for n in range(2, 6):
        editor.patch_json(f"{CONTENT}/{item['id']}", {"version": n - 1, "title": f"T{n}"})
    with django_assert_max_num_queries(10):
        response = editor.get(f"{CONTENT}/{item['id']}/versions")
    assert response.json()["count"] == 5


def test_pagination(api: Callable[..., Any], units: dict[str, Any]) -> None:
    client = api("64.72", Role.VIEWER)
    _make(units["64.72"], client.user, 7)
    page = client.get(f"{CONTENT}?page_size=5").json()
    assert page["count"] == 7 and len(page["results"]) == 5 and page["next"]
    second = client.get(f"{CONTENT}?page_size=5&page=2").json()
    assert len(second["results"]) == 2 and second["next"] is None
    assert {r["id"] for r in page["results"]}.isdisjoint({r["id"] for r in second["results"]})


# --- OpenAPI ----------------------------------------------------------------------------------


def test_openapi_documents_the_content_api(client: Client, db: Any) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    ops = {
        (path, method): op
        for path, methods in paths.items()
        for method, op in methods.items()
        if path.startswith(("/api/v1/content", "/api/v1/media"))
    }
    assert len(ops) >= 24
    for (path, method), op in ops.items():
        names = {name for requirement in op["security"] for name in requirement}
        assert names == {"TokenAuth", "SessionAuth"}, (path, method)
        codes = set(op["responses"])
        assert {"401", "403", "422"} <= codes, (path, method)
        if method != "get":
            assert "409" in codes, (path, method)
    approve = paths["/api/v1/content/{id}/approve"]["post"]
    assert "409" in approve["description"] and "four eyes" in approve["description"]
    for name in ("ContentIn", "ContentPatch", "VariantIn", "ApproveIn", "MediaPatch"):
        assert schema["components"]["schemas"][name]["additionalProperties"] is False, name
    assert "version" in schema["components"]["schemas"]["ContentPatch"]["required"]
