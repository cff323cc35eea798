"""Fixtures of the core tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client


@pytest.fixture(autouse=True)
def _english(settings: Any) -> Any:
    """Assertions below read English texts; the UI default (Indonesian) comes from the .po
    file, written separately."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def immediate_tasks(settings: Any) -> None:
    """Run enqueued tasks at once, in the request (the worker is tested separately)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def dev_mailbox(settings: Any) -> None:
    """Mail goes to the development mailbox, as in the embedded default."""
    settings.EMAIL_BACKEND = "bakohumas.core.mail.DevMailboxBackend"


@pytest.fixture
def client_for() -> Callable[[Any], Client]:
    def make(user: Any) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make
