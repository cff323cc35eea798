"""Fixtures of the PPID tests: English messages, stored (not run) tasks, staff of each
role in Samarinda (64.72), and a factory of information requests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bakohumas.core.models import Role
from bakohumas.ppid import services
from bakohumas.ppid.models import InformationRequest

WITA = ZoneInfo("Asia/Makassar")
VALID_NIK = "6472015708900003"


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def _dummy_tasks(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture(autouse=True)
def _locmem_mail(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def wita(*args: int) -> datetime:
    """An aware moment in Samarinda's wall-clock time: ``wita(2026, 3, 13, 19, 0)``."""
    return datetime(*args, tzinfo=WITA)  # type: ignore[misc]


def request_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "requester_kind": "person",
        "name": "Budi Santoso",
        "identity_type": "nik",
        "identity_number": VALID_NIK,
        "address": "Jl. Gajah Mada 1, Samarinda",
        "email": "budi@example.id",
        "phone": "081234567890",
        "occupation": "Jurnalis",
        "information": "Salinan keputusan penetapan DPT Kota Samarinda",
        "purpose": "Liputan",
        "receive_method": "softcopy",
        "copy_method": "email",
        "rule_set": "uu14",
    }
    data.update(overrides)
    return data


@pytest.fixture
def samarinda(units: dict[str, Any]) -> Any:
    return units["64.72"]


@pytest.fixture
def editor(make_user: Callable[..., Any]) -> Any:
    return make_user("64.72", Role.EDITOR)


@pytest.fixture
def coordinator(make_user: Callable[..., Any]) -> Any:
    return make_user("64.72", Role.COORDINATOR)


@pytest.fixture
def viewer(make_user: Callable[..., Any]) -> Any:
    return make_user("64.72", Role.VIEWER)


@pytest.fixture
def make_request(units: dict[str, Any]) -> Callable[..., InformationRequest]:
    """``make_request(code="64.72", received_at=None, channel="portal", **fields)``."""

    def make(
        code: str = "64.72",
        *,
        received_at: datetime | None = None,
        channel: str = "portal",
        user: Any = None,
        **fields: Any,
    ) -> InformationRequest:
        request, _code = services.submit(
            units[code],
            request_data(**fields),
            channel=channel,
            user=user,
            received_at=received_at,
        )
        return request

    return make


class Clock:
    """``timezone.now()`` fixed at a moment the test sets (``clock.set(wita(...))``)."""

    def __init__(self, monkeypatch: Any) -> None:
        from django.utils import timezone

        self.moment: datetime | None = None
        real_now = timezone.now
        monkeypatch.setattr(timezone, "now", lambda: self.moment or real_now())

    def set(self, moment: datetime) -> datetime:
        self.moment = moment
        return moment


@pytest.fixture
def clock(monkeypatch: Any) -> Clock:
    return Clock(monkeypatch)
