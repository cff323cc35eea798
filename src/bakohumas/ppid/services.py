"""Every state change of a public information request and its objections.

Deadlines are working days of the unit (``core.workdays``): the answer is due on the
``answer``-th working day after the request was received, or after the day the requester
completed an incomplete request; an extension adds ``extension`` working days once; an
objection is answered within ``objection_answer`` working days of its filing and may be
filed within ``objection_filing`` working days of its cause.

A refused change raises ``PpidError`` (with the form field, if one is at fault) and
writes nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from bakohumas.core.models import Role, WorkUnit
from bakohumas.core.scoping import can_see_unit, get_profile
from bakohumas.core.workdays import Calendar, calendar_for
from bakohumas.ppid.models import (
    RULES,
    Decision,
    ExemptionGround,
    IdentityType,
    InformationRequest,
    Objection,
    ObjectionDecision,
    ObjectionReason,
    ObjectionStatus,
    RegisterCounter,
    RequestEvent,
    RequestStatus,
    RuleSet,
)

logger = logging.getLogger(__name__)

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
CODE_LENGTH = 10
NIK_RE = re.compile(r"^\d{16}$")
OPEN_STATUSES = (
    RequestStatus.RECEIVED,
    RequestStatus.INCOMPLETE,
    RequestStatus.IN_PROCESS,
    RequestStatus.EXTENDED,
)


class PpidError(Exception):
    """A refused change; ``str(error)`` is a translated message for the user."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


# Identity numbers -------------------------------------------------------------------
def validate_nik(value: str) -> str:
    """Check an Indonesian identity number (NIK): 16 digits; digits 1-2 a province code
    (11-94), 7-8 the day of birth (01-31, or 41-71 for women), 9-10 the month (01-12), and
    the last four a serial that is not 0000. Returns the digits; raises ``ValidationError``.
    """
    digits = re.sub(r"[\s.\-]", "", value or "")
    if not NIK_RE.match(digits):
        raise ValidationError(_("An identity number (NIK) has exactly 16 digits."), code="nik")
    province = int(digits[0:2])
    day = int(digits[6:8])
    month = int(digits[8:10])
    if not 11 <= province <= 94:
        raise ValidationError(
            _("The first two digits of the NIK must be a province code."), code="nik"
        )
    if day > 40:
        day -= 40
    if not (1 <= day <= 31 and 1 <= month <= 12):
        raise ValidationError(
            _("Digits 7 to 10 of the NIK must be a date of birth (day and month)."), code="nik"
        )
    if digits[12:] == "0000":
        raise ValidationError(_("The last four digits of the NIK cannot be 0000."), code="nik")
    return digits


def clean_identity(identity_type: str, number: str) -> str:
    if identity_type == IdentityType.NIK:
        return validate_nik(number)
    cleaned = (number or "").strip()
    if not 4 <= len(cleaned) <= 32:
        raise ValidationError(_("Enter the number of the identity document."), code="identity")
    return cleaned


# Tracking codes ---------------------------------------------------------------------
def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def hash_code(code: str) -> str:
    normalised = re.sub(r"[\s\-]", "", code or "").upper()
    return hmac.new(settings.SECRET_KEY.encode(), normalised.encode(), hashlib.sha256).hexdigest()


def track(register_number: str, code: str) -> InformationRequest | None:
    """The request with this register number whose secret code matches, else None.
    The comparison takes the same time whether the number exists or not."""
    found = (
        InformationRequest.objects.select_related("unit")
        .filter(register_number=(register_number or "").strip().upper())
        .first()
    )
    expected = found.tracking_code_hash if found is not None else "0" * 64
    if hmac.compare_digest(expected, hash_code(code)) and found is not None:
        return found
    return None


# Register numbers -------------------------------------------------------------------
def next_register_number(unit: WorkUnit, kind: str, year: int) -> str:
    """ "PPID/<unit code>/<year>/<00001>" ("KBR/…" for an objection); call in a transaction."""
    counter, _created = RegisterCounter.objects.select_for_update().get_or_create(
        unit=unit, kind=kind, year=year
    )
    counter.last += 1
    counter.save(update_fields=["last"])
    prefix = "PPID" if kind == "request" else "KBR"
    return f"{prefix}/{unit.code}/{year}/{counter.last:05d}"


# Deadlines --------------------------------------------------------------------------
def answer_due(request: InformationRequest, calendar: Calendar | None = None) -> date:
    """The last day of the answer period (with the extension, when there is one)."""
    calendar = calendar or calendar_for(request.unit)
    start = request.completed_at or request.received_at
    first_day = calendar.local(start).date()
    days = request.rules["answer"]
    if request.extended_at is not None:
        days += request.rules["extension"]
    return calendar.add_working_days(first_day, days)


def submit(
    unit: WorkUnit,
    data: dict[str, Any],
    *,
    channel: str = "portal",
    user: Any = None,
    received_at: datetime | None = None,
) -> tuple[InformationRequest, str]:
    """Register a request (from the public form, staff form or API) and open its inbox
    thread. ``data`` holds the model's field names (already validated by the form, the
    identity number is checked again here). Returns the request and its secret code,
    which is shown once and sent to the requester; only its hash is stored."""
    from bakohumas.inbox.models import Channel, ThreadKind
    from bakohumas.inbox.services import Inbound, ingest

    try:
        identity = clean_identity(
            data.get("identity_type") or "nik", str(data.get("identity_number") or "")
        )
    except ValidationError as exc:
        raise PpidError(exc.messages[0], field="identity_number") from exc
    code = new_code()
    now = received_at or timezone.now()
    with transaction.atomic():
        fields = {k: v for k, v in data.items() if k not in {"identity_number"}}
        request = InformationRequest(
            unit=unit,
            channel=channel,
            identity_number=identity,
            tracking_code_hash=hash_code(code),
            received_at=now,
            created_by=user if getattr(user, "is_authenticated", False) else None,
            **fields,
        )
        request.register_number = next_register_number(unit, "request", unit.localtime(now).year)
        request.due_date = answer_due(request)
        request.save()
        RequestEvent.objects.create(
            request=request,
            actor=request.created_by,
            action="received",
            public_note=_("Request received and registered."),
            created_at=now,
        )
        inbox_channel = channel if channel in Channel.values else Channel.STAFF
        message = ingest(
            Inbound(
                unit=unit,
                channel=inbox_channel,
                kind=ThreadKind.INFORMATION_REQUEST,
                handle=request.email,
                name=request.name,
                phone=request.phone,
                subject=_("Information request %(number)s") % {"number": request.register_number},
                body=request.information,
                dedupe_key=f"ppid:{request.register_number}",
                received_at=now,
            )
        )
        if message is not None:
            thread = message.thread
            thread.due_at = end_of_day(unit, request.due_date)
            thread.save(update_fields=["due_at"])
            request.thread = thread
            request.save(update_fields=["thread"])
    return request, code


def end_of_day(unit: WorkUnit, day: date) -> datetime:
    """23:59:59 of ``day`` in the unit's time zone (a deadline day ends at midnight)."""
    return datetime.combine(day, datetime.max.time().replace(microsecond=0), tzinfo=unit.zone)


def rules_for(rule_set: str) -> dict[str, int]:
    return RULES[rule_set]


# Helpers ------------------------------------------------------------------------------
CLOSED_STATUSES = (RequestStatus.DECIDED, RequestStatus.LAPSED, RequestStatus.WITHDRAWN)
# Statuses whose answer clock runs (an incomplete request waits for the requester).
RUNNING_STATUSES = (RequestStatus.RECEIVED, RequestStatus.IN_PROCESS, RequestStatus.EXTENDED)
PURGED_TEXT = "-"


def _now(now: datetime | None = None) -> datetime:
    return now or timezone.now()


def _today(request: InformationRequest, now: datetime | None = None) -> date:
    """Today's date in the request's unit's own time zone."""
    local: datetime = request.unit.localtime(_now(now))
    return local.date()


def _staff(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def _require(user: Any, perm: str, request: InformationRequest) -> None:
    """``PermissionDenied`` unless ``user`` holds ``perm`` and sees the request's unit."""
    if not _staff(user) or not user.has_perm(perm) or not can_see_unit(user, request.unit_id):
        raise PermissionDenied


def _locked(request: InformationRequest) -> InformationRequest:
    """The request's row locked for the transaction, refreshed into ``request``."""
    fresh = InformationRequest.objects.select_for_update().get(pk=request.pk)
    for field in InformationRequest._meta.concrete_fields:
        setattr(request, field.attname, getattr(fresh, field.attname))
    return request


def _event(
    request: InformationRequest,
    actor: Any,
    action: str,
    public_note: str = "",
    detail: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> RequestEvent:
    return RequestEvent.objects.create(
        request=request,
        actor=actor if _staff(actor) else None,
        action=action,
        public_note=public_note,
        detail=detail or {},
        created_at=_now(now),
    )


def _format_day(day: date | None) -> str:
    return formats.date_format(day, "DATE_FORMAT") if day else ""


def _text(value: str, field: str, message: str) -> str:
    cleaned = (value or "").strip()
    if not cleaned:
        raise PpidError(message, field=field)
    return cleaned


def _require_status(request: InformationRequest, allowed: tuple[str, ...], message: str) -> None:
    if request.status not in allowed:
        raise PpidError(message)


def _request_path(request: InformationRequest) -> str:
    return reverse("ppid:request_detail", args=[request.pk])


def tracking_url() -> str:
    """The absolute address of the public tracking page."""
    try:
        path = reverse("ppid_public:track")
    except NoReverseMatch:  # pragma: no cover - the public URLs are always installed
        path = "/ppid/lacak/"
    return f"{settings.SITE_URL}{path}"


def coordinators(unit: WorkUnit) -> list[Any]:
    """The active coordinators of ``unit`` (who hear of new objections and deadlines)."""
    from django.contrib.auth import get_user_model

    return list(
        get_user_model()
        .objects.filter(is_active=True, profile__unit_id=unit.pk, profile__role=Role.COORDINATOR)
        .order_by("pk")
    )


def _notify_staff(users: list[Any], text: str, url: str) -> int:
    from bakohumas.dissemination.engine import notify

    seen: set[int] = set()
    for user in users:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        notify(user, text, url=url)
    return len(seen)


# Requester email ----------------------------------------------------------------------
def notify_requester(request: InformationRequest, subject: str, text: str) -> bool:
    """Email the requester (when there is an address and it was not purged) with the
    register number and the tracking address. A failing mail server is logged, never
    raised: the change it reports is already saved. Returns whether a mail was sent."""
    if not request.email or request.pii_purged_at is not None:
        return False
    from email.utils import formataddr, parseaddr

    from django.core.mail import EmailMessage

    from bakohumas.core.mail import UNIT_HEADER
    from bakohumas.inbox.models import InboxSettings

    unit = request.unit
    config = InboxSettings.objects.filter(unit_id=unit.pk).first()
    sender = settings.DEFAULT_FROM_EMAIL
    sender_name = (config.reply_from_name if config else "") or unit.name
    sender = formataddr((sender_name, parseaddr(settings.DEFAULT_FROM_EMAIL)[1]))
    body = "\n\n".join(
        [
            _("Dear %(name)s,") % {"name": request.name},
            text.strip(),
            _("Register number: %(number)s") % {"number": request.register_number},
            _("Follow your request at %(url)s with its register number and secret code.")
            % {"url": tracking_url()},
            unit.name,
        ]
    )
    message = EmailMessage(
        subject=f"[{request.register_number}] {subject}".replace("\n", " ")[:250],
        body=body,
        from_email=sender,
        to=[request.email],
        reply_to=[config.reply_to_address] if config and config.reply_to_address else None,
        headers={UNIT_HEADER: str(unit.pk), "Auto-Submitted": "auto-generated"},
    )
    try:
        message.send()
    except Exception:
        logger.warning("Email to the requester of %s failed", request.pk, exc_info=True)
        return False
    return True


def send_acknowledgement(request: InformationRequest, code: str) -> None:
    """Tell the requester (if they gave an email) the register number, the secret code,
    the due date and where to follow the request. The code is in this email and on the
    confirmation page only; it is stored hashed."""
    text = "\n".join(
        [
            _("We received your request for public information."),
            "",
            _("Register number: %(number)s") % {"number": request.register_number},
            _("Secret code: %(code)s") % {"code": code},
            _("Answer due by: %(date)s") % {"date": _format_day(request.due_date)},
            "",
            _("Keep the code: you need it with the register number to follow the request."),
        ]
    )
    notify_requester(request, _("Your information request was received"), text)


# Inbox thread -------------------------------------------------------------------------
def _sync_thread(
    request: InformationRequest,
    user: Any,
    *,
    status: str | None = None,
    due: date | None = None,
    now: datetime | None = None,
) -> None:
    """Keep the request's inbox thread in step: ``due_at`` at the end of ``due`` and the
    status through ``inbox.services.set_status`` (the row is updated directly when there
    is no staff actor or the inbox refuses the change)."""
    thread_id = request.thread_id
    if thread_id is None:
        return
    from bakohumas.inbox.models import Thread, ThreadEvent, ThreadStatus

    thread = Thread.objects.filter(pk=thread_id).first()
    if thread is None:
        return
    if due is not None:
        Thread.objects.filter(pk=thread_id).update(
            due_at=end_of_day(request.unit, due), reminded_at=None
        )
        thread.due_at = end_of_day(request.unit, due)
    if status is None or thread.status == status:
        return
    if _staff(user):
        from bakohumas.inbox import services as inbox_services

        set_status = getattr(inbox_services, "set_status", None)
        if set_status is not None:
            try:
                with transaction.atomic():
                    set_status(thread, user, status)
                return
            except (inbox_services.InboxError, PermissionDenied):
                pass
    moment = _now(now)
    Thread.objects.filter(pk=thread_id).update(
        status=status,
        resolved_at=moment if status == ThreadStatus.RESOLVED else None,
    )
    ThreadEvent.objects.create(
        thread=thread,
        actor=user if _staff(user) else None,
        action="status",
        detail={"from": thread.status, "to": status, "by": "ppid"},
        created_at=moment,
    )


# Transitions --------------------------------------------------------------------------
def assign(request: InformationRequest, user: Any, assignee: Any | None) -> None:
    """Make ``assignee`` (staff of the request's unit or a unit above it who may handle
    requests) the officer of the request, or clear it. A received request goes into
    process. The officer is notified; the inbox thread gets the same assignee."""
    _require(user, "ppid.change_informationrequest", request)
    if assignee is not None and (
        not assignee.is_active
        or get_profile(assignee) is None
        or not can_see_unit(assignee, request.unit_id)
        or not assignee.has_perm("ppid.change_informationrequest")
    ):
        raise PpidError(
            _("The officer must be staff of this unit or a unit above it who handles requests."),
            field="assignee",
        )
    with transaction.atomic():
        _locked(request)
        previous = request.assignee_id
        request.assignee = assignee
        fields = ["assignee", "updated_at"]
        if assignee is not None and request.status == RequestStatus.RECEIVED:
            request.status = RequestStatus.IN_PROCESS
            fields.append("status")
        request.save(update_fields=fields)
        note = _("An officer is handling the request.") if "status" in fields else ""
        _event(
            request,
            user,
            "assigned",
            note,
            {"from": previous, "to": assignee.pk if assignee else None},
        )
        if request.thread_id:
            from bakohumas.inbox.models import Thread

            Thread.objects.filter(pk=request.thread_id).update(assignee=assignee)
        if assignee is not None and assignee.pk != user.pk:
            _notify_staff(
                [assignee],
                _("You handle information request %(number)s.")
                % {"number": request.register_number},
                _request_path(request),
            )


def mark_incomplete(request: InformationRequest, user: Any, note: str) -> None:
    """The request lacks something (``note`` says what): the requester is told and has the
    rule set's *answer* period in working days (10 under UU 14/2008, 3 under PerKI
    1/2019) from today to complete it (``completion_due``); the law sets no separate
    period, so the unit gives the requester as long as it would have had itself. The
    answer clock stops until ``complete``; a request not completed in time lapses
    (``lapse_overdue``)."""
    _require(user, "ppid.change_informationrequest", request)
    note = _text(note, "note", _("Say what is missing from the request."))
    with transaction.atomic():
        _locked(request)
        _require_status(
            request,
            (RequestStatus.RECEIVED, RequestStatus.IN_PROCESS),
            _("Only a request that is received or in process can be marked incomplete."),
        )
        now = timezone.now()
        calendar = calendar_for(request.unit)
        request.status = RequestStatus.INCOMPLETE
        request.incomplete_note = note
        request.incomplete_at = now
        request.completion_due = calendar.add_working_days(
            _today(request, now), request.rules["answer"]
        )
        request.save(
            update_fields=[
                "status",
                "incomplete_note",
                "incomplete_at",
                "completion_due",
                "updated_at",
            ]
        )
        public = _("The request is incomplete: %(note)s. Complete it by %(date)s.") % {
            "note": note,
            "date": _format_day(request.completion_due),
        }
        _event(request, user, "incomplete", public, {"completion_due": str(request.completion_due)})
        from bakohumas.inbox.models import ThreadStatus

        _sync_thread(request, user, status=ThreadStatus.WAITING, due=request.completion_due)
    notify_requester(
        request,
        _("Your information request is incomplete"),
        _(
            "Your request cannot be processed yet. What is missing:\n%(note)s\n\n"
            "Please complete it by %(date)s; otherwise the request lapses."
        )
        % {"note": note, "date": _format_day(request.completion_due)},
    )


def complete(request: InformationRequest, user: Any = None, note: str = "") -> None:
    """The requester supplied what was missing (recorded by staff, or ``user`` None when
    it comes from the requester): the answer period starts again from now."""
    if user is not None:
        _require(user, "ppid.change_informationrequest", request)
    with transaction.atomic():
        _locked(request)
        _require_status(
            request, (RequestStatus.INCOMPLETE,), _("The request is not waiting to be completed.")
        )
        now = timezone.now()
        if request.completion_due and _today(request, now) > request.completion_due:
            raise PpidError(
                _("The time to complete the request ended on %(date)s.")
                % {"date": _format_day(request.completion_due)}
            )
        request.completed_at = now
        request.status = RequestStatus.IN_PROCESS
        request.due_date = answer_due(request)
        request.save(update_fields=["completed_at", "status", "due_date", "updated_at"])
        public = _("The request was completed; the answer is due by %(date)s.") % {
            "date": _format_day(request.due_date)
        }
        _event(request, user, "completed", public, {"note": (note or "").strip()[:2000]})
        from bakohumas.inbox.models import ThreadStatus

        _sync_thread(request, user, status=ThreadStatus.OPEN, due=request.due_date)
        if request.assignee_id:
            _notify_staff(
                [request.assignee],
                _("Information request %(number)s was completed.")
                % {"number": request.register_number},
                _request_path(request),
            )
    notify_requester(
        request,
        _("Your information request is complete"),
        _("Thank you. Your request is being processed; the answer is due by %(date)s.")
        % {"date": _format_day(request.due_date)},
    )


def lapse_overdue(now: datetime | None = None) -> int:
    """Close incomplete requests whose ``completion_due`` has passed (in the unit's time
    zone) as LAPSED; the requester is told. Safe to run from several workers."""
    moment = _now(now)
    horizon = moment.date() + timedelta(days=1)  # every zone's today is at most this
    candidates = InformationRequest.objects.filter(
        status=RequestStatus.INCOMPLETE, completion_due__lt=horizon
    ).select_related("unit")
    closed = 0
    from bakohumas.inbox.models import ThreadStatus

    for request in candidates:
        if request.completion_due is None or _today(request, moment) <= request.completion_due:
            continue
        with transaction.atomic():
            updated = InformationRequest.objects.filter(
                pk=request.pk, status=RequestStatus.INCOMPLETE
            ).update(status=RequestStatus.LAPSED, updated_at=moment)
            if not updated:
                continue
            request.status = RequestStatus.LAPSED
            _event(
                request,
                None,
                "lapsed",
                _("The request lapsed: it was not completed by %(date)s.")
                % {"date": _format_day(request.completion_due)},
                now=moment,
            )
            _sync_thread(request, None, status=ThreadStatus.RESOLVED, now=moment)
        notify_requester(
            request,
            _("Your information request lapsed"),
            _(
                "Your request was not completed by %(date)s and is closed. "
                "You may send a new request at any time."
            )
            % {"date": _format_day(request.completion_due)},
        )
        closed += 1
    return closed


def extend(request: InformationRequest, user: Any, reason: str) -> None:
    """Extend the answer period once, with reasons (UU 14/2008 art. 22(8)), while the
    request is open and its due date has not passed. The new due date is the answer
    period plus the extension counted from the start (receipt or completion)."""
    _require(user, "ppid.change_informationrequest", request)
    reason = _text(reason, "reason", _("Give the reason for the extension."))
    with transaction.atomic():
        _locked(request)
        if request.extended_at is not None:
            raise PpidError(_("The answer period can be extended only once."))
        _require_status(
            request,
            (RequestStatus.RECEIVED, RequestStatus.IN_PROCESS),
            _("Only a request in process can be extended."),
        )
        if request.due_date is not None and _today(request) > request.due_date:
            raise PpidError(
                _("The answer period ended on %(date)s; it can no longer be extended.")
                % {"date": _format_day(request.due_date)}
            )
        previous = request.due_date
        request.extended_at = timezone.now()
        request.extension_reason = reason
        request.status = RequestStatus.EXTENDED
        request.due_date = answer_due(request)
        request.save(
            update_fields=["extended_at", "extension_reason", "status", "due_date", "updated_at"]
        )
        public = _("The answer period was extended to %(date)s: %(reason)s") % {
            "date": _format_day(request.due_date),
            "reason": reason,
        }
        _event(
            request,
            user,
            "extended",
            public,
            {"from": str(previous), "to": str(request.due_date)},
        )
        _sync_thread(request, user, due=request.due_date)
    notify_requester(
        request,
        _("The answer period of your request was extended"),
        _("The answer is now due by %(date)s. Reason: %(reason)s")
        % {"date": _format_day(request.due_date), "reason": reason},
    )


def decide(
    request: InformationRequest,
    user: Any,
    *,
    decision: str,
    answer: str = "",
    exemption_ground: str = "",
    consequence_test: str = "",
    redirected_to: str = "",
    answer_file: Any = None,
    fee: Any = 0,
) -> None:
    """Record the written answer (pemberitahuan tertulis). Granted needs the answer (text
    or document); partly granted the answer, and — when the withheld part is exempt — the
    art. 17 ground with its consequence test; refused the ground and the consequence
    test; redirected the other public body. The thread is resolved and the requester
    told."""
    _require(user, "ppid.change_informationrequest", request)
    answer = (answer or "").strip()
    exemption_ground = (exemption_ground or "").strip()
    consequence_test = (consequence_test or "").strip()
    redirected_to = (redirected_to or "").strip()
    if decision not in Decision.values:
        raise PpidError(_("Choose a decision."), field="decision")
    if exemption_ground and exemption_ground not in ExemptionGround.values:
        raise PpidError(_("Choose a ground of article 17."), field="exemption_ground")
    if decision in (Decision.GRANTED, Decision.PARTLY_GRANTED) and not (answer or answer_file):
        raise PpidError(_("Write the answer or attach the answer document."), field="answer")
    if decision == Decision.REFUSED:
        if not exemption_ground:
            raise PpidError(
                _("A refusal needs the exemption ground of article 17."),
                field="exemption_ground",
            )
    if decision in (Decision.REFUSED, Decision.PARTLY_GRANTED) and exemption_ground:
        if not consequence_test:
            raise PpidError(
                _("Explain the consequence test: the harm disclosure would cause."),
                field="consequence_test",
            )
    if decision == Decision.REDIRECTED and not redirected_to:
        raise PpidError(
            _("Name the public body the request is redirected to."), field="redirected_to"
        )
    try:
        fee_value = Decimal(str(fee or 0))
    except (InvalidOperation, ValueError) as exc:
        raise PpidError(_("Enter the fee as a whole number."), field="fee") from exc
    if fee_value < 0 or fee_value != fee_value.to_integral_value() or fee_value >= 10**12:
        raise PpidError(_("Enter the fee as a whole number."), field="fee")
    if decision not in (Decision.REFUSED, Decision.PARTLY_GRANTED):
        exemption_ground = consequence_test = ""
    if decision != Decision.REDIRECTED:
        redirected_to = ""
    with transaction.atomic():
        _locked(request)
        if request.status == RequestStatus.INCOMPLETE:
            raise PpidError(_("The request is incomplete: record its completion first."))
        _require_status(request, RUNNING_STATUSES, _("The request is already closed."))
        now = timezone.now()
        request.decision = decision
        request.decided_at = now
        request.decided_by = user
        request.answer = answer
        request.exemption_ground = exemption_ground
        request.consequence_test = consequence_test
        request.redirected_to = redirected_to
        request.fee = fee_value
        request.status = RequestStatus.DECIDED
        if answer_file:
            request.answer_file = answer_file
        request.save()
        on_time = request.due_date is None or _today(request, now) <= request.due_date
        label = str(Decision(decision).label)
        public = _("Answered: %(decision)s.") % {"decision": label}
        _event(request, user, "decided", public, {"decision": decision, "on_time": on_time})
        from bakohumas.inbox.models import ThreadStatus

        _sync_thread(request, user, status=ThreadStatus.RESOLVED)
    parts = [_("Decision: %(decision)s") % {"decision": label}]
    if answer:
        parts.append(answer)
    if exemption_ground:
        parts.append(
            _("Exemption ground (UU 14/2008 art. 17): %(ground)s")
            % {"ground": ExemptionGround(exemption_ground).label}
        )
        parts.append(_("Consequence test: %(text)s") % {"text": consequence_test})
    if redirected_to:
        parts.append(_("Please address your request to: %(body)s") % {"body": redirected_to})
    if fee_value:
        parts.append(
            _("Copying fee: Rp %(fee)s") % {"fee": f"{int(fee_value):,}".replace(",", ".")}
        )
    if request.answer_file:
        parts.append(_("The answer document can be downloaded from the tracking page."))
    parts.append(
        _(
            "If you disagree, you may file an objection within %(days)s working days "
            "on the tracking page."
        )
        % {"days": request.rules["objection_filing"]}
    )
    notify_requester(request, _("Your information request was answered"), "\n\n".join(parts))


def withdraw(request: InformationRequest, user: Any = None) -> None:
    """The requester withdraws an open request (``user`` None: through the tracking page;
    else recorded by staff)."""
    if user is not None:
        _require(user, "ppid.change_informationrequest", request)
    with transaction.atomic():
        _locked(request)
        _require_status(request, OPEN_STATUSES, _("Only an open request can be withdrawn."))
        request.status = RequestStatus.WITHDRAWN
        request.save(update_fields=["status", "updated_at"])
        _event(request, user, "withdrawn", _("The requester withdrew the request."))
        from bakohumas.inbox.models import ThreadStatus

        _sync_thread(request, user, status=ThreadStatus.RESOLVED)
    notify_requester(
        request,
        _("Your information request was withdrawn"),
        _("Your request was withdrawn as you asked."),
    )


def reset_code(request: InformationRequest, user: Any) -> str:
    """A new secret tracking code (the old one stops working), for a requester who lost
    it and proved who they are. Shown once to the staff member, who hands it over; it is
    not emailed (the requester may have lost access to the address)."""
    _require(user, "ppid.change_informationrequest", request)
    code = new_code()
    with transaction.atomic():
        _locked(request)
        request.tracking_code_hash = hash_code(code)
        request.save(update_fields=["tracking_code_hash", "updated_at"])
        _event(request, user, "code_reset", _("A new tracking code was issued."))
    return code


# Objections ---------------------------------------------------------------------------
def objection_cause(
    request: InformationRequest, now: datetime | None = None
) -> tuple[date, tuple[str, ...]] | None:
    """When and why an objection may be filed now: ``(cause day, allowed reasons)``, or
    None. After a decision any reason of art. 35(1) applies, from the decision day; when
    the due date passed with no decision only "not answered" (c) and "late" (g), from the
    due date."""
    if request.status == RequestStatus.DECIDED and request.decided_at is not None:
        cause = request.unit.localtime(request.decided_at).date()
        return cause, tuple(ObjectionReason.values)
    if (
        request.status in RUNNING_STATUSES
        and request.due_date is not None
        and _today(request, now) > request.due_date
    ):
        return request.due_date, (ObjectionReason.NOT_ANSWERED, ObjectionReason.LATE)
    return None


def objection_deadline(request: InformationRequest, now: datetime | None = None) -> date | None:
    """The last day an objection may be filed (None when none may be filed now)."""
    cause = objection_cause(request, now)
    if cause is None:
        return None
    return calendar_for(request.unit).add_working_days(cause[0], request.rules["objection_filing"])


def can_file_objection(request: InformationRequest, now: datetime | None = None) -> bool:
    """Whether an objection may be filed now (for the tracking page's form)."""
    last = objection_deadline(request, now)
    if last is None or _today(request, now) > last:
        return False
    return not request.objections.filter(status=ObjectionStatus.FILED).exists()


def file_objection(
    request: InformationRequest,
    *,
    reason: str,
    statement: str,
    user: Any = None,
    filed_at: datetime | None = None,
) -> Objection:
    """File an objection (keberatan, UU 14/2008 art. 35-36) from the tracking page
    (``user`` None) or on the requester's behalf by staff. Allowed after a decision, or
    once the due date passed with no decision, within ``objection_filing`` working days of
    that cause; one open objection at a time. It gets a ``KBR/…`` register number and is
    due ``objection_answer`` working days after the filing day; the unit's coordinators
    are told."""
    if user is not None:
        _require(user, "ppid.add_objection", request)
    statement = _text(statement, "statement", _("Write the objection."))
    if reason not in ObjectionReason.values:
        raise PpidError(_("Choose the reason of the objection."), field="reason")
    moment = _now(filed_at)
    with transaction.atomic():
        _locked(request)
        cause = objection_cause(request, moment)
        if cause is None:
            raise PpidError(
                _(
                    "An objection can be filed after the request is answered, "
                    "or once its due date has passed without an answer."
                )
            )
        cause_day, reasons = cause
        if reason not in reasons:
            raise PpidError(
                _(
                    "The request has no answer yet: the reason can only be "
                    "that it was not answered, or answered late."
                ),
                field="reason",
            )
        calendar = calendar_for(request.unit)
        today = _today(request, moment)
        last = calendar.add_working_days(cause_day, request.rules["objection_filing"])
        if today > last:
            raise PpidError(
                _("The time to file an objection ended on %(date)s.") % {"date": _format_day(last)}
            )
        if request.objections.filter(status=ObjectionStatus.FILED).exists():
            raise PpidError(_("An objection to this request is already waiting for a decision."))
        objection = Objection.objects.create(
            request=request,
            register_number=next_register_number(request.unit, "objection", today.year),
            reason=reason,
            statement=statement,
            filed_at=moment,
            due_date=calendar.add_working_days(today, request.rules["objection_answer"]),
            created_by=user if _staff(user) else None,
        )
        public = _("Objection %(number)s filed; the answer is due by %(date)s.") % {
            "number": objection.register_number,
            "date": _format_day(objection.due_date),
        }
        _event(
            request,
            user,
            "objection_filed",
            public,
            {"objection": objection.pk, "reason": reason},
            now=moment,
        )
        from bakohumas.inbox.models import ThreadStatus

        _sync_thread(request, user, status=ThreadStatus.OPEN, due=objection.due_date, now=moment)
        _notify_staff(
            [*coordinators(request.unit), request.assignee],
            _("Objection %(number)s to request %(request)s is due by %(date)s.")
            % {
                "number": objection.register_number,
                "request": request.register_number,
                "date": _format_day(objection.due_date),
            },
            _request_path(request),
        )
    notify_requester(
        request,
        _("Your objection was received"),
        _(
            "Your objection was registered as %(number)s. The superior of the information "
            "officer answers it by %(date)s."
        )
        % {"number": objection.register_number, "date": _format_day(objection.due_date)},
    )
    return objection


def can_decide_objection(user: Any, objection: Objection) -> bool:
    """The superior of the PPID: ``ppid.decide_objection`` in the request's unit or a unit
    above it, and not the person who decided the request (separation of duties)."""
    request = objection.request
    return bool(
        _staff(user)
        and user.has_perm("ppid.decide_objection")
        and can_see_unit(user, request.unit_id)
        and user.pk != request.decided_by_id
    )


def decide_objection(objection: Objection, user: Any, *, decision: str, response: str) -> None:
    """The superior's written answer to an objection: upheld (the information is to be
    given) or rejected (the first decision stands)."""
    request = objection.request
    if not can_decide_objection(user, objection):
        if _staff(user) and user.pk == request.decided_by_id:
            raise PpidError(
                _("The officer who decided the request cannot decide the objection to it.")
            )
        raise PermissionDenied
    if decision not in ObjectionDecision.values:
        raise PpidError(_("Choose a decision."), field="decision")
    response = _text(response, "response", _("Write the response to the objection."))
    with transaction.atomic():
        fresh = Objection.objects.select_for_update().get(pk=objection.pk)
        if fresh.status != ObjectionStatus.FILED:
            raise PpidError(_("The objection was already decided."))
        now = timezone.now()
        objection.status = ObjectionStatus.DECIDED
        objection.decision = decision
        objection.response = response
        objection.decided_at = now
        objection.decided_by = user
        objection.save(update_fields=["status", "decision", "response", "decided_at", "decided_by"])
        label = str(ObjectionDecision(decision).label)
        public = _("Objection %(number)s decided: %(decision)s") % {
            "number": objection.register_number,
            "decision": label,
        }
        _event(
            request,
            user,
            "objection_decided",
            public,
            {"objection": objection.pk, "decision": decision},
        )
        from bakohumas.inbox.models import ThreadStatus

        _sync_thread(request, user, status=ThreadStatus.RESOLVED)
        _notify_staff(
            [request.assignee, request.decided_by],
            _("Objection %(number)s was decided: %(decision)s")
            % {"number": objection.register_number, "decision": label},
            _request_path(request),
        )
    notify_requester(
        request,
        _("Your objection was answered"),
        "\n\n".join(
            [
                _("Objection %(number)s: %(decision)s")
                % {"number": objection.register_number, "decision": label},
                response,
                _(
                    "If you disagree, you may bring the dispute to the Information "
                    "Commission within 14 working days of this answer."
                ),
            ]
        ),
    )


# Sweeps -------------------------------------------------------------------------------
REMINDER_HORIZON_DAYS = 16  # a next working day is never further away than this


def remind_due(now: datetime | None = None) -> int:
    """Tell the officer and the unit's coordinators about requests and objections due on
    the unit's next working day (or today, if not told yet), once per due date. Returns
    the number of items reminded of."""
    moment = _now(now)
    low = moment.date() - timedelta(days=1)
    high = moment.date() + timedelta(days=REMINDER_HORIZON_DAYS)
    calendars: dict[int, Calendar] = {}

    def due_soon(request: InformationRequest, due: date) -> bool:
        calendar = calendars.get(request.unit_id)
        if calendar is None:
            calendar = calendars[request.unit_id] = calendar_for(request.unit)
        today = _today(request, moment)
        return today <= due <= calendar.next_working_day(today)

    count = 0
    requests = InformationRequest.objects.filter(
        status__in=RUNNING_STATUSES, due_date__gte=low, due_date__lte=high
    ).select_related("unit", "assignee")
    for request in requests:
        due = request.due_date
        if due is None or request.reminded_for == due or not due_soon(request, due):
            continue
        claimed = (
            InformationRequest.objects.filter(pk=request.pk)
            .exclude(reminded_for=due)
            .update(reminded_for=due)
        )
        if not claimed:
            continue
        _notify_staff(
            [request.assignee, *coordinators(request.unit)],
            _("Information request %(number)s is due on %(date)s.")
            % {"number": request.register_number, "date": _format_day(due)},
            _request_path(request),
        )
        count += 1
    objections = Objection.objects.filter(
        status=ObjectionStatus.FILED, due_date__gte=low, due_date__lte=high
    ).select_related("request__unit", "request__assignee")
    for objection in objections:
        request = objection.request
        if not due_soon(request, objection.due_date):
            continue
        with transaction.atomic():
            InformationRequest.objects.select_for_update().filter(pk=request.pk).first()
            marker = {"objection": objection.pk, "due": str(objection.due_date)}
            if RequestEvent.objects.filter(
                request=request,
                action="objection_reminded",
                detail__objection=objection.pk,
                detail__due=marker["due"],
            ).exists():
                continue
            _event(request, None, "objection_reminded", "", marker, now=moment)
            _notify_staff(
                coordinators(request.unit),
                _("Objection %(number)s is due on %(date)s.")
                % {"number": objection.register_number, "date": _format_day(objection.due_date)},
                _request_path(request),
            )
        count += 1
    return count


def retention_days() -> int:
    return int(getattr(settings, "PPID_PII_RETENTION_DAYS", 1825))


def initials(name: str) -> str:
    """ "Budi Santoso" → "B. S." (what staff without the personal-data permission see)."""
    words = [w for w in re.split(r"\s+", (name or "").strip()) if w and w[0].isalnum()]
    return " ".join(f"{w[0].upper()}." for w in words[:4]) or "-"


def purge_pii(now: datetime | None = None) -> int:
    """Remove the requester's personal data from closed requests older than
    ``PPID_PII_RETENTION_DAYS`` (received and decided before the cut-off, no objection
    waiting): the name becomes its initials, the identity number, address, email, phone,
    occupation and identity scan are cleared, and so are the name and address on the
    inbox thread. The register keeps the request itself."""
    moment = _now(now)
    cutoff = moment - timedelta(days=retention_days())
    from django.db.models import Q

    from bakohumas.inbox.models import Thread

    rows = (
        InformationRequest.objects.filter(
            status__in=CLOSED_STATUSES, pii_purged_at__isnull=True, received_at__lt=cutoff
        )
        .filter(Q(decided_at__isnull=True) | Q(decided_at__lt=cutoff))
        .exclude(objections__status=ObjectionStatus.FILED)
    )
    purged = 0
    for request in rows.iterator():
        with transaction.atomic():
            if request.identity_scan:
                request.identity_scan.delete(save=False)
            request.name = initials(request.name)
            request.identity_number = PURGED_TEXT
            request.address = PURGED_TEXT
            request.email = ""
            request.phone = ""
            request.occupation = ""
            request.identity_scan = ""
            request.pii_purged_at = moment
            request.save(
                update_fields=[
                    "name",
                    "identity_number",
                    "address",
                    "email",
                    "phone",
                    "occupation",
                    "identity_scan",
                    "pii_purged_at",
                ]
            )
            if request.thread_id:
                Thread.objects.filter(pk=request.thread_id).update(
                    name=request.name, handle="", phone=""
                )
            _event(
                request, None, "pii_purged", "", {"retention_days": retention_days()}, now=moment
            )
        purged += 1
    return purged


# Deadline explanation -------------------------------------------------------------------
@dataclass(frozen=True)
class Deadline:
    """The clock a request is on now, for the deadline panel: the answer (or, while
    incomplete, the requester's completion; while an objection waits, its answer), the
    working days left (negative when late) and the days off inside the period."""

    kind: str  # "answer", "completion", "objection" or "" (no clock runs)
    start: date | None
    due: date | None
    working_days_left: int | None
    overdue: bool
    days_off: list[tuple[date, str]]
    zone: str

    @property
    def running(self) -> bool:
        return bool(self.kind)


def deadline(request: InformationRequest, now: datetime | None = None) -> Deadline:
    """The deadline panel of ``request`` at ``now`` in its unit's zone and calendar."""
    calendar = calendar_for(request.unit)
    today = _today(request, now)
    zone = request.unit.zone_abbreviation
    kind = ""
    start: date | None = None
    due: date | None = None
    pending = next((o for o in request.objections.all() if o.status == ObjectionStatus.FILED), None)
    if pending is not None:
        kind, start, due = (
            "objection",
            request.unit.localtime(pending.filed_at).date(),
            pending.due_date,
        )
    elif request.status == RequestStatus.INCOMPLETE and request.completion_due:
        start = request.unit.localtime(request.incomplete_at or request.received_at).date()
        kind, due = "completion", request.completion_due
    elif request.status in RUNNING_STATUSES and request.due_date:
        start = request.unit.localtime(request.completed_at or request.received_at).date()
        kind, due = "answer", request.due_date
    if not kind or due is None or start is None:
        return Deadline("", None, request.due_date, None, False, [], zone)
    if today <= due:
        left = calendar.working_days_between(today, due)
    else:
        left = -calendar.working_days_between(due, today)
    return Deadline(
        kind=kind,
        start=start,
        due=due,
        working_days_left=left,
        overdue=today > due,
        days_off=calendar.days_off_between(start, due),
        zone=zone,
    )


# Personal data ------------------------------------------------------------------------
def can_view_pii(user: Any, request: InformationRequest) -> bool:
    """Staff with ``ppid.view_requester_pii`` whose scope includes the request's unit."""
    return bool(
        _staff(user)
        and user.has_perm("ppid.view_requester_pii")
        and can_see_unit(user, request.unit_id)
    )


def mask_identity(number: str) -> str:
    digits = (number or "").strip()
    if len(digits) <= 4:
        return "•" * len(digits)
    return "•" * (len(digits) - 4) + digits[-4:]


def masked(request: InformationRequest) -> dict[str, str]:
    """The requester's data as staff without the personal-data permission see it: the
    name's initials, the identity number's last four characters, nothing else."""
    return {
        "name": initials(request.name),
        "identity_number": mask_identity(request.identity_number),
        "address": "",
        "email": "",
        "phone": "",
        "occupation": request.occupation,
    }


def requester_data(request: InformationRequest, user: Any) -> dict[str, Any]:
    """The requester's data for ``user``: everything, or ``masked``; ``masked`` says which."""
    if can_view_pii(user, request):
        return {
            "name": request.name,
            "identity_number": request.identity_number,
            "address": request.address,
            "email": request.email,
            "phone": request.phone,
            "occupation": request.occupation,
            "masked": False,
        }
    return {**masked(request), "masked": True}


# Statistics ---------------------------------------------------------------------------
def _counted(
    rows: dict[str, int], choices: Any, *, keep_empty: bool = True
) -> list[dict[str, Any]]:
    found = []
    for value, label in choices:
        count = rows.get(value, 0)
        if count or keep_empty:
            found.append({"key": value, "label": str(label), "count": count})
    for value, count in rows.items():  # values no longer among the choices
        if value not in dict(choices):
            found.append({"key": value, "label": str(value or "-"), "count": count})
    return found


def yearly_stats(unit_ids: list[int] | None, year: int) -> dict[str, Any]:
    """The yearly service statistics of the units ``unit_ids`` (None: all) for requests
    received in ``year``: counts per status, decision, rule set and channel; the average
    working days from receipt (or completion) to the decision; the share decided on time;
    the objections filed that year and their outcomes. Only plain values (JSON-ready)."""
    from django.db.models import Count

    from bakohumas.core.models import WorkUnit
    from bakohumas.inbox.models import Channel

    qs = InformationRequest.objects.filter(received_at__year=year)
    objections = Objection.objects.filter(filed_at__year=year)
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=unit_ids)
        objections = objections.filter(request__unit_id__in=unit_ids)

    def grouped(queryset: Any, field: str) -> dict[str, int]:
        return {
            row[field]: row["n"]
            for row in queryset.order_by().values(field).annotate(n=Count("id"))
        }

    by_status = grouped(qs, "status")
    total = sum(by_status.values())
    units = {u.pk: u for u in WorkUnit.objects.filter(pk__in=qs.values("unit_id").distinct())}
    calendars: dict[int, Calendar] = {}
    working_days: list[int] = []
    on_time = 0
    decided_rows = qs.filter(decided_at__isnull=False).values_list(
        "unit_id", "received_at", "completed_at", "decided_at", "due_date"
    )
    for unit_id, received_at, completed_at, decided_at, due in decided_rows:
        unit = units[unit_id]
        calendar = calendars.get(unit_id)
        if calendar is None:
            calendar = calendars[unit_id] = calendar_for(unit)
        start = unit.localtime(completed_at or received_at).date()
        end = unit.localtime(decided_at).date()
        working_days.append(calendar.working_days_between(start, end))
        on_time += int(due is None or end <= due)
    decided = len(working_days)
    today = timezone.localdate()
    overdue = qs.filter(status__in=RUNNING_STATUSES, due_date__lt=today).count()
    objection_status = grouped(objections, "status")
    objection_decisions = grouped(objections.filter(status=ObjectionStatus.DECIDED), "decision")
    objection_total = sum(objection_status.values())
    late_objections = objections.filter(
        status=ObjectionStatus.DECIDED, decided_at__date__gt=F("due_date")
    ).count()
    return {
        "year": year,
        "unit_ids": unit_ids,
        "total": total,
        "by_status": _counted(by_status, RequestStatus.choices),
        "by_decision": _counted(grouped(qs.exclude(decision=""), "decision"), Decision.choices),
        "by_rule_set": _counted(grouped(qs, "rule_set"), RuleSet.choices),
        "by_channel": _counted(grouped(qs, "channel"), Channel.choices, keep_empty=False),
        "decided": decided,
        "open": sum(by_status.get(s, 0) for s in OPEN_STATUSES),
        "overdue": overdue,
        "average_working_days": round(sum(working_days) / decided, 1) if decided else None,
        "on_time": on_time,
        "on_time_share": round(on_time / decided, 3) if decided else None,
        "objections": {
            "total": objection_total,
            "by_reason": _counted(grouped(objections, "reason"), ObjectionReason.choices),
            "by_status": _counted(objection_status, ObjectionStatus.choices),
            "by_decision": _counted(objection_decisions, ObjectionDecision.choices),
            "pending": objection_status.get(ObjectionStatus.FILED, 0),
            "decided_late": late_objections,
        },
    }
