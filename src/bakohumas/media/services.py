"""Writes of the media library: ingest an upload, edit its texts, delete it.

Every rule lives here so the staff UI and the API obey the same ones:

* the type is read from the content (:mod:`bakohumas.media.detection`), never from the
  file name or the client's content type; refused types get a message naming them;
* each kind has its own size limit (:mod:`bakohumas.media.limits`);
* images are re-encoded without metadata and get renditions (:mod:`bakohumas.media.imaging`);
* the stored name is a random uuid plus the extension of the detected type;
* all or nothing: on any error no row and no file remain.

Files go through the configured default storage (local disk or S3-compatible), so no
code here assumes a local path.
"""

from __future__ import annotations

import hashlib
import logging
import unicodedata
import uuid
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import transaction
from django.db.models import ProtectedError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bakohumas.core.models import WorkUnit
from bakohumas.core.scoping import can_see_unit
from bakohumas.media import detection, imaging, limits
from bakohumas.media.models import MediaAsset, MediaKind, MediaRendition
from bakohumas.media.signals import asset_updated

logger = logging.getLogger(__name__)

#: Fields a user may edit after the upload.
EDITABLE_FIELDS = ("title", "alt_text", "caption", "credit")


def _require(user: Any, perm: str) -> None:
    if user is None or not user.has_perm(perm):
        raise PermissionDenied(_("You do not have permission to do this."))


def _require_visible(user: Any, unit_id: int | None) -> None:
    if not can_see_unit(user, unit_id):
        raise PermissionDenied(_("This record is outside your work units."))


def clean_original_name(name: str | None) -> str:
    """The client's file name without any path, control or bidi-override characters.

    Kept for display only; it is never used to store or to type the file.
    """
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    return base.strip()[:255]


def too_large_message(kind: str | None, size: int | None = None) -> str:
    """“The file is larger than the N MB limit for images.” (largest limit when unknown)."""
    if kind is None:
        return _("The file is larger than %(limit)s, the largest upload accepted.") % {
            "limit": filesizeformat(limits.largest_size())
        }
    messages = {
        MediaKind.IMAGE: _("Images may be at most %(limit)s."),
        MediaKind.VIDEO: _("Videos may be at most %(limit)s."),
        MediaKind.AUDIO: _("Audio files may be at most %(limit)s."),
        MediaKind.PDF: _("PDF documents may be at most %(limit)s."),
        MediaKind.SLIDES: _("Presentations may be at most %(limit)s."),
    }
    text = messages[MediaKind(kind)] % {"limit": filesizeformat(limits.max_size(kind))}
    if size is not None:
        text = _("This file is %(size)s.") % {"size": filesizeformat(size)} + " " + text
    return str(text)


def _sha256_of_chunks(uploaded: Any) -> str:
    digest = hashlib.sha256()
    uploaded.seek(0)
    chunks = (
        uploaded.chunks()
        if hasattr(uploaded, "chunks")
        else iter(lambda: uploaded.read(65536), b"")
    )
    for chunk in chunks:
        digest.update(chunk)
    uploaded.seek(0)
    return digest.hexdigest()


def _delete_files(storage: Storage, names: Iterable[str]) -> None:
    for name in names:
        if not name:
            continue
        try:
            storage.delete(name)
        except Exception:  # pragma: no cover - best effort; logged for the operator
            logger.exception("Could not delete media file %s", name)


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def ingest_upload(
    unit: WorkUnit,
    uploaded_file: Any,
    by: Any,
    *,
    title: str = "",
    alt_text: str = "",
    caption: str = "",
    credit: str = "",
) -> MediaAsset:
    """Check, process and store one uploaded file as a media asset of ``unit``.

    Needs ``media.add_mediaasset`` and ``unit`` in the user's scope. Raises
    ``ValidationError`` (field ``file`` or the text fields) with a clear message for an
    empty, oversized, refused or damaged file; nothing is written then.

    Files are removed again if the database transaction fails inside this call; a caller
    that wraps this in its own larger transaction and rolls that back leaves the files
    orphaned (the views call it outside any transaction).
    """
    _require(by, "media.add_mediaasset")
    _require_visible(by, unit.pk)
    if not unit.is_active:
        raise ValidationError({"unit": [_("This work unit is inactive.")]})
    asset = MediaAsset(
        unit=unit,
        title=_text(title),
        alt_text=_text(alt_text),
        caption=_text(caption),
        credit=_text(credit),
        uploaded_by=by if getattr(by, "pk", None) else None,
        original_name=clean_original_name(getattr(uploaded_file, "name", "")),
    )
    try:
        asset.full_clean(
            exclude=["unit", "kind", "file", "mime_type", "sha256", "uploaded_by"],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from exc

    size = int(getattr(uploaded_file, "size", 0) or 0)
    if size <= 0:
        raise ValidationError({"file": [_("The file is empty.")]}, code="empty")
    if size > limits.largest_size():
        raise ValidationError({"file": [too_large_message(None)]}, code="too_large")
    try:
        detected = detection.detect(uploaded_file)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from exc
    if size > limits.max_size(detected.kind):
        raise ValidationError({"file": [too_large_message(detected.kind, size)]})

    renditions: list[tuple[str, imaging.Encoded]] = []
    content: Any
    if detected.kind == MediaKind.IMAGE:
        try:
            processed = imaging.process_image(uploaded_file, detected)
        except ValidationError as exc:
            raise ValidationError({"file": exc.messages}) from exc
        main = processed.main
        content = ContentFile(main.data)
        asset.sha256 = hashlib.sha256(main.data).hexdigest()
        asset.size = len(main.data)
        asset.mime_type = main.mime
        asset.width, asset.height = main.width, main.height
        extension = main.extension
        renditions = processed.renditions
    else:
        content = uploaded_file
        asset.sha256 = _sha256_of_chunks(uploaded_file)
        asset.size = size
        asset.mime_type = detected.mime
        extension = detected.extension
    asset.kind = detected.kind

    stem = uuid.uuid4().hex
    storage = asset.file.storage
    written: list[str] = []
    try:
        with transaction.atomic():
            asset.file.save(f"{stem}.{extension}", content, save=False)
            written.append(asset.file.name or "")
            asset.save()
            for name, encoded in renditions:
                path = storage.save(
                    f"media/{unit.pk}/{stem}-{name}.{encoded.extension}",
                    ContentFile(encoded.data),
                )
                written.append(path)
                MediaRendition.objects.create(
                    asset=asset,
                    name=name,
                    file=path,
                    width=encoded.width,
                    height=encoded.height,
                    mime_type=encoded.mime,
                    size=len(encoded.data),
                )
    except BaseException:
        _delete_files(storage, written)
        raise
    return asset


@transaction.atomic
def update_asset(asset: MediaAsset, by: Any, **fields: Any) -> MediaAsset:
    """Change the title, alternative text, caption or credit of ``asset``.

    Needs ``media.change_mediaasset`` and the asset's unit in scope. Sends
    :data:`bakohumas.media.signals.asset_updated` when something changed.
    """
    _require(by, "media.change_mediaasset")
    _require_visible(by, asset.unit_id)
    unknown = sorted(set(fields) - set(EDITABLE_FIELDS))
    if unknown:
        raise TypeError(f"Unknown field(s): {', '.join(unknown)}")
    changed = []
    for name, value in fields.items():
        new = _text(value)
        if getattr(asset, name) != new:
            setattr(asset, name, new)
            changed.append(name)
    if not changed:
        return asset
    try:
        asset.full_clean(
            exclude=[f.name for f in asset._meta.fields if f.name not in changed],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from exc
    asset.save(update_fields=[*changed, "updated_at"])
    asset_updated.send(sender=MediaAsset, asset=asset, changed=changed, by=by)
    return asset


def usage_count(asset: MediaAsset) -> int:
    """How many content items use ``asset`` (in any unit)."""
    return int(asset.uses.count())


def _in_use_error(count: int) -> ValidationError:
    return ValidationError(
        ngettext(
            "This file is used by %(count)d content item. Remove it from that item first.",
            "This file is used by %(count)d content items. Remove it from those items first.",
            count,
        )
        % {"count": count},
        code="in_use",
    )


def delete_asset(asset: MediaAsset, by: Any) -> None:
    """Delete ``asset`` with its renditions and files; refused while a content item uses it.

    Needs ``media.delete_mediaasset`` and the asset's unit in scope. The files are removed
    only once the deletion is committed.
    """
    _require(by, "media.delete_mediaasset")
    _require_visible(by, asset.unit_id)
    storage = asset.file.storage
    with transaction.atomic():
        count = usage_count(asset)
        if count:
            raise _in_use_error(count)
        names = [asset.file.name or ""]
        names += [r.file.name or "" for r in MediaRendition.objects.filter(asset=asset)]
        try:
            asset.delete()
        except ProtectedError as exc:  # an item started using it meanwhile
            raise _in_use_error(max(1, usage_count(asset))) from exc
        transaction.on_commit(lambda: _delete_files(storage, names))
