"""The shared abuse limits of the public forms (``core.abuse``): the time trap, the rate
limits, the attachment check by content, the visitor's address and the form guard."""

from __future__ import annotations

import io
import time
from typing import Any

import pytest
from django.core import signing
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from PIL import Image

from bakohumas.core import abuse
from bakohumas.core.abuse import StampState

SALT = "tests.core.abuse"


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    caches["default"].clear()


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


@pytest.mark.django_db
def test_stamp_states(units: dict[str, Any]) -> None:
    unit, other = units["64.72"], units["64.03"]
    now = time.time()
    good = abuse.read_stamp(abuse.form_stamp(unit, salt=SALT, at=now - 10), unit, salt=SALT)
    assert good.state is StampState.OK and good.ok and 9 < (good.age or 0) < 12
    assert len(good.token) >= 16
    fast = abuse.form_stamp(unit, salt=SALT, at=now - 0.5)
    assert abuse.read_stamp(fast, unit, salt=SALT).state is StampState.TOO_FAST
    old = abuse.form_stamp(unit, salt=SALT, at=now - abuse.FORM_MAX_AGE - 5)
    assert abuse.read_stamp(old, unit, salt=SALT).state is StampState.EXPIRED
    for forged in (
        "",
        "forged",
        abuse.form_stamp(unit, salt="another form"),
        abuse.form_stamp(other, salt=SALT, at=now - 10),
        signing.dumps([unit.pk, "yesterday", "t"], salt=SALT),
        signing.dumps([unit.pk, True, "t"], salt=SALT),
        signing.dumps({"unit": unit.pk}, salt=SALT),
    ):
        assert abuse.read_stamp(forged, unit, salt=SALT).state is StampState.INVALID
    # The same form keeps its token; every new form gets another.
    kept = abuse.form_stamp(unit, salt=SALT, at=now - 10, token="abc")
    assert abuse.read_stamp(kept, unit, salt=SALT).token == "abc"
    first = abuse.read_stamp(abuse.form_stamp(unit, salt=SALT, at=now - 5), unit, salt=SALT)
    assert first.token != good.token


def test_rate_limit_counts_per_key_and_window() -> None:
    assert [abuse.hit("s", "198.51.100.1", 3, 60) for _ in range(5)] == [
        False,
        False,
        False,
        True,
        True,
    ]
    assert abuse.is_over("s", "198.51.100.1", 3)
    # Another key and another scope count on their own.
    assert abuse.hit("s", "198.51.100.2", 3, 60) is False
    assert abuse.hit("t", "198.51.100.1", 3, 60) is False
    assert not abuse.is_over("s", "198.51.100.2", 3)
    # The address is not in the cache key.
    assert "198.51.100.1" not in abuse._key("s", "198.51.100.1")


def test_rate_limit_window_ends(settings: Any) -> None:
    assert abuse.hit("w", "k", 1, 1) is False
    assert abuse.hit("w", "k", 1, 1) is True
    caches["default"].delete(abuse._key("w", "k"))  # the window ended
    assert abuse.hit("w", "k", 1, 1) is False


def test_check_upload_reads_the_content() -> None:
    image = abuse.check_upload(
        SimpleUploadedFile("Foto saya.JPG", png_bytes()), kinds=(abuse.IMAGE,)
    )
    assert (image.name, image.content_type, image.kind) == ("Foto saya.png", "image/png", "image")
    pdf = abuse.check_upload(
        SimpleUploadedFile("ktp.png", PDF), kinds=(abuse.IMAGE, abuse.PDF), stem="identity"
    )
    assert (pdf.name, pdf.content_type) == ("identity.pdf", "application/pdf")
    assert pdf.as_tuple() == ("identity.pdf", PDF, "application/pdf")
    with pytest.raises(ValidationError, match="not an image"):
        abuse.check_upload(SimpleUploadedFile("photo.png", EXE), kinds=(abuse.IMAGE,))
    with pytest.raises(ValidationError, match="not an image"):
        abuse.check_upload(
            SimpleUploadedFile("photo.jpg", b"<html><script>alert(1)</script></html>"),
            kinds=(abuse.IMAGE,),
        )
    with pytest.raises(ValidationError, match="its content is PDF, not an image"):
        abuse.check_upload(SimpleUploadedFile("scan.png", PDF), kinds=(abuse.IMAGE,))
    with pytest.raises(ValidationError, match="too large"):
        abuse.check_upload(
            SimpleUploadedFile("big.png", png_bytes() + b"\x00" * 2000),
            kinds=(abuse.IMAGE,),
            max_size=1000,
        )


def test_client_ip_falls_back_to_remote_addr() -> None:
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.5")
    assert abuse.client_ip(request) == "203.0.113.5"
    bare = RequestFactory().get("/")
    bare.META.pop("REMOTE_ADDR", None)
    assert abuse.client_ip(bare) == ""


def test_content_length() -> None:
    factory = RequestFactory()
    assert abuse.content_length(factory.post("/", {"a": "b"})) > 0
    assert abuse.content_length(factory.get("/", CONTENT_LENGTH="nonsense")) == 0
    assert abuse.content_length(factory.get("/", CONTENT_LENGTH="-5")) == 0


def _view(request: HttpRequest) -> HttpResponse:
    return HttpResponse(f"ok {request.POST.get('x', '')}")


def _no_csrf(request: HttpRequest) -> HttpRequest:
    request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]
    return request


@pytest.mark.django_db
def test_guarded_form_refuses_big_bodies_and_other_methods() -> None:
    view = abuse.guarded_form(1000)(_view)
    factory = RequestFactory()
    assert view(factory.get("/")).status_code == 200
    assert view(_no_csrf(factory.post("/", {"x": "1"}))).content == b"ok 1"
    big = view(factory.post("/", {"x": "y" * 2000}))
    assert big.status_code == 413
    assert "too large" in big.content.decode() and "no-store" in big["Cache-Control"]
    # A declared length over the limit is refused without reading the body.
    declared = factory.post("/", {"x": "1"}, CONTENT_LENGTH="5000")
    assert view(declared).status_code == 413
    assert view(factory.put("/", {})).status_code == 405
    assert view(factory.delete("/")).status_code == 405


@pytest.mark.django_db
def test_guarded_form_answers_a_body_django_refuses(settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    view = abuse.guarded_form(10_000)(_view)
    response = view(RequestFactory().post("/", {"x": "y" * 500}))
    assert response.status_code == 413
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 2
    many = view(RequestFactory().post("/", {f"f{i}": "1" for i in range(5)}))
    assert many.status_code == 400 and "could not be read" in many.content.decode()


@pytest.mark.django_db
def test_guarded_form_checks_csrf() -> None:
    view = abuse.guarded_form(1000)(_view)
    request = RequestFactory().post("/", {"x": "1"})
    # Without the token (RequestFactory does not skip the check as the test client does).
    assert view(request).status_code == 403
    assert view(_no_csrf(RequestFactory().post("/", {"x": "1"}))).status_code == 200
