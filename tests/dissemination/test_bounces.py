"""Bounces: delivery status notifications as Postfix writes them, about messages really sent
to an SMTP server on loopback, read from a Maildir / mbox by ``process_bounces``; and the
provider webhook."""

from __future__ import annotations

import json
import mailbox
import uuid
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from bakohumas.dissemination import bounces, engine
from bakohumas.dissemination.adapters.email import message_id
from bakohumas.dissemination.models import (
    Delivery,
    DeliveryStatus,
    Publication,
    Subscriber,
    SubscriberStatus,
    Suppression,
)

USER_UNKNOWN = (
    "smtp; 550 5.1.1 <{rcpt}>: Recipient address rejected: User unknown in virtual\n"
    "    mailbox table"
)
MAILBOX_FULL = "smtp; 452 4.2.2 <{rcpt}>: Mailbox full, try again later"


def campaign(item: Any, editor: Any, mailing_list: Any) -> Publication:
    publication = engine.plan(
        item, engine.PlanInput(kind="email", mailing_list_id=mailing_list.pk), by=editor
    )
    assert engine.dispatch(publication.pk)
    engine.drain("test")
    return publication


def sent_to(smtp: Any, address: str) -> bytes:
    """The last message the SMTP server accepted for ``address``, as sent."""
    return [raw for _f, tos, raw in smtp.messages if address in tos][-1]


def postfix_dsn(
    original: bytes,
    rcpt: str,
    *,
    status: str = "5.1.1",
    action: str = "failed",
    diagnostic: str = USER_UNKNOWN,
    full: bool = False,
) -> bytes:
    """A bounce as Postfix writes it (RFC 3464): a human part, the delivery status, and the
    original message's headers (``text/rfc822-headers``) or all of it (``message/rfc822``)."""
    headers = original.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0].decode()
    body = original.replace(b"\r\n", b"\n").decode()
    returned = (
        f"Content-Description: Undelivered Message\nContent-Type: message/rfc822\n\n{body}"
        if full
        else f"Content-Description: Undelivered Message Headers\n"
        f"Content-Type: text/rfc822-headers\n\n{headers}\n"
    )
    return (
        "Return-Path: <>\n"
        "Received: by mx.example.id (Postfix) id 4Qx1; Sun,  1 Mar 2026 10:00:05 +0800\n"
        "Date: Sun,  1 Mar 2026 10:00:05 +0800 (WITA)\n"
        "From: MAILER-DAEMON@mx.example.id (Mail Delivery System)\n"
        "Subject: Undelivered Mail Returned to Sender\n"
        "To: bounces@kpu.example.id\n"
        "Auto-Submitted: auto-replied\n"
        "MIME-Version: 1.0\n"
        "Content-Type: multipart/report; report-type=delivery-status;\n"
        '\tboundary="4Qx1.1772330405/mx.example.id"\n'
        "Content-Transfer-Encoding: 8bit\n"
        f"Message-Id: <{uuid.uuid4().hex}@mx.example.id>\n"
        "\n"
        "This is a MIME-encapsulated message.\n"
        "\n"
        "--4Qx1.1772330405/mx.example.id\n"
        "Content-Description: Notification\n"
        "Content-Type: text/plain; charset=us-ascii\n"
        "\n"
        "This is the mail system at host mx.example.id.\n\n"
        "I'm sorry to have to inform you that your message could not\n"
        "be delivered to one or more recipients.\n"
        "\n"
        "--4Qx1.1772330405/mx.example.id\n"
        "Content-Description: Delivery report\n"
        "Content-Type: message/delivery-status\n"
        "\n"
        "Reporting-MTA: dns; mx.example.id\n"
        "X-Postfix-Queue-ID: 4Qx1\n"
        "X-Postfix-Sender: rfc822; bounces@kpu.example.id\n"
        "Arrival-Date: Sun,  1 Mar 2026 10:00:00 +0800 (WITA)\n"
        "\n"
        f"Final-Recipient: rfc822; {rcpt}\n"
        f"Original-Recipient: rfc822;{rcpt}\n"
        f"Action: {action}\n"
        f"Status: {status}\n"
        "Remote-MTA: dns; mail.example.id\n"
        f"Diagnostic-Code: {diagnostic.format(rcpt=rcpt)}\n"
        "\n"
        "--4Qx1.1772330405/mx.example.id\n"
        f"{returned}\n"
        "--4Qx1.1772330405/mx.example.id--\n"
    ).encode()


ORDINARY = (
    b"From: Warga <warga@example.id>\nTo: bounces@kpu.example.id\nSubject: Pertanyaan\n"
    b"Message-ID: <q1@example.id>\n\nKapan jadwal coklit?\n"
)


def maildir(path: Path, *messages: bytes) -> Path:
    box = mailbox.Maildir(str(path), create=True)
    for raw in messages:
        box.add(raw)
    box.close()
    return path


def run(**options: Any) -> str:
    out = StringIO()
    call_command("process_bounces", no_imap=True, stdout=out, **options)
    return out.getvalue()


@pytest.mark.django_db
def test_maildir_hard_and_soft_bounces(
    tmp_path: Path,
    approved: Any,
    editor: Any,
    mailing_list: Any,
    add_subscribers: Any,
    smtp: Any,
) -> None:
    add_subscribers(3)
    Subscriber.objects.create(
        mailing_list=mailing_list, email="Warga.Besar@Example.ID", status="confirmed"
    )
    publication = campaign(approved, editor, mailing_list)
    hard = postfix_dsn(sent_to(smtp, "warga0@example.id"), "warga0@example.id")
    soft = postfix_dsn(
        sent_to(smtp, "warga1@example.id"),
        "warga1@example.id",
        status="4.2.2",
        diagnostic=MAILBOX_FULL,
        full=True,
    )
    upper = postfix_dsn(sent_to(smtp, "Warga.Besar@example.id"), "Warga.Besar@example.id")
    delivered = postfix_dsn(
        sent_to(smtp, "warga2@example.id"),
        "warga2@example.id",
        status="2.0.0",
        action="delivered",
        diagnostic="smtp; 250 2.0.0 Ok",
    )
    stranger = postfix_dsn(
        b"Message-ID: <" + str(uuid.uuid4()).encode() + b"@elsewhere.id>\nSubject: x\n\nx\n",
        "someone@example.id",
    )
    box = maildir(tmp_path / "bounces", hard, soft, upper, delivered, stranger, ORDINARY)

    output = run(maildir=[str(box)])
    assert "6 read (2 hard, 1 soft, 1 of unknown messages, 2 not bounces)" in output

    row = Delivery.objects.get(publication=publication, recipient="warga0@example.id")
    assert row.status == DeliveryStatus.BOUNCED
    assert "5.1.1" in row.error and "User unknown in virtual mailbox table" in row.error
    assert Subscriber.objects.get(email="warga0@example.id").status == SubscriberStatus.BOUNCED
    assert Suppression.objects.get(address="warga0@example.id").reason == "hard_bounce"

    row = Delivery.objects.get(publication=publication, recipient="warga1@example.id")
    assert row.status == DeliveryStatus.SENT
    assert row.error.startswith("Soft bounce: ") and "Mailbox full" in row.error
    subscriber = Subscriber.objects.get(email="warga1@example.id")
    assert (subscriber.status, subscriber.soft_bounces) == (SubscriberStatus.CONFIRMED, 1)
    assert not Suppression.objects.filter(address="warga1@example.id").exists()
    # Success reports change nothing.
    row = Delivery.objects.get(publication=publication, recipient="warga2@example.id")
    assert (row.status, row.error) == (DeliveryStatus.SENT, "")

    # Processed notices are gone; the rest stays for a person to read.
    left = mailbox.Maildir(str(box), create=False)
    assert sorted(m["Subject"] for m in left) == [
        "Pertanyaan",
        "Undelivered Mail Returned to Sender",
    ]

    # The same notices again change nothing.
    maildir(box, hard, soft)
    assert "4 read (2 already applied, 2 not bounces)" in run(maildir=[str(box)])
    assert Subscriber.objects.get(email="warga1@example.id").soft_bounces == 1

    # The next campaign skips the hard-bounced addresses (the mixed-case one included).
    smtp.messages.clear()
    campaign(approved, editor, mailing_list)
    assert sorted(smtp.recipients()) == ["warga1@example.id", "warga2@example.id"]


@pytest.mark.django_db
def test_third_soft_bounce_counts_as_hard_from_mbox(
    tmp_path: Path,
    approved: Any,
    editor: Any,
    mailing_list: Any,
    add_subscribers: Any,
    smtp: Any,
) -> None:
    add_subscribers(1)
    path = tmp_path / "bounces.mbox"
    for n in range(1, 4):
        publication = campaign(approved, editor, mailing_list)
        box = mailbox.mbox(str(path))
        box.add(
            postfix_dsn(
                sent_to(smtp, "warga0@example.id"),
                "warga0@example.id",
                status="4.2.2",
                diagnostic=MAILBOX_FULL,
            )
        )
        box.close()
        output = run(mbox=[str(path)])
        subscriber = Subscriber.objects.get(email="warga0@example.id")
        assert subscriber.soft_bounces == n
        if n < 3:
            assert "1 soft" in output
            assert subscriber.status == SubscriberStatus.CONFIRMED
    assert "1 hard" in output
    assert subscriber.status == SubscriberStatus.BOUNCED
    suppression = Suppression.objects.get(address="warga0@example.id")
    assert suppression.reason == "hard_bounce" and "3 soft bounces" in suppression.detail
    row = Delivery.objects.get(publication=publication)
    assert row.status == DeliveryStatus.BOUNCED
    assert len(mailbox.mbox(str(path))) == 0


def test_parse_dsn_variants() -> None:
    key = uuid.uuid4()
    original = (
        f"Message-ID: {message_id(key)}\nX-Bakohumas-Delivery: {key}\nSubject: Berita\n\nIsi\n"
    ).encode()
    found = bounces.parse_dsn(bounces.parse_bytes(postfix_dsn(original, "a@b.id")))
    assert [(b.kind, b.recipient, b.status, b.delivery_key) for b in found] == [
        (bounces.Kind.HARD, "a@b.id", "5.1.1", key)
    ]
    assert found[0].reason.startswith("550 5.1.1 <a@b.id>: Recipient address rejected")
    # Only the Message-ID survived (some servers drop X- headers).
    only_id = f"Message-ID: {message_id(key)}\nSubject: x\n\nx\n".encode()
    found = bounces.parse_dsn(bounces.parse_bytes(postfix_dsn(only_id, "a@b.id", full=True)))
    assert found[0].delivery_key == key
    # "delayed" warnings are soft.
    delayed = postfix_dsn(original, "a@b.id", status="4.4.1", action="delayed")
    assert bounces.parse_dsn(bounces.parse_bytes(delayed))[0].kind == bounces.Kind.SOFT
    # Not a report at all.
    assert bounces.parse_dsn(bounces.parse_bytes(ORDINARY)) == []
    assert bounces.process_bytes(b"\x00\xff not mail") == bounces.Outcome.IGNORED
    assert bounces.key_from_message_id(f"<{key}@host>") == key
    assert bounces.key_from_message_id(str(key)) == key
    assert bounces.key_from_message_id("<abc@host>") is None


def test_command_needs_a_mailbox(tmp_path: Path, settings: Any) -> None:
    settings.BOUNCE_IMAP_HOST = ""
    with pytest.raises(CommandError, match="Nothing to read"):
        call_command("process_bounces")
    with pytest.raises(CommandError, match="is not a Maildir"):
        run(maildir=[str(tmp_path / "missing")])
    with pytest.raises(CommandError, match="is not a file"):
        run(mbox=[str(tmp_path / "missing.mbox")])


# --- the provider webhook --------------------------------------------------------------------

SECRET = "rahasia-webhook-0123456789"
HOOK = "dissemination_public:hook_email_bounces"


def post(payload: Any, *, secret: str | None = SECRET, raw: bytes | None = None) -> Any:
    client = Client(enforce_csrf_checks=True)  # the provider has no cookie nor token
    headers = {"Authorization": f"Bearer {secret}"} if secret is not None else {}
    body = raw if raw is not None else json.dumps(payload).encode()
    return client.post(reverse(HOOK), body, content_type="application/json", headers=headers)


@pytest.fixture
def sent(approved: Any, editor: Any, mailing_list: Any, add_subscribers: Any, smtp: Any) -> Any:
    add_subscribers(4)
    publication = campaign(approved, editor, mailing_list)
    return {d.recipient: d for d in Delivery.objects.filter(publication=publication)}


@pytest.mark.django_db
def test_webhook_applies_events(sent: dict[str, Delivery], settings: Any) -> None:
    settings.EMAIL_WEBHOOK_SECRET = SECRET
    events = [
        {
            "message_id": message_id(sent["warga0@example.id"].key),
            "recipient": "warga0@example.id",
            "type": "hard",
            "reason": "550 5.1.1 user unknown",
        },
        {"message_id": str(sent["warga1@example.id"].key), "type": "soft"},
        {
            "message_id": f"{sent['warga2@example.id'].key}@kpu.example.id",
            "recipient": "warga2@example.id",
            "type": "complaint",
            "reason": "abuse report",
        },
        {"message_id": f"<{uuid.uuid4()}@kpu.example.id>", "type": "hard"},
    ]
    response = post({"events": events})
    assert response.status_code == 200
    assert response.json() == {"hard": 2, "soft": 1, "duplicate": 0, "unknown": 1}
    row = Delivery.objects.get(pk=sent["warga0@example.id"].pk)
    assert row.status == DeliveryStatus.BOUNCED and "user unknown" in row.error
    assert Suppression.objects.get(address="warga0@example.id").reason == "hard_bounce"
    assert Subscriber.objects.get(email="warga1@example.id").soft_bounces == 1
    assert Suppression.objects.get(address="warga2@example.id").reason == "complaint"
    assert Subscriber.objects.get(email="warga2@example.id").status == SubscriberStatus.BOUNCED
    assert Subscriber.objects.get(email="warga3@example.id").status == SubscriberStatus.CONFIRMED

    again = post({"events": events[:3]})
    assert again.json() == {"hard": 0, "soft": 0, "duplicate": 3, "unknown": 0}
    assert Subscriber.objects.get(email="warga1@example.id").soft_bounces == 1


@pytest.mark.django_db
def test_webhook_refuses_bad_requests_and_changes_nothing(
    sent: dict[str, Delivery], settings: Any
) -> None:
    good = {"message_id": str(sent["warga0@example.id"].key), "type": "hard"}
    settings.EMAIL_WEBHOOK_SECRET = ""
    assert post({"events": [good]}).status_code == 404  # off without a secret
    settings.EMAIL_WEBHOOK_SECRET = SECRET
    assert post({"events": [good]}, secret=None).status_code == 403
    assert post({"events": [good]}, secret="salah").status_code == 403
    assert post({"events": [good]}, secret=SECRET + "x").status_code == 403
    basic = Client().post(
        reverse(HOOK),
        json.dumps({"events": [good]}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Basic {SECRET}",
    )
    assert basic.status_code == 403
    assert Client().get(reverse(HOOK), HTTP_AUTHORIZATION=f"Bearer {SECRET}").status_code == 405
    malformed = [
        b"not json",
        b"\xff\xfe",
        json.dumps([good]).encode(),
        json.dumps({"events": "x"}).encode(),
        json.dumps({"events": [good, {"message_id": "x", "type": "bogus"}]}).encode(),
        json.dumps({"events": [good, {"type": "hard"}]}).encode(),
        json.dumps({"events": [good, "x"]}).encode(),
        json.dumps({"events": [{**good, "reason": 5}]}).encode(),
    ]
    for raw in malformed:
        response = post(None, raw=raw)
        assert response.status_code == 400, raw
        assert response.json()["error"]
    big = json.dumps({"events": [good], "pad": "x" * (1024 * 1024)}).encode()
    assert post(None, raw=big).status_code == 413
    # Nothing was applied by any of these.
    assert not Delivery.objects.filter(status=DeliveryStatus.BOUNCED).exists()
    assert not Suppression.objects.exists()


# --- IMAP: a tiny IMAP4rev1 server on loopback ---------------------------------------------


class ImapMailbox:
    """The server's state: one folder of (uid, raw message, deleted) and the credentials."""

    def __init__(self, user: str, password: str) -> None:
        self.user, self.password = user, password
        self.messages: list[list[Any]] = []
        self.copied: dict[str, list[bytes]] = {}
        self.next_uid = 1

    def add(self, raw: bytes) -> None:
        self.messages.append([self.next_uid, raw.replace(b"\n", b"\r\n"), False])
        self.next_uid += 1


def _imap_words(line: str) -> list[str]:
    words, current, quoted, i = [], "", False, 0
    while i < len(line):
        char = line[i]
        if quoted and char == "\\" and i + 1 < len(line):
            current += line[i + 1]
            i += 2
            continue
        if char == '"':
            quoted = not quoted
        elif char == " " and not quoted:
            words.append(current)
            current = ""
        else:
            current += char
        i += 1
    words.append(current)
    return [w for w in words if w != ""]


def imap_handler(state: ImapMailbox) -> Any:
    import socketserver

    class Handler(socketserver.StreamRequestHandler):
        def send(self, text: str | bytes) -> None:
            self.wfile.write(text.encode() if isinstance(text, str) else text)

        def handle(self) -> None:
            self.send("* OK [CAPABILITY IMAP4rev1] test server ready\r\n")
            authed = False
            while line := self.rfile.readline():
                tag, *words = _imap_words(line.decode().rstrip("\r\n"))
                command = words[0].upper() if words else ""
                if command == "UID":
                    words = words[1:]
                    command = words[0].upper()
                if command == "CAPABILITY":
                    self.send(f"* CAPABILITY IMAP4rev1\r\n{tag} OK done\r\n")
                elif command == "LOGIN":
                    authed = words[1:3] == [state.user, state.password]
                    self.send(f"{tag} OK logged in\r\n" if authed else f"{tag} NO bad login\r\n")
                elif not authed:
                    self.send(f"{tag} BAD log in first\r\n")
                elif command == "SELECT":
                    self.send(f"* {len(state.messages)} EXISTS\r\n* 0 RECENT\r\n")
                    self.send(f"{tag} OK [READ-WRITE] selected\r\n")
                elif command == "SEARCH":
                    uids = " ".join(str(m[0]) for m in state.messages)
                    self.send(f"* SEARCH {uids}\r\n{tag} OK done\r\n")
                elif command in ("FETCH", "STORE", "COPY"):
                    uid = int(words[1])
                    seq, message = next(
                        (n + 1, m) for n, m in enumerate(state.messages) if m[0] == uid
                    )
                    if command == "FETCH":
                        raw = message[1]
                        self.send(f"* {seq} FETCH (UID {uid} BODY[] {{{len(raw)}}}\r\n")
                        self.send(raw + b")\r\n")
                    elif command == "STORE":
                        message[2] = True
                        self.send(f"* {seq} FETCH (UID {uid} FLAGS (\\Deleted))\r\n")
                    else:
                        state.copied.setdefault(words[2], []).append(message[1])
                    self.send(f"{tag} OK done\r\n")
                elif command in ("EXPUNGE", "CLOSE"):
                    for n in reversed(range(len(state.messages))):
                        if state.messages[n][2]:
                            del state.messages[n]
                            if command == "EXPUNGE":
                                self.send(f"* {n + 1} EXPUNGE\r\n")
                    self.send(f"{tag} OK done\r\n")
                elif command == "LOGOUT":
                    self.send(f"* BYE\r\n{tag} OK bye\r\n")
                    return
                else:
                    self.send(f"{tag} BAD unknown command\r\n")

    return Handler


@pytest.fixture
def imap(settings: Any) -> Any:
    import socketserver
    import threading

    state = ImapMailbox("bounces@kpu.example.id", 'sandi "rahasia"')
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), imap_handler(state))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.BOUNCE_IMAP_HOST = "127.0.0.1"
    settings.BOUNCE_IMAP_PORT = server.server_address[1]
    settings.BOUNCE_IMAP_USER = state.user
    settings.BOUNCE_IMAP_PASSWORD = state.password
    settings.BOUNCE_IMAP_FOLDER = "INBOX"
    settings.BOUNCE_IMAP_SSL = False
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.django_db
def test_imap_mailbox(
    imap: ImapMailbox,
    settings: Any,
    approved: Any,
    editor: Any,
    mailing_list: Any,
    add_subscribers: Any,
    smtp: Any,
) -> None:
    add_subscribers(2)
    publication = campaign(approved, editor, mailing_list)
    imap.add(postfix_dsn(sent_to(smtp, "warga0@example.id"), "warga0@example.id"))
    imap.add(ORDINARY)
    out = StringIO()
    call_command("process_bounces", stdout=out)
    assert "IMAP 127.0.0.1/INBOX: 2 read (1 hard, 1 not bounces)" in out.getvalue()
    row = Delivery.objects.get(publication=publication, recipient="warga0@example.id")
    assert row.status == DeliveryStatus.BOUNCED
    assert [m[1] for m in imap.messages] == [ORDINARY.replace(b"\n", b"\r\n")]

    # --move-to keeps a copy of each processed bounce in another folder.
    imap.add(postfix_dsn(sent_to(smtp, "warga1@example.id"), "warga1@example.id"))
    call_command("process_bounces", move_to="Diproses", stdout=StringIO())
    assert len(imap.copied["Diproses"]) == 1 and len(imap.messages) == 1

    settings.BOUNCE_IMAP_PASSWORD = "salah"
    with pytest.raises(CommandError, match=r"IMAP 127\.0\.0\.1/INBOX"):
        call_command("process_bounces", stdout=StringIO())
