"""The bounce webhook of an email provider: ``POST /d/hooks/email/bounces/``.

::

    Authorization: Bearer <EMAIL_WEBHOOK_SECRET>
    Content-Type: application/json

    {"events": [{"message_id": "<key@host>", "recipient": "a@b.id",
                 "type": "hard" | "soft" | "complaint", "reason": "550 5.1.1 ..."}]}

Answers 404 while ``EMAIL_WEBHOOK_SECRET`` is unset (the hook is off), 405 for another
method, 403 without the right secret (compared in constant time), 413 for a body over
:data:`MAX_BODY` bytes, 400 with a reason for anything malformed (and then nothing is
applied), else 200 with the counts ``{"hard": n, "soft": n, "duplicate": n,
"unknown": n}``.
"""

from __future__ import annotations

import hmac
import json
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from bakohumas.dissemination.bounces import Kind, Outcome, apply_bounce, find_delivery
from bakohumas.dissemination.bounces import key_from_message_id as _key

MAX_BODY = 1024 * 1024
MAX_EVENTS = 1000


class Malformed(Exception):
    pass


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _authorised(request: HttpRequest, secret: str) -> bool:
    header = request.headers.get("Authorization", "")
    scheme, _sep, given = header.partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), secret.encode())


def _read_body(request: HttpRequest) -> bytes | None:
    """The body, or None when it is larger than MAX_BODY."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BODY:
        return None
    body = request.read(MAX_BODY + 1)
    return None if len(body) > MAX_BODY else body


def _events(body: bytes) -> list[dict[str, str]]:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise Malformed(f"The body is not JSON: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("events"), list):
        raise Malformed('Expected an object with an "events" list.')
    events: list[dict[str, str]] = []
    if len(data["events"]) > MAX_EVENTS:
        raise Malformed(f"At most {MAX_EVENTS} events per request.")
    for index, event in enumerate(data["events"]):
        if not isinstance(event, dict):
            raise Malformed(f"events[{index}] is not an object.")
        message_id = event.get("message_id")
        kind = event.get("type")
        recipient = event.get("recipient", "")
        reason = event.get("reason", "")
        if not isinstance(message_id, str) or not message_id.strip():
            raise Malformed(f"events[{index}].message_id must be a non-empty string.")
        if kind not in {k.value for k in Kind}:
            raise Malformed(f'events[{index}].type must be "hard", "soft" or "complaint".')
        if not isinstance(recipient, str) or not isinstance(reason, str):
            raise Malformed(f"events[{index}].recipient and .reason must be strings.")
        events.append(
            {
                "message_id": message_id[:500],
                "type": kind,
                "recipient": recipient[:254],
                "reason": reason[:480],
            }
        )
    return events


def email_bounces(request: HttpRequest) -> HttpResponse:
    secret = getattr(settings, "EMAIL_WEBHOOK_SECRET", "")
    if not secret:
        return _error(404, "The bounce webhook is not enabled.")
    if request.method != "POST":
        response = _error(405, "Use POST.")
        response["Allow"] = "POST"
        return response
    if not _authorised(request, secret):
        return _error(403, "Wrong or missing bearer token.")
    body = _read_body(request)
    if body is None:
        return _error(413, f"The body is larger than {MAX_BODY} bytes.")
    try:
        events = _events(body)
    except Malformed as exc:
        return _error(400, str(exc))
    counts: dict[str, Any] = {o.value: 0 for o in Outcome if o != Outcome.IGNORED}
    for event in events:
        delivery = find_delivery(_key(event["message_id"]))
        if delivery is None:
            counts[Outcome.UNKNOWN] += 1
            continue
        reason = event["reason"] or event["type"]
        counts[apply_bounce(delivery, event["type"], reason)] += 1
    return JsonResponse(counts)
