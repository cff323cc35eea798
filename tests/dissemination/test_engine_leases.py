"""Claims under a lease: two workers never hold the same row, the sweeper gives back the
rows of a dead worker with their key, an old owner cannot overwrite a row taken over;
and the number of queries a batch and a large dispatch cost."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from bakohumas.dissemination import engine
from bakohumas.dissemination.models import (
    Delivery,
    DeliveryStatus,
    MailingList,
    Publication,
    PublicationStatus,
    Subscriber,
    SubscriberStatus,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(approved: Any, editor: Any, mailing_list: Any, add_subscribers: Any) -> Any:
    def make(n: int) -> Publication:
        add_subscribers(n)
        publication = engine.plan(
            approved, engine.PlanInput(kind="email", mailing_list_id=mailing_list.pk), by=editor
        )
        assert engine.dispatch(publication.pk)
        return publication

    return make


# --- exclusive claims ---------------------------------------------------------------------------


def test_two_claims_get_different_rows(campaign: Any) -> None:
    campaign(10)
    first = engine.claim("a", 4)
    second = engine.claim("b", 4)
    assert len(first) == len(second) == 4
    assert not {r.pk for r in first} & {r.pk for r in second}
    assert {r.lease_owner.split(":")[0] for r in first} == {"a"}
    assert all(r.status == DeliveryStatus.SENDING and r.attempts == 1 for r in first)


def test_interleaved_claims_of_the_same_rows_give_each_row_to_one_worker(campaign: Any) -> None:
    publication = campaign(6)
    now = timezone.now()
    # Both workers choose their rows before either has taken them ...
    chosen_a = engine.ready_ids(publication.pk, 4, now)
    chosen_b = engine.ready_ids(publication.pk, 4, now)
    assert chosen_a == chosen_b
    # ... then take them, one after the other.
    got_a = engine.take(chosen_a, engine.lease_token("a"), now)
    got_b = engine.take(chosen_b, engine.lease_token("b"), now)
    assert len(got_a) == 4 and got_b == []
    assert Delivery.objects.filter(status=DeliveryStatus.SENDING).count() == 4
    assert set(Delivery.objects.filter(attempts=1).values_list("pk", flat=True)) == set(chosen_a)


@pytest.mark.django_db(transaction=True)
def test_concurrent_claims_never_share_a_row(campaign: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE); PostgreSQL runs claims at once")
    campaign(300)
    claimed: dict[str, list[int]] = {"a": [], "b": [], "c": []}
    barrier = threading.Barrier(len(claimed))

    def work(worker: str) -> None:
        try:
            barrier.wait()
            while rows := engine.claim(worker, 7):
                claimed[worker].extend(r.pk for r in rows)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(w,)) for w in claimed]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    everything = [pk for pks in claimed.values() for pk in pks]
    assert len(everything) == len(set(everything)) == 300
    assert sum(1 for pks in claimed.values() if pks) >= 2  # they really ran side by side


# --- leases --------------------------------------------------------------------------------------


def test_release_expired_gives_back_rows_of_a_dead_worker_with_their_key(
    campaign: Any, settings: Any
) -> None:
    publication = campaign(5)
    keys = dict(Delivery.objects.values_list("pk", "key"))
    held = engine.claim("dead", 3)
    now = timezone.now()
    assert engine.release_expired(now) == 0  # the lease still runs
    later = now + timedelta(seconds=settings.DELIVERY_LEASE_SECONDS + 1)
    assert engine.release_expired(later) == 3
    for row in Delivery.objects.filter(pk__in=[r.pk for r in held]):
        assert (row.status, row.lease_owner, row.lease_until) == (DeliveryStatus.PENDING, "", None)
        assert row.key == keys[row.pk]
        assert row.attempts == 1  # the attempt the dead worker made still counts
    assert dict(Delivery.objects.values_list("pk", "key")) == keys
    assert Publication.objects.get(pk=publication.pk).status == PublicationStatus.SENDING


def test_release_expired_fails_a_row_that_keeps_killing_workers(
    campaign: Any, settings: Any
) -> None:
    settings.DELIVERY_MAX_ATTEMPTS = 2
    campaign(1)
    later = timezone.now() + timedelta(seconds=settings.DELIVERY_LEASE_SECONDS + 1)
    engine.claim("w1")
    engine.release_expired(later)
    engine.claim("w2", now=later)
    # Its second worker died too: no third attempt.
    assert (
        engine.release_expired(later + timedelta(seconds=settings.DELIVERY_LEASE_SECONDS + 1)) == 0
    )
    row = Delivery.objects.get()
    assert row.status == DeliveryStatus.FAILED
    assert row.error.startswith("Gave up")


def test_release_expired_cancels_rows_of_a_cancelled_publication(
    campaign: Any, settings: Any, editor: Any
) -> None:
    publication = campaign(3)
    engine.claim("dead")
    engine.cancel(publication, by=editor)
    later = timezone.now() + timedelta(seconds=settings.DELIVERY_LEASE_SECONDS + 1)
    engine.release_expired(later)
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.CANCELLED}


def test_old_owner_cannot_overwrite_a_row_taken_over(
    campaign: Any, settings: Any, smtp: Any
) -> None:
    publication = campaign(3)
    old = engine.claim("old")
    later = timezone.now() + timedelta(seconds=settings.DELIVERY_LEASE_SECONDS + 1)
    engine.release_expired(later)
    new = engine.claim("new", now=later)
    assert {r.pk for r in new} == {r.pk for r in old}
    new_token = new[0].lease_owner

    # The old worker wakes up and sends its (stale) batch: every write it makes is fenced.
    sender = engine.Sender("old")
    sender.run_batch(old)
    sender.close()
    for row in Delivery.objects.filter(publication=publication):
        assert (row.status, row.lease_owner) == (DeliveryStatus.SENDING, new_token)
    assert Publication.objects.get(pk=publication.pk).status == PublicationStatus.SENDING

    # The new owner sends and records; the same message twice carries the same Message-ID.
    sender = engine.Sender("new")
    sender.run_batch(new)
    sender.close()
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    ids = [m["Message-ID"] for m in smtp.parsed()]
    assert len(ids) == 6 and len(set(ids)) == 3
    assert Publication.objects.get(pk=publication.pk).status == PublicationStatus.DONE


def test_renewal_keeps_the_rows_still_held_and_drops_those_taken_over(
    campaign: Any, settings: Any
) -> None:
    campaign(4)
    batch = engine.claim("w")
    token = batch[0].lease_owner
    taken = batch[1]
    Delivery.objects.filter(pk=taken.pk).update(lease_owner="other:1")
    before = Delivery.objects.get(pk=batch[0].pk).lease_until
    assert before is not None
    kept = engine._renew(batch, token)
    assert [r.pk for r in kept] == [r.pk for r in batch if r.pk != taken.pk]
    after = Delivery.objects.get(pk=batch[0].pk).lease_until
    assert after is not None and after >= before
    assert Delivery.objects.get(pk=taken.pk).lease_owner == "other:1"


def test_renewal_gives_back_the_batch_of_a_paused_publication(campaign: Any, editor: Any) -> None:
    publication = campaign(3)
    batch = engine.claim("w")
    engine.pause(publication, by=editor)
    assert engine._renew(batch, batch[0].lease_owner) == []
    assert {(d.status, d.attempts, d.lease_owner) for d in Delivery.objects.all()} == {
        (DeliveryStatus.PENDING, 0, "")
    }


# --- query counts ---------------------------------------------------------------------------------


def test_a_batch_of_50_costs_about_one_update_per_row(
    campaign: Any, smtp: Any, settings: Any, django_assert_max_num_queries: Any
) -> None:
    settings.DELIVERY_BATCH = 50
    publication = campaign(50)
    sender = engine.Sender("w")
    try:
        with django_assert_max_num_queries(50 + 30):
            rows = engine.claim("w")
            sender.run_batch(rows)
    finally:
        sender.close()
    assert len(smtp.messages) == 50
    assert Publication.objects.get(pk=publication.pk).status == PublicationStatus.DONE


def test_dispatch_of_a_large_list_inserts_in_bulk(
    approved: Any, editor: Any, units: Any, django_assert_max_num_queries: Any
) -> None:
    n = 20_000
    big = MailingList.objects.create(unit=units["64.72"], name="Besar")
    now = timezone.now()
    # 20,000 confirmed subscribers in one statement (the set-up, not under test).
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO dissemination_subscriber (mailing_list_id, email, name, status, token,"
            " consent_source, subscribed_at, confirmed_at, soft_bounces)"
            " WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i < %s)"
            " SELECT %s, 'pemilih' || i || '@example.id', '', 'confirmed', 't' || i, 'import',"
            " %s, %s, 0 FROM seq",
            [n - 1, big.pk, now, now],
        )
    assert (
        Subscriber.objects.filter(mailing_list=big, status=SubscriberStatus.CONFIRMED).count() == n
    )
    publication = engine.plan(
        approved, engine.PlanInput(kind="email", mailing_list_id=big.pk), by=editor
    )
    started = time.perf_counter()
    with django_assert_max_num_queries(n // 1000 // 2 + 15):
        assert engine.dispatch(publication.pk)
    print(f"dispatch of {n}: {time.perf_counter() - started:.2f} s")
    assert Delivery.objects.filter(publication=publication, status="pending").count() == n
    publication.refresh_from_db()
    assert (publication.status, publication.total) == (PublicationStatus.SENDING, n)
    assert Delivery.objects.values("key").distinct().count() == n
