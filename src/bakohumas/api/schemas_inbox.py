"""Request and response schemas of the inbox API (threads, messages, canned replies,
hoax cases).

Input schemas follow :class:`bakohumas.api.schemas.InputSchema`: unknown fields are
refused, surrounding white space is stripped, NUL characters are refused and every text
carries the maximum length of its model field. Times are answered in UTC.

**Messages from the public are plain text.** ``body``, ``subject``, ``name`` and the
snippet are returned exactly as received, as JSON strings: never HTML, never rendered.
A client showing them must escape them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import AfterValidator

from bakohumas.api.schemas import (
    TAG_MAX_LENGTH,
    Id,
    InputSchema,
    UnitRef,
    UserRef,
    max_length,
)
from bakohumas.inbox.models import (
    CannedReply,
    Channel,
    Direction,
    HoaxCase,
    HoaxCaseStatus,
    HoaxCategory,
    MessageStatus,
    Priority,
    ThreadKind,
    ThreadStatus,
)

# A reply or a note; the services cut inbound bodies at 20,000 characters too.
BODY_MAX_LENGTH = 20_000
CLAIM_MAX_LENGTH = 10_000
MAX_THREAD_TAGS = 20
THREAD_PAGE_DEFAULT = 50
THREAD_PAGE_MAX = 200


def _assignee(value: str) -> str:
    if value in {"me", "none"} or (value.isdigit() and 0 < int(value) < 2**63):
        return value
    raise ValueError(_("Use “me”, “none” or the id of a user."))


AssigneeFilter = Annotated[
    str,
    Field(max_length=20, description="“me”, “none” (unassigned) or a user id."),
    AfterValidator(_assignee),
]
Body = Annotated[str, Field(min_length=1, max_length=BODY_MAX_LENGTH)]
TagName = Annotated[str, Field(min_length=1, max_length=TAG_MAX_LENGTH)]


# --- small references ------------------------------------------------------------------------


class HoaxCaseRef(Schema):
    id: int
    title: str
    status: HoaxCaseStatus


class ItemRef(Schema):
    id: int
    title: str
    status: str


class NamedRef(Schema):
    id: int
    name: str


# --- threads ---------------------------------------------------------------------------------


class ThreadOut(Schema):
    id: int
    unit: UnitRef
    kind: ThreadKind
    channel: Channel
    status: ThreadStatus
    priority: Priority
    subject: str = Field(description="Plain text as received (never HTML).")
    name: str = Field(
        description="The sender's name; initials only on an information request's thread "
        "unless you may see requesters' personal data."
    )
    handle: str = Field(
        description="Email address, WhatsApp number or Telegram chat id (masked like the "
        "name on an information request's thread)."
    )
    snippet: str = Field(description="The start of the latest inbound message, plain text.")
    message_count: int
    unread: bool
    assignee: UserRef | None
    tags: list[str]
    hoax_case: HoaxCaseRef | None
    created_at: datetime
    last_message_at: datetime
    last_inbound_at: datetime | None
    first_response_at: datetime | None
    resolved_at: datetime | None
    first_response_due: datetime | None
    due_at: datetime | None = Field(description="Resolution due (a request's legal deadline).")
    overdue: bool = Field(description="Open and past ``due_at``.")


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int


class MessageOut(Schema):
    id: int
    direction: Direction = Field(description="in: from the public; out: a reply; note: internal.")
    body: str = Field(description="Plain text exactly as written (never HTML).")
    author: UserRef | None = Field(description="The staff member (replies and notes).")
    sender_name: str
    status: MessageStatus
    error: str = Field(description="Why sending failed.")
    is_template: bool = Field(description="Sent as an approved WhatsApp template.")
    created_at: datetime
    sent_at: datetime | None
    attachments: list[AttachmentOut]


class EventOut(Schema):
    id: int
    action: str
    actor: UserRef | None
    detail: dict[str, Any]
    created_at: datetime


class SlaOut(Schema):
    first_response_due: datetime | None
    due_at: datetime | None
    first_response_breached: bool
    breached: bool
    hours_left: float | None = Field(
        description="Office hours until ``due_at`` (negative when late)."
    )
    label: str


class ThreadDetailOut(ThreadOut):
    phone: str
    claim_url: str = Field(description="Hoax report: link to the claim.")
    seen_on: str = Field(description="Hoax report: where it was seen.")
    account: NamedRef | None = Field(description="The channel account it came through.")
    contact: NamedRef | None = Field(description="The stakeholder contact it matched.")
    clarification: ItemRef | None
    transferred_from: UnitRef | None
    information_request_id: int | None
    whatsapp_window_open: bool | None = Field(
        description="WhatsApp: a free-text reply is possible (24 h since the last message); "
        "outside it the approved template is sent. Null on other channels."
    )
    sla: SlaOut
    messages: list[MessageOut]
    events: list[EventOut]


class ThreadFilter(Schema):
    unit: Id | None = Field(None, description="Id of the work unit.")
    status: ThreadStatus | None = None
    assignee: AssigneeFilter | None = None
    channel: Channel | None = None
    kind: ThreadKind | None = None
    priority: Priority | None = None
    tag: str | None = Field(None, max_length=TAG_MAX_LENGTH, description="A topic tag name.")
    overdue: bool | None = Field(None, description="Open threads past their due time.")
    q: str | None = Field(
        None, max_length=200, description="Words of the subject, sender or messages."
    )
    cursor: str | None = Field(
        None, max_length=200, description="The ``next_cursor`` of the previous answer."
    )
    limit: int = Field(THREAD_PAGE_DEFAULT, ge=1, le=THREAD_PAGE_MAX)


class ThreadPage(Schema):
    results: list[ThreadOut]
    next_cursor: str | None = Field(description="Pass as ``cursor`` for the next rows, or null.")
    next: str | None = Field(description="URL of the next rows, or null.")


class ReplyIn(InputSchema):
    body: Annotated[str, Field(max_length=BODY_MAX_LENGTH)] = Field(
        "", description="The reply (plain text). Empty with ``canned_id``: the canned text."
    )
    canned_id: Id | None = Field(
        None, description="A canned reply; its variables are filled in when ``body`` is empty."
    )


class NoteIn(InputSchema):
    body: Body


class ThreadPatch(InputSchema):
    not_null = frozenset({"status", "priority", "tags"})

    status: ThreadStatus | None = None
    priority: Priority | None = None
    assignee_id: Id | None = Field(None, description="A staff member; null unassigns.")
    tags: Annotated[list[TagName], Field(max_length=MAX_THREAD_TAGS)] | None = Field(
        None, description="Topic tag names (replaces them); missing tags are created."
    )


class TransferIn(InputSchema):
    unit_id: Id = Field(description="The parent unit (escalation) or a child unit.")
    note: Annotated[str, Field(max_length=2000)] = ""


class HoaxLinkIn(InputSchema):
    case_id: Id | None = Field(None, description="A hoax case; null unlinks; omitted keeps.")
    clarification_id: Id | None = Field(
        None, description="A clarification content item; null unlinks; omitted keeps."
    )


# --- canned replies ------------------------------------------------------------------------


class CannedReplyOut(Schema):
    id: int
    unit: UnitRef
    title: str
    body: str = Field(description="Variables: {nama} {satker} {petugas} {nomor} {tanggal}.")
    created_at: datetime


class CannedReplyFilter(Schema):
    unit: Id | None = None
    q: str | None = Field(None, max_length=200, description="Words of the title or text.")


class CannedReplyIn(InputSchema):
    unit: Id | None = Field(None, description="Owning work unit id; default: your own.")
    title: Annotated[str, Field(min_length=1, max_length=max_length(CannedReply, "title"))]
    body: Body


# --- hoax cases ------------------------------------------------------------------------------


class HoaxCaseOut(Schema):
    id: int
    unit: UnitRef
    title: str
    claim: str
    category: HoaxCategory | Literal[""]
    status: HoaxCaseStatus
    clarification: ItemRef | None
    report_count: int = Field(description="Reports from the public linked to it.")
    created_by: UserRef | None
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_report_count(obj: Any) -> int:
        return int(getattr(obj, "n_reports", 0) or 0)


class ReportRef(Schema):
    id: int
    subject: str
    status: ThreadStatus
    channel: Channel
    created_at: datetime


class HoaxCaseDetailOut(HoaxCaseOut):
    reports: list[ReportRef] = Field(description="The latest 100 linked reports.")

    @staticmethod
    def resolve_reports(obj: Any) -> list[Any]:
        return list(getattr(obj, "reports_list", []))


class HoaxCaseFilter(Schema):
    unit: Id | None = None
    status: HoaxCaseStatus | None = None
    category: HoaxCategory | None = None
    q: str | None = Field(None, max_length=200, description="Words of the title or claim.")


class HoaxCaseIn(InputSchema):
    unit: Id | None = Field(None, description="Owning work unit id; default: your own.")
    title: Annotated[str, Field(min_length=1, max_length=max_length(HoaxCase, "title"))]
    claim: Annotated[str, Field(min_length=1, max_length=CLAIM_MAX_LENGTH)]
    category: HoaxCategory | Literal[""] = ""
