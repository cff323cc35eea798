"""Shared fixtures: work units, users of each role, API clients."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from bakohumas.core.data import load_work_units
from bakohumas.core.models import Role, StaffProfile, WorkUnit
from bakohumas.core.services import set_role

PASSWORD = "test-pass-Xy9!"


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings: Any) -> None:
    # PBKDF2 costs ~2 s of set-up per test that makes users; the hasher is Django's own
    # concern, not ours.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_portal_cache() -> None:
    # Each test's database starts from the same portal generation: pages rendered by an
    # earlier test must not be served from the process's cache.
    from django.core.cache import caches

    caches["portal"].clear()


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def units(db: Any) -> dict[str, WorkUnit]:
    """KPU RI, KPU Provinsi Kaltim and its 10 kab/kota, keyed by code ("00", "64", "64.72" …)."""
    load_work_units()
    return {u.code: u for u in WorkUnit.objects.all()}


@pytest.fixture
def make_user(db: Any, units: dict[str, WorkUnit]) -> Callable[..., Any]:
    counter = {"n": 0}

    def make(code: str = "64.72", role: str = Role.EDITOR, username: str | None = None) -> Any:
        counter["n"] += 1
        name = username or f"{role}.{code.replace('.', '')}.{counter['n']}"
        user = get_user_model().objects.create_user(
            username=name, email=f"{name}@kpu.example.id", password=PASSWORD
        )
        StaffProfile.objects.create(user=user, unit=units[code], role=role)
        set_role(user, role)
        return get_user_model().objects.get(pk=user.pk)

    return make


@pytest.fixture
def login(make_user: Callable[..., Any]) -> Callable[..., Client]:
    """``login(code, role)`` → a test client logged in as a new user of that unit and role."""

    def do(code: str = "64.72", role: str = Role.EDITOR) -> Client:
        client = Client()
        client.force_login(make_user(code, role))
        return client

    return do
