"""The public inbox forms of a unit's portal: the contact form (question, feedback,
complaint) and the hoax report, with their abuse limits."""

from __future__ import annotations

import io
import time
from typing import Any

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse
from PIL import Image

from bakohumas.core.models import WorkUnit
from bakohumas.inbox import public_views
from bakohumas.inbox.models import Attachment, Channel, Message, Thread, ThreadKind
from bakohumas.stakeholders.models import Contact

EMAIL = "Siti.Aminah@Example.ID"
STORED_EMAIL = "Siti.Aminah@example.id"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


@pytest.fixture(autouse=True)
def _fresh_limits() -> None:
    caches["default"].clear()


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 120, 200)).save(buffer, "PNG")
    return buffer.getvalue()


def upload(name: str, content: bytes) -> io.BytesIO:
    handle = io.BytesIO(content)
    handle.name = name
    return handle


def contact_url(code: str = "64.72") -> str:
    return reverse("inbox_public:contact", args=[code])


def hoax_url(code: str = "64.72") -> str:
    return reverse("inbox_public:hoax", args=[code])


def stamp(unit: WorkUnit, salt: str, age: float = 10, token: str | None = None) -> str:
    from bakohumas.core import abuse

    return abuse.form_stamp(unit, salt=salt, at=time.time() - age, token=token)


def contact_form(unit: WorkUnit, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "question",
        "name": "Siti Aminah",
        "email": EMAIL,
        "phone": "0812-3456-7890",
        "subject": "Jadwal coklit",
        "message": "Kapan petugas datang ke rumah kami? 🙏",
        "consent": "on",
        "website": "",
        "ts": stamp(unit, public_views.CONTACT.salt),
    }
    data.update(extra)
    return data


def hoax_form(unit: WorkUnit, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "claim": "Pesan berantai: pemilih tanpa KTP-el tidak bisa memilih.",
        "link": "https://example.org/post/123",
        "seen_on": "WhatsApp",
        "seen_on_other": "grup RT 05",
        "name": "",
        "email": "",
        "consent": "on",
        "website": "",
        "ts": stamp(unit, public_views.HOAX.salt),
    }
    data.update(extra)
    return data


@pytest.mark.django_db
def test_contact_form_page_is_private_and_sessionless(
    client: Client, units: dict[str, WorkUnit]
) -> None:
    response = client.get(contact_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert "Contact us" in page and units["64.72"].name in page
    for name in ("csrfmiddlewaretoken", "ts", "website", "kind", "email", "attachment", "consent"):
        assert f'name="{name}"' in page
    assert 'enctype="multipart/form-data"' in page
    assert 'id="privacy"' in page
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert not response.wsgi_request.session.accessed
    assert client.get(contact_url("99.99")).status_code == 404
    assert client.get(hoax_url("99.99")).status_code == 404
    WorkUnit.objects.filter(code="64.03").update(is_active=False)
    assert client.get(contact_url("64.03")).status_code == 404
    assert client.post(contact_url("64.03"), {}).status_code == 404


@pytest.mark.django_db
def test_question_becomes_a_portal_thread(
    client: Client, units: dict[str, WorkUnit], django_capture_on_commit_callbacks: Any
) -> None:
    unit = units["64.72"]
    contact = Contact.objects.create(unit=unit, name="Siti Aminah", email="siti.aminah@example.id")
    data = contact_form(
        unit,
        kind="complaint",
        message='<script>alert("x")</script> Tolong dibantu 🙏\nBaris dua',
        attachment=upload("bukti.pdf", PDF),
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(contact_url(), data, REMOTE_ADDR="198.51.100.20")
    assert response.status_code == 200, response.content.decode()
    page = response.content.decode()
    thread = Thread.objects.get()
    assert (thread.unit, thread.kind, thread.channel) == (
        unit,
        ThreadKind.COMPLAINT,
        Channel.PORTAL,
    )
    assert (thread.handle, thread.name, thread.phone) == (
        STORED_EMAIL,
        "Siti Aminah",
        "+6281234567890",
    )
    assert thread.subject == "Jadwal coklit"
    assert thread.contact == contact
    assert thread.due_at is not None and thread.first_response_due is not None
    message = Message.objects.get()
    # Stored as given (emoji and HTML), shown inert.
    assert message.body == '<script>alert("x")</script> Tolong dibantu 🙏\nBaris dua'
    assert message.dedupe_key and message.dedupe_key.startswith("portal:")
    assert "<script>alert" not in page
    assert (
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Tolong dibantu 🙏<br>Baris dua" in page
    )
    assert str(thread.public_id)[:8] in page
    assert "Thank you for your message" in page
    assert "no-store" in response["Cache-Control"]
    assert not response.wsgi_request.session.accessed
    attachment = Attachment.objects.get()
    assert (attachment.name, attachment.content_type, attachment.size) == (
        "bukti.pdf",
        "application/pdf",
        len(PDF),
    )
    assert attachment.file.read() == PDF


@pytest.mark.django_db
def test_double_submit_makes_one_thread(client: Client, units: dict[str, WorkUnit]) -> None:
    unit = units["64.72"]
    data = contact_form(unit)
    first = client.post(contact_url(), data)
    second = client.post(contact_url(), data)
    assert first.status_code == second.status_code == 200
    thread = Thread.objects.get()
    assert Message.objects.count() == 1
    assert str(thread.public_id)[:8] in second.content.decode()
    # Another form (another stamp) is another thread.
    client.post(contact_url(), contact_form(unit, subject="Lain"))
    assert Thread.objects.count() == 2


@pytest.mark.django_db
def test_hoax_report_becomes_a_hoax_thread(client: Client, units: dict[str, WorkUnit]) -> None:
    unit = units["64.72"]
    response = client.post(hoax_url(), hoax_form(unit, screenshot=upload("layar.jpg", png_bytes())))
    assert response.status_code == 200, response.content.decode()
    assert "Thank you for your report" in response.content.decode()
    thread = Thread.objects.get()
    assert (thread.kind, thread.channel, thread.handle) == (
        ThreadKind.HOAX_REPORT,
        Channel.PORTAL,
        "",
    )
    assert thread.claim_url == "https://example.org/post/123"
    assert thread.seen_on == "WhatsApp: grup RT 05"
    assert Message.objects.get().body.startswith("Pesan berantai")
    attachment = Attachment.objects.get()
    assert (attachment.name, attachment.content_type) == ("layar.png", "image/png")
    # "Somewhere else" needs the place; a reporter's email is the thread's address.
    missing = client.post(hoax_url(), hoax_form(unit, seen_on="other", seen_on_other=""))
    assert missing.status_code == 400 and "Say where you saw it." in missing.content.decode()
    other = client.post(
        hoax_url(),
        hoax_form(unit, seen_on="other", seen_on_other="Telegram", email="warga@example.id"),
    )
    assert other.status_code == 200
    latest = Thread.objects.order_by("-id").first()
    assert latest is not None
    assert (latest.seen_on, latest.handle) == ("Telegram", "warga@example.id")


@pytest.mark.django_db
def test_bad_input_is_answered_and_writes_nothing(
    client: Client, units: dict[str, WorkUnit]
) -> None:
    unit = units["64.72"]
    cases = [
        (contact_url(), contact_form(unit, email=""), "the answer is sent there"),
        (contact_url(), contact_form(unit, email="bukan-alamat"), "Enter a valid email address."),
        (contact_url(), contact_form(unit, phone="12"), "is not a valid phone number"),
        (contact_url(), contact_form(unit, message="x" * 5001), "at most 5000 characters"),
        (contact_url(), contact_form(unit, message=""), "Write your message."),
        (contact_url(), contact_form(unit, kind="message"), "Select a valid choice"),
        (contact_url(), contact_form(unit, consent=""), "agree to the privacy notice"),
        (hoax_url(), hoax_form(unit, link="javascript:alert(1)"), "Enter a full web address"),
        (hoax_url(), hoax_form(unit, seen_on=""), "Choose where you saw it."),
    ]
    for url, data, message in cases:
        response = client.post(url, data)
        assert response.status_code == 400, message
        assert message in response.content.decode(), message
        assert 'value="Siti Aminah"' in response.content.decode() or url == hoax_url()
    assert Thread.objects.count() == 0 and Message.objects.count() == 0


@pytest.mark.django_db
def test_disguised_attachments_are_refused(client: Client, units: dict[str, WorkUnit]) -> None:
    unit = units["64.72"]
    program = client.post(contact_url(), contact_form(unit, attachment=upload("foto.png", EXE)))
    assert program.status_code == 400
    assert "not accepted" in program.content.decode()
    page = client.post(
        hoax_url(), hoax_form(unit, screenshot=upload("layar.jpg", b"<html><script>x</script>"))
    )
    assert page.status_code == 400 and "not accepted" in page.content.decode()
    pdf_as_screenshot = client.post(hoax_url(), hoax_form(unit, screenshot=upload("a.png", PDF)))
    assert pdf_as_screenshot.status_code == 400
    assert "its content is PDF, not an image" in pdf_as_screenshot.content.decode()
    too_big = client.post(
        contact_url(),
        contact_form(unit, attachment=upload("besar.png", png_bytes() + b"\0" * (5 * 1024 * 1024))),
    )
    assert too_big.status_code == 400 and "too large" in too_big.content.decode()
    assert Thread.objects.count() == 0 and Attachment.objects.count() == 0


@pytest.mark.django_db
def test_oversized_body_gets_a_friendly_413(client: Client, units: dict[str, WorkUnit]) -> None:
    unit = units["64.72"]
    huge = upload("besar.pdf", PDF + b"\0" * (public_views.MAX_BODY + 1024))
    response = client.post(contact_url(), contact_form(unit, attachment=huge))
    assert response.status_code == 413
    page = response.content.decode()
    assert "The form is too large" in page and "Nothing was saved" in page
    assert unit.name in page  # the portal's look
    declared = client.post(
        hoax_url(), hoax_form(unit), CONTENT_LENGTH=str(public_views.MAX_BODY + 1)
    )
    assert declared.status_code == 413
    assert Thread.objects.count() == 0


@pytest.mark.django_db
def test_robots_are_refused(client: Client, units: dict[str, WorkUnit]) -> None:
    unit = units["64.72"]
    salt = public_views.CONTACT.salt
    trapped = client.post(contact_url(), contact_form(unit, website="http://spam.example"))
    assert trapped.status_code == 400 and "Nothing was saved" in trapped.content.decode()
    quick = client.post(contact_url(), contact_form(unit, ts=stamp(unit, salt, age=0.2)))
    assert quick.status_code == 400 and "very quick" in quick.content.decode()
    assert 'value="Jadwal coklit"' in quick.content.decode()  # kept for sending again
    old = stamp(unit, salt, age=25 * 3600)
    expired = client.post(contact_url(), contact_form(unit, ts=old))
    assert expired.status_code == 400
    assert "The form has expired. Please check it and send it again." in expired.content.decode()
    for forged in ("", "forged", stamp(units["64.03"], salt), stamp(unit, public_views.HOAX.salt)):
        response = client.post(contact_url(), contact_form(unit, ts=forged))
        assert response.status_code == 400 and "expired" in response.content.decode()
    assert Thread.objects.count() == 0


@pytest.mark.django_db
def test_rate_limit_per_ip(client: Client, units: dict[str, WorkUnit]) -> None:
    unit = units["64.72"]
    for i in range(public_views.SUBMIT_LIMIT):
        response = client.post(
            contact_url(), contact_form(unit, email=f"w{i}@example.id", phone="")
        )
        assert response.status_code == 200
    blocked = client.post(contact_url(), contact_form(unit, email="lagi@example.id", phone=""))
    assert blocked.status_code == 429
    assert blocked["Retry-After"] == str(public_views.WINDOW)
    assert "Too many requests" in blocked.content.decode()
    assert not Thread.objects.filter(handle="lagi@example.id").exists()
    # The hoax form and another address count on their own.
    assert client.post(hoax_url(), hoax_form(unit)).status_code == 200
    other = client.post(
        contact_url(),
        contact_form(unit, email="lain@example.id", phone=""),
        REMOTE_ADDR="203.0.113.9",
    )
    assert other.status_code == 200
    assert Thread.objects.count() == public_views.SUBMIT_LIMIT + 2


@pytest.mark.django_db
def test_attempts_per_ip_are_bounded(client: Client, units: dict[str, WorkUnit]) -> None:
    unit = units["64.72"]
    for _ in range(public_views.ATTEMPT_LIMIT):
        assert client.post(contact_url(), contact_form(unit, message="")).status_code == 400
    assert client.post(contact_url(), contact_form(unit)).status_code == 429
    assert Thread.objects.count() == 0


@pytest.mark.django_db
def test_rate_limit_per_contact(client: Client, units: dict[str, WorkUnit]) -> None:
    unit = units["64.72"]
    for i in range(public_views.CONTACT_LIMIT):
        response = client.post(
            contact_url(), contact_form(unit, phone=""), REMOTE_ADDR=f"198.51.100.{i + 1}"
        )
        assert response.status_code == 200
    same_email = client.post(
        contact_url(), contact_form(unit, email=EMAIL.lower(), phone=""), REMOTE_ADDR="203.0.113.1"
    )
    assert same_email.status_code == 429
    # The same phone number under other addresses.
    for i in range(public_views.CONTACT_LIMIT):
        response = client.post(
            contact_url(),
            contact_form(unit, email=f"n{i}@example.id"),
            REMOTE_ADDR=f"192.0.2.{i + 1}",
        )
        assert response.status_code == 200
    same_phone = client.post(
        contact_url(),
        contact_form(unit, email="baru@example.id", phone="+62 812 3456 7890"),
        REMOTE_ADDR="192.0.2.99",
    )
    assert same_phone.status_code == 429
    assert Thread.objects.count() == 2 * public_views.CONTACT_LIMIT


@pytest.mark.django_db
def test_csrf_stays_on_without_a_session(units: dict[str, WorkUnit]) -> None:
    browser = Client(enforce_csrf_checks=True)
    unit = units["64.72"]
    refused = browser.post(contact_url(), contact_form(unit))
    assert refused.status_code == 403
    page = browser.get(contact_url())
    token = page.cookies["csrftoken"].value
    sent = browser.post(contact_url(), {**contact_form(unit), "csrfmiddlewaretoken": token})
    assert sent.status_code == 200
    assert not sent.wsgi_request.session.accessed
    assert Thread.objects.count() == 1


@pytest.mark.django_db
def test_pages_load_in_indonesian(
    client: Client, units: dict[str, WorkUnit], settings: Any
) -> None:
    settings.LANGUAGE_CODE = "id"
    for url in (contact_url(), hoax_url()):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="id")
        assert response.status_code == 200
        assert '<html lang="id">' in response.content.decode()


@pytest.mark.django_db
def test_portal_links_to_the_forms(client: Client, units: dict[str, WorkUnit]) -> None:
    home = client.get(reverse("portal:unit_home", args=["64.72"])).content.decode()
    for url in (
        contact_url(),
        hoax_url(),
        reverse("ppid_public:request", args=["64.72"]),
        reverse("ppid_public:track"),
    ):
        assert f'href="{url}"' in home
    for text in ("Ask a question", "Report a hoax", "Information request", "Track a request"):
        assert text in home
    # Every portal page's footer has them.
    agenda = client.get(reverse("portal:agenda", args=["64.72"])).content.decode()
    assert (
        f'href="{contact_url()}"' in agenda and f'href="{reverse("ppid_public:track")}"' in agenda
    )
