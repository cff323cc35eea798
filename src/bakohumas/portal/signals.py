"""What makes the portal's rendered-page cache stale: see ``PortalState``."""

from __future__ import annotations

from typing import Any

from django.db.models import F
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver


def bump_generation() -> None:
    """Increment the portal's generation (creating the row on first use). It runs in the
    writer's transaction: readers see the new generation exactly when they can see the
    new data."""
    from bakohumas.portal.models import PortalState

    if not PortalState.objects.filter(pk=1).update(generation=F("generation") + 1):
        PortalState.objects.get_or_create(pk=1, defaults={"generation": 1})


def _item_touches_portal(instance: Any) -> bool:
    # Anything that has ever been public (published, withdrawn, archived after publishing)
    # or is a template shown nowhere public: only items with a publication time matter.
    return getattr(instance, "published_at", None) is not None


@receiver(post_save, sender="content.ContentItem")
@receiver(post_delete, sender="content.ContentItem")
def _content_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    if _item_touches_portal(instance):
        bump_generation()


@receiver(post_save, sender="portal.AgendaEvent")
@receiver(post_delete, sender="portal.AgendaEvent")
@receiver(post_save, sender="media.MediaAsset")
@receiver(post_delete, sender="media.MediaAsset")
@receiver(post_save, sender="core.WorkUnit")
def _shown_data_changed(sender: Any, **kwargs: Any) -> None:
    bump_generation()
