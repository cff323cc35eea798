"""The upload page: permissions, scope, clear refusals, early refusal of huge uploads."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadhandler import StopUpload
from django.test import Client, RequestFactory
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from bakohumas.core.models import Role
from bakohumas.media.models import MediaAsset
from bakohumas.media.upload import LimitedUploadHandler, too_large
from tests.media.conftest import (
    EXE,
    MP4,
    PDF,
    SVG,
    Units,
    bomb_png,
    image_bytes,
    pptx_bytes,
    stored_files,
    text,
    upload_file,
)

URL = "/app/media-library/upload/"
KB = 1024


def post(
    client: Client, units: Units, *files: tuple[str, bytes], unit: str = "64.72", **fields: Any
) -> Any:
    data: dict[str, Any] = {"unit": units[unit].pk, **fields}
    data["upload"] = [upload_file(name, content) for name, content in files]
    return client.post(URL, data)


def assert_nothing_written(settings: Any) -> None:
    assert not MediaAsset.objects.exists()
    assert stored_files(settings) == []


class CountingInput:
    """A ``wsgi.input`` that counts what the server reads."""

    def __init__(self, data: bytes) -> None:
        self.stream = io.BytesIO(data)
        self.read_bytes = 0

    def read(self, size: int = -1) -> bytes:
        chunk = self.stream.read(size if size is not None and size >= 0 else -1)
        self.read_bytes += len(chunk)
        return chunk

    def readline(self, size: int = -1) -> bytes:
        line = self.stream.readline(size)
        self.read_bytes += len(line)
        return line


def raw_post(
    client: Client, data: dict[str, Any], content_length: int | None = None
) -> tuple[Any, CountingInput, int]:
    body = encode_multipart(BOUNDARY, data)
    counting = CountingInput(body)
    response = client.generic(
        "POST",
        URL,
        body,
        MULTIPART_CONTENT,
        **{"wsgi.input": counting, "CONTENT_LENGTH": str(content_length or len(body))},
    )
    return response, counting, len(body)


# --- the form ---------------------------------------------------------------------------


def test_form_defaults_to_own_unit_and_announces_limits(login: Any, units: Units) -> None:
    body = text(login("64.72", Role.CONTRIBUTOR).get(URL))
    assert f'name="unit" value="{units["64.72"].pk}"' in body  # hidden: one unit only
    assert "data-media-limits=" in body and "Images up to 20.0 MB" in body
    assert "multiple" in body and 'name="upload"' in body
    province = text(login("64", Role.EDITOR).get(URL))
    assert "KPU Kabupaten Berau" in province and "KPU Kota Samarinda" in province


def test_viewer_gets_403(login: Any, units: Units, settings: Any) -> None:
    client = login("64.72", Role.VIEWER)
    assert client.get(URL).status_code == 403
    assert post(client, units, ("a.png", image_bytes())).status_code == 403
    assert_nothing_written(settings)


def test_anonymous_redirected_to_login(client: Client, units: Units) -> None:
    response = client.get(URL)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_upload_one_image_goes_to_its_page(login: Any, units: Units) -> None:
    response = post(
        login("64.72", Role.CONTRIBUTOR), units, ("foto.jpg", image_bytes("JPEG")), alt_text="Rapat"
    )
    asset = MediaAsset.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/app/media-library/{asset.pk}/"
    assert asset.alt_text == "Rapat" and asset.unit == units["64.72"]


def test_upload_several_files(login: Any, units: Units) -> None:
    response = post(
        login("64.72", Role.EDITOR),
        units,
        ("a.png", image_bytes()),
        ("b.pdf", PDF),
        ("c.pptx", pptx_bytes()),
        credit="Humas KPU Samarinda",
    )
    assert response.status_code == 302 and response["Location"] == "/app/media-library/"
    assert sorted(MediaAsset.objects.values_list("kind", flat=True)) == ["image", "pdf", "slides"]
    assert set(MediaAsset.objects.values_list("credit", flat=True)) == {"Humas KPU Samarinda"}


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("foto.jpg", EXE, "its content is of type “Windows program (EXE)”"),
        ("logo.svg", SVG, "SVG images are not accepted because they can contain scripts"),
        ("gambar.png", b"<html><script>alert(1)</script></html>", "“HTML document”"),
        ("bomb.png", bomb_png(), "possible decompression bomb"),
        ("bomb.pptx", pptx_bytes(extra={"x.bin": b"\x00" * (2 * 1024 * 1024)}), "zip bomb"),
    ],
)
def test_bad_files_refused_with_clear_message(
    login: Any, units: Units, settings: Any, name: str, content: bytes, message: str
) -> None:
    settings.MEDIA_MAX_SLIDES_UNCOMPRESSED_SIZE = 1024 * 1024
    response = post(login("64.72", Role.EDITOR), units, (name, content))
    assert response.status_code == 400
    body = text(response)
    assert f"{name}: " in body
    assert message in body
    assert_nothing_written(settings)


def test_good_files_kept_bad_ones_reported(login: Any, units: Units) -> None:
    response = post(login("64.72", Role.EDITOR), units, ("a.png", image_bytes()), ("x.jpg", EXE))
    assert response.status_code == 400
    body = text(response)
    assert "x.jpg: " in body and "1 file was added to the media library." in body
    assert MediaAsset.objects.get().kind == "image"


def test_unit_outside_scope_refused(login: Any, units: Units, settings: Any) -> None:
    response = post(login("64.72", Role.EDITOR), units, ("a.png", image_bytes()), unit="64.03")
    assert response.status_code == 400
    assert "Select a valid choice" in text(response)
    assert_nothing_written(settings)


def test_province_user_uploads_into_a_kabkota(login: Any, units: Units) -> None:
    response = post(login("64", Role.EDITOR), units, ("a.png", image_bytes()), unit="64.03")
    assert response.status_code == 302
    assert MediaAsset.objects.get().unit == units["64.03"]


def test_missing_file_is_a_form_error(login: Any, units: Units) -> None:
    response = login("64.72", Role.EDITOR).post(URL, {"unit": units["64.72"].pk})
    assert response.status_code == 400
    assert "This field is required." in text(response)


def test_upload_requires_csrf_token(make_user: Any, units: Units, settings: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("64.72", Role.EDITOR))
    assert post(client, units, ("a.png", image_bytes())).status_code == 403
    assert_nothing_written(settings)


# --- huge uploads are refused early -----------------------------------------------------


@pytest.fixture
def upload_temp_dir(settings: Any, tmp_path: Path) -> Path:
    """Force every uploaded file to a temporary file in a directory we can inspect."""
    directory = tmp_path / "upload-tmp"
    directory.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(directory)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1000
    return directory


def test_declared_several_gb_refused_without_reading_the_body(
    login: Any, units: Units, settings: Any, upload_temp_dir: Path
) -> None:
    client = login("64.72", Role.EDITOR)
    data = {"unit": units["64.72"].pk, "upload": upload_file("film.mp4", MP4)}
    response, counting, _size = raw_post(client, data, content_length=5 * 1024**3)
    assert response.status_code == 413
    assert "the largest upload accepted" in text(response)
    assert counting.read_bytes == 0  # not one byte of the body was read
    assert list(upload_temp_dir.iterdir()) == []
    assert_nothing_written(settings)


def test_oversized_video_stopped_mid_stream(
    login: Any, units: Units, settings: Any, upload_temp_dir: Path
) -> None:
    for name in ("IMAGE", "VIDEO", "AUDIO", "PDF", "SLIDES"):
        setattr(settings, f"MEDIA_MAX_{name}_SIZE", 64 * KB)
    client = login("64.72", Role.EDITOR)
    video = MP4 + b"\x00" * (900 * KB)
    data = {"unit": units["64.72"].pk, "upload": upload_file("rapat.mp4", video)}
    response, counting, size = raw_post(client, data)
    assert size < 64 * KB + 1024 * KB  # passes the Content-Length check: caught while streaming
    assert response.status_code == 413
    body = text(response)
    assert "rapat.mp4: Videos may be at most 64.0 KB" in body and "Nothing was saved." in body
    assert counting.read_bytes < 300 * KB < size  # stopped long before the end
    assert list(upload_temp_dir.iterdir()) == []
    assert_nothing_written(settings)


def test_limit_follows_the_content_kind_while_streaming(
    login: Any, units: Units, settings: Any, upload_temp_dir: Path
) -> None:
    settings.MEDIA_MAX_IMAGE_SIZE = 64 * KB  # videos keep their 500 MB
    client = login("64.72", Role.EDITOR)
    image = image_bytes("PNG", (10, 10))[:40] + b"\x00" * (900 * KB)
    data = {"unit": units["64.72"].pk, "upload": upload_file("video.mp4", image)}
    response, counting, size = raw_post(client, data)
    assert response.status_code == 413
    assert "video.mp4: Images may be at most 64.0 KB" in text(response)
    assert counting.read_bytes < 300 * KB < size
    assert_nothing_written(settings)


def test_handler_raises_stop_upload_with_connection_reset(settings: Any) -> None:
    settings.MEDIA_MAX_PDF_SIZE = 100
    request = RequestFactory().post(URL)
    handler = LimitedUploadHandler(request)
    handler.new_file("upload", "a.pdf", "application/pdf", None)
    assert handler.receive_data_chunk(PDF[:60], 0) == PDF[:60]
    with pytest.raises(StopUpload) as info:
        handler.receive_data_chunk(b"x" * 60, 60)
    assert info.value.connection_reset is True
    stopped = too_large(request)
    assert stopped is not None and stopped.kind == "pdf" and stopped.file_name == "a.pdf"


def test_handler_refuses_declared_file_length(settings: Any) -> None:
    settings.MEDIA_MAX_VIDEO_SIZE = 100
    for name in ("IMAGE", "AUDIO", "PDF", "SLIDES"):
        setattr(settings, f"MEDIA_MAX_{name}_SIZE", 50)
    handler = LimitedUploadHandler(RequestFactory().post(URL))
    with pytest.raises(StopUpload):
        handler.new_file("upload", "a.mp4", "video/mp4", 101)
