"""Bounces: reading delivery status notifications (RFC 3464) and applying them.

A DSN is a ``multipart/report; report-type=delivery-status`` message. Its
``message/delivery-status`` part has one block per recipient with ``Action``, ``Status``
(``5.x.x``: permanent, ``4.x.x``: transient) and ``Diagnostic-Code`` (the remote server's
words); the original message, or its headers (``message/rfc822`` or
``text/rfc822-headers``), carries our ``X-Bakohumas-Delivery`` header and the
``Message-ID`` ``<delivery key@host>`` (adapters/email.py), which find the delivery row.

Applying a bounce (:func:`apply_bounce`):

* **hard** (5.x.x, or a provider's "hard"): the delivery becomes *bounced* with the reason,
  its subscriber *bounced*, and the address is suppressed (never sent anything again);
* **soft** (4.x.x): the reason is noted on the delivery and the subscriber's
  ``soft_bounces`` goes up by one; the :data:`SOFT_LIMIT`-th soft bounce of an address
  counts as hard. A delivery counts once, however many notices its message causes
  (servers send "delayed" warnings, then a final notice);
* **complaint** (a provider's spam report): as hard, suppressed as a complaint.

Everything is idempotent: the same notice read twice changes nothing the second time.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from email import policy
from email.message import Message
from email.parser import BytesParser, HeaderParser
from enum import StrEnum
from typing import Any

from django.db import transaction
from django.db.models import F

from bakohumas.dissemination.adapters.email import DELIVERY_HEADER
from bakohumas.dissemination.models import (
    Delivery,
    DeliveryStatus,
    Subscriber,
    SubscriberStatus,
    Suppression,
)
from bakohumas.dissemination.subscriptions import suppress

SOFT_LIMIT = 3
SOFT_PREFIX = "Soft bounce: "
HARD_PREFIX = "Bounced: "
COMPLAINT_PREFIX = "Spam complaint: "

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
_STATUS = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
_HEADER_IN_TEXT = re.compile(rf"^{re.escape(DELIVERY_HEADER)}:\s*({_UUID.pattern})", re.I | re.M)


class Kind(StrEnum):
    HARD = "hard"
    SOFT = "soft"
    COMPLAINT = "complaint"


class Outcome(StrEnum):
    HARD = "hard"  # applied as a hard bounce (or a complaint, or the last soft one)
    SOFT = "soft"  # applied as a soft bounce
    DUPLICATE = "duplicate"  # already applied
    UNKNOWN = "unknown"  # a bounce, but of no delivery we know
    IGNORED = "ignored"  # not a bounce (another message, a success report)


@dataclass
class Bounce:
    """One failed recipient of a delivery status notification."""

    kind: Kind
    recipient: str
    status: str
    reason: str
    delivery_key: uuid.UUID | None


# --- parsing ----------------------------------------------------------------------------


def parse_bytes(raw: bytes) -> Message:
    return BytesParser(policy=policy.default).parsebytes(raw)


def key_from_message_id(value: str) -> uuid.UUID | None:
    """The delivery key in a Message-ID ``<key@host>`` (or ``key@host`` or ``key``)."""
    value = (value or "").strip().strip("<>").strip()
    local = value.split("@", 1)[0]
    match = _UUID.fullmatch(local)
    return uuid.UUID(match.group(0)) if match else None


def _header(message: Any, name: str) -> str:
    try:
        value = message.get(name)
    except Exception:  # a malformed header in a stranger's message
        return ""
    return " ".join(str(value).split()) if value is not None else ""


def _key_from_headers(headers: Any) -> uuid.UUID | None:
    marked = _header(headers, DELIVERY_HEADER)
    match = _UUID.fullmatch(marked) if marked else None
    if match:
        return uuid.UUID(match.group(0))
    return key_from_message_id(_header(headers, "Message-ID"))


def _original_key(message: Message) -> uuid.UUID | None:
    for part in message.walk():
        content_type = part.get_content_type()
        if content_type in ("message/rfc822", "message/global"):
            payload = part.get_payload()
            original = payload[0] if isinstance(payload, list) and payload else None
            if isinstance(original, Message):
                key = _key_from_headers(original)
                if key is not None:
                    return key
        elif content_type in ("text/rfc822-headers", "message/global-headers"):
            raw = part.get_payload(decode=True)
            text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw or "")
            key = _key_from_headers(HeaderParser(policy=policy.default).parsestr(text))
            if key is not None:
                return key
    # Some servers quote the original as plain text.
    for part in message.walk():
        if part.get_content_maintype() == "text":
            raw = part.get_payload(decode=True)
            text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else ""
            match = _HEADER_IN_TEXT.search(text)
            if match:
                return uuid.UUID(match.group(1))
    return None


def _address(value: str) -> str:
    # "rfc822; someone@example.id"
    return value.split(";", 1)[-1].strip().strip("<>").strip()


def _reason(block: Any, status: str) -> str:
    diagnostic = _header(block, "Diagnostic-Code")
    if ";" in diagnostic:
        kind, _sep, rest = diagnostic.partition(";")
        if kind.strip().lower() in ("smtp", "x-unix", "x-postfix", "x-local"):
            diagnostic = rest.strip()
    return (diagnostic or status)[:480]


def parse_dsn(message: Message) -> list[Bounce]:
    """The failed recipients reported by ``message`` (empty when it is not a DSN or reports
    only successes)."""
    if message.get_content_type() != "multipart/report":
        return []
    if str(message.get_param("report-type") or "").lower() != "delivery-status":
        return []
    key = _original_key(message)
    bounces: list[Bounce] = []
    for part in message.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        blocks = part.get_payload()
        if not isinstance(blocks, list):
            continue
        for block in blocks[1:]:  # the first block is about the message, not a recipient
            if not isinstance(block, Message):
                continue
            action = _header(block, "Action").lower()
            status_text = _header(block, "Status")
            match = _STATUS.search(status_text)
            if match is None or action in ("delivered", "relayed", "expanded"):
                continue
            status = ".".join(match.groups())
            if match.group(1) == "5" and action == "failed":
                kind = Kind.HARD
            elif match.group(1) in ("4", "5"):
                kind = Kind.SOFT
            else:
                continue
            recipient = _address(
                _header(block, "Final-Recipient") or _header(block, "Original-Recipient")
            )
            bounces.append(Bounce(kind, recipient, status, _reason(block, status), key))
    return bounces


# --- applying ------------------------------------------------------------------------------


def find_delivery(key: uuid.UUID | None) -> Delivery | None:
    if key is None:
        return None
    return Delivery.objects.filter(key=key).first()


def _apply_hard(delivery: Delivery, kind: Kind, reason: str) -> None:
    prefix = COMPLAINT_PREFIX if kind == Kind.COMPLAINT else HARD_PREFIX
    delivery.status = DeliveryStatus.BOUNCED
    delivery.error = (prefix + reason)[:500]
    delivery.save(update_fields=["status", "error", "updated_at"])
    if delivery.subscriber_id is not None:
        subscriber = (
            Subscriber.objects.select_for_update().filter(pk=delivery.subscriber_id).first()
        )
        if subscriber is not None and subscriber.status != SubscriberStatus.UNSUBSCRIBED:
            subscriber.status = SubscriberStatus.BOUNCED
            subscriber.save(update_fields=["status"])
    suppress(
        delivery.recipient,
        Suppression.Reason.COMPLAINT if kind == Kind.COMPLAINT else Suppression.Reason.HARD_BOUNCE,
        reason,
    )


def _soft_count(delivery: Delivery) -> int:
    """The soft bounces of the delivery's address, this one included."""
    if delivery.subscriber_id is not None:
        Subscriber.objects.filter(pk=delivery.subscriber_id).update(
            soft_bounces=F("soft_bounces") + 1
        )
        count = (
            Subscriber.objects.filter(pk=delivery.subscriber_id)
            .values_list("soft_bounces", flat=True)
            .first()
        )
        return int(count or 0)
    # A stakeholder contact has no counter: count its soft-bounced deliveries.
    return Delivery.objects.filter(
        recipient__iexact=delivery.recipient, error__startswith=SOFT_PREFIX
    ).count()


def apply_bounce(delivery: Delivery, kind: Kind | str, reason: str) -> Outcome:
    """Apply one bounce of ``delivery`` (see the module docstring); idempotent."""
    kind = Kind(kind)
    reason = " ".join((reason or "").split()) or kind.value
    with transaction.atomic():
        row = Delivery.objects.select_for_update().filter(pk=delivery.pk).first()
        if row is None:
            return Outcome.UNKNOWN
        if row.status == DeliveryStatus.BOUNCED:
            return Outcome.DUPLICATE
        if kind != Kind.SOFT:
            _apply_hard(row, kind, reason)
            return Outcome.HARD
        if row.error.startswith(SOFT_PREFIX):
            return Outcome.DUPLICATE
        row.error = (SOFT_PREFIX + reason)[:500]
        row.save(update_fields=["error", "updated_at"])
        count = _soft_count(row)
        if count >= SOFT_LIMIT:
            _apply_hard(row, Kind.HARD, f"{count} soft bounces; the last: {reason}")
            return Outcome.HARD
    return Outcome.SOFT


def process_message(message: Message) -> Outcome:
    """Apply the delivery status notification ``message``: the most severe failure it
    reports for the delivery it quotes."""
    bounces = parse_dsn(message)
    if not bounces:
        return Outcome.IGNORED
    bounce = next((b for b in bounces if b.kind == Kind.HARD), bounces[0])
    delivery = find_delivery(bounce.delivery_key)
    if delivery is None:
        return Outcome.UNKNOWN
    reason = bounce.reason if bounce.status in bounce.reason else f"{bounce.status} {bounce.reason}"
    return apply_bounce(delivery, bounce.kind, reason)


def process_bytes(raw: bytes) -> Outcome:
    try:
        message = parse_bytes(raw)
    except Exception:  # not a message at all
        return Outcome.IGNORED
    return process_message(message)
