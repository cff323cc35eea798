"""Workspace views of the core app: dashboard and health check.

The other core pages live beside this module: ``unit_views``, ``staff_views``,
``audit_views``, ``mailbox_views`` and ``invite_views``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from bakohumas.core.audit import entries_for_user
from bakohumas.core.listing import paginate
from bakohumas.core.models import StaffProfile, WorkerHeartbeat, WorkUnit
from bakohumas.core.scoping import get_profile


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Counts per work unit in the user's scope, recent activity and the user's own unit."""
    from bakohumas.stakeholders.models import CommunicationGroup, Contact, Organisation

    user = request.user
    units = (
        WorkUnit.objects.for_user(user)
        .annotate(n_staff=Count("staff", filter=Q(staff__user__is_active=True)))
        .order_by("code")
    )
    page = paginate(request, units)
    page_ids = [unit.pk for unit in page.object_list]

    def counts(queryset: Any) -> dict[int, int]:
        return dict(
            queryset.filter(unit_id__in=page_ids)
            .order_by()
            .values_list("unit_id")
            .annotate(n=Count("id"))
            .values_list("unit_id", "n")
        )

    organisations = Organisation.objects.for_user(user)
    contacts = Contact.objects.for_user(user).active()
    groups = CommunicationGroup.objects.for_user(user)
    org_counts = counts(organisations)
    contact_counts = counts(contacts)
    group_counts = counts(groups)
    unit_rows = [
        {
            "unit": unit,
            "staff": unit.n_staff,  # type: ignore[attr-defined]
            "organisations": org_counts.get(unit.pk, 0),
            "contacts": contact_counts.get(unit.pk, 0),
            "groups": group_counts.get(unit.pk, 0),
        }
        for unit in page.object_list
    ]
    own = get_profile(user)
    own_unit: dict[str, Any] | None = None
    on_page = [row for row in unit_rows if own is not None and row["unit"].pk == own.unit_id]
    if own is not None and on_page:
        own_unit = {**on_page[0], "local_now": own.unit.localtime()}
    elif own is not None:
        own_unit = {
            "unit": own.unit,
            "staff": StaffProfile.objects.filter(unit_id=own.unit_id, user__is_active=True).count(),
            "organisations": Organisation.objects.filter(unit_id=own.unit_id).count(),
            "contacts": Contact.objects.filter(unit_id=own.unit_id).active().count(),
            "groups": CommunicationGroup.objects.filter(unit_id=own.unit_id).count(),
            "local_now": own.unit.localtime(),
        }
    recent = list(entries_for_user(user).order_by("-timestamp", "-pk")[:10])
    content = _content_panel(user, own)
    return render(
        request,
        "core/dashboard.html",
        {
            "unit_rows": unit_rows,
            "page_obj": page,
            "own_unit": own_unit,
            "totals": {
                "units": page.paginator.count,
                "staff": StaffProfile.objects.for_user(user).filter(user__is_active=True).count(),
                "organisations": organisations.count(),
                "contacts": contacts.count(),
                "groups": groups.count(),
            },
            "recent": recent,
            "content": content,
        },
    )


def _content_panel(user: Any, own: Any) -> dict[str, Any] | None:
    """What waits for the user's validation, what is due this week, and production
    against the unit's targets."""
    if not user.has_perm("content.view_contentitem"):
        return None
    from bakohumas.content import services as content_services

    waiting = content_services.awaiting_validation(user)
    due = content_services.due_soon(user)
    mine_returned = (
        content_services.ContentItem.objects.for_user(user)
        .filter(status="returned", authors=user)
        .select_related("unit")
        .order_by("-updated_at")
    )
    from bakohumas.content.calendar import target_progress

    progress: list[Any] = []
    if own is not None:
        progress = list(target_progress([own.unit], timezone.localdate()))
    return {
        "waiting": list(waiting[:5]),
        "waiting_count": waiting.count(),
        "due": list(due[:8]),
        "returned": list(mine_returned[:5]),
        "progress": progress,
    }


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


# Media folders that hold personal data: served only by the scoped views of the inbox
# and the PPID, never as plain files (the production proxy denies them too).
PRIVATE_MEDIA_PREFIXES = ("inbox/", "ppid/")


def serve_public_media(request: HttpRequest, path: str) -> HttpResponseBase:
    """``/media/…`` in development (``DEBUG``), without the private folders."""
    import posixpath

    from django.views.static import serve

    if posixpath.normpath("/" + path).lstrip("/").startswith(PRIVATE_MEDIA_PREFIXES):
        raise Http404
    return serve(request, path, document_root=str(settings.MEDIA_ROOT))
