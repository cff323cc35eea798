"""The scope matrix: every list and detail endpoint as users of other units, and every
write endpoint as a viewer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bakohumas.core.models import Role, StaffProfile
from bakohumas.stakeholders.models import (
    CommunicationGroup,
    Contact,
    ContactConsent,
    GroupMembership,
    Organisation,
)


@pytest.fixture
def world(
    make_user: Callable[..., Any],
    org_factory: Callable[..., Organisation],
    contact_factory: Callable[..., Contact],
    group_factory: Callable[..., CommunicationGroup],
    units: dict[str, Any],
) -> dict[str, dict[str, Any]]:
    """One of everything in Samarinda (64.72) and in Berau (64.03)."""
    rows: dict[str, dict[str, Any]] = {}
    for code in ("64.72", "64.03"):
        org = org_factory(code)
        contact = contact_factory(code, organisation=org)
        group = group_factory(code)
        member = GroupMembership.objects.create(group=group, contact=contact)
        person = make_user(code, Role.VIEWER)
        rows[code] = {
            "unit": units[code],
            "org": org,
            "contact": contact,
            "group": group,
            "member": member,
            "person": StaffProfile.objects.get(user=person),
        }
    return rows


def detail_paths(rows: dict[str, Any]) -> list[str]:
    return [
        f"/api/v1/work-units/{rows['unit'].pk}",
        f"/api/v1/people/{rows['person'].pk}",
        f"/api/v1/organisations/{rows['org'].pk}",
        f"/api/v1/contacts/{rows['contact'].pk}",
        f"/api/v1/groups/{rows['group'].pk}",
        f"/api/v1/groups/{rows['group'].pk}/members",
    ]


LISTS = {
    "/api/v1/work-units": "unit",
    "/api/v1/people": "person",
    "/api/v1/organisations": "org",
    "/api/v1/contacts": "contact",
    "/api/v1/groups": "group",
}


def _ids(response: Any) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_kabkota_user_gets_404_for_other_kabkota(api: Callable[..., Any], world: Any) -> None:
    client = api("64.72", Role.ADMINISTRATOR)
    for path in detail_paths(world["64.03"]):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json() == {"detail": "Not found."}
    for path in detail_paths(world["64.72"]):
        assert client.get(path).status_code == 200, path


def test_kabkota_lists_exclude_other_kabkota(api: Callable[..., Any], world: Any) -> None:
    client = api("64.72", Role.VIEWER)
    for path, key in LISTS.items():
        ids = _ids(client.get(path + "?page_size=200"))
        assert world["64.72"][key].pk in ids, path
        assert world["64.03"][key].pk not in ids, path
    members = _ids(client.get(f"/api/v1/groups/{world['64.72']['group'].pk}/members"))
    assert members == {world["64.72"]["member"].pk}


def test_province_user_sees_both(api: Callable[..., Any], world: Any) -> None:
    client = api("64", Role.VIEWER)
    for path, key in LISTS.items():
        ids = _ids(client.get(path + "?page_size=200"))
        assert {world["64.72"][key].pk, world["64.03"][key].pk} <= ids, path
    for code in ("64.72", "64.03"):
        for path in detail_paths(world[code]):
            assert client.get(path).status_code == 200, path


def test_kabkota_user_cannot_see_province_or_nation(
    api: Callable[..., Any], world: Any, units: Any
) -> None:
    client = api("64.72", Role.VIEWER)
    assert client.get(f"/api/v1/work-units/{units['64'].pk}").status_code == 404
    assert client.get(f"/api/v1/work-units/{units['00'].pk}").status_code == 404


def test_other_province_unit_filter_gives_nothing(api: Callable[..., Any], world: Any) -> None:
    client = api("64.72", Role.VIEWER)
    berau = world["64.03"]["unit"].pk
    for path in ("/api/v1/organisations", "/api/v1/contacts", "/api/v1/groups", "/api/v1/people"):
        response = client.get(f"{path}?unit={berau}")
        assert response.json()["count"] == 0, path


def _write_calls(rows: dict[str, Any]) -> list[tuple[str, str, dict[str, Any] | None]]:
    org, contact, group, member = rows["org"], rows["contact"], rows["group"], rows["member"]
    return [
        ("post", "/api/v1/organisations", {"name": "Baru", "category": "press"}),
        ("patch", f"/api/v1/organisations/{org.pk}", {"name": "Ganti"}),
        ("delete", f"/api/v1/organisations/{org.pk}", None),
        ("post", "/api/v1/contacts", {"name": "Baru"}),
        ("patch", f"/api/v1/contacts/{contact.pk}", {"name": "Ganti"}),
        ("delete", f"/api/v1/contacts/{contact.pk}", None),
        (
            "put",
            f"/api/v1/contacts/{contact.pk}/consents/email",
            {"status": "granted", "method": "written"},
        ),
        ("post", "/api/v1/groups", {"name": "Baru"}),
        ("patch", f"/api/v1/groups/{group.pk}", {"name": "Ganti"}),
        ("post", f"/api/v1/groups/{group.pk}/members", {"contact": contact.pk}),
        ("delete", f"/api/v1/groups/{group.pk}/members/{member.pk}", None),
    ]


def _call(client: Any, method: str, path: str, body: dict[str, Any] | None) -> Any:
    if body is None:
        return getattr(client, method)(path)
    return getattr(client, method)(path, body, content_type="application/json")


def _snapshot() -> tuple[Any, ...]:
    return (
        list(Organisation.objects.values_list("id", "name", "is_active").order_by("id")),
        list(Contact.objects.values_list("id", "name", "is_active").order_by("id")),
        list(CommunicationGroup.objects.values_list("id", "name").order_by("id")),
        list(GroupMembership.objects.values_list("id").order_by("id")),
        ContactConsent.objects.count(),
    )


def test_viewer_gets_403_on_every_write(api: Callable[..., Any], world: Any) -> None:
    client = api("64.72", Role.VIEWER)
    before = _snapshot()
    for method, path, body in _write_calls(world["64.72"]):
        response = _call(client, method, path, body)
        assert response.status_code == 403, (method, path, response.content)
        assert response.json() == {"detail": "You do not have permission to do this."}
    assert _snapshot() == before


def test_viewer_gets_403_even_with_an_invalid_body(api: Callable[..., Any], world: Any) -> None:
    client = api("64.72", Role.VIEWER)
    response = client.post_json("/api/v1/organisations", {"nonsense": True})
    assert response.status_code == 403


def test_contributor_cannot_write_organisations(api: Callable[..., Any], world: Any) -> None:
    client = api("64.72", Role.CONTRIBUTOR)
    response = client.post_json("/api/v1/organisations", {"name": "Baru", "category": "press"})
    assert response.status_code == 403


def test_editor_cannot_delete(api: Callable[..., Any], world: Any) -> None:
    client = api("64.72", Role.EDITOR)
    org = world["64.72"]["org"]
    assert client.delete(f"/api/v1/organisations/{org.pk}").status_code == 403
    assert Organisation.objects.filter(pk=org.pk, is_active=True).exists()


def test_writes_on_other_kabkota_objects_are_404(api: Callable[..., Any], world: Any) -> None:
    client = api("64.72", Role.ADMINISTRATOR)
    before = _snapshot()
    for method, path, body in _write_calls(world["64.03"]):
        if method == "post" and path.count("/") == 3:
            continue  # creation endpoints have no object in the path
        response = _call(client, method, path, body)
        assert response.status_code == 404, (method, path, response.content)
    assert _snapshot() == before


def test_cannot_create_or_move_into_other_unit(api: Callable[..., Any], world: Any) -> None:
    client = api("64.72", Role.ADMINISTRATOR)
    berau = world["64.03"]["unit"].pk
    before = _snapshot()
    for path in ("/api/v1/organisations", "/api/v1/contacts", "/api/v1/groups"):
        body = {"name": "Pindah", "unit": berau}
        if "organisations" in path:
            body["category"] = "press"
        response = client.post_json(path, body)
        assert response.status_code == 422, path
        assert "unit" in response.json()["errors"], path
    org, contact, group = (world["64.72"][k] for k in ("org", "contact", "group"))
    for path in (f"/api/v1/organisations/{org.pk}", f"/api/v1/groups/{group.pk}"):
        response = client.patch_json(path, {"unit": berau})
        assert response.status_code == 422, path
        assert "unit" in response.json()["errors"]
    # A contact cannot be attached to another unit's organisation either.
    response = client.patch_json(
        f"/api/v1/contacts/{contact.pk}", {"organisation": world["64.03"]["org"].pk}
    )
    assert response.status_code == 422
    assert "organisation" in response.json()["errors"]
    # Nor can another unit's contact be added to a group.
    response = client.post_json(
        f"/api/v1/groups/{group.pk}/members", {"contact": world["64.03"]["contact"].pk}
    )
    assert response.status_code == 422
    assert _snapshot() == before


def test_province_editor_can_write_in_kabkota(api: Callable[..., Any], world: Any) -> None:
    client = api("64", Role.EDITOR)
    berau = world["64.03"]["unit"].pk
    response = client.post_json(
        "/api/v1/organisations", {"name": "Radio Berau", "category": "broadcaster", "unit": berau}
    )
    assert response.status_code == 201, response.json()
    assert response.json()["unit"]["code"] == "64.03"
