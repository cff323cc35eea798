"""Background tasks of content: publication at the scheduled time."""

from __future__ import annotations

from django_tasks import task

from bakohumas.content import services


@task()
def publish_scheduled_item(item_id: int, version: int) -> bool:
    """Publish one scheduled item if its time has come (the domain row decides: a task
    that arrives late, twice, or for a rescheduled item does nothing wrong)."""
    return services.publish_one_due(item_id)


@task()
def publish_due_items() -> int:
    """Publish every scheduled item whose time has come (the sweep)."""
    return services.publish_due()
