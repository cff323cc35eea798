"""One-click unsubscribe (RFC 8058) from real campaign messages (SMTP on loopback): list
subscribers leave the list; stakeholder contacts withdraw consent and are suppressed."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bakohumas.dissemination import engine, links
from bakohumas.dissemination.models import (
    Delivery,
    DeliveryStatus,
    Publication,
    Subscriber,
    SubscriberStatus,
    Suppression,
)
from bakohumas.stakeholders.models import (
    CommunicationGroup,
    Contact,
    ContactConsent,
    GroupMembership,
)

ONE_CLICK = {"List-Unsubscribe": "One-Click"}


def campaign(item: Any, editor: Any, **audience: Any) -> Publication:
    publication = engine.plan(item, engine.PlanInput(kind="email", **audience), by=editor)
    assert engine.dispatch(publication.pk)
    engine.drain("test")
    publication.refresh_from_db()
    return publication


def unsubscribe_path(message: Any) -> str:
    header = str(message["List-Unsubscribe"]).strip()
    assert header.startswith("<") and header.endswith(">")
    return urlsplit(header[1:-1]).path


def mail_client() -> Client:
    """What a mail client's one-click POST looks like: no cookies, no CSRF token."""
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def group(units: dict[str, Any]) -> CommunicationGroup:
    group = CommunicationGroup.objects.create(
        unit=units["64.72"], name="Mitra media", platform="email_list", audience="stakeholder"
    )
    for name in ("andi", "budi"):
        contact = Contact.objects.create(
            unit=units["64.72"], name=name.title(), email=f"{name}@media.example.id"
        )
        GroupMembership.objects.create(group=group, contact=contact)
        ContactConsent.objects.create(
            contact=contact,
            channel="email",
            status="granted",
            method="written",
            given_at=timezone.now(),
        )
    return group


@pytest.mark.django_db
def test_subscriber_unsubscribes_in_one_click(
    approved: Any, editor: Any, mailing_list: Any, add_subscribers: Any, smtp: Any
) -> None:
    add_subscribers(3)
    campaign(approved, editor, mailing_list_id=mailing_list.pk)
    message = next(m for m in smtp.parsed() if m["To"] == "warga1@example.id")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = unsubscribe_path(message)
    subscriber = Subscriber.objects.get(email="warga1@example.id")

    # A mail scanner following the link changes nothing.
    page = Client().get(path)
    assert page.status_code == 200
    assert "w•••@example.id" in page.content.decode()
    assert "List-Unsubscribe" in page.content.decode()  # the button posts the same body
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.CONFIRMED

    response = mail_client().post(path, ONE_CLICK)
    assert response.status_code == 200
    assert "You are unsubscribed" in response.content.decode()
    assert not response.wsgi_request.session.accessed
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED
    assert subscriber.unsubscribed_at is not None
    first = subscriber.unsubscribed_at
    # Idempotent: a second POST (and the page) keep the first time.
    assert mail_client().post(path, ONE_CLICK).status_code == 200
    assert "You are unsubscribed" in Client().get(path).content.decode()
    subscriber.refresh_from_db()
    assert subscriber.unsubscribed_at == first
    # A list subscriber leaves the list only: the address is not suppressed elsewhere.
    assert not Suppression.objects.filter(address="warga1@example.id").exists()

    # The next campaign to the list does not reach the address.
    smtp.messages.clear()
    campaign(approved, editor, mailing_list_id=mailing_list.pk)
    assert sorted(smtp.recipients()) == ["warga0@example.id", "warga2@example.id"]


@pytest.mark.django_db
def test_stakeholder_contact_withdraws_consent_and_is_suppressed(
    approved: Any, editor: Any, group: CommunicationGroup, smtp: Any
) -> None:
    campaign(approved, editor, group_id=group.pk)
    assert sorted(smtp.recipients()) == ["andi@media.example.id", "budi@media.example.id"]
    message = next(m for m in smtp.parsed() if m["To"].addresses[0].username == "andi")
    response = mail_client().post(unsubscribe_path(message), ONE_CLICK)
    assert response.status_code == 200

    consent = ContactConsent.objects.get(contact__email="andi@media.example.id", channel="email")
    assert consent.status == "withdrawn"
    assert consent.method == "unsubscribe"
    assert consent.withdrawn_at is not None
    assert consent.given_at is not None  # the earlier consent stays on record
    suppression = Suppression.objects.get(address="andi@media.example.id")
    assert suppression.reason == Suppression.Reason.UNSUBSCRIBED
    withdrawn_at = consent.withdrawn_at
    assert mail_client().post(unsubscribe_path(message), ONE_CLICK).status_code == 200
    consent.refresh_from_db()
    assert consent.withdrawn_at == withdrawn_at
    assert Suppression.objects.filter(address="andi@media.example.id").count() == 1

    smtp.messages.clear()
    publication = campaign(approved, editor, group_id=group.pk)
    assert smtp.recipients() == ["budi@media.example.id"]
    skipped = Delivery.objects.get(publication=publication, recipient="andi@media.example.id")
    assert skipped.status == DeliveryStatus.SKIPPED


@pytest.mark.django_db
def test_bad_links_show_a_clear_404(client: Client, units: Any) -> None:
    for path in (
        reverse("dissemination_public:unsubscribe", args=["nonsense"]),
        reverse("dissemination_public:unsubscribe", args=[links.unsubscribe_token(987654)]),
        reverse("dissemination_public:unsubscribe", args=[links.click_token(1, "https://a.id")]),
        reverse("dissemination_public:unsubscribe_subscriber", args=["no-such-token"]),
    ):
        for method in (client.get, client.post):
            response = method(path)
            assert response.status_code == 404, path
            assert "This unsubscribe link is not valid" in response.content.decode()


@pytest.mark.django_db
def test_unsubscribe_by_subscriber_token(
    client: Client, mailing_list: Any, add_subscribers: Any
) -> None:
    subscriber = add_subscribers(1)[0]
    path = reverse("dissemination_public:unsubscribe_subscriber", args=[subscriber.token])
    assert "Unsubscribe" in client.get(path).content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.CONFIRMED
    response = mail_client().post(path, ONE_CLICK)
    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED
    assert client.put(path).status_code == 405
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED
