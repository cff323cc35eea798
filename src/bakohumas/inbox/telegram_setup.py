"""Pointing a Telegram bot at the inbox: ``setWebhook`` with a secret token.

:func:`set_telegram_webhook` generates a new random secret, calls the Bot API's
``setWebhook`` with it as ``secret_token`` (Telegram then sends it in the
``X-Telegram-Bot-Api-Secret-Token`` header of every update, which hooks.py checks) and,
once Telegram accepted, stores it as ``webhook_secret`` in the account's encrypted secret.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from bakohumas.dissemination.adapters.base import AdapterError
from bakohumas.dissemination.adapters.telegram import TelegramAdapter
from bakohumas.dissemination.crypto import encrypt
from bakohumas.dissemination.models import ChannelAccount, ChannelKind
from bakohumas.inbox.services import InboxError

ALLOWED_UPDATES = ["message", "edited_message"]


def hook_url(account: ChannelAccount) -> str:
    """The public address of the account's inbox webhook (``SITE_URL`` + the path)."""
    return settings.SITE_URL + reverse("inbox_hooks:telegram", args=[account.pk])


def set_telegram_webhook(account: ChannelAccount, url: str | None = None) -> None:
    """Have Telegram post the bot's updates to ``url`` (default :func:`hook_url`) with a
    new secret token. Raises ``InboxError`` with the reason when Telegram refuses; the
    stored secret is then unchanged."""
    if account.kind != ChannelKind.TELEGRAM:
        raise InboxError(_("Only a Telegram account can receive messages through a bot."))
    target = url or hook_url(account)
    if not target.startswith("https://"):
        raise InboxError(_("Telegram only posts updates to an https:// address."), field="url")
    token = secrets.token_urlsafe(32)  # A-Z a-z 0-9 _ -: what Telegram allows
    adapter = TelegramAdapter(account)
    try:
        adapter.call(
            "POST",
            adapter.method_url("setWebhook"),
            json={"url": target, "secret_token": token, "allowed_updates": ALLOWED_UPDATES},
        )
        secret = dict(adapter.secret)
    except AdapterError as exc:
        raise InboxError(
            _("Telegram did not set the webhook: %(reason)s") % {"reason": exc.reason}
        ) from exc
    finally:
        adapter.close()
    secret["webhook_secret"] = token
    account.secret_ciphertext = encrypt(secret)
    account.save(update_fields=["secret_ciphertext", "updated_at"])
