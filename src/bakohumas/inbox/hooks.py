"""Inbound webhooks of the inbox: Telegram bot updates and inbound email.

**Telegram** — ``POST /i/hooks/telegram/<account_pk>/`` for a channel account of kind
telegram (404 otherwise). Telegram sends the header ``X-Telegram-Bot-Api-Secret-Token``
with the ``secret_token`` given to ``setWebhook`` (telegram_setup.py); it must equal the
account secret's ``webhook_secret`` (constant-time; 403 otherwise, and an account without
one refuses everything). ``message`` and ``edited_message`` updates from a private chat
become inbox messages (text, caption, "[foto]" for a photo …), keyed
``telegram:<account>:<update_id>`` so a redelivered update is stored once. Group chats,
bots and other update kinds are answered 200 and ignored. Over 1 MB → 413; malformed JSON
→ 400.

**Email** — ``POST /i/hooks/email/<unit code>/`` with ``Authorization: Bearer <secret>``,
the secret being the unit's ``InboxSettings.webhook_secret_ciphertext`` (Fernet of
``{"secret": "…"}``, dissemination.crypto). The body is either

* ``Content-Type: message/rfc822`` — the raw MIME message, read by ``email_in.parse``; or
* ``Content-Type: application/json`` — the fields most inbound-mail providers can post::

      {"from": "warga@example.id",            # required: the sender's address
       "from_name": "Warga Samarinda",        # optional
       "subject": "Pertanyaan DPT",           # optional
       "text": "Kapan jadwal coklit?",        # the plain text ("html" used when empty)
       "html": "<p>…</p>",                    # optional, reduced to text
       "message_id": "<abc@mail.example.id>", # optional: the idempotency key
       "in_reply_to": "<inbox-42@…>",         # optional: threads a reply to ours
       "references": "<…> <…>"}               # optional

Answers: 405 for another method, 404 for an unknown unit, 403 without the right bearer
(or when the unit has no secret), 413 over 5 MB, 415 for another content type, 400 with a
reason for malformed input (nothing stored), else 200 ``{"stored": true|false}`` with
``"duplicate": true`` for a message seen before or ``"ignored": "<why>"`` for an
auto-reply, a bounce or our own mail.
"""

from __future__ import annotations

import hmac
import json
from datetime import UTC, datetime
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from bakohumas.core.models import WorkUnit
from bakohumas.dissemination.crypto import CredentialsUnreadable, decrypt
from bakohumas.dissemination.models import ChannelAccount, ChannelKind
from bakohumas.inbox import email_in
from bakohumas.inbox.models import Channel, InboxSettings, ThreadKind
from bakohumas.inbox.services import Inbound, ingest

MB = 1024 * 1024
TELEGRAM_MAX_BODY = 1 * MB
EMAIL_MAX_BODY = 5 * MB
TELEGRAM_SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _not_post() -> JsonResponse:
    response = _error(405, "Use POST.")
    response["Allow"] = "POST"
    return response


def _read_body(request: HttpRequest, limit: int) -> bytes | None:
    """The body, or None when it is larger than ``limit`` bytes."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        return None
    body = request.read(limit + 1)
    return None if len(body) > limit else body


def _same(expected: str, given: str) -> bool:
    return bool(expected) and hmac.compare_digest(expected.encode(), given.encode())


def _stored(message: Any) -> JsonResponse:
    if message is None:
        return JsonResponse({"stored": False, "duplicate": True})
    return JsonResponse({"stored": True})


# --- Telegram ------------------------------------------------------------------------------


@csrf_exempt  # posted by Telegram; authenticated by the secret-token header
def telegram(request: HttpRequest, account_pk: int) -> HttpResponse:
    if request.method != "POST":
        return _not_post()
    account = (
        ChannelAccount.objects.filter(pk=account_pk, kind=ChannelKind.TELEGRAM)
        .select_related("unit")
        .first()
    )
    if account is None:
        raise Http404
    try:
        secret = decrypt(account.secret_ciphertext)
    except CredentialsUnreadable:
        return _error(403, "The account's credentials cannot be read.")
    given = request.headers.get(TELEGRAM_SECRET_HEADER, "")
    if not _same(str(secret.get("webhook_secret") or ""), given):
        return _error(403, "Wrong or missing secret token.")
    raw = _read_body(request, TELEGRAM_MAX_BODY)
    if raw is None:
        return _error(413, f"The body is larger than {TELEGRAM_MAX_BODY} bytes.")
    try:
        update = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return _error(400, "The body is not JSON.")
    if not isinstance(update, dict) or not _is_int(update.get("update_id")):
        return _error(400, "Expected a Telegram Update object with an update_id.")
    inbound = telegram_inbound(account, update)
    if inbound is None:
        return JsonResponse({"stored": False, "ignored": "not a private message"})
    return _stored(ingest(inbound))


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _when(value: Any) -> datetime | None:
    if not _is_int(value):
        return None
    try:
        when = datetime.fromtimestamp(value, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None
    return min(when, timezone.now())


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def telegram_name(person: dict[str, Any]) -> str:
    full = " ".join(
        part.strip() for part in (_str(person.get("first_name")), _str(person.get("last_name")))
    )
    full = " ".join(full.split())
    username = _str(person.get("username")).strip()
    return (full or (f"@{username}" if username else ""))[:200]


def telegram_body(message: dict[str, Any]) -> str:
    """The text of a Telegram message; media as a marker ("[foto]" …) before the caption."""
    markers: list[str] = []
    if message.get("photo"):
        markers.append("[foto]")
    document = message.get("document")
    if isinstance(document, dict):
        file_name = _str(document.get("file_name"))
        markers.append(f"[dokumen: {file_name}]" if file_name else "[dokumen]")
    for key, marker in (
        ("video", "[video]"),
        ("video_note", "[video]"),
        ("voice", "[pesan suara]"),
        ("audio", "[audio]"),
        ("animation", "[animasi]"),
    ):
        if message.get(key) and marker not in markers:
            markers.append(marker)
    sticker = message.get("sticker")
    if isinstance(sticker, dict):
        emoji = _str(sticker.get("emoji"))
        markers.append(f"[stiker {emoji}]" if emoji else "[stiker]")
    location = message.get("location")
    if isinstance(location, dict):
        markers.append(f"[lokasi: {location.get('latitude')}, {location.get('longitude')}]")
    contact = message.get("contact")
    if isinstance(contact, dict):
        markers.append(f"[kontak: {telegram_name(contact)} {_str(contact.get('phone_number'))}]")
    text = _str(message.get("text")) or _str(message.get("caption"))
    body = "\n".join([*markers, text]).strip()
    return body or "[pesan]"


def telegram_inbound(account: ChannelAccount, update: dict[str, Any]) -> Inbound | None:
    """The inbox message of ``update``, or None when it is not one (a group, a bot, a
    callback query, a channel post …)."""
    edited = "message" not in update
    message = update.get("message") if not edited else update.get("edited_message")
    if not isinstance(message, dict):
        return None
    chat = message.get("chat")
    person = message.get("from") if isinstance(message.get("from"), dict) else {}
    if not isinstance(chat, dict) or chat.get("type") != "private" or not _is_int(chat.get("id")):
        return None
    if (person or {}).get("is_bot"):
        return None
    body = telegram_body(message)
    if edited:
        body = "[diedit] " + body
    when = _when(message.get("edit_date") if edited else message.get("date"))
    return Inbound(
        unit=account.unit,
        channel=Channel.TELEGRAM,
        kind=ThreadKind.MESSAGE,
        body=body,
        handle=str(chat["id"]),
        name=telegram_name(person or chat),
        dedupe_key=f"telegram:{account.pk}:{update['update_id']}",
        provider_id=str(message.get("message_id") or "")[:300],
        account=account,
        received_at=when,
    )


# --- email ---------------------------------------------------------------------------------


def email_webhook_secret(row: InboxSettings | None) -> str:
    """The bearer secret of a unit's inbound email webhook ("" when none is set or it
    cannot be read)."""
    if row is None or not row.webhook_secret_ciphertext:
        return ""
    try:
        return str(decrypt(row.webhook_secret_ciphertext).get("secret") or "")
    except CredentialsUnreadable:
        return ""


def _bearer(request: HttpRequest) -> str:
    scheme, _sep, given = request.headers.get("Authorization", "").partition(" ")
    return given.strip() if scheme.lower() == "bearer" else ""


@csrf_exempt  # posted by the mail provider; authenticated by the bearer secret
def email(request: HttpRequest, code: str) -> HttpResponse:
    if request.method != "POST":
        return _not_post()
    unit = WorkUnit.objects.filter(code=code).first()
    if unit is None:
        raise Http404
    secret = email_webhook_secret(InboxSettings.objects.filter(unit_id=unit.pk).first())
    if not _same(secret, _bearer(request)):
        return _error(403, "Wrong or missing bearer token.")
    raw = _read_body(request, EMAIL_MAX_BODY)
    if raw is None:
        return _error(413, f"The body is larger than {EMAIL_MAX_BODY} bytes.")
    if not raw.strip():
        return _error(400, "The body is empty.")
    content_type = request.content_type or ""
    try:
        if content_type == "message/rfc822":
            inbound = email_in.parse(raw, unit)
        elif content_type == "application/json":
            try:
                data = json.loads(raw)
            except (ValueError, UnicodeDecodeError):
                return _error(400, "The body is not JSON.")
            if not isinstance(data, dict):
                return _error(400, "Expected a JSON object.")
            inbound = email_in.from_json(data, unit, raw)
        else:
            return _error(415, "Send message/rfc822 or application/json.")
    except email_in.Ignored as exc:
        return JsonResponse({"stored": False, "ignored": str(exc)})
    except ValueError as exc:
        return _error(400, str(exc))
    return _stored(ingest(inbound))
