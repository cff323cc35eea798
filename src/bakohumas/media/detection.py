"""What an uploaded file really is, read from its content (magic bytes), never its name.

:func:`detect` returns the accepted type of a file or raises a ``ValidationError`` whose
message names the type it found (an executable renamed ``.jpg`` is refused as a Windows
program, an SVG as an SVG image that may carry scripts). PPTX and ODP files are ZIP
archives: their table of contents is read in place (never extracted to disk), the
identifying entry checked, and the sum of the uncompressed sizes bounded (zip bombs).
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from typing import IO, Any

import filetype
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from bakohumas.media import limits
from bakohumas.media.models import MediaKind

HEAD_SIZE = 8192
ZIP_MAGIC = b"PK\x03\x04"
#: The largest ``[Content_Types].xml`` / ``mimetype`` entry read from a presentation.
MAX_MANIFEST_SIZE = 1024 * 1024

PPTX_MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODP_MIME = "application/vnd.oasis.opendocument.presentation"
PPTX_MAIN = PPTX_MIME + ".main+xml"

ACCEPTED_TEXT = _(
    "images (JPEG, PNG, WebP, GIF), video (MP4, WebM), audio (MP3, M4A/AAC, OGG, WAV), "
    "PDF and presentation slides (PPTX, ODP)"
)


@dataclass(frozen=True)
class Detected:
    """An accepted file type: its library kind, MIME type and stored extension."""

    kind: str
    mime: str
    extension: str
    label: str
    pil_format: str = ""  # Pillow's format name for images


#: Accepted types by the MIME type ``filetype`` reports.
ACCEPTED: dict[str, Detected] = {
    "image/jpeg": Detected(MediaKind.IMAGE, "image/jpeg", "jpg", "JPEG", "JPEG"),
    "image/png": Detected(MediaKind.IMAGE, "image/png", "png", "PNG", "PNG"),
    "image/apng": Detected(MediaKind.IMAGE, "image/png", "png", "PNG", "PNG"),
    "image/webp": Detected(MediaKind.IMAGE, "image/webp", "webp", "WebP", "WEBP"),
    "image/gif": Detected(MediaKind.IMAGE, "image/gif", "gif", "GIF", "GIF"),
    "video/mp4": Detected(MediaKind.VIDEO, "video/mp4", "mp4", "MP4"),
    "video/webm": Detected(MediaKind.VIDEO, "video/webm", "webm", "WebM"),
    "audio/mpeg": Detected(MediaKind.AUDIO, "audio/mpeg", "mp3", "MP3"),
    "audio/mp4": Detected(MediaKind.AUDIO, "audio/mp4", "m4a", "M4A"),
    "audio/aac": Detected(MediaKind.AUDIO, "audio/aac", "aac", "AAC"),
    "audio/ogg": Detected(MediaKind.AUDIO, "audio/ogg", "ogg", "OGG"),
    "audio/x-wav": Detected(MediaKind.AUDIO, "audio/wav", "wav", "WAV"),
    "application/pdf": Detected(MediaKind.PDF, "application/pdf", "pdf", "PDF"),
}
PPTX = Detected(MediaKind.SLIDES, PPTX_MIME, "pptx", "PowerPoint (PPTX)")
ODP = Detected(MediaKind.SLIDES, ODP_MIME, "odp", "OpenDocument (ODP)")

#: Names of refused types people are likely to try, by ``filetype`` extension.
REFUSED_LABELS: dict[str, Any] = {
    "exe": _("Windows program (EXE)"),
    "elf": _("Linux program (ELF)"),
    "macho": _("macOS program (Mach-O)"),
    "script": _("script"),
    "html": _("HTML document"),
    "svg": _("SVG image"),
    "xml": _("XML document"),
    "text": _("plain text"),
    "zip": _("ZIP archive"),
    "rar": _("RAR archive"),
    "7z": _("7-Zip archive"),
    "gz": _("gzip archive"),
    "tar": _("tar archive"),
    "doc": _("Word document (DOC)"),
    "docx": _("Word document (DOCX)"),
    "xls": _("Excel workbook (XLS)"),
    "xlsx": _("Excel workbook (XLSX)"),
    "ppt": _("old PowerPoint presentation (PPT)"),
    "pptm": _("macro-enabled PowerPoint presentation (PPTM)"),
    "ppsx": _("PowerPoint show or template"),
    "ooxml": _("Office document"),
    "odt": _("OpenDocument text (ODT)"),
    "ods": _("OpenDocument spreadsheet (ODS)"),
    "odf": _("OpenDocument file"),
    "epub": _("EPUB e-book"),
    "mov": _("QuickTime video (MOV)"),
    "avi": _("AVI video"),
    "mkv": _("Matroska video (MKV)"),
    "3gp": _("3GP video"),
    "m4v": _("M4V video"),
    "wmv": _("Windows Media video (WMV)"),
    "flv": _("Flash video (FLV)"),
    "mpg": _("MPEG video"),
    "flac": _("FLAC audio"),
    "tif": _("TIFF image"),
    "bmp": _("BMP image"),
    "heic": _("HEIC image"),
    "avif": _("AVIF image"),
    "psd": _("Photoshop image (PSD)"),
    "ico": _("icon (ICO)"),
    "swf": _("Flash file (SWF)"),
    "sqlite": _("SQLite database"),
    "wasm": _("WebAssembly program"),
    "unknown": _("unknown binary data"),
}


def _refuse(kind_key: str, fallback: str = "") -> ValidationError:
    label = REFUSED_LABELS.get(kind_key) or fallback or REFUSED_LABELS["unknown"]
    if kind_key == "svg":
        return ValidationError(
            _(
                "SVG images are not accepted because they can contain scripts. Export the "
                "image as PNG, JPEG or WebP and upload that."
            ),
            code="svg",
        )
    return ValidationError(
        _(
            "This file is not accepted: its content is of type “%(type)s” (the type is read "
            "from the content, not from the file name). Accepted: %(accepted)s."
        ),
        code="unsupported_type",
        params={"type": label, "accepted": ACCEPTED_TEXT},
    )


def read_head(fileobj: IO[bytes] | Any, size: int = HEAD_SIZE) -> bytes:
    """The first ``size`` bytes of ``fileobj``; the position is reset to the start."""
    fileobj.seek(0)
    head = fileobj.read(size)
    fileobj.seek(0)
    return bytes(head or b"")


def _text_type(head: bytes) -> str | None:
    """``svg``/``html``/``xml``/``script``/``text`` for text content, else ``None``."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head[2:].decode("utf-16-le" if head[:2] == b"\xff\xfe" else "utf-16-be", "ignore")
    else:
        if b"\x00" in head:
            return None
        text = head.decode("utf-8", "ignore")
    stripped = text.lstrip("\ufeff \t\r\n").lower()
    if not stripped:
        return None
    if stripped.startswith("<"):
        if "<svg" in stripped:
            return "svg"
        if stripped.startswith("<?xml") and "<html" not in stripped:
            return "xml"
        return "html"
    if stripped.startswith("#!"):
        return "script"
    printable = sum(1 for ch in stripped if ch.isprintable() or ch in "\r\n\t")
    if printable >= 0.95 * len(stripped):
        return "text"
    return None


def kind_hint(head: bytes) -> str | None:
    """The library kind ``head`` would be if accepted (for the early size check), or ``None``.

    Cheap and content-based; :func:`detect` decides for real.
    """
    if head.startswith(ZIP_MAGIC):
        return str(MediaKind.SLIDES)
    guess = filetype.guess(head) if head else None
    if guess is not None and guess.mime in ACCEPTED:
        return ACCEPTED[guess.mime].kind
    return None


def detect(fileobj: IO[bytes] | Any) -> Detected:
    """The accepted type of ``fileobj``'s content, or a ``ValidationError`` naming what it is."""
    head = read_head(fileobj)
    if not head:
        raise ValidationError(_("The file is empty."), code="empty")
    if head.startswith(ZIP_MAGIC):
        return _detect_zip(fileobj)
    if head.startswith((b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe", b"\xfe\xed\xfa")):
        raise _refuse("macho")
    guess = filetype.guess(head)
    if guess is not None:
        if guess.mime in ACCEPTED:
            return ACCEPTED[guess.mime]
        raise _refuse(guess.extension, f"{guess.extension.upper()} ({guess.mime})")
    text_type = _text_type(head)
    raise _refuse(text_type or "unknown")


_OVERRIDE_RE = re.compile(rb"<Override\b[^>]*>", re.IGNORECASE)
_PART_RE = re.compile(rb'PartName\s*=\s*["\']([^"\']+)["\']')
_TYPE_RE = re.compile(rb'ContentType\s*=\s*["\']([^"\']+)["\']')


def _zip_bomb_error() -> ValidationError:
    return ValidationError(
        _(
            "This file unpacks to more than %(size)s or holds too many parts and is refused "
            "(a possible zip bomb)."
        ),
        code="zip_bomb",
        params={"size": filesizeformat(limits.max_slides_uncompressed_size())},
    )


def _read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """Read one small entry, never more than ``MAX_MANIFEST_SIZE`` bytes (headers can lie)."""
    if info.file_size > MAX_MANIFEST_SIZE:
        raise _zip_bomb_error()
    with archive.open(info) as entry:
        data = entry.read(MAX_MANIFEST_SIZE + 1)
    if len(data) > MAX_MANIFEST_SIZE:
        raise _zip_bomb_error()
    return data


def _detect_zip(fileobj: IO[bytes] | Any) -> Detected:
    """A PPTX or ODP, checked in place; any other ZIP-based file is refused by name."""
    damaged = ValidationError(
        _("The file looks like a ZIP-based document (PPTX, ODP …) but it is damaged."),
        code="damaged",
    )
    fileobj.seek(0)
    try:
        with zipfile.ZipFile(fileobj) as archive:
            infos = archive.infolist()
            if len(infos) > limits.MAX_ZIP_ENTRIES:
                raise _zip_bomb_error()
            total = sum(info.file_size for info in infos)
            if total > limits.max_slides_uncompressed_size():
                raise _zip_bomb_error()
            by_name = {info.filename: info for info in infos}
            if "mimetype" in by_name:
                mimetype = (
                    _read_entry(archive, by_name["mimetype"]).strip().decode("ascii", "ignore")
                )
                if mimetype == ODP_MIME and "content.xml" in by_name:
                    return ODP
                if mimetype == "application/epub+zip":
                    raise _refuse("epub")
                if mimetype.endswith("opendocument.text"):
                    raise _refuse("odt")
                if mimetype.endswith("opendocument.spreadsheet"):
                    raise _refuse("ods")
                if mimetype.startswith("application/vnd.oasis.opendocument."):
                    raise _refuse("odf")
                raise _refuse("zip")
            if "[Content_Types].xml" in by_name:
                return _detect_ooxml(_read_entry(archive, by_name["[Content_Types].xml"]), by_name)
            raise _refuse("zip")
    except ValidationError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError) as exc:
        raise damaged from exc
    except (RuntimeError, NotImplementedError) as exc:  # encrypted or exotic compression
        raise ValidationError(
            _("Password-protected or unusually compressed documents are not accepted."),
            code="encrypted",
        ) from exc
    finally:
        fileobj.seek(0)


def _detect_ooxml(manifest: bytes, by_name: dict[str, zipfile.ZipInfo]) -> Detected:
    main_types: dict[bytes, str] = {}
    for tag in _OVERRIDE_RE.findall(manifest):
        part, ctype = _PART_RE.search(tag), _TYPE_RE.search(tag)
        if part and ctype and ctype.group(1).lower().endswith(b"main+xml"):
            main_types[ctype.group(1).lower()] = part.group(1).decode("utf-8", "ignore")
    pptx_part = main_types.get(PPTX_MAIN.lower().encode())
    if pptx_part is not None and pptx_part.lstrip("/") in by_name:
        return PPTX
    kinds = b" ".join(main_types)
    if b"ms-powerpoint.presentation.macroenabled" in kinds:
        raise _refuse("pptm")
    if b"presentationml" in kinds:
        raise _refuse("ppsx")
    if b"wordprocessingml" in kinds or b"ms-word" in kinds:
        raise _refuse("docx")
    if b"spreadsheetml" in kinds or b"ms-excel" in kinds:
        raise _refuse("xlsx")
    raise _refuse("ooxml")
