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
  sends it again a little later. Bodies over 1 MB → 413; malformed JSON → 400.
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
    updated = waiting = 0
    for status in _statuses(payload, phone_number_id):
        outcome = apply_status(account, status)
        updated += outcome == "updated"
        waiting += outcome == "in_flight"
    if waiting:
        # Meta sends the notification again later; by then the worker recorded the row.
        return JsonResponse({"updated": updated, "retry": waiting}, status=503)
    return JsonResponse({"updated": updated})


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


def _statuses(payload: dict[str, Any], phone_number_id: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for entry in payload.get("entry") or []:
        if not isinstance(entry, dict):
            continue
        for change in entry.get("changes") or []:
            value = change.get("value") if isinstance(change, dict) else None
            if not isinstance(value, dict):
                continue
            metadata = value.get("metadata") if isinstance(value.get("metadata"), dict) else {}
            number = str((metadata or {}).get("phone_number_id") or "")
            if phone_number_id and number and number != phone_number_id:
                continue  # another number of the same business account
            found.extend(s for s in value.get("statuses") or [] if isinstance(s, dict))
    return found


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
