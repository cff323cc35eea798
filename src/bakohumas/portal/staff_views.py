"""Staff UI of the public agenda (``/app/agenda/``, namespace ``agenda``).

Thin: reads through ``AgendaEvent.objects.for_user`` (another unit's event is a 404),
writes through :mod:`bakohumas.portal.services` after the role check (403).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from bakohumas.core.forms import add_service_errors
from bakohumas.core.listing import paginate
from bakohumas.core.scoping import get_scoped_or_404, require_perm
from bakohumas.portal import services
from bakohumas.portal.forms import AgendaEventForm, AgendaFilterForm
from bakohumas.portal.models import AgendaEvent

FORM_FIELDS = services.EVENT_FIELDS


def _data(form: AgendaEventForm) -> dict[str, Any]:
    return {name: form.cleaned_data.get(name) for name in FORM_FIELDS}


@login_required
@require_GET
def event_list(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "portal.view_agendaevent")
    form = AgendaFilterForm(request.GET or None, user=request.user)
    events = AgendaEvent.objects.for_user(request.user).select_related("unit")
    now = timezone.now()
    when = form.value("when", "upcoming")
    if when == "upcoming":
        events = events.filter(Q(starts_at__gte=now) | Q(ends_at__gte=now)).order_by(
            "starts_at", "id"
        )
    elif when == "past":
        events = events.filter(starts_at__lt=now).filter(
            Q(ends_at__isnull=True) | Q(ends_at__lt=now)
        )
        events = events.order_by("-starts_at", "-id")
    else:
        events = events.order_by("-starts_at", "-id")
    if unit := form.value("unit", None):
        events = events.filter(unit=unit)
    if q := form.value("q").strip():
        for word in q.split()[:5]:
            events = events.filter(Q(title__icontains=word) | Q(location__icontains=word))
    page = paginate(request, events)
    return render(
        request,
        "portal/staff/event_list.html",
        {"filter_form": form, "page_obj": page, "events": page.object_list, "when": when},
    )


@login_required
@require_http_methods(["GET", "POST"])
def event_create(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "portal.add_agendaevent")
    form = AgendaEventForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.create_event(
                by=request.user, unit=form.cleaned_data["unit"], **_data(form)
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("Event “%(title)s” added to the agenda.") % {"title": event.title}
            )
            return redirect("agenda:event_list")
    return render(
        request,
        "portal/staff/event_form.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def event_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request.user, "portal.change_agendaevent")
    event = get_scoped_or_404(AgendaEvent.objects.select_related("unit"), request.user, pk=pk)
    original = AgendaEvent.objects.select_related("unit").get(pk=pk)
    form = AgendaEventForm(request.POST or None, instance=event, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.update_event(
                original, by=request.user, unit=form.cleaned_data["unit"], **_data(form)
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Event “%(title)s” saved.") % {"title": event.title})
            return redirect("agenda:event_list")
    return render(
        request,
        "portal/staff/event_form.html",
        {"form": form, "event": original},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def event_delete(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request.user, "portal.delete_agendaevent")
    event = get_scoped_or_404(AgendaEvent.objects.select_related("unit"), request.user, pk=pk)
    if request.method == "POST":
        title = event.title
        services.delete_event(event, by=request.user)
        messages.success(request, _("Event “%(title)s” deleted.") % {"title": title})
        return redirect("agenda:event_list")
    return render(
        request,
        "portal/staff/event_confirm_delete.html",
        {"event": event, "cancel_url": reverse("agenda:event_list")},
    )
