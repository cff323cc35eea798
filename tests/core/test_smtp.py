"""With SMTP settings, mail goes out for real: an aiosmtpd server on loopback receives it."""

from __future__ import annotations

import email
import socket
from collections.abc import Callable, Iterator
from email import policy
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command

from bakohumas.core.models import MailboxMessage, Role, WorkUnit
from bakohumas.core.services import invite_staff


class Sink:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_sink() -> Iterator[tuple[Sink, int]]:
    with socket.socket() as probe:  # a free loopback port (aiosmtpd cannot start on port 0)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()


@pytest.mark.django_db(transaction=True)
def test_invitation_goes_out_over_smtp(
    make_user: Callable[..., Any],
    units: dict[str, WorkUnit],
    settings: Any,
    smtp_sink: tuple[Sink, int],
) -> None:
    sink, port = smtp_sink
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.DEFAULT_FROM_EMAIL = "Bakohumas <humas@kpu-kaltim.example.id>"
    admin = make_user("64", Role.ADMINISTRATOR)
    invite_staff(
        admin,
        unit=units["64.03"],
        username="rahmat",
        email="rahmat@kpu-berau.example.id",
        first_name="Rahmat",
        last_name="Hidayat",
        role=Role.EDITOR,
    )
    assert sink.messages == []  # queued, not sent in the request
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    assert len(sink.messages) == 1
    mail_from, rcpt, content = sink.messages[0]
    assert mail_from == "humas@kpu-kaltim.example.id"
    assert rcpt == ["rahmat@kpu-berau.example.id"]
    parsed = email.message_from_bytes(content, policy=policy.default)
    body = parsed.get_body(preferencelist=("plain",))
    assert body is not None and "/invite/" in body.get_content()
    assert MailboxMessage.objects.count() == 0  # the development mailbox is not used
