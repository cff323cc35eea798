"""Workspace views of the core app: dashboard and health check."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from bakohumas.core.models import WorkerHeartbeat, WorkUnit
from bakohumas.core.scoping import scope_filter


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    from auditlog.models import LogEntry

    from bakohumas.stakeholders.models import Contact, Organisation

    units = (
        WorkUnit.objects.for_user(request.user)
        .annotate(n_staff=Count("staff", distinct=True))
        .order_by("code")
    )
    org_counts = dict(
        Organisation.objects.for_user(request.user)
        .values_list("unit_id")
        .annotate(n=Count("id"))
        .values_list("unit_id", "n")
    )
    contact_counts = dict(
        Contact.objects.for_user(request.user)
        .active()
        .values_list("unit_id")
        .annotate(n=Count("id"))
        .values_list("unit_id", "n")
    )
    unit_rows = [
        {
            "unit": unit,
            "staff": unit.n_staff,
            "organisations": org_counts.get(unit.pk, 0),
            "contacts": contact_counts.get(unit.pk, 0),
        }
        for unit in units[:60]
    ]
    recent = LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp")
    if not request.user.has_perm("core.view_auditlog"):
        recent = recent.filter(actor=request.user)
    return render(
        request,
        "core/dashboard.html",
        {
            "unit_rows": unit_rows,
            "totals": {
                "units": units.count(),
                "organisations": sum(org_counts.values()),
                "contacts": sum(contact_counts.values()),
            },
            "recent": recent[:10],
        },
    )


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Database and task-worker status: 200 when both are healthy, 503 otherwise."""
    result: dict[str, object] = {}
    healthy = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        result["database"] = {"status": "ok", "vendor": connection.vendor}
    except Exception as exc:  # any database failure makes the service unhealthy
        healthy = False
        result["database"] = {"status": "error", "error": exc.__class__.__name__}
    worker: dict[str, object] = {"status": "error", "last_heartbeat": None, "age_seconds": None}
    if result["database"]["status"] == "ok":  # type: ignore[index]
        beat = WorkerHeartbeat.objects.order_by("-last_seen").first()
        max_age = settings.WORKER_HEARTBEAT_MAX_AGE
        if beat is not None:
            age = (timezone.now() - beat.last_seen).total_seconds()
            worker = {
                "status": "ok" if age <= max_age else "stale",
                "last_heartbeat": beat.last_seen.isoformat(),
                "age_seconds": round(age, 1),
                "max_age_seconds": max_age,
                "workers_alive": WorkerHeartbeat.objects.filter(
                    last_seen__gte=timezone.now() - timedelta(seconds=max_age)
                ).count(),
            }
        else:
            worker["status"] = "missing"
    if worker["status"] != "ok":
        healthy = False
    result["worker"] = worker
    result["status"] = "ok" if healthy else "error"
    return JsonResponse(result, status=200 if healthy else 503)
