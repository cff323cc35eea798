"""IMAP polling of a unit's inbox mailbox against the tiny IMAP server on loopback of the
bounce tests (with UIDVALIDITY added): new mail since the last UID, progress kept per
message, UIDVALIDITY changes, failures recorded instead of raised, and the command."""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from bakohumas.inbox import imap
from bakohumas.inbox.models import InboxSettings, Message, Thread
from tests.dissemination.test_bounces import ImapMailbox, imap_handler
from tests.inbox.mails import make_email

USER = "humas@kpu-samarinda.example.id"
PASSWORD = 'sandi "rahasia" 64'


class Mailbox(ImapMailbox):
    """The bounce tests' mailbox, announcing a UIDVALIDITY when selected."""

    def __init__(self, user: str, password: str) -> None:
        super().__init__(user, password)
        self.uidvalidity = 1700000001

    def renumber(self, uidvalidity: int) -> None:
        """The server rebuilt the folder: new UIDs from 1 under a new UIDVALIDITY."""
        self.uidvalidity = uidvalidity
        for n, message in enumerate(self.messages, start=1):
            message[0] = n
        self.next_uid = len(self.messages) + 1


def handler(state: Mailbox) -> Any:
    base = imap_handler(state)

    class Handler(base):  # type: ignore[misc, valid-type]
        def send(self, text: str | bytes) -> None:
            super().send(text)
            if isinstance(text, str) and text.startswith("* ") and " EXISTS\r\n" in text:
                super().send(f"* OK [UIDVALIDITY {state.uidvalidity}] UIDs valid\r\n")

    return Handler


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    state = Mailbox(USER, PASSWORD)
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler(state))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield state, server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def configure(unit: Any, port: int, password: str = PASSWORD) -> InboxSettings:
    row = InboxSettings(
        unit=unit, imap_host="127.0.0.1", imap_port=port, imap_user=USER, imap_ssl=False
    )
    imap.store_password(row, password)
    row.save()
    return InboxSettings.objects.select_related("unit").get(pk=row.pk)


def question(n: int, **options: Any) -> bytes:
    return make_email(
        f"Pertanyaan nomor {n}",
        sender=f"Warga {n} <warga{n}@example.id>",
        message_id=f"<q{n}@mail.example.id>",
        **options,
    )


@pytest.mark.django_db
def test_poll_reads_new_mail_once_and_leaves_the_mailbox_alone(
    mailbox: tuple[Mailbox, int], units: Any
) -> None:
    state, port = mailbox
    row = configure(units["64.72"], port)
    state.add(question(1))
    state.add(question(2, headers={"Auto-Submitted": "auto-replied"}))  # read, not stored
    state.add(question(3))
    assert imap.poll(row) == 2
    row.refresh_from_db()
    assert (row.imap_last_uid, row.imap_uidvalidity, row.imap_error) == (3, 1700000001, "")
    assert row.imap_checked_at is not None
    assert sorted(Thread.objects.values_list("handle", flat=True)) == [
        "warga1@example.id",
        "warga3@example.id",
    ]
    assert Message.objects.get(thread__handle="warga1@example.id").body == "Pertanyaan nomor 1"
    assert len(state.messages) == 3 and not any(m[2] for m in state.messages)

    # The server lists every UID; only the new one is fetched and stored.
    assert imap.poll(row) == 0
    state.add(question(4))
    assert imap.poll(row) == 1
    row.refresh_from_db()
    assert row.imap_last_uid == 4
    assert Message.objects.count() == 3


@pytest.mark.django_db
def test_a_new_uidvalidity_reads_the_folder_again_without_duplicates(
    mailbox: tuple[Mailbox, int], units: Any
) -> None:
    state, port = mailbox
    row = configure(units["64.72"], port)
    for n in range(1, 4):
        state.add(question(n))
    assert imap.poll(row) == 3
    # The folder was rebuilt: two old messages keep their Message-IDs, one is new.
    del state.messages[0]
    state.add(question(9))
    state.renumber(1700000002)
    assert imap.poll(row) == 1
    row.refresh_from_db()
    assert (row.imap_uidvalidity, row.imap_last_uid) == (1700000002, 3)
    assert Message.objects.count() == 4


@pytest.mark.django_db
def test_progress_is_kept_per_message_and_failures_are_recorded_not_raised(
    mailbox: tuple[Mailbox, int], units: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    state, port = mailbox
    row = configure(units["64.72"], port)
    for n in range(1, 4):
        state.add(question(n))
    real = imap.receive
    calls = {"n": 0}

    def flaky(raw: bytes, unit: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("database went away")
        return real(raw, unit)

    monkeypatch.setattr(imap, "receive", flaky)
    assert imap.poll(row) == 1
    row.refresh_from_db()
    assert row.imap_last_uid == 1
    assert "database went away" in row.imap_error
    # Next time it goes on from the message that failed.
    assert imap.poll(row) == 2
    row.refresh_from_db()
    assert (row.imap_last_uid, row.imap_error) == (3, "")

    # A wrong password, then a server that is gone: recorded on the row, nothing raised.
    imap.store_password(row, "salah")
    row.save()
    assert imap.poll(row) == 0
    row.refresh_from_db()
    assert "bad login" in row.imap_error and row.imap_last_uid == 3
    row.imap_port = 1
    row.save()
    assert imap.poll(row) == 0
    row.refresh_from_db()
    assert row.imap_error and row.imap_last_uid == 3
    # A secret that cannot be decrypted is said so.
    InboxSettings.objects.filter(pk=row.pk).update(imap_secret_ciphertext="gAAAA-broken")
    row.refresh_from_db()
    assert imap.poll(row) == 0
    row.refresh_from_db()
    assert "cannot be read" in row.imap_error
    assert Message.objects.count() == 3


@pytest.mark.django_db
def test_poll_all_and_the_command(mailbox: tuple[Mailbox, int], units: Any) -> None:
    state, port = mailbox
    configure(units["64.72"], port)
    configure(units["64.71"], port, password="salah")
    InboxSettings.objects.create(unit=units["64.02"])  # no mailbox: not polled
    state.add(question(1))
    assert imap.poll_all() == 1  # 64.71's login fails; 64.02 has no mailbox
    assert set(Thread.objects.values_list("unit__code", flat=True)) == {"64.72"}
    assert InboxSettings.objects.get(unit=units["64.71"]).imap_error == "bad login"
    state.add(question(2))

    out = StringIO()
    call_command("poll_inbox", unit="64.72", stdout=out)
    assert out.getvalue().splitlines() == [
        "64.72 127.0.0.1/INBOX: 1 new",
        "Total: 1 new",
    ]
    err = StringIO()
    with pytest.raises(CommandError, match=r"64\.71"):
        call_command("poll_inbox", stdout=StringIO(), stderr=err)
    assert "64.71 127.0.0.1/INBOX: failed: bad login" in err.getvalue()
    with pytest.raises(CommandError, match="no inbox mailbox"):
        call_command("poll_inbox", unit="64.02", stdout=StringIO())
    assert Message.objects.count() == 2
