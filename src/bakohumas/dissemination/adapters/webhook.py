"""The generic webhook: a signed JSON POST to ``config["destination"]`` for any system
without its own adapter.

The body::

    {"event": "publication", "id": <publication id>,
     "item": {"title", "url", "text", "summary", "media": [<file URLs>]},
     "delivery": "<delivery key>"}

Headers: ``X-Bakohumas-Signature: sha256=<hex HMAC-SHA256 of the raw body with
secret["signing_secret"]>`` and ``Idempotency-Key: <delivery key>`` — a body sent again
after a worker died is byte-for-byte the same, with the same key. A 2xx answer is
success; a JSON answer may name the created object (``id``) and its ``url``. Redirects
are not followed.
"""

from __future__ import annotations

import json
from typing import Any

from django.utils.translation import gettext as _

from bakohumas.dissemination.adapters.base import (
    PermanentError,
    Prepared,
    SendResult,
    register,
)
from bakohumas.dissemination.adapters.http import HttpAdapter, is_http_url, json_of, sign

SIGNATURE_HEADER = "X-Bakohumas-Signature"


def body_of(publication: Any, prepared: Prepared, delivery: Any) -> bytes:
    payload = {
        "event": "publication",
        "id": publication.pk,
        "item": {
            "title": prepared.title,
            "url": prepared.link,
            "text": prepared.text,
            "summary": prepared.summary,
            "media": [m.url for m in prepared.media if m.url],
        },
        "delivery": str(delivery.key),
    }
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


@register
class WebhookAdapter(HttpAdapter):
    kind = "webhook"
    default_rate = 5.0

    @property
    def url(self) -> str:
        url = self.destination
        if not is_http_url(url):
            raise PermanentError(_("The webhook address is not an http(s) URL."))
        return url

    def validate(self, publication: Any, prepared: Prepared) -> list[str]:
        problems = super().validate(publication, prepared)
        if not is_http_url(self.destination):
            problems.append(_("Set the webhook address (an http or https URL)."))
        return problems

    def send(self, publication: Any, prepared: Prepared, delivery: Any) -> SendResult:
        body = body_of(publication, prepared, delivery)
        response = self.call(
            "POST",
            self.url,
            content=body,
            headers={
                "Content-Type": "application/json",
                SIGNATURE_HEADER: sign(self.token("signing_secret"), body),
                "Idempotency-Key": str(delivery.key),
            },
            ok=(200, 201, 202, 204),
        )
        data = json_of(response) if response.content else {}
        url = str(data.get("url") or "")
        return SendResult(
            provider_id=str(data.get("id") or "")[:200], url=url if is_http_url(url) else ""
        )
