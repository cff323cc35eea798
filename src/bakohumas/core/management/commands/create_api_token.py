"""``bakohumas create_api_token USERNAME [--name NAME]``: issue a personal API token.

Only the token is written to standard output (so ``TOKEN=$(bakohumas create_api_token
budi)`` works); it is not stored in clear and cannot be shown again.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from bakohumas.api.services import issue_token


class Command(BaseCommand):
    help = "Create a personal API token for USERNAME and print it (only the token)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="The user the token acts for.")
        parser.add_argument(
            "--name",
            default="",
            help="What the token is for (default: “Command line” and the date and time).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        username: str = options["username"]
        user_model = get_user_model()
        try:
            user = user_model.objects.get(**{user_model.USERNAME_FIELD: username})
        except user_model.DoesNotExist:
            raise CommandError(f"Unknown user: “{username}”.") from None
        if not user.is_active:
            raise CommandError(f"The account “{username}” is disabled.")
        name = options["name"] or f"Command line {timezone.now():%Y-%m-%d %H:%M:%S} UTC"
        try:
            _token, plain = issue_token(user, name)
        except ValidationError as exc:
            messages = [m for msgs in exc.message_dict.values() for m in msgs]
            raise CommandError(" ".join(messages)) from None
        self.stdout.write(plain)
