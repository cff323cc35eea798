"""The worker's two-way sweep: stuck replies, reminders, lapsed requests, purge."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.utils import timezone

from bakohumas.core.management.commands.worker import sweep_two_way
from bakohumas.core.models import Role
from bakohumas.inbox import services
from bakohumas.inbox.models import Message, MessageStatus
from bakohumas.inbox.tasks import recover_stuck_replies


def test_stuck_and_lost_replies(make_thread: Callable[..., Any], make_user: Any) -> None:
    editor = make_user("64.72", Role.EDITOR)
    thread = make_thread(channel="email", handle="warga@example.id")
    claimed = services.reply(thread, editor, "Balasan yang macet.")
    lost = services.reply(thread, editor, "Balasan yang tugasnya hilang.")
    fresh = services.reply(thread, editor, "Balasan baru.")
    now = timezone.now()
    Message.objects.filter(pk=claimed.pk).update(sent_at=now - timedelta(hours=2))
    Message.objects.filter(pk=lost.pk).update(created_at=now - timedelta(hours=3))

    assert recover_stuck_replies(now) == {"uncertain": 1, "requeued": 1}
    claimed.refresh_from_db()
    assert claimed.status == MessageStatus.FAILED
    assert "may not have arrived" in claimed.error
    fresh.refresh_from_db()
    assert fresh.status == MessageStatus.QUEUED
    # Nothing left to recover the second time.
    assert recover_stuck_replies(now)["uncertain"] == 0


def test_sweep_runs_every_step(units: dict[str, Any]) -> None:
    result = sweep_two_way()
    assert set(result) >= {
        "replies_uncertain",
        "replies_requeued",
        "thread_reminders",
        "request_reminders",
        "lapsed",
        "threads_purged",
        "requests_purged",
    }
