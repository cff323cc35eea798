"""Fixtures of the inbox tests: English messages, stored (not run) tasks, staff of each
role in Samarinda (64.72), a factory of threads made through ``services.ingest``, and
loopback WhatsApp / Telegram servers that also take the inbox's replies (text messages
inside the 24-hour window, the reply template outside it, private chats)."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

import pytest

from bakohumas.core.models import Role
from bakohumas.inbox.models import Channel, Thread, ThreadKind
from bakohumas.inbox.services import Inbound, ingest
from tests.dissemination.fakeplatforms import (
    Call,
    FakeMeta,
    FakeTelegram,
    Response,
    as_json,
    make_account,
)

WITA = ZoneInfo("Asia/Makassar")


def wita(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """An aware moment in Samarinda's wall-clock time: ``wita(2026, 3, 13, 19, 0)``."""
    return datetime(year, month, day, hour, minute, tzinfo=WITA)


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def _dummy_tasks(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture(autouse=True)
def _locmem_mail(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def viewer(make_user: Callable[..., Any]) -> Any:
    return make_user("64.72", Role.VIEWER)


@pytest.fixture
def contributor(make_user: Callable[..., Any]) -> Any:
    return make_user("64.72", Role.CONTRIBUTOR)


@pytest.fixture
def editor(make_user: Callable[..., Any]) -> Any:
    return make_user("64.72", Role.EDITOR)


@pytest.fixture
def coordinator(make_user: Callable[..., Any]) -> Any:
    return make_user("64.72", Role.COORDINATOR)


_handles = itertools.count(1)
_INBOUND_FIELDS = {
    "body",
    "handle",
    "name",
    "phone",
    "subject",
    "dedupe_key",
    "provider_id",
    "account",
    "received_at",
    "attachments",
    "claim_url",
    "seen_on",
}


def default_handle(channel: str, n: int) -> str:
    if channel == Channel.WHATSAPP:
        return f"62812000{n:05d}"
    if channel == Channel.TELEGRAM:
        return str(700000 + n)
    return f"warga{n}@example.id"


@pytest.fixture
def make_thread(units: dict[str, Any]) -> Callable[..., Thread]:
    """``make_thread(unit_code="64.72", channel=Channel.EMAIL, kind=ThreadKind.MESSAGE,
    **fields)``: a thread opened by one inbound message through ``services.ingest``.
    ``fields`` named like ``Inbound`` attributes (body, handle, name, subject,
    received_at, account …) go to the message; the others (status, assignee, priority,
    due_at …) are then written on the thread. Each call gets its own sender address
    unless ``handle`` is given."""

    def make(
        unit_code: str = "64.72",
        channel: str = Channel.EMAIL,
        kind: str = ThreadKind.MESSAGE,
        **fields: Any,
    ) -> Thread:
        n = next(_handles)
        inbound_fields = {k: v for k, v in fields.items() if k in _INBOUND_FIELDS}
        thread_fields = {k: v for k, v in fields.items() if k not in _INBOUND_FIELDS}
        inbound_fields.setdefault("handle", default_handle(channel, n))
        inbound_fields.setdefault("name", "Siti Aminah")
        inbound_fields.setdefault("body", "Kapan jadwal pencocokan dan penelitian di Samarinda?")
        inbound_fields.setdefault("subject", "Jadwal coklit")
        inbound_fields.setdefault("dedupe_key", f"test:{uuid.uuid4().hex}")
        message = ingest(
            Inbound(unit=units[unit_code], channel=channel, kind=kind, **inbound_fields)
        )
        assert message is not None
        thread = message.thread
        if thread_fields:
            tags = thread_fields.pop("tags", None)
            if thread_fields:
                Thread.objects.filter(pk=thread.pk).update(**thread_fields)
            if tags is not None:
                thread.tags.set(tags)
        return Thread.objects.select_related("unit", "account").get(pk=thread.pk)

    return make


# --- Loopback platforms -------------------------------------------------------------------

REPLY_TEMPLATE = "balasan_kpu"


class FakeWhatsApp(FakeMeta):
    """The Cloud API's ``/messages`` as the inbox uses it: ``text`` messages (refused with
    131047 to numbers in ``closed`` — the 24-hour window passed) and the one-parameter
    reply template ``balasan_kpu``; campaign templates as ``FakeMeta`` takes them."""

    reply_templates: ClassVar[set[tuple[str, str]]] = {(REPLY_TEMPLATE, "id")}

    def __init__(self) -> None:
        super().__init__()
        self.closed: set[str] = set()

    def _message(self, call: Call) -> Response:
        data = call.json
        if not isinstance(data, dict) or data.get("messaging_product") != "whatsapp":
            return super()._message(call)
        to = str(data.get("to") or "")
        if to in self.blocked:
            return super()._message(call)  # the Cloud API's 131030
        if data.get("type") == "text":
            body = str((data.get("text") or {}).get("body") or "")
            if not to.isdigit() or not body or len(body) > 4096:
                return self._error(400, "(#100) Invalid parameter", 100)
            if to in self.closed:
                return self._error(
                    400,
                    "(#131047) Re-engagement message",
                    131047,
                    details="More than 24 hours have passed since the recipient last replied.",
                )
            return self._accept(to, {"type": "text", "body": body})
        template = data.get("template") or {}
        key = (template.get("name"), (template.get("language") or {}).get("code", ""))
        if data.get("type") == "template" and key in self.reply_templates:
            parts = [c for c in template.get("components") or [] if c.get("type") == "body"]
            params = parts[0].get("parameters", []) if parts else []
            if len(params) != 1 or "\n" in params[0].get("text", ""):
                return self._error(
                    400,
                    "(#132000) Number of parameters does not match the expected number",
                    132000,
                )
            return self._accept(to, {"type": "template", "template": template})
        return super()._message(call)

    def _accept(self, to: str, record: dict[str, Any]) -> Response:
        wamid = "wamid." + uuid.uuid4().hex.upper()
        with self.lock:
            self.messages.append({"to": to, "id": wamid, **record})
        return as_json(
            200,
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": to, "wa_id": to}],
                "messages": [{"id": wamid}],
            },
        )


class FakeTelegramBot(FakeTelegram):
    """The Bot API also answering private chats (positive numeric ids) for replies."""

    def route(self, call: Call) -> Response:
        chat_id = str(call.params.get("chat_id", ""))
        if chat_id.isdigit() and chat_id not in self.chats:
            self.chats = {  # type: ignore[misc]
                **self.chats,
                chat_id: {"id": int(chat_id), "type": "private", "first_name": "Warga"},
            }
        return super().route(call)


@pytest.fixture
def fake_whatsapp() -> Iterator[FakeWhatsApp]:
    fake = FakeWhatsApp()
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def fake_telegram() -> Iterator[FakeTelegramBot]:
    fake = FakeTelegramBot()
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def whatsapp_account(units: dict[str, Any], fake_whatsapp: FakeWhatsApp) -> Any:
    """Samarinda's WhatsApp number on the fake Cloud API, with a reply template."""
    return make_account(
        units["64.72"],
        "whatsapp",
        {
            "api_base": fake_whatsapp.api_base,
            "phone_number_id": fake_whatsapp.phone_number_id,
            "reply_template": REPLY_TEMPLATE,
            "reply_template_language": "id",
            "timeout": 5,
        },
        {"access_token": fake_whatsapp.token, "app_secret": "app-secret", "verify_token": "v"},
        name="WhatsApp KPU Samarinda",
    )


@pytest.fixture
def telegram_account(units: dict[str, Any], fake_telegram: FakeTelegramBot) -> Any:
    """Samarinda's Telegram bot on the fake Bot API."""
    return make_account(
        units["64.72"],
        "telegram",
        {"api_base": fake_telegram.url, "timeout": 5},
        {"bot_token": fake_telegram.token, "webhook_secret": "tg-secret"},
        name="Bot KPU Samarinda",
    )
