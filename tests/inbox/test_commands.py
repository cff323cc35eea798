"""The operator commands of the inbox: telegram_webhook and simulate_whatsapp."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from bakohumas.dissemination.models import ChannelAccount, ChannelKind


def test_telegram_webhook_refuses_an_unknown_account(db: Any) -> None:
    with pytest.raises(CommandError, match="No Telegram account"):
        call_command("telegram_webhook", "--account", "999999")


def test_telegram_webhook_refuses_plain_http(units: dict[str, Any]) -> None:
    account = ChannelAccount.objects.create(
        unit=units["64.72"], kind=ChannelKind.TELEGRAM, name="Bot", config={}
    )
    with pytest.raises(CommandError, match="https"):
        call_command("telegram_webhook", "--account", str(account.pk), "--url", "http://x.id/")


def test_simulate_whatsapp_prints_a_signed_request(units: dict[str, Any]) -> None:
    from bakohumas.inbox.demo import DEMO_APP_SECRET, _whatsapp_account

    account = _whatsapp_account(units["64.72"], None)
    out = StringIO()
    call_command(
        "simulate_whatsapp", "--unit", "64.72", "--message-id", "wamid.X1", "--print", stdout=out
    )
    text = out.getvalue()
    assert f"/d/hooks/whatsapp/{account.pk}/" in text
    assert "X-Hub-Signature-256: sha256=" in text
    assert "wamid.X1" in text
    assert DEMO_APP_SECRET not in text


def test_simulate_whatsapp_without_an_account(units: dict[str, Any]) -> None:
    with pytest.raises(CommandError, match="No WhatsApp account"):
        call_command("simulate_whatsapp", "--unit", "64.72", "--print")
