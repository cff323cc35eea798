"""Inbound email: RFC 822 → Inbound (text, HTML reduced to text, quoted tails trimmed,
attachments checked by content), threading by our reply Message-IDs, auto-replies and
bounces ignored, and the inbound email webhook (bearer secret, MIME or JSON, limits)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from bakohumas.dissemination.crypto import encrypt
from bakohumas.inbox import email_in
from bakohumas.inbox.models import (
    Attachment,
    Channel,
    Direction,
    InboxSettings,
    Message,
    MessageStatus,
    Thread,
)
from tests.inbox.mails import EXE, JPEG, PDF, make_email

SECRET = "inbound-mail-secret-64-72"


def outbound(thread: Thread, body: str = "Jadwal coklit mulai 1 Maret.") -> Message:
    """A reply of ours in ``thread`` (its Message-ID is <inbox-<pk>@host>)."""
    return Message.objects.create(
        thread=thread, direction=Direction.OUTBOUND, body=body, status=MessageStatus.SENT
    )


# --- parse --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_plain_text_reply_is_trimmed_and_keyed_by_message_id(units: Any) -> None:
    raw = make_email(
        "Terima kasih, jadi saya cukup menunggu petugas datang?\n"
        "\n"
        "On Mon, 2 Mar 2026 at 09:00, KPU Kota Samarinda <humas@kpu.example.id> wrote:\n"
        "> Jadwal coklit mulai 1 Maret.\n"
        "> Salam,\n",
        message_id="<CAF=abc123@mail.gmail.com>",
    )
    inbound = email_in.parse(raw, units["64.72"])
    assert inbound.body == "Terima kasih, jadi saya cukup menunggu petugas datang?"
    assert inbound.channel == Channel.EMAIL
    assert inbound.handle == "siti.aminah@example.id"
    assert inbound.name == "Siti Aminah"
    assert inbound.subject == "Pertanyaan coklit"
    assert inbound.dedupe_key == "email:64.72:<CAF=abc123@mail.gmail.com>"
    assert inbound.provider_id == "<CAF=abc123@mail.gmail.com>"
    assert inbound.thread is None and inbound.attachments == []


@pytest.mark.django_db
def test_indonesian_and_outlook_quote_headers_and_inline_quotes_are_trimmed(units: Any) -> None:
    pada = make_email(
        "Baik, terima kasih.\n> kutipan di tengah\nSalam, Siti\n\n"
        "Pada Sen, 2 Mar 2026 pukul 09.00 KPU Kota Samarinda <humas@kpu.example.id>\n"
        "menulis:\n> Jadwal coklit mulai 1 Maret.\n"
    )
    assert email_in.parse(pada, units["64.72"]).body == "Baik, terima kasih.\nSalam, Siti"
    outlook = make_email(
        "Sudah saya terima.\n\n________________________________\n"
        "From: KPU Kota Samarinda\nSent: Monday\n\nJadwal coklit mulai 1 Maret.\n"
    )
    assert email_in.parse(outlook, units["64.72"]).body == "Sudah saya terima."
    original = make_email("Oke.\n-----Pesan Asli-----\nDari: KPU\nIsi lama\n")
    assert email_in.parse(original, units["64.72"]).body == "Oke."
    # A message that is nothing but a quote keeps its text rather than becoming empty.
    only_quote = make_email("> hanya kutipan\n")
    assert email_in.parse(only_quote, units["64.72"]).body == "> hanya kutipan"


@pytest.mark.django_db
def test_html_only_mail_becomes_inert_text(units: Any) -> None:
    raw = make_email(
        None,
        html=(
            "<html><head><style>p{color:red}</style><title>t</title></head><body>"
            "<p>Ada <b>hoaks</b> soal DPT &amp; TPS 🙏</p>"
            "<script>alert('x')</script><img src=x onerror=alert(1)>"
            "<div>Baris&nbsp;dua<br>baris tiga &lt;script&gt;</div>"
            '<div class="gmail_quote">On Mon, 2 Mar 2026 KPU &lt;humas@kpu.example.id&gt; wrote:'
            "<blockquote>Balasan lama <blockquote>lebih lama</blockquote></blockquote></div>"
            "</body></html>"
        ),
    )
    body = email_in.parse(raw, units["64.72"]).body
    assert body == "Ada hoaks soal DPT & TPS 🙏\nBaris dua\nbaris tiga <script>"
    assert "alert" not in body and "color" not in body and "Balasan lama" not in body


@pytest.mark.django_db
def test_plain_text_is_preferred_over_html(units: Any) -> None:
    raw = make_email("Teks biasa.", html="<p>Teks <i>HTML</i>.</p>")
    assert email_in.parse(raw, units["64.72"]).body == "Teks biasa."


@pytest.mark.django_db
def test_only_images_and_pdfs_under_5_mb_are_kept_whatever_their_names(units: Any) -> None:
    raw = make_email(
        "Tangkapan layar hoaks terlampir.",
        files=[
            ("../../tangkapan layar.png", JPEG, "image/png"),  # a JPEG, whatever it says
            ("surat.pdf", PDF, "application/pdf"),
            ("foto.jpg", EXE, "image/jpeg"),  # a program named as a photo
            ("halaman.html", b"<script>alert(1)</script>", "text/html"),
            ("besar.jpg", JPEG + b"\x00" * (5 * 1024 * 1024), "image/jpeg"),
        ],
    )
    inbound = email_in.parse(raw, units["64.72"])
    assert [(name, kind) for name, _data, kind in inbound.attachments] == [
        ("tangkapan-layar.jpg", "image/jpeg"),
        ("surat.pdf", "application/pdf"),
    ]
    assert inbound.attachments[0][1] == JPEG
    assert inbound.body == "Tangkapan layar hoaks terlampir."
    # Without text the attachments name the message.
    bare = email_in.parse(make_email("", files=[("a.pdf", PDF, "application/pdf")]), units["64.72"])
    assert bare.body == "[lampiran: a.pdf]"


@pytest.mark.django_db
def test_machine_mail_and_our_own_mail_are_ignored(units: Any) -> None:
    unit = units["64.72"]
    InboxSettings.objects.create(unit=unit, reply_to_address="humas@kpu-samarinda.example.id")
    ignored = [
        make_email(headers={"Auto-Submitted": "auto-replied"}),
        make_email(headers={"Precedence": "bulk"}),
        make_email(headers={"Precedence": "auto_reply"}),
        make_email(headers={"X-Autoreply": "yes"}),
        make_email(headers={"Return-Path": "<>"}),
        make_email(sender="KPU <Humas@KPU-Samarinda.example.id>"),
        make_email(sender="not an address"),
        (
            b"From: MAILER-DAEMON@mx.example.id\r\nTo: humas@kpu-samarinda.example.id\r\n"
            b"Subject: Undelivered Mail\r\nMessage-ID: <dsn1@mx.example.id>\r\n"
            b"MIME-Version: 1.0\r\n"
            b'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n'
            b"\r\n--b\r\nContent-Type: text/plain\r\n\r\nCould not deliver.\r\n--b--\r\n"
        ),
    ]
    for raw in ignored:
        with pytest.raises(email_in.Ignored):
            email_in.parse(raw, unit)
        assert email_in.receive(raw, unit) is None
    assert not Message.objects.exists()
    # "Auto-Submitted: no" is a person.
    person = make_email(headers={"Auto-Submitted": "no"})
    assert email_in.parse(person, unit).body == "Kapan jadwal coklit di Samarinda?"


@pytest.mark.django_db
def test_a_reply_to_our_message_id_joins_that_thread_of_the_same_unit_and_sender(
    units: Any, make_thread: Any
) -> None:
    thread = make_thread(channel=Channel.EMAIL, handle="siti.aminah@example.id")
    ours = outbound(thread)
    other_unit = make_thread(
        unit_code="64.71", channel=Channel.EMAIL, handle="siti.aminah@example.id"
    )
    theirs = outbound(other_unit)
    reply = make_email(
        "Terima kasih.",
        headers={
            "In-Reply-To": f"<inbox-{ours.pk}@bakohumas.example.id>",
            "References": f"<q1@mail.example.id> <inbox-{ours.pk}@bakohumas.example.id>",
        },
    )
    assert email_in.parse(reply, units["64.72"]).thread == thread
    # References alone work too.
    refs = make_email(
        "Lagi.", headers={"References": f"<inbox-{ours.pk}@bakohumas.example.id> <x@y.id>"}
    )
    assert email_in.parse(refs, units["64.72"]).thread == thread
    # Another unit's reply, or someone else answering our Message-ID, is no thread of ours.
    foreign = make_email("x", headers={"In-Reply-To": f"<inbox-{theirs.pk}@bakohumas.example.id>"})
    assert email_in.parse(foreign, units["64.72"]).thread is None
    stranger = make_email(
        "x",
        sender="orang.lain@example.id",
        headers={"In-Reply-To": f"<inbox-{ours.pk}@bakohumas.example.id>"},
    )
    assert email_in.parse(stranger, units["64.72"]).thread is None

    # Stored: the reply is the thread's second message; the same message again is nothing.
    assert email_in.receive(reply, units["64.72"]) is not None
    assert email_in.receive(reply, units["64.72"]) is None
    thread.refresh_from_db()
    assert thread.message_count == 2


@pytest.mark.django_db
def test_a_message_without_message_id_is_keyed_by_its_content(units: Any) -> None:
    raw = make_email("Tanpa Message-ID.")
    raw = b"\r\n".join(line for line in raw.split(b"\n") if not line.startswith(b"Message-ID"))
    raw = raw.replace(b"\r\r\n", b"\r\n")
    inbound = email_in.parse(raw, units["64.72"])
    assert inbound.dedupe_key and inbound.dedupe_key.startswith("email:64.72:sha256:")
    assert email_in.receive(raw, units["64.72"]) is not None
    assert email_in.receive(raw, units["64.72"]) is None
    assert Message.objects.count() == 1


@pytest.mark.django_db
def test_attachments_are_stored_with_the_message(units: Any) -> None:
    raw = make_email("Lihat foto.", files=[("bukti.jpg", JPEG, "image/jpeg")])
    message = email_in.receive(raw, units["64.72"])
    assert message is not None
    attachment = Attachment.objects.get(message=message)
    assert attachment.name.endswith(".jpg") and attachment.content_type == "image/jpeg"
    assert attachment.size == len(JPEG)
    with attachment.file.open("rb") as handle:
        assert handle.read() == JPEG


# --- the inbound email webhook ------------------------------------------------------------


def hook(code: str = "64.72") -> str:
    return reverse("inbox_hooks:email", args=[code])


@pytest.fixture
def configured(units: Any) -> InboxSettings:
    return InboxSettings.objects.create(
        unit=units["64.72"], webhook_secret_ciphertext=encrypt({"secret": SECRET})
    )


def post(
    body: bytes | dict[str, Any] | str,
    *,
    content_type: str = "message/rfc822",
    secret: str | None = SECRET,
    code: str = "64.72",
) -> Any:
    client = Client(enforce_csrf_checks=True)  # providers post without a CSRF token
    data = json.dumps(body).encode() if isinstance(body, dict) else body
    if isinstance(body, dict):
        content_type = "application/json"
    headers = {"Authorization": f"Bearer {secret}"} if secret is not None else {}
    return client.post(hook(code), data=data, content_type=content_type, headers=headers)


@pytest.mark.django_db
def test_webhook_stores_mime_once(configured: InboxSettings) -> None:
    raw = make_email("Kapan coklit?", message_id="<m1@mail.example.id>")
    first = post(raw)
    assert first.status_code == 200 and first.json() == {"stored": True}
    again = post(raw)
    assert again.json() == {"stored": False, "duplicate": True}
    message = Message.objects.get()
    assert message.dedupe_key == "email:64.72:<m1@mail.example.id>"
    assert message.thread.unit_id == configured.unit_id
    assert message.thread.channel == Channel.EMAIL
    assert message.thread.handle == "siti.aminah@example.id"
    auto = post(make_email(headers={"Auto-Submitted": "auto-replied"}))
    assert auto.json() == {"stored": False, "ignored": "auto-submitted"}
    assert Message.objects.count() == 1


@pytest.mark.django_db
def test_webhook_json_shape_threads_replies(configured: InboxSettings, make_thread: Any) -> None:
    thread = make_thread(channel=Channel.EMAIL, handle="budi@example.id")
    ours = outbound(thread)
    payload = {
        "from": "Budi <Budi@Example.id>",
        "subject": "Re: Jadwal coklit",
        "text": "Terima kasih infonya.\n\nOn Mon, 2 Mar 2026, KPU wrote:\n> lama\n",
        "message_id": "<j1@mail.example.id>",
        "in_reply_to": f"<inbox-{ours.pk}@bakohumas.example.id>",
    }
    assert post(payload).json() == {"stored": True}
    message = Message.objects.get(dedupe_key="email:64.72:<j1@mail.example.id>")
    assert message.thread == thread
    assert message.body == "Terima kasih infonya."
    assert message.sender_name == "Budi"
    assert post(payload).json() == {"stored": False, "duplicate": True}
    # HTML only; no message id: keyed by the body, so a replay is still one message.
    html = {"from": "ani@example.id", "from_name": "Ani", "html": "<p>Halo <b>KPU</b></p>"}
    assert post(html).json() == {"stored": True}
    assert post(html).json() == {"stored": False, "duplicate": True}
    assert Message.objects.get(thread__handle="ani@example.id").body == "Halo KPU"


@pytest.mark.django_db
def test_webhook_refuses_bad_requests_and_stores_nothing(
    configured: InboxSettings, units: Any
) -> None:
    raw = make_email()
    assert post(raw, secret="tebakan").status_code == 403
    assert post(raw, secret=None).status_code == 403
    assert post(raw, code="99.99").status_code == 404
    # A unit without a secret refuses everything, even an empty bearer.
    InboxSettings.objects.create(unit=units["64.71"])
    assert post(raw, code="64.71", secret="").status_code == 403
    assert post(b"x" * (5 * 1024 * 1024 + 1)).status_code == 413
    assert post(b"{not json", content_type="application/json").status_code == 400
    assert post(b"[1, 2]", content_type="application/json").status_code == 400
    missing = post({"text": "tanpa pengirim"})
    assert missing.status_code == 400 and "from" in missing.json()["error"]
    assert post({"from": "a@example.id", "text": 5}).status_code == 400
    assert post(b"", content_type="message/rfc822").status_code == 400
    assert post(b"hello", content_type="text/plain").status_code == 415
    assert Client().get(hook()).status_code == 405
    assert not Message.objects.exists() and not Thread.objects.exists()
