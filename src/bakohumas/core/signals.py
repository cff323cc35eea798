"""Signal handlers of the core app."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_migrate
from django.dispatch import receiver


@receiver(post_migrate)
def _sync_roles_after_migrate(sender: Any, **kwargs: Any) -> None:
    from bakohumas.core.roles import DOMAIN_MODELS, sync_roles

    # Each app's permissions exist only after its own post_migrate: sync after every app
    # whose models the roles cover, so the last one leaves the groups complete.
    if getattr(sender, "label", None) not in {m.split(".")[0] for m in DOMAIN_MODELS}:
        return

    sync_roles()
