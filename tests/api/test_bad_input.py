"""Bad input: one error shape, 4xx never 500, and nothing written."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bakohumas.core.models import Role
from bakohumas.stakeholders.models import CommunicationGroup, Contact, Organisation, Tag

ORG = "/api/v1/organisations"


@pytest.fixture
def editor(api: Callable[..., Any]) -> Any:
    return api("64.72", Role.EDITOR)


def _counts() -> tuple[int, ...]:
    return (
        Organisation.objects.count(),
        Contact.objects.count(),
        CommunicationGroup.objects.count(),
        Tag.objects.count(),
    )


def _assert_422(response: Any, *fields: str) -> dict[str, list[str]]:
    assert response.status_code == 422, response.content
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert body["detail"] == "The data is not valid."
    for field in fields:
        assert field in body["errors"], body
        assert all(isinstance(m, str) and m for m in body["errors"][field])
    return body["errors"]


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"name": 5, "category": "press"}, ["name"]),
        ({"name": ["a"], "category": "press"}, ["name"]),
        ({"name": "A", "category": "nope"}, ["category"]),
        ({"name": "A", "category": "press", "unit": "samarinda"}, ["unit"]),
        ({"name": "A", "category": "press", "unit": -1}, ["unit"]),
        ({"name": "A", "category": "press", "is_active": "maybe"}, ["is_active"]),
        ({"name": "A", "category": "press", "tags": "a,b"}, ["tags"]),
        ({"name": "A", "category": "press", "tags": [1]}, ["tags.0"]),
        ({"category": "press"}, ["name"]),
        ({"name": "   ", "category": "press"}, ["name"]),
        ({"name": "A", "category": "press", "colour": "red"}, ["colour"]),
        ({"name": "A", "category": "press", "id": 7}, ["id"]),
        ({"name": "A" * 256, "category": "press"}, ["name"]),
        ({"name": "A", "category": "press", "city": "x" * 121}, ["city"]),
        ({"name": "A", "category": "press", "notes": "x" * 10_001}, ["notes"]),
        ({"name": "A", "category": "press", "tags": ["x" * 65]}, ["tags.0"]),
        ({"name": "A", "category": "press", "email": "not-an-email"}, ["email"]),
        ({"name": "A", "category": "press", "phone": "12"}, ["phone"]),
        ({"name": "A", "category": "press", "phone": "call me"}, ["phone"]),
        ({"name": "A", "category": "press", "website": "not a url"}, ["website"]),
        ({"name": "A\x00B", "category": "press"}, ["name"]),
        ({"name": "A", "category": "press", "tags": ["ok", "b\x00d"]}, ["tags"]),
    ],
)
def test_bad_organisation_payloads(editor: Any, payload: dict[str, Any], fields: list[str]) -> None:
    before = _counts()
    _assert_422(editor.post_json(ORG, payload), *fields)
    assert _counts() == before


def test_all_field_errors_reported_at_once(editor: Any) -> None:
    errors = _assert_422(
        editor.post_json(
            ORG, {"name": "", "category": "x", "email": "a@", "phone": "1", "extra": 1}
        ),
        "name",
        "category",
        "email",
        "phone",
        "extra",
    )
    assert errors["extra"] == ["Unknown field."]
    assert errors["email"] == ["“a@” is not a valid email address."]


@pytest.mark.parametrize(
    "body",
    ["{bad json", "[1, 2", "", "nul\x00", '{"name": "A", "category": "press"'],
)
def test_malformed_json_is_400(editor: Any, body: str) -> None:
    response = editor.post(ORG, body, content_type="application/json")
    if body == "":
        # An empty body is a missing payload.
        errors = _assert_422(response, "__all__")
        assert errors["__all__"] == ["Send the data as a JSON object in the request body."]
    else:
        assert response.status_code == 400, response.content
        assert response.json() == {"detail": "The request body is not valid JSON."}
    assert Organisation.objects.count() == 0


@pytest.mark.parametrize("body", ["[]", '"text"', "42", "null"])
def test_json_that_is_not_an_object_is_422(editor: Any, body: str) -> None:
    response = editor.post(ORG, body, content_type="application/json")
    errors = _assert_422(response, "__all__")
    assert errors["__all__"] in (
        ["The request body must be a JSON object."],
        ["Send the data as a JSON object in the request body."],
    )
    assert Organisation.objects.count() == 0


def test_unicode_and_emoji_round_trip(editor: Any) -> None:
    name = "Ikatan Jurnalis 🇮🇩 Samarinda — «Kaltim» 📰 ñ 中文 👩🏽‍💻"
    response = editor.post_json(
        ORG, {"name": name, "category": "press", "notes": "Catatan ✅\nbaris dua", "tags": ["🗳️"]}
    )
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    data = editor.get(f"{ORG}/{pk}").json()
    assert data["name"] == name
    assert data["notes"] == "Catatan ✅\nbaris dua"
    assert data["tags"] == ["🗳️"]
    assert Organisation.objects.get(pk=pk).name == name
    contact = editor.post_json("/api/v1/contacts", {"name": "Dewi 🌺 Lestari"})
    assert contact.status_code == 201
    assert contact.json()["name"] == "Dewi 🌺 Lestari"


def test_name_at_exact_max_length_is_accepted(editor: Any) -> None:
    name = "é" * 255
    response = editor.post_json(ORG, {"name": name, "category": "press"})
    assert response.status_code == 201
    assert response.json()["name"] == name


def test_duplicate_organisation_name_is_refused(editor: Any) -> None:
    assert editor.post_json(ORG, {"name": "Kaltim Post", "category": "press"}).status_code == 201
    # The same form sent twice: the second is refused, not a duplicate row.
    _assert_422(editor.post_json(ORG, {"name": "kaltim post", "category": "press"}), "name")
    assert Organisation.objects.count() == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": None}, "name"),
        ({"category": None}, "category"),
        ({"is_active": None}, "is_active"),
        ({"tags": None}, "tags"),
        ({"unit": None}, "unit"),
        ({"name": ""}, "name"),
        ({"nope": 1}, "nope"),
        ({"email": "x@"}, "email"),
    ],
)
def test_bad_patch_changes_nothing(
    editor: Any, org_factory: Any, payload: dict[str, Any], field: str
) -> None:
    org = org_factory("64.72", name="Asli", email="asli@example.id")
    before = Organisation.objects.filter(pk=org.pk).values().get()
    _assert_422(editor.patch_json(f"{ORG}/{org.pk}", payload), field)
    assert Organisation.objects.filter(pk=org.pk).values().get() == before


def test_patch_with_one_bad_field_writes_no_other_field(editor: Any, org_factory: Any) -> None:
    org = org_factory("64.72", name="Asli")
    org.tags.add(Tag.objects.create(name="lama"))
    response = editor.patch_json(
        f"{ORG}/{org.pk}", {"name": "Baru", "tags": ["baru"], "website": "nope"}
    )
    _assert_422(response, "website")
    org.refresh_from_db()
    assert org.name == "Asli"
    assert [t.name for t in org.tags.all()] == ["lama"]
    assert not Tag.objects.filter(name="baru").exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "A", "whatsapp": "0812"}, "whatsapp"),
        ({"name": "A", "email": "a@@b"}, "email"),
        ({"name": "A", "preferred_channel": "pigeon"}, "preferred_channel"),
        ({"name": "A", "organisation": 999999}, "organisation"),
        ({"name": "A", "organisation": "x"}, "organisation"),
        ({"name": "A" * 201}, "name"),
        ({"name": "A", "position": "p" * 201}, "position"),
        ({"name": "A", "allow_duplicate": "sometimes"}, "allow_duplicate"),
    ],
)
def test_bad_contact_payloads(editor: Any, payload: dict[str, Any], field: str) -> None:
    before = _counts()
    _assert_422(editor.post_json("/api/v1/contacts", payload), field)
    assert _counts() == before


@pytest.mark.parametrize(
    ("path_channel", "payload", "field"),
    [
        ("email", {"status": "maybe", "method": "written"}, "status"),
        ("email", {"status": "granted", "method": "telepathy"}, "method"),
        ("email", {"status": "granted"}, "method"),
        ("email", {"status": "granted", "method": "written", "evidence": "e" * 501}, "evidence"),
        ("email", {"status": "granted", "method": "written", "at": "yesterday"}, "at"),
        ("email", {"status": "granted", "method": "written", "at": "2999-01-01T00:00:00Z"}, "at"),
        ("pigeon", {"status": "granted", "method": "written"}, "channel"),
    ],
)
def test_bad_consent(
    editor: Any, contact_factory: Any, path_channel: str, payload: dict[str, Any], field: str
) -> None:
    contact = contact_factory("64.72")
    response = editor.put_json(f"/api/v1/contacts/{contact.pk}/consents/{path_channel}", payload)
    _assert_422(response, field)
    assert not contact.consents.exists()


@pytest.mark.parametrize(
    "query",
    [
        "page=0",
        "page=abc",
        "page_size=0",
        "page_size=201",
        "page_size=x",
        "unit=abc",
        "category=nope",
        "active=perhaps",
        "q=" + "x" * 201,
    ],
)
def test_bad_query_parameters_are_422(editor: Any, query: str) -> None:
    response = editor.get(f"{ORG}?{query}")
    assert response.status_code == 422, (query, response.content)
    assert response.json()["errors"]


@pytest.mark.parametrize(
    "path",
    [
        f"{ORG}/abc",
        f"{ORG}/0",
        f"{ORG}/-5",
        f"{ORG}/99999999999999999999999",
        "/api/v1/contacts/1.5",
        "/api/v1/groups/abc/members",
    ],
)
def test_bad_ids_are_422(editor: Any, path: str) -> None:
    response = editor.get(path)
    assert response.status_code == 422, (path, response.content)


@pytest.mark.parametrize("pk", [9_223_372_036_854_775_807, 2_147_483_648, 123456])
def test_unknown_ids_are_404(editor: Any, pk: int) -> None:
    for path in (ORG, "/api/v1/contacts", "/api/v1/groups", "/api/v1/work-units", "/api/v1/people"):
        response = editor.get(f"{path}/{pk}")
        assert response.status_code == 404, (path, response.content)
        assert response.json() == {"detail": "Not found."}


def test_unknown_path_and_method(editor: Any) -> None:
    response = editor.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    response = editor.put_json(ORG, {})
    assert response.status_code == 405
    assert response.json() == {"detail": "Method “PUT” not allowed."}
    assert set(response["Allow"].split(", ")) == {"GET", "POST"}


def test_huge_body_is_refused_without_writing(editor: Any) -> None:
    response = editor.post_json(ORG, {"name": "A", "category": "press", "notes": "x" * 6_000_000})
    assert response.status_code == 413
    assert response.json() == {"detail": "The request body is too large."}
    assert Organisation.objects.count() == 0
