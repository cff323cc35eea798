"""Workspace views of the spreadsheet import: list, upload, preview, progress, confirm."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from bakohumas.core.audit import history_for
from bakohumas.core.scoping import get_scoped_or_404, require_perm
from bakohumas.imports import exports, services
from bakohumas.imports.columns import column_map
from bakohumas.imports.forms import ImportUploadForm, SizeLimitUploadHandler
from bakohumas.imports.models import (
    ImportJob,
    ImportKind,
    ImportRow,
    ImportStatus,
    RowAction,
    RowOutcome,
)

DEFAULT_PER_PAGE = 25
MAX_PER_PAGE = 100
VIEW_PERM = "imports.view_importjob"
ADD_PERM = "imports.add_importjob"

#: Row filters of the preview: key → (label, condition).
ROW_FILTERS: dict[str, tuple[Any, Q]] = {
    "all": (translation.gettext_lazy("All rows"), Q()),
    "errors": (
        translation.gettext_lazy("Errors"),
        Q(action=RowAction.ERROR) | Q(outcome=RowOutcome.FAILED),
    ),
    "create": (translation.gettext_lazy("To create"), Q(action=RowAction.CREATE)),
    "update": (translation.gettext_lazy("To update"), Q(action=RowAction.UPDATE)),
    "skip": (translation.gettext_lazy("To skip"), Q(action=RowAction.SKIP)),
}

#: Columns shown in the preview table per kind (besides line, action and messages).
PREVIEW_COLUMNS = {
    ImportKind.ORGANISATIONS: ("name", "category", "city", "phone", "email", "tags"),
    ImportKind.CONTACTS: ("name", "organisation", "position", "phone", "whatsapp", "email", "tags"),
}


def _per_page(request: HttpRequest) -> int:
    try:
        value = int(request.GET.get("per_page", DEFAULT_PER_PAGE))
    except (TypeError, ValueError):
        return DEFAULT_PER_PAGE
    return max(1, min(MAX_PER_PAGE, value))


def _page(request: HttpRequest, queryset: Any) -> Any:
    paginator = Paginator(queryset, _per_page(request))
    return paginator.get_page(request.GET.get("page"))


def _job(request: HttpRequest, pk: int) -> ImportJob:
    return get_scoped_or_404(
        ImportJob.objects.select_related("unit", "created_by", "confirmed_by"),
        request.user,
        pk=pk,
    )


@login_required
@require_GET
def job_list(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, VIEW_PERM)
    jobs = ImportJob.objects.for_user(request.user).select_related("unit", "created_by")
    status = request.GET.get("status", "")
    kind = request.GET.get("kind", "")
    if status in ImportStatus.values:
        jobs = jobs.filter(status=status)
    else:
        status = ""
    if kind in ImportKind.values:
        jobs = jobs.filter(kind=kind)
    else:
        kind = ""
    return render(
        request,
        "imports/job_list.html",
        {
            "page_obj": _page(request, jobs.order_by("-created_at", "-id")),
            "statuses": ImportStatus.choices,
            "kinds": ImportKind.choices,
            "status": status,
            "kind": kind,
            "can_add": request.user.has_perm(ADD_PERM),
        },
    )


@login_required
@csrf_exempt
def job_create(request: HttpRequest) -> HttpResponseBase:
    """Upload form. The CSRF check runs in :func:`_job_create`, after the size-limiting
    upload handler is installed (it must be before the body is read)."""
    require_perm(request.user, ADD_PERM)
    if request.method == "POST":
        request.upload_handlers = [SizeLimitUploadHandler(request), *request.upload_handlers]
    return _job_create(request)


@csrf_protect
def _job_create(request: HttpRequest) -> HttpResponseBase:
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES, user=request.user, request=request)
        if form.is_valid():
            try:
                job = services.create_job(
                    by=request.user,
                    unit=form.cleaned_data["unit"],
                    kind=form.cleaned_data["kind"],
                    upload=form.cleaned_data["file"],
                    policy=form.cleaned_data["duplicate_policy"],
                    language=translation.get_language() or "",
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                services.start_validation(job)
                messages.info(request, _("The file was uploaded and is being checked."))
                return redirect("imports:job_detail", pk=job.pk)
    elif request.method == "GET":
        initial = {}
        if request.GET.get("kind") in ImportKind.values:
            initial["kind"] = request.GET["kind"]
        form = ImportUploadForm(user=request.user, initial=initial)
    else:
        return HttpResponse(status=405, headers={"Allow": "GET, POST"})
    return render(
        request,
        "imports/job_form.html",
        {
            "form": form,
            "kinds": ImportKind.choices,
        },
    )


def _row_cells(row: ImportRow, keys: tuple[str, ...], labels: dict[str, str]) -> list[str]:
    raw = row.data.get("_raw") if isinstance(row.data.get("_raw"), dict) else None
    cells = []
    for key in keys:
        value = raw.get(key, "") if raw is not None else row.data.get(key, "")
        if key == "category" and raw is None and value:
            value = labels.get(str(value), value)
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        cells.append(str(value or ""))
    return cells


def _record_url(name: str, pk: int | None) -> str:
    if not pk:
        return ""
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return ""


@login_required
@require_GET
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request.user, VIEW_PERM)
    job = _job(request, pk)
    show = request.GET.get("show", "all")
    if show not in ROW_FILTERS:
        show = "all"
    rows = ImportRow.objects.filter(job=job).filter(ROW_FILTERS[show][1]).order_by("line_number")
    page_obj = _page(request, rows)
    from bakohumas.stakeholders.models import Category

    keys = PREVIEW_COLUMNS[ImportKind(job.kind)]
    columns = column_map(job.kind)
    categories = {str(k): str(v) for k, v in Category.choices}
    detail_name = (
        "stakeholders:contact_detail"
        if job.kind == ImportKind.CONTACTS
        else "stakeholders:organisation_detail"
    )
    table = [
        {
            "row": row,
            "cells": _row_cells(row, keys, categories),
            "record_url": _record_url(detail_name, row.result_id or row.existing_id),
        }
        for row in page_obj.object_list
    ]
    return render(
        request,
        "imports/job_detail.html",
        {
            "job": job,
            "page_obj": page_obj,
            "table": table,
            "headers": [columns[k].label for k in keys],
            "filters": [(key, label) for key, (label, _q) in ROW_FILTERS.items()],
            "show": show,
            "can_write": request.user.has_perm(ADD_PERM),
            "history": history_for(job),
            "unit_time": job.unit.localtime(job.created_at),
            "finished_time": job.unit.localtime(job.finished_at) if job.finished_at else None,
        },
    )


@login_required
@require_GET
@never_cache
def job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress of a job: an HTML fragment for htmx polling (it stops polling and
    reloads the page once the job has finished its phase), JSON otherwise."""
    require_perm(request.user, VIEW_PERM)
    job = _job(request, pk)
    if not getattr(request, "htmx", False):
        return JsonResponse(
            {
                "id": job.pk,
                "status": job.status,
                "status_display": job.get_status_display(),
                "running": job.is_running,
                "percent": job.progress_percent,
                "processed_rows": job.processed_rows,
                "total_rows": job.total_rows,
                "valid_rows": job.valid_rows,
                "error_rows": job.error_rows,
                "created_rows": job.created_rows,
                "updated_rows": job.updated_rows,
                "skipped_rows": job.skipped_rows,
                "failed_rows": job.failed_rows,
                "message": job.message,
            }
        )
    response = render(request, "imports/_progress.html", {"job": job})
    if not job.is_running:
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def job_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request.user, ADD_PERM)
    job = _job(request, pk)
    if services.confirm_job(job, by=request.user):
        messages.success(request, _("The import has started."))
    else:
        job.refresh_from_db()
        if job.status == ImportStatus.IMPORTING:
            messages.info(request, _("This file is already being imported."))
        elif job.status == ImportStatus.DONE:
            messages.info(request, _("This file has already been imported."))
        else:
            messages.error(request, _("This import cannot be started now."))
    return redirect("imports:job_detail", pk=job.pk)


@login_required
@require_POST
def job_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request.user, ADD_PERM)
    job = _job(request, pk)
    if services.cancel_job(job, by=request.user):
        messages.success(request, _("The import was cancelled. Nothing was written."))
    else:
        messages.error(request, _("This import can no longer be cancelled."))
    return redirect("imports:job_detail", pk=job.pk)


@login_required
@require_GET
def job_errors_csv(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    require_perm(request.user, VIEW_PERM)
    job = _job(request, pk)
    base = slugify(job.original_name.rsplit(".", 1)[0]) or "import"
    response = StreamingHttpResponse(
        exports.errors_csv(job), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{base}-errors-{job.pk}.csv"'
    return response


TEMPLATE_NAMES = {
    ImportKind.ORGANISATIONS: "template-organisasi",
    ImportKind.CONTACTS: "template-kontak",
}


@login_required
@require_GET
def template_download(request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
    require_perm(request.user, VIEW_PERM)
    if kind not in ImportKind.values or fmt not in ("csv", "xlsx"):
        raise Http404
    filename = f"{TEMPLATE_NAMES[ImportKind(kind)]}.{fmt}"
    if fmt == "csv":
        response = HttpResponse(exports.template_csv(kind), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            exports.template_xlsx(kind),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
