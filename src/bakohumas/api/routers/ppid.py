"""Public information requests (PPID): the register, staff registration, the
completeness check, the extension, the decision, the officer, objections and their
decision by the superior, the yearly statistics and the register as XLSX.

Deadlines are working days of the unit (Monday to Friday minus national holidays,
collective leave and the overrides of the calendar): UU 14/2008 gives 10 working days and
one extension of 7; PerKI 1/2019 (election information) 3 and 2. Every change goes through
:mod:`bakohumas.ppid.services`, which writes the request's timeline, tells the requester
and moves its inbox thread.

**Status codes of writes.** 201 for a new request or objection; 403 when your role lacks
the permission (editors handle requests; coordinators and administrators decide
objections); 404 for an id outside your scope; **422** when what you sent is invalid
(a wrong identity number, a refusal without its exemption ground and consequence test, a
redirection without the body's name); **409** when the request's state forbids the action
(a second extension, an extension after the due date, deciding a closed request, an
objection outside its filing window, the officer who decided the request deciding the
objection). Neither changes anything.

**Requesters' personal data** is answered masked (``pii_visible: false``: the name's
initials, the identity number's last four digits, no address, email or phone) unless you
hold ``ppid.view_requester_pii`` (coordinators and administrators).
"""

import logging
from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from bakohumas.api.auth import acting_user, requires
from bakohumas.api.content_schemas import file_url
from bakohumas.api.errors import ApiConflict, ApiValidationError
from bakohumas.api.pagination import PagePagination
from bakohumas.api.routers import DETAIL_ERRORS, READ_ERRORS, WRITE_ERRORS
from bakohumas.api.schemas import Id
from bakohumas.api.schemas_ppid import (
    AssignIn,
    CompleteIn,
    DecideIn,
    ExtendIn,
    IncompleteIn,
    ObjectionDecideIn,
    ObjectionIn,
    ObjectionOut,
    RequestCreatedOut,
    RequestDetailOut,
    RequestFilter,
    RequestIn,
    RequestOut,
    RequestPage,
    StatsFilter,
)
from bakohumas.api.services import unit_in_scope
from bakohumas.core.scoping import get_scoped_or_404, visible_unit_ids
from bakohumas.ppid import services
from bakohumas.ppid.models import (
    InformationRequest,
    Objection,
    RequestEvent,
)

logger = logging.getLogger(__name__)

router = Router(tags=["Information requests (PPID)"])

VIEW = "ppid.view_informationrequest"
ADD = "ppid.add_informationrequest"
CHANGE = "ppid.change_informationrequest"
ADD_OBJECTION = "ppid.add_objection"
DECIDE_OBJECTION = "ppid.decide_objection"
VIEW_PII = "ppid.view_requester_pii"

PII_FIELDS = ("name", "identity_number", "address", "email", "phone", "occupation")
# Open and running against a due date (an incomplete request waits for the requester).
RUNNING = services.RUNNING_STATUSES
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- helpers ------------------------------------------------------------------------------


def _call(
    action: Callable[..., Any], *args: Any, fields: dict[str, str] | None = None, **kwargs: Any
) -> Any:
    """Run a service; its refusal becomes a 422 (a field at fault) or a 409 (the state).
    A missing permission (``PermissionDenied``) passes through as a 403."""
    try:
        return action(*args, **kwargs)
    except services.PpidError as exc:
        if exc.field:
            name = (fields or {}).get(exc.field, exc.field)
            raise ApiValidationError({name: [str(exc)]}) from exc
        raise ApiConflict(str(exc)) from exc


def _pii(user: Any, request: InformationRequest) -> bool:
    return bool(services.can_view_pii(user, request))


def _mask(data: dict[str, Any], request: InformationRequest) -> None:
    """The personal data as the services mask it (one rule for the pages, the exports and
    the API); a field they do not give is blanked."""
    masked = services.masked(request)
    for name in PII_FIELDS:
        if name in data:
            data[name] = str(masked.get(name) or "")


def _today() -> date:
    return timezone.localdate()


def _overdue(request: InformationRequest, today: date) -> bool:
    return bool(
        request.status in RUNNING and request.due_date is not None and request.due_date < today
    )


def _row(request: InformationRequest, user: Any, today: date) -> dict[str, Any]:
    computed = {"pii_visible", "overdue"}
    data = {
        name: getattr(request, name) for name in RequestOut.model_fields if name not in computed
    }
    data["overdue"] = _overdue(request, today)
    data["pii_visible"] = _pii(user, request)
    if not data["pii_visible"]:
        _mask(data, request)
    return data


def _queryset() -> QuerySet[InformationRequest]:
    return InformationRequest.objects.select_related("unit", "assignee")


def _get(request: HttpRequest, pk: int) -> InformationRequest:
    return get_scoped_or_404(_queryset(), acting_user(request), pk=pk)


def _deadline(req: InformationRequest) -> dict[str, Any]:
    panel = services.deadline(req)
    return {
        "kind": panel.kind,
        "start": panel.start,
        "due_date": panel.due,
        "working_days_left": panel.working_days_left,
        "overdue": panel.overdue,
        "days_off": [{"date": day, "name": name} for day, name in panel.days_off],
        "zone": panel.zone,
    }


def _detail(request: HttpRequest, pk: int, *, scoped: bool = True) -> dict[str, Any]:
    user = acting_user(request)
    qs = (
        _queryset()
        .select_related("decided_by")
        .prefetch_related(
            Prefetch(
                "objections",
                queryset=Objection.objects.select_related("decided_by").order_by("filed_at", "id"),
            ),
            Prefetch(
                "events",
                queryset=RequestEvent.objects.select_related("actor").order_by("created_at", "id"),
            ),
        )
    )
    req = get_scoped_or_404(qs, user, pk=pk) if scoped else qs.get(pk=pk)
    computed = {
        "pii_visible",
        "overdue",
        "answer_file_url",
        "deadline",
        "objections",
        "events",
        "fee",
        "tracking_code",
    }
    data = {
        name: getattr(req, name) for name in RequestDetailOut.model_fields if name not in computed
    }
    data["overdue"] = _overdue(req, _today())
    data["pii_visible"] = _pii(user, req)
    if not data["pii_visible"]:
        _mask(data, req)
    data["answer_file_url"] = file_url(request, req.answer_file)
    data["fee"] = int(req.fee or 0)
    data["deadline"] = _deadline(req)
    data["objections"] = list(req.objections.all())
    data["events"] = list(req.events.all())
    return data


def _filtered(request: HttpRequest, filters: RequestFilter) -> QuerySet[InformationRequest]:
    user = acting_user(request)
    qs = InformationRequest.objects.for_user(user).select_related("unit", "assignee")
    if filters.unit:
        qs = qs.filter(unit_id=filters.unit)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.rule_set:
        qs = qs.filter(rule_set=filters.rule_set)
    if filters.decision:
        qs = qs.filter(decision=filters.decision)
    if filters.year:
        qs = qs.filter(received_at__year=filters.year)
    late = Q(status__in=RUNNING, due_date__lt=_today())
    if filters.overdue is True:
        qs = qs.filter(late)
    elif filters.overdue is False:
        qs = qs.exclude(late)
    pii = user.has_perm(VIEW_PII)
    for word in (filters.q or "").split():
        match = Q(register_number__icontains=word) | Q(information__icontains=word)
        if pii:  # a masked name is not searchable either
            match |= Q(name__icontains=word)
        qs = qs.filter(match)
    return qs.order_by("-received_at", "-id")


# --- requests: reads ------------------------------------------------------------------------


@router.get(
    "/ppid/requests",
    response={200: RequestPage, **READ_ERRORS},
    auth=requires(VIEW),
    summary="List information requests",
)
def list_requests(
    request: HttpRequest,
    filters: Query[RequestFilter],
    pagination: Query[PagePagination.Input],
) -> Any:
    """The request register of the units in your scope, latest first. ``year`` is the
    year received; ``overdue`` keeps the open requests past their due date. Paginated:
    ``?page=1&page_size=25`` (at most 200)."""
    user = acting_user(request)
    today = _today()
    page = PagePagination().paginate_queryset(_filtered(request, filters), pagination, request)
    page["results"] = [_row(req, user, today) for req in page["results"]]
    return page


@router.get(
    "/ppid/requests/export.xlsx",
    response={200: None, **READ_ERRORS},
    auth=requires(VIEW),
    summary="Export the request register (XLSX)",
    openapi_extra={
        "responses": {
            200: {
                "description": "The register as a spreadsheet.",
                "content": {XLSX: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def export_requests(request: HttpRequest, filters: Query[RequestFilter]) -> Any:
    """The request register with the list's filters applied; personal data masked unless
    you may see it."""
    from bakohumas.ppid import exports

    qs = _filtered(request, filters)
    content = exports.requests_xlsx(qs, user=acting_user(request))
    response = HttpResponse(content, content_type=XLSX)
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="ppid-register-{stamp}.xlsx"'
    return response


@router.get(
    "/ppid/requests/{id}",
    response={200: RequestDetailOut, **DETAIL_ERRORS},
    auth=requires(VIEW),
    summary="Get an information request",
)
def get_request(request: HttpRequest, id: Id) -> Any:
    """The request with its deadline (working days left and the days off inside the
    period), its objections and its timeline."""
    return _detail(request, id)


# --- requests: writes -----------------------------------------------------------------------


@router.post(
    "/ppid/requests",
    response={201: RequestCreatedOut, **WRITE_ERRORS},
    auth=requires(ADD),
    summary="Register an information request",
)
def create_request(request: HttpRequest, payload: RequestIn) -> Any:
    """Register a request received in person, by letter or by phone (channel
    ``staff``): it gets its register number, its due date and an inbox thread. The
    answer carries the requester's secret ``tracking_code`` **once** (only its hash is
    kept); with an email address, the requester also gets it by email."""
    user = acting_user(request)
    unit = unit_in_scope(user, payload.unit)
    data = payload.model_dump(exclude={"unit", "received_at"})
    data = {k: str(v) if v is not None else "" for k, v in data.items()}
    req, code = _call(
        services.submit, unit, data, channel="staff", user=user, received_at=payload.received_at
    )
    if req.email:
        try:
            services.send_acknowledgement(req, code)
        except Exception:  # the request stands; the officer can reset and resend the code
            logger.warning("Could not send the acknowledgement of %s", req.pk, exc_info=True)
    data = _detail(request, req.pk)
    data["tracking_code"] = code
    return Status(201, data)


def _action(path: str, summary: str, perm: str = CHANGE) -> Any:  # a decorator factory
    return router.post(
        path,
        response={200: RequestDetailOut, **WRITE_ERRORS},
        auth=requires(perm),
        summary=summary,
    )


@_action("/ppid/requests/{id}/incomplete", "Mark a request incomplete")
def mark_request_incomplete(request: HttpRequest, id: Id, payload: IncompleteIn) -> Any:
    """The requester is told what is missing and has until ``completion_due`` to complete
    it; the answer period stops meanwhile."""
    _call(services.mark_incomplete, _get(request, id), acting_user(request), payload.note)
    return _detail(request, id)


@_action("/ppid/requests/{id}/complete", "Mark a request complete")
def complete_request(request: HttpRequest, id: Id, payload: CompleteIn | None = None) -> Any:
    """The requester completed it: the answer period starts again from today."""
    note = payload.note if payload is not None else ""
    _call(services.complete, _get(request, id), acting_user(request), note)
    return _detail(request, id)


@_action("/ppid/requests/{id}/extend", "Extend the answer period")
def extend_request(request: HttpRequest, id: Id, payload: ExtendIn) -> Any:
    """Once, with a reason, before the due date passes: 7 more working days (UU 14/2008)
    or 2 (PerKI 1/2019). 409 for a second extension or a late one."""
    _call(services.extend, _get(request, id), acting_user(request), payload.reason)
    return _detail(request, id)


@_action("/ppid/requests/{id}/decide", "Decide a request")
def decide_request(request: HttpRequest, id: Id, payload: DecideIn) -> Any:
    """Granted, partly granted, refused (with the UU 14/2008 art. 17 ground and the
    consequence test), not held by this unit, or redirected (with the body's name). The
    requester is told and the inbox thread is resolved."""
    _call(
        services.decide,
        _get(request, id),
        acting_user(request),
        decision=str(payload.decision),
        answer=payload.answer,
        exemption_ground=str(payload.exemption_ground),
        consequence_test=payload.consequence_test,
        redirected_to=payload.redirected_to,
        fee=payload.fee,
    )
    return _detail(request, id)


@_action("/ppid/requests/{id}/assign", "Assign the officer of a request")
def assign_request(request: HttpRequest, id: Id, payload: AssignIn) -> Any:
    """A staff member of the request's unit (or a unit above) handles it; null unassigns."""
    assignee = None
    if payload.assignee_id is not None:
        assignee = get_user_model().objects.filter(pk=payload.assignee_id, is_active=True).first()
        if assignee is None:
            raise ApiValidationError({"assignee_id": [_("Choose a staff member of the unit.")]})
    _call(
        services.assign,
        _get(request, id),
        acting_user(request),
        assignee,
        fields={"assignee": "assignee_id"},
    )
    return _detail(request, id)


@router.post(
    "/ppid/requests/{id}/objections",
    response={201: ObjectionOut, **WRITE_ERRORS},
    auth=requires(ADD_OBJECTION),
    summary="File an objection",
)
def file_objection(request: HttpRequest, id: Id, payload: ObjectionIn) -> Any:
    """Record an objection (keberatan) on the requester's behalf: after the decision, or
    after the due date passed unanswered, within 30 working days of the cause. Its
    answer is due within 30 working days (UU 14/2008) or 3 (PerKI 1/2019). 409 outside
    the filing window."""
    objection = _call(
        services.file_objection,
        _get(request, id),
        reason=str(payload.reason),
        statement=payload.statement,
        user=acting_user(request),
        filed_at=payload.filed_at,
    )
    return Status(201, Objection.objects.select_related("decided_by").get(pk=objection.pk))


@router.post(
    "/ppid/objections/{id}/decide",
    response={200: ObjectionOut, **WRITE_ERRORS},
    auth=requires(DECIDE_OBJECTION),
    summary="Decide an objection",
)
def decide_objection(request: HttpRequest, id: Id, payload: ObjectionDecideIn) -> Any:
    """The superior of the information officer upholds the objection (the information is
    to be given) or rejects it. 409 when it is decided already, or you decided the request
    yourself."""
    user = acting_user(request)
    objection = get_scoped_or_404(
        Objection.objects.select_related("request", "request__unit"), user, pk=id
    )
    _call(
        services.decide_objection,
        objection,
        user,
        decision=str(payload.decision),
        response=payload.response,
    )
    return Objection.objects.select_related("decided_by").get(pk=objection.pk)


# --- statistics -------------------------------------------------------------------------------


@router.get(
    "/ppid/stats",
    response={200: dict[str, Any], **READ_ERRORS},
    auth=requires(VIEW),
    summary="Yearly service statistics",
)
def ppid_stats(request: HttpRequest, filters: Query[StatsFilter]) -> Any:
    """Counts per status, decision, rule set and channel, the average working days to a
    decision, the share answered on time, and the objections and their outcomes, for the
    units in your scope (or one of them)."""
    user = acting_user(request)
    unit_ids: list[int] | None
    if filters.unit is not None:
        unit_ids = [unit_in_scope(user, filters.unit).pk]
    else:
        unit_ids = visible_unit_ids(user)
    return services.yearly_stats(unit_ids, filters.year)
