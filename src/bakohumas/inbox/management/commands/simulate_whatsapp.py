"""Send a signed WhatsApp Cloud API webhook payload to a running Bakohumas, as Meta would.

    bakohumas simulate_whatsapp --unit 64.72 --text "Halo KPU, kapan coklit?"
    bakohumas simulate_whatsapp --unit 64.72 --message-id wamid.DEMO1 --repeat 2

The payload has Meta's documented shape (``object: whatsapp_business_account``,
``entry[].changes[].value.messages[]`` with ``contacts[].profile.name``) and is signed with
the account's app secret (``X-Hub-Signature-256``). ``--repeat 2`` posts the very same
bytes twice: the second delivery must create nothing. ``--print`` shows the curl command
instead of sending.
"""

from __future__ import annotations

import json
import shlex
import time
import uuid
from typing import Any

import httpx
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse

from bakohumas.dissemination.adapters.http import sign
from bakohumas.dissemination.crypto import CredentialsUnreadable, decrypt
from bakohumas.dissemination.models import ChannelAccount, ChannelKind


def build_payload(
    phone_number_id: str, sender: str, name: str, text: str, message_id: str
) -> dict[str, Any]:
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "WHATSAPP_BUSINESS_ACCOUNT_ID",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "6281155006472",
                                "phone_number_id": phone_number_id,
                            },
                            "contacts": [{"profile": {"name": name}, "wa_id": sender}],
                            "messages": [
                                {
                                    "from": sender,
                                    "id": message_id,
                                    "timestamp": str(int(time.time())),
                                    "type": "text",
                                    "text": {"body": text},
                                }
                            ],
                        },
                    }
                ],
            }
        ],
    }


class Command(BaseCommand):
    help = "Post a signed WhatsApp webhook message to a running server (demo and testing)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", default="64.72", help="work unit code")
        parser.add_argument("--account", type=int, help="channel account id (default: first)")
        parser.add_argument("--from", dest="sender", default="6281250009876")
        parser.add_argument("--name", default="Warga Samarinda")
        parser.add_argument("--text", default="Halo KPU, kapan jadwal coklit di kelurahan saya?")
        parser.add_argument("--message-id", default="")
        parser.add_argument("--url", default="http://127.0.0.1:8000", help="server address")
        parser.add_argument("--repeat", type=int, default=1, help="post the same bytes N times")
        parser.add_argument("--print", action="store_true", help="print a curl command only")

    def handle(self, *args: Any, **options: Any) -> None:
        accounts = ChannelAccount.objects.filter(
            kind=ChannelKind.WHATSAPP, unit__code=options["unit"]
        ).order_by("id")
        if options["account"]:
            accounts = accounts.filter(pk=options["account"])
        account = accounts.first()
        if account is None:
            raise CommandError(f"No WhatsApp account for unit {options['unit']}.")
        try:
            app_secret = str(decrypt(account.secret_ciphertext).get("app_secret") or "")
        except CredentialsUnreadable as exc:
            raise CommandError("The account's credentials cannot be read.") from exc
        if not app_secret:
            raise CommandError("The account has no app secret.")
        message_id = options["message_id"] or f"wamid.SIM{uuid.uuid4().hex[:24].upper()}"
        payload = build_payload(
            str((account.config or {}).get("phone_number_id") or ""),
            options["sender"].lstrip("+"),
            options["name"],
            options["text"],
            message_id,
        )
        body = json.dumps(payload, ensure_ascii=False).encode()
        signature = sign(app_secret, body)
        url = options["url"].rstrip("/") + reverse(
            "dissemination_public:hook_whatsapp", args=[account.pk]
        )
        if options["print"]:
            self.stdout.write(
                "curl -X POST -H 'Content-Type: application/json' "
                f"-H 'X-Hub-Signature-256: {signature}' --data {shlex.quote(body.decode())} {url}"
            )
            return
        for attempt in range(1, max(1, options["repeat"]) + 1):
            try:
                response = httpx.post(
                    url,
                    content=body,
                    headers={"Content-Type": "application/json", "X-Hub-Signature-256": signature},
                    timeout=10,
                )
            except httpx.HTTPError as exc:
                raise CommandError(f"Could not reach {url}: {exc}") from exc
            self.stdout.write(
                f"#{attempt} {message_id}: HTTP {response.status_code} {response.text}"
            )
