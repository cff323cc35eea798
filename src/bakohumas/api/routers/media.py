"""The media library: list, detail, multipart upload, PATCH of its texts, delete.

Writes go through :mod:`bakohumas.media.services` (type checked by content, size limits
per kind, images re-encoded without metadata), reads through
:mod:`bakohumas.media.selectors`. A huge upload is stopped while it streams in
(:class:`bakohumas.media.upload.LimitedUploadHandler`), so it never fills the disk: 413.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Status
from ninja.decorators import decorate_view
from ninja.files import UploadedFile
from ninja.pagination import paginate

from bakohumas.api.auth import acting_user, requires
from bakohumas.api.content_schemas import (
    MediaDetailOut,
    MediaFilter,
    MediaOut,
    MediaPatch,
    MediaUploadIn,
)
from bakohumas.api.errors import ApiConflict, ApiValidationError, error_body
from bakohumas.api.pagination import PagePagination
from bakohumas.api.routers import DETAIL_ERRORS, READ_ERRORS, WRITE_ERRORS
from bakohumas.api.schemas import DeleteOut, ErrorOut, Id
from bakohumas.core.models import WorkUnit
from bakohumas.core.scoping import get_scoped_or_404, user_unit
from bakohumas.media import selectors, services
from bakohumas.media.models import MediaAsset
from bakohumas.media.upload import LimitedUploadHandler, too_large

router = Router(tags=["Media library"])

VIEW = "media.view_mediaasset"
ADD = "media.add_mediaasset"
CHANGE = "media.change_mediaasset"
DELETE = "media.delete_mediaasset"


# --- helpers ------------------------------------------------------------------------------


def _get(request: HttpRequest, pk: int) -> MediaAsset:
    return get_scoped_or_404(selectors.asset_detail_queryset(), acting_user(request), pk=pk)


def _detail(request: HttpRequest, pk: int) -> Any:
    """The asset with the content items using it (those the user may see)."""
    asset = _get(request, pk)
    items, total = selectors.items_using(asset, acting_user(request))
    asset.used_by = [{"id": i.pk, "unit": i.unit, "title": i.title} for i in items]  # type: ignore[attr-defined]
    asset.use_count = total  # type: ignore[attr-defined]
    return asset


def _limited_upload(run: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Install the upload handler that stops a huge upload before the body is parsed, and
    answer 413 when it stopped one."""

    @wraps(run)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        request.upload_handlers = [LimitedUploadHandler(request), *request.upload_handlers]
        response = run(request, *args, **kwargs)
        stopped = too_large(request)
        if stopped is not None:
            return JsonResponse(error_body(services.too_large_message(stopped.kind)), status=413)
        return response

    return wrapper


# --- endpoints ----------------------------------------------------------------------------


@router.get(
    "/media",
    response={200: list[MediaOut], **READ_ERRORS},
    auth=requires(VIEW),
    summary="List media files",
)
@paginate(PagePagination)
def list_media(request: HttpRequest, filters: Query[MediaFilter]) -> Any:
    """Files of the media libraries in your scope, newest first."""
    assets = selectors.asset_list(
        acting_user(request),
        q=filters.q or "",
        kind=filters.kind or "",
        unit=filters.unit,
        missing_alt=bool(filters.missing_alt),
    )
    return assets


@router.get(
    "/media/{id}",
    response={200: MediaDetailOut, **DETAIL_ERRORS},
    auth=requires(VIEW),
    summary="Get a media file",
)
def get_media(request: HttpRequest, id: Id) -> Any:
    """The file with its renditions and the content items (in your scope) using it."""
    return _detail(request, id)


@router.post(
    "/media",
    response={201: MediaDetailOut, **WRITE_ERRORS, 413: ErrorOut},
    auth=requires(ADD),
    summary="Upload a media file",
)
@decorate_view(_limited_upload)
def upload_media(
    request: HttpRequest, file: File[UploadedFile], payload: Form[MediaUploadIn]
) -> Any:
    """Upload one file as ``multipart/form-data`` (field ``file``, plus ``unit``,
    ``title``, ``alt_text``, ``caption``, ``credit``). The type is read from the content,
    never from the name: images (JPEG, PNG, WebP, GIF; re-encoded without EXIF/GPS, with
    renditions), video (MP4, WebM), audio (MP3, M4A, OGG, WAV), PDF, slides (PPTX, ODP).
    SVG, executables, HTML and anything else: 422 on ``file`` naming the type found.
    A file over its kind's limit: 413 (a huge upload is stopped while it streams in)."""
    unknown = sorted(set(request.POST) - set(MediaUploadIn.model_fields))
    unknown += sorted(set(request.FILES) - {"file"})
    if unknown:
        raise ApiValidationError({name: [_("Unknown field.")] for name in unknown})
    user = acting_user(request)
    if payload.unit is None:
        unit = user_unit(user)
        if unit is None:
            raise ApiValidationError({"unit": [_("Choose a work unit within your scope.")]})
    else:
        found = WorkUnit.objects.for_user(user).filter(pk=payload.unit).first()
        if found is None:
            raise ApiValidationError({"unit": [_("Choose a work unit within your scope.")]})
        unit = found
    asset = services.ingest_upload(
        unit,
        file,
        user,
        title=payload.title,
        alt_text=payload.alt_text,
        caption=payload.caption,
        credit=payload.credit,
    )
    return Status(201, _detail(request, asset.pk))


@router.patch(
    "/media/{id}",
    response={200: MediaDetailOut, **WRITE_ERRORS},
    auth=requires(CHANGE),
    summary="Change a media file's texts",
)
def update_media(request: HttpRequest, id: Id, payload: MediaPatch) -> Any:
    """Change the title, alternative text, caption or credit (only the fields sent;
    ``null`` clears one). The approval of an item covers its media texts: an item
    approved with the old texts goes back to validation instead of being published."""
    asset = _get(request, id)
    services.update_asset(asset, acting_user(request), **payload.changes())
    return _detail(request, id)


@router.delete(
    "/media/{id}",
    response={200: DeleteOut, **WRITE_ERRORS},
    auth=requires(DELETE),
    summary="Delete a media file",
)
def delete_media(request: HttpRequest, id: Id) -> Any:
    """Delete the file and its renditions; 409 while a content item uses it."""
    from django.core.exceptions import ValidationError

    asset = _get(request, id)
    try:
        services.delete_asset(asset, acting_user(request))
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            raise
        raise ApiConflict(" ".join(exc.messages)) from exc
    return {"deleted": True, "detail": _("The file was deleted.")}
