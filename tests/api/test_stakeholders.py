"""Happy paths of the stakeholder endpoints: organisations, contacts, consent, groups."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from auditlog.models import LogEntry

from bakohumas.core.models import Role
from bakohumas.stakeholders.models import (
    CommunicationGroup,
    Contact,
    ContactConsent,
    GroupMembership,
    Organisation,
    Tag,
)


def test_organisation_crud(api: Callable[..., Any], units: Any) -> None:
    client = api("64.72", Role.COORDINATOR)
    response = client.post_json(
        "/api/v1/organisations",
        {
            "name": "  Kaltim Post  ",
            "category": "press",
            "city": "Samarinda",
            "phone": "(0541) 123456",
            "email": "Redaksi@KaltimPost.CO.ID",
            "website": "https://kaltimpost.example.id",
            "tags": ["media", "cetak", "Media"],
        },
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["name"] == "Kaltim Post"
    assert data["unit"] == {"id": units["64.72"].pk, "code": "64.72", "name": "KPU Kota Samarinda"}
    assert data["phone"] == "+62541123456"
    assert data["email"] == "Redaksi@kaltimpost.co.id"
    assert data["tags"] == ["cetak", "media"]
    pk = data["id"]

    detail = client.get(f"/api/v1/organisations/{pk}")
    assert detail.status_code == 200
    assert detail.json() == data

    response = client.patch_json(
        f"/api/v1/organisations/{pk}", {"city": "Kota Samarinda", "tags": ["koran"]}
    )
    assert response.status_code == 200, response.json()
    assert response.json()["city"] == "Kota Samarinda"
    assert response.json()["name"] == "Kaltim Post"  # untouched
    assert response.json()["tags"] == ["koran"]
    assert LogEntry.objects.get_for_object(Organisation.objects.get(pk=pk)).count() >= 2

    response = client.delete(f"/api/v1/organisations/{pk}")
    assert response.status_code == 200
    assert response.json()["deleted"] is True
    assert not Organisation.objects.filter(pk=pk).exists()
    assert client.get(f"/api/v1/organisations/{pk}").status_code == 404


def test_organisation_with_history_is_deactivated(
    api: Callable[..., Any], org_factory: Any, contact_factory: Any
) -> None:
    client = api("64.72", Role.COORDINATOR)
    org = org_factory("64.72")
    contact_factory("64.72", organisation=org)
    response = client.delete(f"/api/v1/organisations/{org.pk}")
    assert response.status_code == 200
    assert response.json()["deleted"] is False
    org.refresh_from_db()
    assert org.is_active is False


def test_organisation_filters(api: Callable[..., Any], org_factory: Any, units: Any) -> None:
    client = api("64", Role.VIEWER)
    a = org_factory("64.72", name="Radio Samarinda", category="broadcaster")
    b = org_factory("64.03", name="Koran Berau", category="press", is_active=False)
    a.tags.add(Tag.objects.create(name="Radio"))

    def names(query: str) -> list[str]:
        response = client.get(f"/api/v1/organisations?{query}")
        assert response.status_code == 200, response.json()
        return [row["name"] for row in response.json()["results"]]

    assert names("q=radio") == [a.name]
    assert names("category=press") == [b.name]
    assert names(f"unit={units['64.03'].pk}") == [b.name]
    assert names("tag=radio") == [a.name]
    assert names("active=false") == [b.name]
    assert names("active=true") == [a.name]


def test_pagination_shape(api: Callable[..., Any], org_factory: Any) -> None:
    client = api("64.72", Role.VIEWER)
    for i in range(7):
        org_factory("64.72", name=f"Org {i:02d}")
    first = client.get("/api/v1/organisations?page_size=3&category=press").json()
    assert first["count"] == 7
    assert [r["name"] for r in first["results"]] == ["Org 00", "Org 01", "Org 02"]
    assert first["previous"] is None
    assert first["next"].startswith("http://testserver/api/v1/organisations?")
    assert "category=press" in first["next"] and "page=2" in first["next"]
    second = client.get(first["next"]).json()
    assert [r["name"] for r in second["results"]] == ["Org 03", "Org 04", "Org 05"]
    assert "page=1" in second["previous"]
    last = client.get("/api/v1/organisations?page_size=3&page=3").json()
    assert last["next"] is None and len(last["results"]) == 1
    beyond = client.get("/api/v1/organisations?page_size=3&page=9").json()
    assert beyond["results"] == [] and beyond["count"] == 7 and "page=3" in beyond["previous"]


def test_contact_crud_and_consent(api: Callable[..., Any], org_factory: Any) -> None:
    client = api("64.72", Role.COORDINATOR)
    org = org_factory("64.72", name="Kaltim Post")
    response = client.post_json(
        "/api/v1/contacts",
        {
            "name": "Siti Rahmawati",
            "organisation": org.pk,
            "position": "Redaktur",
            "whatsapp": "0812-3456-7890",
            "email": "siti@kaltimpost.example.id",
            "preferred_channel": "whatsapp",
            "tags": ["wartawan"],
        },
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["organisation"] == {"id": org.pk, "name": "Kaltim Post"}
    assert data["unit"]["code"] == "64.72"
    assert data["whatsapp"] == "+6281234567890"
    assert data["consents"] == []
    pk = data["id"]

    response = client.put_json(
        f"/api/v1/contacts/{pk}/consents/whatsapp",
        {"status": "granted", "method": "whatsapp_opt_in", "evidence": "Pesan 12 Mei"},
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "granted"
    assert response.json()["given_at"] is not None
    assert response.json()["recorded_by_id"] == client.user.pk
    response = client.put_json(
        f"/api/v1/contacts/{pk}/consents/whatsapp", {"status": "withdrawn", "method": "unsubscribe"}
    )
    assert response.status_code == 200
    assert ContactConsent.objects.get(contact_id=pk, channel="whatsapp").status == "withdrawn"

    detail = client.get(f"/api/v1/contacts/{pk}").json()
    assert [(c["channel"], c["status"]) for c in detail["consents"]] == [("whatsapp", "withdrawn")]

    # Consent filter of the list.
    client.put_json(
        f"/api/v1/contacts/{pk}/consents/email", {"status": "granted", "method": "written"}
    )
    assert client.get("/api/v1/contacts?consent=email").json()["count"] == 1
    assert client.get("/api/v1/contacts?consent=whatsapp").json()["count"] == 0
    assert (
        client.get("/api/v1/contacts?consent=whatsapp&consent_status=withdrawn").json()["count"]
        == 1
    )

    response = client.patch_json(f"/api/v1/contacts/{pk}", {"organisation": None, "position": ""})
    assert response.status_code == 200, response.json()
    assert response.json()["organisation"] is None
    assert response.json()["position"] == ""
    assert response.json()["name"] == "Siti Rahmawati"

    # With consents it has history: deactivated, not deleted.
    response = client.delete(f"/api/v1/contacts/{pk}")
    assert response.json()["deleted"] is False
    assert Contact.objects.get(pk=pk).is_active is False


def test_contact_without_history_is_deleted(api: Callable[..., Any], contact_factory: Any) -> None:
    client = api("64.72", Role.COORDINATOR)
    contact = contact_factory("64.72")
    response = client.delete(f"/api/v1/contacts/{contact.pk}")
    assert response.status_code == 200
    assert response.json()["deleted"] is True
    assert not Contact.objects.filter(pk=contact.pk).exists()


def test_contact_filters(api: Callable[..., Any], org_factory: Any, contact_factory: Any) -> None:
    client = api("64.72", Role.VIEWER)
    org = org_factory("64.72")
    a = contact_factory("64.72", name="Andi", organisation=org, phone="+6281234567890")
    b = contact_factory("64.72", name="Budi", email="budi@example.id")

    def names(query: str) -> list[str]:
        response = client.get(f"/api/v1/contacts?{query}")
        assert response.status_code == 200, response.json()
        return [row["name"] for row in response.json()["results"]]

    assert names(f"organisation={org.pk}") == [a.name]
    assert names("q=0812-3456") == [a.name]
    assert names("q=budi@example") == [b.name]
    assert names("q=bud") == [b.name]


def test_duplicate_contact_is_refused_unless_allowed(
    api: Callable[..., Any], contact_factory: Any
) -> None:
    client = api("64.72", Role.EDITOR)
    contact_factory("64.72", name="Andi", phone="+6281234567890")
    response = client.post_json("/api/v1/contacts", {"name": "Andi 2", "phone": "081234567890"})
    assert response.status_code == 422
    assert "phone" in response.json()["errors"]
    response = client.post_json(
        "/api/v1/contacts", {"name": "Andi 2", "phone": "081234567890", "allow_duplicate": True}
    )
    assert response.status_code == 201


def test_group_crud_and_members(
    api: Callable[..., Any], contact_factory: Any, make_user: Callable[..., Any]
) -> None:
    client = api("64.72", Role.EDITOR)
    response = client.post_json(
        "/api/v1/groups",
        {
            "name": "Humas Kaltim 📣",
            "platform": "whatsapp",
            "audience": "internal",
            "invite_link": "https://chat.whatsapp.com/abc",
        },
    )
    assert response.status_code == 201, response.json()
    group = response.json()
    assert group["member_count"] == 0
    gid = group["id"]

    response = client.patch_json(f"/api/v1/groups/{gid}", {"purpose": "Koordinasi harian"})
    assert response.status_code == 200
    assert response.json()["purpose"] == "Koordinasi harian"
    assert response.json()["name"] == "Humas Kaltim 📣"

    contact = contact_factory("64.72")
    staff = make_user("64.72", Role.VIEWER)
    r1 = client.post_json(f"/api/v1/groups/{gid}/members", {"contact": contact.pk})
    assert r1.status_code == 201, r1.json()
    assert r1.json()["contact"] == {"id": contact.pk, "name": contact.name}
    r2 = client.post_json(f"/api/v1/groups/{gid}/members", {"user": staff.pk, "role": "admin"})
    assert r2.status_code == 201, r2.json()
    assert r2.json()["user"]["username"] == staff.username
    # Adding again only updates the role: no duplicate row.
    r3 = client.post_json(f"/api/v1/groups/{gid}/members", {"contact": contact.pk, "role": "admin"})
    assert r3.status_code == 201
    assert GroupMembership.objects.filter(group_id=gid).count() == 2

    members = client.get(f"/api/v1/groups/{gid}/members").json()
    assert members["count"] == 2
    assert client.get(f"/api/v1/groups/{gid}").json()["member_count"] == 2

    response = client.delete(f"/api/v1/groups/{gid}/members/{r1.json()['id']}")
    assert response.status_code == 204
    assert GroupMembership.objects.filter(group_id=gid).count() == 1
    # Removing it twice: 404.
    assert client.delete(f"/api/v1/groups/{gid}/members/{r1.json()['id']}").status_code == 404


def test_group_member_needs_exactly_one_of_user_or_contact(
    api: Callable[..., Any], group_factory: Any
) -> None:
    client = api("64.72", Role.EDITOR)
    group = group_factory("64.72")
    response = client.post_json(f"/api/v1/groups/{group.pk}/members", {})
    assert response.status_code == 422
    assert "__all__" in response.json()["errors"]


def test_group_name_unique_per_unit(api: Callable[..., Any], group_factory: Any) -> None:
    client = api("64.72", Role.EDITOR)
    group_factory("64.72", name="Humas")
    response = client.post_json("/api/v1/groups", {"name": "humas"})
    assert response.status_code == 422
    assert "name" in response.json()["errors"]
    assert CommunicationGroup.objects.count() == 1


def test_work_units_and_people(
    api: Callable[..., Any], units: Any, make_user: Callable[..., Any]
) -> None:
    client = api("64", Role.VIEWER)
    data = client.get("/api/v1/work-units?level=regency_city&page_size=50").json()
    assert data["count"] == 10
    assert all(r["parent"]["code"] == "64" for r in data["results"])
    assert data["results"][0]["zone_abbreviation"] == "WITA"
    assert client.get(f"/api/v1/work-units?parent={units['64'].pk}").json()["count"] == 10
    assert [r["code"] for r in client.get("/api/v1/work-units?q=Berau").json()["results"]] == [
        "64.03"
    ]
    assert client.get("/api/v1/work-units?level=nowhere").status_code == 422

    editor = make_user("64.03", Role.EDITOR)
    editor.first_name, editor.last_name = "Andi", "Wijaya"
    editor.save()
    people = client.get("/api/v1/people?role=editor").json()
    assert [p["username"] for p in people["results"]] == [editor.username]
    person = people["results"][0]
    assert person["full_name"] == "Andi Wijaya"
    assert person["unit"]["code"] == "64.03"
    assert person["email"] == editor.email
    assert client.get("/api/v1/people?q=wijaya").json()["count"] == 1
    assert client.get(f"/api/v1/people?unit={units['64.03'].pk}").json()["count"] == 1
    editor.is_active = False
    editor.save()
    assert client.get("/api/v1/people?active=false").json()["count"] == 1
    assert client.get(f"/api/v1/people/{person['id']}").json()["is_active"] is False


def test_patch_null_clears_text_fields(api: Callable[..., Any], org_factory: Any) -> None:
    client = api("64.72", Role.EDITOR)
    org = org_factory("64.72", city="Samarinda", notes="Catatan")
    response = client.patch_json(f"/api/v1/organisations/{org.pk}", {"city": None, "notes": ""})
    assert response.status_code == 200, response.json()
    assert response.json()["city"] == "" and response.json()["notes"] == ""
    org.refresh_from_db()
    assert (org.city, org.notes) == ("", "")
