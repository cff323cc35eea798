"""engine.dispatch() and the recipients it writes: due only, once, never for content that
changed after planning; the portal and manual channels; consent per recipient."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from bakohumas.content import services as content_services
from bakohumas.content.models import Status
from bakohumas.core.models import Role
from bakohumas.dissemination import engine
from bakohumas.dissemination.models import (
    Delivery,
    DeliveryStatus,
    Notification,
    Publication,
    PublicationStatus,
    Subscriber,
    SubscriberStatus,
    Suppression,
)
from bakohumas.stakeholders.models import (
    CommunicationGroup,
    Contact,
    ContactConsent,
    GroupMembership,
    Organisation,
    Tag,
)

pytestmark = pytest.mark.django_db


def email_campaign(item: Any, by: Any, **fields: Any) -> Publication:
    return engine.plan(item, engine.PlanInput(kind="email", **fields), by=by)


# --- when and how often ------------------------------------------------------------------------


def test_not_due_does_nothing(
    approved: Any, editor: Any, mailing_list: Any, add_subscribers: Any
) -> None:
    add_subscribers(3)
    later = timezone.now() + timedelta(hours=2)
    publication = email_campaign(
        approved, editor, mailing_list_id=mailing_list.pk, scheduled_at=later
    )
    assert engine.dispatch(publication.pk) is False
    assert engine.dispatch_due() == 0
    publication.refresh_from_db()
    assert publication.status == PublicationStatus.PLANNED
    assert not Delivery.objects.exists()
    # Its time comes: the sweep dispatches it.
    assert engine.dispatch_due(later + timedelta(seconds=1)) == 1
    assert Delivery.objects.filter(publication=publication).count() == 3


def test_dispatch_twice_writes_the_rows_once(
    approved: Any, editor: Any, mailing_list: Any, add_subscribers: Any
) -> None:
    add_subscribers(4)
    publication = email_campaign(approved, editor, mailing_list_id=mailing_list.pk)
    assert engine.dispatch(publication.pk) is True
    keys = set(Delivery.objects.values_list("key", flat=True))
    assert engine.dispatch(publication.pk) is False
    assert set(Delivery.objects.values_list("key", flat=True)) == keys
    assert len(keys) == 4
    # And the database itself refuses a second row for the same recipient.
    row = Delivery.objects.first()
    assert row is not None
    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.create(publication=publication, recipient=row.recipient)


def test_content_changed_after_planning_fails_and_sends_nothing(
    approved: Any,
    editor: Any,
    contributor: Any,
    coordinator: Any,
    mailing_list: Any,
    add_subscribers: Any,
    smtp: Any,
) -> None:
    add_subscribers(3)
    publication = email_campaign(approved, editor, mailing_list_id=mailing_list.pk)
    # Edited and approved again: approved, but not what was planned.
    content_services.update_item(
        approved, by=contributor, fields={"title": "Judul lain"}, void_approval=True
    )
    content_services.approve(approved, by=coordinator)
    approved.refresh_from_db()
    assert approved.status == Status.APPROVED
    assert approved.approved_hash != publication.approved_hash

    assert engine.dispatch(publication.pk) is True
    publication.refresh_from_db()
    assert publication.status == PublicationStatus.FAILED
    assert "content changed after approval" in publication.error
    assert not Delivery.objects.exists()
    engine.drain("w")
    assert smtp.messages == []
    note = Notification.objects.get(user=editor)
    assert note.is_error and "failed" in note.text


def test_withdrawn_before_dispatch_fails(
    approved: Any, editor: Any, mailing_list: Any, add_subscribers: Any, smtp: Any
) -> None:
    add_subscribers(2)
    publication = email_campaign(approved, editor, mailing_list_id=mailing_list.pk)
    content_services.publish_now(approved, by=editor)
    content_services.withdraw(approved, by=editor, notice="Ralat.")
    engine.dispatch(publication.pk)
    publication.refresh_from_db()
    assert publication.status == PublicationStatus.FAILED
    assert "no longer approved" in publication.error
    engine.drain("w")
    assert smtp.messages == []


# --- website and manual channels -------------------------------------------------------------


def test_website_publishes_the_item_on_the_portal(approved: Any, editor: Any, client: Any) -> None:
    publication = engine.plan(approved, engine.PlanInput(kind="website"), by=editor)
    assert engine.dispatch(publication.pk)
    publication.refresh_from_db()
    approved.refresh_from_db()
    assert approved.status == Status.PUBLISHED
    assert publication.status == PublicationStatus.DONE
    assert publication.finished_at is not None
    assert publication.external_url.endswith(f"/{approved.slug}/")
    path = publication.external_url.split("://", 1)[1].split("/", 1)[1]
    assert client.get("/" + path).status_code == 200
    assert not Delivery.objects.exists()


def test_manual_channel_awaits_evidence_and_tells_the_responsible_person(
    approved: Any, editor: Any, make_user: Callable[..., Any]
) -> None:
    colleague = make_user("64.72", Role.EDITOR)
    publication = engine.plan(
        approved,
        engine.PlanInput(kind="whatsapp_group", target="Grup Mitra", responsible_id=colleague.pk),
        by=editor,
    )
    assert engine.dispatch(publication.pk)
    publication.refresh_from_db()
    assert publication.status == PublicationStatus.AWAITING_EVIDENCE
    note = Notification.objects.get(user=colleague)
    assert approved.title in note.text and "record the evidence" in note.text
    assert note.url.endswith(f"/{publication.pk}/")
    assert not Notification.objects.filter(user=editor).exists()
    # It counts as published only once the evidence is recorded.
    engine.record_evidence(
        publication, by=colleague, url="https://chat.whatsapp.com/bukti", audience=120
    )
    publication.refresh_from_db()
    assert publication.status == PublicationStatus.DONE
    assert publication.metric.reach == 120


# --- consent -------------------------------------------------------------------------------------


def test_mailing_list_reaches_only_confirmed_subscribers(
    approved: Any, editor: Any, mailing_list: Any, add_subscribers: Any
) -> None:
    add_subscribers(3)
    add_subscribers(2, status=SubscriberStatus.PENDING, prefix="menunggu")
    add_subscribers(1, status=SubscriberStatus.UNSUBSCRIBED, prefix="berhenti")
    add_subscribers(1, status=SubscriberStatus.BOUNCED, prefix="pental")
    publication = email_campaign(approved, editor, mailing_list_id=mailing_list.pk)
    engine.dispatch(publication.pk)
    rows = Delivery.objects.filter(publication=publication)
    assert sorted(rows.values_list("recipient", flat=True)) == [
        f"warga{i}@example.id" for i in range(3)
    ]
    for row in rows:
        assert row.status == DeliveryStatus.PENDING
        assert row.subscriber is not None
        assert row.consent_ref.startswith(f"subscription:{row.subscriber_id} confirmed ")
        assert "portal double opt-in" in row.consent_ref
    publication.refresh_from_db()
    assert (publication.total, publication.skipped) == (3, 0)


@pytest.fixture
def stakeholders(units: Any) -> dict[str, Any]:
    """Contacts of KPU Samarinda in one group and one tagged press organisation: with
    consent, without, withdrawn, invalid, no address, suppressed, and a duplicate."""
    unit = units["64.72"]
    press = Organisation.objects.create(unit=unit, name="Harian Kaltim", category="press")
    police = Organisation.objects.create(unit=unit, name="Polresta", category="police")
    tag = Tag.objects.create(name="mitra-pemilu")
    group = CommunicationGroup.objects.create(
        unit=unit, name="Mitra Media", platform="email_list", audience="stakeholder"
    )
    now = timezone.now()

    def contact(name: str, email: str, org: Any = press, consent: str | None = None) -> Contact:
        person = Contact.objects.create(unit=unit, organisation=org, name=name, email=email)
        GroupMembership.objects.create(group=group, contact=person)
        if consent:
            ContactConsent.objects.create(
                contact=person,
                channel="email",
                status=consent,
                method="written",
                given_at=now if consent == "granted" else None,
                withdrawn_at=now if consent == "withdrawn" else None,
            )
        return person

    people = {
        "granted": contact("Ani", "ani@harian.example", consent="granted"),
        "none": contact("Budi", "budi@harian.example"),
        "withdrawn": contact("Citra", "citra@harian.example", consent="withdrawn"),
        "invalid": contact("Dedi", "bukan-alamat", consent="granted"),
        "blank": contact("Eka", "", consent="granted"),
        "suppressed": contact("Fajar", "fajar@harian.example", consent="granted"),
        "duplicate": contact("Ani (kantor)", "ANI@harian.example", consent="granted"),
        "police": contact("Gita", "gita@polresta.example", org=police, consent="granted"),
    }
    people["police"].tags.add(tag)
    Suppression.objects.create(address="Fajar@Harian.example", reason="hard_bounce")
    # A contact of another unit with consent, never addressed by this unit's segment.
    Contact.objects.create(unit=units["64.03"], organisation=None, name="Luar", email="x@y.id")
    return {"group": group, "tag": tag, **people}


def test_group_contacts_carry_their_consent_or_the_reason_they_are_skipped(
    approved: Any, editor: Any, stakeholders: dict[str, Any], smtp: Any
) -> None:
    publication = email_campaign(approved, editor, group_id=stakeholders["group"].pk)
    engine.dispatch(publication.pk)
    rows = {r.contact_id: r for r in Delivery.objects.filter(publication=publication)}

    granted = rows[stakeholders["granted"].pk]
    consent = ContactConsent.objects.get(contact=stakeholders["granted"])
    assert granted.status == DeliveryStatus.PENDING
    assert granted.recipient == "ani@harian.example"
    assert granted.consent_ref.startswith(f"consent:{consent.pk} email granted ")
    assert granted.consent_ref.endswith("(written)")

    expected_skips = {
        "none": "No consent for this channel.",
        "withdrawn": "Consent withdrawn for this channel.",
        "invalid": "Invalid email address.",
        "blank": "No email address.",
        "suppressed": "Suppressed (hard bounce or unsubscribed).",
    }
    for name, reason in expected_skips.items():
        row = rows[stakeholders[name].pk]
        assert (row.status, row.error, row.consent_ref) == (DeliveryStatus.SKIPPED, reason, "")
    # The same address twice (case differs) comes once.
    assert stakeholders["duplicate"].pk not in rows
    assert len(rows) == 7

    engine.drain("w")
    assert sorted(smtp.recipients()) == ["ani@harian.example", "gita@polresta.example"]
    publication.refresh_from_db()
    assert publication.status == PublicationStatus.DONE
    assert (publication.total, publication.skipped) == (7, 5)


def test_withdrawn_consent_of_a_duplicate_wins(
    approved: Any, editor: Any, stakeholders: dict[str, Any], smtp: Any
) -> None:
    ContactConsent.objects.filter(contact=stakeholders["duplicate"]).update(status="withdrawn")
    publication = email_campaign(approved, editor, group_id=stakeholders["group"].pk)
    engine.dispatch(publication.pk)
    row = Delivery.objects.get(publication=publication, recipient__iexact="ani@harian.example")
    assert row.status == DeliveryStatus.SKIPPED
    engine.drain("w")
    assert "ani@harian.example" not in [r.lower() for r in smtp.recipients()]


def test_segment_by_category_and_tag(
    approved: Any, editor: Any, stakeholders: dict[str, Any]
) -> None:
    by_category = email_campaign(approved, editor, segment={"categories": ["police"]})
    engine.dispatch(by_category.pk)
    assert list(
        Delivery.objects.filter(publication=by_category).values_list("recipient", "status")
    ) == [("gita@polresta.example", DeliveryStatus.PENDING)]
    by_tag = email_campaign(approved, editor, segment={"tags": ["mitra-pemilu"]})
    engine.dispatch(by_tag.pk)
    assert list(
        Delivery.objects.filter(publication=by_tag).values_list("recipient", flat=True)
    ) == ["gita@polresta.example"]
    everyone_in_press = email_campaign(approved, editor, segment={"categories": ["press"]})
    engine.dispatch(everyone_in_press.pk)
    # Never a contact of another unit.
    assert not Delivery.objects.filter(recipient="x@y.id").exists()
    assert Delivery.objects.filter(publication=everyone_in_press).count() == 6


def test_subscriber_who_is_also_a_contact_comes_once(
    approved: Any, editor: Any, mailing_list: Any, stakeholders: dict[str, Any], smtp: Any
) -> None:
    Subscriber.objects.create(
        mailing_list=mailing_list,
        email="budi@harian.example",
        status=SubscriberStatus.CONFIRMED,
        confirmed_at=timezone.now(),
    )
    publication = email_campaign(
        approved, editor, mailing_list_id=mailing_list.pk, group_id=stakeholders["group"].pk
    )
    engine.dispatch(publication.pk)
    rows = Delivery.objects.filter(publication=publication, recipient="budi@harian.example")
    # Budi gave no consent as a contact, but subscribed to the list: that consent counts.
    assert [(r.status, r.consent_ref.split(":")[0]) for r in rows] == [
        (DeliveryStatus.PENDING, "subscription")
    ]
    engine.drain("w")
    assert smtp.recipients().count("budi@harian.example") == 1


def test_whatsapp_contacts_need_whatsapp_consent_and_a_valid_number(
    approved: Any, editor: Any, units: Any
) -> None:
    from bakohumas.dissemination import crypto
    from bakohumas.dissemination.models import ChannelAccount

    unit = units["64.72"]
    org = Organisation.objects.create(unit=unit, name="Ormas", category="ormas")
    wa = ChannelAccount.objects.create(
        unit=unit,
        kind="whatsapp",
        name="WA KPU",
        config={"phone_number_id": "1", "api_base": "http://127.0.0.1:9"},
        secret_ciphertext=crypto.encrypt({"access_token": "t"}),
    )
    ok = Contact.objects.create(unit=unit, organisation=org, name="A", whatsapp="0812-3456-7890")
    email_only = Contact.objects.create(
        unit=unit, organisation=org, name="B", whatsapp="+6281299990000"
    )
    bad = Contact.objects.create(unit=unit, organisation=org, name="C", whatsapp="12")
    ContactConsent.objects.create(
        contact=ok, channel="whatsapp", status="granted", method="whatsapp_opt_in"
    )
    ContactConsent.objects.create(
        contact=email_only, channel="email", status="granted", method="written"
    )
    ContactConsent.objects.create(
        contact=bad, channel="whatsapp", status="granted", method="written"
    )
    publication = engine.plan(
        approved,
        engine.PlanInput(
            kind="whatsapp",
            account_id=wa.pk,
            segment={"categories": ["ormas"]},
            template_name="berita_kpu",
        ),
        by=editor,
    )
    engine.dispatch(publication.pk)
    rows = {r.contact_id: r for r in Delivery.objects.filter(publication=publication)}
    assert (rows[ok.pk].recipient, rows[ok.pk].status) == ("6281234567890", DeliveryStatus.PENDING)
    assert rows[ok.pk].consent_ref.startswith("consent:")
    assert rows[email_only.pk].error == "No consent for this channel."
    assert rows[bad.pk].error == "Invalid WhatsApp number."


# --- the task and the account at dispatch time ----------------------------------------------------


def test_plan_enqueues_the_dispatch_for_its_time(
    approved: Any, editor: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django_tasks import default_task_backend

    from bakohumas.dissemination.tasks import dispatch_publication

    default_task_backend.clear()  # type: ignore[attr-defined]
    later = timezone.now() + timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        publication = engine.plan(
            approved, engine.PlanInput(kind="website", scheduled_at=later), by=editor
        )
    [result] = default_task_backend.results  # type: ignore[attr-defined]
    assert result.task.func is dispatch_publication.func
    assert result.args == [publication.pk]
    assert result.task.run_after == later
    # Run early (a task may come before its time): nothing happens.
    assert dispatch_publication.call(publication.pk) is False


def _telegram(units: Any) -> Any:
    from bakohumas.dissemination import crypto
    from bakohumas.dissemination.models import ChannelAccount

    return ChannelAccount.objects.create(
        unit=units["64.72"],
        kind="telegram",
        name="Kanal KPU Samarinda",
        config={"destination": "@kpusamarinda", "api_base": "http://127.0.0.1:9"},
        secret_ciphertext=crypto.encrypt({"bot_token": "123:abc"}),
    )


def test_account_refused_after_planning_holds_the_publication(
    approved: Any, editor: Any, units: Any
) -> None:
    account = _telegram(units)
    publication = engine.plan(
        approved, engine.PlanInput(kind="telegram", account_id=account.pk), by=editor
    )
    account.status = "reconnect"
    account.status_detail = "401 Unauthorized"
    account.save()
    assert engine.dispatch(publication.pk)
    publication.refresh_from_db()
    assert publication.status == PublicationStatus.PAUSED
    assert "Reconnect the account" in publication.error
    # The post's row is written and waits for the reconnection; nothing is claimed.
    row = Delivery.objects.get(publication=publication)
    assert (row.recipient, row.status) == ("@kpusamarinda", DeliveryStatus.PENDING)
    assert engine.claim("w") == []
    note = Notification.objects.get(user=editor)
    assert note.is_error and "reconnected" in note.text


def test_account_disabled_after_planning_fails_the_publication(
    approved: Any, editor: Any, units: Any
) -> None:
    account = _telegram(units)
    publication = engine.plan(
        approved, engine.PlanInput(kind="telegram", account_id=account.pk), by=editor
    )
    account.status = "disabled"
    account.save()
    engine.dispatch(publication.pk)
    publication.refresh_from_db()
    assert publication.status == PublicationStatus.FAILED
    assert "disabled" in publication.error
    assert not Delivery.objects.exists()
