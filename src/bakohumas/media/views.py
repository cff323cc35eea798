"""Views of the media library (``/app/media-library/``).

Thin: reads through ``selectors`` (scoped: another unit's asset is a 404), writes through
``services`` after the role permission check (403).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from bakohumas.core.audit import history_entries
from bakohumas.core.forms import add_service_errors
from bakohumas.core.listing import paginate
from bakohumas.core.models import WorkUnit
from bakohumas.core.scoping import get_scoped_or_404, require_perm, user_unit
from bakohumas.media import limits, selectors, services
from bakohumas.media.forms import MediaEditForm, MediaFilterForm, MediaUploadForm, PickerFilterForm
from bakohumas.media.models import MediaAsset, MediaKind
from bakohumas.media.upload import LimitedUploadHandler, content_length, mark_too_large, too_large

VIEW_PERM = "media.view_mediaasset"
ADD_PERM = "media.add_mediaasset"
CHANGE_PERM = "media.change_mediaasset"
DELETE_PERM = "media.delete_mediaasset"
PICKER_PER_PAGE = 12
HISTORY_LIMIT = 30


def _asset(request: HttpRequest, pk: int) -> MediaAsset:
    return get_scoped_or_404(selectors.asset_detail_queryset(), request.user, pk=pk)


@login_required
@require_GET
def asset_list(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, VIEW_PERM)
    form = MediaFilterForm(request.GET or None, user=request.user)
    filters = form.filters() if request.GET else {}
    page = paginate(request, selectors.asset_list(request.user, **filters))
    return render(
        request,
        "media/asset_list.html",
        {
            "filter_form": form,
            "page_obj": page,
            "assets": page.object_list,
            "show_unit": "unit" in form.fields,
        },
    )


# --- upload -----------------------------------------------------------------------------


def _upload_page(
    request: HttpRequest, form: MediaUploadForm, status: int = 200, error: str = ""
) -> HttpResponse:
    return render(request, "media/asset_upload.html", {"form": form, "error": error}, status=status)


@csrf_exempt
@login_required
def asset_upload(request: HttpRequest) -> HttpResponseBase:
    """The upload form. The size-limiting upload handler must be installed before the body
    is read, so CSRF is checked afterwards in :func:`_asset_upload` (the pattern Django's
    documentation gives for changing upload handlers in a view)."""
    require_perm(request.user, ADD_PERM)
    if request.method == "POST":
        if content_length(request) > limits.max_request_size():
            # Refused without reading the body: nothing reaches the disk.
            mark_too_large(request)
            message = services.too_large_message(None) + " " + _("Nothing was saved.")
            return _upload_page(request, MediaUploadForm(user=request.user), 413, message)
        request.upload_handlers = [LimitedUploadHandler(request), *request.upload_handlers]
    return _asset_upload(request)


@csrf_protect
def _asset_upload(request: HttpRequest) -> HttpResponseBase:
    if request.method == "GET":
        return _upload_page(request, MediaUploadForm(user=request.user))
    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "GET, POST"})
    files = request.FILES  # parses the body through the upload handlers
    stopped = too_large(request)
    if stopped is not None:
        # The handler halted the upload: refuse it all, even files that arrived whole.
        form = MediaUploadForm(request.POST, user=request.user)
        message = services.too_large_message(stopped.kind)
        if stopped.file_name:
            message = f"{services.clean_original_name(stopped.file_name)}: {message}"
        form.is_valid()
        form.errors.pop("upload", None)
        form.add_error("upload", message + " " + _("Nothing was saved."))
        return _upload_page(request, form, status=413)
    form = MediaUploadForm(request.POST, files, user=request.user)
    if not form.is_valid():
        return _upload_page(request, form, status=400)
    data = form.cleaned_data
    created: list[MediaAsset] = []
    failed = False
    for upload in data["upload"]:
        try:
            asset = services.ingest_upload(
                data["unit"],
                upload,
                request.user,
                title=data["title"],
                alt_text=data["alt_text"],
                caption=data["caption"],
                credit=data["credit"],
            )
        except ValidationError as exc:
            failed = True
            name = services.clean_original_name(upload.name) or _("file")
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    target: str | None = "upload" if field == "file" else field
                    if target not in form.fields:
                        target = None
                    for error in errors:
                        form.add_error(target, f"{name}: {error}" if target == "upload" else error)
            else:
                for error in exc.messages:
                    form.add_error("upload", f"{name}: {error}")
        else:
            created.append(asset)
    if created:
        messages.success(
            request,
            ngettext(
                "%(count)d file was added to the media library.",
                "%(count)d files were added to the media library.",
                len(created),
            )
            % {"count": len(created)},
        )
    if failed:
        return _upload_page(request, form, status=400)
    if len(created) == 1:
        return redirect("media:detail", pk=created[0].pk)
    return redirect("media:list")


# --- detail, edit, delete ---------------------------------------------------------------


def _item_url(item: Any) -> str:
    try:
        return reverse("content:detail", args=[item.pk])
    except NoReverseMatch:
        return ""


def _detail_page(
    request: HttpRequest, asset: MediaAsset, form: MediaEditForm | None, status: int = 200
) -> HttpResponse:
    items, total_uses = selectors.items_using(asset, request.user)
    renditions = list(asset.renditions.all())
    return render(
        request,
        "media/asset_detail.html",
        {
            "asset": asset,
            "form": form,
            "renditions": renditions,
            "items": [(item, _item_url(item)) for item in items],
            "total_uses": total_uses,
            "hidden_uses": total_uses - len(items),
            "history": history_entries(asset, asset.unit.zone, HISTORY_LIMIT),
            "can_delete": request.user.has_perm(DELETE_PERM),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def asset_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The asset with its renditions and uses; its texts are edited here too (POST)."""
    if request.method == "POST":
        require_perm(request.user, CHANGE_PERM)
    else:
        require_perm(request.user, VIEW_PERM)
    asset = _asset(request, pk)
    form: MediaEditForm | None = None
    if request.user.has_perm(CHANGE_PERM):
        form = MediaEditForm(request.POST or None, instance=MediaAsset(**_texts(asset)))
    if request.method == "POST" and form is not None:
        if form.is_valid():
            try:
                services.update_asset(
                    asset,
                    request.user,
                    **{f: form.cleaned_data[f] for f in services.EDITABLE_FIELDS},
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The media file was saved."))
                return redirect("media:detail", pk=asset.pk)
        return _detail_page(request, _asset(request, pk), form, status=400)
    return _detail_page(request, asset, form)


def _texts(asset: MediaAsset) -> dict[str, Any]:
    """A detached copy of the editable texts (the form must not touch the fetched asset)."""
    return {name: getattr(asset, name) for name in services.EDITABLE_FIELDS} | {"kind": asset.kind}


@login_required
@require_http_methods(["GET", "POST"])
def asset_delete(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request.user, DELETE_PERM)
    asset = _asset(request, pk)
    error = ""
    if request.method == "POST":
        name = str(asset)
        try:
            services.delete_asset(asset, request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("“%(name)s” was deleted.") % {"name": name})
            return redirect("media:list")
    items, total_uses = selectors.items_using(asset, request.user)
    return render(
        request,
        "media/asset_confirm_delete.html",
        {
            "asset": asset,
            "error": error,
            "items": [(item, _item_url(item)) for item in items],
            "total_uses": total_uses,
        },
        status=400 if error else 200,
    )


# --- picker (htmx fragment for the content editor) --------------------------------------


@login_required
@require_GET
def picker(request: HttpRequest) -> HttpResponse:
    """A small grid of one unit's assets, each a button with ``data-asset-id``.

    ``?unit=<id>`` (default: the user's own unit; outside the user's scope: 404),
    ``?q=`` search, ``?kind=`` one kind, ``?page=``.
    """
    require_perm(request.user, VIEW_PERM)
    form = PickerFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    unit_id = data.get("unit")
    unit: WorkUnit | None
    if unit_id:
        unit = get_scoped_or_404(WorkUnit.objects.all(), request.user, pk=unit_id)
    else:
        unit = user_unit(request.user)
        if unit is None:
            raise Http404
    kind = data.get("kind") or ""
    queryset = selectors.asset_list(request.user, q=data.get("q") or "", kind=kind, unit=unit)
    page = Paginator(queryset, PICKER_PER_PAGE).get_page(data.get("page") or 1)
    return render(
        request,
        "media/_picker.html",
        {
            "unit": unit,
            "page_obj": page,
            "assets": page.object_list,
            "q": data.get("q") or "",
            "kind": kind,
            "kinds": MediaKind.choices,
        },
    )
