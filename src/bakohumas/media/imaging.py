"""Image processing of the media library: bounded decoding, re-encoding, renditions.

Every accepted image is decoded with Pillow under a pixel bound (decompression bombs are
refused), turned upright from its EXIF orientation, converted to sRGB when it carries a
colour profile, and RE-ENCODED in its own format with no metadata at all: no EXIF (so no
GPS position, camera serial …), no XMP, no ICC profile, no comments. Animations (GIF,
WebP, APNG) keep their frames. Renditions are WebP: a 320 px wide thumbnail and the
responsive widths 480/960/1600 px, never wider than the original.
"""

from __future__ import annotations

import io
import struct
import warnings
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageCms, ImageOps, ImageSequence, UnidentifiedImageError

from bakohumas.media import limits
from bakohumas.media.detection import Detected

#: (rendition name, target width). "thumb" always exists; wider ones only below the original.
THUMB = ("thumb", 320)
RESPONSIVE_WIDTHS = [("w480", 480), ("w960", 960), ("w1600", 1600)]
RENDITION_QUALITY = 80
JPEG_QUALITY = 85
WEBP_QUALITY = 85


@dataclass
class Encoded:
    """Bytes of one encoded image with its size and type."""

    data: bytes
    width: int
    height: int
    mime: str
    extension: str


@dataclass
class ProcessedImage:
    """The re-encoded original and its renditions (name → encoded)."""

    main: Encoded
    renditions: list[tuple[str, Encoded]] = field(default_factory=list)
    animated: bool = False


def _megapixels(pixels: int) -> str:
    value = pixels / 1_000_000
    return f"{value:,.0f}" if value >= 100 else f"{value:.3g}"


def _bomb_error(width: int = 0, height: int = 0, frames: int = 1) -> ValidationError:
    return ValidationError(
        _(
            "This image is too large to process (%(pixels)s megapixels; at most %(limit)s) "
            "and is refused as a possible decompression bomb. Reduce its dimensions."
        ),
        code="decompression_bomb",
        params={
            "pixels": _megapixels(width * height * frames) if width else "?",
            "limit": _megapixels(limits.max_image_pixels()),
        },
    )


def _damaged(detected: Detected) -> ValidationError:
    return ValidationError(
        _("The image could not be read: it is damaged or not a valid %(type)s file."),
        code="damaged",
        params={"type": detected.label},
    )


def process_image(fileobj: IO[bytes] | Any, detected: Detected) -> ProcessedImage:
    """Decode ``fileobj`` (of the detected image type) and re-encode it without metadata.

    Raises ``ValidationError`` for decompression bombs and unreadable images.
    """
    fileobj.seek(0)
    try:
        with warnings.catch_warnings():
            # Pillow warns past Image.MAX_IMAGE_PIXELS and fails past twice that: both refuse.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(fileobj, formats=[detected.pil_format]) as image:
                width, height = image.size
                if width < 1 or height < 1:
                    raise _damaged(detected)
                if width * height > limits.max_image_pixels():
                    raise _bomb_error(width, height)
                frames = int(getattr(image, "n_frames", 1) or 1)
                if frames > 1:
                    if (
                        frames > limits.max_animation_frames()
                        or width * height * frames > limits.max_animation_pixels()
                    ):
                        raise _bomb_error(width, height, frames)
                    return _process_animation(image, detected)
                image.load()
                still = _normalise(image)
                return ProcessedImage(
                    main=_encode_still(still, detected), renditions=_renditions(still)
                )
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _bomb_error() from exc
    except MemoryError as exc:
        raise _bomb_error() from exc
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        EOFError,
        struct.error,
    ) as exc:
        raise _damaged(detected) from exc
    finally:
        fileobj.seek(0)


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        image.mode == "P" and "transparency" in image.info
    )


def _to_srgb(image: Image.Image) -> Image.Image:
    """Convert an image with an embedded colour profile to sRGB (the profile is dropped)."""
    icc = image.info.get("icc_profile")
    if not icc or image.mode not in ("RGB", "RGBA", "CMYK"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        srgb = ImageCms.createProfile("sRGB")
        mode = "RGBA" if image.mode == "RGBA" else "RGB"
        converted = ImageCms.profileToProfile(image, source, srgb, outputMode=mode)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image
    return converted if converted is not None else image


def _normalise(image: Image.Image) -> Image.Image:
    """An upright, sRGB copy of ``image`` whose ``info`` keeps only transparency."""
    try:
        upright = ImageOps.exif_transpose(image)
    except (OSError, ValueError, TypeError, KeyError, struct.error, SyntaxError):
        upright = image.copy()  # a broken EXIF block: keep the pixels as they are
    upright = _to_srgb(upright)
    if upright.mode == "CMYK":
        upright = upright.convert("RGB")
    transparency = upright.info.get("transparency")
    upright.info = {} if transparency is None else {"transparency": transparency}
    return upright


def _save(image: Image.Image, fmt: str, **params: Any) -> bytes:
    """Encode ``image``; ``info`` is emptied first so no metadata rides along."""
    saved_info = image.info
    transparency = saved_info.get("transparency")
    if transparency is not None and fmt in ("PNG", "GIF"):
        params.setdefault("transparency", transparency)
    image.info = {}
    try:
        buffer = io.BytesIO()
        image.save(buffer, format=fmt, **params)
    finally:
        image.info = saved_info
    return buffer.getvalue()


def _encode_still(image: Image.Image, detected: Detected) -> Encoded:
    fmt = detected.pil_format
    work = image
    if fmt == "JPEG":
        if work.mode not in ("RGB", "L"):
            work = work.convert("RGB")
        data = _save(work, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    elif fmt == "PNG":
        if work.mode in ("RGBa", "La"):
            work = work.convert("RGBA")
        data = _save(work, "PNG")
    elif fmt == "WEBP":
        work = work.convert("RGBA" if _has_alpha(work) else "RGB")
        data = _save(work, "WEBP", quality=WEBP_QUALITY, method=4)
    else:  # GIF
        data = _save(work, "GIF")
    return Encoded(data, image.width, image.height, detected.mime, detected.extension)


def _process_animation(image: Image.Image, detected: Detected) -> ProcessedImage:
    """Re-encode every frame (fresh images carry no metadata); the thumbnail is frame 1."""
    frames: list[Image.Image] = []
    durations: list[int] = []
    for frame in ImageSequence.Iterator(image):
        clean = frame.convert("RGBA")
        clean.info = {}
        frames.append(clean)
        durations.append(int(frame.info.get("duration") or 100))
    params: dict[str, Any] = {
        "save_all": True,
        "append_images": frames[1:],
        "duration": durations,
    }
    if image.info.get("loop") is not None:
        params["loop"] = int(image.info["loop"])
    fmt = detected.pil_format
    if fmt == "GIF":
        params["disposal"] = 2
    elif fmt == "WEBP":
        params["quality"] = WEBP_QUALITY
    buffer = io.BytesIO()
    frames[0].save(buffer, format=fmt, **params)
    main = Encoded(buffer.getvalue(), image.width, image.height, detected.mime, detected.extension)
    return ProcessedImage(main=main, renditions=[_rendition(frames[0], *THUMB)], animated=True)


def _rendition(image: Image.Image, name: str, target: int) -> tuple[str, Encoded]:
    width = min(target, image.width)
    height = max(1, round(image.height * width / image.width))
    base = image.convert("RGBA" if _has_alpha(image) else "RGB")
    if (width, height) != base.size:
        base = base.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
    data = _save(base, "WEBP", quality=RENDITION_QUALITY, method=4)
    return name, Encoded(data, width, height, "image/webp", "webp")


def _renditions(image: Image.Image) -> list[tuple[str, Encoded]]:
    """The thumbnail and every responsive width narrower than the original (no upscaling)."""
    result = [_rendition(image, *THUMB)]
    for name, target in RESPONSIVE_WIDTHS:
        if image.width > target:
            result.append(_rendition(image, name, target))
    return result
