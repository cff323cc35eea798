"""The audit-log search page (administrators; scoped to the units they oversee)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from bakohumas.core.audit import entries_for_user, prepare_changes
from bakohumas.core.forms import AuditFilterForm
from bakohumas.core.listing import paginate
from bakohumas.core.scoping import require_perm, user_unit


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "core.view_auditlog")
    form = AuditFilterForm(request.GET or None)
    entries = entries_for_user(request.user)
    unit = user_unit(request.user)
    zone = unit.zone if unit else timezone.get_current_timezone()
    if form.is_bound:
        form.is_valid()
        data = form.cleaned_data
        if q := (data.get("q") or "").strip():
            entries = entries.filter(Q(object_repr__icontains=q) | Q(changes_text__icontains=q))
        if actor_id := data.get("actor_id"):
            entries = entries.filter(actor_id=actor_id)
        if actor := (data.get("actor") or "").strip():
            for term in actor.split()[:3]:
                entries = entries.filter(
                    Q(actor__username__icontains=term)
                    | Q(actor__first_name__icontains=term)
                    | Q(actor__last_name__icontains=term)
                )
        if model := data.get("model"):
            entries = entries.filter(content_type_id=model)
        if (action := data.get("action")) is not None:
            entries = entries.filter(action=action)
        if start := data.get("date_from"):
            entries = entries.filter(timestamp__gte=datetime.combine(start, time.min, zone))
        if end := data.get("date_to"):
            entries = entries.filter(
                timestamp__lt=datetime.combine(end + timedelta(days=1), time.min, zone)
            )
    page = paginate(request, entries.order_by("-timestamp", "-pk"))
    prepare_changes(list(page.object_list), zone)
    return render(
        request,
        "core/audit_log.html",
        {"form": form, "page_obj": page, "entries": page.object_list, "zone_unit": unit},
    )
