"""Replies from the inbox on each channel: queued by ``services.reply`` (no network I/O),
sent by the ``send_reply`` task against the loopback platforms, retried on transient
failures, failed with the platform's reason otherwise; WhatsApp's 24-hour window."""

from __future__ import annotations

import smtplib
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone
from django_tasks import default_task_backend

from bakohumas.core.mail import UNIT_HEADER
from bakohumas.core.models import MailboxMessage
from bakohumas.dissemination.models import Notification
from bakohumas.inbox import senders, services, tasks
from bakohumas.inbox.models import (
    CannedReply,
    Channel,
    Direction,
    InboxSettings,
    Message,
    MessageStatus,
    Thread,
    ThreadEvent,
    ThreadKind,
    ThreadStatus,
)
from bakohumas.inbox.services import InboxError
from tests.inbox.conftest import REPLY_TEMPLATE, FakeTelegramBot, FakeWhatsApp

pytestmark = pytest.mark.django_db


def queued_sends() -> list[Any]:
    return [
        r
        for r in default_task_backend.results  # type: ignore[attr-defined]
        if r.task.name == "send_reply"
    ]


# --- Queueing ------------------------------------------------------------------------------


def test_reply_is_queued_on_commit_and_moves_the_thread(
    make_thread: Callable[..., Thread], editor: Any, django_capture_on_commit_callbacks: Any
) -> None:
    thread = make_thread()
    default_task_backend.clear()  # type: ignore[attr-defined]
    canned = CannedReply.objects.create(unit=thread.unit, title="Salam", body="Halo {nama}")
    with django_capture_on_commit_callbacks(execute=True):
        message = services.reply(thread, editor, "  Jadwal coklit 12 Februari.  ", canned=canned)
    assert message.status == MessageStatus.QUEUED and message.direction == Direction.OUTBOUND
    assert message.body == "Jadwal coklit 12 Februari." and message.author_id == editor.pk
    assert len(mail.outbox) == 0  # nothing sent inside reply()
    assert [(r.args, r.task.run_after) for r in queued_sends()] == [([message.pk], None)]
    thread.refresh_from_db()
    assert thread.status == ThreadStatus.WAITING and not thread.unread
    assert thread.first_response_at == message.created_at
    assert thread.message_count == 2
    event = ThreadEvent.objects.get(thread=thread, action="replied")
    assert event.detail == {
        "message": message.pk,
        "channel": "email",
        "template": False,
        "canned": canned.pk,
    }
    first = thread.first_response_at
    services.set_status(thread, editor, ThreadStatus.RESOLVED)
    services.reply(thread, editor, "Tambahan informasi")
    thread.refresh_from_db()
    assert thread.status == ThreadStatus.RESOLVED and thread.first_response_at == first


def test_refused_replies_store_nothing(
    make_thread: Callable[..., Thread], editor: Any, units: dict[str, Any]
) -> None:
    thread = make_thread()
    no_address = make_thread(channel=Channel.PORTAL, kind=ThreadKind.QUESTION, handle="")
    whatsapp_without_account = make_thread(channel=Channel.WHATSAPP)
    with pytest.raises(InboxError) as error:
        services.reply(thread, editor, " \n ")
    assert error.value.field == "body"
    for target in (no_address, whatsapp_without_account):
        with pytest.raises(InboxError):
            services.reply(target, editor, "Jawaban")
    assert not Message.objects.filter(direction=Direction.OUTBOUND).exists()
    assert not ThreadEvent.objects.filter(action="replied").exists()
    no_address.refresh_from_db()
    assert no_address.first_response_at is None and no_address.status == ThreadStatus.NEW


# --- Email ---------------------------------------------------------------------------------


def test_email_reply_headers(
    make_thread: Callable[..., Thread], editor: Any, units: dict[str, Any], settings: Any
) -> None:
    settings.SITE_URL = "https://bakohumas.example.id"
    settings.DEFAULT_FROM_EMAIL = "Bakohumas <no-reply@bakohumas.example.id>"
    InboxSettings.objects.create(
        unit=units["64.72"],
        reply_from_name="Humas KPU Samarinda",
        reply_to_address="pengaduan@kpu-samarinda.example.id",
    )
    thread = make_thread(
        handle="siti@example.id",
        name="Siti Aminah",
        subject="Jadwal\ncoklit",
        provider_id="<CAF00d@mail.example.id>",
    )
    message = services.reply(thread, editor, "Yth. Siti,\n<b>jadwal</b> coklit 12 Februari.")
    assert tasks.send_reply.call(message.pk) == "sent"
    (sent,) = mail.outbox
    assert sent.subject == f"Re: Jadwal coklit [#{thread.pk}]"
    assert sent.from_email == "Humas KPU Samarinda <no-reply@bakohumas.example.id>"
    assert sent.to == ["Siti Aminah <siti@example.id>"]
    assert sent.reply_to == ["pengaduan@kpu-samarinda.example.id"]
    assert sent.body == "Yth. Siti,\n<b>jadwal</b> coklit 12 Februari."
    assert not getattr(sent, "alternatives", [])  # plain text only
    raw = sent.message()
    assert raw["Message-ID"] == f"<inbox-{message.pk}@bakohumas.example.id>"
    assert raw["In-Reply-To"] == "<CAF00d@mail.example.id>"
    assert raw["References"] == "<CAF00d@mail.example.id>"
    assert raw[UNIT_HEADER] == str(units["64.72"].pk)
    assert raw.get_content_type() == "text/plain"
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT and message.sent_at is not None
    assert message.provider_id == f"<inbox-{message.pk}@bakohumas.example.id>"
    assert senders.replied_message_pk(message.provider_id) == message.pk
    # Sent once: the task repeated sends nothing.
    assert tasks.send_reply.call(message.pk) == "skipped"
    assert len(mail.outbox) == 1


def test_email_defaults_and_the_development_mailbox(
    make_thread: Callable[..., Thread], editor: Any, units: dict[str, Any], settings: Any
) -> None:
    settings.EMAIL_BACKEND = "bakohumas.core.mail.DevMailboxBackend"
    thread = make_thread(channel=Channel.PORTAL, kind=ThreadKind.QUESTION, name="")
    message = services.reply(thread, editor, "Terima kasih atas pertanyaannya.")
    assert tasks.send_reply.call(message.pk) == "sent"
    stored = MailboxMessage.objects.get()
    assert stored.unit_id == units["64.72"].pk
    assert stored.to == thread.handle
    assert stored.from_email.startswith(units["64.72"].name)
    assert "Reply-To" not in stored.raw and "In-Reply-To" not in stored.raw
    assert stored.body_text.strip() == "Terima kasih atas pertanyaannya."


class RefusingConnection:
    def __init__(self, error: Exception) -> None:
        self.error = error

    def send_messages(self, messages: list[Any]) -> int:
        raise self.error


def test_email_failures_retry_or_fail(
    make_thread: Callable[..., Thread], editor: Any, monkeypatch: Any
) -> None:
    thread = make_thread()
    message = services.reply(thread, editor, "Jawaban")
    default_task_backend.clear()  # type: ignore[attr-defined]
    busy = smtplib.SMTPRecipientsRefused({thread.handle: (451, b"try later")})
    monkeypatch.setattr(senders, "get_connection", lambda **kw: RefusingConnection(busy))
    assert tasks.send_reply.call(message.pk) == "retry"
    message.refresh_from_db()
    assert message.status == MessageStatus.QUEUED and "451" in message.error
    (retry,) = queued_sends()
    assert retry.args == [message.pk, 2]
    gone = smtplib.SMTPRecipientsRefused({thread.handle: (550, b"no such user")})
    monkeypatch.setattr(senders, "get_connection", lambda **kw: RefusingConnection(gone))
    assert tasks.send_reply.call(message.pk, 2) == "failed"
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED and "550 no such user" in message.error
    note = Notification.objects.get(user=editor)
    assert "could not be sent" in note.text and note.url == f"/app/inbox/{thread.pk}/"


# --- WhatsApp ------------------------------------------------------------------------------


def whatsapp_thread(make_thread: Callable[..., Thread], account: Any, **fields: Any) -> Thread:
    return make_thread(channel=Channel.WHATSAPP, account=account, **fields)


def test_whatsapp_text_inside_the_window(
    make_thread: Callable[..., Thread],
    editor: Any,
    whatsapp_account: Any,
    fake_whatsapp: FakeWhatsApp,
) -> None:
    thread = whatsapp_thread(make_thread, whatsapp_account, handle="6281255550001")
    assert services.whatsapp_window_open(thread)
    message = services.reply(thread, editor, "TPS Anda di SDN 001.\nBawa KTP.")
    assert not message.is_template
    assert tasks.send_reply.call(message.pk) == "sent"
    (sent,) = fake_whatsapp.messages
    assert sent["to"] == "6281255550001"
    assert sent["type"] == "text" and sent["body"] == "TPS Anda di SDN 001.\nBawa KTP."
    call = fake_whatsapp.calls_to("/messages")[0]
    assert call.path == f"/v21.0/{fake_whatsapp.phone_number_id}/messages"
    assert call.bearer() == fake_whatsapp.token
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT and message.provider_id == sent["id"]


def test_whatsapp_template_outside_the_window(
    make_thread: Callable[..., Thread],
    editor: Any,
    whatsapp_account: Any,
    fake_whatsapp: FakeWhatsApp,
) -> None:
    long_ago = timezone.now() - timedelta(hours=25)
    thread = whatsapp_thread(
        make_thread, whatsapp_account, received_at=long_ago, handle="6281255550002"
    )
    assert not services.whatsapp_window_open(thread)
    fake_whatsapp.closed.add("6281255550002")
    message = services.reply(thread, editor, "Jawaban:\nTPS Anda di SDN 001.")
    assert message.is_template
    assert tasks.send_reply.call(message.pk) == "sent"
    (sent,) = fake_whatsapp.messages
    assert sent["type"] == "template"
    assert sent["template"]["name"] == REPLY_TEMPLATE
    assert sent["template"]["language"] == {"code": "id"}
    (body,) = sent["template"]["components"]
    assert body["parameters"] == [{"type": "text", "text": "Jawaban: TPS Anda di SDN 001."}]
    with pytest.raises(InboxError):  # a template parameter takes 1,024 characters
        services.reply(thread, editor, "x" * 1025)


def test_whatsapp_outside_the_window_without_template_is_refused(
    make_thread: Callable[..., Thread], editor: Any, whatsapp_account: Any
) -> None:
    whatsapp_account.config = {
        k: v for k, v in whatsapp_account.config.items() if k != "reply_template"
    }
    whatsapp_account.save()
    thread = whatsapp_thread(
        make_thread, whatsapp_account, received_at=timezone.now() - timedelta(hours=24, minutes=1)
    )
    with pytest.raises(InboxError) as error:
        services.reply(thread, editor, "Jawaban")
    assert "24 hours" in str(error.value)
    assert not Message.objects.filter(direction=Direction.OUTBOUND).exists()
    thread.refresh_from_db()
    assert thread.first_response_at is None


def test_whatsapp_window_closing_while_queued_switches_to_the_template(
    make_thread: Callable[..., Thread],
    editor: Any,
    whatsapp_account: Any,
    fake_whatsapp: FakeWhatsApp,
) -> None:
    thread = whatsapp_thread(make_thread, whatsapp_account, handle="6281255550003")
    message = services.reply(thread, editor, "Jawaban")
    Thread.objects.filter(pk=thread.pk).update(last_inbound_at=timezone.now() - timedelta(hours=25))
    fake_whatsapp.closed.add("6281255550003")
    assert tasks.send_reply.call(message.pk) == "sent"
    assert fake_whatsapp.messages[0]["type"] == "template"
    message.refresh_from_db()
    assert message.is_template and message.status == MessageStatus.SENT


def test_whatsapp_statuses_move_the_reply_forward_only(
    make_thread: Callable[..., Thread],
    editor: Any,
    whatsapp_account: Any,
    fake_whatsapp: FakeWhatsApp,
) -> None:
    thread = whatsapp_thread(make_thread, whatsapp_account)
    message = services.reply(thread, editor, "Jawaban")
    tasks.send_reply.call(message.pk)
    message.refresh_from_db()
    wamid = message.provider_id
    assert not services.apply_whatsapp_status("wamid.UNKNOWN", "delivered")
    assert services.apply_whatsapp_status(wamid, "delivered")
    assert services.apply_whatsapp_status(wamid, "read")
    assert services.apply_whatsapp_status(wamid, "delivered")  # late: stays read
    message.refresh_from_db()
    assert message.status == MessageStatus.READ
    other = services.reply(thread, editor, "Satu lagi")
    tasks.send_reply.call(other.pk)
    other.refresh_from_db()
    assert services.apply_whatsapp_status(other.provider_id, "failed", "Message undeliverable")
    other.refresh_from_db()
    assert other.status == MessageStatus.FAILED and other.error == "Message undeliverable"
    assert "not delivered" in Notification.objects.get(user=editor).text


def test_whatsapp_server_errors_retry_then_fail(
    make_thread: Callable[..., Thread],
    editor: Any,
    whatsapp_account: Any,
    fake_whatsapp: FakeWhatsApp,
    settings: Any,
) -> None:
    settings.INBOX_REPLY_MAX_ATTEMPTS = 3
    thread = whatsapp_thread(make_thread, whatsapp_account)
    message = services.reply(thread, editor, "Jawaban")
    fake_whatsapp.fail(status=500, times=3)
    default_task_backend.clear()  # type: ignore[attr-defined]
    before = timezone.now()
    assert tasks.send_reply.call(message.pk) == "retry"
    assert tasks.send_reply.call(message.pk, 2) == "retry"
    first, second = queued_sends()
    assert first.args == [message.pk, 2] and second.args == [message.pk, 3]
    assert first.task.run_after >= before + timedelta(seconds=30)
    assert second.task.run_after >= before + timedelta(seconds=120)
    assert tasks.send_reply.call(message.pk, 3) == "failed"
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED and "[code 1]" in message.error
    assert fake_whatsapp.messages == []
    assert Notification.objects.filter(user=editor, is_error=True).count() == 1


def test_whatsapp_blocked_number_fails_at_once(
    make_thread: Callable[..., Thread],
    editor: Any,
    whatsapp_account: Any,
    fake_whatsapp: FakeWhatsApp,
) -> None:
    thread = whatsapp_thread(make_thread, whatsapp_account, handle="6281255550009")
    fake_whatsapp.blocked.add("6281255550009")
    message = services.reply(thread, editor, "Jawaban")
    default_task_backend.clear()  # type: ignore[attr-defined]
    assert tasks.send_reply.call(message.pk) == "failed"
    assert queued_sends() == []
    message.refresh_from_db()
    assert "131030" in message.error


# --- Telegram ------------------------------------------------------------------------------


def test_telegram_reply_and_429_retry(
    make_thread: Callable[..., Thread],
    editor: Any,
    telegram_account: Any,
    fake_telegram: FakeTelegramBot,
) -> None:
    thread = make_thread(channel=Channel.TELEGRAM, account=telegram_account, handle="700123")
    message = services.reply(thread, editor, "Halo, TPS Anda di SDN 001.")
    fake_telegram.fail(status=429, retry_after=7)
    default_task_backend.clear()  # type: ignore[attr-defined]
    before = timezone.now()
    assert tasks.send_reply.call(message.pk) == "retry"
    message.refresh_from_db()
    assert message.status == MessageStatus.QUEUED and message.sent_at is None
    assert "Too Many Requests" in message.error
    (retry,) = queued_sends()
    assert retry.args == [message.pk, 2]
    assert before + timedelta(seconds=7) <= retry.task.run_after
    assert retry.task.run_after <= timezone.now() + timedelta(seconds=7)
    assert fake_telegram.posts == []
    assert tasks.send_reply.call(*retry.args) == "sent"
    (post,) = fake_telegram.posts
    assert post["method"] == "sendMessage" and post["chat"] == 700123
    assert post["text"] == "Halo, TPS Anda di SDN 001."
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT and message.error == ""
    assert message.provider_id == f"700123/{post['message_id']}"
    with pytest.raises(InboxError):
        services.reply(thread, editor, "x" * 4097)


def test_telegram_revoked_token_fails_and_tells_the_author(
    make_thread: Callable[..., Thread],
    editor: Any,
    telegram_account: Any,
    fake_telegram: FakeTelegramBot,
) -> None:
    thread = make_thread(channel=Channel.TELEGRAM, account=telegram_account)
    message = services.reply(thread, editor, "Halo")
    fake_telegram.revoke()
    assert tasks.send_reply.call(message.pk) == "failed"
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED and "reconnect" in message.error
    assert Notification.objects.filter(user=editor).count() == 1
