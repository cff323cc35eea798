"""Fixtures of the dissemination tests: an approved item, an SMTP server on loopback,
mailing lists and contacts with and without consent."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from email import message_from_bytes, policy
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from bakohumas.content import services as content_services
from bakohumas.content.models import ContentItem
from bakohumas.core.models import Role
from bakohumas.dissemination.models import MailingList, Subscriber, SubscriberStatus


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def _dummy_tasks(settings: Any) -> None:
    # Tasks are stored, not run: tests drive dispatch and sending through the engine.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def contributor(make_user: Callable[..., Any]) -> Any:
    return make_user("64.72", Role.CONTRIBUTOR)


@pytest.fixture
def coordinator(make_user: Callable[..., Any]) -> Any:
    return make_user("64.72", Role.COORDINATOR)


@pytest.fixture
def editor(make_user: Callable[..., Any]) -> Any:
    return make_user("64.72", Role.EDITOR)


@pytest.fixture
def make_approved(
    units: dict[str, Any], contributor: Any, coordinator: Any
) -> Callable[..., ContentItem]:
    """An item written by a contributor and approved by the coordinator (four eyes)."""

    def make(
        code: str = "64.72", variants: list[dict[str, str]] | None = None, **fields: Any
    ) -> ContentItem:
        data = {
            "form": "news",
            "title": "Jadwal pemutakhiran data pemilih",
            "summary": "Ringkasan jadwal coklit.",
            "body": '<p>Isi berita <a href="https://kpu.go.id/info">tautan</a>.</p>',
        }
        data.update(fields)
        item = content_services.create_item(
            unit=units[code], by=contributor, fields=data, variants=variants or []
        )
        content_services.submit(item, by=contributor)
        return content_services.approve(item, by=coordinator)

    return make


@pytest.fixture
def approved(make_approved: Callable[..., ContentItem]) -> ContentItem:
    return make_approved()


class SmtpSink:
    """An SMTP server's handler that keeps every message it accepted."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []
        self.refuse: dict[str, str] = {}  # recipient → SMTP reply to RCPT

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"

    def parsed(self) -> list[Any]:
        return [message_from_bytes(raw, policy=policy.default) for _f, _t, raw in self.messages]

    def recipients(self) -> list[str]:
        return [r for _f, tos, _raw in self.messages for r in tos]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp(settings: Any) -> Iterator[SmtpSink]:
    """A real SMTP server on loopback, and the settings that send to it."""
    sink = SmtpSink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield sink
    finally:
        controller.stop()


@pytest.fixture
def mailing_list(units: dict[str, Any]) -> MailingList:
    return MailingList.objects.create(unit=units["64.72"], name="Buletin KPU Samarinda")


@pytest.fixture
def add_subscribers(mailing_list: MailingList) -> Callable[..., list[Subscriber]]:
    def add(
        n: int, status: str = SubscriberStatus.CONFIRMED, prefix: str = "warga"
    ) -> list[Subscriber]:
        now = timezone.now()
        return Subscriber.objects.bulk_create(
            Subscriber(
                mailing_list=mailing_list,
                email=f"{prefix}{i}@example.id",
                status=status,
                confirmed_at=now if status == SubscriberStatus.CONFIRMED else None,
                consent_source="portal double opt-in",
            )
            for i in range(n)
        )

    return add
