"""ingest_upload: metadata stripped, renditions, limits, bombs, all-or-nothing."""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from PIL import Image

from bakohumas.core.models import Role
from bakohumas.media.models import MediaAsset, MediaRendition
from tests.media.conftest import (
    EXE,
    MP4,
    PDF,
    SVG,
    Units,
    animated_gif,
    bomb_png,
    gps_exif,
    image_bytes,
    jpeg_with_metadata,
    pptx_bytes,
    stored_files,
)

Ingest = Callable[..., MediaAsset]


def reopen(name: str) -> tuple[Image.Image, bytes]:
    with default_storage.open(name) as handle:
        data = handle.read()
    return Image.open(io.BytesIO(data)), data


def assert_nothing_written(settings: Any) -> None:
    assert not MediaAsset.objects.exists()
    assert not MediaRendition.objects.exists()
    assert stored_files(settings) == []


# --- metadata ---------------------------------------------------------------------------


def test_jpeg_exif_gps_xmp_icc_comment_stripped_and_turned_upright(ingest: Ingest) -> None:
    source = jpeg_with_metadata(size=(120, 60), orientation=6)
    original = Image.open(io.BytesIO(source))
    assert original.getexif().get_ifd(0x8825)  # the source really has GPS data
    assert b"secret-comment" in source and b"SecretCam" in source and b"secret-xmp" in source

    asset = ingest(source, name="IMG_0001.JPG")

    stored, data = reopen(asset.file.name)
    assert stored.format == "JPEG"
    assert len(stored.getexif()) == 0
    assert not set(stored.info) & {"exif", "icc_profile", "xmp", "comment"}
    for secret in (b"Exif", b"SecretCam", b"secret-comment", b"secret-xmp", b"GPS"):
        assert secret not in data
    # Orientation 6 (rotate 90° clockwise) is applied to the pixels: 120x60 becomes 60x120.
    assert stored.size == (60, 120)
    assert (asset.width, asset.height) == (60, 120)
    assert asset.kind == "image" and asset.mime_type == "image/jpeg"
    assert asset.sha256 == hashlib.sha256(data).hexdigest()
    assert asset.size == len(data)
    assert asset.original_name == "IMG_0001.JPG"
    assert re.fullmatch(rf"media/{asset.unit_id}/[0-9a-f]{{32}}\.jpg", asset.file.name)


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_png_and_webp_exif_stripped(ingest: Ingest, fmt: str) -> None:
    params: dict[str, Any] = {"exif": gps_exif()}
    if fmt == "WEBP":
        params["xmp"] = b"<x:xmpmeta>secret-xmp</x:xmpmeta>"
    source = image_bytes(fmt, (50, 40), **params)
    assert b"SecretCam" in source
    asset = ingest(source, name="photo.bin")
    stored, data = reopen(asset.file.name)
    assert stored.format == fmt
    assert len(stored.getexif()) == 0
    assert b"SecretCam" not in data and b"secret-xmp" not in data


def test_png_text_chunks_dropped_and_transparency_kept(ingest: Ingest) -> None:
    from PIL.PngImagePlugin import PngInfo

    image = Image.new("RGBA", (30, 30), (255, 0, 0, 0))
    info = PngInfo()
    info.add_text("Author", "secret-author")
    buffer = io.BytesIO()
    image.save(buffer, "PNG", pnginfo=info)
    asset = ingest(buffer.getvalue())
    stored, data = reopen(asset.file.name)
    assert b"secret-author" not in data
    assert stored.mode == "RGBA" and stored.getpixel((0, 0))[3] == 0


def test_stored_extension_follows_content_not_name(ingest: Ingest) -> None:
    asset = ingest(PDF, name="laporan.jpg")
    assert asset.kind == "pdf" and asset.mime_type == "application/pdf"
    assert asset.file.name.endswith(".pdf")
    assert asset.sha256 == hashlib.sha256(PDF).hexdigest()
    with default_storage.open(asset.file.name) as handle:
        assert handle.read() == PDF  # non-images are stored byte for byte
    assert not asset.renditions.exists()


def test_video_and_slides_accepted(ingest: Ingest) -> None:
    video = ingest(MP4, name="clip.mov")
    assert (video.kind, video.file.name.rsplit(".", 1)[1]) == ("video", "mp4")
    slides = ingest(pptx_bytes(), name="paparan.zip")
    assert (slides.kind, slides.file.name.rsplit(".", 1)[1]) == ("slides", "pptx")


def test_original_name_cleaned_of_paths_and_bidi_controls(ingest: Ingest) -> None:
    asset = ingest(image_bytes(), name="C:\\Users\\x\\foto\u202egnp.exe")
    assert asset.original_name == "fotognp.exe"


# --- renditions -------------------------------------------------------------------------


def test_renditions_created_at_each_width(ingest: Ingest) -> None:
    asset = ingest(image_bytes("JPEG", (2000, 1000)))
    renditions = {r.name: r for r in asset.renditions.all()}
    assert set(renditions) == {"thumb", "w480", "w960", "w1600"}
    for name, width in (("thumb", 320), ("w480", 480), ("w960", 960), ("w1600", 1600)):
        rendition = renditions[name]
        assert (rendition.width, rendition.height) == (width, width // 2)
        stored, data = reopen(rendition.file.name)
        assert stored.format == "WEBP" and stored.size == (width, width // 2)
        assert rendition.size == len(data) and rendition.mime_type == "image/webp"


def test_renditions_never_upscale(ingest: Ingest) -> None:
    medium = ingest(image_bytes("PNG", (700, 350)))
    assert sorted((r.name, r.width) for r in medium.renditions.all()) == [
        ("thumb", 320),
        ("w480", 480),
    ]
    small = ingest(image_bytes("PNG", (200, 100)))
    renditions = list(small.renditions.all())
    assert [(r.name, r.width, r.height) for r in renditions] == [("thumb", 200, 100)]


def test_animated_gif_keeps_frames_and_gets_a_static_thumbnail(ingest: Ingest) -> None:
    source = animated_gif(frames=3)
    asset = ingest(source, name="meme.gif")
    stored, data = reopen(asset.file.name)
    assert stored.format == "GIF" and stored.n_frames == 3
    assert b"secret-comment" not in data
    assert [r.name for r in asset.renditions.all()] == ["thumb"]


# --- refusals: nothing written ----------------------------------------------------------


def test_bomb_png_is_a_valid_image(monkeypatch: Any) -> None:
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", None)
    image = Image.open(io.BytesIO(bomb_png(2000)))
    assert image.size == (2000, 2000)
    image.load()  # decodes: a real PNG, not just a header


def test_decompression_bomb_png_refused(ingest: Ingest, settings: Any) -> None:
    bomb = bomb_png()
    assert len(bomb) < 100_000  # tiny on disk, 400 megapixels decoded
    with pytest.raises(ValidationError) as info:
        ingest(bomb, name="bomb.png")
    assert "possible decompression bomb" in info.value.message_dict["file"][0]
    assert_nothing_written(settings)


def test_image_over_configured_pixel_bound_refused(ingest: Ingest, settings: Any) -> None:
    settings.MEDIA_MAX_IMAGE_PIXELS = 100 * 100
    with pytest.raises(ValidationError) as info:
        ingest(image_bytes("PNG", (101, 100)))
    message = info.value.message_dict["file"][0]
    assert "(0.0101 megapixels; at most 0.01)" in message and "decompression bomb" in message
    assert_nothing_written(settings)
    assert ingest(image_bytes("PNG", (100, 100))).width == 100


def test_long_animation_refused(ingest: Ingest, settings: Any) -> None:
    settings.MEDIA_MAX_ANIMATION_FRAMES = 2
    with pytest.raises(ValidationError):
        ingest(animated_gif(frames=3))
    assert_nothing_written(settings)


def test_damaged_image_refused(ingest: Ingest, settings: Any) -> None:
    truncated = image_bytes("JPEG", (400, 400))[:300]
    with pytest.raises(ValidationError) as info:
        ingest(truncated, name="foto.jpg")
    assert "damaged or not a valid JPEG" in info.value.message_dict["file"][0]
    assert_nothing_written(settings)


@pytest.mark.parametrize(
    ("data", "name", "needle"),
    [
        (EXE, "foto.jpg", "Windows program (EXE)"),
        (SVG, "logo.svg", "SVG images are not accepted"),
        (b"<html><script>alert(1)</script></html>", "gambar.png", "HTML document"),
        (b"", "empty.png", "The file is empty."),
    ],
)
def test_refused_files_leave_nothing(
    ingest: Ingest, settings: Any, data: bytes, name: str, needle: str
) -> None:
    with pytest.raises(ValidationError) as info:
        ingest(data, name=name)
    assert needle in info.value.message_dict["file"][0]
    assert_nothing_written(settings)


def test_size_limit_per_kind(ingest: Ingest, settings: Any) -> None:
    settings.MEDIA_MAX_IMAGE_SIZE = 1000
    big_png = image_bytes("PNG", (300, 300), mode="RGB", compress_level=0)
    assert len(big_png) > 1000
    with pytest.raises(ValidationError) as info:
        ingest(big_png)
    message = info.value.message_dict["file"][0]
    assert "Images may be at most 1000" in message and "This file is" in message
    assert_nothing_written(settings)
    # The same size is fine for a PDF, whose limit is larger.
    assert ingest(PDF + b"%" * 2000, name="a.pdf").kind == "pdf"


def test_text_fields_validated_before_anything_is_written(ingest: Ingest, settings: Any) -> None:
    with pytest.raises(ValidationError) as info:
        ingest(image_bytes(), alt_text="x" * 501)
    assert "alt_text" in info.value.message_dict
    assert_nothing_written(settings)


def test_failure_midway_removes_written_files(
    ingest: Ingest, settings: Any, monkeypatch: Any
) -> None:
    real_create = MediaRendition.objects.create
    calls = {"n": 0}

    def failing_create(**kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return real_create(**kwargs)

    monkeypatch.setattr(MediaRendition.objects, "create", failing_create)
    with pytest.raises(RuntimeError):
        ingest(image_bytes("JPEG", (1000, 500)))
    assert calls["n"] == 2
    assert_nothing_written(settings)


# --- permissions ------------------------------------------------------------------------


def test_viewer_cannot_upload(ingest: Ingest, make_user: Any, settings: Any) -> None:
    with pytest.raises(PermissionDenied):
        ingest(image_bytes(), by=make_user("64.72", Role.VIEWER))
    assert_nothing_written(settings)


def test_upload_into_another_unit_refused(
    ingest: Ingest, make_user: Any, settings: Any, units: Units
) -> None:
    with pytest.raises(PermissionDenied):
        ingest(image_bytes(), unit="64.03")
    assert_nothing_written(settings)
    # A provincial editor may upload into a kab/kota of the province.
    province_editor = make_user("64", Role.EDITOR)
    assert ingest(image_bytes(), unit="64.03", by=province_editor).unit == units["64.03"]


def test_contributor_can_upload(ingest: Ingest, make_user: Any) -> None:
    asset = ingest(image_bytes(), by=make_user("64.72", Role.CONTRIBUTOR), title="Rapat pleno")
    assert asset.title == "Rapat pleno"
