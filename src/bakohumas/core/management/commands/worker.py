"""The task worker: django-tasks-db's ``db_worker`` plus a heartbeat row for /healthz, the
sweep that publishes scheduled content whose time has come and keeps dissemination moving,
the two-way sweep (deadline reminders, lapsed requests, retention purge, inbox mailboxes),
and the delivery loop that sends campaign rows (``dissemination.engine``)."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import close_old_connections, connection
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

HEARTBEAT_SECONDS = float(os.environ.get("WORKER_HEARTBEAT_SECONDS", "10"))
# How often the worker asks the platforms for the figures of recent publications.
METRICS_EVERY_SECONDS = 15 * 60
# How often the worker reads the bounce mailbox (when BOUNCE_IMAP_HOST is set).
BOUNCES_EVERY_SECONDS = 5 * 60
# How often the worker sends deadline reminders, closes lapsed requests and purges
# personal data past its retention, and how often it reads the units' inbox mailboxes.
TWO_WAY_EVERY_SECONDS = 5 * 60
INBOX_POLL_EVERY_SECONDS = float(os.environ.get("INBOX_POLL_SECONDS", "120"))
logger = logging.getLogger(__name__)


def beat(worker_id: str) -> None:
    from bakohumas.core.models import WorkerHeartbeat

    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"last_seen": now, "hostname": socket.gethostname()[:200], "pid": os.getpid()},
        create_defaults={
            "last_seen": now,
            "started_at": now,
            "hostname": socket.gethostname()[:200],
            "pid": os.getpid(),
        },
    )


# SQLite has no autovacuum to keep planner statistics fresh: the worker runs ANALYZE at
# start and then every few hours (half a second on 500,000 contacts).
ANALYZE_EVERY_SECONDS = 6 * 3600


def refresh_planner_statistics() -> bool:
    """Run ``ANALYZE`` on SQLite; PostgreSQL's autovacuum does this itself."""
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return True


def publish_due_content() -> int:
    """The sweep behind scheduled publishing: a lost or late task delays nothing longer
    than one heartbeat."""
    from bakohumas.content.services import publish_due

    return publish_due()


def sweep_dissemination() -> dict[str, int]:
    """Give back the rows of dead workers, dispatch due publications, close campaigns."""
    from bakohumas.dissemination import engine

    return engine.sweep()


def sweep_two_way() -> dict[str, int]:
    """Reminders one working day before a deadline (inbox threads, information requests,
    objections), lapsed incomplete requests, and the retention purge of personal data.
    Each step is idempotent, so several workers may run it at once."""
    from bakohumas.inbox import services as inbox_services
    from bakohumas.inbox.tasks import recover_stuck_replies
    from bakohumas.ppid import services as ppid_services

    stuck = recover_stuck_replies()
    return {
        "replies_uncertain": stuck["uncertain"],
        "replies_requeued": stuck["requeued"],
        "thread_reminders": inbox_services.remind_due(),
        "request_reminders": ppid_services.remind_due(),
        "lapsed": ppid_services.lapse_overdue(),
        "threads_purged": inbox_services.purge_pii(),
        "requests_purged": ppid_services.purge_pii(),
    }


def poll_inbox_mailboxes() -> int:
    """Read new mail of every unit whose inbox has an IMAP mailbox."""
    from bakohumas.inbox.imap import poll_all

    return poll_all()


def _heartbeat_loop(worker_id: str, stop: threading.Event) -> None:
    last_analyze = 0.0
    last_metrics = 0.0
    last_bounces = 0.0
    last_two_way = 0.0
    last_poll = 0.0
    while not stop.is_set():
        try:
            close_old_connections()
            beat(worker_id)
            publish_due_content()
            sweep_dissemination()
            if time.monotonic() - last_metrics > METRICS_EVERY_SECONDS:
                last_metrics = time.monotonic()
                from bakohumas.dissemination.engine import fetch_due_metrics

                fetch_due_metrics()
            if settings.BOUNCE_IMAP_HOST and (
                time.monotonic() - last_bounces > BOUNCES_EVERY_SECONDS
            ):
                last_bounces = time.monotonic()
                call_command("process_bounces")
            if time.monotonic() - last_two_way > TWO_WAY_EVERY_SECONDS:
                last_two_way = time.monotonic()
                sweep_two_way()
            if time.monotonic() - last_poll > INBOX_POLL_EVERY_SECONDS:
                last_poll = time.monotonic()
                poll_inbox_mailboxes()
            if time.monotonic() - last_analyze > ANALYZE_EVERY_SECONDS or not last_analyze:
                last_analyze = time.monotonic()
                refresh_planner_statistics()
        except Exception:  # a missed beat is reported by /healthz, not fatal here
            logger.warning("Worker heartbeat failed", exc_info=True)
        finally:
            connection.close()
        stop.wait(HEARTBEAT_SECONDS)


class Command(DbWorkerCommand):
    help = "Run a background task worker (db_worker) that reports a heartbeat to /healthz."

    def handle(self, *args: Any, **options: Any) -> None:
        worker_id = options["worker_id"]
        stop = threading.Event()
        thread = threading.Thread(
            target=_heartbeat_loop, args=(worker_id, stop), name="heartbeat", daemon=True
        )
        thread.start()
        from bakohumas.dissemination.engine import delivery_loop

        sender = threading.Thread(
            target=delivery_loop, args=(worker_id, stop), name="delivery", daemon=True
        )
        sender.start()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
