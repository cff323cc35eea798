"""Template helpers of the media library, for the staff UI and the public portal.

``{% load media_tags %}`` then:

* ``{% responsive_image asset sizes="(min-width: 992px) 720px, 100vw" class="img-fluid" %}``
  → ``<img src srcset sizes width height alt loading="lazy" decoding="async">`` built from
  the renditions (480/960/1600 px WebP, plus the original when it is not wider than
  1600 px). Optional ``alt=`` (defaults to the asset's alternative text), ``loading=``
  ("eager" for the main image above the fold), ``fetchpriority=``, ``id=``, ``title=``.
  Animations have no responsive renditions: their ``src`` is the original file.
* ``asset|thumb_url`` → the 320 px thumbnail's URL ("" for non-images).
* ``asset|rendition_url:"w1600"`` → that rendition, else the nearest narrower, else the
  original (e.g. for ``og:image``).
* ``asset.kind|media_icon`` → a Bootstrap Icons class for the kind.

Prefetch ``renditions`` on lists (``prefetch_related("renditions")``) to avoid a query per
image.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.forms.utils import flatatt
from django.utils.safestring import SafeString, mark_safe

from bakohumas.media.models import MediaKind

register = template.Library()

#: The widest original still offered in ``srcset`` (wider ones have a w1600 rendition).
MAX_ORIGINAL_IN_SRCSET = 1600
#: The ``src`` fallback: the widest candidate up to this width.
DEFAULT_SRC_WIDTH = 960
ALLOWED_ATTRS = {"class", "id", "loading", "fetchpriority", "alt", "title", "decoding"}

ICONS: dict[str, str] = {
    MediaKind.IMAGE: "bi-image",
    MediaKind.VIDEO: "bi-film",
    MediaKind.AUDIO: "bi-music-note-beamed",
    MediaKind.PDF: "bi-file-earmark-pdf",
    MediaKind.SLIDES: "bi-easel",
}


def _renditions(asset: Any) -> list[Any]:
    try:
        return list(asset.renditions.all())
    except (AttributeError, ValueError):
        return []


def _url(file: Any) -> str:
    try:
        return str(file.url) if file else ""
    except ValueError:
        return ""


def _candidates(asset: Any) -> list[tuple[str, int, int | None]]:
    """(url, width, height) of the responsive renditions and, when small enough, the
    original; sorted by width, one per width."""
    found: dict[int, tuple[str, int, int | None]] = {}
    for rendition in _renditions(asset):
        if rendition.name.startswith("w") and rendition.width:
            found.setdefault(
                rendition.width, (_url(rendition.file), rendition.width, rendition.height)
            )
    width = asset.width or 0
    if width and (width <= MAX_ORIGINAL_IN_SRCSET or not found):
        found.setdefault(width, (_url(asset.file), width, asset.height))
    return [found[w] for w in sorted(found) if found[w][0]]


def _is_image(asset: Any) -> bool:
    return (
        asset is not None
        and getattr(asset, "kind", None) == MediaKind.IMAGE
        and bool(getattr(asset, "file", None))
    )


@register.simple_tag
def responsive_image(asset: Any, sizes: str = "100vw", **attrs: Any) -> SafeString:
    """An ``<img>`` with ``srcset`` from ``asset``'s renditions ("" for non-images)."""
    if not _is_image(asset):
        return mark_safe("")
    candidates = _candidates(asset)
    if candidates:
        fitting = [c for c in candidates if c[1] <= DEFAULT_SRC_WIDTH]
        src, width, height = fitting[-1] if fitting else candidates[0]
    else:
        src, width, height = _url(asset.file), asset.width, asset.height
    if not src:
        return mark_safe("")
    attributes: dict[str, Any] = {"src": src}
    if len(candidates) > 1:
        attributes["srcset"] = ", ".join(f"{url} {w}w" for url, w, _h in candidates)
        attributes["sizes"] = sizes or "100vw"
    if width and height:
        attributes["width"] = str(width)
        attributes["height"] = str(height)
    attributes["alt"] = asset.alt_text or ""
    attributes["loading"] = "lazy"
    attributes["decoding"] = "async"
    for name, value in attrs.items():
        if name in ALLOWED_ATTRS and value is not None:
            attributes[name] = str(value)
    return mark_safe(f"<img{flatatt(attributes)}>")  # noqa: S308 - flatatt escapes values


@register.filter
def thumb_url(asset: Any) -> str:
    """URL of the asset's 320 px thumbnail (the file itself for an image without one)."""
    if not _is_image(asset):
        return ""
    for rendition in _renditions(asset):
        if rendition.name == "thumb":
            return _url(rendition.file)
    return _url(asset.file)


@register.filter
def rendition_url(asset: Any, name: str = "w1600") -> str:
    """URL of rendition ``name`` ("w480", "w960", "w1600", "thumb"), else the widest
    narrower rendition, else the original file."""
    if not _is_image(asset):
        return ""
    renditions = _renditions(asset)
    for rendition in renditions:
        if rendition.name == name:
            return _url(rendition.file)
    target = {"thumb": 320, "w480": 480, "w960": 960, "w1600": 1600}.get(name, 0)
    narrower = [r for r in renditions if r.name.startswith("w") and r.width <= target]
    if narrower and (asset.width or 0) > target:
        return _url(max(narrower, key=lambda r: r.width).file)
    return _url(asset.file)


@register.filter
def media_icon(kind: str) -> str:
    """The Bootstrap Icons class of a media kind."""
    return ICONS.get(kind, "bi-file-earmark")
