"""The unified inbox: threads (conversations with the public on the portal forms, email,
WhatsApp and Telegram), replies, internal notes, assignment, status, priority, topic tags,
transfer to the parent or a child unit, hoax links, canned replies and hoax cases.

Every change goes through :mod:`bakohumas.inbox.services`, so the API obeys the rules of
the workspace (the WhatsApp 24-hour window, transfer only up or down the unit tree, the
assignee a staff member of the unit or a unit above).

**Status codes of writes.** 201 for a new reply, note, canned reply or hoax case; 403 when
your role lacks the permission (viewers write nothing; contributors add notes; editors
reply, assign, change and transfer; coordinators keep canned replies); 404 for an id
outside your scope; **422** when what you sent is invalid (``errors`` maps each field to
its messages); **409** when the thread's state forbids the action (a WhatsApp reply
outside the 24-hour window without an approved template, a thread without an address to
reply to, a duplicate canned reply title). Neither changes anything.

**Messages from the public are plain text,** returned as JSON strings exactly as received
(HTML in them is text, never markup).

**Requesters' personal data.** On the thread of an information request (kind
``information_request``), the sender's name, address and number are masked unless you may
see requesters' personal data (coordinators and administrators), as in the PPID API.
"""

import base64
import binascii
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from bakohumas.api.auth import acting_user, requires
from bakohumas.api.errors import ApiConflict, ApiValidationError
from bakohumas.api.pagination import PagePagination
from bakohumas.api.routers import DETAIL_ERRORS, READ_ERRORS, WRITE_ERRORS
from bakohumas.api.schemas import Id
from bakohumas.api.schemas_inbox import (
    CannedReplyFilter,
    CannedReplyIn,
    CannedReplyOut,
    HoaxCaseDetailOut,
    HoaxCaseFilter,
    HoaxCaseIn,
    HoaxCaseOut,
    HoaxLinkIn,
    MessageOut,
    NoteIn,
    ReplyIn,
    ThreadDetailOut,
    ThreadFilter,
    ThreadOut,
    ThreadPage,
    ThreadPatch,
    TransferIn,
)
from bakohumas.api.services import unit_in_scope
from bakohumas.content.models import ContentItem
from bakohumas.core.models import WorkUnit
from bakohumas.core.scoping import get_scoped_or_404, scope_filter, unit_and_ancestors
from bakohumas.inbox import services
from bakohumas.inbox.models import (
    Attachment,
    CannedReply,
    Channel,
    Direction,
    HoaxCase,
    Message,
    Thread,
    ThreadEvent,
    ThreadStatus,
)
from bakohumas.inbox.search import search_threads

router = Router(tags=["Inbox"])

VIEW = "inbox.view_thread"
NOTE = "inbox.add_message"
REPLY = "inbox.reply_thread"
CHANGE = "inbox.change_thread"
MANAGE = "inbox.manage_inbox"
VIEW_CANNED = "inbox.view_cannedreply"
VIEW_HOAX = "inbox.view_hoaxcase"
ADD_HOAX = "inbox.add_hoaxcase"

# The services' field names → the API's.
_FIELDS = {
    "assignee": "assignee_id",
    "target_unit": "unit_id",
    "target": "unit_id",
    "unit": "unit_id",
    "case": "case_id",
    "hoax_case": "case_id",
    "clarification": "clarification_id",
    "canned": "canned_id",
}


# --- helpers ------------------------------------------------------------------------------


def _call(
    action: Callable[..., Any], *args: Any, fields: dict[str, str] | None = None, **kwargs: Any
) -> Any:
    """Run a service; its refusal becomes a 422 (a field at fault) or a 409 (the state).
    A missing permission (``InboxForbidden`` is a ``PermissionDenied``) stays a 403."""
    try:
        return action(*args, **kwargs)
    except PermissionDenied:
        raise
    except services.InboxError as exc:
        if exc.field:
            names = {**_FIELDS, **(fields or {})}
            raise ApiValidationError({names.get(exc.field, exc.field): [str(exc)]}) from exc
        raise ApiConflict(str(exc)) from exc


def _initials(name: str) -> str:
    """The requester's initials, as the PPID pages and exports show them."""
    from bakohumas.ppid.services import initials

    return initials(name)


def _mask_handle(value: str) -> str:
    """``warga@example.id`` → ``w***@example.id``; a number → its last three digits."""
    if not value:
        return value
    if "@" in value:
        local, _sep, domain = value.rpartition("@")
        return f"{local[:1]}***@{domain}"
    if len(value) > 3:
        return "*" * (len(value) - 3) + value[-3:]
    return "***"


def _row(thread: Thread, user: Any, now: datetime) -> dict[str, Any]:
    data = {
        name: getattr(thread, name)
        for name in ThreadOut.model_fields
        if name not in {"tags", "overdue"}
    }
    data["tags"] = [tag.name for tag in thread.tags.all()]
    data["overdue"] = bool(
        thread.status != ThreadStatus.RESOLVED and thread.due_at is not None and thread.due_at < now
    )
    if services.requester_hidden(thread, user):
        data["name"] = _initials(thread.name)
        data["handle"] = _mask_handle(thread.handle)
    return data


def _thread_queryset(user: Any = None) -> QuerySet[Thread]:
    """Threads with what a list row shows; scoped to ``user`` when given."""
    qs = Thread.objects.for_user(user) if user is not None else Thread.objects.all()
    return qs.select_related("unit", "assignee", "hoax_case").prefetch_related("tags")


def _get(request: HttpRequest, pk: int) -> Thread:
    return get_scoped_or_404(
        Thread.objects.select_related("unit", "unit__parent", "unit__parent__parent", "account"),
        acting_user(request),
        pk=pk,
    )


def _summary(request: HttpRequest, pk: int) -> dict[str, Any]:
    """A thread's list row, read back after a change (without the scope check: a transfer
    may have moved it out of the user's sight)."""
    thread = _thread_queryset().get(pk=pk)
    return _row(thread, acting_user(request), timezone.now())


def _message(request: HttpRequest, message: Message) -> dict[str, Any]:
    found = (
        Message.objects.select_related("author", "thread")
        .prefetch_related("attachments")
        .get(pk=message.pk)
    )
    return _message_row(found, acting_user(request), found.thread)


def _message_row(message: Message, user: Any, thread: Thread) -> dict[str, Any]:
    data = {
        name: getattr(message, name)
        for name in MessageOut.model_fields
        if name not in {"attachments"}
    }
    data["attachments"] = list(message.attachments.all())
    if message.direction == Direction.INBOUND and services.requester_hidden(thread, user):
        data["sender_name"] = _initials(message.sender_name)
    return data


def _encode_cursor(thread: Thread) -> str:
    raw = f"{thread.last_message_at.isoformat()}|{thread.pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_cursor(value: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
        moment, _sep, pk = raw.partition("|")
        when = parse_datetime(moment)
        if when is None or timezone.is_naive(when) or not pk.isdigit():
            raise ValueError(value)
        return when, int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise ApiValidationError(
            {"cursor": [_("The cursor is not valid: use the “next_cursor” of an answer.")]}
        ) from exc


# --- threads: reads -------------------------------------------------------------------------


@router.get(
    "/inbox/threads",
    response={200: ThreadPage, **READ_ERRORS},
    auth=requires(VIEW),
    summary="List inbox threads",
)
def list_threads(request: HttpRequest, filters: Query[ThreadFilter]) -> Any:
    """Threads of the work units in your scope, latest message first. Cursor pagination
    (fast at any depth, no count): pass the ``next_cursor`` of an answer as ``cursor``.
    ``assignee`` is ``me``, ``none`` (unassigned) or a user id; ``overdue`` keeps the open
    threads past their due time; ``q`` searches the subject, the sender and the messages."""
    user = acting_user(request)
    now = timezone.now()
    qs = _thread_queryset(user)
    if filters.unit:
        qs = qs.filter(unit_id=filters.unit)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.assignee == "me":
        qs = qs.filter(assignee_id=user.pk)
    elif filters.assignee == "none":
        qs = qs.filter(assignee__isnull=True)
    elif filters.assignee:
        qs = qs.filter(assignee_id=int(filters.assignee))
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.priority:
        qs = qs.filter(priority=filters.priority)
    if filters.tag:
        tagged = Thread.tags.through.objects.filter(
            thread_id=OuterRef("pk"), inboxtag__name=filters.tag
        )
        qs = qs.filter(Exists(tagged))
    late = Q(due_at__lt=now) & ~Q(status=ThreadStatus.RESOLVED)
    if filters.overdue is True:
        qs = qs.filter(late)
    elif filters.overdue is False:
        qs = qs.exclude(late)
    q = (filters.q or "").strip()
    if q:
        qs = search_threads(qs, q)
    if filters.cursor:
        when, pk = _decode_cursor(filters.cursor)
        qs = qs.filter(Q(last_message_at__lt=when) | Q(last_message_at=when, pk__lt=pk))
    rows = list(qs.order_by("-last_message_at", "-id")[: filters.limit + 1])
    more = len(rows) > filters.limit
    rows = rows[: filters.limit]
    next_cursor = _encode_cursor(rows[-1]) if more else None
    next_url = None
    if next_cursor is not None:
        query = request.GET.copy()
        query["cursor"] = next_cursor
        next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
    return {
        "results": [_row(thread, user, now) for thread in rows],
        "next_cursor": next_cursor,
        "next": next_url,
    }


@router.get(
    "/inbox/threads/{id}",
    response={200: ThreadDetailOut, **DETAIL_ERRORS},
    auth=requires(VIEW),
    summary="Get a thread",
)
def get_thread(request: HttpRequest, id: Id) -> Any:
    """The thread with its messages (oldest first), its timeline and its SLA clocks.
    Reading it does not mark it read."""
    return _detail(request, id)


def _detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    user = acting_user(request)
    now = timezone.now()
    thread = get_scoped_or_404(
        _thread_queryset().select_related(
            "account", "contact", "clarification", "transferred_from"
        ),
        user,
        pk=pk,
    )
    data = _row(thread, user, now)
    for name in (
        "phone",
        "claim_url",
        "seen_on",
        "account",
        "contact",
        "clarification",
        "transferred_from",
    ):
        data[name] = getattr(thread, name)
    if services.requester_hidden(thread, user):
        data["phone"] = _mask_handle(thread.phone)
    from bakohumas.ppid.models import InformationRequest

    data["information_request_id"] = (
        InformationRequest.objects.filter(thread_id=thread.pk).values_list("pk", flat=True).first()
    )
    data["whatsapp_window_open"] = (
        services.whatsapp_window_open(thread, now) if thread.channel == Channel.WHATSAPP else None
    )
    data["sla"] = services.sla(thread, now)
    messages = (
        Message.objects.filter(thread=thread)
        .select_related("author")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("pk")))
        .order_by("created_at", "id")
    )
    data["messages"] = [_message_row(message, user, thread) for message in messages]
    data["events"] = list(
        ThreadEvent.objects.filter(thread=thread)
        .select_related("actor")
        .order_by("created_at", "id")
    )
    return data


# --- threads: writes ------------------------------------------------------------------------


@router.post(
    "/inbox/threads/{id}/reply",
    response={201: MessageOut, **WRITE_ERRORS},
    auth=requires(REPLY),
    summary="Reply to the sender",
)
def reply_thread(request: HttpRequest, id: Id, payload: ReplyIn) -> Any:
    """Reply through the thread's channel (email and portal: an email; WhatsApp: a text
    inside 24 hours of the sender's last message, else the account's approved template;
    Telegram: a bot message). The reply is stored ``queued`` and sent by the worker; its
    ``status`` becomes ``sent`` or ``failed`` with the ``error``. With ``canned_id`` and no
    ``body``, the canned text with its variables filled in is sent. 409 when the thread
    cannot be answered (no address; WhatsApp outside the window without a template)."""
    user = acting_user(request)
    thread = _get(request, id)
    canned = None
    if payload.canned_id is not None:
        canned = CannedReply.objects.for_user(user).filter(pk=payload.canned_id).first()
        if canned is None:
            raise ApiValidationError({"canned_id": [_("Not found among your canned replies.")]})
    body = payload.body
    if not body and canned is not None:
        body = services.render_canned(canned, thread, user)
    if not body.strip():
        raise ApiValidationError({"body": [_("This field cannot be blank.")]})
    _check_window(thread)
    message = _call(services.reply, thread, user, body, canned=canned)
    return Status(201, _message(request, message))


def _check_window(thread: Thread) -> None:
    """WhatsApp outside the 24-hour window with no approved template: the thread's state
    forbids a reply (409), whatever the text."""
    if (
        thread.channel == Channel.WHATSAPP
        and not services.whatsapp_window_open(thread)
        and thread.account is not None
        and services.reply_template(thread) is None
    ):
        raise ApiConflict(
            _(
                "The sender last wrote more than 24 hours ago: WhatsApp then only allows an "
                "approved template, and this account has none for replies."
            )
        )


@router.post(
    "/inbox/threads/{id}/notes",
    response={201: MessageOut, **WRITE_ERRORS},
    auth=requires(NOTE),
    summary="Add an internal note",
)
def add_note(request: HttpRequest, id: Id, payload: NoteIn) -> Any:
    """A note for colleagues, kept in the thread and never sent."""
    thread = _get(request, id)
    message = _call(services.add_note, thread, acting_user(request), payload.body)
    return Status(201, _message(request, message))


@router.patch(
    "/inbox/threads/{id}",
    response={200: ThreadOut, **WRITE_ERRORS},
    auth=requires(CHANGE),
    summary="Change a thread",
)
def update_thread(request: HttpRequest, id: Id, payload: ThreadPatch) -> Any:
    """Change only what you send: ``status``, ``priority``, ``assignee_id`` (a staff
    member of the thread's unit or a unit above; ``null`` unassigns; the assignee is
    notified), ``tags`` (replaces the topics). All or nothing: when one change is refused
    none is made."""
    user = acting_user(request)
    thread = _get(request, id)
    data = payload.changes()
    assignee: Any = None
    if data.get("assignee_id") is not None:
        assignee = get_user_model().objects.filter(pk=data["assignee_id"], is_active=True).first()
        if assignee is None:
            raise ApiValidationError({"assignee_id": [_("Choose a staff member of the unit.")]})
    with transaction.atomic():
        if "tags" in data:
            names = list(dict.fromkeys(data["tags"]))
            current = sorted(thread.tags.values_list("name", flat=True))
            if sorted(names) != current:
                _call(services.set_tags, thread, user, names, fields={"names": "tags"})
        if "priority" in data and data["priority"] != thread.priority:
            _call(services.set_priority, thread, user, int(data["priority"]))
        if "assignee_id" in data and data["assignee_id"] != thread.assignee_id:
            _call(services.assign, thread, user, assignee)
        if "status" in data and data["status"] != thread.status:
            _call(services.set_status, thread, user, str(data["status"]))
    return _summary(request, id)


@router.post(
    "/inbox/threads/{id}/transfer",
    response={200: ThreadOut, **WRITE_ERRORS},
    auth=requires(CHANGE),
    summary="Transfer a thread to another unit",
)
def transfer_thread(request: HttpRequest, id: Id, payload: TransferIn) -> Any:
    """Escalate to the parent unit or pass down to a child unit (a kab/kota); the
    assignee is cleared and the target's coordinators are notified. An information
    request moves with its thread. After a transfer up, the thread may be out of your
    scope: the answer is the last view of it you get."""
    user = acting_user(request)
    thread = _get(request, id)
    target = WorkUnit.objects.filter(pk=payload.unit_id).first()
    allowed = target is not None and (
        target.pk == thread.unit.parent_id or target.parent_id == thread.unit_id
    )
    if target is None or not allowed:
        raise ApiValidationError(
            {"unit_id": [_("Choose the parent unit or one of the child units.")]}
        )
    _call(services.transfer, thread, user, target, payload.note)
    return _summary(request, id)


@router.post(
    "/inbox/threads/{id}/hoax-link",
    response={200: ThreadOut, **WRITE_ERRORS},
    auth=requires(CHANGE),
    summary="Link a thread to a hoax case",
)
def link_hoax(request: HttpRequest, id: Id, payload: HoaxLinkIn) -> Any:
    """Link a hoax report to the hoax case it is about (``case_id``) and/or the
    clarification that answers it (``clarification_id``, a content item). A field sent
    as ``null`` unlinks; a field not sent keeps its link."""
    user = acting_user(request)
    thread = _get(request, id)
    sent = payload.model_fields_set
    if not sent:
        raise ApiValidationError(
            {NON_FIELD_ERRORS: [_("Send “case_id” and/or “clarification_id”.")]}
        )
    case = thread.hoax_case
    clarification = thread.clarification
    errors: dict[str, list[str]] = {}
    # The thread's unit and the units above it, or a unit the user sees.
    reach = Q(unit_id__in=unit_and_ancestors(thread.unit)) | scope_filter(user)
    if "case_id" in sent:
        case = None
        if payload.case_id is not None:
            case = HoaxCase.objects.filter(reach, pk=payload.case_id).first()
            if case is None:
                errors["case_id"] = [_("Not found among the hoax cases in your scope.")]
    if "clarification_id" in sent:
        clarification = None
        if payload.clarification_id is not None:
            clarification = ContentItem.objects.filter(reach, pk=payload.clarification_id).first()
            if clarification is None:
                errors["clarification_id"] = [_("Not found among the content in your scope.")]
    if errors:
        raise ApiValidationError(errors)
    _call(services.link_hoax, thread, user, case=case, clarification=clarification)
    return _summary(request, id)


# --- canned replies ---------------------------------------------------------------------------


@router.get(
    "/inbox/canned-replies",
    response={200: list[CannedReplyOut], **READ_ERRORS},
    auth=requires(VIEW_CANNED),
    summary="List canned replies",
)
@paginate(PagePagination)
def list_canned_replies(request: HttpRequest, filters: Query[CannedReplyFilter]) -> Any:
    """Reply templates of the units in your scope, by title."""
    qs = CannedReply.objects.for_user(acting_user(request)).select_related("unit")
    if filters.unit:
        qs = qs.filter(unit_id=filters.unit)
    for word in (filters.q or "").split():
        qs = qs.filter(Q(title__icontains=word) | Q(body__icontains=word))
    return qs.order_by("title", "id")


@router.post(
    "/inbox/canned-replies",
    response={201: CannedReplyOut, **WRITE_ERRORS},
    auth=requires(MANAGE),
    summary="Create a canned reply",
)
def create_canned_reply(request: HttpRequest, payload: CannedReplyIn) -> Any:
    """A reply template of a unit (default: yours). Its text may use ``{nama}`` (the
    sender), ``{satker}`` (the unit), ``{petugas}`` (who replies), ``{nomor}`` (the thread
    or register number) and ``{tanggal}`` (today). 409 when the unit has a canned reply
    with this title."""
    user = acting_user(request)
    unit = unit_in_scope(user, payload.unit)
    if CannedReply.objects.filter(unit=unit, title__iexact=payload.title).exists():
        raise ApiConflict(_("The unit already has a canned reply with this title."))
    canned = CannedReply.objects.create(unit=unit, title=payload.title, body=payload.body)
    return Status(201, CannedReply.objects.select_related("unit").get(pk=canned.pk))


# --- hoax cases -------------------------------------------------------------------------------


def _hoax_queryset(user: Any) -> QuerySet[HoaxCase]:
    return (
        HoaxCase.objects.for_user(user)
        .select_related("unit", "clarification", "created_by")
        .annotate(n_reports=Count("reports"))
    )


@router.get(
    "/inbox/hoax-cases",
    response={200: list[HoaxCaseOut], **READ_ERRORS},
    auth=requires(VIEW_HOAX),
    summary="List hoax cases",
)
@paginate(PagePagination)
def list_hoax_cases(request: HttpRequest, filters: Query[HoaxCaseFilter]) -> Any:
    """Claims under check in the units of your scope, newest first, with the number of
    reports from the public linked to each."""
    qs = _hoax_queryset(acting_user(request))
    if filters.unit:
        qs = qs.filter(unit_id=filters.unit)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.category:
        qs = qs.filter(category=filters.category)
    for word in (filters.q or "").split():
        qs = qs.filter(Q(title__icontains=word) | Q(claim__icontains=word))
    return qs.order_by("-created_at", "-id")


@router.post(
    "/inbox/hoax-cases",
    response={201: HoaxCaseDetailOut, **WRITE_ERRORS},
    auth=requires(ADD_HOAX),
    summary="Open a hoax case",
)
def create_hoax_case(request: HttpRequest, payload: HoaxCaseIn) -> Any:
    """A claim to check, in a unit of your scope (default: yours); reports from the public
    are then linked to it with ``POST /inbox/threads/{id}/hoax-link``."""
    user = acting_user(request)
    unit = unit_in_scope(user, payload.unit)
    case = _call(
        services.create_hoax_case,
        unit,
        user,
        title=payload.title,
        claim=payload.claim,
        category=str(payload.category),
    )
    return Status(201, _hoax_detail(request, case.pk))


@router.get(
    "/inbox/hoax-cases/{id}",
    response={200: HoaxCaseDetailOut, **DETAIL_ERRORS},
    auth=requires(VIEW_HOAX),
    summary="Get a hoax case",
)
def get_hoax_case(request: HttpRequest, id: Id) -> Any:
    """The case with its latest 100 linked reports."""
    return _hoax_detail(request, id)


def _hoax_detail(request: HttpRequest, pk: int) -> HoaxCase:
    user = acting_user(request)
    case = get_scoped_or_404(_hoax_queryset(user), user, pk=pk)
    case.reports_list = list(  # type: ignore[attr-defined]
        Thread.objects.for_user(user).filter(hoax_case=case).order_by("-created_at", "-id")[:100]
    )
    return case
