"""Issue 4, "Reliability test (in the suite)": a broadcast to 2,000 recipients through a
real SMTP server on loopback while the real worker is SIGKILLed twice mid-run.

Everything runs in separate processes, as deployed: ``bakohumas migrate`` makes a
throwaway database (a SQLite file, or a PostgreSQL database ``bkh_rel_<pid>`` when
``DATABASE_URL`` points at PostgreSQL), a Django script plans two email publications of an
approved item, an aiosmtpd server in its own process logs every message it accepted, and
``bakohumas worker`` dispatches and sends. When 25 % and again when 60 % of the messages
are at the server the worker gets SIGKILL (no clean-up: rows stay leased, a message may be
half sent) and is started again. Short leases (``DELIVERY_LEASE_SECONDS=3``) and a
one-second sweep bring the dead worker's rows back.

The audience makes "a non-consenting contact received nothing" meaningful:

* mailing list: 1,850 confirmed subscribers (they receive), 10 confirmed but suppressed
  after a hard bounce elsewhere, and 150 unsubscribed / pending / bounced (never);
* stakeholder group: 200 contacts, 150 with email consent granted (they receive), 20
  without any consent, 15 who withdrew it, 10 granted but suppressed, 5 with WhatsApp
  consent only (none of these 50 receives anything).

At the end (counted at the SMTP server): every one of the 2,000 consenting addresses got
exactly one distinct message, whose Message-ID is its delivery row's key; no other
address got anything; re-transmissions after a kill carry the same Message-ID and are at
most (kills x batch) (printed, run with ``-s`` to see them); both campaigns are done, the
consenting rows sent, the others skipped with their reason.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.dissemination.realworker import Database, Sink, Worker, tally, wait_for

BATCH = 20
KILL_AT = (0.25, 0.60)
# One worker sends batch after batch, so the sink's count at the end of a batch is the
# count at the last kill (or 0) plus a multiple of the batch: each kill is aimed a few
# messages into a batch instead (7, then half a batch past the previous kill's count).
KILL_OFFSETS = (7, BATCH // 2)
DEADLINE_SECONDS = 120.0

SETUP = """
import json

from django.contrib.auth import get_user_model
from django.utils import timezone

from bakohumas.content import services
from bakohumas.core.data import load_work_units
from bakohumas.core.models import Role, StaffProfile, WorkUnit
from bakohumas.core.services import set_role
from bakohumas.dissemination import engine
from bakohumas.dissemination.models import MailingList, Subscriber, Suppression
from bakohumas.stakeholders.models import (
    CommunicationGroup,
    Contact,
    ContactConsent,
    GroupMembership,
)

load_work_units()
unit = WorkUnit.objects.get(code="64.72")


def user(name, role):
    made = get_user_model().objects.create_user(username=name, password=None)
    StaffProfile.objects.create(user=made, unit=unit, role=role)
    set_role(made, role)
    return get_user_model().objects.get(pk=made.pk)


writer = user("kontributor.samarinda", Role.CONTRIBUTOR)
coordinator = user("koordinator.samarinda", Role.COORDINATOR)
editor = user("editor.samarinda", Role.EDITOR)
item = services.create_item(
    unit=unit,
    by=writer,
    fields={
        "form": "news",
        "title": "Jadwal pemutakhiran data pemilih",
        "summary": "Ringkasan jadwal coklit.",
        "body": '<p>Isi berita <a href="https://kpu.go.id/info">tautan</a>.</p>',
    },
)
services.submit(item, by=writer)
item = services.approve(item, by=coordinator)

now = timezone.now()
receive, never = [], []
mailing_list = MailingList.objects.create(unit=unit, name="Buletin KPU Samarinda")
subscribers = []


def subscribe(address, status):
    subscribers.append(
        Subscriber(
            mailing_list=mailing_list,
            email=address,
            status=status,
            confirmed_at=now if status == "confirmed" else None,
            consent_source="portal double opt-in",
        )
    )


for i in range(1850):
    subscribe(f"warga{i}@example.id", "confirmed")
    receive.append(f"warga{i}@example.id")
for prefix, status, n in (
    ("berhenti", "unsubscribed", 100),
    ("belum", "pending", 30),
    ("pantul", "bounced", 20),
):
    for i in range(n):
        subscribe(f"{prefix}{i}@example.id", status)
        never.append(f"{prefix}{i}@example.id")
for i in range(10):  # confirmed here, hard-bounced on another list
    subscribe(f"diblokir{i}@example.id", "confirmed")
    Suppression.objects.create(address=f"diblokir{i}@example.id", reason="hard_bounce")
    never.append(f"diblokir{i}@example.id")
Subscriber.objects.bulk_create(subscribers)

group = CommunicationGroup.objects.create(
    unit=unit, name="Mitra media Samarinda", platform="email_list", audience="stakeholder"
)
consents = []
for prefix, n, consent, channel in (
    ("mitra", 150, "granted", "email"),
    ("tanpa", 20, None, None),
    ("tarik", 15, "withdrawn", "email"),
    ("tolak", 10, "granted", "email"),
    ("wa", 5, "granted", "whatsapp"),
):
    for i in range(n):
        address = f"{prefix}{i}@media.example.id"
        contact = Contact.objects.create(unit=unit, name=f"{prefix} {i}", email=address)
        GroupMembership.objects.create(group=group, contact=contact)
        if consent:
            consents.append(
                ContactConsent(
                    contact=contact,
                    channel=channel,
                    status=consent,
                    method="written",
                    given_at=now,
                    withdrawn_at=now if consent == "withdrawn" else None,
                )
            )
        if prefix == "tolak":
            Suppression.objects.create(address=address, reason="unsubscribed")
        (receive if prefix == "mitra" else never).append(address)
ContactConsent.objects.bulk_create(consents)

# Planned now: the worker's dispatch task (or its sweep) writes the rows.
plans = [
    engine.plan(item, engine.PlanInput(kind="email", mailing_list_id=mailing_list.pk), by=editor),
    engine.plan(item, engine.PlanInput(kind="email", group_id=group.pk), by=editor),
]
print("RESULT " + json.dumps({
    "publications": [p.pk for p in plans], "receive": receive, "never": never
}))
"""


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    db = Database(tmp_path)
    try:
        db.migrate()
        yield db
    finally:
        db.drop()


@pytest.fixture
def sink(tmp_path: Path) -> Iterator[Sink]:
    server = Sink(tmp_path)
    try:
        yield server
    finally:
        server.stop()


def _key(value: object) -> str:
    return str(uuid.UUID(str(value)))


def test_broadcast_survives_two_sigkills_with_each_recipient_served_once(
    database: Database, sink: Sink
) -> None:
    setup = database.script(SETUP)
    receive: list[str] = setup["receive"]
    never: list[str] = setup["never"]
    total = len(receive)
    assert total == 2000 and len(never) == 210

    env = database.env(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(sink.port),
        EMAIL_USE_TLS="0",
        EMAIL_HOST_USER="",
        EMAIL_HOST_PASSWORD="",
        DELIVERY_BATCH=str(BATCH),
        DELIVERY_LEASE_SECONDS="3",
        WORKER_HEARTBEAT_SECONDS="1",
        DELIVERY_RETRY_BASE_SECONDS="1",
        DELIVERY_RETRY_MAX_SECONDS="2",
    )
    worker = Worker(database, env, "reliability")
    started = time.monotonic()
    kills: list[dict[str, int]] = []
    try:
        worker.start()
        for share, offset in zip(KILL_AT, KILL_OFFSETS, strict=True):
            base = kills[-1]["at_sink"] if kills else 0
            step = int(total * share) - (int(total * KILL_AT[len(kills) - 1]) if kills else 0)
            threshold = base + step // BATCH * BATCH + offset
            reached = wait_for(
                lambda t=threshold: sink.count() >= t or not worker.alive(), 60, interval=0.01
            )
            assert worker.alive(), "the worker died by itself:\n" + worker.logs()
            assert reached, f"{sink.count()} of {total} messages after 60 s:\n" + worker.logs()
            worker.kill()
            at_sink = sink.count()
            ((leased,),) = database.query(
                "SELECT COUNT(*) FROM dissemination_delivery WHERE status = 'sending'"
            )
            kills.append({"at_sink": at_sink, "leased": leased})
            worker.start()

        def finished() -> bool:
            assert worker.alive(), "the restarted worker died:\n" + worker.logs()
            rows = database.query("SELECT status FROM dissemination_publication")
            return bool(rows) and all(status == "done" for (status,) in rows)

        assert wait_for(finished, DEADLINE_SECONDS, interval=0.2), (
            f"{sink.count()} of {total} at the sink; publications "
            f"{database.query('SELECT id, status, error FROM dissemination_publication')}; "
            "deliveries "
            f"{database.query('SELECT status, COUNT(*) FROM dissemination_delivery GROUP BY 1')}"
            "\n" + worker.logs()
        )
        elapsed = time.monotonic() - started
        time.sleep(0.3)  # a straggler after "done" would be a bug: give it a moment to show
    finally:
        worker.stop()

    # The kills landed mid-run, with a batch in flight at least once.
    assert all(k["at_sink"] < total for k in kills), kills
    assert any(k["leased"] for k in kills), f"no kill caught a batch in flight: {kills}"

    # Counted at the SMTP server.
    per_recipient, transmissions = tally(sink.entries())
    assert set(per_recipient) == set(receive), (
        "unexpected: "
        + str(sorted(set(per_recipient) - set(receive))[:10])
        + " missing: "
        + str(sorted(set(receive) - set(per_recipient))[:10])
    )
    assert not set(per_recipient) & set(never)
    several = {r: m for r, m in per_recipient.items() if len(m) != 1}
    assert not several, f"recipients with more than one distinct message: {list(several)[:10]}"
    raw = sum(transmissions.values())
    duplicates = raw - len(transmissions)
    assert len(transmissions) == total
    assert duplicates <= len(kills) * BATCH, (duplicates, transmissions.most_common(5))

    # The database agrees: each consenting row sent, with the Message-ID that arrived.
    rows = database.query(
        "SELECT d.recipient, d.status, d.key, d.error, d.attempts, d.consent_ref "
        "FROM dissemination_delivery d"
    )
    by_address = {r[0].lower(): r for r in rows}
    assert len(rows) == len(by_address) == total + 60  # 10 + 50 skipped, none for the 150
    for address in receive:
        _recipient, status, key, _error, _attempts, consent_ref = by_address[address]
        assert status == "sent", by_address[address]
        assert consent_ref
        (mid,) = per_recipient[address]
        assert mid.startswith(f"<{_key(key)}@"), (address, mid, key)
    skipped = {a: by_address[a] for a in never if a in by_address}
    assert len(skipped) == 60
    assert all(r[1] == "skipped" and r[3] and not r[5] for r in skipped.values()), skipped
    unconfirmed = {a for a in never if a.startswith(("berhenti", "belum", "pantul"))}
    assert len(unconfirmed) == 150 and not unconfirmed & set(by_address)
    resent = sum(1 for r in rows if r[1] == "sent" and r[4] > 1)
    ((done, counted),) = database.query(
        "SELECT COUNT(*), SUM(total) FROM dissemination_publication WHERE status = 'done'"
    )
    assert (done, counted) == (2, total + 60)

    print(
        f"\nreliability ({database.vendor}): {total} recipients, {len(kills)} SIGKILLs at "
        f"{[k['at_sink'] for k in kills]} messages (rows leased at the kill: "
        f"{[k['leased'] for k in kills]}); {raw} transmissions, {duplicates} raw duplicate(s) "
        f"(same Message-ID), {len(transmissions)} distinct messages; {resent} rows needed "
        f"a second claim; {elapsed:.1f} s from worker start to done"
    )
