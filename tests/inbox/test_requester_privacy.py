"""The sender of an information request's thread is a requester: only staff with
``ppid.view_requester_pii`` see their name and address in the inbox."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.test import Client

from bakohumas.core.models import Role
from bakohumas.ppid import services as ppid_services
from tests.ppid.conftest import request_data


def _request_thread(units: dict[str, Any]) -> Any:
    request, _code = ppid_services.submit(
        units["64.72"],
        request_data(name="Siti Rahmawati", email="siti.rahmawati@example.id"),
    )
    return request.thread


def test_editor_sees_initials_not_the_requester(
    units: dict[str, Any], make_user: Callable[..., Any]
) -> None:
    thread = _request_thread(units)
    client = Client()
    client.force_login(make_user("64.72", Role.EDITOR))
    page = client.get(f"/app/inbox/{thread.pk}/").content.decode()
    assert "Siti Rahmawati" not in page
    assert "siti.rahmawati@example.id" not in page
    assert 'data-testid="sender-hidden"' in page
    listing = client.get("/app/inbox/").content.decode()
    assert "Siti Rahmawati" not in listing
    assert ppid_services.initials("Siti Rahmawati") in listing


def test_coordinator_sees_the_requester(
    units: dict[str, Any], make_user: Callable[..., Any]
) -> None:
    thread = _request_thread(units)
    client = Client()
    client.force_login(make_user("64.72", Role.COORDINATOR))
    page = client.get(f"/app/inbox/{thread.pk}/").content.decode()
    assert "Siti Rahmawati" in page
    assert "siti.rahmawati@example.id" in page
