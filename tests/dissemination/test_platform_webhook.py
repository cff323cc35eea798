"""The generic webhook against a loopback receiver: the signed body, the idempotency key
of a delivery sent again after a crash, redirects not followed, bad addresses refused."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from bakohumas.dissemination import engine
from bakohumas.dissemination.adapters.webhook import WebhookAdapter
from bakohumas.dissemination.models import Delivery, PublicationStatus
from tests.dissemination.fakeplatforms import (
    JPEG,
    FakeWebhookReceiver,
    approved_item,
    drain_until,
    make_account,
    make_asset,
    running,
)


@pytest.fixture
def receiver() -> Any:
    with running(FakeWebhookReceiver()) as server:
        yield server


def account_for(receiver: FakeWebhookReceiver, units: Any, path: str = "/hook") -> Any:
    return make_account(
        units["64.72"],
        "webhook",
        {"destination": receiver.url + path},
        {"signing_secret": receiver.secret},
        name=f"Mitra {path}",
    )


def plan(item: Any, account: Any, editor: Any) -> Any:
    publication = engine.plan(
        item, engine.PlanInput(kind="webhook", account_id=account.pk), by=editor
    )
    engine.dispatch(publication.pk)
    return publication


@pytest.mark.django_db
def test_the_body_is_signed_and_carries_the_item_and_the_delivery_key(
    receiver: FakeWebhookReceiver, units: Any, contributor: Any, coordinator: Any, editor: Any
) -> None:
    image = make_asset(units["64.72"], "image", JPEG)
    item = approved_item(units["64.72"], contributor, coordinator, media=[image])
    publication = drain_until(plan(item, account_for(receiver, units), editor))
    assert publication.status == PublicationStatus.DONE
    row = Delivery.objects.get(publication=publication)
    (call,) = receiver.calls
    expected = hmac.new(receiver.secret.encode(), call.body, hashlib.sha256).hexdigest()
    assert call.headers["x-bakohumas-signature"] == f"sha256={expected}"
    assert call.headers["idempotency-key"] == str(row.key)
    body = call.json
    assert body["event"] == "publication"
    assert body["id"] == publication.pk
    assert body["delivery"] == str(row.key)
    assert body["item"]["title"] == item.title
    assert body["item"]["summary"] == item.summary
    assert "utm_source=webhook" in body["item"]["url"]
    assert body["item"]["text"].startswith(item.title)
    (media_url,) = body["item"]["media"]
    assert media_url.startswith("http") and media_url.endswith(".jpg")
    assert (row.provider_id, publication.external_url) == ("rcv-1", "https://mitra.example/p/1")


@pytest.mark.django_db
def test_a_delivery_sent_again_after_a_crash_is_the_same_request(
    receiver: FakeWebhookReceiver, units: Any, contributor: Any, coordinator: Any, editor: Any
) -> None:
    item = approved_item(units["64.72"], contributor, coordinator)
    publication = plan(item, account_for(receiver, units), editor)
    row = Delivery.objects.get(publication=publication)
    adapter = WebhookAdapter(publication.account)
    prepared = engine.prepare(publication)
    first = adapter.send(publication, prepared, row)
    second = adapter.send(publication, prepared, row)  # the worker died before recording
    adapter.close()
    one, two = receiver.calls
    assert one.body == two.body
    assert one.headers["idempotency-key"] == two.headers["idempotency-key"] == str(row.key)
    assert len(receiver.received) == 1  # the receiver keeps it once
    assert first == second


@pytest.mark.django_db
def test_a_redirect_is_not_followed_and_fails_with_the_answer(
    receiver: FakeWebhookReceiver, units: Any, contributor: Any, coordinator: Any, editor: Any
) -> None:
    item = approved_item(units["64.72"], contributor, coordinator)
    publication = drain_until(plan(item, account_for(receiver, units, "/moved"), editor))
    assert publication.status == PublicationStatus.FAILED
    assert "301" in publication.error
    assert receiver.received == {}
    assert len(receiver.calls) == 1


@pytest.mark.django_db
def test_an_address_that_is_not_http_is_refused_when_planned(
    receiver: FakeWebhookReceiver, units: Any, contributor: Any, coordinator: Any, editor: Any
) -> None:
    account = make_account(
        units["64.72"],
        "webhook",
        {"destination": "ftp://mitra.example/inbox"},
        {"signing_secret": "x"},
    )
    item = approved_item(units["64.72"], contributor, coordinator)
    with pytest.raises(ValidationError, match="webhook address"):
        plan(item, account, editor)
    assert receiver.calls == []
