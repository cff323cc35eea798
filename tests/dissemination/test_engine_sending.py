"""Sending through a real SMTP server on loopback: retries with backoff, permanent
refusals, an unreachable server, the approval re-checked per batch, pause / resume /
cancel / retry, completion and its notification, and the rate limit."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from bakohumas.content import services as content_services
from bakohumas.dissemination import engine
from bakohumas.dissemination.models import (
    Delivery,
    DeliveryStatus,
    Notification,
    Publication,
    PublicationStatus,
)
from tests.dissemination.conftest import SmtpSink, free_port

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_retries(settings: Any) -> None:
    settings.DELIVERY_RETRY_BASE_SECONDS = 60
    settings.DELIVERY_MAX_ATTEMPTS = 3
    settings.EMAIL_RATE_PER_SECOND = 0


@pytest.fixture
def campaign(approved: Any, editor: Any, mailing_list: Any, add_subscribers: Any) -> Any:
    """An email campaign to five confirmed subscribers, dispatched (rows written)."""

    def make(n: int = 5) -> Publication:
        add_subscribers(n)
        publication = engine.plan(
            approved, engine.PlanInput(kind="email", mailing_list_id=mailing_list.pk), by=editor
        )
        assert engine.dispatch(publication.pk)
        return publication

    return make


def rows(publication: Publication) -> dict[str, Delivery]:
    return {d.recipient: d for d in Delivery.objects.filter(publication=publication)}


def time_passes(publication: Publication) -> None:
    """The backoff is over: every waiting row is due now."""
    Delivery.objects.filter(publication=publication, status=DeliveryStatus.PENDING).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )


def status(publication: Publication) -> str:
    publication.refresh_from_db()
    return publication.status


# --- retries and failures ------------------------------------------------------------------------


def test_4xx_is_retried_with_backoff_then_given_up(campaign: Any, smtp: SmtpSink) -> None:
    smtp.refuse = {"warga1@example.id": "451 4.7.1 Greylisted, try again later"}
    publication = campaign()
    before = timezone.now()
    engine.drain("w")
    row = rows(publication)["warga1@example.id"]
    assert (row.status, row.attempts) == (DeliveryStatus.PENDING, 1)
    assert "451" in row.error and "Greylisted" in row.error
    # Backoff: 60 s times a jitter of 0.5 to 1.5 after the first attempt.
    assert row.next_attempt_at >= before + timedelta(seconds=29)
    assert sorted(smtp.recipients()) == [f"warga{i}@example.id" for i in (0, 2, 3, 4)]
    assert status(publication) == PublicationStatus.SENDING

    engine.drain("w")  # not due yet: nothing happens
    assert rows(publication)["warga1@example.id"].attempts == 1

    time_passes(publication)
    engine.drain("w")
    row = rows(publication)["warga1@example.id"]
    assert (row.status, row.attempts) == (DeliveryStatus.PENDING, 2)
    # The second wait is longer (60 s, doubled, times the jitter: at least 60 s).
    assert row.next_attempt_at >= timezone.now() + timedelta(seconds=55)

    time_passes(publication)
    engine.drain("w")
    row = rows(publication)["warga1@example.id"]
    assert (row.status, row.attempts) == (DeliveryStatus.FAILED, 3)
    assert row.error.startswith("Gave up after 3 attempts: 451")
    assert status(publication) == PublicationStatus.DONE
    assert "warga1@example.id" not in smtp.recipients()


def test_5xx_fails_at_once_with_the_smtp_reply(campaign: Any, smtp: SmtpSink) -> None:
    smtp.refuse = {"warga2@example.id": "550 5.1.1 No such user here"}
    publication = campaign()
    engine.drain("w")
    row = rows(publication)["warga2@example.id"]
    assert (row.status, row.attempts) == (DeliveryStatus.FAILED, 1)
    assert row.error == "550 5.1.1 No such user here"
    assert len(smtp.messages) == 4
    assert status(publication) == PublicationStatus.DONE


def test_unreachable_server_is_transient_and_holds_the_batch(campaign: Any, settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()  # nobody listens
    settings.EMAIL_USE_TLS = False
    publication = campaign()
    engine.drain("w")
    data = rows(publication)
    assert {d.status for d in data.values()} == {DeliveryStatus.PENDING}
    # One attempt counted (the row that found the server down); the rest of the batch
    # waits with it instead of failing one after another.
    assert sorted(d.attempts for d in data.values()) == [0, 0, 0, 0, 1]
    assert all(d.next_attempt_at > timezone.now() for d in data.values())
    first = next(d for d in data.values() if d.attempts)
    assert first.error.startswith("SMTP connection failed")
    assert status(publication) == PublicationStatus.SENDING


def start_server(settings: Any) -> tuple[SmtpSink, Controller]:
    sink = SmtpSink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    return sink, controller


def test_a_connection_closed_by_the_server_between_batches_is_reopened(
    campaign: Any, settings: Any
) -> None:
    settings.DELIVERY_BATCH = 2
    first, old = start_server(settings)
    publication = campaign(4)
    sender = engine.Sender("w")
    try:
        assert sender.run_once() == 2
        # The server goes away and comes back (a restart, an idle timeout): the connection
        # the worker kept is dead.
        old.stop()
        second, new = start_server(settings)
        try:
            assert sender.run_once() == 2
        finally:
            new.stop()
    finally:
        sender.close()
    data = rows(publication).values()
    assert {(d.status, d.attempts, d.error) for d in data} == {(DeliveryStatus.SENT, 1, "")}
    assert len(first.messages) == 2 and len(second.messages) == 2


# --- the approval, checked per batch -----------------------------------------------------------


@pytest.mark.parametrize("approved_again", [False, True])
def test_content_edited_between_batches_fails_and_sends_nothing_more(
    campaign: Any,
    smtp: SmtpSink,
    settings: Any,
    contributor: Any,
    coordinator: Any,
    approved: Any,
    editor: Any,
    approved_again: bool,
) -> None:
    settings.DELIVERY_BATCH = 2
    publication = campaign(6)
    assert engine.drain("w", max_rows=2) == 2
    assert len(smtp.messages) == 2
    content_services.update_item(
        approved, by=contributor, fields={"summary": "Ringkasan diubah"}, void_approval=True
    )
    if approved_again:  # approved, but not what was planned
        content_services.approve(approved, by=coordinator)
    engine.drain("w")
    assert len(smtp.messages) == 2
    publication.refresh_from_db()
    assert publication.status == PublicationStatus.FAILED
    expected = "content changed after approval" if approved_again else "no longer approved"
    assert expected in publication.error
    counts = engine.counts(publication)
    assert (counts[DeliveryStatus.SENT], counts[DeliveryStatus.CANCELLED]) == (2, 4)
    assert Notification.objects.filter(user=editor, is_error=True).count() == 1


# --- campaign control ----------------------------------------------------------------------------


def test_pause_stops_claims_and_resume_continues(
    campaign: Any, smtp: SmtpSink, settings: Any, editor: Any
) -> None:
    settings.DELIVERY_BATCH = 2
    publication = campaign(6)
    engine.drain("w", max_rows=2)
    engine.pause(publication, by=editor)
    assert engine.drain("w") == 0
    assert len(smtp.messages) == 2
    assert status(publication) == PublicationStatus.PAUSED
    with pytest.raises(ValidationError):
        engine.pause(publication, by=editor)
    engine.resume(publication, by=editor)
    engine.drain("w")
    assert len(smtp.messages) == 6
    assert status(publication) == PublicationStatus.DONE


def test_a_batch_whose_publication_was_paused_after_the_claim_is_given_back(
    campaign: Any, smtp: SmtpSink, editor: Any
) -> None:
    publication = campaign(3)
    batch = engine.claim("w")
    engine.pause(publication, by=editor)
    sender = engine.Sender("w")
    sender.run_batch(batch)
    sender.close()
    assert smtp.messages == []
    assert {(d.status, d.attempts) for d in rows(publication).values()} == {
        (DeliveryStatus.PENDING, 0)
    }


@pytest.mark.django_db(transaction=True)
def test_pause_during_a_batch_gives_the_rest_back(
    campaign: Any, smtp: SmtpSink, settings: Any, editor: Any
) -> None:
    settings.DELIVERY_BATCH = 6
    settings.DELIVERY_LEASE_SECONDS = 0.6  # the lease is renewed every 0.2 s ...
    settings.EMAIL_RATE_PER_SECOND = 10  # ... and the six messages take 0.5 s
    publication = campaign(6)

    def pause_after_the_first_message() -> None:
        try:
            deadline = time.monotonic() + 5
            while not smtp.messages and time.monotonic() < deadline:
                time.sleep(0.005)
            engine.pause(Publication.objects.get(pk=publication.pk), by=editor)
        finally:
            connection.close()

    pauser = threading.Thread(target=pause_after_the_first_message)
    pauser.start()
    engine.drain("w")
    pauser.join()
    # The messages sent before the next lease renewal went out; the rest came back.
    assert 1 <= len(smtp.messages) < 6
    data = list(rows(publication).values())
    assert {d.status for d in data} == {DeliveryStatus.SENT, DeliveryStatus.PENDING}
    assert all(d.attempts == 0 for d in data if d.status == DeliveryStatus.PENDING)
    assert status(publication) == PublicationStatus.PAUSED
    engine.resume(publication, by=editor)
    engine.drain("w")
    assert sorted(smtp.recipients()) == [f"warga{i}@example.id" for i in range(6)]


def test_cancel_cancels_pending_rows(
    campaign: Any, smtp: SmtpSink, settings: Any, editor: Any
) -> None:
    settings.DELIVERY_BATCH = 2
    publication = campaign(5)
    engine.drain("w", max_rows=2)
    engine.cancel(publication, by=editor)
    assert engine.drain("w") == 0
    assert len(smtp.messages) == 2
    counts = engine.counts(publication)
    assert (counts[DeliveryStatus.SENT], counts[DeliveryStatus.CANCELLED]) == (2, 3)
    assert status(publication) == PublicationStatus.CANCELLED
    with pytest.raises(ValidationError):
        engine.cancel(publication, by=editor)
    with pytest.raises(ValidationError):
        engine.resume(publication, by=editor)


def test_retry_failed_requeues_and_tells_again(campaign: Any, smtp: SmtpSink, editor: Any) -> None:
    smtp.refuse = {"warga0@example.id": "554 5.7.1 Rejected"}
    publication = campaign(3)
    engine.drain("w")
    assert status(publication) == PublicationStatus.DONE
    assert Notification.objects.filter(user=editor).count() == 1
    smtp.refuse = {}
    assert engine.retry_failed(publication, by=editor) == 1
    row = rows(publication)["warga0@example.id"]
    assert (row.status, row.attempts, row.error) == (DeliveryStatus.PENDING, 0, "")
    assert status(publication) == PublicationStatus.SENDING
    engine.drain("w")
    assert smtp.recipients().count("warga0@example.id") == 1
    assert status(publication) == PublicationStatus.DONE
    texts = list(Notification.objects.filter(user=editor).values_list("text", flat=True))
    assert len(texts) == 2 and any("3 sent, 0 failed" in t for t in texts)
    assert engine.retry_failed(publication, by=editor) == 0


def test_retry_failed_is_refused_when_the_content_changed(
    campaign: Any, smtp: SmtpSink, editor: Any, contributor: Any, approved: Any
) -> None:
    smtp.refuse = {"warga0@example.id": "554 5.7.1 Rejected"}
    publication = campaign(2)
    engine.drain("w")
    content_services.update_item(
        approved, by=contributor, fields={"title": "Berubah"}, void_approval=True
    )
    with pytest.raises(ValidationError):
        engine.retry_failed(publication, by=editor)
    assert rows(publication)["warga0@example.id"].status == DeliveryStatus.FAILED


def test_finish_marks_done_and_tells_the_creator_the_counts(
    approved: Any,
    editor: Any,
    mailing_list: Any,
    add_subscribers: Any,
    smtp: SmtpSink,
) -> None:
    add_subscribers(4)
    add_subscribers(1, prefix="salah@")  # "salah@0@example.id": invalid, skipped
    smtp.refuse = {"warga3@example.id": "550 5.1.1 Unknown"}
    publication = engine.plan(
        approved, engine.PlanInput(kind="email", mailing_list_id=mailing_list.pk), by=editor
    )
    engine.dispatch(publication.pk)
    engine.drain("w")
    publication.refresh_from_db()
    assert publication.status == PublicationStatus.DONE
    assert publication.finished_at is not None and publication.notified_at is not None
    note = Notification.objects.get(user=editor)
    assert "3 sent, 1 failed, 1 skipped" in note.text
    assert note.is_error  # something failed: the creator should look


def test_campaign_of_which_nothing_got_out_is_failed(campaign: Any, smtp: SmtpSink) -> None:
    smtp.refuse = {f"warga{i}@example.id": "550 5.1.1 Unknown" for i in range(2)}
    publication = campaign(2)
    engine.drain("w")
    publication.refresh_from_db()
    assert publication.status == PublicationStatus.FAILED
    assert publication.error == "None of the 2 messages could be sent."


def test_rate_limit_paces_the_sends(campaign: Any, smtp: SmtpSink, settings: Any) -> None:
    settings.EMAIL_RATE_PER_SECOND = 20
    campaign(10)
    start = time.monotonic()
    engine.drain("w")
    elapsed = time.monotonic() - start
    assert len(smtp.messages) == 10
    assert elapsed >= 0.4  # 9 intervals of 50 ms at least
