"""Telegram Bot API specifics against the loopback server: captions versus messages, the
uploaded file, an unknown chat, the bot removed from the channel, getMe/getChat."""

from __future__ import annotations

from typing import Any

import pytest

from bakohumas.dissemination import engine
from bakohumas.dissemination.adapters.base import PermanentError, ReconnectRequired
from bakohumas.dissemination.adapters.telegram import TelegramAdapter
from bakohumas.dissemination.models import AccountStatus, Delivery, PublicationStatus
from tests.dissemination.fakeplatforms import (
    JPEG,
    FakeTelegram,
    approved_item,
    drain_until,
    make_account,
    make_asset,
    running,
)


@pytest.fixture
def telegram() -> Any:
    with running(FakeTelegram()) as server:
        yield server


def account_for(telegram: FakeTelegram, units: Any, chat: str = "@kpusamarinda") -> Any:
    return make_account(
        units["64.72"],
        "telegram",
        {"api_base": telegram.url, "destination": chat},
        {"bot_token": telegram.token},
        name=f"Bot {chat}",
    )


def publish(item: Any, account: Any, editor: Any) -> Any:
    publication = engine.plan(
        item, engine.PlanInput(kind="telegram", account_id=account.pk), by=editor
    )
    engine.dispatch(publication.pk)
    return drain_until(publication)


@pytest.mark.django_db
def test_an_image_goes_as_a_photo_with_the_text_as_caption(
    telegram: FakeTelegram, units: Any, contributor: Any, coordinator: Any, editor: Any
) -> None:
    image = make_asset(units["64.72"], "image", JPEG)
    item = approved_item(units["64.72"], contributor, coordinator, media=[image])
    publication = publish(item, account_for(telegram, units), editor)
    assert publication.status == PublicationStatus.DONE
    (post,) = telegram.posts
    assert post["method"] == "sendPhoto"
    assert post["file"] == JPEG  # the file itself was uploaded
    assert post["caption"].startswith(item.title)
    assert "utm_source=telegram" in post["caption"]
    assert publication.external_id == f"-1001234567890/{post['message_id']}"
    assert publication.external_url == f"https://t.me/kpusamarinda/{post['message_id']}"


@pytest.mark.django_db
def test_a_text_longer_than_a_caption_goes_as_a_message(
    telegram: FakeTelegram, units: Any, contributor: Any, coordinator: Any, editor: Any
) -> None:
    image = make_asset(units["64.72"], "image", JPEG)
    long_text = "Informasi tahapan pemilihan. " * 50  # ~1,450 characters
    item = approved_item(
        units["64.72"],
        contributor,
        coordinator,
        media=[image],
        variants=[{"channel": "whatsapp", "text": long_text}],
    )
    publication = publish(item, account_for(telegram, units, chat="-1009876543210"), editor)
    assert publication.status == PublicationStatus.DONE
    (post,) = telegram.posts
    assert post["method"] == "sendMessage"
    assert post["text"].startswith(long_text.strip())
    assert publication.external_url == ""  # a private group has no public link


@pytest.mark.django_db
def test_an_unknown_chat_fails_with_telegrams_reason_without_retrying(
    telegram: FakeTelegram, units: Any, contributor: Any, coordinator: Any, editor: Any
) -> None:
    item = approved_item(units["64.72"], contributor, coordinator)
    publication = publish(item, account_for(telegram, units, chat="@tidakada"), editor)
    assert publication.status == PublicationStatus.FAILED
    assert "chat not found" in publication.error
    assert Delivery.objects.get(publication=publication).attempts == 1
    assert telegram.posts == []


@pytest.mark.django_db
def test_a_bot_removed_from_the_channel_asks_for_a_reconnect(
    telegram: FakeTelegram, units: Any, contributor: Any, coordinator: Any, editor: Any
) -> None:
    telegram.fail(status=403, path="/sendMessage")
    account = account_for(telegram, units)
    item = approved_item(units["64.72"], contributor, coordinator)
    publication = publish(item, account, editor)
    account.refresh_from_db()
    assert publication.status == PublicationStatus.PAUSED
    assert account.status == AccountStatus.RECONNECT


@pytest.mark.django_db
def test_check_credentials_asks_getme_and_getchat(telegram: FakeTelegram, units: Any) -> None:
    TelegramAdapter(account_for(telegram, units)).check_credentials()
    assert [c.path.rsplit("/", 1)[-1] for c in telegram.calls] == ["getMe", "getChat"]
    with pytest.raises(PermanentError, match="chat not found"):
        TelegramAdapter(account_for(telegram, units, chat="@lain")).check_credentials()
    broken = make_account(
        units["64.72"],
        "telegram",
        {"api_base": telegram.url, "destination": "@kpusamarinda"},
        {"bot_token": "999:wrong"},
        name="Bot lama",
    )
    with pytest.raises(ReconnectRequired, match="Unauthorized"):
        TelegramAdapter(broken).check_credentials()
