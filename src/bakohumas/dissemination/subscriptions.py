"""Mailing-list subscriptions: double opt-in, confirmation and unsubscribe.

* :func:`request` (alias :func:`subscribe`) records a request to join a list and emails a
  confirmation link. A new address is stored *pending*; an address that unsubscribed or
  hard-bounced keeps that status until the owner confirms again (a stranger cannot undo
  an unsubscribe); a confirmed address gets a short notice instead. Callers answer the
  same whatever happened (no address enumeration). At most one email per address and list
  every :data:`MAIL_INTERVAL` seconds (the form cannot be used to flood a mailbox).
* The confirmation link carries a signed token (:func:`confirmation_token`, valid
  :data:`CONFIRM_MAX_AGE`) with the subscriber, the address, where and when it was asked
  for; :func:`confirm` makes the subscriber *confirmed* and records that as the consent
  the campaigns rely on. A link issued before the address last unsubscribed is refused.
* :func:`unsubscribe` (a subscriber) and :func:`unsubscribe_delivery` (the one-click link
  of a campaign message, RFC 8058) stop the mail; both are idempotent.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from bakohumas.core.mail import UNIT_HEADER
from bakohumas.dissemination.links import absolute
from bakohumas.dissemination.models import (
    ChannelKind,
    Delivery,
    MailingList,
    Subscriber,
    SubscriberStatus,
    Suppression,
)

logger = logging.getLogger(__name__)

CONFIRM_SALT = "bakohumas.dissemination.confirm"
CONFIRM_MAX_AGE = 7 * 24 * 3600
# One confirmation email per address and list in this many seconds.
MAIL_INTERVAL = 300
MAX_SOURCE = 60


def normal_email(value: str) -> str:
    """``value`` as stored: trimmed, the domain in lower case (the engine does the same).
    Raises ``ValidationError`` with a message for the form."""
    value = (value or "").strip()
    if len(value) > 254:
        raise ValidationError(_("An email address has at most 254 characters."))
    try:
        validate_email(value)
    except ValidationError:
        raise ValidationError(_("Enter a valid email address.")) from None
    local, _sep, domain = value.rpartition("@")
    return f"{local}@{domain.lower()}"


def _clean_name(value: str) -> str:
    return " ".join((value or "").split())[:200]


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


# --- tokens ------------------------------------------------------------------------------


@dataclass
class Confirmation:
    """What a valid confirmation token says."""

    subscriber_id: int
    email: str
    name: str
    ip: str
    source: str
    issued_at: float


def confirmation_token(
    subscriber: Subscriber, *, name: str = "", ip: str = "", source: str = "portal"
) -> str:
    payload = {
        "s": subscriber.pk,
        "e": subscriber.email,
        "n": name,
        "ip": ip,
        "src": source[:MAX_SOURCE],
        "t": time.time(),
    }
    return signing.dumps(payload, salt=CONFIRM_SALT, compress=True)


class TokenExpired(Exception):
    """A correctly signed confirmation token older than :data:`CONFIRM_MAX_AGE`."""

    def __init__(self, confirmation: Confirmation | None) -> None:
        super().__init__("expired")
        self.confirmation = confirmation


def _confirmation(value: Any) -> Confirmation | None:
    if not isinstance(value, dict):
        return None
    try:
        return Confirmation(
            subscriber_id=int(value["s"]),
            email=str(value["e"]),
            name=str(value.get("n", "")),
            ip=str(value.get("ip", "")),
            source=str(value.get("src", "")),
            issued_at=float(value["t"]),
        )
    except (KeyError, TypeError, ValueError):
        return None


def read_confirmation_token(token: str) -> Confirmation | None:
    """The confirmation in ``token``; ``None`` when it is not ours; raises
    :class:`TokenExpired` when it is ours but too old."""
    try:
        value = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.SignatureExpired:
        try:
            old = signing.loads(token, salt=CONFIRM_SALT)
        except signing.BadSignature:
            old = None
        raise TokenExpired(_confirmation(old)) from None
    except signing.BadSignature:
        return None
    return _confirmation(value)


def confirm_url(token: str) -> str:
    return absolute(reverse("dissemination_public:confirm", args=[token]))


def unsubscribe_url(subscriber: Subscriber) -> str:
    return absolute(reverse("dissemination_public:unsubscribe_subscriber", args=[subscriber.token]))


# --- subscribing ---------------------------------------------------------------------------


def _throttle_key(mailing_list_id: int, email: str) -> str:
    digest = hashlib.sha256(email.lower().encode()).hexdigest()[:32]
    return f"bkh:subscribe-mail:{mailing_list_id}:{digest}"


def request(
    mailing_list: MailingList,
    email: str,
    name: str = "",
    *,
    source: str = "portal",
    ip: str = "",
) -> Subscriber:
    """Ask ``email`` to join ``mailing_list`` (double opt-in): store or refresh the
    subscriber and email the confirmation link (after the transaction commits). ``source``
    says where the request came from ("portal", "staff: <name>") and becomes part of the
    consent record; ``ip`` is the requester's address. Raises ``ValidationError`` for an
    invalid address; anything else gives no sign of whether the address was known."""
    address = normal_email(email)
    name = _clean_name(name)
    with transaction.atomic():
        subscriber = (
            Subscriber.objects.select_for_update()
            .filter(mailing_list=mailing_list, email__iexact=address)
            .first()
        )
        if subscriber is None:
            try:
                with transaction.atomic():
                    subscriber = Subscriber.objects.create(
                        mailing_list=mailing_list,
                        email=address,
                        name=name,
                        status=SubscriberStatus.PENDING,
                    )
            except IntegrityError:  # the same address at the same moment
                subscriber = Subscriber.objects.get(
                    mailing_list=mailing_list, email__iexact=address
                )
        elif subscriber.status == SubscriberStatus.PENDING:
            subscriber.subscribed_at = timezone.now()
            subscriber.save(update_fields=["subscribed_at"])
        # Unsubscribed or bounced: unchanged until the owner of the address confirms.
        # Confirmed: nothing to do; the owner is told so by email.
        if cache.add(_throttle_key(mailing_list.pk, address), 1, MAIL_INTERVAL):
            token = confirmation_token(subscriber, name=name, ip=ip, source=source)
            pk = subscriber.pk
            transaction.on_commit(lambda: _send_confirmation(pk, token))
    return subscriber


subscribe = request


def _send_confirmation(subscriber_id: int, token: str) -> bool:
    subscriber = (
        Subscriber.objects.select_related("mailing_list__unit").filter(pk=subscriber_id).first()
    )
    if subscriber is None:
        return False
    mailing_list = subscriber.mailing_list
    unit = mailing_list.unit
    context = {
        "subscriber": subscriber,
        "mailing_list": mailing_list,
        "unit": unit,
        "already": subscriber.status == SubscriberStatus.CONFIRMED,
        "confirm_url": confirm_url(token),
        "unsubscribe_url": unsubscribe_url(subscriber),
        "max_age_days": CONFIRM_MAX_AGE // 86400,
    }
    text = render_to_string("dissemination/email/confirm.txt", context)
    html = render_to_string("dissemination/email/confirm.html", context)
    subject = (
        _("You are subscribed to “%(list)s”")
        if context["already"]
        else _("Confirm your subscription to “%(list)s”")
    ) % {"list": mailing_list.name}
    sender = settings.DEFAULT_FROM_EMAIL
    if mailing_list.from_name:
        from email.utils import formataddr, parseaddr

        sender = formataddr((mailing_list.from_name, parseaddr(settings.DEFAULT_FROM_EMAIL)[1]))
    message = EmailMultiAlternatives(
        subject=subject.replace("\n", " "),
        body=text,
        from_email=sender,
        to=[subscriber.email],
        reply_to=[mailing_list.reply_to] if mailing_list.reply_to else None,
        headers={
            UNIT_HEADER: str(unit.pk),
            "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-replied",
        },
    )
    message.attach_alternative(html, "text/html")
    try:
        message.send()
    except Exception:  # the page already answered; the address may ask again at once
        logger.warning("confirmation email to subscriber %s failed", subscriber_id, exc_info=True)
        cache.delete(_throttle_key(mailing_list.pk, subscriber.email))
        return False
    return True


# --- confirming -----------------------------------------------------------------------------


class ConfirmError(Exception):
    """The confirmation cannot be applied; ``message`` says why (for the page)."""

    def __init__(self, message: str, *, status: int = 404) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def subscriber_for(confirmation: Confirmation) -> Subscriber:
    """The subscriber ``confirmation`` is for, or ``ConfirmError``."""
    subscriber = (
        Subscriber.objects.select_related("mailing_list__unit")
        .filter(pk=confirmation.subscriber_id)
        .first()
    )
    if subscriber is None or subscriber.email.lower() != confirmation.email.lower():
        raise ConfirmError(_("This confirmation link is not valid (any more)."))
    if (
        subscriber.status != SubscriberStatus.CONFIRMED
        and subscriber.unsubscribed_at is not None
        and subscriber.unsubscribed_at.timestamp() >= confirmation.issued_at
    ):
        raise ConfirmError(
            _(
                "This link was sent before the address was unsubscribed. Subscribe again "
                "to receive a new link."
            ),
            status=410,
        )
    return subscriber


def confirm(confirmation: Confirmation, *, ip: str = "") -> tuple[Subscriber, bool]:
    """Make the subscriber of ``confirmation`` confirmed. Returns it and whether this call
    changed anything (a second click changes nothing). The consent record says where and
    when the subscription was asked for and confirmed. A confirmed address is lifted from
    the suppression list: the owner has just shown that it works and wants the mail."""
    with transaction.atomic():
        subscriber = subscriber_for(confirmation)
        subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        if subscriber.status == SubscriberStatus.CONFIRMED:
            return subscriber, False
        now = timezone.now()
        asked = datetime.fromtimestamp(confirmation.issued_at, tz=UTC)
        source = confirmation.source or "portal"
        record = (
            f"{source} double opt-in {confirmation.ip or '?'} {_stamp(asked)}; "
            f"confirmed {ip + ' ' if ip else ''}{_stamp(now)}"
        )
        subscriber.status = SubscriberStatus.CONFIRMED
        subscriber.confirmed_at = now
        subscriber.unsubscribed_at = None
        subscriber.soft_bounces = 0
        subscriber.consent_source = record[:200]
        if confirmation.name:
            subscriber.name = confirmation.name
        subscriber.save()
        Suppression.objects.filter(address=subscriber.email.lower()).delete()
    return subscriber, True


# --- unsubscribing --------------------------------------------------------------------------


def unsubscribe(subscriber: Subscriber) -> bool:
    """Stop every mail of the list to ``subscriber``. True when this changed something."""
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        if subscriber.status == SubscriberStatus.UNSUBSCRIBED:
            return False
        subscriber.status = SubscriberStatus.UNSUBSCRIBED
        subscriber.unsubscribed_at = timezone.now()
        subscriber.save(update_fields=["status", "unsubscribed_at"])
    return True


def suppress(address: str, reason: str, detail: str = "") -> Suppression:
    """Put ``address`` on the suppression list (kept in lower case, as the engine compares
    it). An existing entry keeps its reason, except that a spam complaint overrides."""
    address = address.strip().lower()[:254]
    entry, created = Suppression.objects.get_or_create(
        address=address, defaults={"reason": reason, "detail": detail[:500]}
    )
    if not created and reason == Suppression.Reason.COMPLAINT and entry.reason != reason:
        entry.reason = reason
        entry.detail = detail[:500]
        entry.save(update_fields=["reason", "detail"])
    return entry


def is_unsubscribed(delivery: Delivery) -> bool:
    """Whether the recipient of ``delivery`` has already unsubscribed (for the page)."""
    if delivery.subscriber is not None:
        return delivery.subscriber.status == SubscriberStatus.UNSUBSCRIBED
    return Suppression.objects.filter(address=delivery.recipient.strip().lower()).exists()


def unsubscribe_delivery(delivery: Delivery) -> bool:
    """The one-click unsubscribe of a campaign message: a list subscriber leaves the list;
    a stakeholder contact withdraws consent for the channel (method "unsubscribe") and
    the address is suppressed. True when this changed something."""
    if delivery.subscriber_id is not None and delivery.subscriber is not None:
        return unsubscribe(delivery.subscriber)
    from bakohumas.stakeholders.models import ConsentMethod, ConsentStatus, ContactConsent

    channel = "whatsapp" if delivery.publication.kind == ChannelKind.WHATSAPP else "email"
    changed = False
    now = timezone.now()
    with transaction.atomic():
        if delivery.contact_id is not None:
            consent = (
                ContactConsent.objects.select_for_update()
                .filter(contact_id=delivery.contact_id, channel=channel)
                .first()
            )
            if consent is None:
                consent = ContactConsent(contact_id=delivery.contact_id, channel=channel)
            if consent.status != ConsentStatus.WITHDRAWN:
                consent.status = ConsentStatus.WITHDRAWN
                consent.method = ConsentMethod.UNSUBSCRIBE
                consent.withdrawn_at = now
                consent.evidence = f"one-click unsubscribe, delivery {delivery.pk}"[:500]
                consent.recorded_by = None
                consent.save()
                changed = True
        before = Suppression.objects.filter(address=delivery.recipient.strip().lower()).exists()
        suppress(
            delivery.recipient,
            Suppression.Reason.UNSUBSCRIBED,
            f"one-click unsubscribe, delivery {delivery.pk}",
        )
        changed = changed or not before
    return changed
