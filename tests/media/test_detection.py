"""The type is read from the content: accepted types, named refusals, zip checks."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from bakohumas.media.detection import detect, kind_hint
from tests.media.conftest import (
    ELF,
    EXE,
    HTML,
    M4A,
    MP3,
    MP4,
    OGG,
    PDF,
    PPTX_MAIN,
    PPTX_TYPES,
    SVG,
    WAV,
    WEBM,
    image_bytes,
    odp_bytes,
    pptx_bytes,
    zip_bytes,
)


def refusal(data: bytes) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        detect(io.BytesIO(data))
    return info.value


@pytest.mark.parametrize(
    ("data", "kind", "extension", "mime"),
    [
        (image_bytes("JPEG"), "image", "jpg", "image/jpeg"),
        (image_bytes("PNG"), "image", "png", "image/png"),
        (image_bytes("WEBP"), "image", "webp", "image/webp"),
        (image_bytes("GIF"), "image", "gif", "image/gif"),
        (MP4, "video", "mp4", "video/mp4"),
        (WEBM, "video", "webm", "video/webm"),
        (MP3, "audio", "mp3", "audio/mpeg"),
        (M4A, "audio", "m4a", "audio/mp4"),
        (OGG, "audio", "ogg", "audio/ogg"),
        (WAV, "audio", "wav", "audio/wav"),
        (PDF, "pdf", "pdf", "application/pdf"),
        (pptx_bytes(), "slides", "pptx", None),
        (odp_bytes(), "slides", "odp", "application/vnd.oasis.opendocument.presentation"),
    ],
)
def test_accepted_types(data: bytes, kind: str, extension: str, mime: str | None) -> None:
    detected = detect(io.BytesIO(data))
    assert detected.kind == kind
    assert detected.extension == extension
    if mime:
        assert detected.mime == mime
    assert kind_hint(data[:8192]) == kind


def test_svg_with_script_refused_with_reason() -> None:
    error = refusal(SVG)
    assert error.code == "svg"
    assert "SVG images are not accepted because they can contain scripts" in error.messages[0]


def test_svg_without_prologue_and_utf16_svg_refused() -> None:
    assert refusal(b"  <svg onload='alert(1)'/>").code == "svg"
    assert refusal("\ufeff<svg><script/></svg>".encode("utf-16")).code == "svg"


@pytest.mark.parametrize(
    ("data", "label"),
    [
        (EXE, "Windows program (EXE)"),
        (ELF, "Linux program (ELF)"),
        (HTML, "HTML document"),
        (b"  <html><body onload=alert(1)>", "HTML document"),
        (b"#!/bin/sh\nrm -rf /\n", "script"),
        (b"just some words\n", "plain text"),
        (b"\x00\x01\x02\x03\x04garbage" * 10, "unknown binary data"),
        (zip_bytes({"a.txt": "x"}), "ZIP archive"),
        (b"Rar!\x1a\x07\x00" + b"\x00" * 100, "RAR archive"),
        (b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00qt  " + b"\x00" * 100, "QuickTime video (MOV)"),
        (image_bytes("BMP"), "BMP image"),
        (image_bytes("TIFF"), "TIFF image"),
    ],
)
def test_refusal_names_detected_type(data: bytes, label: str) -> None:
    error = refusal(data)
    assert error.code == "unsupported_type"
    message = error.messages[0]
    assert f"“{label}”" in message
    assert "read from the content, not from the file name" in message
    assert "PPTX, ODP" in message  # lists what is accepted


def test_empty_file_refused() -> None:
    assert refusal(b"").code == "empty"


@pytest.mark.parametrize(
    ("main", "label"),
    [
        (
            "application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml",
            "macro-enabled PowerPoint presentation (PPTM)",
        ),
        (
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
            "Word document (DOCX)",
        ),
        (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
            "Excel workbook (XLSX)",
        ),
    ],
)
def test_other_office_files_refused_by_name(main: str, label: str) -> None:
    assert f"“{label}”" in refusal(pptx_bytes(main=main)).messages[0]


def test_pptx_manifest_pointing_at_missing_part_refused() -> None:
    data = zip_bytes({"[Content_Types].xml": PPTX_TYPES.format(main=PPTX_MAIN)})
    assert refusal(data).code == "unsupported_type"


def test_odf_text_refused() -> None:
    error = refusal(odp_bytes("application/vnd.oasis.opendocument.text"))
    assert "OpenDocument text (ODT)" in error.messages[0]


def test_zip_bomb_pptx_refused_without_extracting(settings: Any) -> None:
    settings.MEDIA_MAX_SLIDES_UNCOMPRESSED_SIZE = 1024 * 1024
    # 8 MB of zeros compress to a few KB: the declared sizes give the bomb away.
    data = pptx_bytes(extra={"ppt/media/bomb.bin": b"\x00" * (8 * 1024 * 1024)})
    assert len(data) < 100_000
    error = refusal(data)
    assert error.code == "zip_bomb"
    assert "possible zip bomb" in error.messages[0]


def test_zip_with_too_many_entries_refused(monkeypatch: Any) -> None:
    from bakohumas.media import limits

    monkeypatch.setattr(limits, "MAX_ZIP_ENTRIES", 5)
    data = pptx_bytes(extra={f"ppt/slides/s{i}.xml": "<s/>" for i in range(10)})
    assert refusal(data).code == "zip_bomb"


def test_oversized_manifest_refused() -> None:
    data = zip_bytes({"[Content_Types].xml": "<Types>" + " " * (2 * 1024 * 1024) + "</Types>"})
    assert refusal(data).code == "zip_bomb"


def test_damaged_zip_refused() -> None:
    error = refusal(b"PK\x03\x04" + b"\x13" * 300)
    assert error.code == "damaged"


def test_encrypted_entry_refused() -> None:
    data = bytearray(pptx_bytes())
    # Set the "encrypted" flag bit on every entry (local and central headers).
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (index := data.find(signature, start)) >= 0:
            data[index + offset] |= 0x01
            start = index + 4
    assert refusal(bytes(data)).code == "encrypted"
