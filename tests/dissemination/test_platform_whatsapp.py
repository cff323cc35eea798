"""WhatsApp Cloud API: template broadcasts to opted-in contacts against the loopback Graph
server, the status webhook (verification, signature, delivered/read/failed, idempotency,
bad input), and the reliability run (50 opted-in contacts, 429 and 500 on some calls, a
worker that died holding a batch)."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bakohumas.dissemination import engine
from bakohumas.dissemination.adapters.base import ReconnectRequired
from bakohumas.dissemination.adapters.http import sign
from bakohumas.dissemination.adapters.whatsapp import WhatsAppAdapter
from bakohumas.dissemination.models import (
    Delivery,
    DeliveryStatus,
    PublicationStatus,
)
from bakohumas.stakeholders.models import ContactConsent, GroupMembership
from tests.dissemination.fakeplatforms import (
    JPEG,
    FakeMeta,
    approved_item,
    drain_until,
    make_account,
    make_asset,
    running,
)
from tests.stakeholders.factories import make_contact, make_group

APP_SECRET = "meta-app-secret-for-tests"
VERIFY_TOKEN = "verify-me-please"


@pytest.fixture(autouse=True)
def _fast_retries(settings: Any) -> None:
    settings.DELIVERY_RETRY_BASE_SECONDS = 0.05
    settings.DELIVERY_RETRY_MAX_SECONDS = 0.3


@pytest.fixture
def meta() -> Any:
    with running(FakeMeta()) as server:
        yield server


@pytest.fixture
def account(meta: FakeMeta, units: Any) -> Any:
    return make_account(
        units["64.72"],
        "whatsapp",
        {"api_base": meta.api_base, "phone_number_id": meta.phone_number_id},
        {"access_token": meta.token, "app_secret": APP_SECRET, "verify_token": VERIFY_TOKEN},
    )


def number(i: int) -> str:
    return f"62812345{i:05d}"


def audience(unit: Any, consenting: int, *, withdrawn: int = 0, without: int = 0) -> Any:
    """A stakeholder group: ``consenting`` contacts with WhatsApp consent granted, then
    ``withdrawn`` with it withdrawn and ``without`` who never gave it."""
    group = make_group(unit, name="Mitra media")
    now = timezone.now()
    for i in range(consenting + withdrawn + without):
        contact = make_contact(unit, name=f"Kontak {i}", whatsapp="+" + number(i))
        GroupMembership.objects.create(group=group, contact=contact)
        if i < consenting + withdrawn:
            ContactConsent.objects.create(
                contact=contact,
                channel="whatsapp",
                status="granted" if i < consenting else "withdrawn",
                method="whatsapp_opt_in",
                given_at=now - timedelta(days=3),
            )
    return group


def broadcast(
    item: Any, account: Any, group: Any, editor: Any, template: str = "berita_kpu"
) -> Any:
    publication = engine.plan(
        item,
        engine.PlanInput(
            kind="whatsapp",
            account_id=account.pk,
            group_id=group.pk,
            template_name=template,
            template_language="id",
        ),
        by=editor,
    )
    assert engine.dispatch(publication.pk)
    return publication


@pytest.fixture
def item(units: Any, contributor: Any, coordinator: Any) -> Any:
    image = make_asset(units["64.72"], "image", JPEG)
    return approved_item(units["64.72"], contributor, coordinator, media=[image])


@pytest.mark.django_db
def test_template_broadcast_reaches_each_opted_in_contact_once(
    meta: FakeMeta, account: Any, item: Any, units: Any, editor: Any
) -> None:
    group = audience(units["64.72"], 5, withdrawn=1, without=1)
    invalid = make_contact(units["64.72"], name="Salah nomor", whatsapp="+62123")
    GroupMembership.objects.create(group=group, contact=invalid)
    publication = drain_until(broadcast(item, account, group, editor))

    assert publication.status == PublicationStatus.DONE
    assert (publication.total, publication.skipped) == (8, 3)
    assert sorted(m["to"] for m in meta.messages) == [number(i) for i in range(5)]
    rows = {d.recipient: d for d in Delivery.objects.filter(publication=publication)}
    for message in meta.messages:
        row = rows[message["to"]]
        assert row.status == DeliveryStatus.SENT
        assert row.provider_id == message["id"]
        assert message["key"] == str(row.key)  # biz_opaque_callback_data
        assert row.consent_ref.startswith("consent:") and "whatsapp granted" in row.consent_ref
        template = message["template"]
        assert (template["name"], template["language"]["code"]) == ("berita_kpu", "id")
        header, body = template["components"]
        assert header["type"] == "header"
        link = header["parameters"][0]["image"]["link"]
        assert link.startswith("http") and link.endswith(".jpg")
        title, url = (p["text"] for p in body["parameters"])
        assert title == item.title
        assert "utm_source=whatsapp" in url
    skipped = {d.recipient: d.error for d in rows.values() if d.status == DeliveryStatus.SKIPPED}
    assert skipped[number(5)] == "Consent withdrawn for this channel."
    assert skipped[number(6)] == "No consent for this channel."
    assert skipped[f"contact:{invalid.pk}"] == "Invalid WhatsApp number."
    assert len(meta.calls_to("/messages")) == 5  # nobody without consent was even tried


@pytest.mark.django_db
def test_a_refused_number_fails_with_the_reason_and_the_others_go_out(
    meta: FakeMeta, account: Any, item: Any, units: Any, editor: Any
) -> None:
    group = audience(units["64.72"], 3)
    meta.blocked.add(number(1))
    publication = drain_until(broadcast(item, account, group, editor))
    assert publication.status == PublicationStatus.DONE
    failed = Delivery.objects.get(publication=publication, recipient=number(1))
    assert failed.status == DeliveryStatus.FAILED
    assert "131030" in failed.error and "allowed list" in failed.error
    assert failed.attempts == 1  # a permanent refusal is not retried
    assert sorted(m["to"] for m in meta.messages) == [number(0), number(2)]


@pytest.mark.django_db
def test_a_message_whose_answer_never_came_is_not_sent_again(
    meta: FakeMeta, account: Any, item: Any, units: Any, editor: Any
) -> None:
    account.config = {**account.config, "timeout": 0.5}
    account.save()
    group = audience(units["64.72"], 3)
    meta.slow(1.5, when=lambda call: (call.json or {}).get("to") == number(1))
    publication = drain_until(broadcast(item, account, group, editor))
    assert publication.status == PublicationStatus.DONE
    uncertain = Delivery.objects.get(publication=publication, recipient=number(1))
    assert uncertain.status == DeliveryStatus.FAILED
    assert "may have been published" in uncertain.error
    assert Counter(m["to"] for m in meta.messages) == {number(i): 1 for i in range(3)}


@pytest.mark.django_db
def test_an_unknown_template_fails_every_row_with_the_platform_reason(
    meta: FakeMeta, account: Any, item: Any, units: Any, editor: Any
) -> None:
    group = audience(units["64.72"], 2)
    publication = drain_until(broadcast(item, account, group, editor, template="tidak_ada"))
    errors = set(Delivery.objects.filter(publication=publication).values_list("status", "error"))
    assert len(errors) == 1
    status, error = errors.pop()
    assert status == DeliveryStatus.FAILED and "132001" in error
    assert meta.messages == []


@pytest.mark.django_db
def test_plan_refuses_bad_template_names_missing_settings_and_large_media(
    meta: FakeMeta,
    account: Any,
    item: Any,
    units: Any,
    editor: Any,
    contributor: Any,
    coordinator: Any,
) -> None:
    group = audience(units["64.72"], 1)
    with pytest.raises(ValidationError, match="template name"):
        broadcast(item, account, group, editor, template="Berita KPU!")
    big = approved_item(
        units["64.72"],
        contributor,
        coordinator,
        media=[make_asset(units["64.72"], "image", size=6 * 1024 * 1024)],
    )
    with pytest.raises(ValidationError, match="at most 5"):
        broadcast(big, account, group, editor)
    account.config = {"api_base": meta.api_base}
    account.save()
    with pytest.raises(ValidationError, match="phone_number_id"):
        broadcast(item, account, group, editor)
    assert meta.calls == []


@pytest.mark.django_db
def test_check_credentials_reads_the_phone_number_and_reports_a_revoked_token(
    meta: FakeMeta, account: Any
) -> None:
    WhatsAppAdapter(account).check_credentials()
    assert meta.calls[-1].query["fields"] == "display_phone_number,verified_name"
    meta.revoke()
    with pytest.raises(ReconnectRequired, match="190"):
        WhatsAppAdapter(account).check_credentials()


# --- the status webhook -------------------------------------------------------------------


def hook_url(account: Any) -> str:
    return reverse("dissemination_public:hook_whatsapp", args=[account.pk])


def post_signed(client: Client, account: Any, payload: Any, secret: str = APP_SECRET) -> Any:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return client.post(
        hook_url(account),
        data=body,
        content_type="application/json",
        headers={"X-Hub-Signature-256": sign(secret, body)},
    )


def status(wamid: str, state: str, at: int = 1_760_000_000, **extra: Any) -> dict[str, Any]:
    return {"id": wamid, "status": state, "timestamp": str(at), "recipient_id": "62", **extra}


@pytest.fixture
def sent(meta: FakeMeta, account: Any, item: Any, units: Any, editor: Any) -> dict[str, Any]:
    """Three messages sent: number → delivery row."""
    group = audience(units["64.72"], 3)
    publication = drain_until(broadcast(item, account, group, editor))
    return {d.recipient: d for d in Delivery.objects.filter(publication=publication)}


@pytest.mark.django_db
def test_webhook_verification_echoes_the_challenge_only_with_the_right_token(
    account: Any,
) -> None:
    client = Client()
    ok = client.get(
        hook_url(account),
        {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"},
    )
    assert ok.status_code == 200
    assert ok.content == b"1158201444"
    assert ok["Content-Type"].startswith("text/plain")
    wrong = client.get(
        hook_url(account),
        {"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1"},
    )
    assert wrong.status_code == 403
    assert (
        client.get(reverse("dissemination_public:hook_whatsapp", args=[999999])).status_code == 404
    )


@pytest.mark.django_db
def test_statuses_move_rows_forward_only_and_twice_changes_nothing(
    meta: FakeMeta, account: Any, sent: dict[str, Any]
) -> None:
    client = Client(enforce_csrf_checks=True)  # Meta posts without a CSRF token
    first, second, third = (sent[number(i)] for i in range(3))
    payload = meta.status_payload(
        [
            status(first.provider_id, "sent"),
            status(first.provider_id, "delivered", 1_760_000_010),
            status(second.provider_id, "read", 1_760_000_020),
            status(
                third.provider_id,
                "failed",
                errors=[
                    {
                        "code": 131026,
                        "title": "Message undeliverable",
                        "error_data": {"details": "Receiver is incapable of receiving"},
                    }
                ],
            ),
        ]
    )
    response = post_signed(client, account, payload)
    assert response.status_code == 200
    assert response.json() == {"updated": 3}
    for row in (first, second, third):
        row.refresh_from_db()
    assert first.status == DeliveryStatus.DELIVERED
    assert first.delivered_at == datetime.fromtimestamp(1_760_000_010, tz=UTC)
    assert second.status == DeliveryStatus.READ and second.read_at and second.delivered_at
    assert third.status == DeliveryStatus.FAILED
    assert third.error == "Message undeliverable (131026): Receiver is incapable of receiving"
    before = list(Delivery.objects.order_by("pk").values_list("status", "updated_at"))
    again = post_signed(client, account, payload)
    assert again.json() == {"updated": 0}
    assert list(Delivery.objects.order_by("pk").values_list("status", "updated_at")) == before
    # A late "delivered" after "read" does not go backwards.
    post_signed(client, account, meta.status_payload([status(second.provider_id, "delivered")]))
    second.refresh_from_db()
    assert second.status == DeliveryStatus.READ


@pytest.mark.django_db
def test_the_key_finds_a_row_and_a_row_in_flight_is_asked_again(
    meta: FakeMeta, account: Any, sent: dict[str, Any]
) -> None:
    client = Client()
    row = sent[number(0)]
    by_key = meta.status_payload(
        [status("wamid.unknown", "delivered", biz_opaque_callback_data=str(row.key))]
    )
    assert post_signed(client, account, by_key).json() == {"updated": 1}
    Delivery.objects.filter(pk=sent[number(1)].pk).update(status=DeliveryStatus.SENDING)
    in_flight = meta.status_payload(
        [status("wamid.x", "delivered", biz_opaque_callback_data=str(sent[number(1)].key))]
    )
    response = post_signed(client, account, in_flight)
    assert response.status_code == 503  # Meta retries; the worker records the row meanwhile
    assert Delivery.objects.get(pk=sent[number(1)].pk).status == DeliveryStatus.SENDING


@pytest.mark.django_db
def test_webhook_refuses_bad_signatures_bad_json_and_large_bodies(
    meta: FakeMeta, account: Any, sent: dict[str, Any]
) -> None:
    client = Client()
    row = sent[number(0)]
    payload = meta.status_payload([status(row.provider_id, "read")])
    assert post_signed(client, account, payload, secret="someone-else").status_code == 403
    unsigned = client.post(
        hook_url(account), data=json.dumps(payload), content_type="application/json"
    )
    assert unsigned.status_code == 403
    assert post_signed(client, account, b"{not json").status_code == 400
    huge = b'{"entry": [' + b" " * (1024 * 1024) + b"]}"
    assert post_signed(client, account, huge).status_code == 413
    assert client.put(hook_url(account)).status_code == 405
    row.refresh_from_db()
    assert row.status == DeliveryStatus.SENT  # nothing changed


# --- reliability ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_reliability_broadcast_with_429_500_and_a_dead_worker_sends_each_once(
    meta: FakeMeta, account: Any, item: Any, units: Any, editor: Any, settings: Any
) -> None:
    """50 opted-in contacts and 10 without consent; the platform answers 429 (Retry-After
    1) and 500 on some calls and always 500 for one number; a worker dies holding a
    batch. Every opted-in contact gets exactly one accepted message or a failed row with
    the reason; nobody without consent is ever sent to."""
    settings.DELIVERY_BATCH = 8
    settings.DELIVERY_MAX_ATTEMPTS = 4
    group = audience(units["64.72"], 50, withdrawn=5, without=5)
    doomed = number(17)
    meta.fail(status=429, retry_after=1, on_call=5)
    meta.fail(status=500, on_call=12, times=3)
    meta.fail(status=500, on_call=31)
    meta.fail(status=500, times=100, when=lambda call: (call.json or {}).get("to") == doomed)
    publication = broadcast(item, account, group, editor)

    dead = engine.claim("worker-that-dies")  # claimed, never sent: its lease runs out
    assert len(dead) == 8
    engine.drain("worker-1")
    # The dead worker's lease runs out; the sweeper gives its rows back.
    Delivery.objects.filter(lease_owner__startswith="worker-that-dies").update(
        lease_until=timezone.now() - timedelta(seconds=1)
    )
    assert engine.release_expired() == 8
    publication = drain_until(publication, timeout=30)

    assert publication.status == PublicationStatus.DONE
    accepted = Counter(m["to"] for m in meta.messages)
    consenting = {number(i) for i in range(50)}
    assert set(accepted) == consenting - {doomed}
    assert set(accepted.values()) == {1}  # exactly once each
    tried = {(c.json or {}).get("to") for c in meta.calls_to("/messages")}
    assert tried <= consenting  # nobody without consent, not even a failed try
    rows = Delivery.objects.filter(publication=publication)
    assert rows.filter(status=DeliveryStatus.SENT).count() == 49
    failed = rows.get(status=DeliveryStatus.FAILED)
    assert failed.recipient == doomed
    assert "4" in failed.error and "500" in failed.error
    assert rows.filter(status=DeliveryStatus.SKIPPED).count() == 10
    assert not rows.filter(status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING]).exists()
    statuses = Counter(c.status for c in meta.calls_to("/messages"))
    assert statuses[429] == 1 and statuses[500] >= 7
