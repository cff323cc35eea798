"""Staff PPID pages (``/app/ppid/``): the request register, a request's page with its
deadline panel, timeline and actions, the staff registration form, the objection
register, the yearly statistics and the exports.

Thin: reads go through scoped querysets (another unit's request is a 404), writes through
``services`` (which check the role permission again); a refused action re-renders the page
with the error on its form and nothing changed.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bakohumas.core.listing import paginate
from bakohumas.core.models import Level, WorkUnit
from bakohumas.core.scoping import (
    get_scoped_or_404,
    require_perm,
    user_unit,
    visible_unit_ids,
)
from bakohumas.ppid import exports, services
from bakohumas.ppid.forms import (
    AssignForm,
    CompleteForm,
    DecideForm,
    ExtendForm,
    IncompleteForm,
    ObjectionDecisionForm,
    ObjectionFilterForm,
    ObjectionForm,
    RequestFilterForm,
    StaffRequestForm,
    StatsForm,
    add_error,
    can_act,
    channel_label,
)
from bakohumas.ppid.models import (
    InformationRequest,
    Objection,
    ObjectionStatus,
    RequestStatus,
)

VIEW_PERM = "ppid.view_informationrequest"
# Timeline labels of ``RequestEvent.action``.
ACTION_LABELS = {
    "received": _lazy("Received"),
    "assigned": _lazy("Officer assigned"),
    "incomplete": _lazy("Marked incomplete"),
    "completed": _lazy("Completed"),
    "lapsed": _lazy("Lapsed"),
    "extended": _lazy("Extended"),
    "decided": _lazy("Decided"),
    "withdrawn": _lazy("Withdrawn"),
    "code_reset": _lazy("New tracking code"),
    "objection_filed": _lazy("Objection filed"),
    "objection_decided": _lazy("Objection decided"),
    "objection_reminded": _lazy("Objection reminder"),
    "pii_purged": _lazy("Personal data removed"),
}
CHANGE_PERM = "ppid.change_informationrequest"


# Querysets ----------------------------------------------------------------------------
def _unit_ids_under(unit: WorkUnit) -> list[int] | None:
    """The unit and the units below it (None: the national unit, i.e. every unit)."""
    if unit.level == Level.NATIONAL:
        return None
    if unit.level == Level.PROVINCE:
        return [unit.pk, *WorkUnit.objects.filter(province_id=unit.pk).values_list("pk", flat=True)]
    return [unit.pk]


def _today(user: Any) -> date:
    unit = user_unit(user)
    return unit.localtime().date() if unit is not None else timezone.localdate()


def requests_queryset(user: Any, form: RequestFilterForm) -> QuerySet[InformationRequest]:
    """The user's requests with the form's filters (also used by the exports)."""
    qs = InformationRequest.objects.for_user(user).select_related("unit", "assignee")
    unit = form.value("unit")
    if unit is not None:
        ids = _unit_ids_under(unit)
        if ids is not None:
            qs = qs.filter(unit_id__in=ids)
    for name in ("status", "rule_set", "decision"):
        value = form.value(name)
        if value:
            qs = qs.filter(**{name: value})
    year = form.value("year")
    if year:
        qs = qs.filter(received_at__year=year)
    today = _today(user)
    if form.value("overdue"):
        qs = qs.filter(status__in=services.RUNNING_STATUSES, due_date__lt=today)
    within = form.value("due_within")
    if within is not None:
        qs = qs.filter(
            status__in=services.RUNNING_STATUSES,
            due_date__gte=today,
            due_date__lte=today + timedelta(days=within),
        )
    query = (form.value("q") or "").strip()
    if query:
        where = Q(register_number__icontains=query) | Q(information__icontains=query)
        # Searching by name would reveal who asked: only for those who may see it.
        if user.has_perm("ppid.view_requester_pii"):
            where |= Q(name__icontains=query)
        qs = qs.filter(where)
    return qs.order_by("-received_at", "-id")


def objections_queryset(user: Any, form: ObjectionFilterForm) -> QuerySet[Objection]:
    qs = Objection.objects.for_user(user).select_related("request__unit")
    unit = form.value("unit")
    if unit is not None:
        ids = _unit_ids_under(unit)
        if ids is not None:
            qs = qs.filter(request__unit_id__in=ids)
    status = form.value("status")
    if status:
        qs = qs.filter(status=status)
    year = form.value("year")
    if year:
        qs = qs.filter(filed_at__year=year)
    query = (form.value("q") or "").strip()
    if query:
        qs = qs.filter(
            Q(register_number__icontains=query)
            | Q(request__register_number__icontains=query)
            | Q(statement__icontains=query)
        )
    return qs.order_by("-filed_at", "-id")


# The register -------------------------------------------------------------------------
@login_required
@require_GET
def request_list(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, VIEW_PERM)
    form = RequestFilterForm(request.GET, user=request.user)
    page = paginate(request, requests_queryset(request.user, form))
    pii = request.user.has_perm("ppid.view_requester_pii")
    today = _today(request.user)
    rows = [
        {
            "item": item,
            "name": item.name if pii else services.initials(item.name),
            "overdue": bool(
                item.status in services.RUNNING_STATUSES and item.due_date and item.due_date < today
            ),
        }
        for item in page.object_list
    ]
    return render(
        request,
        "ppid/request_list.html",
        {"filter_form": form, "page_obj": page, "rows": rows},
    )


@login_required
@require_http_methods(["GET", "POST"])
def request_create(request: HttpRequest) -> HttpResponse:
    """Register a request received in person or by letter (channel "staff")."""
    require_perm(request.user, "ppid.add_informationrequest")
    form = StaffRequestForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        unit = form.cleaned_data["unit"]
        try:
            item, code = services.submit(
                unit,
                form.service_data(),
                channel="staff",
                user=request.user,
                received_at=form.cleaned_data.get("received_at"),
            )
        except services.PpidError as exc:
            add_error(form, exc)
        else:
            services.send_acknowledgement(item, code)
            response = render(request, "ppid/request_created.html", {"item": item, "code": code})
            response["Cache-Control"] = "no-store"
            return response
    return render(request, "ppid/request_form.html", {"form": form})


# A request ----------------------------------------------------------------------------
def _get_request(request: HttpRequest, pk: int) -> InformationRequest:
    require_perm(request.user, VIEW_PERM)
    qs = InformationRequest.objects.select_related("unit", "assignee", "decided_by", "thread")
    return get_scoped_or_404(qs, request.user, pk=pk)


def _days_off_groups(days: list[tuple[date, str]]) -> list[dict[str, Any]]:
    """Holidays inside a period grouped by name: "Cuti Bersama Idul Fitri: 20, 23, 24 Mar"."""
    groups: OrderedDict[str, list[date]] = OrderedDict()
    for day, name in days:
        groups.setdefault(name, []).append(day)
    return [{"name": name, "days": found} for name, found in groups.items()]


def _detail_context(request: HttpRequest, item: InformationRequest, **forms: Any) -> dict[str, Any]:
    user = request.user
    acting = can_act(user, item)
    objections = list(item.objections.select_related("decided_by", "created_by"))
    pending = next((o for o in objections if o.status == ObjectionStatus.FILED), None)
    deadline = services.deadline(item)
    today = item.unit.localtime().date()
    context: dict[str, Any] = {
        "item": item,
        "requester": services.requester_data(item, user),
        "deadline": deadline,
        "days_late": -(deadline.working_days_left or 0) if deadline.overdue else 0,
        "channel_label": channel_label(item.channel),
        "days_off": _days_off_groups(deadline.days_off),
        "events": [
            {"event": e, "label": ACTION_LABELS.get(e.action, e.action)}
            for e in item.events.select_related("actor")
        ],
        "objections": objections,
        "pending_objection": pending,
        "can_act": acting,
        "can_assign": acting and item.status in services.OPEN_STATUSES,
        "can_incomplete": acting
        and item.status in (RequestStatus.RECEIVED, RequestStatus.IN_PROCESS),
        "can_complete": acting and item.status == RequestStatus.INCOMPLETE,
        "can_extend": acting
        and item.extended_at is None
        and item.status in (RequestStatus.RECEIVED, RequestStatus.IN_PROCESS)
        and (item.due_date is None or today <= item.due_date),
        "can_decide": acting and item.status in services.RUNNING_STATUSES,
        "can_file_objection": (
            user.has_perm("ppid.add_objection") and acting and services.can_file_objection(item)
        ),
        "can_decide_objection": pending is not None
        and services.can_decide_objection(user, pending),
        "objection_deadline": services.objection_deadline(item),
        "can_view_pii": services.can_view_pii(user, item),
    }
    context["assign_form"] = forms.get("assign") or AssignForm(
        initial={"assignee": item.assignee_id}, request=item
    )
    context["incomplete_form"] = forms.get("incomplete") or IncompleteForm()
    context["complete_form"] = forms.get("complete") or CompleteForm()
    context["extend_form"] = forms.get("extend") or ExtendForm()
    context["decide_form"] = forms.get("decide") or DecideForm(initial={"fee": 0})
    context["objection_form"] = forms.get("objection") or ObjectionForm()
    context["objection_decision_form"] = forms.get("objection_decide") or ObjectionDecisionForm()
    context["open_action"] = next(iter(forms), "")
    return context


@login_required
@require_GET
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = _get_request(request, pk)
    return render(request, "ppid/request_detail.html", _detail_context(request, item))


ACTIONS: dict[str, Any] = {
    "assign": AssignForm,
    "incomplete": IncompleteForm,
    "complete": CompleteForm,
    "extend": ExtendForm,
    "decide": DecideForm,
    "objection": ObjectionForm,
}


# The context flag under which each action's form is on the page.
VISIBLE = {
    "assign": "can_assign",
    "incomplete": "can_incomplete",
    "complete": "can_complete",
    "extend": "can_extend",
    "decide": "can_decide",
    "objection": "can_file_objection",
}


def _run(action: str, item: InformationRequest, user: Any, data: dict[str, Any]) -> str:
    """Call the service of ``action``; returns the success message."""
    if action == "assign":
        services.assign(item, user, data.get("assignee"))
        return _("The officer was saved.")
    if action == "incomplete":
        services.mark_incomplete(item, user, data["note"])
        return _("The request is marked incomplete; the requester was told.")
    if action == "complete":
        services.complete(item, user, data.get("note", ""))
        return _("The request is complete; the answer period starts again.")
    if action == "extend":
        services.extend(item, user, data["reason"])
        return _("The answer period was extended.")
    if action == "decide":
        services.decide(
            item,
            user,
            decision=data["decision"],
            answer=data.get("answer", ""),
            exemption_ground=data.get("exemption_ground", ""),
            consequence_test=data.get("consequence_test", ""),
            redirected_to=data.get("redirected_to", ""),
            answer_file=data.get("answer_file"),
            fee=data.get("fee") or 0,
        )
        return _("The decision was recorded and sent to the requester.")
    if action == "objection":
        objection = services.file_objection(
            item, reason=data["reason"], statement=data["statement"], user=user
        )
        return _("Objection %(number)s was filed.") % {"number": objection.register_number}
    raise Http404


@login_required
@require_POST
def request_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    item = _get_request(request, pk)
    if not can_act(request.user, item):
        raise PermissionDenied
    form_class = ACTIONS[action]
    kwargs: dict[str, Any] = {"request": item} if action == "assign" else {}
    form = form_class(request.POST, request.FILES, **kwargs)
    if form.is_valid():
        try:
            text = _run(action, item, request.user, form.cleaned_data)
        except services.PpidError as exc:
            add_error(form, exc)
        else:
            messages.success(request, text)
            return redirect("ppid:request_detail", pk=item.pk)
    item = _get_request(request, pk)  # the state before the refused change
    context = _detail_context(request, item, **{action: form})
    if not context[VISIBLE[action]]:
        # The action's form is not on the page in this state: say why at the top.
        for error in form.non_field_errors():
            messages.error(request, error)
    return render(request, "ppid/request_detail.html", context)


@login_required
@require_POST
def request_reset_code(request: HttpRequest, pk: int) -> HttpResponse:
    """A new tracking code, shown once on the page that answers this POST."""
    item = _get_request(request, pk)
    if not can_act(request.user, item):
        raise PermissionDenied
    code = services.reset_code(item, request.user)
    context = _detail_context(request, item)
    context["new_code"] = code
    response = render(request, "ppid/request_detail.html", context)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def objection_decide(request: HttpRequest, pk: int) -> HttpResponse:
    objection = get_scoped_or_404(
        Objection.objects.select_related("request__unit"), request.user, pk=pk
    )
    item = objection.request
    if not services.can_decide_objection(request.user, objection) and not (
        request.user.pk == item.decided_by_id and request.user.has_perm("ppid.decide_objection")
    ):
        raise PermissionDenied
    form = ObjectionDecisionForm(request.POST)
    if form.is_valid():
        try:
            services.decide_objection(
                objection,
                request.user,
                decision=form.cleaned_data["decision"],
                response=form.cleaned_data["response"],
            )
        except services.PpidError as exc:
            add_error(form, exc)
        else:
            messages.success(request, _("The objection was decided."))
            return redirect("ppid:request_detail", pk=item.pk)
    item = _get_request(request, item.pk)
    context = _detail_context(request, item, objection_decide=form)
    return render(request, "ppid/request_detail.html", context)


@login_required
@require_GET
def request_file(request: HttpRequest, pk: int, kind: str) -> HttpResponseBase:
    """The answer document, or (personal data) the requester's identity scan."""
    item = _get_request(request, pk)
    if kind == "answer":
        field = item.answer_file
    elif kind == "identity":
        if not services.can_view_pii(request.user, item):
            raise PermissionDenied
        field = item.identity_scan
    else:
        raise Http404
    if not field:
        raise Http404
    try:
        handle = field.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    name = field.name.rsplit("/", 1)[-1]
    response = FileResponse(handle, as_attachment=True, filename=name)
    response["Cache-Control"] = "private, no-store"
    return response


# Objection register -------------------------------------------------------------------
@login_required
@require_GET
def objection_list(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "ppid.view_objection")
    form = ObjectionFilterForm(request.GET, user=request.user)
    page = paginate(request, objections_queryset(request.user, form))
    return render(
        request,
        "ppid/objection_list.html",
        {"filter_form": form, "page_obj": page, "objections": page.object_list},
    )


# Statistics ---------------------------------------------------------------------------
def _stats_for(request: HttpRequest) -> tuple[StatsForm, dict[str, Any], str]:
    form = StatsForm(request.GET, user=request.user)
    year = form.value("year") or _today(request.user).year
    unit = form.value("unit")
    ids: list[int] | None
    if unit is not None:
        ids = _unit_ids_under(unit)
        visible = visible_unit_ids(request.user)
        if ids is None:
            ids = visible
        elif visible is not None:
            ids = [i for i in ids if i in visible]
        name = unit.name
    else:
        ids = visible_unit_ids(request.user)
        own = user_unit(request.user)
        name = own.name if own is not None else ""
    return form, services.yearly_stats(ids, int(year)), name


@login_required
@require_GET
def stats(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, VIEW_PERM)
    form, figures, name = _stats_for(request)
    return render(
        request,
        "ppid/stats.html",
        {"filter_form": form, "stats": figures, "unit_name": name},
    )


# Exports ------------------------------------------------------------------------------
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(content: bytes, fmt: str, stem: str) -> HttpResponse:
    content_type = XLSX if fmt == "xlsx" else "application/pdf"
    response = HttpResponse(content, content_type=content_type)
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="{stem}-{stamp}.{fmt}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _format(request: HttpRequest) -> str:
    fmt = request.GET.get("format", "xlsx")
    if fmt not in ("xlsx", "pdf"):
        raise Http404
    return fmt


@login_required
@require_GET
def export_requests(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, VIEW_PERM)
    fmt = _format(request)
    form = RequestFilterForm(request.GET, user=request.user)
    qs = requests_queryset(request.user, form)
    if fmt == "xlsx":
        content = exports.requests_xlsx(qs, user=request.user)
    else:
        content = exports.requests_pdf(qs, _("Register of information requests"), user=request.user)
    return _download(content, fmt, "ppid-requests")


@login_required
@require_GET
def export_objections(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "ppid.view_objection")
    fmt = _format(request)
    form = ObjectionFilterForm(request.GET, user=request.user)
    qs = objections_queryset(request.user, form)
    if fmt == "xlsx":
        content = exports.objections_xlsx(qs)
    else:
        content = exports.objections_pdf(qs, _("Register of objections"))
    return _download(content, fmt, "ppid-objections")


@login_required
@require_GET
def export_stats(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, VIEW_PERM)
    fmt = _format(request)
    _form, figures, name = _stats_for(request)
    if fmt == "xlsx":
        content = exports.stats_xlsx(figures, name)
    else:
        content = exports.stats_pdf(figures, name)
    return _download(content, fmt, f"ppid-statistics-{figures['year']}")


def detail_url(item: InformationRequest) -> str:
    return reverse("ppid:request_detail", args=[item.pk])
