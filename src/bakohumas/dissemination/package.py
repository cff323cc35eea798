"""The ready-to-share package of a manual publication (WhatsApp group, print, TV, radio,
online media, Zoom, press conference, face-to-face event).

The person named on the publication shares it by hand and then records the evidence.
:func:`build_package` gives what they share: the text formatted for WhatsApp (``*bold*``
title, the summary or the channel variant, the link with UTM tags, the hashtags), the
link, the media files with their renditions, and the public share link. :func:`zip_stream`
streams a press kit (the text, the press release PDF for press releases, the media
files) without holding it in memory, bounded in size.

The public share page (``public_views.share``) and the API read the same package.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _

from bakohumas.content.channels import normalise_hashtags
from bakohumas.content.models import ContentForm
from bakohumas.dissemination.links import absolute
from bakohumas.dissemination.models import Publication

#: The most bytes of media files a press-kit ZIP carries (files past it are listed by link).
DEFAULT_ZIP_MAX_BYTES = 200 * 1024 * 1024
CHUNK = 64 * 1024
# WhatsApp formatting marks that would break the bold title.
_WA_MARKS = re.compile(r"[*_~`]+")


@dataclass
class PackageMedia:
    """One file of the package: an original media file or one of its renditions."""

    name: str
    url: str
    size: int
    mime_type: str
    kind: str
    storage_name: str = ""  # the file's name in its storage (for the ZIP)
    rendition: str = ""  # "" for the original, else the rendition's name ("w960" …)
    alt_text: str = ""
    renditions: list[PackageMedia] = field(default_factory=list)

    @property
    def is_image(self) -> bool:
        return self.kind == "image"


@dataclass
class Package:
    """What a manual publication shares."""

    publication: Publication
    title: str
    whatsapp_text: str  # WhatsApp formatting: *bold* title, body, link, hashtags
    plain_text: str  # the same without formatting marks (press kit .txt)
    link: str  # the portal link with this channel's UTM tags
    hashtags: str
    share_url: str  # the public share page of the package
    media: list[PackageMedia] = field(default_factory=list)  # originals, then renditions
    originals: list[PackageMedia] = field(default_factory=list)  # originals only
    is_press_release: bool = False

    @property
    def filename(self) -> str:
        item = self.publication.item
        base = slugify(item.slug or item.title)[:60] or f"publikasi-{self.publication.pk}"
        return f"{base}-{self.publication.pk}"


def _bold(text: str) -> str:
    text = " ".join(_WA_MARKS.sub("", text or "").split())
    return f"*{text}*" if text else ""


def _variant(publication: Publication) -> Any:
    item = publication.item
    for variant in item.variants.all():
        if variant.channel == publication.variant_channel:
            return variant
    return None


def _media(publication: Publication) -> list[PackageMedia]:
    files: list[PackageMedia] = []
    links = (
        publication.item.media_links.select_related("asset")
        .prefetch_related("asset__renditions")
        .order_by("position", "id")
    )
    for link in links:
        asset = link.asset
        if not asset.file:
            continue
        name = asset.original_name or asset.file.name.rsplit("/", 1)[-1]
        original = PackageMedia(
            name=name,
            url=absolute(asset.file.url),
            size=asset.size,
            mime_type=asset.mime_type,
            kind=asset.kind,
            storage_name=asset.file.name,
            alt_text=asset.alt_text,
        )
        stem = name.rsplit(".", 1)[0]
        for rendition in asset.renditions.all():
            if not rendition.file:
                continue
            extension = rendition.file.name.rsplit(".", 1)[-1]
            original.renditions.append(
                PackageMedia(
                    name=f"{stem}-{rendition.name}.{extension}",
                    url=absolute(rendition.file.url),
                    size=rendition.size,
                    mime_type=rendition.mime_type,
                    kind="image",
                    storage_name=rendition.file.name,
                    rendition=rendition.name,
                    alt_text=asset.alt_text,
                )
            )
        files.append(original)
    return files


def build_package(publication: Publication) -> Package:
    """The package of ``publication`` (any channel works; it is meant for manual ones)."""
    from bakohumas.dissemination import engine

    item = publication.item
    link = engine.prepare(publication).link
    variant = _variant(publication)
    body = (variant.text.strip() if variant is not None and variant.text else "") or (
        item.summary or ""
    ).strip()
    hashtags = normalise_hashtags(variant.hashtags) if variant is not None else ""
    whatsapp = "\n\n".join(p for p in (_bold(item.title), body, link, hashtags) if p)
    plain = "\n\n".join(p for p in (item.title.strip(), body, link, hashtags) if p)
    originals = _media(publication)
    media: list[PackageMedia] = []
    for original in originals:
        media.append(original)
        media.extend(original.renditions)
    return Package(
        publication=publication,
        title=item.title,
        whatsapp_text=whatsapp,
        plain_text=plain,
        link=link,
        hashtags=hashtags,
        share_url=absolute(reverse("dissemination_public:share", args=[publication.share_token])),
        media=media,
        originals=originals,
        is_press_release=item.form == ContentForm.PRESS_RELEASE,
    )


# --- the press kit (ZIP) ------------------------------------------------------------------


def zip_max_bytes() -> int:
    return int(getattr(settings, "DISSEMINATION_PACKAGE_MAX_BYTES", DEFAULT_ZIP_MAX_BYTES))


class _Sink:
    """A write-only, non-seekable file: ``zipfile`` then writes data descriptors, so the
    archive can be streamed as it is built."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []
        self._position = 0

    def write(self, data: bytes) -> int:
        self._chunks.append(bytes(data))
        self._position += len(data)
        return len(data)

    def tell(self) -> int:
        return self._position

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks = []
        return data


@dataclass
class KitPlan:
    """What goes into the press kit and what is left out (too large), decided up front."""

    files: list[PackageMedia]
    left_out: list[PackageMedia]
    total: int


def plan_kit(package: Package, limit: int | None = None) -> KitPlan:
    """Originals in order while they fit in ``limit`` bytes; the others are left out and
    listed by link in the kit's text."""
    limit = zip_max_bytes() if limit is None else limit
    files: list[PackageMedia] = []
    left_out: list[PackageMedia] = []
    total = 0
    for media in package.originals:
        if total + media.size > limit:
            left_out.append(media)
            continue
        files.append(media)
        total += media.size
    return KitPlan(files=files, left_out=left_out, total=total)


def _unique(name: str, used: set[str]) -> str:
    candidate = name
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    n = 1
    while candidate.lower() in used:
        n += 1
        candidate = f"{stem}-{n}.{extension}" if extension else f"{stem}-{n}"
    used.add(candidate.lower())
    return candidate


def kit_text(package: Package, plan: KitPlan) -> str:
    lines = [package.plain_text, "", _("WhatsApp:"), package.whatsapp_text, ""]
    lines.append(_("Share page: %s") % package.share_url)
    if plan.left_out:
        lines += ["", _("Too large for this archive; download them from:")]
        lines += [f"- {m.name}: {m.url}" for m in plan.left_out]
    return "\n".join(lines) + "\n"


def zip_stream(package: Package, limit: int | None = None) -> Iterator[bytes]:
    """The press kit as ZIP bytes, chunk by chunk: ``<name>.txt`` (plain and WhatsApp
    text, links), ``<name>.pdf`` for a press release, then the media files that fit."""
    from django.core.files.storage import default_storage

    plan = plan_kit(package, limit)
    sink = _Sink()
    used: set[str] = set()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            _unique(f"{package.filename}.txt", used), kit_text(package, plan).encode("utf-8")
        )
        yield sink.take()
        if package.is_press_release:
            from bakohumas.portal.pdf import press_release_pdf

            pdf = press_release_pdf(package.publication.item, url=package.link)
            archive.writestr(_unique(f"{package.filename}.pdf", used), pdf)
            yield sink.take()
        for media in plan.files:
            info = zipfile.ZipInfo(_unique(media.name, used))
            info.compress_type = zipfile.ZIP_STORED
            with default_storage.open(media.storage_name, "rb") as source:
                with archive.open(info, "w", force_zip64=media.size > 2**31) as target:
                    while chunk := source.read(CHUNK):
                        target.write(chunk)
                        yield sink.take()
            yield sink.take()
    yield sink.take()
