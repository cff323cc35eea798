"""The content calendar (``/app/calendar/``): month and week views and rescheduling.

Thin: reads go through ``content.calendar`` (scoped selectors), the move through
``services.reschedule`` (the one rule for quiet periods). Another unit's item or unit is a
404 (``get_scoped_or_404``); a missing role a 403.

The move endpoint answers the drag and drop of ``static/bakohumas/calendar.js`` (an htmx
request) with: 200 and ``HX-Refresh`` when moved; 409 and a small form asking for the
reason when the new time falls in a quiet period; 400 and the message on bad input. A plain
form post (the no-JavaScript page) gets a redirect back to the calendar or the page again
with its errors (400).
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from bakohumas.content import calendar, services
from bakohumas.content.models import ContentItem
from bakohumas.content.planning_forms import CalendarFilterForm, MoveForm
from bakohumas.core.models import Level, WorkUnit
from bakohumas.core.scoping import get_scoped_or_404, require_perm, user_unit, visible_unit_ids

FILTER_KEYS = ("view", "unit", "scope", "form", "channel", "status")


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def calendar_url(params: dict[str, Any]) -> str:
    query = {k: v for k, v in params.items() if v not in (None, "")}
    base = reverse("calendar:index")
    return f"{base}?{urlencode(query)}" if query else base


@login_required
@require_GET
def calendar_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_perm(user, "content.view_contentitem")
    filter_form = CalendarFilterForm(request.GET)
    unit: WorkUnit | None = None
    raw_unit = request.GET.get("unit", "").strip()
    if raw_unit:
        unit = get_scoped_or_404(WorkUnit.objects.all(), user, pk=raw_unit)
    scope = calendar.resolve_scope(user, unit, filter_form.value("scope", None))
    view = filter_form.value("view", calendar.MONTH)
    anchor: date = filter_form.value("date", None) or calendar.local_today(scope.unit)
    page = calendar.build_calendar(
        user,
        scope,
        view,
        anchor,
        form=filter_form.value("form"),
        channel=filter_form.value("channel"),
        status=filter_form.value("status"),
    )
    params = {key: request.GET.get(key, "") for key in FILTER_KEYS}
    params["unit"] = raw_unit
    params["view"] = page.view

    def link(**changes: Any) -> str:
        return calendar_url({**params, **{k: str(v) for k, v in changes.items()}})

    visible = visible_unit_ids(user)
    several_units = visible is None or len(visible) > 1
    own = user_unit(user)
    progress = calendar.target_progress(scope.units)
    context = {
        "filter_form": filter_form,
        "page": page,
        "scope": scope,
        "unit_choices": list(calendar.calendar_units(user)) if several_units else [],
        "selected_unit_id": unit.pk if unit else (own.pk if own else None),
        "show_scope": scope.can_widen and several_units,
        "province_scope": scope.scope == calendar.SCOPE_PROVINCE,
        "show_unit_code": len(scope.units) > 1,
        "weekday_names": [date_format(d.date, "l") for d in page.weeks[0]],
        "prev_url": link(date=page.previous.isoformat()),
        "next_url": link(date=page.next.isoformat()),
        "today_url": link(date=page.today.isoformat()),
        "month_url": link(view=calendar.MONTH, date=page.anchor.isoformat()),
        "week_url": link(view=calendar.WEEK, date=page.anchor.isoformat()),
        "rows": [
            {
                "days": week,
                "number": week[0].date.isocalendar()[1],
                "url": link(view=calendar.WEEK, date=week[0].date.isoformat()),
            }
            for week in page.weeks
        ],
        "current_url": request.get_full_path(),
        "progress": progress,
        "progress_behind": sum(1 for p in progress if not p.met),
        "national": own is not None and own.level == Level.NATIONAL,
    }
    return render(request, "content/calendar/calendar.html", context)


def _safe_next(request: HttpRequest, value: str | None) -> str | None:
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return None


def _error_messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [str(m) for messages_ in exc.message_dict.values() for m in messages_]
    return [str(m) for m in exc.messages]


def _needs_reason(exc: ValidationError, reason: str) -> list[str] | None:
    """The quiet-period warnings when the service asks for a reason, else ``None``."""
    if hasattr(exc, "error_dict") and "schedule_reason" in exc.error_dict and not reason:
        return [str(m) for m in exc.message_dict["schedule_reason"]]
    return None


@login_required
@require_http_methods(["GET", "POST"])
def move(request: HttpRequest, item_id: int) -> HttpResponse:
    """Move an item to another day (drag and drop), or the fallback page with its form."""
    user = request.user
    require_perm(user, "content.change_contentitem")
    item = get_scoped_or_404(ContentItem.objects.select_related("unit"), user, pk=item_id)
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    zone_label = item.unit.zone_abbreviation
    if request.method == "GET":
        if not services.can_edit(user, item):
            raise PermissionDenied(_("Only the item's authors or an editor can move it."))
        initial: dict[str, Any] = {}
        if item.publish_at:
            local = item.unit.localtime(item.publish_at)
            initial = {"date": local.date(), "time": local.time().replace(second=0)}
        form = MoveForm(initial=initial)
        return render(
            request,
            "content/calendar/move.html",
            {"item": item, "form": form, "next": next_url, "zone_label": zone_label},
        )

    form = MoveForm(request.POST)
    htmx = _is_htmx(request)
    if not form.is_valid():
        errors = [str(e) for errs in form.errors.values() for e in errs]
        return _move_failed(request, item, form, errors, next_url, htmx)
    data = form.cleaned_data
    reason = (data.get("reason") or "").strip()
    when = calendar.new_publish_at(item, data["date"], data.get("time"))
    try:
        item = services.reschedule(item, by=user, publish_at=when, reason=reason)
    except ValidationError as exc:
        warnings = _needs_reason(exc, reason)
        if warnings is not None:
            return _reason_needed(request, item, form, warnings, next_url, htmx)
        for field, errs in (exc.message_dict if hasattr(exc, "error_dict") else {}).items():
            form.add_error(field if field in form.fields else None, errs)
        if not hasattr(exc, "error_dict"):
            form.add_error(None, exc.messages)
        return _move_failed(request, item, form, _error_messages(exc), next_url, htmx)
    local = item.unit.localtime(item.publish_at)
    messages.success(
        request,
        _("“%(title)s” moved to %(when)s %(zone)s.")
        % {
            "title": item.title,
            "when": date_format(local, "DATETIME_FORMAT"),
            "zone": zone_label,
        },
    )
    if htmx:
        response = render(request, "content/calendar/_moved.html", {"item": item})
        response["HX-Refresh"] = "true"
        return response
    return redirect(
        next_url or calendar_url({"unit": item.unit_id, "date": local.date().isoformat()})
    )


def _move_failed(
    request: HttpRequest,
    item: ContentItem,
    form: MoveForm,
    errors: list[str],
    next_url: str | None,
    htmx: bool,
) -> HttpResponse:
    if htmx:
        return render(
            request,
            "content/calendar/_move_error.html",
            {"item": item, "errors": errors},
            status=400,
        )
    return render(
        request,
        "content/calendar/move.html",
        {
            "item": item,
            "form": form,
            "next": next_url,
            "zone_label": item.unit.zone_abbreviation,
            "failed": True,
        },
        status=400,
    )


def _reason_needed(
    request: HttpRequest,
    item: ContentItem,
    form: MoveForm,
    warnings: list[str],
    next_url: str | None,
    htmx: bool,
) -> HttpResponse:
    context = {
        "item": item,
        "form": form,
        "warnings": warnings,
        "next": next_url,
        "zone_label": item.unit.zone_abbreviation,
        "reason_needed": True,
        "new_date": form.cleaned_data["date"],
        "new_time": form.cleaned_data.get("time"),
    }
    if htmx:
        return render(request, "content/calendar/_reason_dialog.html", context, status=409)
    form.add_error("reason", warnings[-1] if warnings else _("Give a reason."))
    return render(request, "content/calendar/move.html", context, status=400)
