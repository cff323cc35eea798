"""The public PPID pages: the information request form, the confirmation with the secret
code, the tracking page (lookup, timeline, decision, answer document, objection) and the
abuse limits of both."""

from __future__ import annotations

import io
import re
import time
from typing import Any

import pytest
from django.core import mail
from django.core.cache import caches
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from bakohumas.core import abuse
from bakohumas.core.models import WorkUnit
from bakohumas.inbox.models import Thread, ThreadKind
from bakohumas.ppid import public_views, services
from bakohumas.ppid.models import InformationRequest, Objection, RequestStatus, RuleSet
from tests.ppid.conftest import VALID_NIK

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
TRACK = "/ppid/lacak/"


@pytest.fixture(autouse=True)
def _fresh_limits() -> None:
    caches["default"].clear()


def url(code: str = "64.72") -> str:
    return reverse("ppid_public:request", args=[code])


def upload(name: str, content: bytes) -> io.BytesIO:
    handle = io.BytesIO(content)
    handle.name = name
    return handle


def form(unit: WorkUnit, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "requester_kind": "person",
        "name": "Budi Santoso",
        "identity_type": "nik",
        "identity_number": "6472 0157 0890 0003",
        "address": "Jl. Gajah Mada 1, Samarinda",
        "email": "Budi@Example.ID",
        "phone": "0812 3456 7890",
        "occupation": "Jurnalis",
        "information": "Salinan SK penetapan DPT <script>alert(1)</script> 📄",
        "purpose": "Liputan",
        "receive_method": "softcopy",
        "copy_method": "email",
        "rule_set": "perki",
        "consent": "on",
        "website": "",
        "ts": abuse.form_stamp(unit, salt=public_views.REQUEST_SALT, at=time.time() - 30),
    }
    data.update(extra)
    return data


def code_on(page: str) -> str:
    match = re.search(r'class="secret-code">([A-Z0-9]+)<', page)
    assert match, page
    return match.group(1)


def lookup(client: Client, number: str, code: str, **extra: Any) -> Any:
    return client.post(TRACK, {"register_number": number, "code": code}, **extra)


@pytest.mark.django_db
def test_request_form_page(client: Client, units: dict[str, WorkUnit]) -> None:
    response = client.get(url())
    assert response.status_code == 200
    page = response.content.decode()
    assert "Request public information" in page
    for name in ("csrfmiddlewaretoken", "ts", "website", "identity_number", "identity_scan"):
        assert f'name="{name}"' in page
    # PerKI 1/2019 (election information) is the default for KPU.
    assert re.search(r'value="perki"[^>]*checked', page)
    assert "no-store" in response["Cache-Control"]
    assert not response.wsgi_request.session.accessed
    assert client.get(url("99.99")).status_code == 404


@pytest.mark.django_db
def test_request_is_registered_and_acknowledged(
    client: Client, units: dict[str, WorkUnit], django_capture_on_commit_callbacks: Any
) -> None:
    unit = units["64.72"]
    data = form(unit, identity_scan=upload("ktp.jpg", PDF))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(), data)
    assert response.status_code == 200, response.content.decode()
    page = response.content.decode()
    request = InformationRequest.objects.get()
    code = code_on(page)
    assert request.register_number in page
    assert services.track(request.register_number, code) == request
    assert code not in request.tracking_code_hash
    assert (request.unit, request.channel, request.rule_set) == (unit, "portal", RuleSet.PERKI)
    assert request.identity_number == VALID_NIK
    assert (request.email, request.phone) == ("Budi@example.id", "+6281234567890")
    assert request.identity_scan.name.endswith(".pdf")
    assert request.identity_scan.read() == PDF
    # The due date in the unit's own days, and the tracking link.
    assert request.due_date is not None
    assert request.due_date.strftime("%-d %B %Y") in page and "WITA" in page
    number = request.register_number.replace("/", "%2F")
    assert f'href="{TRACK}?nomor={number}"' in page
    # The text is stored as given and shown inert.
    assert request.information == "Salinan SK penetapan DPT <script>alert(1)</script> 📄"
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; 📄" in page
    # The inbox thread, and the acknowledgement with the code.
    thread = Thread.objects.get()
    assert thread.kind == ThreadKind.INFORMATION_REQUEST and request.thread == thread
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["Budi@example.id"] and code in mail.outbox[0].body
    assert "no-store" in response["Cache-Control"]
    assert not response.wsgi_request.session.accessed


@pytest.mark.django_db
def test_double_submit_registers_one_request(client: Client, units: dict[str, WorkUnit]) -> None:
    unit = units["64.72"]
    data = form(unit)
    assert client.post(url(), data).status_code == 200
    again = client.post(url(), data)
    assert again.status_code == 200
    request = InformationRequest.objects.get()
    assert "already sent" in again.content.decode()
    assert request.register_number in again.content.decode()
    assert 'class="secret-code"' not in again.content.decode()


@pytest.mark.django_db
def test_invalid_identity_number_is_refused(client: Client, units: dict[str, WorkUnit]) -> None:
    unit = units["64.72"]
    cases = [
        ("12345", "exactly 16 digits"),
        ("9972015708900003", "province code"),
        ("6472019908900003", "date of birth"),
        ("6472015708900000", "cannot be 0000"),
    ]
    for number, message in cases:
        response = client.post(url(), form(unit, identity_number=number))
        assert response.status_code == 400
        page = response.content.decode()
        assert message in page and 'id="id_identity_number_error"' in page
    passport = client.post(url(), form(unit, identity_type="passport", identity_number="X"))
    assert passport.status_code == 400 and "identity document" in passport.content.decode()
    assert InformationRequest.objects.count() == 0 and Thread.objects.count() == 0


@pytest.mark.django_db
def test_other_bad_input_writes_nothing(client: Client, units: dict[str, WorkUnit]) -> None:
    unit = units["64.72"]
    cases = [
        (form(unit, email="", phone=""), "Give an email address or a phone number"),
        (form(unit, information=""), "This field is required."),
        (form(unit, rule_set="other"), "Select a valid choice"),
        (form(unit, consent=""), "agree to the privacy notice"),
        (form(unit, identity_scan=upload("ktp.png", EXE)), "not accepted"),
        (form(unit, information="x" * 5001), "At most 5000 characters"),
    ]
    for data, message in cases:
        response = client.post(url(), data)
        assert response.status_code == 400, message
        assert message in response.content.decode(), message
    assert InformationRequest.objects.count() == 0


@pytest.mark.django_db
def test_request_form_abuse_limits(client: Client, units: dict[str, WorkUnit]) -> None:
    unit = units["64.72"]
    salt = public_views.REQUEST_SALT
    assert client.post(url(), form(unit, website="x")).status_code == 400
    quick = client.post(url(), form(unit, ts=abuse.form_stamp(unit, salt=salt)))
    assert quick.status_code == 400 and "very quick" in quick.content.decode()
    old = abuse.form_stamp(unit, salt=salt, at=time.time() - 25 * 3600)
    expired = client.post(url(), form(unit, ts=old))
    assert expired.status_code == 400 and "expired" in expired.content.decode()
    big = client.post(url(), form(unit), CONTENT_LENGTH=str(public_views.MAX_BODY + 1))
    assert big.status_code == 413 and "too large" in big.content.decode()
    assert InformationRequest.objects.count() == 0
    # Per contact: the same email (under other numbers and addresses) three times.
    for i in range(public_views.CONTACT_LIMIT):
        sent = client.post(url(), form(unit, phone=""), REMOTE_ADDR=f"198.51.100.{i + 1}")
        assert sent.status_code == 200
    blocked = client.post(url(), form(unit, phone=""), REMOTE_ADDR="198.51.100.99")
    assert blocked.status_code == 429 and "Too many requests" in blocked.content.decode()
    # Per IP: five requests.
    caches["default"].clear()
    for i in range(public_views.SUBMIT_LIMIT):
        sent = client.post(url(), form(unit, email=f"p{i}@example.id", phone=""))
        assert sent.status_code == 200
    over = client.post(url(), form(unit, email="lagi@example.id", phone=""))
    assert over.status_code == 429 and over["Retry-After"] == str(public_views.WINDOW)
    assert (
        InformationRequest.objects.count() == public_views.CONTACT_LIMIT + public_views.SUBMIT_LIMIT
    )


# --- tracking ---------------------------------------------------------------------------


@pytest.fixture
def submitted(client: Client, units: dict[str, WorkUnit]) -> tuple[InformationRequest, str]:
    response = client.post(url(), form(units["64.72"]), REMOTE_ADDR="192.0.2.200")
    assert response.status_code == 200
    return InformationRequest.objects.get(), code_on(response.content.decode())


@pytest.mark.django_db
def test_tracking_shows_the_status_without_personal_data(
    client: Client, submitted: tuple[InformationRequest, str]
) -> None:
    request, code = submitted
    form_page = client.get(TRACK + "?nomor=" + request.register_number)
    assert form_page.status_code == 200
    assert f'value="{request.register_number}"' in form_page.content.decode()
    response = lookup(client, request.register_number, code.lower())
    assert response.status_code == 200
    page = response.content.decode()
    assert request.register_number in page and "Received" in page
    assert str(RequestStatus(request.status).label) in page
    assert "B. S." in page  # the name's initials only
    for secret in ("Budi Santoso", "Budi@example.id", VALID_NIK, "Gajah Mada", "+6281234567890"):
        assert secret not in page
    assert "Request received and registered." in page  # the timeline's public note
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    assert "File an objection" not in page  # not yet allowed
    assert "no-store" in response["Cache-Control"]
    assert not response.wsgi_request.session.accessed


@pytest.mark.django_db
def test_wrong_number_or_code_gets_one_generic_answer(
    client: Client, submitted: tuple[InformationRequest, str]
) -> None:
    request, code = submitted
    wrong_code = lookup(client, request.register_number, "ABCDEFGHJK")
    wrong_number = lookup(client, "PPID/64.72/2020/99999", code)
    assert wrong_code.status_code == wrong_number.status_code == 404
    message = str(public_views.NOT_FOUND)
    assert message in wrong_code.content.decode() and message in wrong_number.content.decode()
    assert code not in wrong_number.content.decode()  # the code is never echoed
    empty = client.post(TRACK, {"register_number": "", "code": ""})
    assert empty.status_code == 400 and "Enter the register number." in empty.content.decode()


@pytest.mark.django_db
def test_tracking_lookups_are_rate_limited(
    client: Client, submitted: tuple[InformationRequest, str]
) -> None:
    request, code = submitted
    for _ in range(public_views.TRACK_LIMIT):
        assert lookup(client, request.register_number, "WRONGCODE1").status_code == 404
    blocked = lookup(client, request.register_number, code)
    assert blocked.status_code == 429
    assert blocked["Retry-After"] == str(public_views.TRACK_WINDOW)
    assert request.register_number not in blocked.content.decode()
    # Another address is not blocked.
    assert (
        lookup(client, request.register_number, code, REMOTE_ADDR="203.0.113.77").status_code == 200
    )


@pytest.mark.django_db
def test_decision_answer_document_and_objection(
    client: Client, submitted: tuple[InformationRequest, str], editor: Any
) -> None:
    request, code = submitted
    services.decide(
        request,
        editor,
        decision="granted",
        answer="Terlampir salinan SK. <b>tebal</b>",
        answer_file=ContentFile(PDF, name="jawaban.pdf"),
    )
    page = lookup(client, request.register_number, code).content.decode()
    assert "Granted" in page and "Terlampir salinan SK. &lt;b&gt;tebal&lt;/b&gt;" in page
    match = re.search(r'href="(/ppid/lacak/berkas/[^"]+/)"', page)
    assert match, page
    download = client.get(match.group(1))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"]
    assert "no-store" in download["Cache-Control"]
    assert client.get(match.group(1)[:-3] + "xx/").status_code == 404  # tampered
    # The objection form, with the page's token.
    assert "File an objection" in page
    token = re.search(r'name="token" value="([^"]+)"', page)
    assert token
    missing = client.post(TRACK, {"action": "objection", "token": token.group(1), "reason": "d"})
    assert missing.status_code == 400 and Objection.objects.count() == 0
    filed = client.post(
        TRACK,
        {
            "action": "objection",
            "token": token.group(1),
            "reason": "d",
            "statement": "Jawaban tidak sesuai dengan yang diminta. <i>x</i>",
        },
    )
    assert filed.status_code == 200, filed.content.decode()
    objection = Objection.objects.get()
    assert objection.request == request and objection.reason == "d"
    assert objection.register_number in filed.content.decode()
    assert "registered as" in filed.content.decode()
    assert "File an objection" not in filed.content.decode()  # one waiting at a time
    # A forged token files nothing.
    forged = client.post(
        TRACK, {"action": "objection", "token": "forged", "reason": "d", "statement": "x"}
    )
    assert forged.status_code == 400 and "expired" in forged.content.decode()
    # A new code makes the old links stop working.
    services.reset_code(request, editor)
    assert client.get(match.group(1)).status_code == 404
    assert Objection.objects.count() == 1


@pytest.mark.django_db
def test_objection_before_the_cause_is_refused(
    client: Client, submitted: tuple[InformationRequest, str]
) -> None:
    request, code = submitted
    page = lookup(client, request.register_number, code).content.decode()
    assert 'name="token"' not in page  # no form before a decision or the due date
    token = public_views._token(request, public_views.PAGE_SALT)
    response = client.post(
        TRACK, {"action": "objection", "token": token, "reason": "c", "statement": "Belum."}
    )
    assert response.status_code == 400
    assert "cannot be filed" in response.content.decode()
    assert Objection.objects.count() == 0


@pytest.mark.django_db
def test_pages_load_in_indonesian(
    client: Client, submitted: tuple[InformationRequest, str], settings: Any
) -> None:
    settings.LANGUAGE_CODE = "id"
    request, code = submitted
    for response in (
        client.get(url(), HTTP_ACCEPT_LANGUAGE="id"),
        client.get(TRACK, HTTP_ACCEPT_LANGUAGE="id"),
        lookup(client, request.register_number, code, HTTP_ACCEPT_LANGUAGE="id"),
    ):
        assert response.status_code == 200
        assert '<html lang="id">' in response.content.decode()
