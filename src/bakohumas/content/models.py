"""Content items, their versions, channel variants and the two-person validation workflow.

Every write goes through ``bakohumas.content.services``; the models only hold data and
small derived properties. See docs/architecture.md ("Content and validation").
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from bakohumas.core.scoping import ScopedQuerySet


class ContentForm(models.TextChoices):
    """The nine information forms of BAB II B.1 plus press release and hoax clarification."""

    NEWS = "news", _("News text")
    PHOTO = "photo", _("Photo with caption")
    MEME = "meme", _("Meme")
    INFOGRAPHIC = "infographic", _("Infographic")
    VIDEO = "video", _("Video")
    PODCAST = "podcast", _("Podcast")
    ADVERTISEMENT = "advertisement", _("Advertisement")
    FILM = "film", _("Film")
    SLIDES = "slides", _("Presentation slides")
    PRESS_RELEASE = "press_release", _("Press release")
    HOAX_CLARIFICATION = "hoax_clarification", _("Hoax clarification")


# Public URL segment of each form on the portal (Indonesian, stable).
FORM_SLUGS: dict[str, str] = {
    ContentForm.NEWS: "berita",
    ContentForm.PHOTO: "foto",
    ContentForm.MEME: "meme",
    ContentForm.INFOGRAPHIC: "infografis",
    ContentForm.VIDEO: "video",
    ContentForm.PODCAST: "podcast",
    ContentForm.ADVERTISEMENT: "iklan",
    ContentForm.FILM: "film",
    ContentForm.SLIDES: "presentasi",
    ContentForm.PRESS_RELEASE: "siaran-pers",
    ContentForm.HOAX_CLARIFICATION: "klarifikasi-hoaks",
}
FORMS_BY_SLUG: dict[str, str] = {v: k for k, v in FORM_SLUGS.items()}


class Topic(models.TextChoices):
    ELECTORAL = "kepemiluan", _("Elections (kepemiluan)")
    INSTITUTIONAL = "kelembagaan", _("Institution (kelembagaan)")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Awaiting validation")
    RETURNED = "returned", _("Returned with comments")
    APPROVED = "approved", _("Approved")
    SCHEDULED = "scheduled", _("Scheduled")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    ARCHIVED = "archived", _("Archived")


EDITABLE_STATUSES = {
    Status.DRAFT,
    Status.RETURNED,
    Status.SUBMITTED,
    Status.APPROVED,
    Status.SCHEDULED,
}
PUBLIC_STATUSES = {Status.PUBLISHED, Status.ARCHIVED}


class ClaimRating(models.TextChoices):
    """Verdicts of a hoax clarification (ClaimReview ``reviewRating``), 1 = false … 5 = true."""

    FALSE = "salah", _("False")
    MISLEADING = "menyesatkan", _("Misleading")
    MISSING_CONTEXT = "kurang_konteks", _("Missing context")
    PARTLY_TRUE = "sebagian_benar", _("Partly true")
    TRUE = "benar", _("True")


CLAIM_RATING_VALUES = {
    ClaimRating.FALSE: 1,
    ClaimRating.MISLEADING: 2,
    ClaimRating.MISSING_CONTEXT: 3,
    ClaimRating.PARTLY_TRUE: 4,
    ClaimRating.TRUE: 5,
}


class ElectionKind(models.TextChoices):
    PEMILU = "pemilu", _("General election (Pemilu)")
    PEMILIHAN = "pemilihan", _("Regional-head election (Pemilihan)")


class ElectionQuerySet(models.QuerySet["Election"]):
    def for_user(self, user: Any) -> ElectionQuerySet:
        """National elections (no unit) are visible to everyone, an election organised by
        a unit above the user's binds (and so is visible to) the user's unit; others by
        unit scope."""
        from bakohumas.core.scoping import scope_filter, user_unit

        above: list[int] = []
        unit = user_unit(user)
        if unit is not None:
            above = [pk for pk in (unit.parent_id, unit.province_id) if pk]
        return self.filter(
            Q(unit__isnull=True) | Q(unit_id__in=above) | scope_filter(user, "unit_id")
        )


class Election(models.Model):
    """An election (Pemilu) or a regional-head election (Pemilihan) with its stages."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=ElectionKind.choices)
    unit = models.ForeignKey(
        "core.WorkUnit",
        verbose_name=_("organising unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty for a national election that binds every unit."),
    )
    voting_day = models.DateField(_("voting day"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ElectionQuerySet.as_manager()

    class Meta:
        ordering = ["-voting_day", "name"]
        verbose_name = _("election")
        verbose_name_plural = _("elections")

    def __str__(self) -> str:
        return self.name


class ElectionStage(models.Model):
    """A stage (tahapan) of an election with its dates.

    ``restricts_publishing`` marks the quiet period (masa tenang) and any other window in
    which scheduling content warns and needs a written reason.
    """

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(_("stage"), max_length=200)
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))
    restricts_publishing = models.BooleanField(
        _("restricts publishing (quiet period)"), default=False
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["starts_on", "id"]
        verbose_name = _("election stage")
        verbose_name_plural = _("election stages")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="stage_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.election.name}: {self.name}"


class ContentTag(models.Model):
    """A free tag of content items (shared by all units, like hashtags)."""

    name = models.CharField(_("name"), max_length=64, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True, allow_unicode=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("content tag")
        verbose_name_plural = _("content tags")

    def __str__(self) -> str:
        return self.name


class ContentItemQuerySet(ScopedQuerySet["ContentItem"]):
    unit_field = "unit_id"

    def public(self) -> ContentItemQuerySet:
        """Items the public portal shows: published (or archived after publishing)."""
        return self.filter(
            status__in=PUBLIC_STATUSES, published_at__isnull=False, withdrawn_at__isnull=True
        )


class ContentItem(models.Model):
    """One piece of content of a work unit, from draft to publication and beyond."""

    unit = models.ForeignKey(
        "core.WorkUnit", verbose_name=_("work unit"), on_delete=models.PROTECT, related_name="+"
    )
    form = models.CharField(_("form"), max_length=24, choices=ContentForm.choices)
    topic = models.CharField(
        _("topic"), max_length=16, choices=Topic.choices, default=Topic.ELECTORAL
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=220, allow_unicode=True)
    summary = models.TextField(_("summary"), max_length=600, blank=True)
    body = models.TextField(_("body"), blank=True, help_text=_("Sanitised HTML."))
    body_text = models.TextField(editable=False, blank=True)  # plain text for search/feeds
    tags = models.ManyToManyField(ContentTag, verbose_name=_("tags"), blank=True)
    election = models.ForeignKey(
        Election,
        verbose_name=_("election"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    stage = models.ForeignKey(
        ElectionStage,
        verbose_name=_("election stage"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    national_issue_url = models.URLField(
        _("national issue reference"),
        max_length=500,
        blank=True,
        help_text=_("URL of the KPU RI source this item follows."),
    )
    authors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("authors"), related_name="authored_content"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    content_hash = models.CharField(max_length=64, blank=True)
    approved_hash = models.CharField(max_length=64, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    publish_at = models.DateTimeField(
        _("publication time"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("Planned time; once approved the item is scheduled for it."),
    )
    schedule_reason = models.TextField(
        _("reason for scheduling in a restricted period"), blank=True
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    correction_notice = models.TextField(_("correction notice"), blank=True)
    # Cascading: a province/national item offered to lower units as a template.
    is_template = models.BooleanField(_("shared down as a template"), default=False)
    source = models.ForeignKey(
        "self",
        verbose_name=_("source item"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="localisations",
    )
    # Press release
    release_number = models.CharField(_("release number"), max_length=64, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    # Hoax clarification (schema.org ClaimReview)
    claim_text = models.TextField(_("claim reviewed"), blank=True)
    claim_source_url = models.URLField(_("where the claim appeared"), max_length=500, blank=True)
    claim_author = models.CharField(_("claim author"), max_length=200, blank=True)
    claim_date = models.DateField(_("claim date"), null=True, blank=True)
    claim_rating = models.CharField(
        _("verdict"), max_length=16, choices=ClaimRating.choices, blank=True
    )
    # Video/podcast hosted elsewhere (e.g. the unit's YouTube channel).
    embed_url = models.URLField(_("external media URL"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ContentItemQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("content item")
        verbose_name_plural = _("content items")
        permissions = [
            ("approve_contentitem", _("Can validate (approve or return) content")),
            ("publish_contentitem", _("Can schedule, publish and withdraw content")),
            ("share_contentitem", _("Can share content down as a template")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["unit", "slug"], name="content_unique_slug_per_unit"),
        ]
        indexes = [
            models.Index(fields=["unit", "status", "-updated_at"]),
            models.Index(fields=["status", "-published_at"]),
            models.Index(fields=["unit", "status", "-published_at"]),
            models.Index(fields=["unit", "form", "status", "-published_at"]),
            models.Index(fields=["status", "publish_at"]),
            models.Index(fields=["is_template", "unit"]),
            # The public items by date: the portal's lists and the search's candidates.
            models.Index(
                F("published_at").desc(),
                name="content_public_recent_idx",
                condition=Q(
                    status__in=["published", "archived"],
                    withdrawn_at__isnull=True,
                    published_at__isnull=False,
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_public(self) -> bool:
        return (
            self.status in PUBLIC_STATUSES
            and self.published_at is not None
            and self.withdrawn_at is None
        )

    @property
    def form_slug(self) -> str:
        return FORM_SLUGS[self.form]

    @property
    def approval_valid(self) -> bool:
        return bool(self.approved_hash) and self.approved_hash == self.content_hash


class ContentMedia(models.Model):
    """A media-library file used by a content item, in order."""

    item = models.ForeignKey(ContentItem, on_delete=models.CASCADE, related_name="media_links")
    asset = models.ForeignKey("media.MediaAsset", on_delete=models.PROTECT, related_name="uses")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["item", "asset"], name="content_media_unique")
        ]

    def __str__(self) -> str:
        return f"{self.item_id}:{self.asset_id}"


class Channel(models.TextChoices):
    WEBSITE = "website", _("Website")
    FACEBOOK = "facebook", "Facebook"
    INSTAGRAM = "instagram", "Instagram"
    X = "x", "X (Twitter)"
    TIKTOK = "tiktok", "TikTok"
    YOUTUBE = "youtube", "YouTube"
    WHATSAPP = "whatsapp", "WhatsApp"
    EMAIL = "email", _("Email")
    PRESS = "press", _("Press (print, TV, radio)")


class ChannelVariant(models.Model):
    """The text of an item for one channel, checked against that platform's limits."""

    item = models.ForeignKey(ContentItem, on_delete=models.CASCADE, related_name="variants")
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    text = models.TextField(_("text"), blank=True)
    hashtags = models.CharField(_("hashtags"), max_length=500, blank=True)
    link = models.URLField(_("link"), max_length=500, blank=True)

    class Meta:
        ordering = ["channel"]
        verbose_name = _("channel variant")
        verbose_name_plural = _("channel variants")
        constraints = [
            models.UniqueConstraint(fields=["item", "channel"], name="content_variant_unique")
        ]

    def __str__(self) -> str:
        return f"{self.item_id}:{self.channel}"


class ContentVersion(models.Model):
    """A snapshot of an item each time its content changed; approvals bind to one."""

    item = models.ForeignKey(ContentItem, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    content_hash = models.CharField(max_length=64)
    snapshot = models.JSONField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="content_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.item_id} v{self.number}"


class Transition(models.Model):
    """One step of the workflow: who moved the item from what to what, when and why."""

    item = models.ForeignKey(ContentItem, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=Status.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    comment = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    content_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.from_status} → {self.to_status}"

    @property
    def display_comment(self) -> str:
        """The comment in the reader's language (system comments are stored as their
        English message id; a person's comment is returned as written)."""
        from django.utils.translation import gettext

        return gettext(self.comment) if self.comment else ""


class ProductionTarget(models.Model):
    """How many items a unit aims to publish per week or month (optionally of one form)."""

    class Period(models.TextChoices):
        WEEK = "week", _("per week")
        MONTH = "month", _("per month")

    unit = models.ForeignKey(
        "core.WorkUnit", verbose_name=_("work unit"), on_delete=models.CASCADE, related_name="+"
    )
    form = models.CharField(
        _("form"),
        max_length=24,
        choices=ContentForm.choices,
        blank=True,
        help_text=_("Empty counts every form."),
    )
    period = models.CharField(_("period"), max_length=8, choices=Period.choices)
    count = models.PositiveIntegerField(_("number of items"))

    class Meta:
        ordering = ["unit", "period", "form"]
        verbose_name = _("production target")
        verbose_name_plural = _("production targets")
        constraints = [
            models.UniqueConstraint(fields=["unit", "form", "period"], name="content_target_unique")
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}: {self.count} {self.period}"
