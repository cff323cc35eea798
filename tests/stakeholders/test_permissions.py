"""Permission matrix over every stakeholder route.

* a Samarinda user (even a coordinator, who holds every stakeholder permission) gets 404
  on every object route of a Berau record;
* a province user sees the records of both;
* a viewer gets 403 on every write route (GET and POST), and nothing changes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from bakohumas.core.models import Role, WorkUnit
from bakohumas.stakeholders.models import (
    CommunicationGroup,
    Contact,
    ContactConsent,
    Engagement,
    GroupMembership,
    Organisation,
)
from tests.stakeholders.factories import make_contact, make_group, make_org


@dataclass
class Records:
    org: Organisation
    contact: Contact
    group: CommunicationGroup
    membership: GroupMembership


def _records(unit: WorkUnit) -> Records:
    org = make_org(unit)
    contact = make_contact(unit, organisation=org, phone="+6281234567890")
    make_contact(unit, whatsapp="+6281234567890")
    group = make_group(unit)
    membership = GroupMembership.objects.create(group=group, contact=contact)
    return Records(org, contact, group, membership)


@pytest.fixture
def berau(units: dict[str, WorkUnit]) -> Records:
    return _records(units["64.03"])


@pytest.fixture
def samarinda(units: dict[str, WorkUnit]) -> Records:
    return _records(units["64.72"])


def u(name: str, *args: Any) -> str:
    return reverse(f"stakeholders:{name}", args=args)


def object_routes(r: Records) -> list[tuple[str, str]]:
    """(method, url) of every route that names one record."""
    return [
        ("get", u("organisation_detail", r.org.pk)),
        ("get", u("organisation_edit", r.org.pk)),
        ("post", u("organisation_edit", r.org.pk)),
        ("get", u("organisation_delete", r.org.pk)),
        ("post", u("organisation_delete", r.org.pk)),
        ("get", u("organisation_engagements", r.org.pk)),
        ("post", u("organisation_engagements", r.org.pk)),
        ("get", u("contact_detail", r.contact.pk)),
        ("get", u("contact_edit", r.contact.pk)),
        ("post", u("contact_edit", r.contact.pk)),
        ("get", u("contact_delete", r.contact.pk)),
        ("post", u("contact_delete", r.contact.pk)),
        ("post", u("contact_consent", r.contact.pk)),
        ("get", u("group_detail", r.group.pk)),
        ("get", u("group_edit", r.group.pk)),
        ("post", u("group_edit", r.group.pk)),
        ("get", u("group_delete", r.group.pk)),
        ("post", u("group_delete", r.group.pk)),
        ("post", u("group_member_add", r.group.pk)),
        ("post", u("group_member_remove", r.group.pk, r.membership.pk)),
        ("get", u("group_member_candidates", r.group.pk)),
    ]


READ_ROUTES = {"organisation_detail", "organisation_engagements", "contact_detail", "group_detail"}


def _snapshot() -> tuple[int, ...]:
    return (
        Organisation.objects.filter(is_active=True).count(),
        Contact.objects.filter(is_active=True).count(),
        CommunicationGroup.objects.count(),
        GroupMembership.objects.count(),
        ContactConsent.objects.count(),
        Engagement.objects.count(),
    )


def test_other_unit_records_are_404(
    login: Callable[..., Client], berau: Records, samarinda: Records
) -> None:
    client = login("64.72", Role.COORDINATOR)
    before = _snapshot()
    for method, path in object_routes(berau):
        response = getattr(client, method)(path)
        assert response.status_code == 404, (method, path, response.status_code)
    assert _snapshot() == before
    # The same routes work on Samarinda's own records (sanity check of the matrix).
    for method, path in object_routes(samarinda):
        if method == "get":
            assert client.get(path).status_code == 200, path


def test_other_unit_records_are_absent_from_lists_and_exports(
    login: Callable[..., Client], berau: Records, samarinda: Records
) -> None:
    client = login("64.72", Role.VIEWER)
    for route in ("organisation_list", "contact_list", "group_list", "contact_duplicates"):
        body = client.get(u(route)).content.decode()
        assert berau.org.name not in body and berau.contact.name not in body, route
        assert berau.group.name not in body, route
    for route in ("organisation_export", "contact_export"):
        body = b"".join(client.get(u(route)).streaming_content).decode("utf-8-sig")
        assert berau.org.name not in body and berau.contact.name not in body
        assert samarinda.org.name in body


def test_province_sees_both(
    login: Callable[..., Client], berau: Records, samarinda: Records
) -> None:
    client = login("64", Role.VIEWER)
    for records in (berau, samarinda):
        for name, pk in (
            ("organisation_detail", records.org.pk),
            ("contact_detail", records.contact.pk),
            ("group_detail", records.group.pk),
        ):
            assert client.get(u(name, pk)).status_code == 200, (name, pk)
    body = client.get(u("organisation_list")).content.decode()
    assert berau.org.name in body and samarinda.org.name in body


def test_viewer_gets_403_on_every_write_route(
    login: Callable[..., Client], samarinda: Records
) -> None:
    client = login("64.72", Role.VIEWER)
    before = _snapshot()
    writes = [
        (m, p)
        for m, p in object_routes(samarinda)
        if not (
            m == "get"
            and any(
                p == u(r, samarinda.org.pk)
                or p == u(r, samarinda.contact.pk)
                or p == u(r, samarinda.group.pk)
                for r in READ_ROUTES
            )
        )
    ]
    writes += [
        ("get", u("organisation_create")),
        ("post", u("organisation_create")),
        ("get", u("contact_create")),
        ("post", u("contact_create")),
        ("get", u("group_create")),
        ("post", u("group_create")),
        ("post", u("contact_merge")),
    ]
    for method, path in writes:
        response = getattr(client, method)(path)
        assert response.status_code == 403, (method, path, response.status_code)
    assert _snapshot() == before


def test_contributor_may_log_engagement_but_not_edit(
    login: Callable[..., Client], samarinda: Records
) -> None:
    client = login("64.72", Role.CONTRIBUTOR)
    assert (
        client.post(
            u("organisation_engagements", samarinda.org.pk), {"kind": "note", "subject": "Catatan"}
        ).status_code
        == 302
    )
    assert Engagement.objects.count() == 1
    assert client.get(u("organisation_edit", samarinda.org.pk)).status_code == 403
    assert client.post(u("contact_consent", samarinda.contact.pk)).status_code == 403


def test_editor_cannot_delete(login: Callable[..., Client], samarinda: Records) -> None:
    client = login("64.72", Role.EDITOR)
    assert client.post(u("organisation_delete", samarinda.org.pk)).status_code == 403
    assert client.post(u("contact_delete", samarinda.contact.pk)).status_code == 403
    assert client.post(u("group_delete", samarinda.group.pk)).status_code == 403
    assert Organisation.objects.filter(pk=samarinda.org.pk, is_active=True).exists()


def test_anonymous_is_sent_to_login(client: Client, samarinda: Records) -> None:
    for method, path in object_routes(samarinda):
        response = getattr(client, method)(path)
        assert response.status_code == 302 and "/login/" in response["Location"], path
