"""Every state change of the inbox: ingestion from the channels, replies, notes,
assignment, status, priority, tags, transfer, hoax links, SLA clocks, reminders, purge.

The UI, the API, the public forms and the webhooks all call these functions, so the rules
hold the same everywhere. A refused change raises ``InboxError`` and writes nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from bakohumas.core.models import WorkUnit
from bakohumas.core.workdays import calendar_for
from bakohumas.inbox.models import (
    Attachment,
    Channel,
    Direction,
    InboxSettings,
    Message,
    MessageStatus,
    Thread,
    ThreadEvent,
    ThreadKind,
    ThreadStatus,
)

logger = logging.getLogger(__name__)

SNIPPET_LENGTH = 160
MAX_BODY_CHARS = 20_000
# A message on a thread resolved longer ago than this starts a new thread.
REOPEN_DAYS = 7
# Kinds that are one ticket per submission (never merged into an earlier thread).
TICKET_KINDS = frozenset(
    {
        ThreadKind.QUESTION,
        ThreadKind.FEEDBACK,
        ThreadKind.COMPLAINT,
        ThreadKind.HOAX_REPORT,
        ThreadKind.INFORMATION_REQUEST,
    }
)


class InboxError(Exception):
    """A refused inbox change; ``str(error)`` is a translated message for the user."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass
class Inbound:
    """One message arriving from a channel, before it is stored."""

    unit: WorkUnit
    channel: str
    body: str
    kind: str = ThreadKind.MESSAGE
    handle: str = ""  # email address, E.164 number, Telegram chat id
    name: str = ""
    phone: str = ""
    subject: str = ""
    dedupe_key: str | None = None
    provider_id: str = ""
    account: Any = None  # dissemination.ChannelAccount
    received_at: datetime | None = None
    # (file name, bytes, content type), already checked by the caller.
    attachments: list[tuple[str, bytes, str]] = field(default_factory=list)
    claim_url: str = ""
    seen_on: str = ""
    thread: Thread | None = None  # append to this thread (no matching)


def inbox_settings(unit: WorkUnit) -> InboxSettings:
    found = InboxSettings.objects.filter(unit_id=unit.pk).first()
    return found or InboxSettings(unit=unit)


def _snippet(text: str) -> str:
    flat = " ".join(text.split())
    return flat[:SNIPPET_LENGTH]


def _find_thread(inbound: Inbound, now: datetime) -> Thread | None:
    if inbound.thread is not None:
        return inbound.thread
    if inbound.kind in TICKET_KINDS or not inbound.handle:
        return None
    qs = Thread.objects.filter(
        unit_id=inbound.unit.pk, channel=inbound.channel, handle=inbound.handle
    )
    if inbound.account is not None:
        qs = qs.filter(account_id=inbound.account.pk)
    qs = qs.exclude(kind__in=[k.value for k in TICKET_KINDS if k != ThreadKind.MESSAGE])
    latest = qs.order_by("-last_message_at", "-id").first()
    if latest is None:
        return None
    if latest.status == ThreadStatus.RESOLVED and (
        latest.resolved_at is None or latest.resolved_at < now - timedelta(days=REOPEN_DAYS)
    ):
        return None
    return latest


def ingest(inbound: Inbound) -> Message | None:
    """Store one inbound message: find or open its thread, link the stakeholder contact,
    start the SLA clocks. Returns ``None`` when ``dedupe_key`` was seen before (a replayed
    webhook), having written nothing."""
    now = inbound.received_at or timezone.now()
    body = (inbound.body or "").replace("\x00", "")[:MAX_BODY_CHARS]
    if inbound.dedupe_key and Message.objects.filter(dedupe_key=inbound.dedupe_key).exists():
        return None
    try:
        with transaction.atomic():
            thread = _find_thread(inbound, now)
            created = thread is None
            if thread is None:
                thread = _open_thread(inbound, now, body)
            message = Message.objects.create(
                thread=thread,
                direction=Direction.INBOUND,
                body=body,
                sender_name=inbound.name[:200],
                status=MessageStatus.RECEIVED,
                dedupe_key=inbound.dedupe_key,
                provider_id=inbound.provider_id[:300],
                created_at=now,
            )
            for name, content, content_type in inbound.attachments:
                attachment = Attachment(
                    message=message,
                    name=name[:255],
                    content_type=content_type[:100],
                    size=len(content),
                )
                attachment.file.save(name, ContentFile(content), save=False)
                attachment.save()
            updates: dict[str, Any] = {
                "message_count": F("message_count") + 1,
                "last_message_at": now,
                "last_inbound_at": now,
                "snippet": _snippet(body),
                "unread": True,
            }
            if not created and thread.status in (ThreadStatus.RESOLVED, ThreadStatus.WAITING):
                updates["status"] = ThreadStatus.OPEN
                updates["resolved_at"] = None
                ThreadEvent.objects.create(
                    thread=thread,
                    action="status",
                    detail={"from": thread.status, "to": ThreadStatus.OPEN, "by": "sender"},
                    created_at=now,
                )
            Thread.objects.filter(pk=thread.pk).update(**updates)
            _log_engagement(thread, message)
            if created:
                transaction.on_commit(lambda: _after_new_thread(thread.pk))
    except IntegrityError:
        # Two deliveries of the same update raced; the other one stored it.
        if inbound.dedupe_key and Message.objects.filter(dedupe_key=inbound.dedupe_key).exists():
            return None
        raise
    return message


def _open_thread(inbound: Inbound, now: datetime, body: str) -> Thread:
    unit = inbound.unit
    config = inbox_settings(unit)
    calendar = calendar_for(unit)
    thread = Thread.objects.create(
        unit=unit,
        kind=inbound.kind,
        channel=inbound.channel,
        subject=(inbound.subject or _snippet(body))[:255],
        handle=inbound.handle[:320],
        name=inbound.name[:200],
        phone=inbound.phone[:32],
        account=inbound.account,
        contact=find_contact(unit, inbound.channel, inbound.handle, inbound.phone),
        claim_url=inbound.claim_url[:1000],
        seen_on=inbound.seen_on[:200],
        created_at=now,
        last_message_at=now,
        last_inbound_at=now,
        first_response_due=calendar.add_working_hours(now, config.first_response_hours),
        due_at=calendar.add_working_hours(now, config.resolution_hours),
    )
    ThreadEvent.objects.create(
        thread=thread, action="received", detail={"channel": inbound.channel}, created_at=now
    )
    return thread


def find_contact(unit: WorkUnit, channel: str, handle: str, phone: str = "") -> Any:
    """The unit's active stakeholder contact with this address or number, if any."""
    from bakohumas.stakeholders.models import Contact

    qs = Contact.objects.filter(unit_id=unit.pk, is_active=True)
    if channel in (Channel.EMAIL, Channel.PORTAL) and "@" in handle:
        found = qs.filter(email__iexact=handle).order_by("id").first()
        if found is not None:
            return found
    number = phone or (handle if channel == Channel.WHATSAPP else "")
    if number:
        return (
            qs.filter(whatsapp=number).order_by("id").first()
            or qs.filter(phone=number).order_by("id").first()
        )
    return None


def _log_engagement(thread: Thread, message: Message) -> None:
    """A message from a known contact goes into the engagement log of their organisation."""
    contact = thread.contact
    if contact is None or contact.organisation_id is None:
        return
    from bakohumas.stakeholders.models import Engagement, EngagementKind

    kind = EngagementKind.EMAIL if thread.channel == Channel.EMAIL else EngagementKind.MESSAGE
    Engagement.objects.create(
        organisation_id=contact.organisation_id,
        contact=contact,
        kind=kind,
        occurred_at=message.created_at,
        subject=(
            _("Inbox (%(channel)s): %(subject)s")
            % {"channel": thread.get_channel_display(), "subject": thread.subject}
        )[:255],
        notes=message.body[:2000],
    )


def _after_new_thread(thread_pk: int) -> None:
    """Tell the unit's coordinators (and the assignee) about a new thread (worker task)."""
    try:
        from bakohumas.inbox import tasks

        tasks.notify_new_thread.enqueue(thread_pk)
    except Exception:
        logger.warning("Could not enqueue the notification of thread %s", thread_pk, exc_info=True)
