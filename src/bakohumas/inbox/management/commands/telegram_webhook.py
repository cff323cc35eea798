"""Point a unit's Telegram bot at the inbox: ``bakohumas telegram_webhook --account ID``.

Calls the Bot API's ``setWebhook`` with a new secret token (``SITE_URL`` must be the
public https address of the site, or give ``--url``)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bakohumas.dissemination.models import ChannelAccount, ChannelKind
from bakohumas.inbox.services import InboxError
from bakohumas.inbox.telegram_setup import hook_url, set_telegram_webhook


class Command(BaseCommand):
    help = "Have Telegram send a bot's messages to the inbox (setWebhook with a secret token)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--account", type=int, required=True, help="channel account id")
        parser.add_argument("--url", default="", help="https address (default: SITE_URL + path)")

    def handle(self, *args: Any, **options: Any) -> None:
        account = ChannelAccount.objects.filter(
            pk=options["account"], kind=ChannelKind.TELEGRAM
        ).first()
        if account is None:
            raise CommandError(f"No Telegram account with id {options['account']}.")
        url = options["url"] or hook_url(account)
        try:
            set_telegram_webhook(account, url)
        except InboxError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Telegram now posts the bot's messages to {url}")
