"""Inbox settings (office hours, SLA targets, write-only IMAP password, the inbound email
webhook secret shown once) and canned replies (all staff read them, managers change them)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import time
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from bakohumas.core.models import Role
from bakohumas.dissemination import crypto
from bakohumas.inbox.hooks import email_webhook_secret
from bakohumas.inbox.models import CannedReply, InboxSettings

pytestmark = pytest.mark.django_db

SETTINGS = reverse("inbox:settings")


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def settings_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "office_start": "08:00",
        "office_end": "16:00",
        "friday_end": "16:30",
        "first_response_hours": "4",
        "resolution_hours": "24",
        "reply_from_name": "KPU Kota Samarinda",
        "reply_to_address": "ppid@kpu-samarinda.example.id",
        "imap_host": "",
        "imap_port": "993",
        "imap_user": "",
        "imap_password": "",
        "imap_folder": "INBOX",
        "imap_ssl": "on",
    }
    data.update(overrides)
    return data


def test_settings_need_manage_inbox(editor: Any, viewer: Any) -> None:
    for user in (editor, viewer):
        client = client_for(user)
        assert client.get(SETTINGS).status_code == 403
        assert client.post(SETTINGS, settings_data()).status_code == 403
        assert client.post(reverse("inbox:settings_secret")).status_code == 403
    assert not InboxSettings.objects.exists()


def test_settings_save_and_imap_password_is_write_only(coordinator: Any, units: Any) -> None:
    client = client_for(coordinator)
    page = client.get(SETTINGS)
    assert page.status_code == 200 and page.context["unit"].code == "64.72"

    response = client.post(
        SETTINGS,
        settings_data(
            imap_host="imap.example.id", imap_user="ppid", imap_password="Sandi-Imap-9876"
        ),
    )
    assert response.status_code == 302
    row = InboxSettings.objects.get(unit=units["64.72"])
    assert row.office_start == time(8, 0) and row.first_response_hours == 4
    assert row.imap_host == "imap.example.id"
    assert "Sandi" not in row.imap_secret_ciphertext
    assert crypto.decrypt(row.imap_secret_ciphertext) == {"password": "Sandi-Imap-9876"}

    page = client.get(SETTINGS).content.decode()
    assert "Sandi-Imap-9876" not in page and "Set (…9876)" in page

    # Left empty: the saved password stays.
    client.post(SETTINGS, settings_data(imap_host="imap.example.id", imap_user="ppid"))
    row.refresh_from_db()
    assert crypto.decrypt(row.imap_secret_ciphertext) == {"password": "Sandi-Imap-9876"}
    # Removed on request (the mailbox is then off).
    client.post(SETTINGS, settings_data(clear_imap_password="on"))
    row.refresh_from_db()
    assert row.imap_secret_ciphertext == ""


def test_settings_refuse_bad_input_and_change_nothing(coordinator: Any, units: Any) -> None:
    client = client_for(coordinator)
    client.post(SETTINGS, settings_data())
    before = InboxSettings.objects.get(unit=units["64.72"])
    for bad, message in [
        ({"office_end": "07:00"}, b"The office must close after it opens."),
        ({"first_response_hours": "0"}, b"greater than or equal to 1"),
        ({"resolution_hours": "2"}, b"cannot be shorter than the first-reply target"),
        ({"imap_host": "imap.example.id"}, b"Needed to read the mailbox."),
        ({"imap_host": "imaps://x:993"}, b"host name only"),
        ({"imap_port": "70000"}, b"less than or equal to 65535"),
        ({"reply_to_address": "bukan email"}, b"valid email"),
    ]:
        response = client.post(SETTINGS, settings_data(**bad))
        assert response.status_code == 400, bad
        assert message in response.content, bad
    after = InboxSettings.objects.get(unit=units["64.72"])
    assert (after.office_end, after.first_response_hours, after.imap_host) == (
        before.office_end,
        before.first_response_hours,
        before.imap_host,
    )


def test_webhook_secret_is_shown_once(coordinator: Any, units: Any) -> None:
    client = client_for(coordinator)
    page = client.get(SETTINGS).content.decode()
    assert "/i/hooks/email/64.72/" in page and "not set" in page

    response = client.post(reverse("inbox:settings_secret"))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    secret = response.context["new_secret"]
    assert len(secret) >= 32 and secret in response.content.decode()
    row = InboxSettings.objects.get(unit=units["64.72"])
    assert secret not in row.webhook_secret_ciphertext
    assert email_webhook_secret(row) == secret  # what the webhook checks

    page = client.get(SETTINGS).content.decode()
    assert secret not in page and f"set (…{secret[-4:]})" in page
    second = client.post(reverse("inbox:settings_secret")).context["new_secret"]
    row.refresh_from_db()
    assert second != secret and email_webhook_secret(row) == second


def test_settings_of_another_unit(make_user: Callable[..., Any], units: Any) -> None:
    province = client_for(make_user("64", Role.COORDINATOR))
    page = province.get(SETTINGS, {"unit": units["64.72"].pk})
    assert page.status_code == 200 and page.context["unit"].code == "64.72"
    province.post(SETTINGS + f"?unit={units['64.72'].pk}", settings_data(unit=units["64.72"].pk))
    assert InboxSettings.objects.filter(unit=units["64.72"]).exists()
    kab = client_for(make_user("64.71", Role.COORDINATOR))
    assert kab.get(SETTINGS, {"unit": units["64.72"].pk}).status_code == 404
    assert (
        kab.post(reverse("inbox:settings_secret"), {"unit": units["64.72"].pk}).status_code == 404
    )


def test_settings_show_channel_webhooks(coordinator: Any, whatsapp_account: Any) -> None:
    page = client_for(coordinator).get(SETTINGS).content.decode()
    assert f"/d/hooks/whatsapp/{whatsapp_account.pk}/" in page


# --- canned replies -------------------------------------------------------------------------


def test_canned_reply_crud(coordinator: Any, viewer: Any, editor: Any, units: Any) -> None:
    client = client_for(coordinator)
    response = client.post(
        reverse("inbox:canned_create"),
        {"unit": units["64.72"].pk, "title": "Salam", "body": "Yth. {nama},"},
    )
    assert response.status_code == 302
    reply = CannedReply.objects.get(title="Salam")
    # The same title again (any case) is refused.
    response = client.post(
        reverse("inbox:canned_create"),
        {"unit": units["64.72"].pk, "title": "salam", "body": "x"},
    )
    assert response.status_code == 400 and b"already has a canned reply" in response.content
    response = client.post(
        reverse("inbox:canned_edit", args=[reply.pk]),
        {"title": "Salam pembuka", "body": "Yth. {nama}, terima kasih."},
    )
    assert response.status_code == 302
    reply.refresh_from_db()
    assert reply.title == "Salam pembuka" and reply.unit.code == "64.72"

    # Every role reads them; only managers change them.
    for user in (viewer, editor):
        other = client_for(user)
        listing = other.get(reverse("inbox:canned_list"))
        assert listing.status_code == 200 and b"Salam pembuka" in listing.content
        assert other.get(reverse("inbox:canned_create")).status_code == 403
        assert (
            other.post(
                reverse("inbox:canned_edit", args=[reply.pk]), {"title": "X", "body": "Y"}
            ).status_code
            == 403
        )
        assert other.post(reverse("inbox:canned_delete", args=[reply.pk])).status_code == 403
    assert client.post(reverse("inbox:canned_delete", args=[reply.pk])).status_code == 302
    assert not CannedReply.objects.exists()


def test_canned_reply_of_another_unit(
    make_user: Callable[..., Any], coordinator: Any, units: Any
) -> None:
    theirs = CannedReply.objects.create(unit=units["64.71"], title="Lain", body="x")
    client = client_for(coordinator)
    assert client.get(reverse("inbox:canned_edit", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("inbox:canned_delete", args=[theirs.pk])).status_code == 404
    response = client.post(
        reverse("inbox:canned_create"), {"unit": units["64.71"].pk, "title": "T", "body": "B"}
    )
    assert response.status_code == 400
    assert CannedReply.objects.count() == 1
    assert b"Lain" not in client.get(reverse("inbox:canned_list")).content
