"""Dissemination (juknis BAB II B.1 a-g, B.2): channel accounts, mailing lists, the plan of
publications of an approved item, and one durable delivery row per (publication, recipient).

The engine (``engine.py``) owns every state change; these models only hold the state."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bakohumas.core.models import WorkUnit
from bakohumas.core.scoping import ScopedQuerySet


class ChannelKind(models.TextChoices):
    WEBSITE = "website", _("Website (portal)")
    EMAIL = "email", _("Email campaign")
    WHATSAPP = "whatsapp", _("WhatsApp (Cloud API)")
    TELEGRAM = "telegram", "Telegram"
    FACEBOOK = "facebook", _("Facebook Page")
    INSTAGRAM = "instagram", "Instagram"
    X = "x", "X (Twitter)"
    YOUTUBE = "youtube", "YouTube"
    TIKTOK = "tiktok", "TikTok"
    WEBHOOK = "webhook", _("Generic webhook")
    # Manual channels: the system builds a package, a named person shares it and records
    # the evidence.
    WHATSAPP_GROUP = "whatsapp_group", _("WhatsApp group (manual)")
    PRINT = "print", _("Print media")
    TV = "tv", _("Television")
    RADIO = "radio", _("Radio")
    ONLINE_MEDIA = "online_media", _("Online media")
    ZOOM = "zoom", _("Zoom / online meeting")
    PRESS_CONFERENCE = "press_conference", _("Press conference")
    EVENT = "event", _("Face-to-face event")


MANUAL_KINDS = frozenset(
    {
        ChannelKind.WHATSAPP_GROUP,
        ChannelKind.PRINT,
        ChannelKind.TV,
        ChannelKind.RADIO,
        ChannelKind.ONLINE_MEDIA,
        ChannelKind.ZOOM,
        ChannelKind.PRESS_CONFERENCE,
        ChannelKind.EVENT,
    }
)
# Channels that send one message per recipient (a campaign); the others make one post.
AUDIENCE_KINDS = frozenset({ChannelKind.EMAIL, ChannelKind.WHATSAPP})
# Channels that need a connected account (credentials).
ACCOUNT_KINDS = frozenset(
    {
        ChannelKind.WHATSAPP,
        ChannelKind.TELEGRAM,
        ChannelKind.FACEBOOK,
        ChannelKind.INSTAGRAM,
        ChannelKind.X,
        ChannelKind.YOUTUBE,
        ChannelKind.TIKTOK,
        ChannelKind.WEBHOOK,
    }
)
# Platforms a person may also post on by hand (a manual package) when no account is
# connected: the publication then counts once its evidence is recorded.
HAND_POSTABLE_KINDS = frozenset(
    {
        ChannelKind.TELEGRAM,
        ChannelKind.FACEBOOK,
        ChannelKind.INSTAGRAM,
        ChannelKind.X,
        ChannelKind.YOUTUBE,
        ChannelKind.TIKTOK,
    }
)
# Which channel variant of the content item a publication uses.
VARIANT_FOR = {
    ChannelKind.WEBSITE: "website",
    ChannelKind.EMAIL: "email",
    ChannelKind.WHATSAPP: "whatsapp",
    ChannelKind.WHATSAPP_GROUP: "whatsapp",
    ChannelKind.TELEGRAM: "whatsapp",
    ChannelKind.FACEBOOK: "facebook",
    ChannelKind.INSTAGRAM: "instagram",
    ChannelKind.X: "x",
    ChannelKind.YOUTUBE: "youtube",
    ChannelKind.TIKTOK: "tiktok",
    ChannelKind.WEBHOOK: "website",
    ChannelKind.PRINT: "press",
    ChannelKind.TV: "press",
    ChannelKind.RADIO: "press",
    ChannelKind.ONLINE_MEDIA: "press",
    ChannelKind.PRESS_CONFERENCE: "press",
    ChannelKind.ZOOM: "website",
    ChannelKind.EVENT: "website",
}


class AccountStatus(models.TextChoices):
    CONNECTED = "connected", _("Connected")
    RECONNECT = "reconnect", _("Reconnect needed")
    DISABLED = "disabled", _("Disabled")


class ChannelAccountQuerySet(ScopedQuerySet["ChannelAccount"]):
    unit_field = "unit_id"


class ChannelAccount(models.Model):
    """A connected platform account of a work unit. ``config`` holds what may be shown
    (page id, chat id, API address); the secrets (tokens, app secrets) are encrypted with
    a key from the environment and never shown again once saved."""

    unit = models.ForeignKey(
        WorkUnit, on_delete=models.PROTECT, related_name="channel_accounts", verbose_name=_("unit")
    )
    kind = models.CharField(_("channel"), max_length=16, choices=ChannelKind.choices)
    name = models.CharField(_("name"), max_length=200)
    config = models.JSONField(_("settings"), default=dict, blank=True)
    secret_ciphertext = models.TextField(blank=True, editable=False)
    secret_hint = models.CharField(_("secret"), max_length=32, blank=True, editable=False)
    status = models.CharField(
        _("status"), max_length=16, choices=AccountStatus.choices, default=AccountStatus.CONNECTED
    )
    status_detail = models.CharField(_("status detail"), max_length=500, blank=True)
    checked_at = models.DateTimeField(_("last checked"), null=True, blank=True)
    # Sends per second this account may make, shared by all workers (0: the kind's default).
    rate_per_second = models.FloatField(_("sends per second"), default=0)
    # A platform that answered 429 holds every send of this account until then.
    paused_until = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ChannelAccountQuerySet.as_manager()

    class Meta:
        ordering = ["unit_id", "kind", "name"]
        verbose_name = _("channel account")
        verbose_name_plural = _("channel accounts")
        constraints = [
            models.UniqueConstraint(fields=["unit", "kind", "name"], name="unique_account_name")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.name}"


class MailingListQuerySet(ScopedQuerySet["MailingList"]):
    unit_field = "unit_id"


class MailingList(models.Model):
    """An email list of a work unit; the public subscribe on the portal (double opt-in)."""

    unit = models.ForeignKey(
        WorkUnit, on_delete=models.PROTECT, related_name="mailing_lists", verbose_name=_("unit")
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    is_public = models.BooleanField(_("open to subscription on the portal"), default=True)
    from_name = models.CharField(_("sender name"), max_length=200, blank=True)
    reply_to = models.EmailField(_("reply-to address"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MailingListQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("mailing list")
        verbose_name_plural = _("mailing lists")
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="unique_list_name_per_unit")
        ]

    def __str__(self) -> str:
        return self.name


class SubscriberStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting confirmation")
    CONFIRMED = "confirmed", _("Subscribed")
    UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
    BOUNCED = "bounced", _("Hard-bounced")


def _token() -> str:
    return secrets.token_urlsafe(24)


class SubscriberQuerySet(ScopedQuerySet["Subscriber"]):
    unit_field = "mailing_list__unit_id"


class Subscriber(models.Model):
    """One address on a mailing list. Only ``confirmed`` receives anything; the
    confirmation (when, from where) is the consent a send relies on."""

    mailing_list = models.ForeignKey(
        MailingList, on_delete=models.CASCADE, related_name="subscribers"
    )
    email = models.EmailField(_("email"), max_length=254)
    name = models.CharField(_("name"), max_length=200, blank=True)
    contact = models.ForeignKey(
        "stakeholders.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=SubscriberStatus.choices,
        default=SubscriberStatus.PENDING,
    )
    token = models.CharField(max_length=64, unique=True, default=_token, editable=False)
    consent_source = models.CharField(_("consent source"), max_length=200, blank=True)
    subscribed_at = models.DateTimeField(_("requested"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed"), null=True, blank=True)
    soft_bounces = models.PositiveIntegerField(default=0)

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        ordering = ["email"]
        verbose_name = _("subscriber")
        verbose_name_plural = _("subscribers")
        constraints = [
            models.UniqueConstraint(fields=["mailing_list", "email"], name="unique_subscriber")
        ]
        indexes = [models.Index(fields=["mailing_list", "status"], name="dis_sub_list_status")]

    def __str__(self) -> str:
        return self.email


class Suppression(models.Model):
    """An address (email or phone) that must never receive anything again from a unit's
    campaigns: hard bounce or a one-click unsubscribe of a stakeholder contact."""

    class Reason(models.TextChoices):
        HARD_BOUNCE = "hard_bounce", _("Hard bounce")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
        COMPLAINT = "complaint", _("Spam complaint")

    address = models.CharField(_("address"), max_length=254, unique=True)
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("suppressed address")
        verbose_name_plural = _("suppressed addresses")

    def __str__(self) -> str:
        return self.address


class PublicationStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    SENDING = "sending", _("Sending")
    PAUSED = "paused", _("Paused")
    AWAITING_EVIDENCE = "awaiting_evidence", _("Awaiting evidence")
    DONE = "done", _("Published")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_PUBLICATION_STATUSES = frozenset(
    {PublicationStatus.PLANNED, PublicationStatus.SENDING, PublicationStatus.PAUSED}
)


class PublicationQuerySet(ScopedQuerySet["Publication"]):
    unit_field = "unit_id"


class Publication(models.Model):
    """One dissemination of an approved item: a channel, an account / list / group, a time
    and the channel variant it uses. The content is re-checked against its approval hash
    when it goes out."""

    item = models.ForeignKey(
        "content.ContentItem", on_delete=models.PROTECT, related_name="publications"
    )
    unit = models.ForeignKey(
        WorkUnit, on_delete=models.PROTECT, related_name="publications", verbose_name=_("unit")
    )
    kind = models.CharField(_("channel"), max_length=16, choices=ChannelKind.choices)
    account = models.ForeignKey(
        ChannelAccount,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="publications",
        verbose_name=_("account"),
    )
    mailing_list = models.ForeignKey(
        MailingList,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="publications",
        verbose_name=_("mailing list"),
    )
    group = models.ForeignKey(
        "stakeholders.CommunicationGroup",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="publications",
        verbose_name=_("stakeholder group"),
    )
    # A stakeholder segment: {"categories": [...], "tags": [...]} over the unit's contacts.
    segment = models.JSONField(_("stakeholder segment"), default=dict, blank=True)
    target = models.CharField(
        _("destination"),
        max_length=300,
        blank=True,
        help_text=_("Group, outlet or event name for a manual channel."),
    )
    manual = models.BooleanField(
        _("posted by hand"),
        default=False,
        help_text=_("A platform without a connected account: a person shares the package."),
    )
    scheduled_at = models.DateTimeField(_("send at"), default=timezone.now, db_index=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=PublicationStatus.choices,
        default=PublicationStatus.PLANNED,
    )
    approved_hash = models.CharField(max_length=64, blank=True)
    # For WhatsApp Cloud API campaigns: an approved message template and its language.
    template_name = models.CharField(_("WhatsApp template"), max_length=200, blank=True)
    template_language = models.CharField(_("template language"), max_length=16, blank=True)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_publications",
        verbose_name=_("responsible person"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    external_id = models.CharField(max_length=200, blank=True)
    external_url = models.URLField(_("published at"), max_length=500, blank=True)
    error = models.TextField(_("reason"), blank=True)
    total = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    share_token = models.CharField(max_length=64, unique=True, default=_token, editable=False)
    notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = PublicationQuerySet.as_manager()

    class Meta:
        ordering = ["-scheduled_at", "-id"]
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        indexes = [
            models.Index(fields=["status", "scheduled_at"], name="dis_pub_status_when"),
            models.Index(fields=["unit", "scheduled_at"], name="dis_pub_unit_when"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.item_id}"

    @property
    def is_manual(self) -> bool:
        return self.kind in MANUAL_KINDS or self.manual

    @property
    def is_campaign(self) -> bool:
        return self.kind in AUDIENCE_KINDS

    @property
    def variant_channel(self) -> str:
        return VARIANT_FOR.get(ChannelKind(self.kind), "website")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    READ = "read", _("Read")
    FAILED = "failed", _("Failed")
    BOUNCED = "bounced", _("Bounced")
    SKIPPED = "skipped", _("Skipped")
    CANCELLED = "cancelled", _("Cancelled")


TERMINAL_DELIVERY = frozenset(
    {
        DeliveryStatus.SENT,
        DeliveryStatus.DELIVERED,
        DeliveryStatus.READ,
        DeliveryStatus.FAILED,
        DeliveryStatus.BOUNCED,
        DeliveryStatus.SKIPPED,
        DeliveryStatus.CANCELLED,
    }
)
SUCCESS_DELIVERY = frozenset({DeliveryStatus.SENT, DeliveryStatus.DELIVERED, DeliveryStatus.READ})


class DeliveryQuerySet(ScopedQuerySet["Delivery"]):
    unit_field = "publication__unit_id"


class Delivery(models.Model):
    """One (publication, recipient): written in the dispatch transaction, claimed by one
    worker under a lease, sent with ``key`` as idempotency key (the email Message-ID), and
    ended sent, failed (with the reason), bounced, skipped (with the reason) or cancelled."""

    publication = models.ForeignKey(
        Publication, on_delete=models.CASCADE, related_name="deliveries"
    )
    recipient = models.CharField(_("recipient"), max_length=254)
    recipient_name = models.CharField(_("name"), max_length=200, blank=True)
    contact = models.ForeignKey(
        "stakeholders.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subscriber = models.ForeignKey(
        Subscriber, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    # What the send relied on, e.g. "consent:12 email granted 2026-03-01 (web_form)".
    consent_ref = models.CharField(_("consent relied on"), max_length=300, blank=True)
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    status = models.CharField(
        _("status"), max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    lease_owner = models.CharField(max_length=64, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    provider_id = models.CharField(max_length=200, blank=True)
    error = models.CharField(_("reason"), max_length=500, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    clicked_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "recipient"], name="one_delivery_per_recipient"
            )
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="dis_delivery_ready",
                condition=Q(status="pending"),
            ),
            models.Index(
                fields=["lease_until"], name="dis_delivery_leased", condition=Q(status="sending")
            ),
            # Keyset paging of one publication's rows, all or by status.
            models.Index(fields=["publication", "id"], name="dis_delivery_pub_id"),
            models.Index(fields=["publication", "status", "id"], name="dis_delivery_pub_status"),
            models.Index(fields=["provider_id"], name="dis_delivery_provider"),
        ]

    def __str__(self) -> str:
        return f"{self.publication_id} → {self.recipient}"


class Evidence(models.Model):
    """Proof that a manual publication happened: a link, a screenshot or clipping scan,
    when it was broadcast and how many it reached."""

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="evidence")
    url = models.URLField(_("link"), max_length=500, blank=True)
    file = models.FileField(_("screenshot or scan"), upload_to="evidence/%Y/%m/", blank=True)
    broadcast_at = models.DateTimeField(_("broadcast or shared at"))
    audience = models.PositiveIntegerField(_("audience reached"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        return f"{self.publication_id}: {self.url or self.file.name}"


class Metric(models.Model):
    """The latest figures of a publication, fetched from the platform or entered by hand.
    ``clicks`` also counts the tracked-link redirects of email campaigns."""

    class Source(models.TextChoices):
        PLATFORM = "platform", _("Platform API")
        MANUAL = "manual", _("Entered by hand")
        TRACKING = "tracking", _("Click tracking")

    publication = models.OneToOneField(Publication, on_delete=models.CASCADE, related_name="metric")
    reach = models.PositiveIntegerField(_("reach"), default=0)
    impressions = models.PositiveIntegerField(_("impressions"), default=0)
    engagement = models.PositiveIntegerField(_("engagement"), default=0)
    clicks = models.PositiveIntegerField(_("clicks"), default=0)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    fetched_at = models.DateTimeField(_("updated"), default=timezone.now)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("metrics")
        verbose_name_plural = _("metrics")

    def __str__(self) -> str:
        return f"{self.publication_id}: {self.reach}"


class Notification(models.Model):
    """A message to a staff member about a failure or a completion (also sent by email)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    text = models.CharField(max_length=500)
    url = models.CharField(max_length=500, blank=True)
    is_error = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["user", "read_at"], name="dis_notif_user_unread")]

    def __str__(self) -> str:
        return self.text
