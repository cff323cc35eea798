"""The unified inbox of a work unit (juknis BAB I A; BAB II C a, d: two-way communication).

A ``Thread`` is one conversation with one person on one channel (portal form, email,
WhatsApp, Telegram); its ``Message`` rows are what the person wrote, the staff's replies
and internal notes. ``services.py`` owns every state change; these models hold the state.
"""

from __future__ import annotations

import uuid
from datetime import time

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bakohumas.core.models import WorkUnit
from bakohumas.core.scoping import ScopedQuerySet


class Channel(models.TextChoices):
    PORTAL = "portal", _("Portal form")
    EMAIL = "email", _("Email")
    WHATSAPP = "whatsapp", "WhatsApp"
    TELEGRAM = "telegram", "Telegram"
    STAFF = "staff", _("Recorded by staff")


class ThreadKind(models.TextChoices):
    QUESTION = "question", _("Question")
    FEEDBACK = "feedback", _("Feedback")
    COMPLAINT = "complaint", _("Complaint")
    HOAX_REPORT = "hoax_report", _("Hoax report")
    MESSAGE = "message", _("Message")
    INFORMATION_REQUEST = "information_request", _("Information request (PPID)")


class ThreadStatus(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    WAITING = "waiting", _("Waiting for the sender")
    RESOLVED = "resolved", _("Resolved")


class Priority(models.IntegerChoices):
    LOW = 1, _("Low")
    NORMAL = 2, _("Normal")
    HIGH = 3, _("High")
    URGENT = 4, _("Urgent")


class InboxSettings(models.Model):
    """Per-unit inbox settings: office hours for the SLA clocks, the SLA targets, and the
    inbound email mailbox (IMAP polling) and webhook secret."""

    unit = models.OneToOneField(
        WorkUnit, on_delete=models.CASCADE, related_name="inbox_settings", primary_key=True
    )
    office_start = models.TimeField(_("office opens"), default=time(7, 30))
    office_end = models.TimeField(_("office closes (Monday-Thursday)"), default=time(16, 0))
    friday_end = models.TimeField(_("office closes (Friday)"), default=time(16, 30))
    first_response_hours = models.PositiveSmallIntegerField(
        _("first reply within (office hours)"), default=8
    )
    resolution_hours = models.PositiveSmallIntegerField(
        _("resolution within (office hours)"), default=40
    )
    reply_from_name = models.CharField(_("reply sender name"), max_length=200, blank=True)
    reply_to_address = models.EmailField(
        _("inbound address"),
        blank=True,
        help_text=_("The mailbox replies come back to (Reply-To of the inbox's emails)."),
    )
    imap_host = models.CharField(_("IMAP host"), max_length=200, blank=True)
    imap_port = models.PositiveIntegerField(_("IMAP port"), default=993)
    imap_user = models.CharField(_("IMAP user"), max_length=200, blank=True)
    imap_secret_ciphertext = models.TextField(blank=True)  # Fernet, core of dissemination.crypto
    imap_folder = models.CharField(_("IMAP folder"), max_length=200, default="INBOX")
    imap_ssl = models.BooleanField(_("IMAP over TLS"), default=True)
    imap_last_uid = models.PositiveBigIntegerField(default=0)
    imap_uidvalidity = models.PositiveBigIntegerField(default=0)
    imap_checked_at = models.DateTimeField(null=True, blank=True)
    imap_error = models.CharField(max_length=500, blank=True)
    webhook_secret_ciphertext = models.TextField(blank=True)  # inbound email webhook bearer
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("inbox settings")
        verbose_name_plural = _("inbox settings")

    def __str__(self) -> str:
        return str(self.unit_id)

    def office_hours(self):  # type: ignore[no-untyped-def]
        from bakohumas.core.workdays import OfficeHours

        return OfficeHours.from_times(self.office_start, self.office_end, self.friday_end)


class InboxTagQuerySet(ScopedQuerySet["InboxTag"]):
    unit_field = "unit_id"


class InboxTag(models.Model):
    """A topic tag of a unit's inbox ("DPT", "logistik", "pencalonan" …)."""

    unit = models.ForeignKey(WorkUnit, on_delete=models.CASCADE, related_name="inbox_tags")
    name = models.CharField(_("name"), max_length=64)

    objects = InboxTagQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("topic tag")
        verbose_name_plural = _("topic tags")
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="inbox_tag_unit_name"),
        ]

    def __str__(self) -> str:
        return self.name


class HoaxCategory(models.TextChoices):
    FABRICATED = "fabricated", _("Fabricated content")
    FALSE_CONNECTION = "false_connection", _("False connection")
    FALSE_CONTEXT = "false_context", _("False context")
    IMPOSTER = "imposter", _("Imposter content")
    MANIPULATED = "manipulated", _("Manipulated content")
    MISLEADING = "misleading", _("Misleading content")
    SATIRE = "satire", _("Satire or parody")


class HoaxCaseStatus(models.TextChoices):
    OPEN = "open", _("Being checked")
    HOAX = "hoax", _("Confirmed hoax")
    NOT_HOAX = "not_hoax", _("Not a hoax")
    CLARIFIED = "clarified", _("Clarified")


class HoaxCaseQuerySet(ScopedQuerySet["HoaxCase"]):
    unit_field = "unit_id"


class HoaxCase(models.Model):
    """One claim under check; the public's hoax reports about it link here, and the
    clarification item that answers it (a content item of form hoax clarification)."""

    unit = models.ForeignKey(WorkUnit, on_delete=models.PROTECT, related_name="hoax_cases")
    title = models.CharField(_("title"), max_length=255)
    claim = models.TextField(_("claim"))
    category = models.CharField(
        _("category"), max_length=20, choices=HoaxCategory.choices, blank=True
    )
    status = models.CharField(
        _("status"), max_length=12, choices=HoaxCaseStatus.choices, default=HoaxCaseStatus.OPEN
    )
    clarification = models.ForeignKey(
        "content.ContentItem",
        verbose_name=_("clarification"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="hoax_cases",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = HoaxCaseQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("hoax case")
        verbose_name_plural = _("hoax cases")

    def __str__(self) -> str:
        return self.title


class ThreadQuerySet(ScopedQuerySet["Thread"]):
    unit_field = "unit_id"


class Thread(models.Model):
    """A conversation with one person on one channel, owned by one work unit."""

    unit = models.ForeignKey(
        WorkUnit, verbose_name=_("work unit"), on_delete=models.PROTECT, related_name="threads"
    )
    kind = models.CharField(_("kind"), max_length=24, choices=ThreadKind.choices)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ThreadStatus.choices,
        default=ThreadStatus.NEW,
        db_index=True,
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    # The correspondent: an email address, a WhatsApp number (E.164, "+62…"), a
    # Telegram chat id, or the portal submitter's email. ``handle`` + ``channel`` (+ the
    # account) find the open thread a new message belongs to.
    handle = models.CharField(_("address"), max_length=320, blank=True, db_index=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    account = models.ForeignKey(
        "dissemination.ChannelAccount",
        verbose_name=_("channel account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="threads",
    )
    contact = models.ForeignKey(
        "stakeholders.Contact",
        verbose_name=_("stakeholder contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="threads",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inbox_threads",
    )
    tags = models.ManyToManyField(InboxTag, verbose_name=_("topics"), blank=True)
    hoax_case = models.ForeignKey(
        HoaxCase,
        verbose_name=_("hoax case"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    clarification = models.ForeignKey(
        "content.ContentItem",
        verbose_name=_("clarification"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Hoax report fields (kind HOAX_REPORT).
    claim_url = models.URLField(_("link to the claim"), max_length=1000, blank=True)
    seen_on = models.CharField(_("where it was seen"), max_length=200, blank=True)
    snippet = models.CharField(max_length=200, blank=True)
    message_count = models.PositiveIntegerField(default=0)
    unread = models.BooleanField(default=True)
    created_at = models.DateTimeField(_("received"), default=timezone.now)
    last_message_at = models.DateTimeField(default=timezone.now)
    last_inbound_at = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    # SLA clocks (office hours of the unit); a PPID request's thread takes its statutory
    # deadline as ``due_at``.
    first_response_due = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    transferred_from = models.ForeignKey(
        WorkUnit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    pii_purged_at = models.DateTimeField(null=True, blank=True)

    objects = ThreadQuerySet.as_manager()

    class Meta:
        ordering = ["-last_message_at", "-id"]
        verbose_name = _("thread")
        verbose_name_plural = _("threads")
        permissions = [
            ("reply_thread", _("Can reply to the public from the inbox")),
            ("manage_inbox", _("Can manage inbox settings, canned replies and hoax cases")),
        ]
        indexes = [
            models.Index(fields=["unit", "-last_message_at", "-id"], name="inbox_thr_unit_last"),
            # The list of several units (a province, national staff) and a common word's
            # search walk the threads in this order.
            models.Index(fields=["-last_message_at", "-id"], name="inbox_thr_last"),
            models.Index(
                fields=["unit", "status", "-last_message_at"], name="inbox_thr_unit_status"
            ),
            models.Index(fields=["assignee", "status"], name="inbox_thr_assignee"),
            models.Index(fields=["channel", "handle"], name="inbox_thr_handle"),
            models.Index(fields=["due_at"], name="inbox_thr_due"),
        ]

    def __str__(self) -> str:
        return self.subject or self.snippet or str(self.pk)

    @property
    def is_open(self) -> bool:
        return self.status != ThreadStatus.RESOLVED


class Direction(models.TextChoices):
    INBOUND = "in", _("From the public")
    OUTBOUND = "out", _("Reply")
    NOTE = "note", _("Internal note")


class MessageStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    READ = "read", _("Read")
    FAILED = "failed", _("Failed")


class MessageQuerySet(ScopedQuerySet["Message"]):
    unit_field = "thread__unit_id"


class Message(models.Model):
    """One message of a thread. ``body`` is plain text, always shown escaped."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(_("direction"), max_length=4, choices=Direction.choices)
    body = models.TextField(_("message"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sender_name = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=MessageStatus.choices, default=MessageStatus.RECEIVED
    )
    error = models.CharField(max_length=500, blank=True)
    # Idempotency of ingestion: "<channel>:<account or unit>:<provider id>", e.g.
    # "whatsapp:3:wamid.HBg…", "telegram:5:update:812", "email:64.72:<msgid@host>",
    # "portal:<form token>". The same update delivered twice makes one message.
    dedupe_key = models.CharField(max_length=300, null=True, blank=True, unique=True)
    provider_id = models.CharField(max_length=300, blank=True, db_index=True)
    is_template = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [models.Index(fields=["thread", "created_at"], name="inbox_msg_thread")]

    def __str__(self) -> str:
        return self.body[:60]


class Attachment(models.Model):
    """A file that came with an inbound message (a screenshot of a hoax …) or was sent."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="inbox/%Y/%m/")
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name


class ThreadEvent(models.Model):
    """The timeline of a thread: assignment, status, priority, transfer, links."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=32)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("thread event")
        verbose_name_plural = _("thread events")

    def __str__(self) -> str:
        return self.action


class CannedReplyQuerySet(ScopedQuerySet["CannedReply"]):
    unit_field = "unit_id"


class CannedReply(models.Model):
    """A reply template. Variables: ``{nama}`` (the sender's name), ``{satker}`` (the
    unit), ``{petugas}`` (the staff member replying), ``{nomor}`` (the thread or register
    number), ``{tanggal}`` (today in the unit's time zone)."""

    unit = models.ForeignKey(WorkUnit, on_delete=models.CASCADE, related_name="canned_replies")
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("text"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CannedReplyQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")
        constraints = [
            models.UniqueConstraint(fields=["unit", "title"], name="inbox_canned_unit_title"),
        ]

    def __str__(self) -> str:
        return self.title
