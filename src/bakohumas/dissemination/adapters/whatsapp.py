"""WhatsApp Cloud API: approved template messages to opted-in contacts.

A business may only start a conversation with a template Meta approved, so a broadcast
sends ``publication.template_name`` in ``publication.template_language`` to each row's
number (E.164 without "+"), ``POST /{phone-number-id}/messages``::

    {"messaging_product": "whatsapp", "recipient_type": "individual", "to": "62812…",
     "type": "template",
     "template": {"name": …, "language": {"code": "id"},
                  "components": [{"type": "header", "parameters": [{"type": "image",
                                   "image": {"link": …}}]},
                                 {"type": "body", "parameters": [{"type": "text",
                                   "text": <title>}, {"type": "text", "text": <link>}]}]},
     "biz_opaque_callback_data": <delivery key>}

The answer names the message (``messages[0].id``, a ``wamid``); the status webhook
(``whatsapp_hook``) later reports delivered / read / failed for it. The Cloud API has no
idempotency key: the delivery key travels as ``biz_opaque_callback_data`` so a message
repeated after a worker died can be recognised in the webhooks.

Settings: ``config["phone_number_id"]``, ``config["api_base"]`` (default
https://graph.facebook.com/v21.0), ``config["template_header"]`` ("auto": the item's first
image, video or PDF as the header; "none": templates without a media header);
``secret["access_token"]``, ``secret["app_secret"]`` and ``secret["verify_token"]`` (the
webhook).
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

import httpx
from django.utils.translation import gettext as _

from bakohumas.dissemination.adapters.base import (
    AdapterError,
    MediaFile,
    PermanentError,
    Prepared,
    SendResult,
    register,
)
from bakohumas.dissemination.adapters.graph import GRAPH_BASE, graph_error
from bakohumas.dissemination.adapters.http import HttpAdapter, json_of

MB = 1024 * 1024
TEMPLATE_NAME = re.compile(r"^[a-z0-9_]{1,512}$")
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(_[A-Za-z]{2,4})?$")
RECIPIENT = re.compile(r"^[1-9][0-9]{6,14}$")
# Template parameters may not hold new lines, tabs or more than four spaces in a row.
_SPACES = re.compile(r"\s+")
HEADER_TYPES = {"image": "image", "video": "video", "pdf": "document"}


def parameter_text(value: str, limit: int = 1024) -> str:
    return _SPACES.sub(" ", value or "").strip()[:limit]


@register
class WhatsAppAdapter(HttpAdapter):
    kind = "whatsapp"
    default_api_base = GRAPH_BASE
    # The Cloud API's default throughput: 80 messages per second per number.
    default_rate = 80.0
    # Media the Cloud API takes (header of a template): images 5 MB, video and audio
    # 16 MB, documents 100 MB.
    media_limits: ClassVar[dict[str, int]] = {
        "image": 5 * MB,
        "video": 16 * MB,
        "audio": 16 * MB,
        "pdf": 100 * MB,
    }

    def error_for(self, response: httpx.Response) -> AdapterError:
        return graph_error(self, response)

    @property
    def phone_number_id(self) -> str:
        return str(self.config.get("phone_number_id") or "").strip()

    def check_credentials(self) -> None:
        if not self.phone_number_id:
            raise PermanentError(_("Set the phone number ID first."))
        self.call(
            "GET",
            f"{self.api_base}/{self.phone_number_id}",
            params={"fields": "display_phone_number,verified_name"},
            headers={"Authorization": f"Bearer {self.token()}"},
        )

    def header_media(self, prepared: Prepared) -> MediaFile | None:
        if str(self.config.get("template_header") or "auto") == "none":
            return None
        for media in prepared.media:
            if media.kind in HEADER_TYPES and media.url:
                return media
        return None

    def validate(self, publication: Any, prepared: Prepared) -> list[str]:
        problems = super().validate(publication, prepared)
        problems += self.missing_settings("phone_number_id")
        if publication.template_name and not TEMPLATE_NAME.match(publication.template_name):
            problems.append(
                _(
                    "“%s” is not a WhatsApp template name (lower-case letters, digits and "
                    "underscores)."
                )
                % publication.template_name[:100]
            )
        language = publication.template_language or "id"
        if not LANGUAGE_CODE.match(language):
            problems.append(
                _("“%s” is not a WhatsApp template language code (e.g. id, en_US).") % language[:20]
            )
        return problems

    def message(self, publication: Any, prepared: Prepared, to: str, key: str) -> dict[str, Any]:
        components: list[dict[str, Any]] = []
        header = self.header_media(prepared)
        if header is not None:
            kind = HEADER_TYPES[header.kind]
            media: dict[str, Any] = {"link": header.url}
            if kind == "document":
                media["filename"] = header.name
            components.append({"type": "header", "parameters": [{"type": kind, kind: media}]})
        components.append(
            {
                "type": "body",
                "parameters": [
                    {"type": "text", "text": parameter_text(prepared.title)},
                    {"type": "text", "text": parameter_text(prepared.link)},
                ],
            }
        )
        return {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": to,
            "type": "template",
            "template": {
                "name": publication.template_name,
                "language": {"code": publication.template_language or "id"},
                "components": components,
            },
            "biz_opaque_callback_data": key,
        }

    def send(self, publication: Any, prepared: Prepared, delivery: Any) -> SendResult:
        to = str(delivery.recipient).lstrip("+")
        if not RECIPIENT.match(to):
            raise PermanentError(_("%s is not a WhatsApp number in international form.") % to)
        if not self.phone_number_id:
            raise PermanentError(_("Set the phone number ID in the account settings."))
        response = self.call(
            "POST",
            f"{self.api_base}/{self.phone_number_id}/messages",
            json=self.message(publication, prepared, to, str(delivery.key)),
            headers={"Authorization": f"Bearer {self.token()}"},
            publishing=True,
        )
        messages = json_of(response).get("messages") or []
        first = messages[0] if messages and isinstance(messages[0], dict) else {}
        wamid = str(first.get("id") or "")
        if not wamid:
            raise PermanentError(_("WhatsApp accepted the message without naming it."))
        return SendResult(provider_id=wamid)
