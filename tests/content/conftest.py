"""Fixtures of the content tests: English UI, items in each state."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bakohumas.content import services
from bakohumas.content.models import ContentItem
from bakohumas.core.models import Role

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def _dummy_tasks(settings: Any) -> None:
    # Tasks are stored, not run: tests drive publication through the services.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def contributor(make_user: Callable[..., Any]) -> Any:
    return make_user("64.72", Role.CONTRIBUTOR)


@pytest.fixture
def coordinator(make_user: Callable[..., Any]) -> Any:
    return make_user("64.72", Role.COORDINATOR)


@pytest.fixture
def make_item(units: dict[str, Any], contributor: Any) -> Callable[..., ContentItem]:
    def make(by: Any = None, code: str = "64.72", **fields: Any) -> ContentItem:
        data = {
            "form": "news",
            "title": "Jadwal pemutakhiran data pemilih",
            "summary": "Ringkasan",
            "body": "<p>Isi berita <strong>penting</strong>.</p>",
        }
        data.update(fields)
        return services.create_item(unit=units[code], by=by or contributor, fields=data)

    return make
