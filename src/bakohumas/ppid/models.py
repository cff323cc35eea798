"""Public information requests (PPID) under UU 14/2008 and PerKI 1/2019.

A request gets a register number, a secret tracking code (stored hashed), a rule set that
fixes its deadlines in working days (``core.workdays``), a completeness check, an optional
extension, a decision, and possibly objections (keberatan) decided by the superior of the
information officer (Atasan PPID). ``services.py`` owns every state change.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bakohumas.core.models import WorkUnit
from bakohumas.core.scoping import ScopedQuerySet


class RuleSet(models.TextChoices):
    UU14 = "uu14", _("UU 14/2008 (10 + 7 working days)")
    PERKI = "perki", _("PerKI 1/2019, election information (3 + 2 working days)")


# Working days per rule set: answer, one extension, objection answer by the superior,
# time the requester has to file an objection, and to complete an incomplete request.
RULES: dict[str, dict[str, int]] = {
    RuleSet.UU14: {"answer": 10, "extension": 7, "objection_answer": 30, "objection_filing": 30},
    RuleSet.PERKI: {"answer": 3, "extension": 2, "objection_answer": 3, "objection_filing": 30},
}


class RequesterKind(models.TextChoices):
    PERSON = "person", _("Individual")
    ORGANISATION = "organisation", _("Legal entity or group")


class IdentityType(models.TextChoices):
    NIK = "nik", _("Identity card number (NIK/KTP)")
    PASSPORT = "passport", _("Passport")
    ORGANISATION = "organisation", _("Deed / registration of the legal entity")


class ReceiveMethod(models.TextChoices):
    VIEW = "view", _("View, read, listen or take notes")
    HARDCOPY = "hardcopy", _("Get a printed copy")
    SOFTCOPY = "softcopy", _("Get an electronic copy")


class CopyMethod(models.TextChoices):
    PICK_UP = "pick_up", _("Collect in person")
    COURIER = "courier", _("Courier")
    POST = "post", _("Post")
    FAX = "fax", _("Fax")
    EMAIL = "email", _("Email")


class RequestStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    INCOMPLETE = "incomplete", _("Incomplete: waiting for the requester")
    IN_PROCESS = "in_process", _("Being processed")
    EXTENDED = "extended", _("Extended")
    DECIDED = "decided", _("Answered")
    LAPSED = "lapsed", _("Lapsed (not completed in time)")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Decision(models.TextChoices):
    GRANTED = "granted", _("Granted")
    PARTLY_GRANTED = "partly_granted", _("Partly granted")
    REFUSED = "refused", _("Refused (exempt information)")
    NOT_HELD = "not_held", _("Not held by this unit")
    REDIRECTED = "redirected", _("Redirected to another public body")


class ExemptionGround(models.TextChoices):
    """UU 14/2008 article 17, letters a-j."""

    A = "a", _("a. Hinders law enforcement")
    B = "b", _("b. Harms intellectual property or fair competition")
    C = "c", _("c. Endangers state defence and security")
    D = "d", _("d. Reveals Indonesia's natural wealth")
    E = "e", _("e. Harms the national economy")
    F = "f", _("f. Harms foreign relations")
    G = "g", _("g. Reveals an authentic deed or a last will")
    H = "h", _("h. Reveals personal secrets")
    I = "i", _("i. Internal memoranda that are confidential by law")  # noqa: E741
    J = "j", _("j. Information that may not be disclosed by law")


class ObjectionReason(models.TextChoices):
    """UU 14/2008 article 35(1), letters a-g."""

    REFUSED = "a", _("a. The request was refused on an exemption ground")
    NOT_PUBLISHED = "b", _("b. Periodic information was not provided")
    NOT_ANSWERED = "c", _("c. The request was not answered")
    WRONG_ANSWER = "d", _("d. The request was answered other than asked")
    NOT_FULFILLED = "e", _("e. The request was not fulfilled")
    FEE = "f", _("f. An unreasonable fee was charged")
    LATE = "g", _("g. The answer came later than the law allows")


class ObjectionDecision(models.TextChoices):
    UPHELD = "upheld", _("Upheld: the information is to be given")
    REJECTED = "rejected", _("Rejected: the first decision stands")


class RegisterCounter(models.Model):
    """The last register number of a unit, per kind and year (locked when taken)."""

    unit = models.ForeignKey(WorkUnit, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12)  # "request" or "objection"
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "kind", "year"], name="ppid_counter_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.kind} {self.year}: {self.last}"


class InformationRequestQuerySet(ScopedQuerySet["InformationRequest"]):
    unit_field = "unit_id"


class InformationRequest(models.Model):
    """One request for public information (permohonan informasi publik)."""

    unit = models.ForeignKey(
        WorkUnit,
        verbose_name=_("work unit"),
        on_delete=models.PROTECT,
        related_name="information_requests",
    )
    register_number = models.CharField(_("register number"), max_length=64, unique=True)
    tracking_code_hash = models.CharField(max_length=128)
    rule_set = models.CharField(
        _("rule set"), max_length=8, choices=RuleSet.choices, default=RuleSet.PERKI
    )
    channel = models.CharField(_("received through"), max_length=12, default="portal")
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=RequestStatus.choices,
        default=RequestStatus.RECEIVED,
        db_index=True,
    )
    # Requester (personal data: shown only to staff with ``ppid.view_requester_pii``,
    # purged after ``PPID_PII_RETENTION_DAYS``).
    requester_kind = models.CharField(
        _("requester"), max_length=12, choices=RequesterKind.choices, default=RequesterKind.PERSON
    )
    name = models.CharField(_("name"), max_length=200)
    identity_type = models.CharField(
        _("identity document"), max_length=12, choices=IdentityType.choices, default="nik"
    )
    identity_number = models.CharField(_("identity number"), max_length=32)
    address = models.TextField(_("address"))
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    occupation = models.CharField(_("occupation"), max_length=120, blank=True)
    identity_scan = models.FileField(_("identity scan"), upload_to="ppid/identity/", blank=True)
    # The request.
    information = models.TextField(_("information requested"))
    purpose = models.TextField(_("purpose"))
    receive_method = models.CharField(
        _("how to receive it"), max_length=12, choices=ReceiveMethod.choices
    )
    copy_method = models.CharField(
        _("how to get a copy"), max_length=12, choices=CopyMethod.choices, blank=True
    )
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    # Completeness: an incomplete request waits for the requester until
    # ``completion_due``; the answer period starts again from ``completed_at``.
    incomplete_note = models.TextField(_("what is missing"), blank=True)
    incomplete_at = models.DateTimeField(null=True, blank=True)
    completion_due = models.DateField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    due_date = models.DateField(_("answer due"), null=True, blank=True)
    extended_at = models.DateTimeField(null=True, blank=True)
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    # Decision.
    decision = models.CharField(_("decision"), max_length=16, choices=Decision.choices, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answer = models.TextField(_("answer"), blank=True)
    answer_file = models.FileField(_("answer document"), upload_to="ppid/answers/", blank=True)
    exemption_ground = models.CharField(
        _("exemption ground"), max_length=1, choices=ExemptionGround.choices, blank=True
    )
    consequence_test = models.TextField(_("consequence test"), blank=True)
    redirected_to = models.CharField(_("redirected to"), max_length=255, blank=True)
    fee = models.DecimalField(_("copying fee"), max_digits=12, decimal_places=0, default=0)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("officer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ppid_requests",
    )
    thread = models.OneToOneField(
        "inbox.Thread",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="information_request",
    )
    reminded_for = models.DateField(null=True, blank=True)  # the due date last reminded of
    pii_purged_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = InformationRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("information request")
        verbose_name_plural = _("information requests")
        permissions = [
            ("view_requester_pii", _("Can see requesters' personal data")),
            ("decide_objection", _("Can decide objections (superior of the PPID)")),
        ]
        indexes = [
            models.Index(fields=["unit", "-received_at"], name="ppid_req_unit_received"),
            models.Index(fields=["status", "due_date"], name="ppid_req_status_due"),
        ]

    def __str__(self) -> str:
        return self.register_number

    @property
    def rules(self) -> dict[str, int]:
        return RULES[self.rule_set]


class ObjectionStatus(models.TextChoices):
    FILED = "filed", _("Filed")
    DECIDED = "decided", _("Decided")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ObjectionQuerySet(ScopedQuerySet["Objection"]):
    unit_field = "request__unit_id"


class Objection(models.Model):
    """An objection (keberatan) against the handling of a request, answered by the
    superior of the information officer within the rule set's period."""

    request = models.ForeignKey(
        InformationRequest, on_delete=models.CASCADE, related_name="objections"
    )
    register_number = models.CharField(_("register number"), max_length=64, unique=True)
    reason = models.CharField(_("reason"), max_length=1, choices=ObjectionReason.choices)
    statement = models.TextField(_("the objection"))
    filed_at = models.DateTimeField(_("filed"), default=timezone.now)
    due_date = models.DateField(_("answer due"))
    status = models.CharField(
        _("status"), max_length=10, choices=ObjectionStatus.choices, default=ObjectionStatus.FILED
    )
    decision = models.CharField(
        _("decision"), max_length=10, choices=ObjectionDecision.choices, blank=True
    )
    response = models.TextField(_("response of the superior"), blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ObjectionQuerySet.as_manager()

    class Meta:
        ordering = ["-filed_at", "-id"]
        verbose_name = _("objection")
        verbose_name_plural = _("objections")

    def __str__(self) -> str:
        return self.register_number


class RequestEvent(models.Model):
    """The timeline of a request, also shown (without staff names) on the tracking page."""

    request = models.ForeignKey(InformationRequest, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=32)
    public_note = models.TextField(blank=True)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("request event")
        verbose_name_plural = _("request events")

    def __str__(self) -> str:
        return self.action
