"""Channel accounts: coordinators connect and edit them; secrets are write-only (stored
encrypted, never shown again, blank keeps them); "Check connection" asks the platform (a
Telegram Bot API server on loopback) and shows connected or reconnect with the reason."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.urls import reverse

from bakohumas.core.models import Role
from bakohumas.dissemination import crypto
from bakohumas.dissemination.models import AccountStatus, ChannelAccount
from tests.dissemination.test_views_plan import client_for, text

pytestmark = pytest.mark.django_db

LIST = reverse("dissemination:accounts")
NEW = reverse("dissemination:account_new")
GOOD = "123456:GOOD-token-abcdefgh"


class TelegramServer:
    """The Bot API's getMe/getChat on loopback: a known token answers ok, any other 401
    (as api.telegram.org does for a revoked token); ``fail_with`` forces a status."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.fail_with: int | None = None
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                server.calls.append(self.path)
                _empty, bot, method = self.path.split("/", 2)
                if server.fail_with:
                    status = server.fail_with
                    body = {"ok": False, "error_code": status, "description": "Internal error"}
                elif bot != f"bot{GOOD}":
                    status, body = (
                        401,
                        {"ok": False, "error_code": 401, "description": "Unauthorized"},
                    )
                elif method == "getMe":
                    status, body = 200, {"ok": True, "result": {"id": 123456, "is_bot": True}}
                else:
                    status, body = 200, {"ok": True, "result": {"id": -100, "type": "channel"}}
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> TelegramServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def telegram() -> Iterator[TelegramServer]:
    with TelegramServer() as server:
        yield server


def new_account(coordinator: Any, units: Any, **extra: str) -> dict[str, Any]:
    data = {
        "unit": units["64.72"].pk,
        "kind": "telegram",
        "name": "Kanal KPU Samarinda",
        "config_destination": "@kpusamarinda",
        "secret_bot_token": GOOD,
    }
    data.update(extra)
    return data


def test_coordinator_connects_an_account_and_the_secret_is_never_shown(
    coordinator: Any, units: Any, telegram: TelegramServer
) -> None:
    client = client_for(coordinator)
    response = client.post(NEW, new_account(coordinator, units, config_api_base=telegram.url))
    assert response.status_code == 302
    account = ChannelAccount.objects.get()
    assert account.kind == "telegram" and account.unit_id == units["64.72"].pk
    assert account.config == {"destination": "@kpusamarinda", "api_base": telegram.url}
    assert GOOD not in account.secret_ciphertext
    assert crypto.decrypt(account.secret_ciphertext) == {"bot_token": GOOD}
    assert account.secret_hint == "…efgh"
    assert account.status == AccountStatus.CONNECTED
    assert account.created_by_id == coordinator.pk
    for url in (LIST, reverse("dissemination:account_edit", args=[account.pk])):
        body = text(client.get(url))
        assert GOOD not in body
        assert "GOOD-token" not in body
    edit = text(client.get(reverse("dissemination:account_edit", args=[account.pk])))
    assert "Saved (…efgh). Leave empty to keep it." in edit


def test_blank_secret_keeps_it_and_a_new_one_reconnects(coordinator: Any, units: Any) -> None:
    client = client_for(coordinator)
    client.post(NEW, new_account(coordinator, units))
    account = ChannelAccount.objects.get()
    ChannelAccount.objects.filter(pk=account.pk).update(
        status=AccountStatus.RECONNECT, status_detail="Unauthorized"
    )
    url = reverse("dissemination:account_edit", args=[account.pk])
    response = client.post(
        url,
        {"name": "Kanal baru", "config_destination": "@kpusmd", "secret_bot_token": ""},
    )
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.name == "Kanal baru" and account.config["destination"] == "@kpusmd"
    assert crypto.decrypt(account.secret_ciphertext) == {"bot_token": GOOD}
    assert account.status == AccountStatus.RECONNECT  # no new secret: still to reconnect
    response = client.post(
        url,
        {
            "name": "Kanal baru",
            "config_destination": "@kpusmd",
            "secret_bot_token": "9:NEW-token-zzzz",
        },
    )
    account.refresh_from_db()
    assert crypto.decrypt(account.secret_ciphertext) == {"bot_token": "9:NEW-token-zzzz"}
    assert account.status == AccountStatus.CONNECTED and account.status_detail == ""
    # The kind and the unit cannot be changed on edit.
    client.post(
        url,
        {"name": "Kanal baru", "kind": "x", "unit": units["64.03"].pk, "config_destination": "@a"},
    )
    account.refresh_from_db()
    assert account.kind == "telegram" and account.unit_id == units["64.72"].pk


def test_check_connection_connected_reconnect_and_unreachable(
    coordinator: Any, units: Any, telegram: TelegramServer
) -> None:
    client = client_for(coordinator)
    client.post(NEW, new_account(coordinator, units, config_api_base=telegram.url))
    account = ChannelAccount.objects.get()
    check = reverse("dissemination:account_check", args=[account.pk])
    response = client.post(check, follow=True)
    assert "Connected: Kanal KPU Samarinda works." in text(response)
    assert telegram.calls == [f"/bot{GOOD}/getMe", f"/bot{GOOD}/getChat"]
    account.refresh_from_db()
    assert account.status == AccountStatus.CONNECTED and account.checked_at is not None
    # The token is revoked on the platform: "reconnect" with the platform's reason.
    account.secret_ciphertext = crypto.encrypt({"bot_token": "123456:REVOKED"})
    account.save()
    response = client.post(check, follow=True)
    assert "Reconnect needed" in text(response)
    account.refresh_from_db()
    assert account.status == AccountStatus.RECONNECT
    assert "Unauthorized" in account.status_detail
    body = text(client.get(LIST))
    assert 'data-testid="reconnect-badge"' in body
    assert 'data-testid="reconnect-alert"' in body
    assert "Unauthorized" in body
    # A server error is not a reason to ask for new credentials.
    account.secret_ciphertext = crypto.encrypt({"bot_token": GOOD})
    account.status = AccountStatus.CONNECTED
    account.save()
    telegram.fail_with = 500
    response = client.post(check, follow=True)
    assert "The check could not be completed" in text(response)
    account.refresh_from_db()
    assert account.status == AccountStatus.CONNECTED


def test_editor_and_contributor_cannot_add_or_edit(
    coordinator: Any, editor: Any, contributor: Any, units: Any, make_user: Callable[..., Any]
) -> None:
    client_for(coordinator).post(NEW, new_account(coordinator, units))
    account = ChannelAccount.objects.get()
    edit = reverse("dissemination:account_edit", args=[account.pk])
    check = reverse("dissemination:account_check", args=[account.pk])
    for user in (editor, contributor, make_user("64.72", Role.VIEWER)):
        client = client_for(user)
        assert client.get(LIST).status_code == 200  # everyone may look
        assert client.get(NEW).status_code == 403
        assert client.post(NEW, new_account(user, units, name="Lain")).status_code == 403
        assert client.post(edit, {"name": "Dibajak", "config_destination": "@x"}).status_code == 403
        assert client.post(check).status_code == 403
    assert ChannelAccount.objects.count() == 1
    account.refresh_from_db()
    assert account.name == "Kanal KPU Samarinda"


def test_another_units_account_is_404(
    coordinator: Any, units: Any, make_user: Callable[..., Any]
) -> None:
    berau = ChannelAccount.objects.create(
        unit=units["64.03"], kind="telegram", name="Berau", config={"destination": "@b"}
    )
    client = client_for(coordinator)
    assert client.get(reverse("dissemination:account_edit", args=[berau.pk])).status_code == 404
    assert client.post(reverse("dissemination:account_check", args=[berau.pk])).status_code == 404
    assert "Berau" not in text(client.get(LIST))
    # Nor can one be created for a unit outside the scope.
    response = client.post(NEW, new_account(coordinator, units, unit=str(units["64.03"].pk)))
    assert response.status_code == 400
    assert ChannelAccount.objects.count() == 1


@pytest.mark.parametrize(
    "extra, message",
    [
        ({"secret_bot_token": ""}, "This field is required for this channel."),
        ({"config_destination": ""}, "This field is required for this channel."),
        ({"config_api_base": "ftp://x"}, "Enter a valid http(s) address."),
        ({"kind": "email"}, "Select a valid choice."),
        ({"name": ""}, "This field is required."),
        ({"name": "a\x00b"}, "Null characters are not allowed."),
        ({"rate_per_second": "-1"}, "greater than or equal to 0"),
    ],
)
def test_bad_input_saves_nothing(
    coordinator: Any, units: Any, extra: dict[str, str], message: str
) -> None:
    response = client_for(coordinator).post(NEW, new_account(coordinator, units, **extra))
    assert response.status_code == 400
    assert message in text(response)
    assert not ChannelAccount.objects.exists()


def test_duplicate_name_is_refused(coordinator: Any, units: Any) -> None:
    client = client_for(coordinator)
    client.post(NEW, new_account(coordinator, units))
    response = client.post(NEW, new_account(coordinator, units))
    assert response.status_code == 400
    assert "already has a Telegram account of that name" in text(response)
    assert ChannelAccount.objects.count() == 1


def test_whatsapp_and_webhook_fields(coordinator: Any, units: Any) -> None:
    client = client_for(coordinator)
    response = client.post(
        NEW,
        {
            "unit": units["64.72"].pk,
            "kind": "whatsapp",
            "name": "WA KPU Samarinda",
            "config_phone_number_id": "1098765",
            "config_destination": "ignored for WhatsApp",
            "secret_access_token": "EAAG-long-access-token",
            "secret_app_secret": "app-secret-1234",
            "secret_bot_token": "ignored too",
        },
    )
    assert response.status_code == 302
    account = ChannelAccount.objects.get(kind="whatsapp")
    assert account.config == {"phone_number_id": "1098765"}
    assert crypto.decrypt(account.secret_ciphertext) == {
        "access_token": "EAAG-long-access-token",
        "app_secret": "app-secret-1234",
    }
    response = client.post(
        NEW,
        {
            "unit": units["64.72"].pk,
            "kind": "webhook",
            "name": "Situs mitra",
            "config_destination": "not a url",
            "secret_signing_secret": "s3cret-s3cret",
        },
    )
    assert response.status_code == 400
    assert "Enter a valid http(s) address." in text(response)


def test_disabling_an_account(coordinator: Any, units: Any) -> None:
    client = client_for(coordinator)
    client.post(NEW, new_account(coordinator, units))
    account = ChannelAccount.objects.get()
    url = reverse("dissemination:account_edit", args=[account.pk])
    client.post(url, {"name": account.name, "config_destination": "@k", "disabled": "on"})
    account.refresh_from_db()
    assert account.status == AccountStatus.DISABLED
    client.post(url, {"name": account.name, "config_destination": "@k"})
    account.refresh_from_db()
    assert account.status == AccountStatus.CONNECTED


def test_list_query_count_does_not_grow(
    coordinator: Any, units: Any, django_assert_max_num_queries: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(coordinator)
    for i in range(2):
        ChannelAccount.objects.create(unit=units["64.72"], kind="telegram", name=f"T{i}")
    client.get(LIST)
    with CaptureQueriesContext(connection) as small:
        client.get(LIST)
    baseline = len(small.captured_queries)
    for i in range(20):
        ChannelAccount.objects.create(unit=units["64.72"], kind="x", name=f"X{i}")
    with django_assert_max_num_queries(baseline):
        response = client.get(LIST)
    assert text(response).count('data-testid="account-row"') == 22
