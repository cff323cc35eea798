"""Request and response schemas of the PPID API (public information requests under
UU 14/2008 and PerKI 1/2019, objections, the yearly statistics).

Input schemas follow :class:`bakohumas.api.schemas.InputSchema`: unknown fields are
refused, surrounding white space is stripped, NUL characters are refused and every text
carries the maximum length of its model field. Dates are the unit's calendar days;
times are answered in UTC.

**Requesters' personal data** (name, identity number, address, email, phone, occupation)
is answered in full only to staff who may see it (``ppid.view_requester_pii``:
coordinators and administrators); others get it masked (``pii_visible: false``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import AfterValidator

from bakohumas.api.content_schemas import AwareTime
from bakohumas.api.schemas import TEXT_MAX_LENGTH, Id, InputSchema, UnitRef, UserRef, max_length
from bakohumas.ppid.models import (
    CopyMethod,
    Decision,
    ExemptionGround,
    IdentityType,
    InformationRequest,
    ObjectionDecision,
    ObjectionReason,
    ObjectionStatus,
    ReceiveMethod,
    RequesterKind,
    RequestStatus,
    RuleSet,
)

LongText = Annotated[str, Field(max_length=TEXT_MAX_LENGTH)]
RequiredText = Annotated[str, Field(min_length=1, max_length=TEXT_MAX_LENGTH)]
FEE_MAX = 1_000_000_000


def _email(value: str) -> str:
    if not value:
        return value
    try:
        validate_email(value)
    except DjangoValidationError as exc:
        raise ValueError(exc.messages[0]) from None
    local, _sep, domain = value.rpartition("@")
    return f"{local}@{domain.lower()}"


def _year(value: int) -> int:
    if not 2000 <= value <= 2100:
        raise ValueError(_("Enter a year between 2000 and 2100."))
    return value


Year = Annotated[int, AfterValidator(_year)]


# --- requests --------------------------------------------------------------------------------


class RequestOut(Schema):
    id: int
    register_number: str
    unit: UnitRef
    rule_set: RuleSet
    channel: str = Field(description="portal, staff, email …")
    status: RequestStatus
    pii_visible: bool = Field(description="False: the requester's personal data is masked.")
    requester_kind: RequesterKind
    name: str = Field(description="Initials only when masked.")
    information: str = Field(description="The information requested, plain text.")
    received_at: datetime
    due_date: date | None = Field(description="Last day of the answer period (unit's calendar).")
    overdue: bool = Field(description="Open and past its due date.")
    decision: Decision | Literal[""]
    decided_at: datetime | None
    assignee: UserRef | None
    thread_id: int | None = Field(description="Its inbox thread.")


class RequestPage(Schema):
    count: int = Field(description="Rows matching the filters, on every page.")
    next: str | None = Field(description="URL of the next page, or null.")
    previous: str | None = Field(description="URL of the previous page, or null.")
    results: list[RequestOut]


class EventOut(Schema):
    id: int
    action: str
    actor: UserRef | None
    public_note: str = Field(description="Shown to the requester on the tracking page.")
    detail: dict[str, Any]
    created_at: datetime


class ObjectionOut(Schema):
    id: int
    request_id: int
    register_number: str
    reason: ObjectionReason
    statement: str
    filed_at: datetime
    due_date: date
    status: ObjectionStatus
    decision: ObjectionDecision | Literal[""]
    response: str
    decided_at: datetime | None
    decided_by: UserRef | None


class DayOffOut(Schema):
    date: date
    name: str


class DeadlineOut(Schema):
    kind: Literal["answer", "completion", "objection", ""] = Field(
        description="The clock running: the answer, the requester's completion of an "
        "incomplete request, a pending objection's answer, or none."
    )
    start: date | None
    due_date: date | None
    working_days_left: int | None = Field(
        description="Working days from today to the due date (negative when late); null "
        "when no clock runs."
    )
    overdue: bool
    days_off: list[DayOffOut] = Field(
        description="Holidays and collective leave inside the period (why it is longer)."
    )
    zone: str = Field(description="The unit's time zone: WIB, WITA or WIT.")


class RequestDetailOut(RequestOut):
    identity_type: IdentityType
    identity_number: str = Field(description="Its last four digits only when masked.")
    address: str
    email: str
    phone: str
    occupation: str
    purpose: str
    receive_method: ReceiveMethod
    copy_method: CopyMethod | Literal[""]
    incomplete_note: str
    incomplete_at: datetime | None
    completion_due: date | None
    completed_at: datetime | None
    extended_at: datetime | None
    extension_reason: str
    answer: str
    answer_file_url: str
    exemption_ground: ExemptionGround | Literal[""]
    consequence_test: str
    redirected_to: str
    fee: int
    deadline: DeadlineOut
    objections: list[ObjectionOut]
    events: list[EventOut]


class RequestCreatedOut(RequestDetailOut):
    tracking_code: str = Field(
        description="The requester's secret code for the tracking page. Shown once: only "
        "its hash is stored."
    )


class RequestFilter(Schema):
    unit: Id | None = Field(None, description="Id of the work unit.")
    status: RequestStatus | None = None
    rule_set: RuleSet | None = None
    decision: Decision | None = None
    year: Year | None = Field(None, description="Year received (the unit's calendar).")
    overdue: bool | None = Field(None, description="Open requests past their due date.")
    q: str | None = Field(
        None,
        max_length=200,
        description="Register number, information requested (and the requester's name "
        "for staff who may see it).",
    )


def _length(field: str) -> int:
    return max_length(InformationRequest, field)


class RequestIn(InputSchema):
    unit: Id | None = Field(None, description="The unit that received it; default: yours.")
    rule_set: RuleSet = RuleSet.PERKI
    requester_kind: RequesterKind = RequesterKind.PERSON
    name: Annotated[str, Field(min_length=1, max_length=_length("name"))]
    identity_type: IdentityType = IdentityType.NIK
    identity_number: Annotated[str, Field(min_length=1, max_length=_length("identity_number"))]
    address: RequiredText
    email: Annotated[str, Field(max_length=_length("email")), AfterValidator(_email)] = ""
    phone: Annotated[str, Field(max_length=_length("phone"))] = ""
    occupation: Annotated[str, Field(max_length=_length("occupation"))] = ""
    information: RequiredText
    purpose: RequiredText
    receive_method: ReceiveMethod
    copy_method: CopyMethod | Literal[""] = ""
    received_at: AwareTime | None = Field(
        None, description="When it was received (a letter, a visit); default now."
    )


class IncompleteIn(InputSchema):
    note: RequiredText = Field(description="What is missing (sent to the requester).")


class CompleteIn(InputSchema):
    note: LongText = ""


class ExtendIn(InputSchema):
    reason: RequiredText = Field(description="Why more time is needed (sent to the requester).")


class DecideIn(InputSchema):
    decision: Decision
    answer: LongText = ""
    exemption_ground: ExemptionGround | Literal[""] = Field(
        "", description="UU 14/2008 art. 17 letter: required when refused."
    )
    consequence_test: LongText = Field("", description="Required when refused.")
    redirected_to: Annotated[str, Field(max_length=_length("redirected_to"))] = Field(
        "", description="The public body: required when redirected."
    )
    fee: Annotated[int, Field(ge=0, le=FEE_MAX)] = Field(0, description="Copying fee (Rp).")


class AssignIn(InputSchema):
    assignee_id: Id | None = Field(description="The officer; null unassigns.")


class ObjectionIn(InputSchema):
    reason: ObjectionReason = Field(description="UU 14/2008 art. 35(1) letter.")
    statement: RequiredText
    filed_at: AwareTime | None = Field(None, description="When it was filed; default now.")


class ObjectionDecideIn(InputSchema):
    decision: ObjectionDecision
    response: RequiredText


class StatsFilter(Schema):
    year: Year = Field(description="The year.")
    unit: Id | None = Field(None, description="Only this unit (in your scope).")
