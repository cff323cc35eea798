"""The media-library endpoints: upload through the media services, scope, bad input."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from bakohumas.content.models import ContentMedia
from bakohumas.core.models import Role
from bakohumas.media.models import MediaAsset, MediaRendition
from tests.api.test_content_support import (  # noqa: F401 - fixtures
    CONTENT,
    _dummy_tasks,
    asset_factory_fixture,
    news,
)

MEDIA = "/api/v1/media"


def _jpeg(width: int = 1200, height: int = 800) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def _files(root: Any) -> list[Path]:
    base = Path(root)
    return sorted(p for p in base.rglob("*") if p.is_file()) if base.exists() else []


def _upload(client: Any, content: bytes, name: str = "foto.jpg", **fields: Any) -> Any:
    data = {"file": SimpleUploadedFile(name, content, content_type="image/jpeg"), **fields}
    return client.post(MEDIA, data)


@pytest.fixture
def editor(api: Callable[..., Any]) -> Any:
    return api("64.72", Role.EDITOR)


def test_upload_an_image(editor: Any, settings: Any, units: dict[str, Any]) -> None:
    response = _upload(editor, _jpeg(), "../../etc/Foto Rapat.jpg", alt_text="Rapat pleno")
    assert response.status_code == 201, response.content
    asset = response.json()
    assert asset["kind"] == "image" and asset["mime_type"] == "image/jpeg"
    assert asset["unit"]["code"] == "64.72"
    assert asset["original_name"] == "Foto Rapat.jpg"
    assert asset["alt_text"] == "Rapat pleno" and asset["needs_alt_text"] is False
    assert (asset["width"], asset["height"]) == (1200, 800)
    assert asset["url"].startswith("http://testserver/")
    names = {r["name"] for r in asset["renditions"]}
    assert "thumb" in names
    assert all(r["width"] <= 1200 for r in asset["renditions"])
    assert asset["used_by"] == [] and asset["use_count"] == 0
    assert asset["uploaded_by"]["id"] == editor.user.pk
    stored = MediaAsset.objects.get(pk=asset["id"])
    assert "Foto" not in stored.file.name and stored.file.name.endswith(".jpg")


def test_province_uploads_for_a_kabkota(api: Callable[..., Any], units: dict[str, Any]) -> None:
    province = api("64", Role.CONTRIBUTOR)
    response = _upload(province, _jpeg(64, 64), unit=units["64.03"].pk)
    assert response.status_code == 201, response.content
    assert response.json()["unit"]["code"] == "64.03"


@pytest.mark.parametrize(
    ("content", "name", "fragment"),
    [
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "gambar.jpg",
            "SVG",
        ),
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200, "foto.jpg", ""),
        (b"<!doctype html><html><script>alert(1)</script></html>", "foto.png", ""),
        (b"", "kosong.jpg", "empty"),
    ],
)
def test_refused_files_write_nothing(
    editor: Any, settings: Any, content: bytes, name: str, fragment: str
) -> None:
    response = _upload(editor, content, name)
    assert response.status_code == 422, response.content
    messages = response.json()["errors"]["file"]
    assert messages and fragment in " ".join(messages)
    assert MediaAsset.objects.count() == 0
    assert _files(settings.MEDIA_ROOT) == []


def test_oversized_upload_is_413_and_writes_nothing(editor: Any, settings: Any) -> None:
    for name in ("IMAGE", "VIDEO", "AUDIO", "PDF", "SLIDES"):
        setattr(settings, f"MEDIA_MAX_{name}_SIZE", 10_000)
    response = _upload(editor, _jpeg(2000, 2000) + b"\x00" * 50_000)
    assert response.status_code == 413, response.content
    assert "at most" in response.json()["detail"] or "larger" in response.json()["detail"]
    assert MediaAsset.objects.count() == 0
    assert _files(settings.MEDIA_ROOT) == []


def test_bad_upload_forms(editor: Any, units: dict[str, Any]) -> None:
    assert editor.post(MEDIA, {}).status_code == 422
    response = _upload(editor, _jpeg(64, 64), colour="red")
    assert response.status_code == 422 and "colour" in response.json()["errors"]
    response = _upload(editor, _jpeg(64, 64), unit=units["64.03"].pk)
    assert response.status_code == 422 and "unit" in response.json()["errors"]
    response = _upload(editor, _jpeg(64, 64), alt_text="x" * 501)
    assert response.status_code == 422 and "alt_text" in response.json()["errors"]
    extra = SimpleUploadedFile("b.jpg", _jpeg(8, 8), content_type="image/jpeg")
    response = _upload(editor, _jpeg(64, 64), other=extra)
    assert response.status_code == 422 and "other" in response.json()["errors"]
    response = _upload(editor, _jpeg(64, 64), title="a\x00b")
    assert response.status_code == 422 and "title" in response.json()["errors"]
    assert MediaAsset.objects.count() == 0


def test_viewer_cannot_upload_edit_or_delete(
    api: Callable[..., Any], asset_factory: Any, settings: Any
) -> None:
    asset = asset_factory("64.72")
    viewer = api("64.72", Role.VIEWER)
    assert _upload(viewer, _jpeg(64, 64)).status_code == 403
    response = viewer.patch_json(f"{MEDIA}/{asset.pk}", {"alt_text": "x"})
    assert response.status_code == 403
    assert viewer.delete(f"{MEDIA}/{asset.pk}").status_code == 403
    assert api("64.72", Role.EDITOR).delete(f"{MEDIA}/{asset.pk}").status_code == 403
    assert MediaAsset.objects.get(pk=asset.pk).alt_text == asset.alt_text
    assert MediaAsset.objects.count() == 1
    assert viewer.get(f"{MEDIA}/{asset.pk}").status_code == 200


def test_another_kabkota_gets_404(api: Callable[..., Any], asset_factory: Any) -> None:
    asset = asset_factory("64.72")
    berau = api("64.03", Role.ADMINISTRATOR)
    assert berau.get(f"{MEDIA}/{asset.pk}").status_code == 404
    assert berau.patch_json(f"{MEDIA}/{asset.pk}", {"title": "x"}).status_code == 404
    assert berau.delete(f"{MEDIA}/{asset.pk}").status_code == 404
    assert berau.get(MEDIA).json()["count"] == 0
    assert MediaAsset.objects.get(pk=asset.pk).title == asset.title
    assert api("64", Role.VIEWER).get(f"{MEDIA}/{asset.pk}").status_code == 200


def test_patch_texts(editor: Any, asset_factory: Any) -> None:
    asset = asset_factory("64.72", alt_text="")
    response = editor.patch_json(
        f"{MEDIA}/{asset.pk}", {"alt_text": "  Petugas 🗳️ انتخابات  ", "credit": None}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["alt_text"] == "Petugas 🗳️ انتخابات" and body["needs_alt_text"] is False
    assert body["title"] == asset.title and body["credit"] == ""
    for payload, field in [
        ({"alt_text": "x" * 501}, "alt_text"),
        ({"caption": "\x00"}, "caption"),
        ({"file": "x.jpg"}, "file"),
        ({"kind": "video"}, "kind"),
    ]:
        response = editor.patch_json(f"{MEDIA}/{asset.pk}", payload)
        assert response.status_code == 422, payload
        assert field in response.json()["errors"]
    assert MediaAsset.objects.get(pk=asset.pk).kind == "image"


def test_delete_refused_while_used(
    editor: Any, asset_factory: Any, api: Callable[..., Any]
) -> None:
    coordinator = api("64.72", Role.COORDINATOR)
    asset = asset_factory("64.72")
    item = editor.post_json(CONTENT, news(form="photo", media=[asset.pk])).json()
    detail = editor.get(f"{MEDIA}/{asset.pk}").json()
    assert detail["used_by"][0]["id"] == item["id"] and detail["use_count"] == 1
    response = coordinator.delete(f"{MEDIA}/{asset.pk}")
    assert response.status_code == 409, response.content
    assert "used by 1 content item" in response.json()["detail"]
    assert MediaAsset.objects.filter(pk=asset.pk).exists()
    ContentMedia.objects.filter(asset=asset).delete()
    response = coordinator.delete(f"{MEDIA}/{asset.pk}")
    assert response.status_code == 200 and response.json()["deleted"] is True
    assert not MediaAsset.objects.filter(pk=asset.pk).exists()


def test_list_filters(api: Callable[..., Any], asset_factory: Any, units: dict[str, Any]) -> None:
    client = api("64", Role.VIEWER)
    image = asset_factory("64.72", title="Rapat pleno")
    bare = asset_factory("64.72", alt_text="")
    video = asset_factory("64.03", kind="video", mime_type="video/mp4", file="media/v.mp4")

    def ids(query: str) -> set[int]:
        response = client.get(f"{MEDIA}?{query}")
        assert response.status_code == 200, response.content
        return {r["id"] for r in response.json()["results"]}

    assert ids("") == {image.pk, bare.pk, video.pk}
    assert ids("kind=video") == {video.pk}
    assert ids(f"unit={units['64.72'].pk}") == {image.pk, bare.pk}
    assert ids("missing_alt=true") == {bare.pk}
    assert ids("q=pleno") == {image.pk}
    assert client.get(f"{MEDIA}?kind=exe").status_code == 422


def test_list_queries_do_not_grow(api: Callable[..., Any], asset_factory: Any) -> None:
    client = api("64.72", Role.VIEWER)
    client.get(MEDIA)

    def count(n: int) -> tuple[int, int]:
        for _ in range(n):
            asset = asset_factory("64.72")
            MediaRendition.objects.create(
                asset=asset,
                name="thumb",
                file=f"{asset.file.name}-t",
                width=320,
                height=240,
                mime_type="image/webp",
            )
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(f"{MEDIA}?page_size=200")
        assert response.status_code == 200
        return len(ctx.captured_queries), response.json()["count"]

    few, few_rows = count(3)
    many, many_rows = count(20)
    assert many_rows == few_rows + 20
    assert many == few and few <= 8, (few, many)
