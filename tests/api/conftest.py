"""Fixtures of the API tests: token-authenticated clients and stakeholder rows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from bakohumas.api.models import ApiToken
from bakohumas.core.models import Role, WorkUnit
from bakohumas.stakeholders.models import (
    Category,
    CommunicationGroup,
    Contact,
    Organisation,
    Platform,
)


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    """Assert on the English messages whatever the Indonesian catalogue says."""
    settings.LANGUAGE_CODE = "en"


class ApiClient(Client):
    """A test client sending ``Authorization: Bearer <token>`` and JSON bodies."""

    user: Any
    token: str

    def post_json(self, path: str, data: Any) -> Any:
        return self.post(path, data, content_type="application/json")

    def patch_json(self, path: str, data: Any) -> Any:
        return self.patch(path, data, content_type="application/json")

    def put_json(self, path: str, data: Any) -> Any:
        return self.put(path, data, content_type="application/json")


@pytest.fixture
def api(make_user: Callable[..., Any]) -> Callable[..., ApiClient]:
    """``api(code, role)`` → a client authenticated with a new user's personal token."""

    def make(code: str = "64.72", role: str = Role.EDITOR) -> ApiClient:
        user = make_user(code, role)
        _token, plain = ApiToken.issue(user, "test")
        client = ApiClient(headers={"Authorization": f"Bearer {plain}"})
        client.user = user
        client.token = plain
        return client

    return make


@pytest.fixture
def org_factory(units: dict[str, WorkUnit]) -> Callable[..., Organisation]:
    counter = {"n": 0}

    def make(code: str = "64.72", **fields: Any) -> Organisation:
        counter["n"] += 1
        fields.setdefault("name", f"Organisasi {code} {counter['n']}")
        fields.setdefault("category", Category.PRESS)
        return Organisation.objects.create(unit=units[code], **fields)

    return make


@pytest.fixture
def contact_factory(units: dict[str, WorkUnit]) -> Callable[..., Contact]:
    counter = {"n": 0}

    def make(code: str = "64.72", **fields: Any) -> Contact:
        counter["n"] += 1
        fields.setdefault("name", f"Kontak {code} {counter['n']}")
        return Contact.objects.create(unit=units[code], **fields)

    return make


@pytest.fixture
def group_factory(units: dict[str, WorkUnit]) -> Callable[..., CommunicationGroup]:
    counter = {"n": 0}

    def make(code: str = "64.72", **fields: Any) -> CommunicationGroup:
        counter["n"] += 1
        fields.setdefault("name", f"Grup {code} {counter['n']}")
        fields.setdefault("platform", Platform.WHATSAPP)
        fields.setdefault("audience", "stakeholder")
        return CommunicationGroup.objects.create(unit=units[code], **fields)

    return make
