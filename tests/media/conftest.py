"""Media-library tests: English UI text, file builders and small helpers."""

from __future__ import annotations

import functools
import io
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image, ImageCms

from bakohumas.core.models import Role, WorkUnit
from bakohumas.media import services
from bakohumas.media.models import MediaAsset

Units = dict[str, WorkUnit]


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- file builders ----------------------------------------------------------------------


def image_bytes(
    fmt: str = "PNG", size: tuple[int, int] = (64, 48), mode: str = "RGB", **params: Any
) -> bytes:
    image = Image.new(mode, size, (200, 30, 30) if mode == "RGB" else None)
    if mode == "RGB":
        # a left/right split so orientation changes are visible
        image.paste((20, 40, 220), (0, 0, size[0] // 2, size[1]))
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **params)
    return buffer.getvalue()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


@functools.cache
def bomb_png(side: int = 20000) -> bytes:
    """A valid black 1-bit PNG of side x side pixels (400 megapixels by default) that is
    only ~50 KB compressed: a decompression bomb. Streamed through zlib row block by row
    block (Pillow needs seconds to write the same file)."""
    row = b"\x00" * (1 + (side + 7) // 8)  # filter byte + packed bits
    compressor = zlib.compressobj(9)
    parts = [compressor.compress(row * 1000) for _ in range(side // 1000)]
    parts.append(compressor.compress(row * (side % 1000)) + compressor.flush())
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", b"".join(parts))
        + _png_chunk(b"IEND", b"")
    )


def gps_exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SecretCam"
    exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "S"
    gps[ExifTags.GPS.GPSLatitude] = (0.0, 30.0, 7.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (117.0, 9.0, 11.0)
    return exif


def srgb_icc() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def jpeg_with_metadata(size: tuple[int, int] = (120, 60), orientation: int = 6) -> bytes:
    return image_bytes(
        "JPEG",
        size,
        exif=gps_exif(orientation),
        icc_profile=srgb_icc(),
        comment=b"secret-comment",
        xmp=b'<x:xmpmeta xmlns:x="adobe:ns:meta/">secret-xmp</x:xmpmeta>',
    )


def animated_gif(frames: int = 3, size: tuple[int, int] = (40, 30)) -> bytes:
    images = [Image.new("RGB", size, (i * 60, 0, 0)) for i in range(frames)]
    buffer = io.BytesIO()
    images[0].save(
        buffer,
        format="GIF",
        save_all=True,
        append_images=images[1:],
        duration=80,
        loop=0,
        comment=b"secret-comment",
    )
    return buffer.getvalue()


MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00\x00\x00\x08free" + b"\x00" * 500
WEBM = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\x82\x84webm" + b"\x00" * 500
MP3 = b"ID3\x03\x00\x00\x00\x00\x00\x0f" + b"\xff\xfb\x90\x00" + b"\x00" * 500
M4A = b"\x00\x00\x00\x18ftypM4A \x00\x00\x00\x00M4A mp42" + b"\x00" * 500
OGG = b"OggS\x00\x02" + b"\x00" * 500
WAV = b"RIFF\x24\x08\x00\x00WAVEfmt " + b"\x00" * 500
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 2000
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 2000
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
SVG = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(document.cookie)</script></svg>"
)

PPTX_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/ppt/presentation.xml" ContentType="{main}"/>'
    "</Types>"
)
PPTX_MAIN = "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"


def zip_bytes(entries: dict[str, bytes | str], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def pptx_bytes(main: str = PPTX_MAIN, extra: dict[str, bytes | str] | None = None) -> bytes:
    entries: dict[str, bytes | str] = {
        "[Content_Types].xml": PPTX_TYPES.format(main=main),
        "_rels/.rels": "<Relationships/>",
        "ppt/presentation.xml": "<p:presentation/>",
    }
    entries.update(extra or {})
    return zip_bytes(entries)


def odp_bytes(mimetype: str = "application/vnd.oasis.opendocument.presentation") -> bytes:
    return zip_bytes(
        {"mimetype": mimetype, "content.xml": "<office:document-content/>"},
        compression=zipfile.ZIP_STORED,
    )


def upload_file(name: str, data: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    """An upload whose name and client content type may lie about ``data``."""
    return SimpleUploadedFile(name, data, content_type=content_type)


def stored_files(settings: Any) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


# --- fixtures ---------------------------------------------------------------------------


@pytest.fixture
def editor(make_user: Callable[..., Any]) -> Any:
    return make_user("64.72", Role.EDITOR)


@pytest.fixture
def ingest(units: Units, editor: Any) -> Callable[..., MediaAsset]:
    """``ingest(data, name="x.png", unit="64.72", by=editor, **texts)``."""

    def do(
        data: bytes, name: str = "x.png", unit: str = "64.72", by: Any = None, **texts: Any
    ) -> MediaAsset:
        return services.ingest_upload(units[unit], upload_file(name, data), by or editor, **texts)

    return do


def text(response: Any) -> str:
    """The response body with non-breaking spaces (file sizes) made plain."""
    return str(response.content.decode().replace("\xa0", " "))
