"""Worker tasks of the inbox (Django Tasks API).

``send_reply`` sends one queued reply. The message row is the truth, not the task: a
reply is claimed by setting ``sent_at`` while it is QUEUED, so a task repeated or run
twice sends it once. Transient failures (network, 5xx, 429) re-enqueue the task with a
delay (``run_after``; the platform's ``Retry-After`` when it gave one) up to
``INBOX_REPLY_MAX_ATTEMPTS`` attempts; permanent ones (and the last attempt) mark the
reply FAILED with the platform's reason and tell its author.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from bakohumas.dissemination.adapters.base import (
    AdapterError,
    ReconnectRequired,
    TransientError,
)
from bakohumas.inbox.models import Direction, Message, MessageStatus, Thread, ThreadKind

logger = logging.getLogger(__name__)

# Waits between attempts when the platform named none: 30 s, 2 min, 8 min, 32 min.
FIRST_RETRY_SECONDS = 30.0
# The longest wait honoured from a platform's Retry-After.
MAX_RETRY_SECONDS = 3600.0


def max_attempts() -> int:
    return max(1, int(getattr(settings, "INBOX_REPLY_MAX_ATTEMPTS", 5)))


def retry_delay(attempt: int, retry_after: float | None = None) -> float:
    """Seconds to wait before attempt ``attempt + 1``."""
    if retry_after is not None and retry_after > 0:
        return min(float(retry_after), MAX_RETRY_SECONDS)
    return FIRST_RETRY_SECONDS * 4 ** (attempt - 1)


@task()
def send_reply(message_pk: int, attempt: int = 1) -> str:
    """Send one queued reply; returns the outcome ("sent", "retry", "failed", "skipped")."""
    from bakohumas.inbox import senders

    now = timezone.now()
    claimed = Message.objects.filter(
        pk=message_pk,
        direction=Direction.OUTBOUND,
        status=MessageStatus.QUEUED,
        sent_at__isnull=True,
    ).update(sent_at=now)
    if not claimed:
        return "skipped"  # sent, failed, or another worker is sending it
    message = Message.objects.select_related("thread__unit", "thread__account", "author").get(
        pk=message_pk
    )
    try:
        provider_id = senders.send(message)
    except TransientError as exc:
        if attempt < max_attempts():
            delay = retry_delay(attempt, exc.retry_after)
            Message.objects.filter(pk=message_pk).update(sent_at=None, error=exc.reason[:500])
            _retry(message_pk, attempt + 1, delay)
            return "retry"
        _fail(message, exc)
        return "failed"
    except AdapterError as exc:
        _fail(message, exc)
        return "failed"
    except Exception as exc:  # a bug must not leave the reply claimed forever
        logger.exception("Reply %s could not be sent", message_pk)
        _fail(message, AdapterError(f"{type(exc).__name__}: {exc}"))
        return "failed"
    Message.objects.filter(pk=message_pk).update(
        status=MessageStatus.SENT, sent_at=timezone.now(), error="", provider_id=provider_id[:300]
    )
    return "sent"


def _retry(message_pk: int, attempt: int, delay: float) -> None:
    scheduled = send_reply
    if scheduled.get_backend().supports_defer:
        scheduled = send_reply.using(run_after=timezone.now() + timedelta(seconds=delay))
    try:
        scheduled.enqueue(message_pk, attempt)
    except Exception:
        logger.warning("Could not re-enqueue reply %s", message_pk, exc_info=True)


def _fail(message: Message, exc: AdapterError) -> None:
    from bakohumas.inbox.services import _notify, thread_url

    reason = exc.reason or _("The reply could not be sent.")
    if isinstance(exc, ReconnectRequired):
        reason = _("%(reason)s (reconnect the channel account)") % {"reason": reason}
    with transaction.atomic():
        Message.objects.filter(pk=message.pk).update(
            status=MessageStatus.FAILED, error=reason[:500], sent_at=None
        )
        if message.author is not None and message.author.is_active:
            _notify(
                [message.author],
                _("Your reply in “%(subject)s” could not be sent: %(reason)s")
                % {"subject": message.thread.subject[:120], "reason": reason},
                thread_url(message.thread_id),
                is_error=True,
            )


@task()
def notify_new_thread(thread_pk: int) -> int:
    """Notify the unit's coordinators and the assignee of a new thread; returns how many
    staff were told."""
    from bakohumas.inbox.services import _coordinators, _notify, thread_url

    thread = Thread.objects.select_related("assignee").filter(pk=thread_pk).first()
    if thread is None:
        return 0
    if thread.kind == ThreadKind.HOAX_REPORT:
        text = _("New hoax report in the inbox: %(subject)s")
    elif thread.kind == ThreadKind.INFORMATION_REQUEST:
        text = _("New information request in the inbox: %(subject)s")
    else:
        text = _("New %(kind)s in the inbox (%(channel)s): %(subject)s")
    text = text % {
        "subject": thread.subject[:200],
        "kind": thread.get_kind_display().lower(),
        "channel": thread.get_channel_display(),
    }
    users = [*_coordinators(thread.unit_id), thread.assignee]
    with transaction.atomic():
        return _notify([u for u in users if u is not None], text, thread_url(thread))


# A reply claimed this long ago and still queued was being sent by a worker that died.
STUCK_CLAIM = timedelta(hours=1)
# A reply queued (not claimed) this long after its last retry window lost its task.
LOST_TASK = timedelta(seconds=MAX_RETRY_SECONDS * 2)


def recover_stuck_replies(now: object = None) -> dict[str, int]:
    """Run by the worker's two-way sweep. A reply whose sending worker died after claiming
    it may or may not have reached the platform: it is marked failed with that reason
    (sending it again could make a duplicate; the author decides). A reply whose task was
    lost is enqueued again (the claim in ``send_reply`` keeps it to one send)."""
    moment = now if now is not None else timezone.now()
    uncertain = Message.objects.filter(
        direction=Direction.OUTBOUND,
        status=MessageStatus.QUEUED,
        sent_at__lt=moment - STUCK_CLAIM,  # type: ignore[operator]
    ).update(
        status=MessageStatus.FAILED,
        sent_at=None,
        error=_(
            "The worker stopped while sending: the reply may not have arrived. "
            "Check with the sender before writing again."
        ),
    )
    lost = list(
        Message.objects.filter(
            direction=Direction.OUTBOUND,
            status=MessageStatus.QUEUED,
            sent_at__isnull=True,
            created_at__lt=moment - LOST_TASK,  # type: ignore[operator]
        ).values_list("pk", flat=True)[:500]
    )
    for pk in lost:
        try:
            send_reply.enqueue(pk)
        except Exception:
            logger.warning("Could not enqueue reply %s again", pk, exc_info=True)
    return {"uncertain": uncertain, "requeued": len(lost)}
