"""Size limits of the media library, read from ``django.conf.settings`` on every call.

Each setting is an integer number of bytes (pixels for ``MEDIA_MAX_IMAGE_PIXELS``); the
lead's ``settings.py`` fills them from environment variables of the same names.
"""

from __future__ import annotations

from django.conf import settings

from bakohumas.media.models import MediaKind

MB = 1024 * 1024

#: Per-kind upload limits: kind → (setting name, default in bytes).
SIZE_SETTINGS: dict[str, tuple[str, int]] = {
    MediaKind.IMAGE: ("MEDIA_MAX_IMAGE_SIZE", 20 * MB),
    MediaKind.VIDEO: ("MEDIA_MAX_VIDEO_SIZE", 500 * MB),
    MediaKind.AUDIO: ("MEDIA_MAX_AUDIO_SIZE", 100 * MB),
    MediaKind.PDF: ("MEDIA_MAX_PDF_SIZE", 50 * MB),
    MediaKind.SLIDES: ("MEDIA_MAX_SLIDES_SIZE", 100 * MB),
}

#: Largest image, in pixels (width x height), decoded; larger is a decompression bomb.
DEFAULT_MAX_IMAGE_PIXELS = 50_000_000
#: Largest animation (GIF, WebP, APNG), in pixels summed over all frames.
DEFAULT_MAX_ANIMATION_PIXELS = 100_000_000
#: Most frames an animation may have.
DEFAULT_MAX_ANIMATION_FRAMES = 1_000
#: Largest sum of the uncompressed sizes of the entries of a PPTX/ODP (zip-bomb guard).
DEFAULT_MAX_SLIDES_UNCOMPRESSED_SIZE = 500 * MB
#: Most entries a PPTX/ODP may have.
MAX_ZIP_ENTRIES = 10_000
#: What a request may carry besides its files (form fields, multipart headers).
REQUEST_OVERHEAD = 1 * MB
#: Most files in one upload request.
MAX_FILES_PER_UPLOAD = 20


def _int_setting(name: str, default: int) -> int:
    value = getattr(settings, name, None)
    try:
        return int(value) if value is not None else default
    except (TypeError, ValueError):
        return default


def max_size(kind: str) -> int:
    """The largest accepted file of ``kind``, in bytes."""
    name, default = SIZE_SETTINGS[kind]
    return _int_setting(name, default)


def all_sizes() -> dict[str, int]:
    """Every kind's limit (for the upload form and the browser's early check)."""
    return {kind: max_size(kind) for kind in SIZE_SETTINGS}


def largest_size() -> int:
    """The largest limit of any kind: no single file may be bigger."""
    return max(all_sizes().values())


def max_request_size() -> int:
    """The largest upload request accepted (checked on ``Content-Length`` before reading)."""
    return largest_size() + REQUEST_OVERHEAD


def max_image_pixels() -> int:
    return _int_setting("MEDIA_MAX_IMAGE_PIXELS", DEFAULT_MAX_IMAGE_PIXELS)


def max_animation_pixels() -> int:
    return _int_setting("MEDIA_MAX_ANIMATION_PIXELS", DEFAULT_MAX_ANIMATION_PIXELS)


def max_animation_frames() -> int:
    return _int_setting("MEDIA_MAX_ANIMATION_FRAMES", DEFAULT_MAX_ANIMATION_FRAMES)


def max_slides_uncompressed_size() -> int:
    return _int_setting("MEDIA_MAX_SLIDES_UNCOMPRESSED_SIZE", DEFAULT_MAX_SLIDES_UNCOMPRESSED_SIZE)
