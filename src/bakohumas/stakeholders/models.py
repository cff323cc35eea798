"""Stakeholders (juknis BAB II D): organisations, contacts, consent, tags, engagement log,
and the communication groups of BAB II B.2."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bakohumas.core.models import WorkUnit
from bakohumas.core.scoping import ScopedQuerySet


class Category(models.TextChoices):
    """The twelve stakeholder categories of juknis BAB II D (a to l)."""

    POLICE = "police", _("Regional police (Kepolisian)")
    BAWASLU = "bawaslu", _("Election supervisory body (Bawaslu)")
    DPRD_SECRETARIAT = "dprd", _("Regional parliament secretariat (Sekretariat DPRD)")
    LOCAL_GOVERNMENT = "government", _("Local government and agencies (Pemda/Forkopimda)")
    POLITICAL_PARTY = "party", _("Political party")
    NGO = "ngo", _("NGO, election activists and monitors")
    ORMAS = "ormas", _("Community organisation (ormas)")
    UNIVERSITY = "university", _("University")
    BROADCASTER = "broadcaster", _("Public or private broadcaster")
    PRESS = "press", _("Mass media (press)")
    SOCIAL_PLATFORM = "platform", _("Social media platform")
    COMMUNITY = "community", _("Community group (bloggers, influencers …)")


class Channel(models.TextChoices):
    """Channels a contact can be reached through (and consent is kept for)."""

    EMAIL = "email", _("Email")
    WHATSAPP = "whatsapp", _("WhatsApp")
    SMS = "sms", _("SMS")
    PHONE = "phone", _("Phone call")
    TELEGRAM = "telegram", _("Telegram")
    LETTER = "letter", _("Letter")


class ConsentStatus(models.TextChoices):
    GRANTED = "granted", _("Granted")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ConsentMethod(models.TextChoices):
    WRITTEN = "written", _("Written form")
    VERBAL = "verbal", _("Verbal, recorded by staff")
    WEB_FORM = "web_form", _("Web form")
    EMAIL_REPLY = "email_reply", _("Email reply")
    WHATSAPP_OPT_IN = "whatsapp_opt_in", _("WhatsApp opt-in")
    IMPORT = "import", _("Imported with documented consent")
    EVENT = "event", _("Event registration")
    UNSUBSCRIBE = "unsubscribe", _("Unsubscribe request")
    OTHER = "other", _("Other")


class Tag(models.Model):
    """A label used to build segments of organisations and contacts."""

    name = models.CharField(_("name"), max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name


class OrganisationQuerySet(ScopedQuerySet["Organisation"]):
    unit_field = "unit_id"


class Organisation(models.Model):
    """A stakeholder organisation, owned by the work unit of its tier."""

    unit = models.ForeignKey(
        WorkUnit,
        verbose_name=_("owning work unit"),
        on_delete=models.PROTECT,
        related_name="organisations",
    )
    name = models.CharField(_("name"), max_length=255)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    address = models.TextField(_("address"), blank=True)
    city = models.CharField(_("city/regency"), max_length=120, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    website = models.URLField(_("website"), blank=True)
    facebook = models.CharField(_("Facebook"), max_length=200, blank=True)
    instagram = models.CharField(_("Instagram"), max_length=200, blank=True)
    x_account = models.CharField(_("X (Twitter)"), max_length=200, blank=True)
    youtube = models.CharField(_("YouTube"), max_length=200, blank=True)
    tiktok = models.CharField(_("TikTok"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    tags = models.ManyToManyField(
        Tag, verbose_name=_("tags"), blank=True, related_name="organisations"
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        indexes = [
            models.Index(fields=["unit", "name"]),
            models.Index(fields=["unit", "category"]),
            models.Index(fields=["category", "name"]),
            models.Index(fields=["name"]),
            models.Index(fields=["is_active", "name"], name="stk_org_active_name"),
            models.Index(fields=["city", "name"], name="stk_org_city_name"),
            models.Index(fields=["-updated_at", "-id"], name="stk_org_updated"),
        ]
        constraints = [
            models.UniqueConstraint(
                Lower("name"), F("unit"), name="unique_organisation_name_per_unit"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ContactQuerySet(ScopedQuerySet["Contact"]):
    unit_field = "unit_id"

    def active(self) -> ContactQuerySet:
        return self.filter(merged_into__isnull=True)


class Contact(models.Model):
    """A person at (or outside) a stakeholder organisation.

    ``unit`` is the owning work unit (the organisation's, when there is one). Phone and
    WhatsApp numbers are stored in E.164 (+62…). A contact merged into another keeps its
    row, pointing at the survivor through ``merged_into``.
    """

    unit = models.ForeignKey(
        WorkUnit,
        verbose_name=_("owning work unit"),
        on_delete=models.PROTECT,
        related_name="contacts",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contacts",
    )
    name = models.CharField(_("name"), max_length=200)
    position = models.CharField(_("position"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    whatsapp = models.CharField(_("WhatsApp number"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    preferred_channel = models.CharField(
        _("preferred channel"), max_length=16, choices=Channel.choices, blank=True
    )
    notes = models.TextField(_("notes"), blank=True)
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="contacts")
    is_active = models.BooleanField(_("active"), default=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_from",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ContactQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        indexes = [
            models.Index(fields=["unit", "name"]),
            models.Index(fields=["organisation", "name"]),
            models.Index(fields=["phone"]),
            models.Index(fields=["whatsapp"]),
            models.Index(fields=["email"]),
            models.Index(fields=["name"]),
            models.Index(fields=["is_active", "name"], name="stk_contact_active_name"),
            models.Index(fields=["preferred_channel", "name"], name="stk_contact_pref_name"),
            models.Index(Lower("email"), name="stk_contact_lower_email"),
            models.Index(fields=["-updated_at", "-id"], name="stk_contact_updated"),
        ]

    def __str__(self) -> str:
        return self.name


class ContactConsentQuerySet(ScopedQuerySet["ContactConsent"]):
    unit_field = "contact__unit_id"


class ContactConsent(models.Model):
    """The current consent of one contact for one channel, with when and how it was given
    or withdrawn. Earlier states stay in the audit trail."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="consents")
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    status = models.CharField(_("status"), max_length=16, choices=ConsentStatus.choices)
    method = models.CharField(_("how"), max_length=32, choices=ConsentMethod.choices)
    evidence = models.CharField(_("evidence or note"), max_length=500, blank=True)
    given_at = models.DateTimeField(_("given at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ContactConsentQuerySet.as_manager()

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.UniqueConstraint(fields=["contact", "channel"], name="one_consent_per_channel")
        ]
        indexes = [models.Index(fields=["channel", "status"])]

    def __str__(self) -> str:
        return f"{self.contact} · {self.channel}: {self.status}"

    @property
    def is_granted(self) -> bool:
        return self.status == ConsentStatus.GRANTED


class EngagementKind(models.TextChoices):
    MEETING = "meeting", _("Meeting")
    CALL = "call", _("Call")
    MESSAGE = "message", _("Message")
    EMAIL = "email", _("Email")
    VISIT = "visit", _("Visit")
    EVENT = "event", _("Event")
    NOTE = "note", _("Note")


class EngagementQuerySet(ScopedQuerySet["Engagement"]):
    unit_field = "organisation__unit_id"


class Engagement(models.Model):
    """One entry of an organisation's engagement log."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="engagements",
    )
    contact = models.ForeignKey(
        Contact,
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="engagements",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=EngagementKind.choices)
    occurred_at = models.DateTimeField(_("when"), default=timezone.now)
    subject = models.CharField(_("subject"), max_length=255)
    notes = models.TextField(_("notes"), blank=True)
    attachment = models.FileField(_("attachment"), upload_to="engagements/%Y/%m/", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EngagementQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("engagement")
        verbose_name_plural = _("engagements")
        indexes = [models.Index(fields=["organisation", "-occurred_at"])]

    def __str__(self) -> str:
        return self.subject


class Platform(models.TextChoices):
    WHATSAPP = "whatsapp", _("WhatsApp")
    TELEGRAM = "telegram", _("Telegram")
    EMAIL_LIST = "email_list", _("Email list")
    SIGNAL = "signal", _("Signal")
    OTHER = "other", _("Other")


class Audience(models.TextChoices):
    INTERNAL = "internal", _("Internal (between work units)")
    STAKEHOLDER = "stakeholder", _("With stakeholders")
    PUBLIC = "public", _("Public")


class CommunicationGroupQuerySet(ScopedQuerySet["CommunicationGroup"]):
    unit_field = "unit_id"


class CommunicationGroup(models.Model):
    """A communication group (juknis BAB II B.2): WhatsApp, Telegram, email list …"""

    unit = models.ForeignKey(
        WorkUnit,
        verbose_name=_("administering unit"),
        on_delete=models.PROTECT,
        related_name="communication_groups",
    )
    name = models.CharField(_("name"), max_length=200)
    platform = models.CharField(_("platform"), max_length=16, choices=Platform.choices)
    audience = models.CharField(_("audience"), max_length=16, choices=Audience.choices)
    purpose = models.TextField(_("purpose"), blank=True)
    rules = models.TextField(_("rules"), blank=True)
    invite_link = models.URLField(_("invite link"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CommunicationGroupQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("communication group")
        verbose_name_plural = _("communication groups")
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="unique_group_name_per_unit")
        ]
        indexes = [
            models.Index(fields=["platform", "name"], name="stk_group_platform_name"),
            models.Index(fields=["audience", "name"], name="stk_group_audience_name"),
        ]

    def __str__(self) -> str:
        return self.name


class MemberRole(models.TextChoices):
    ADMIN = "admin", _("Group administrator")
    MEMBER = "member", _("Member")


class GroupMembershipQuerySet(ScopedQuerySet["GroupMembership"]):
    unit_field = "group__unit_id"


class GroupMembership(models.Model):
    """A member of a communication group: a staff user or a stakeholder contact."""

    group = models.ForeignKey(
        CommunicationGroup, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="group_memberships",
    )
    contact = models.ForeignKey(
        Contact,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="group_memberships",
    )
    role = models.CharField(
        _("role"), max_length=16, choices=MemberRole.choices, default=MemberRole.MEMBER
    )
    joined_at = models.DateTimeField(_("joined"), default=timezone.now)

    objects = GroupMembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("group membership")
        verbose_name_plural = _("group memberships")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(user__isnull=False, contact__isnull=True)
                    | Q(user__isnull=True, contact__isnull=False)
                ),
                name="membership_is_user_xor_contact",
            ),
            models.UniqueConstraint(fields=["group", "user"], name="unique_user_per_group"),
            models.UniqueConstraint(fields=["group", "contact"], name="unique_contact_per_group"),
        ]

    def __str__(self) -> str:
        return f"{self.group}: {self.user or self.contact}"
