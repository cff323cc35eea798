"""Every state change of the inbox: ingestion from the channels, replies, notes,
assignment, status, priority, tags, transfer, hoax links, SLA clocks, reminders, purge.

The UI, the API, the public forms and the webhooks all call these functions, so the rules
hold the same everywhere. A refused change raises ``InboxError`` and writes nothing.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from bakohumas.core.models import Role, StaffProfile, WorkUnit
from bakohumas.core.scoping import can_see_unit, unit_and_ancestors
from bakohumas.core.workdays import Calendar, calendar_for
from bakohumas.inbox.models import (
    Attachment,
    CannedReply,
    Channel,
    Direction,
    HoaxCase,
    HoaxCategory,
    InboxSettings,
    InboxTag,
    Message,
    MessageStatus,
    Priority,
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


class InboxForbidden(InboxError, PermissionDenied):
    """The user lacks the permission, or the thread is outside their scope. Both an
    ``InboxError`` (the UI shows it like any refusal) and a ``PermissionDenied`` (the API
    answers 403: catch ``PermissionDenied`` before ``InboxError``)."""


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
    calendar = Calendar.for_unit(unit, hours=config.office_hours())
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


# --- Rules shared by the actions ------------------------------------------------------------

# Longest reply each channel takes (characters): the Bot API's and the Cloud API's text
# limit, a template's body parameter.
TEXT_LIMIT = {Channel.TELEGRAM: 4096, Channel.WHATSAPP: 4096}
TEMPLATE_PARAMETER_LIMIT = 1024
WHATSAPP_WINDOW = timedelta(hours=24)
MAX_TAGS = 20
TAG_LENGTH = 64
# Channels a reply goes out on: the thread's own, email for the portal's forms.
EMAIL = "email"
WHATSAPP = "whatsapp"
TELEGRAM = "telegram"
_WA_NUMBER = re.compile(r"^[1-9][0-9]{6,14}$")
_VARIABLE = re.compile(r"\{([a-z_]+)\}")


def _check(user: Any, perm: str, unit_id: int | None) -> None:
    """Refuse unless ``user`` holds ``perm`` and may see the unit."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.has_perm(perm):
        raise InboxForbidden(_("You do not have permission to do this."))
    if not can_see_unit(user, unit_id):
        raise InboxForbidden(_("This thread belongs to a unit outside your scope."))


def _event(thread: Thread, user: Any, action: str, **detail: Any) -> ThreadEvent:
    return ThreadEvent.objects.create(
        thread=thread,
        actor=user if getattr(user, "pk", None) else None,
        action=action,
        detail=detail,
    )


def _clean_text(value: str | None) -> str:
    return (value or "").replace("\x00", "").replace("\r\n", "\n").strip()


def _person(user: Any) -> str:
    if user is None:
        return ""
    return str(user.get_full_name() or user.get_username())


def thread_url(thread: Thread | int) -> str:
    pk = thread if isinstance(thread, int) else thread.pk
    return reverse("inbox:detail", args=[pk])


def _coordinators(unit_id: int) -> list[Any]:
    profiles = StaffProfile.objects.filter(
        unit_id=unit_id, role=Role.COORDINATOR, user__is_active=True
    ).select_related("user")
    return [p.user for p in profiles.order_by("user_id")]


def _notify(
    users: list[Any], text: str, url: str, *, exclude: Any = None, is_error: bool = False
) -> int:
    from bakohumas.dissemination.engine import notify

    seen: set[int] = set()
    for user in users:
        if user is None or user.pk in seen or (exclude is not None and user.pk == exclude.pk):
            continue
        seen.add(user.pk)
        notify(user, text, url=url, is_error=is_error)
    return len(seen)


def thread_number(thread: Thread) -> str:
    """The number the public knows the thread by: the request's register number for an
    information request, else the thread's own number."""
    request = _information_request(thread)
    if request is not None:
        return str(request.register_number)
    return str(thread.pk)


def _information_request(thread: Thread) -> Any:
    from bakohumas.ppid.models import InformationRequest

    try:
        return thread.information_request  # type: ignore[attr-defined]
    except InformationRequest.DoesNotExist:
        return None


# --- Replies --------------------------------------------------------------------------------


def whatsapp_window_open(thread: Thread, now: datetime | None = None) -> bool:
    """Whether the sender wrote within the last 24 hours: a business may then answer with
    free text; outside it only with an approved template."""
    if thread.last_inbound_at is None:
        return False
    return (now or timezone.now()) - thread.last_inbound_at < WHATSAPP_WINDOW


def reply_route(thread: Thread) -> str:
    """How a reply to ``thread`` goes out ("email", "whatsapp", "telegram"); raises
    ``InboxError`` when the thread has no address to answer to."""
    handle = (thread.handle or "").strip()
    if thread.channel in (Channel.WHATSAPP, Channel.TELEGRAM):
        account = thread.account
        if account is None or account.kind != thread.channel:
            raise InboxError(
                _("This thread has no %(channel)s account to answer from.")
                % {"channel": thread.get_channel_display()}
            )
        if account.status == "disabled":
            raise InboxError(_("The channel account of this thread is disabled."))
        if thread.channel == Channel.WHATSAPP:
            if not _WA_NUMBER.match(handle.lstrip("+")):
                raise InboxError(_("This thread has no WhatsApp number to answer to."))
            return WHATSAPP
        if not handle:
            raise InboxError(_("This thread has no Telegram chat to answer to."))
        return TELEGRAM
    try:
        validate_email(handle)
    except Exception:
        raise InboxError(
            _("This thread has no email address to answer to; contact the sender another way.")
        ) from None
    return EMAIL


def reply_template(thread: Thread) -> tuple[str, str] | None:
    """The account's approved WhatsApp template for replies outside the 24-hour window
    (name, language), if one is configured."""
    config = dict(thread.account.config) if thread.account is not None else {}
    name = str(config.get("reply_template") or "").strip()
    if not name:
        return None
    return name, str(config.get("reply_template_language") or "id").strip() or "id"


def reply(thread: Thread, user: Any, body: str, *, canned: CannedReply | None = None) -> Message:
    """Answer the sender through the thread's channel. The message is stored QUEUED and
    sent by the worker (``inbox.tasks.send_reply``) after the transaction commits; no
    network I/O happens here."""
    _check(user, "inbox.reply_thread", thread.unit_id)
    text = _clean_text(body)
    if not text:
        raise InboxError(_("Write the reply first."), field="body")
    route = reply_route(thread)
    now = timezone.now()
    is_template = False
    limit = TEXT_LIMIT.get(thread.channel, MAX_BODY_CHARS)  # type: ignore[call-overload]
    if route == WHATSAPP and not whatsapp_window_open(thread, now):
        if reply_template(thread) is None:
            raise InboxError(
                _(
                    "The sender last wrote more than 24 hours ago: WhatsApp then only "
                    "allows an approved template, and this account has none for replies "
                    "(set “reply_template” in its settings)."
                ),
                field="body",
            )
        is_template = True
        limit = TEMPLATE_PARAMETER_LIMIT
    if len(text) > limit:
        raise InboxError(
            _("The reply has %(n)s characters; this channel takes at most %(limit)s.")
            % {"n": len(text), "limit": limit},
            field="body",
        )
    with transaction.atomic():
        locked = Thread.objects.select_for_update().get(pk=thread.pk)
        message = Message.objects.create(
            thread=locked,
            direction=Direction.OUTBOUND,
            body=text,
            author=user,
            sender_name=_person(user)[:200],
            status=MessageStatus.QUEUED,
            is_template=is_template,
            created_at=now,
        )
        updates: dict[str, Any] = {
            "message_count": F("message_count") + 1,
            "last_message_at": now,
            "unread": False,
        }
        if locked.first_response_at is None:
            updates["first_response_at"] = now
        if locked.status != ThreadStatus.RESOLVED:
            updates["status"] = ThreadStatus.WAITING
        Thread.objects.filter(pk=locked.pk).update(**updates)
        _event(
            locked,
            user,
            "replied",
            message=message.pk,
            channel=route,
            template=is_template,
            canned=canned.pk if canned is not None else None,
        )
        pk = message.pk
        transaction.on_commit(lambda: _enqueue_send(pk))
    for name, value in updates.items():
        if name != "message_count":
            setattr(thread, name, value)
    thread.message_count = locked.message_count + 1
    return message


def _enqueue_send(message_pk: int) -> None:
    try:
        from bakohumas.inbox import tasks

        tasks.send_reply.enqueue(message_pk)
    except Exception:
        logger.warning("Could not enqueue reply %s", message_pk, exc_info=True)


def add_note(thread: Thread, user: Any, body: str) -> Message:
    """An internal note on the thread: seen by staff only, never sent."""
    _check(user, "inbox.add_message", thread.unit_id)
    text = _clean_text(body)
    if not text:
        raise InboxError(_("Write the note first."), field="body")
    if len(text) > MAX_BODY_CHARS:
        raise InboxError(
            _("The note has %(n)s characters; at most %(limit)s are allowed.")
            % {"n": len(text), "limit": MAX_BODY_CHARS},
            field="body",
        )
    with transaction.atomic():
        message = Message.objects.create(
            thread=thread,
            direction=Direction.NOTE,
            body=text,
            author=user,
            sender_name=_person(user)[:200],
            status=MessageStatus.RECEIVED,
        )
        _event(thread, user, "note", message=message.pk)
    return message


def render_canned(canned: CannedReply, thread: Thread, user: Any) -> str:
    """The canned reply's text with its variables filled: ``{nama}`` the sender,
    ``{satker}`` the unit, ``{petugas}`` the staff member, ``{nomor}`` the thread or
    register number, ``{tanggal}`` today in the unit's zone. Unknown ``{x}`` stay as is."""
    unit = thread.unit
    values = {
        "nama": thread.name
        or (thread.contact.name if thread.contact_id else "")  # type: ignore[union-attr]
        or _("Sir/Madam"),
        "satker": unit.name,
        "petugas": _person(user),
        "nomor": thread_number(thread),
        "tanggal": formats.date_format(unit.localtime().date(), "DATE_FORMAT"),
    }

    def fill(match: re.Match[str]) -> str:
        return str(values.get(match.group(1), match.group(0)))

    return _VARIABLE.sub(fill, canned.body)


def apply_whatsapp_status(wamid: str, status: str, error_title: str = "") -> bool:
    """A Cloud API status for an inbox reply (called by the WhatsApp webhook): moves the
    message to delivered / read (never backwards) or failed. False when no reply has this
    ``wamid`` (the webhook then looks for a campaign delivery)."""
    if not wamid:
        return False
    message = (
        Message.objects.filter(provider_id=wamid, direction=Direction.OUTBOUND)
        .select_related("thread", "author")
        .first()
    )
    if message is None:
        return False
    order: list[str] = [
        MessageStatus.QUEUED,
        MessageStatus.SENT,
        MessageStatus.DELIVERED,
        MessageStatus.READ,
    ]
    target = {
        "sent": MessageStatus.SENT,
        "delivered": MessageStatus.DELIVERED,
        "read": MessageStatus.READ,
    }.get(status)
    if target is not None:
        if message.status in order and order.index(target) > order.index(message.status):
            Message.objects.filter(pk=message.pk).update(status=target)
        return True
    if status == "failed" and message.status != MessageStatus.FAILED:
        reason = (error_title or _("WhatsApp could not deliver the reply."))[:500]
        with transaction.atomic():
            Message.objects.filter(pk=message.pk).update(status=MessageStatus.FAILED, error=reason)
            if message.author is not None:
                _notify(
                    [message.author],
                    _("Your reply in “%(subject)s” was not delivered: %(reason)s")
                    % {"subject": message.thread.subject[:120], "reason": reason},
                    thread_url(message.thread_id),
                    is_error=True,
                )
    return True


# --- Handling -------------------------------------------------------------------------------


def assign(thread: Thread, user: Any, assignee: Any | None) -> None:
    """Give the thread to a staff member of its unit or a unit above (None: unassign)."""
    _check(user, "inbox.change_thread", thread.unit_id)
    if assignee is not None:
        profile = StaffProfile.objects.filter(user_id=assignee.pk, user__is_active=True).first()
        if profile is None or profile.unit_id not in unit_and_ancestors(thread.unit):
            raise InboxError(
                _("Only staff of this unit or a unit above it can be assigned."), field="assignee"
            )
    previous = thread.assignee_id
    new = assignee.pk if assignee is not None else None
    if previous == new:
        return
    with transaction.atomic():
        Thread.objects.filter(pk=thread.pk).update(assignee_id=new)
        thread.assignee = assignee
        _event(
            thread,
            user,
            "assigned",
            **{"from": previous, "to": new, "name": _person(assignee) if assignee else ""},
        )
        if assignee is not None:
            _notify(
                [assignee],
                _("You were assigned the inbox thread “%(subject)s”.")
                % {"subject": thread.subject[:120]},
                thread_url(thread),
                exclude=user,
            )


def set_status(thread: Thread, user: Any, status: str) -> None:
    _check(user, "inbox.change_thread", thread.unit_id)
    if status not in ThreadStatus.values:
        raise InboxError(_("Choose a valid status."), field="status")
    if status == thread.status:
        return
    previous = thread.status
    now = timezone.now()
    updates: dict[str, Any] = {"status": status}
    if status == ThreadStatus.RESOLVED:
        updates["resolved_at"] = now
    elif previous == ThreadStatus.RESOLVED:
        updates["resolved_at"] = None
    with transaction.atomic():
        Thread.objects.filter(pk=thread.pk).update(**updates)
        _event(thread, user, "status", **{"from": previous, "to": status})
    for name, value in updates.items():
        setattr(thread, name, value)


def set_priority(thread: Thread, user: Any, priority: int) -> None:
    _check(user, "inbox.change_thread", thread.unit_id)
    try:
        value = int(priority)
    except (TypeError, ValueError):
        value = -1
    if value not in Priority.values:
        raise InboxError(_("Choose a valid priority."), field="priority")
    if value == thread.priority:
        return
    previous = thread.priority
    with transaction.atomic():
        Thread.objects.filter(pk=thread.pk).update(priority=value)
        _event(thread, user, "priority", **{"from": previous, "to": value})
    thread.priority = value


def _tag_names(names: list[str]) -> list[str]:
    found: dict[str, str] = {}
    for raw in names:
        name = " ".join(str(raw or "").replace("\x00", "").split())
        if not name:
            continue
        if len(name) > TAG_LENGTH:
            raise InboxError(
                _("A topic may have at most %(n)s characters.") % {"n": TAG_LENGTH}, field="tags"
            )
        found.setdefault(name.casefold(), name)
    if len(found) > MAX_TAGS:
        raise InboxError(_("At most %(n)s topics per thread.") % {"n": MAX_TAGS}, field="tags")
    return list(found.values())


def set_tags(thread: Thread, user: Any, names: list[str]) -> None:
    """Set the thread's topics to exactly ``names`` (the unit's tags, created as needed;
    matched regardless of case)."""
    _check(user, "inbox.change_thread", thread.unit_id)
    wanted = _tag_names(names)
    with transaction.atomic():
        existing = {t.name.casefold(): t for t in InboxTag.objects.filter(unit_id=thread.unit_id)}
        tags = []
        for name in wanted:
            tag = existing.get(name.casefold())
            if tag is None:
                tag, _created = InboxTag.objects.get_or_create(unit_id=thread.unit_id, name=name)
            tags.append(tag)
        before = {t.pk: t.name for t in thread.tags.all()}
        after = {t.pk: t.name for t in tags}
        if before.keys() == after.keys():
            return
        thread.tags.set(tags)
        _event(
            thread,
            user,
            "tags",
            added=sorted(after[k] for k in after.keys() - before.keys()),
            removed=sorted(before[k] for k in before.keys() - after.keys()),
        )


def transfer(thread: Thread, user: Any, target_unit: WorkUnit, note: str = "") -> None:
    """Hand the thread to the parent unit (escalation) or to a child unit (down to a
    kab/kota). The SLA clocks stay; the assignee is cleared; an information request on the
    thread moves with it. The target's coordinators are told."""
    _check(user, "inbox.change_thread", thread.unit_id)
    source = thread.unit
    if target_unit is None or not (
        target_unit.pk == source.parent_id or target_unit.parent_id == source.pk
    ):
        raise InboxError(
            _("A thread can only be transferred to the unit above or to a unit below."),
            field="unit",
        )
    if not target_unit.is_active:
        raise InboxError(_("That unit is not active."), field="unit")
    text = _clean_text(note)[:2000]
    with transaction.atomic():
        Thread.objects.filter(pk=thread.pk).update(
            unit_id=target_unit.pk, transferred_from_id=source.pk, assignee_id=None
        )
        request = _information_request(thread)
        if request is not None:
            from bakohumas.ppid.models import InformationRequest

            InformationRequest.objects.filter(pk=request.pk).update(unit_id=target_unit.pk)
            request.unit = target_unit
        thread.unit = target_unit
        thread.transferred_from = source
        thread.assignee = None
        _event(
            thread,
            user,
            "transferred",
            **{"from": source.code, "to": target_unit.code, "note": text},
        )
        pk = thread.pk
        subject = thread.subject[:120]
        target_pk = target_unit.pk
        source_name = source.name
        transaction.on_commit(
            lambda: _notify(
                _coordinators(target_pk),
                _("%(unit)s transferred the inbox thread “%(subject)s” to your unit.")
                % {"unit": source_name, "subject": subject},
                thread_url(pk),
            )
        )


def link_hoax(
    thread: Thread,
    user: Any,
    *,
    case: HoaxCase | None,
    clarification: Any | None,
) -> None:
    """Link the report to the hoax case it is about and/or the clarification answering
    it (None unlinks). The case and the item belong to the thread's unit or a unit above,
    or to a unit the user sees."""
    _check(user, "inbox.change_thread", thread.unit_id)
    allowed = unit_and_ancestors(thread.unit)

    def ok(unit_id: int) -> bool:
        return unit_id in allowed or can_see_unit(user, unit_id)

    if case is not None and not ok(case.unit_id):
        raise InboxError(_("That hoax case is outside your scope."), field="hoax_case")
    if clarification is not None and not ok(clarification.unit_id):
        raise InboxError(_("That clarification is outside your scope."), field="clarification")
    case_pk = case.pk if case is not None else None
    item_pk = clarification.pk if clarification is not None else None
    if thread.hoax_case_id == case_pk and thread.clarification_id == item_pk:
        return
    with transaction.atomic():
        Thread.objects.filter(pk=thread.pk).update(hoax_case_id=case_pk, clarification_id=item_pk)
        thread.hoax_case = case
        thread.clarification = clarification
        _event(thread, user, "linked", hoax_case=case_pk, clarification=item_pk)


def create_hoax_case(
    unit: WorkUnit, user: Any, *, title: str, claim: str, category: str = ""
) -> HoaxCase:
    _check(user, "inbox.add_hoaxcase", unit.pk)
    title = " ".join((title or "").replace("\x00", "").split())
    claim = _clean_text(claim)
    if not title:
        raise InboxError(_("Give the case a title."), field="title")
    if len(title) > 255:
        raise InboxError(_("The title may have at most 255 characters."), field="title")
    if not claim:
        raise InboxError(_("Describe the claim."), field="claim")
    if len(claim) > MAX_BODY_CHARS:
        raise InboxError(
            _("The claim may have at most %(n)s characters.") % {"n": MAX_BODY_CHARS},
            field="claim",
        )
    if category and category not in HoaxCategory.values:
        raise InboxError(_("Choose a valid category."), field="category")
    return HoaxCase.objects.create(
        unit=unit, title=title, claim=claim, category=category or "", created_by=user
    )


def mark_read(thread: Thread, user: Any) -> None:
    _check(user, "inbox.view_thread", thread.unit_id)
    if thread.unread:
        Thread.objects.filter(pk=thread.pk).update(unread=False)
        thread.unread = False


# --- SLA clocks -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SlaState:
    """Where a thread stands against its clocks. ``hours_left``: office hours until the
    next pending deadline (the first reply while none was sent, then resolution; negative
    when late; None when resolved or without a deadline)."""

    first_response_due: datetime | None
    due_at: datetime | None
    first_response_breached: bool
    breached: bool
    hours_left: float | None
    label: str


def _hours_text(hours: float) -> str:
    hours = abs(hours)
    if hours < 1:
        return _("%(n)d min") % {"n": max(1, round(hours * 60))}
    return _("%(n)s h") % {"n": f"{hours:.1f}".removesuffix(".0")}


def sla(thread: Thread, now: datetime | None = None, calendar: Calendar | None = None) -> SlaState:
    """The thread's SLA clocks in its unit's office hours (``calendar``: pass one per unit
    when evaluating many threads)."""
    now = now or timezone.now()
    first_due = thread.first_response_due
    due = thread.due_at
    answered = thread.first_response_at
    first_breached = first_due is not None and (answered or now) > first_due
    resolved = thread.status == ThreadStatus.RESOLVED
    end = (thread.resolved_at or now) if resolved else now
    breached = due is not None and end > due
    if resolved:
        label = _("Resolved late") if breached else (_("Resolved") if due else "")
        return SlaState(first_due, due, first_breached, breached, None, label)
    if answered is None and first_due is not None and (due is None or first_due <= due):
        clock, first = first_due, True
    elif due is not None:
        clock, first = due, False
    else:
        return SlaState(first_due, due, first_breached, breached, None, "")
    calendar = calendar or calendar_for(thread.unit)
    if clock >= now:
        left = calendar.working_hours_between(now, clock)
    else:
        left = -calendar.working_hours_between(clock, now)
    if clock < now:
        template = _("First reply overdue by %(t)s") if first else _("Overdue by %(t)s")
    else:
        template = _("First reply due in %(t)s") if first else _("Due in %(t)s")
    return SlaState(
        first_due,
        due,
        first_breached,
        breached,
        round(left, 2),
        template % {"t": _hours_text(left)},
    )


def remind_due(now: datetime | None = None) -> int:
    """Threads (not information requests: ``ppid.services.remind_due`` reminds those)
    whose deadline is one working day away or past, reminded once: the assignee and the
    unit's coordinators are notified. Returns the number of threads reminded."""
    now = now or timezone.now()
    # The furthest a deadline one working day away can be (a weekend after the long
    # Idul Fitri leave): candidates, filtered per unit calendar below.
    candidates = (
        Thread.objects.filter(
            due_at__isnull=False,
            due_at__lte=now + timedelta(days=16),
            reminded_at__isnull=True,
            information_request__isnull=True,
        )
        .exclude(status=ThreadStatus.RESOLVED)
        .select_related("unit", "assignee")
        .order_by("due_at", "id")
    )
    calendars: dict[int, Calendar] = {}
    count = 0
    for thread in candidates.iterator(chunk_size=500):
        calendar = calendars.get(thread.unit_id)
        if calendar is None:
            calendar = calendars[thread.unit_id] = calendar_for(thread.unit)
        assert thread.due_at is not None
        today = calendar.local(now).date()
        if calendar.local(thread.due_at).date() > calendar.add_working_days(today, 1):
            continue
        with transaction.atomic():
            claimed = Thread.objects.filter(pk=thread.pk, reminded_at__isnull=True).update(
                reminded_at=now
            )
            if not claimed:
                continue
            due_text = formats.date_format(calendar.local(thread.due_at), "DATETIME_FORMAT")
            if thread.due_at < now:
                text = _("The inbox thread “%(subject)s” was due on %(due)s.")
            else:
                text = _("The inbox thread “%(subject)s” is due on %(due)s.")
            _notify(
                [thread.assignee, *_coordinators(thread.unit_id)],
                text % {"subject": thread.subject[:120], "due": due_text},
                thread_url(thread),
            )
        count += 1
    return count


# --- Retention ------------------------------------------------------------------------------


def purge_pii(now: datetime | None = None) -> int:
    """Resolved threads older than ``INBOX_PII_RETENTION_DAYS``: the sender's name,
    address and number, the subject and snippet, and the text of their messages are
    replaced, their attachments deleted. The thread, its counts, clocks and staff
    replies stay. Returns the number of threads purged."""
    now = now or timezone.now()
    days = int(getattr(settings, "INBOX_PII_RETENTION_DAYS", 730))
    cutoff = now - timedelta(days=days)
    removed = _("(removed after the retention period)")
    pks = list(
        Thread.objects.filter(
            status=ThreadStatus.RESOLVED, resolved_at__lt=cutoff, pii_purged_at__isnull=True
        )
        .order_by("id")
        .values_list("id", flat=True)[:1000]
    )
    count = 0
    for pk in pks:
        with transaction.atomic():
            claimed = Thread.objects.filter(pk=pk, pii_purged_at__isnull=True).update(
                name="",
                handle="",
                phone="",
                subject=removed[:255],
                snippet="",
                pii_purged_at=now,
            )
            if not claimed:
                continue
            attachments = Attachment.objects.filter(message__thread_id=pk)
            files = [name for name in attachments.values_list("file", flat=True) if name]
            attachments.delete()
            Message.objects.filter(thread_id=pk, direction=Direction.INBOUND).update(
                body=removed, sender_name=""
            )
            transaction.on_commit(lambda files=files: _delete_files(files))  # type: ignore[misc]
        count += 1
    return count


def _delete_files(names: list[str]) -> None:
    from django.core.files.storage import default_storage

    for name in names:
        try:
            default_storage.delete(name)
        except Exception:
            logger.warning("Could not delete the purged attachment %s", name, exc_info=True)


def requester_hidden(thread: Thread, user: Any) -> bool:
    """The sender of an information request's thread is a requester: their personal data
    is for staff with ``ppid.view_requester_pii`` only (inbox pages, API, PPID pages)."""
    return thread.kind == ThreadKind.INFORMATION_REQUEST and not user.has_perm(
        "ppid.view_requester_pii"
    )
