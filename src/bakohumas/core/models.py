"""Work units, staff profiles, roles and the shared infrastructure rows."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


class Level(models.TextChoices):
    NATIONAL = "national", _("National")
    PROVINCE = "province", _("Province")
    REGENCY_CITY = "regency_city", _("Regency/City")


class UnitKind(models.TextChoices):
    KPU = "KPU", "KPU"
    KIP = "KIP", "KIP"


TIME_ZONE_CHOICES = [
    ("Asia/Jakarta", _("WIB (UTC+7)")),
    ("Asia/Makassar", _("WITA (UTC+8)")),
    ("Asia/Jayapura", _("WIT (UTC+9)")),
]
TIME_ZONE_ABBREVIATIONS = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}


class WorkUnitQuerySet(models.QuerySet["WorkUnit"]):
    def for_user(self, user: AbstractBaseUser | AnonymousUser) -> WorkUnitQuerySet:
        from bakohumas.core.scoping import scope_filter

        return self.filter(scope_filter(user, "id"))


class WorkUnit(models.Model):
    """An election-commission work unit (satker): KPU RI, a KPU Provinsi or a KPU Kab/Kota.

    The tree is national → province → regency/city. ``province`` points to the unit's own
    province (itself for a province, empty for the national unit) so that a province's
    scope is one indexed filter.
    """

    code = models.CharField(_("region code"), max_length=16, unique=True)
    name = models.CharField(_("official name"), max_length=200)
    region_name = models.CharField(_("region"), max_length=200)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices, db_index=True)
    kind = models.CharField(_("kind"), max_length=3, choices=UnitKind.choices, default="KPU")
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    province = models.ForeignKey(
        "self",
        verbose_name=_("province"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    time_zone = models.CharField(
        _("time zone"), max_length=32, choices=TIME_ZONE_CHOICES, default="Asia/Makassar"
    )
    address = models.TextField(_("address"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("email"), blank=True)
    website = models.URLField(_("website"), blank=True)
    logo = models.ImageField(_("logo"), upload_to="work-units/logos/", blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = WorkUnitQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("work unit")
        verbose_name_plural = _("work units")

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def zone_abbreviation(self) -> str:
        return TIME_ZONE_ABBREVIATIONS.get(self.time_zone, self.time_zone)

    def localtime(self, value: Any = None) -> Any:
        """``value`` (default now) in this unit's own time zone."""
        return timezone.localtime(value or timezone.now(), self.zone)


class Role(models.TextChoices):
    """The five roles; each is a Django group of the same name with its permissions."""

    ADMINISTRATOR = "administrator", _("Administrator")
    COORDINATOR = "coordinator", _("Coordinator")
    EDITOR = "editor", _("Editor")
    CONTRIBUTOR = "contributor", _("Contributor")
    VIEWER = "viewer", _("Viewer")


class StaffCategory(models.TextChoices):
    ADMINISTRATIVE_OFFICIAL = "pejabat_administrasi", _("Administrative official")
    PRANATA_HUMAS = "pranata_humas", _("Pranata Humas (functional PR staff)")
    EXECUTING_OFFICIAL = "pejabat_pelaksana", _("Executing official")
    PPNPN = "ppnpn", _("Non-civil-servant staff (PPNPN)")


class PranataHumasLevel(models.TextChoices):
    TERAMPIL = "terampil", _("Skilled (Terampil)")
    MAHIR = "mahir", _("Proficient (Mahir)")
    PENYELIA = "penyelia", _("Supervisor (Penyelia)")
    AHLI_PERTAMA = "ahli_pertama", _("First expert (Ahli Pertama)")
    AHLI_MUDA = "ahli_muda", _("Junior expert (Ahli Muda)")
    AHLI_MADYA = "ahli_madya", _("Intermediate expert (Ahli Madya)")


class TeamPosition(models.TextChoices):
    PEMBINA = "pembina", _("Patron (Pembina)")
    PENGARAH = "pengarah", _("Adviser (Pengarah)")
    KETUA = "ketua", _("Chair (Ketua)")
    WAKIL_KETUA = "wakil_ketua", _("Vice chair (Wakil Ketua)")
    SEKRETARIS = "sekretaris", _("Secretary (Sekretaris)")
    ANGGOTA = "anggota", _("Member (Anggota)")
    NONE = "", _("Not on the team")


class StaffProfileQuerySet(models.QuerySet["StaffProfile"]):
    def for_user(self, user: AbstractBaseUser | AnonymousUser) -> StaffProfileQuerySet:
        from bakohumas.core.scoping import scope_filter

        return self.filter(scope_filter(user, "unit_id"))


class StaffProfile(models.Model):
    """A staff member's place in the organisation: work unit, category, team position, role."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    unit = models.ForeignKey(
        WorkUnit, verbose_name=_("work unit"), on_delete=models.PROTECT, related_name="staff"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.VIEWER)
    category = models.CharField(
        _("staff category"), max_length=32, choices=StaffCategory.choices, blank=True
    )
    pranata_level = models.CharField(
        _("Pranata Humas level"), max_length=16, choices=PranataHumasLevel.choices, blank=True
    )
    team_position = models.CharField(
        _("Bakohumas team position"), max_length=16, choices=TeamPosition.choices, blank=True
    )
    job_title = models.CharField(_("job title"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    whatsapp = models.CharField(_("WhatsApp"), max_length=20, blank=True)
    invited_at = models.DateTimeField(_("invited"), null=True, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    invitation_sent_at = models.DateTimeField(_("invitation sent"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = StaffProfileQuerySet.as_manager()

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")
        permissions = [
            ("manage_staff", _("Can invite and manage staff accounts")),
            ("view_auditlog", _("Can search the whole audit log")),
            ("view_mailbox", _("Can read the development mailbox")),
        ]
        indexes = [
            models.Index(fields=["unit", "role"]),
            models.Index(fields=["unit", "category"]),
            models.Index(fields=["role"]),
            models.Index(fields=["category"]),
        ]

    def __str__(self) -> str:
        return f"{self.user.get_full_name() or self.user.get_username()} ({self.unit.code})"

    @property
    def display_name(self) -> str:
        return self.user.get_full_name() or self.user.get_username()

    @property
    def invitation_pending(self) -> bool:
        """Invited but has not chosen a password yet."""
        return self.user.is_active and not self.user.has_usable_password()


class WorkerHeartbeat(models.Model):
    """The last sign of life of each task worker process (read by /healthz)."""

    worker_id = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=200, blank=True)
    pid = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return self.worker_id


class MailboxMessageQuerySet(models.QuerySet["MailboxMessage"]):
    def for_user(self, user: AbstractBaseUser | AnonymousUser) -> MailboxMessageQuerySet:
        """National staff see every message; others the messages of units in their scope
        (messages without a unit, e.g. system mail, only reach national staff)."""
        from bakohumas.core.scoping import scope_filter

        return self.filter(scope_filter(user, "unit_id"))


class MailboxMessage(models.Model):
    """An email kept by the development mailbox backend instead of being sent.

    Mail sent on behalf of a work unit carries the header ``X-Bakohumas-Unit: <unit id>``
    (see ``bakohumas.core.mail.UNIT_HEADER``); the backend stores it in ``unit`` so that the
    mailbox is scoped like everything else.
    """

    subject = models.CharField(_("subject"), max_length=998)
    from_email = models.CharField(_("from"), max_length=320)
    to = models.TextField(_("to"))
    cc = models.TextField(_("cc"), blank=True)
    bcc = models.TextField(_("bcc"), blank=True)
    body_text = models.TextField(_("text body"), blank=True)
    body_html = models.TextField(_("HTML body"), blank=True)
    raw = models.TextField(_("raw message"))
    unit = models.ForeignKey(
        WorkUnit,
        verbose_name=_("work unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)

    objects = MailboxMessageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("mailbox message")
        verbose_name_plural = _("mailbox messages")

    def __str__(self) -> str:
        return self.subject


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Day off (holiday or collective leave)")
    WORKING = "working", _("Working day (overrides a holiday)")


class CalendarOverrideQuerySet(models.QuerySet["CalendarOverride"]):
    def for_user(self, user: AbstractBaseUser | AnonymousUser) -> CalendarOverrideQuerySet:
        """National overrides (no unit) are visible to everyone; local ones by scope."""
        from bakohumas.core.scoping import scope_filter

        return self.filter(models.Q(unit__isnull=True) | scope_filter(user, "unit_id"))


class CalendarOverride(models.Model):
    """A day the ``holidays`` package gets wrong for a unit (or, with no unit, everywhere):
    a local holiday, a collective-leave decree newer than the package, or a working day
    that replaces a holiday. Read by ``core.workdays``."""

    date = models.DateField(_("date"))
    unit = models.ForeignKey(
        WorkUnit,
        verbose_name=_("work unit"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="calendar_overrides",
        help_text=_("Empty: the day applies to every work unit."),
    )
    kind = models.CharField(_("kind"), max_length=8, choices=DayKind.choices)
    name = models.CharField(_("name"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CalendarOverrideQuerySet.as_manager()

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")
        constraints = [
            models.UniqueConstraint(fields=["date", "unit"], name="core_caloverride_unit_day"),
            models.UniqueConstraint(
                fields=["date"],
                condition=models.Q(unit__isnull=True),
                name="core_caloverride_national_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date}: {self.name}"
