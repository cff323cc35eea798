"""The WhatsApp Cloud API webhook of one account (``/hooks/whatsapp/<account>/``).

* ``GET`` — Meta's verification: ``hub.mode=subscribe``, ``hub.verify_token`` equal to the
  account's ``verify_token`` → the ``hub.challenge`` echoed (text/plain), else 403.
* ``POST`` — a notification signed with ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of
  the raw body with the app secret>`` (compared in constant time; 403 when wrong). Its
  ``entry[].changes[].value.statuses[]`` move the delivery row whose ``provider_id`` is
  the message's ``wamid`` (or whose key came back as ``biz_opaque_callback_data``):
  ``delivered`` → DELIVERED + ``delivered_at``; ``read`` → READ + ``read_at``; never
  backwards (a late "delivered" after "read" only fills ``delivered_at``); ``failed`` → a
  sent row becomes FAILED with the error title. The same payload twice changes nothing
  more. A status for a row the worker has not recorded yet is answered 503 so that Meta
  sends it again a little later. A status of a wamid that is no delivery row goes to the
  inbox (``inbox.services.apply_whatsapp_status``: the replies sent from the inbox).
  Bodies over 1 MB → 413; malformed JSON → 400.

  Its ``entry[].changes[].value.messages[]`` (field ``messages``) are what people wrote
  to the number: each becomes an inbox message of the account's unit (``handle`` the
  sender's ``+<wa_id>``, the name from ``contacts[].profile.name``), keyed
  ``whatsapp:<account>:<wamid>`` so a payload delivered twice (or replayed with a valid
  signature) stores each message once. Text is kept as sent; media are recorded by their
  Graph media id in the text ("[gambar: <id>]", "[dokumen: <id> <file name>]" …) with the
  caption; reactions and system notices are not messages. The answer then also counts
  ``"messages"`` (new inbox messages).
"""

from __future__ import annotations

import hmac
import json
import uuid
from datetime import UTC, datetime
from typing import Any

from django.db.models import Q
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
    HttpResponseNotAllowed,
    JsonResponse,
)
from django.utils import timezone

from bakohumas.dissemination.adapters.http import sign
from bakohumas.dissemination.crypto import CredentialsUnreadable, decrypt
from bakohumas.dissemination.models import (
    ChannelAccount,
    ChannelKind,
    Delivery,
    DeliveryStatus,
)

MAX_BODY = 1024 * 1024
SIGNATURE_HEADER = "X-Hub-Signature-256"
IN_FLIGHT = (DeliveryStatus.PENDING, DeliveryStatus.SENDING)


def whatsapp(request: HttpRequest, account_pk: int) -> HttpResponse:
    account = ChannelAccount.objects.filter(pk=account_pk, kind=ChannelKind.WHATSAPP).first()
    if account is None:
        raise Http404
    try:
        secret = decrypt(account.secret_ciphertext)
    except CredentialsUnreadable:
        return HttpResponseForbidden("credentials unreadable")
    if request.method == "GET":
        return _verify(request, secret)
    if request.method != "POST":
        return HttpResponseNotAllowed(["GET", "POST"])
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BODY:
        return HttpResponse("payload too large", status=413, content_type="text/plain")
    raw = request.read(MAX_BODY + 1)
    if len(raw) > MAX_BODY:
        return HttpResponse("payload too large", status=413, content_type="text/plain")
    app_secret = str(secret.get("app_secret") or "")
    given = request.headers.get(SIGNATURE_HEADER, "")
    if not app_secret or not hmac.compare_digest(sign(app_secret, raw), given):
        return HttpResponseForbidden("bad signature")
    try:
        payload = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return HttpResponseBadRequest("malformed JSON")
    if not isinstance(payload, dict):
        return HttpResponseBadRequest("malformed payload")
    phone_number_id = str((account.config or {}).get("phone_number_id") or "")
    received = sum(
        receive_messages(account, value) for value in _message_values(payload, phone_number_id)
    )
    updated = waiting = 0
    for status in _statuses(payload, phone_number_id):
        outcome = apply_status(account, status)
        if outcome == "unknown":
            outcome = _inbox_status(status)
        updated += outcome == "updated"
        waiting += outcome == "in_flight"
    answer: dict[str, int] = {"updated": updated}
    if received:
        answer["messages"] = received
    if waiting:
        # Meta sends the notification again later; by then the worker recorded the row.
        return JsonResponse({**answer, "retry": waiting}, status=503)
    return JsonResponse(answer)


def _verify(request: HttpRequest, secret: dict[str, Any]) -> HttpResponse:
    expected = str(secret.get("verify_token") or "")
    given = request.GET.get("hub.verify_token", "")
    challenge = request.GET.get("hub.challenge", "")
    if (
        request.GET.get("hub.mode") == "subscribe"
        and expected
        and hmac.compare_digest(expected.encode(), given.encode())
        and 0 < len(challenge) <= 200
    ):
        return HttpResponse(challenge, content_type="text/plain")
    return HttpResponseForbidden("verification failed")


def _values(payload: dict[str, Any], phone_number_id: str) -> list[tuple[str, dict[str, Any]]]:
    """(field, value) of each change about this account's number."""
    found: list[tuple[str, dict[str, Any]]] = []
    entries = payload.get("entry")
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict):
            continue
        changes = entry.get("changes")
        for change in changes if isinstance(changes, list) else []:
            value = change.get("value") if isinstance(change, dict) else None
            if not isinstance(value, dict):
                continue
            metadata = value.get("metadata") if isinstance(value.get("metadata"), dict) else {}
            number = str((metadata or {}).get("phone_number_id") or "")
            if phone_number_id and number and number != phone_number_id:
                continue  # another number of the same business account
            found.append((str(change.get("field") or ""), value))
    return found


def _statuses(payload: dict[str, Any], phone_number_id: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for _field, value in _values(payload, phone_number_id):
        statuses = value.get("statuses")
        if isinstance(statuses, list):
            found.extend(s for s in statuses if isinstance(s, dict))
    return found


def _message_values(payload: dict[str, Any], phone_number_id: str) -> list[dict[str, Any]]:
    return [
        value
        for field, value in _values(payload, phone_number_id)
        if field == "messages" and isinstance(value.get("messages"), list)
    ]


def _inbox_status(status: dict[str, Any]) -> str:
    """A status of a reply sent from the inbox (no delivery row has its wamid)."""
    from bakohumas.inbox.services import apply_whatsapp_status

    wamid = str(status.get("id") or "")[:200]
    state = str(status.get("status") or "")
    error = _reason(status) if state == "failed" else ""
    return "updated" if apply_whatsapp_status(wamid, state, error) else "unknown"


# --- inbound messages ------------------------------------------------------------------------

# Media types whose Graph id (and caption) stand for the file in the text.
MEDIA_MARKERS = {
    "image": "gambar",
    "video": "video",
    "audio": "audio",
    "sticker": "stiker",
    "document": "dokumen",
}
# Message types that are not something a person wrote to us.
NOT_MESSAGES = frozenset({"reaction", "system", "ephemeral", "request_welcome"})


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def message_body(message: dict[str, Any]) -> str:
    """The text of one inbound WhatsApp message."""
    kind = _text(message.get("type"))
    part = message.get(kind) if isinstance(message.get(kind), dict) else {}
    part = part or {}
    if kind == "text":
        return _text(part.get("body"))
    if kind in MEDIA_MARKERS:
        ident = " ".join(x for x in (_text(part.get("id")), _text(part.get("filename"))) if x)
        marker = f"[{MEDIA_MARKERS[kind]}: {ident}]" if ident else f"[{MEDIA_MARKERS[kind]}]"
        return "\n".join(x for x in (marker, _text(part.get("caption"))) if x)
    if kind == "location":
        where = ", ".join(
            str(part.get(k)) for k in ("latitude", "longitude") if part.get(k) is not None
        )
        named = " ".join(x for x in (_text(part.get("name")), _text(part.get("address"))) if x)
        return f"[lokasi: {where}] {named}".strip()
    if kind == "contacts":
        contacts = message.get("contacts") if isinstance(message.get("contacts"), list) else []
        names = [
            _text((c.get("name") or {}).get("formatted_name"))
            for c in contacts or []
            if isinstance(c, dict) and isinstance(c.get("name"), dict)
        ]
        return "[kontak: " + ", ".join(n for n in names if n) + "]"
    if kind == "button":
        return _text(part.get("text")) or _text(part.get("payload")) or "[tombol]"
    if kind == "interactive":
        for key in ("button_reply", "list_reply", "nfm_reply"):
            reply = part.get(key)
            if isinstance(reply, dict):
                return _text(reply.get("title")) or _text(reply.get("body")) or "[balasan]"
        return "[balasan]"
    return f"[{kind or 'pesan'}]"


def _received_at(value: Any) -> datetime:
    return min(_when(value), timezone.now())


def receive_messages(account: ChannelAccount, value: dict[str, Any]) -> int:
    """Store the inbound messages of one change; returns how many were new."""
    from bakohumas.inbox.models import Channel, ThreadKind
    from bakohumas.inbox.services import Inbound, ingest

    names: dict[str, str] = {}
    contacts = value.get("contacts")
    for contact in contacts if isinstance(contacts, list) else []:
        if isinstance(contact, dict) and isinstance(contact.get("profile"), dict):
            names[str(contact.get("wa_id") or "")] = _text(contact["profile"].get("name"))
    stored = 0
    for message in value.get("messages") or []:
        if not isinstance(message, dict):
            continue
        sender = str(message.get("from") or "")
        wamid = str(message.get("id") or "")[:200]
        if not sender.isdigit() or not 6 <= len(sender) <= 15 or not wamid:
            continue
        if _text(message.get("type")) in NOT_MESSAGES:
            continue
        created = ingest(
            Inbound(
                unit=account.unit,
                channel=Channel.WHATSAPP,
                kind=ThreadKind.MESSAGE,
                body=message_body(message) or "[pesan]",
                handle="+" + sender,
                phone="+" + sender,
                name=names.get(sender, "")[:200],
                account=account,
                dedupe_key=f"whatsapp:{account.pk}:{wamid}",
                provider_id=wamid,
                received_at=_received_at(message.get("timestamp")),
            )
        )
        stored += created is not None
    return stored


def _when(value: Any) -> datetime:
    try:
        return datetime.fromtimestamp(int(value), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return timezone.now()


def _reason(status: dict[str, Any]) -> str:
    errors = [e for e in status.get("errors") or [] if isinstance(e, dict)]
    if not errors:
        return "WhatsApp reported the message as failed."
    error = errors[0]
    text = str(error.get("title") or error.get("message") or "failed")
    if error.get("code"):
        text += f" ({error['code']})"
    data = error.get("error_data")
    if isinstance(data, dict) and data.get("details"):
        text += f": {data['details']}"
    return text[:500]


def apply_status(account: ChannelAccount, status: dict[str, Any]) -> str:
    """Apply one status notification: "updated", "unchanged", "unknown" (no such row) or
    "in_flight" (the row is being sent; try again later)."""
    wamid = str(status.get("id") or "")[:200]
    state = str(status.get("status") or "")
    if not wamid or state not in ("sent", "delivered", "read", "failed"):
        return "unknown"
    match = Q(provider_id=wamid)
    try:
        match |= Q(key=uuid.UUID(str(status.get("biz_opaque_callback_data") or "")))
    except ValueError:
        pass
    rows = Delivery.objects.filter(match, publication__account_id=account.pk)
    row = rows.values("pk", "status").first()
    if row is None:
        return "unknown"
    if row["status"] in IN_FLIGHT:
        return "in_flight"
    mine = Delivery.objects.filter(pk=row["pk"])
    when = _when(status.get("timestamp"))
    n = 0
    if state == "delivered":
        n = mine.filter(status=DeliveryStatus.SENT).update(
            status=DeliveryStatus.DELIVERED, delivered_at=when
        )
        n += mine.filter(status=DeliveryStatus.READ, delivered_at__isnull=True).update(
            delivered_at=when
        )
    elif state == "read":
        n = mine.filter(status__in=[DeliveryStatus.SENT, DeliveryStatus.DELIVERED]).update(
            status=DeliveryStatus.READ, read_at=when
        )
        mine.filter(status=DeliveryStatus.READ, delivered_at__isnull=True).update(delivered_at=when)
    elif state == "failed":
        n = mine.filter(status=DeliveryStatus.SENT).update(
            status=DeliveryStatus.FAILED, error=_reason(status)
        )
    return "updated" if n else "unchanged"
