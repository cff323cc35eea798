"""Rows only the public portal needs: the agenda of public events."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from bakohumas.core.scoping import ScopedQuerySet


class AgendaEventQuerySet(ScopedQuerySet["AgendaEvent"]):
    unit_field = "unit_id"


class AgendaEvent(models.Model):
    """A public event of a unit (socialisation, press conference, election stage event)."""

    unit = models.ForeignKey(
        "core.WorkUnit", verbose_name=_("work unit"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    location = models.CharField(_("location"), max_length=300, blank=True)
    starts_at = models.DateTimeField(_("starts"), db_index=True)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    is_public = models.BooleanField(_("shown on the portal"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AgendaEventQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("agenda event")
        verbose_name_plural = _("agenda events")
        indexes = [models.Index(fields=["unit", "is_public", "starts_at"])]

    def __str__(self) -> str:
        return self.title


class PortalState(models.Model):
    """One row: the generation of what the portal shows. Every change that can alter a
    public page (an item published, withdrawn, archived or edited after publication, an
    agenda event, a media file's text, a unit's name) increments it, so the rendered-page
    cache of every web process (keyed by it) is stale at once."""

    generation = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("portal state")
        verbose_name_plural = _("portal state")

    def __str__(self) -> str:
        return str(self.generation)
