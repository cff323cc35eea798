"""Telegram bot updates on ``/i/hooks/telegram/<account>/``: the secret-token header,
private messages into the inbox once per update, other chats and kinds ignored, bad input
refused; and ``set_telegram_webhook`` against the loopback Bot API."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from bakohumas.dissemination.crypto import decrypt
from bakohumas.inbox.models import Channel, Message, Thread
from bakohumas.inbox.services import InboxError
from bakohumas.inbox.telegram_setup import hook_url, set_telegram_webhook
from tests.dissemination.fakeplatforms import make_account

SECRET = "tg-secret"  # the conftest's telegram_account
CHAT = 555123


def hook(account: Any) -> str:
    return reverse("inbox_hooks:telegram", args=[account.pk])


def update(
    update_id: int,
    text: str | None = "Halo KPU, saya mau tanya soal DPT",
    *,
    chat: dict[str, Any] | None = None,
    kind: str = "message",
    **message: Any,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "message_id": 40 + update_id,
        "from": {
            "id": CHAT,
            "is_bot": False,
            "first_name": "Budi",
            "last_name": "Santoso",
            "language_code": "id",
        },
        "chat": chat
        or {"id": CHAT, "first_name": "Budi", "last_name": "Santoso", "type": "private"},
        "date": 1_772_420_000,
        **message,
    }
    if text is not None:
        body["text"] = text
    return {"update_id": update_id, kind: body}


def post(account: Any, data: Any, secret: str | None = SECRET) -> Any:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
    client = Client(enforce_csrf_checks=True)  # Telegram posts without a CSRF token
    return client.post(hook(account), data=raw, content_type="application/json", headers=headers)


@pytest.mark.django_db
def test_a_private_message_is_stored_once_per_update(telegram_account: Any) -> None:
    first = post(telegram_account, update(812))
    assert first.status_code == 200 and first.json() == {"stored": True}
    message = Message.objects.select_related("thread").get()
    thread = message.thread
    assert message.body == "Halo KPU, saya mau tanya soal DPT"
    assert message.dedupe_key == f"telegram:{telegram_account.pk}:812"
    assert message.provider_id == "852"
    assert message.created_at == datetime.fromtimestamp(1_772_420_000, tz=UTC)
    assert (thread.channel, thread.handle, thread.name) == (
        Channel.TELEGRAM,
        str(CHAT),
        "Budi Santoso",
    )
    assert (thread.unit_id, thread.account_id) == (telegram_account.unit_id, telegram_account.pk)

    # Telegram redelivers the update: nothing new.
    again = post(telegram_account, update(812))
    assert again.json() == {"stored": False, "duplicate": True}
    assert Message.objects.count() == 1

    # A photo with a caption, an edit and a username-only sender join the same thread.
    photo = update(813, None, photo=[{"file_id": "AgAD1", "width": 90}], caption="Ini hoaks?")
    assert post(telegram_account, photo).json() == {"stored": True}
    edited = update(814, "Halo KPU, saya mau tanya soal DPT Samarinda", kind="edited_message")
    edited["edited_message"]["edit_date"] = 1_772_420_060
    assert post(telegram_account, edited).json() == {"stored": True}
    bodies = list(thread.messages.order_by("id").values_list("body", flat=True))
    assert bodies[1:] == [
        "[foto]\nIni hoaks?",
        "[diedit] Halo KPU, saya mau tanya soal DPT Samarinda",
    ]
    thread.refresh_from_db()
    assert thread.message_count == 3

    anon = update(
        815,
        "👋 <script>alert(1)</script>",
        chat={"id": 777, "type": "private", "username": "warga_smd"},
    )
    anon["message"]["from"] = {
        "id": 777,
        "is_bot": False,
        "first_name": "",
        "username": "warga_smd",
    }
    post(telegram_account, anon)
    other = Thread.objects.get(handle="777")
    assert other.name == "@warga_smd"
    assert other.messages.get().body == "👋 <script>alert(1)</script>"  # stored as text


@pytest.mark.django_db
def test_groups_bots_and_other_update_kinds_are_answered_and_ignored(
    telegram_account: Any,
) -> None:
    group = update(900, chat={"id": -1009876543210, "title": "Grup Humas", "type": "supergroup"})
    bot = update(901)
    bot["message"]["from"]["is_bot"] = True
    ignored = [
        group,
        bot,
        {"update_id": 902, "callback_query": {"id": "1", "data": "x"}},
        {
            "update_id": 903,
            "channel_post": {"message_id": 1, "chat": {"id": -100, "type": "channel"}},
        },
        {"update_id": 904, "message": "not an object"},
    ]
    for data in ignored:
        response = post(telegram_account, data)
        assert response.status_code == 200
        assert response.json()["stored"] is False
    assert not Message.objects.exists()


@pytest.mark.django_db
def test_wrong_secrets_bad_input_and_other_accounts_are_refused(
    telegram_account: Any, units: Any, fake_telegram: Any
) -> None:
    good = update(700)
    assert post(telegram_account, good, secret="tebakan").status_code == 403
    assert post(telegram_account, good, secret=None).status_code == 403
    assert post(telegram_account, good, secret="tg-secret ").status_code == 403
    # An account that never set a webhook secret refuses everything, even no header.
    bare = make_account(
        units["64.72"], "telegram", {"api_base": fake_telegram.url}, {"bot_token": "x"}, "Bot 2"
    )
    assert post(bare, good, secret="").status_code == 403
    assert post(bare, good, secret=None).status_code == 403
    # Another kind of account, or none, is not a Telegram hook.
    whatsapp = make_account(units["64.72"], "whatsapp", {}, {"app_secret": "s"}, "WA")
    assert post(whatsapp, good).status_code == 404
    missing = Client().post(
        reverse("inbox_hooks:telegram", args=[999999]), data=b"{}", content_type="application/json"
    )
    assert missing.status_code == 404
    assert post(telegram_account, b"{not json").status_code == 400
    assert post(telegram_account, {"message": good["message"]}).status_code == 400
    assert (
        post(telegram_account, {"update_id": "700", "message": good["message"]}).status_code == 400
    )
    assert post(telegram_account, b"[]").status_code == 400
    huge = json.dumps({**good, "pad": "x" * (1024 * 1024)}).encode()
    assert post(telegram_account, huge).status_code == 413
    assert Client().get(hook(telegram_account)).status_code == 405
    assert not Message.objects.exists()


# --- setWebhook -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_set_webhook_stores_a_new_secret_the_hook_then_accepts(
    telegram_account: Any, fake_telegram: Any, settings: Any
) -> None:
    settings.SITE_URL = "https://humas.kpu-samarinda.example.id"
    set_telegram_webhook(telegram_account)
    expected = "https://humas.kpu-samarinda.example.id" + hook(telegram_account)
    assert hook_url(telegram_account) == expected
    assert fake_telegram.webhook["url"] == expected
    assert fake_telegram.webhook["allowed_updates"] == ["message", "edited_message"]
    token = fake_telegram.webhook["secret_token"]
    assert len(token) >= 32
    telegram_account.refresh_from_db()
    secret = decrypt(telegram_account.secret_ciphertext)
    assert secret == {"bot_token": fake_telegram.token, "webhook_secret": token}
    # The hook now takes the new token and no longer the old one.
    assert post(telegram_account, update(1), secret=SECRET).status_code == 403
    assert post(telegram_account, update(1), secret=token).json() == {"stored": True}


@pytest.mark.django_db
def test_set_webhook_refused_keeps_the_old_secret(
    telegram_account: Any, fake_telegram: Any, units: Any
) -> None:
    before = telegram_account.secret_ciphertext
    with pytest.raises(InboxError, match="https"):
        set_telegram_webhook(telegram_account, "http://insecure.example.id/hook/")
    assert not fake_telegram.calls_to("setWebhook")
    fake_telegram.revoke()
    with pytest.raises(InboxError, match="Unauthorized"):
        set_telegram_webhook(telegram_account, "https://humas.example.id/i/hooks/telegram/1/")
    telegram_account.refresh_from_db()
    assert telegram_account.secret_ciphertext == before
    whatsapp = make_account(units["64.72"], "whatsapp", {}, {"app_secret": "s"}, "WA")
    with pytest.raises(InboxError):
        set_telegram_webhook(whatsapp, "https://humas.example.id/x/")
