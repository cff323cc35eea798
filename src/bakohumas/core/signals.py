"""Signal handlers of the core app."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_migrate
from django.dispatch import receiver


@receiver(post_migrate)
def _sync_roles_after_migrate(sender: Any, **kwargs: Any) -> None:
    if getattr(sender, "label", None) != "core":
        return
    from bakohumas.core.roles import sync_roles

    sync_roles()
