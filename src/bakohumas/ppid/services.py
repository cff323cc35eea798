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
import re
import secrets
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bakohumas.core.models import WorkUnit
from bakohumas.core.workdays import Calendar, calendar_for
from bakohumas.ppid.models import (
    RULES,
    IdentityType,
    InformationRequest,
    RegisterCounter,
    RequestEvent,
    RequestStatus,
)

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
