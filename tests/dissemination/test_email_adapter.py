"""The email adapter, read at a real SMTP server: parts, RFC 8058 headers, Message-ID =
delivery key, tracked links that decode to the original address, sender and recipient
names."""

from __future__ import annotations

import re
from email.utils import getaddresses, parseaddr
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from bakohumas.dissemination import engine, links
from bakohumas.dissemination.adapters.email import message_id
from bakohumas.dissemination.models import Delivery, DeliveryStatus, Subscriber

pytestmark = pytest.mark.django_db

HREF = re.compile(r'href="([^"]+)"')


@pytest.fixture
def sent(approved: Any, editor: Any, mailing_list: Any, smtp: Any) -> dict[str, Any]:
    """One campaign to one subscriber with a name that needs quoting; the message as the
    server received it."""
    mailing_list.from_name = "KPU Kota Samarinda"
    mailing_list.reply_to = "humas@samarinda.kpu.example.id"
    mailing_list.save()
    Subscriber.objects.create(
        mailing_list=mailing_list,
        email="budi@Example.ID",
        name="Budi, S.H.",
        status="confirmed",
        confirmed_at=timezone.now(),
    )
    publication = engine.plan(
        approved, engine.PlanInput(kind="email", mailing_list_id=mailing_list.pk), by=editor
    )
    engine.dispatch(publication.pk)
    engine.drain("w")
    delivery = Delivery.objects.get(publication=publication)
    assert delivery.status == DeliveryStatus.SENT
    [message] = smtp.parsed()
    return {"message": message, "delivery": delivery, "raw": smtp.messages[0], "item": approved}


def test_html_and_text_parts(sent: dict[str, Any]) -> None:
    message = sent["message"]
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    item = sent["item"]
    assert item.title in text and item.summary in text and "Isi berita" in text
    assert "<h1" in html and item.title in html
    assert "Unsubscribe" in text and "Unsubscribe" in html


def test_list_unsubscribe_one_click(sent: dict[str, Any], settings: Any) -> None:
    message, delivery = sent["message"], sent["delivery"]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # A long header is folded; unfolded, it is one <URL>.
    header = " ".join(str(message["List-Unsubscribe"]).split())
    assert header.startswith("<http") and header.endswith(">")
    url = header.strip("<>")
    assert url.startswith(settings.SITE_URL + "/d/berhenti/")
    token = url.rstrip("/").rsplit("/", 1)[1]
    assert links.read_unsubscribe_token(token) == delivery.pk
    # The same link in both parts, and nothing else can be read from a forged token.
    html = message.get_body(preferencelist=("html",)).get_content()
    assert url in html.replace("&amp;", "&")
    assert links.read_unsubscribe_token(token[:-2] + "xx") is None


def test_message_id_is_the_delivery_key(sent: dict[str, Any]) -> None:
    message, delivery = sent["message"], sent["delivery"]
    assert message["Message-ID"] == message_id(delivery.key)
    assert message["Message-ID"].startswith(f"<{delivery.key}@")
    assert message["X-Bakohumas-Delivery"] == str(delivery.key)
    assert delivery.provider_id == message["Message-ID"]


def test_links_are_tracked_and_decode_to_the_original(sent: dict[str, Any]) -> None:
    message, delivery = sent["message"], sent["delivery"]
    html = message.get_body(preferencelist=("html",)).get_content()
    targets = []
    for href in HREF.findall(html):
        href = href.replace("&amp;", "&")
        if "/d/berhenti/" in href:
            continue
        path = urlsplit(href).path
        assert path.startswith("/d/t/"), href
        decoded = links.read_click_token(path[len("/d/t/") :].rstrip("/"))
        assert decoded is not None
        assert decoded[0] == delivery.pk
        targets.append(decoded[1])
    # The link in the body, and the button to the item on the portal with its UTM tags.
    assert "https://kpu.go.id/info" in targets
    portal = [t for t in targets if "utm_source=email" in t]
    assert len(portal) == 1
    query = parse_qs(urlsplit(portal[0]).query)
    assert query["utm_medium"] == ["email"]
    assert query["utm_campaign"] == [f"64.72-{sent['item'].pk}"]
    # No untracked http(s) link is left in the HTML.
    assert "https://kpu.go.id/info" not in html


def test_from_name_of_the_list_and_recipient_name_quoted(
    sent: dict[str, Any], settings: Any
) -> None:
    message = sent["message"]
    name, address = parseaddr(str(message["From"]))
    assert name == "KPU Kota Samarinda"
    assert address == parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    assert parseaddr(str(message["Reply-To"]))[1] == "humas@samarinda.kpu.example.id"
    [(to_name, to_address)] = getaddresses([str(message["To"])])
    assert (to_name, to_address) == ("Budi, S.H.", "budi@example.id")
    _mail_from, rcpt_tos, _raw = sent["raw"]
    assert rcpt_tos == ["budi@example.id"]  # the domain is normalised, the name not in it


def test_subject_is_the_title(sent: dict[str, Any]) -> None:
    assert sent["message"]["Subject"] == sent["item"].title


TOKEN = re.compile(r"/d/(t|berhenti)/[^/\"\s>]+/")


def _normal(text: str) -> str:
    return TOKEN.sub(r"/d/\1/TOKEN/", text).replace("\r\n", "\n").strip()


def test_the_prebuilt_smtp_message_equals_what_django_builds(
    approved: Any, editor: Any, mailing_list: Any, settings: Any
) -> None:
    """SMTP campaigns splice each recipient's headers into a frame built once per
    publication; the result must read exactly like Django's own message."""
    from email import message_from_bytes, policy

    from bakohumas.dissemination.adapters.email import EmailAdapter

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    mailing_list.from_name = "KPU Kota Samarinda — Humas"
    mailing_list.save()
    approved.body = "<p>" + "Panjang " * 200 + "</p>"  # a line over 998 bytes: QP
    Subscriber.objects.create(
        mailing_list=mailing_list,
        email="siti@contoh.example.id",
        name="Siti Rahmawati, S.Sos. — Pengamat",
        status="confirmed",
        confirmed_at=timezone.now(),
    )
    publication = engine.plan(
        approved, engine.PlanInput(kind="email", mailing_list_id=mailing_list.pk), by=editor
    )
    engine.dispatch(publication.pk)
    delivery = Delivery.objects.get(publication=publication)
    adapter = EmailAdapter()
    prepared = adapter.prepare(publication, engine.prepare(publication))
    assert "frame" in prepared.extra
    sender, recipients, raw = adapter.raw(prepared, delivery)
    built = adapter.build(publication, prepared, delivery).message().as_bytes()
    ours = message_from_bytes(raw, policy=policy.default)
    django = message_from_bytes(built, policy=policy.default)
    names = {k.lower() for k in django.keys()} - {"date"}
    assert {k.lower() for k in ours.keys()} - {"date"} == names
    for name in names:
        if name == "content-type":
            continue  # the boundary differs
        assert _normal(str(ours[name])) == _normal(str(django[name])), name
    for kind in ("plain", "html"):
        assert _normal(ours.get_body((kind,)).get_content()) == _normal(
            django.get_body((kind,)).get_content()
        )
    assert recipients == ["siti@contoh.example.id"]
    assert "samarinda" in sender.lower() or "@" in sender
