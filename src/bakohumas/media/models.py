"""The media library of each work unit: images, video, audio, PDF and slides.

Files are checked by their content (magic bytes), never by their name; images are
re-encoded without EXIF/GPS metadata and get a thumbnail and responsive renditions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bakohumas.core.scoping import ScopedQuerySet

if TYPE_CHECKING:
    pass


class MediaKind(models.TextChoices):
    IMAGE = "image", _("Image")
    VIDEO = "video", _("Video")
    AUDIO = "audio", _("Audio")
    PDF = "pdf", _("PDF document")
    SLIDES = "slides", _("Presentation slides")


class MediaAssetQuerySet(ScopedQuerySet["MediaAsset"]):
    unit_field = "unit_id"


def asset_upload_to(instance: MediaAsset, filename: str) -> str:
    # The stored name never comes from the user: uuid + the extension of the detected type.
    return f"media/{instance.unit_id}/{filename}"


class MediaAsset(models.Model):
    """One file of a unit's media library, reusable by any number of content items."""

    unit = models.ForeignKey(
        "core.WorkUnit", verbose_name=_("work unit"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=MediaKind.choices, db_index=True)
    file = models.FileField(_("file"), upload_to=asset_upload_to, max_length=255)
    original_name = models.CharField(_("original file name"), max_length=255, blank=True)
    mime_type = models.CharField(_("MIME type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    width = models.PositiveIntegerField(_("width"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(_("duration (seconds)"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    alt_text = models.CharField(
        _("alternative text"),
        max_length=500,
        blank=True,
        help_text=_("Describes the image for people who cannot see it. Required to publish."),
    )
    caption = models.CharField(_("caption"), max_length=500, blank=True)
    credit = models.CharField(_("credit"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MediaAssetQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("media file")
        verbose_name_plural = _("media files")
        indexes = [models.Index(fields=["unit", "kind", "-created_at"])]

    def __str__(self) -> str:
        return self.title or self.original_name or f"#{self.pk}"

    @property
    def needs_alt_text(self) -> bool:
        return self.kind == MediaKind.IMAGE and not self.alt_text.strip()


class MediaRendition(models.Model):
    """A derived file of an image asset: the thumbnail or a responsive width."""

    asset = models.ForeignKey(MediaAsset, on_delete=models.CASCADE, related_name="renditions")
    name = models.CharField(max_length=32)  # "thumb", "w480", "w960", "w1600"
    file = models.FileField(max_length=255)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    mime_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["width"]
        constraints = [
            models.UniqueConstraint(fields=["asset", "name"], name="media_rendition_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.asset_id}:{self.name}"
