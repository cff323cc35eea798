"""Background tasks of dissemination (the Django Tasks API, run by ``bakohumas worker``).

Sending itself is not a task per message: every worker process runs a delivery loop that
claims rows (``engine.delivery_loop``), so any live worker drains any campaign and a dead
worker's rows come back through the sweep."""

from __future__ import annotations

from django_tasks import task

from bakohumas.dissemination import engine


@task()
def dispatch_publication(publication_id: int) -> bool:
    """Dispatch one publication when its time has come (late or repeated: harmless)."""
    return engine.dispatch(publication_id)


@task()
def fetch_publication_metrics() -> int:
    """Refresh the platform figures of recent publications."""
    return engine.fetch_due_metrics()


@task()
def email_notification(notification_id: int) -> bool:
    """Send a staff notification by email."""
    from django.conf import settings
    from django.core.mail import send_mail

    from bakohumas.dissemination.links import absolute
    from bakohumas.dissemination.models import Notification

    note = Notification.objects.select_related("user").filter(pk=notification_id).first()
    if note is None or not note.user.email:
        return False
    body = note.text + ("\n\n" + absolute(note.url) if note.url else "")
    send_mail(
        subject="[Bakohumas] " + note.text[:120],
        message=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[note.user.email],
    )
    return True
