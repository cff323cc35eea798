"""Permission matrix over every core route: scope (404) and role (403)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from bakohumas.core.models import MailboxMessage, Role, WorkUnit

NON_ADMIN_ROLES = [Role.VIEWER, Role.CONTRIBUTOR, Role.EDITOR, Role.COORDINATOR]


@pytest.fixture
def berau(make_user: Callable[..., Any], units: dict[str, WorkUnit]) -> dict[str, Any]:
    """A Berau staff member, Berau's unit and a Berau mailbox message."""
    person = make_user("64.03", Role.EDITOR)
    message = MailboxMessage.objects.create(
        subject="Berau",
        from_email="a@b.id",
        to="c@d.id",
        raw="Subject: Berau\n\nx",
        unit=units["64.03"],
    )
    return {"profile": person.profile, "unit": units["64.03"], "message": message}


def management_urls(profile_pk: int, unit_pk: int) -> list[str]:
    return [
        reverse("core:staff_invite"),
        reverse("core:staff_edit", args=[profile_pk]),
        reverse("core:staff_role", args=[profile_pk]),
        reverse("core:staff_deactivate", args=[profile_pk]),
        reverse("core:staff_reactivate", args=[profile_pk]),
        reverse("core:unit_edit", args=[unit_pk]),
        reverse("core:audit_log"),
        reverse("core:mailbox"),
    ]


@pytest.mark.parametrize("role", NON_ADMIN_ROLES)
def test_non_administrators_get_403_on_every_management_route(
    role: str,
    make_user: Callable[..., Any],
    client_for: Callable[[Any], Client],
    units: dict[str, WorkUnit],
) -> None:
    colleague = make_user("64.72", Role.VIEWER)
    client = client_for(make_user("64.72", role))
    urls = management_urls(colleague.profile.pk, units["64.72"].pk)
    for url in urls:
        assert client.get(url).status_code == 403, url
    for url in [*urls, reverse("core:staff_resend_invitation", args=[colleague.profile.pk])]:
        assert client.post(url, {"role": Role.ADMINISTRATOR}).status_code == 403, url
    message = MailboxMessage.objects.create(
        subject="s", from_email="a@b.id", to="c@d.id", raw="x", unit=units["64.72"]
    )
    assert client.get(reverse("core:mailbox_detail", args=[message.pk])).status_code == 403
    colleague.profile.refresh_from_db()
    assert colleague.profile.role == Role.VIEWER
    # reading is allowed
    for url in (
        reverse("core:staff_list"),
        reverse("core:unit_list"),
        reverse("core:staff_detail", args=[colleague.profile.pk]),
        reverse("core:unit_detail", args=[units["64.72"].pk]),
        reverse("core:dashboard"),
    ):
        assert client.get(url).status_code == 200, url


def test_kabkota_administrator_gets_404_for_another_unit(
    berau: dict[str, Any],
    make_user: Callable[..., Any],
    client_for: Callable[[Any], Client],
    units: dict[str, WorkUnit],
) -> None:
    client = client_for(make_user("64.72", Role.ADMINISTRATOR))
    pk = berau["profile"].pk
    urls = [
        reverse("core:staff_detail", args=[pk]),
        reverse("core:staff_edit", args=[pk]),
        reverse("core:staff_role", args=[pk]),
        reverse("core:staff_deactivate", args=[pk]),
        reverse("core:staff_reactivate", args=[pk]),
        reverse("core:unit_detail", args=[berau["unit"].pk]),
        reverse("core:unit_edit", args=[berau["unit"].pk]),
        reverse("core:unit_logo", args=[berau["unit"].pk]),
        reverse("core:mailbox_detail", args=[berau["message"].pk]),
        reverse("core:unit_edit", args=[units["64"].pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    post_urls = [
        reverse("core:staff_edit", args=[pk]),
        reverse("core:staff_role", args=[pk]),
        reverse("core:staff_deactivate", args=[pk]),
        reverse("core:staff_reactivate", args=[pk]),
        reverse("core:staff_resend_invitation", args=[pk]),
        reverse("core:unit_edit", args=[berau["unit"].pk]),
    ]
    for url in post_urls:
        assert client.post(url, {"role": Role.VIEWER, "address": "x"}).status_code == 404, url
    berau["profile"].refresh_from_db()
    berau["profile"].user.refresh_from_db()
    assert berau["profile"].role == Role.EDITOR and berau["profile"].user.is_active
    listed = client.get(reverse("core:staff_list"), {"active": "all"}).context["profiles"]
    assert pk not in {p.pk for p in listed}


def test_province_administrator_manages_berau(
    berau: dict[str, Any],
    make_user: Callable[..., Any],
    client_for: Callable[[Any], Client],
) -> None:
    client = client_for(make_user("64", Role.ADMINISTRATOR))
    profile = berau["profile"]
    for name in ("staff_detail", "staff_edit", "staff_role", "staff_deactivate"):
        assert client.get(reverse(f"core:{name}", args=[profile.pk])).status_code == 200, name
    assert client.get(reverse("core:unit_edit", args=[berau["unit"].pk])).status_code == 200
    assert client.get(reverse("core:mailbox_detail", args=[berau["message"].pk])).status_code == 200
    response = client.post(
        reverse("core:staff_role", args=[profile.pk]), {"role": Role.ADMINISTRATOR}
    )
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.role == Role.ADMINISTRATOR
    assert client.post(reverse("core:staff_deactivate", args=[profile.pk])).status_code == 302
    profile.user.refresh_from_db()
    assert not profile.user.is_active


def test_kabkota_administrator_manages_own_unit(
    make_user: Callable[..., Any], client_for: Callable[[Any], Client]
) -> None:
    colleague = make_user("64.72", Role.VIEWER)
    client = client_for(make_user("64.72", Role.ADMINISTRATOR))
    for name in ("staff_detail", "staff_edit", "staff_role", "staff_deactivate"):
        assert client.get(reverse(f"core:{name}", args=[colleague.profile.pk])).status_code == 200
    assert client.get(reverse("core:staff_invite")).status_code == 200


def test_national_administrator_sees_everything(
    berau: dict[str, Any],
    make_user: Callable[..., Any],
    client_for: Callable[[Any], Client],
) -> None:
    client = client_for(make_user("00", Role.ADMINISTRATOR))
    assert client.get(reverse("core:staff_edit", args=[berau["profile"].pk])).status_code == 200
    assert client.get(reverse("core:unit_edit", args=[berau["unit"].pk])).status_code == 200


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client: Client) -> None:
    for url in (
        "/app/units/",
        "/app/units/1/",
        "/app/units/1/edit/",
        "/app/people/",
        "/app/people/invite/",
        "/app/people/1/",
        "/app/people/1/role/",
        "/app/audit/",
        "/app/mailbox/",
        "/app/mailbox/1/",
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), url


def test_user_without_profile_sees_nothing(
    db: Any, client_for: Callable[[Any], Client], units: dict[str, WorkUnit]
) -> None:
    from django.contrib.auth import get_user_model

    stray = get_user_model().objects.create_user("stray", password="x-Long-pass-123")
    client = client_for(stray)
    assert client.get("/app/people/").status_code == 403
    assert client.get(f"/app/units/{units['64.72'].pk}/").status_code == 403
    response = client.get("/app/")
    assert response.status_code == 200 and response.context["unit_rows"] == []
