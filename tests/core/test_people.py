"""People pages: list, detail, invitation, edit, role, deactivation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

from bakohumas.core.models import MailboxMessage, Role, StaffCategory, StaffProfile, WorkUnit
from tests.core.helpers import bulk_staff

User = get_user_model()


def invite_data(unit: WorkUnit, **overrides: Any) -> dict[str, Any]:
    data = {
        "username": "rahmat.berau",
        "first_name": "Rahmat",
        "last_name": "Hidayat",
        "email": "rahmat@berau.kpu.example.id",
        "unit": unit.pk,
        "role": Role.EDITOR,
        "category": StaffCategory.PRANATA_HUMAS,
        "pranata_level": "ahli_pertama",
        "team_position": "anggota",
        "job_title": "Pranata Humas Ahli Pertama",
        "phone": "0812-3456-7890",
        "whatsapp": "+62 813 1111 2222",
    }
    data.update(overrides)
    return data


def _usernames(response: Any) -> set[str]:
    assert response.status_code == 200
    return {p.user.username for p in response.context["profiles"]}


# --- list and detail ---------------------------------------------------------------------


def test_list_is_scoped_and_filtered(
    make_user: Callable[..., Any], client_for: Callable[[Any], Client]
) -> None:
    samarinda_editor = make_user("64.72", Role.EDITOR, username="sari.editor")
    berau_coord = make_user("64.03", Role.COORDINATOR, username="andi.berau")
    province_admin = make_user("64", Role.ADMINISTRATOR, username="admin.kaltim")
    samarinda_editor.first_name, samarinda_editor.last_name = "Sari", "Wulandari"
    samarinda_editor.save()
    StaffProfile.objects.filter(user=berau_coord).update(category=StaffCategory.PPNPN)

    own = client_for(samarinda_editor)
    assert _usernames(own.get("/app/people/")) == {"sari.editor"}

    province = client_for(province_admin)
    everyone = {"sari.editor", "andi.berau", "admin.kaltim"}
    assert _usernames(province.get("/app/people/")) == everyone
    assert _usernames(province.get("/app/people/", {"q": "wulandari"})) == {"sari.editor"}
    assert _usernames(province.get("/app/people/", {"q": "sari wulan"})) == {"sari.editor"}
    assert _usernames(province.get("/app/people/", {"q": "andi.berau@kpu"})) == {"andi.berau"}
    berau = WorkUnit.objects.get(code="64.03")
    assert _usernames(province.get("/app/people/", {"unit": berau.pk})) == {"andi.berau"}
    assert _usernames(province.get("/app/people/", {"role": "administrator"})) == {"admin.kaltim"}
    assert _usernames(province.get("/app/people/", {"category": "ppnpn"})) == {"andi.berau"}
    User.objects.filter(username="andi.berau").update(is_active=False)
    assert _usernames(province.get("/app/people/")) == everyone - {"andi.berau"}
    assert _usernames(province.get("/app/people/", {"active": "no"})) == {"andi.berau"}
    assert _usernames(province.get("/app/people/", {"active": "all"})) == everyone
    # sorting, and bad filter values give a message instead of an error
    ordered = province.get("/app/people/", {"sort": "-username"}).context["profiles"]
    assert [p.user.username for p in ordered] == ["sari.editor", "admin.kaltim"]
    bad = province.get("/app/people/", {"role": "emperor", "unit": "x", "sort": "password"})
    assert bad.status_code == 200 and {"role", "unit"} <= set(bad.context["form"].errors)


def test_list_query_count_bounded(
    login: Callable[..., Client],
    units: dict[str, WorkUnit],
    django_assert_max_num_queries: Any,
) -> None:
    client = login("64", Role.ADMINISTRATOR)
    client.get("/app/people/")
    with django_assert_max_num_queries(11):
        client.get("/app/people/")
    for code in ("64", "64.72", "64.03", "64.01"):
        bulk_staff(units[code], 10)
    with django_assert_max_num_queries(11):
        response = client.get("/app/people/", {"per_page": 100})
    assert len(response.context["profiles"]) == 41


def test_detail_scoping_and_history(
    make_user: Callable[..., Any], client_for: Callable[[Any], Client]
) -> None:
    berau = make_user("64.03", Role.EDITOR)
    profile = berau.profile
    samarinda_admin = client_for(make_user("64.72", Role.ADMINISTRATOR))
    assert samarinda_admin.get(f"/app/people/{profile.pk}/").status_code == 404
    province_admin = client_for(make_user("64", Role.ADMINISTRATOR))
    province_admin.post(f"/app/people/{profile.pk}/role/", {"role": Role.COORDINATOR})
    response = province_admin.get(f"/app/people/{profile.pk}/")
    assert response.status_code == 200
    history = list(response.context["history"])
    assert any("role" in (e.changes or {}) for e in history)
    assert "Coordinator" in response.content.decode() or "Koordinator" in response.content.decode()


# --- invitation --------------------------------------------------------------------------


def test_invite_creates_account_and_mails_link(
    make_user: Callable[..., Any],
    client_for: Callable[[Any], Client],
    units: dict[str, WorkUnit],
    immediate_tasks: None,
    dev_mailbox: None,
) -> None:
    admin = make_user("64", Role.ADMINISTRATOR)
    client = client_for(admin)
    response = client.post("/app/people/invite/", invite_data(units["64.03"]))
    assert response.status_code == 302, response.context["form"].errors
    user = User.objects.get(username="rahmat.berau")
    profile = user.profile  # type: ignore[attr-defined]
    assert response["Location"] == f"/app/people/{profile.pk}/"
    assert user.is_active and not user.has_usable_password()
    assert profile.unit == units["64.03"] and profile.role == Role.EDITOR
    assert user.groups.filter(name=Role.EDITOR).exists() and not user.is_staff
    assert profile.phone == "+6281234567890" and profile.whatsapp == "+6281311112222"
    assert profile.pranata_level == "ahli_pertama"
    assert profile.invited_by == admin and profile.invitation_sent_at is not None
    message = MailboxMessage.objects.get()
    assert message.to == "rahmat@berau.kpu.example.id"
    assert message.unit == units["64.03"]
    assert "/invite/" in message.body_text and "/invite/" in message.body_html
    assert "rahmat.berau" in message.body_text
    # the detail page shows the pending invitation and offers a re-send
    detail = client.get(response["Location"]).content.decode()
    assert "resend-invitation" in detail


def test_invite_pranata_level_only_for_pranata_humas(
    login: Callable[..., Client], units: dict[str, WorkUnit], immediate_tasks: None
) -> None:
    client = login("64.72", Role.ADMINISTRATOR)
    response = client.post("/app/people/invite/", invite_data(units["64.72"], pranata_level=""))
    assert response.status_code == 200 and "pranata_level" in response.context["form"].errors
    response = client.post(
        "/app/people/invite/",
        invite_data(units["64.72"], category=StaffCategory.PPNPN, pranata_level="mahir"),
    )
    assert response.status_code == 302
    assert StaffProfile.objects.get(user__username="rahmat.berau").pranata_level == ""


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"phone": "12345"}, "phone"),
        ({"whatsapp": "not a number"}, "whatsapp"),
        ({"email": "nope"}, "email"),
        ({"username": "bad name!"}, "username"),
        ({"role": "superuser"}, "role"),
        ({"category": "minister"}, "category"),
    ],
)
def test_invite_bad_input_changes_nothing(
    login: Callable[..., Client],
    units: dict[str, WorkUnit],
    immediate_tasks: None,
    overrides: dict[str, str],
    field: str,
) -> None:
    client = login("64.72", Role.ADMINISTRATOR)
    before = User.objects.count()
    response = client.post("/app/people/invite/", invite_data(units["64.72"], **overrides))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert User.objects.count() == before
    assert len(mail.outbox) == 0


def test_invite_duplicates_and_double_submit(
    login: Callable[..., Client],
    units: dict[str, WorkUnit],
    make_user: Callable[..., Any],
    immediate_tasks: None,
) -> None:
    make_user("64.01", Role.VIEWER, username="taken")
    client = login("64", Role.ADMINISTRATOR)
    data = invite_data(units["64.72"])
    assert client.post("/app/people/invite/", data).status_code == 302
    again = client.post("/app/people/invite/", data)  # the same form sent twice
    assert again.status_code == 200
    assert "username" in again.context["form"].errors
    assert "email" in again.context["form"].errors
    assert User.objects.filter(email__iexact=data["email"]).count() == 1
    assert len(mail.outbox) == 1
    response = client.post(
        "/app/people/invite/",
        invite_data(units["64.72"], username="TAKEN", email="other@kpu.example.id"),
    )
    assert "username" in response.context["form"].errors
    response = client.post(
        "/app/people/invite/",
        invite_data(units["64.72"], username="fresh", email="RAHMAT@Berau.kpu.example.id"),
    )
    assert "email" in response.context["form"].errors
    assert not User.objects.filter(username="fresh").exists()


def test_invite_unit_outside_scope_is_refused(
    login: Callable[..., Client], units: dict[str, WorkUnit], immediate_tasks: None
) -> None:
    client = login("64.72", Role.ADMINISTRATOR)
    for code in ("64.03", "64", "00"):
        response = client.post("/app/people/invite/", invite_data(units[code]))
        assert response.status_code == 200
        assert "unit" in response.context["form"].errors
    assert not User.objects.filter(username="rahmat.berau").exists()


def test_invite_service_refuses_unit_outside_scope(
    make_user: Callable[..., Any], units: dict[str, WorkUnit], immediate_tasks: None
) -> None:
    from django.core.exceptions import ValidationError

    from bakohumas.core.services import invite_staff

    admin = make_user("64.72", Role.ADMINISTRATOR)
    with pytest.raises(ValidationError) as info:
        invite_staff(
            admin, unit=units["64.03"], username="x", email="x@kpu.example.id", role=Role.VIEWER
        )
    assert "unit" in info.value.error_dict
    assert not User.objects.filter(username="x").exists()


def test_resend_invitation(
    make_user: Callable[..., Any],
    client_for: Callable[[Any], Client],
    units: dict[str, WorkUnit],
    immediate_tasks: None,
) -> None:
    admin = client_for(make_user("64.72", Role.ADMINISTRATOR))
    admin.post("/app/people/invite/", invite_data(units["64.72"]))
    profile = StaffProfile.objects.get(user__username="rahmat.berau")
    response = admin.post(f"/app/people/{profile.pk}/resend-invitation/")
    assert response.status_code == 302
    assert len(mail.outbox) == 2
    assert admin.get(f"/app/people/{profile.pk}/resend-invitation/").status_code == 405
    # once the password is chosen, nothing more is sent
    profile.user.set_password("a-Strong-passphrase-42")
    profile.user.save()
    admin.post(f"/app/people/{profile.pk}/resend-invitation/")
    assert len(mail.outbox) == 2


# --- edit, role, deactivation --------------------------------------------------------------


def test_edit_profile(
    make_user: Callable[..., Any], client_for: Callable[[Any], Client], units: dict[str, WorkUnit]
) -> None:
    person = make_user("64.03", Role.EDITOR)
    client = client_for(make_user("64", Role.ADMINISTRATOR))
    url = f"/app/people/{person.profile.pk}/edit/"
    assert client.get(url).status_code == 200
    data = {
        "first_name": "Budi",
        "last_name": "Santoso",
        "email": "budi@kpu.example.id",
        "unit": units["64.72"].pk,
        "category": StaffCategory.EXECUTING_OFFICIAL,
        "pranata_level": "",
        "team_position": "sekretaris",
        "job_title": "Staf",
        "phone": "0541 741234",
        "whatsapp": "",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.first_name == "Budi" and person.email == "budi@kpu.example.id"
    assert person.profile.unit == units["64.72"] and person.profile.phone == "+62541741234"
    # bad input changes nothing
    response = client.post(url, {**data, "first_name": "Changed", "phone": "1"})
    assert response.status_code == 200 and "phone" in response.context["form"].errors
    person.refresh_from_db()
    assert person.first_name == "Budi"


def test_edit_cannot_move_outside_scope_or_steal_email(
    make_user: Callable[..., Any], client_for: Callable[[Any], Client], units: dict[str, WorkUnit]
) -> None:
    person = make_user("64.72", Role.EDITOR)
    other = make_user("64.72", Role.VIEWER)
    client = client_for(make_user("64.72", Role.ADMINISTRATOR))
    url = f"/app/people/{person.profile.pk}/edit/"
    base = {
        "first_name": "X",
        "email": person.email,
        "unit": units["64.72"].pk,
        "team_position": "",
    }
    response = client.post(url, {**base, "unit": units["64.03"].pk})
    assert response.status_code == 200 and "unit" in response.context["form"].errors
    response = client.post(url, {**base, "email": other.email.upper()})
    assert response.status_code == 200 and "email" in response.context["form"].errors
    person.profile.refresh_from_db()
    assert person.profile.unit == units["64.72"]


def test_set_role_grants_admin_site_only_to_administrators(
    make_user: Callable[..., Any], client_for: Callable[[Any], Client]
) -> None:
    person = make_user("64.72", Role.EDITOR)
    client = client_for(make_user("64.72", Role.ADMINISTRATOR))
    url = f"/app/people/{person.profile.pk}/role/"
    assert client.post(url, {"role": Role.ADMINISTRATOR}).status_code == 302
    person.refresh_from_db()
    assert person.is_staff and person.profile.role == Role.ADMINISTRATOR
    assert list(person.groups.values_list("name", flat=True)) == [Role.ADMINISTRATOR]
    assert client.post(url, {"role": Role.VIEWER}).status_code == 302
    person.refresh_from_db()
    assert not person.is_staff and person.profile.role == Role.VIEWER
    response = client.post(url, {"role": "god"})
    assert response.status_code == 200 and "role" in response.context["form"].errors


def test_last_administrator_cannot_drop_own_role(
    make_user: Callable[..., Any], client_for: Callable[[Any], Client]
) -> None:
    admin = make_user("64.72", Role.ADMINISTRATOR)
    client = client_for(admin)
    url = f"/app/people/{admin.profile.pk}/role/"
    response = client.post(url, {"role": Role.EDITOR})
    assert response.status_code == 200
    assert "last administrator" in str(response.context["form"].errors["role"])
    admin.refresh_from_db()
    assert admin.profile.role == Role.ADMINISTRATOR and admin.is_staff
    # with a second administrator it works
    make_user("64.72", Role.ADMINISTRATOR)
    assert client.post(url, {"role": Role.EDITOR}).status_code == 302
    admin.refresh_from_db()
    assert admin.profile.role == Role.EDITOR and not admin.is_staff


def test_deactivate_and_reactivate(
    make_user: Callable[..., Any], client_for: Callable[[Any], Client]
) -> None:
    person = make_user("64.72", Role.EDITOR)
    person_client = client_for(person)
    assert person_client.get("/app/").status_code == 200
    admin = make_user("64.72", Role.ADMINISTRATOR)
    client = client_for(admin)
    url = f"/app/people/{person.profile.pk}/deactivate/"
    assert client.get(url).status_code == 200  # confirmation page
    assert client.post(url).status_code == 302
    person.refresh_from_db()
    assert not person.is_active
    assert StaffProfile.objects.filter(pk=person.profile.pk).exists()  # never deleted
    assert person_client.get("/app/").status_code == 302  # logged out
    again = client.post(url)  # submitted twice: no error, nothing changes
    assert again.status_code == 302
    detail = client.get(f"/app/people/{person.profile.pk}/")
    assert any("is_active" in (e.changes or {}) for e in detail.context["history"])
    assert client.post(f"/app/people/{person.profile.pk}/reactivate/").status_code == 302
    person.refresh_from_db()
    assert person.is_active
    # nobody deactivates themselves
    response = client.post(f"/app/people/{admin.profile.pk}/deactivate/")
    assert response.status_code == 400
    admin.refresh_from_db()
    assert admin.is_active
