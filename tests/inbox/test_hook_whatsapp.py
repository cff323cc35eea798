"""WhatsApp Cloud API inbound messages on the account's webhook: a signed payload opens a
thread, the same payload again (or replayed) creates nothing, forged or malformed input
creates nothing, media are recorded by id, and statuses of inbox replies move them."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from bakohumas.dissemination.adapters.http import sign
from bakohumas.inbox.models import (
    Channel,
    Direction,
    Message,
    MessageStatus,
    Thread,
    ThreadStatus,
)
from tests.stakeholders.factories import make_contact, make_org

APP_SECRET = "app-secret"  # the conftest's whatsapp_account
NUMBER = "6281234567001"


def hook(account: Any) -> str:
    return reverse("dissemination_public:hook_whatsapp", args=[account.pk])


def text(wamid: str, body: str, sender: str = NUMBER, at: int = 1_772_420_000) -> dict[str, Any]:
    return {
        "from": sender,
        "id": wamid,
        "timestamp": str(at),
        "type": "text",
        "text": {"body": body},
    }


def payload(
    phone_number_id: str,
    messages: list[dict[str, Any]],
    names: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A notification of inbound messages as Meta posts it."""
    names = names if names is not None else {NUMBER: "Siti Aminah"}
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "102290129340398",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "6254100000",
                                "phone_number_id": phone_number_id,
                            },
                            "contacts": [
                                {"profile": {"name": name}, "wa_id": wa_id}
                                for wa_id, name in names.items()
                            ],
                            "messages": messages,
                        },
                    }
                ],
            }
        ],
    }


def post_signed(account: Any, body: Any, secret: str = APP_SECRET) -> Any:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    client = Client(enforce_csrf_checks=True)  # Meta posts without a CSRF token
    return client.post(
        hook(account),
        data=raw,
        content_type="application/json",
        headers={"X-Hub-Signature-256": sign(secret, raw)},
    )


@pytest.mark.django_db
def test_a_signed_message_opens_a_thread_and_the_same_payload_again_creates_nothing(
    whatsapp_account: Any, fake_whatsapp: Any
) -> None:
    data = payload(
        fake_whatsapp.phone_number_id,
        [text("wamid.HBgM001", "Halo KPU, kapan coklit di Samarinda? 🙏 <b>penting</b>")],
    )
    raw = json.dumps(data).encode()
    first = post_signed(whatsapp_account, raw)
    assert first.status_code == 200
    assert first.json() == {"updated": 0, "messages": 1}
    message = Message.objects.select_related("thread").get()
    thread = message.thread
    assert message.body == "Halo KPU, kapan coklit di Samarinda? 🙏 <b>penting</b>"
    assert message.direction == Direction.INBOUND
    assert message.dedupe_key == f"whatsapp:{whatsapp_account.pk}:wamid.HBgM001"
    assert message.provider_id == "wamid.HBgM001"
    assert message.sender_name == "Siti Aminah"
    assert message.created_at == datetime.fromtimestamp(1_772_420_000, tz=UTC)
    assert (thread.unit_id, thread.channel, thread.account_id) == (
        whatsapp_account.unit_id,
        Channel.WHATSAPP,
        whatsapp_account.pk,
    )
    assert (thread.handle, thread.phone, thread.name) == ("+" + NUMBER, "+" + NUMBER, "Siti Aminah")
    assert thread.status == ThreadStatus.NEW and thread.last_inbound_at == message.created_at

    # Meta delivers the same bytes again, or someone replays them with the valid signature.
    for _attempt in range(2):
        again = post_signed(whatsapp_account, raw)
        assert again.status_code == 200 and again.json() == {"updated": 0}
    assert Message.objects.count() == 1 and Thread.objects.count() == 1

    # The next message from the number continues the thread.
    later = payload(fake_whatsapp.phone_number_id, [text("wamid.HBgM002", "Terima kasih")])
    assert post_signed(whatsapp_account, later).json() == {"updated": 0, "messages": 1}
    thread.refresh_from_db()
    assert thread.message_count == 2 and Thread.objects.count() == 1


@pytest.mark.django_db
def test_forged_unsigned_malformed_and_huge_payloads_create_nothing(
    whatsapp_account: Any, fake_whatsapp: Any
) -> None:
    data = payload(fake_whatsapp.phone_number_id, [text("wamid.F1", "palsu")])
    assert post_signed(whatsapp_account, data, secret="someone-else").status_code == 403
    unsigned = Client().post(hook(whatsapp_account), data=data, content_type="application/json")
    assert unsigned.status_code == 403
    assert post_signed(whatsapp_account, b"{not json").status_code == 400
    huge = json.dumps({**data, "pad": "x" * (1024 * 1024)}).encode()
    assert post_signed(whatsapp_account, huge).status_code == 413
    # Well-signed but odd: another number of the business, bad senders, wrong shapes.
    other = payload("999999999999", [text("wamid.F2", "nomor lain")])
    assert post_signed(whatsapp_account, other).json() == {"updated": 0}
    odd = payload(
        fake_whatsapp.phone_number_id,
        [
            text("wamid.F3", "x", sender="+62abc"),
            text("", "tanpa id"),
            "not a message",  # type: ignore[list-item]
            {"from": NUMBER, "id": "wamid.F4", "type": "reaction", "reaction": {"emoji": "👍"}},
        ],
    )
    assert post_signed(whatsapp_account, odd).json() == {"updated": 0}
    shapes = [{"entry": "x"}, {"entry": [{"changes": [{"field": "messages", "value": []}]}]}]
    for shape in shapes:
        assert post_signed(whatsapp_account, shape).status_code == 200
    assert not Message.objects.exists() and not Thread.objects.exists()


@pytest.mark.django_db
def test_media_and_other_types_are_recorded_in_the_text(
    whatsapp_account: Any, fake_whatsapp: Any
) -> None:
    base = {"from": NUMBER, "timestamp": "1772420000"}
    messages = [
        {
            **base,
            "id": "wamid.M1",
            "type": "image",
            "image": {"id": "1479537139650973", "mime_type": "image/jpeg", "caption": "Hoaks?"},
        },
        {
            **base,
            "id": "wamid.M2",
            "type": "document",
            "document": {"id": "88001", "filename": "surat.pdf", "mime_type": "application/pdf"},
        },
        {**base, "id": "wamid.M3", "type": "audio", "audio": {"id": "77001", "voice": True}},
        {
            **base,
            "id": "wamid.M4",
            "type": "location",
            "location": {"latitude": -0.5, "longitude": 117.15, "name": "Kantor KPU"},
        },
        {
            **base,
            "id": "wamid.M5",
            "type": "interactive",
            "interactive": {"type": "button_reply", "button_reply": {"id": "b1", "title": "Ya"}},
        },
        {**base, "id": "wamid.M6", "type": "unsupported", "errors": [{"code": 131051}]},
    ]
    response = post_signed(whatsapp_account, payload(fake_whatsapp.phone_number_id, messages))
    assert response.json() == {"updated": 0, "messages": 6}
    bodies = list(Message.objects.order_by("provider_id").values_list("body", flat=True))
    assert bodies == [
        "[gambar: 1479537139650973]\nHoaks?",
        "[dokumen: 88001 surat.pdf]",
        "[audio: 77001]",
        "[lokasi: -0.5, 117.15] Kantor KPU",
        "Ya",
        "[unsupported]",
    ]


@pytest.mark.django_db
def test_a_known_contact_is_linked_and_logged(
    whatsapp_account: Any, fake_whatsapp: Any, units: Any
) -> None:
    organisation = make_org(units["64.72"], name="Radio Samarinda")
    contact = make_contact(units["64.72"], organisation=organisation, whatsapp="+" + NUMBER)
    data = payload(fake_whatsapp.phone_number_id, [text("wamid.C1", "Minta jadwal siaran")])
    post_signed(whatsapp_account, data)
    thread = Thread.objects.get()
    assert thread.contact == contact
    assert organisation.engagements.filter(contact=contact).count() == 1


@pytest.mark.django_db
def test_statuses_of_inbox_replies_move_them_and_unknown_wamids_change_nothing(
    whatsapp_account: Any, fake_whatsapp: Any
) -> None:
    post_signed(
        whatsapp_account, payload(fake_whatsapp.phone_number_id, [text("wamid.Q1", "Halo")])
    )
    thread = Thread.objects.get()
    reply = Message.objects.create(
        thread=thread,
        direction=Direction.OUTBOUND,
        body="Coklit mulai 1 Maret.",
        status=MessageStatus.SENT,
        provider_id="wamid.REPLY1",
    )

    def statuses(*items: tuple[str, str]) -> dict[str, Any]:
        return fake_whatsapp.status_payload(
            [
                {"id": wamid, "status": state, "timestamp": "1772420100", "recipient_id": NUMBER}
                for wamid, state in items
            ]
        )

    response = post_signed(whatsapp_account, statuses(("wamid.REPLY1", "read")))
    assert response.status_code == 200 and response.json() == {"updated": 1}
    reply.refresh_from_db()
    assert reply.status == MessageStatus.READ
    # Never backwards; a wamid nobody knows changes nothing.
    post_signed(whatsapp_account, statuses(("wamid.REPLY1", "delivered")))
    assert post_signed(whatsapp_account, statuses(("wamid.NOBODY", "read"))).json() == {
        "updated": 0
    }
    reply.refresh_from_db()
    assert reply.status == MessageStatus.READ
    failed = Message.objects.create(
        thread=thread,
        direction=Direction.OUTBOUND,
        body="Balasan kedua",
        status=MessageStatus.SENT,
        provider_id="wamid.REPLY2",
    )
    notice = fake_whatsapp.status_payload(
        [
            {
                "id": "wamid.REPLY2",
                "status": "failed",
                "timestamp": "1772420200",
                "errors": [{"code": 131047, "title": "Re-engagement message"}],
            }
        ]
    )
    post_signed(whatsapp_account, notice)
    failed.refresh_from_db()
    assert failed.status == MessageStatus.FAILED
    assert failed.error == "Re-engagement message (131047)"
