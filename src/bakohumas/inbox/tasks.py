"""Worker tasks of the inbox (Django Tasks API)."""

from __future__ import annotations

from django_tasks import task


@task()
def notify_new_thread(thread_pk: int) -> None:
    """Notify the unit's coordinators and the assignee of a new thread."""
    raise NotImplementedError
