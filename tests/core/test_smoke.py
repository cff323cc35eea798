from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from bakohumas.core.models import Role


@pytest.mark.django_db
def test_dashboard_requires_login(client: Client) -> None:
    response = client.get("/app/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_dashboard_shows_only_own_scope(login: Callable[..., Client]) -> None:
    response = login("64.72", Role.VIEWER).get("/app/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "KPU Kota Samarinda" in body
    assert "KPU Kabupaten Berau" not in body
    province = login("64", Role.VIEWER).get("/app/").content.decode()
    assert "KPU Kabupaten Berau" in province and "KPU Kota Samarinda" in province


@pytest.mark.django_db
def test_healthz_without_worker_is_503(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 503
    data = response.json()
    assert data["database"]["status"] == "ok"
    assert data["worker"]["status"] == "missing"


@pytest.mark.django_db
def test_healthz_with_fresh_heartbeat_is_200(client: Client) -> None:
    from bakohumas.core.management.commands.worker import beat

    beat("test-worker")
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()
    assert response.json()["worker"]["status"] == "ok"


def test_in_zone_filter_shows_the_units_wall_clock(units: dict) -> None:
    from datetime import UTC, datetime

    from django.template import Context, Template

    moment = datetime(2026, 1, 5, 1, 30, tzinfo=UTC)
    template = Template('{% load core_tags %}{{ when|in_zone:unit|date:"H:i" }}')
    units["00"].time_zone = "Asia/Jakarta"
    assert template.render(Context({"when": moment, "unit": units["00"]})) == "08:30"
    assert template.render(Context({"when": moment, "unit": units["64.72"]})) == "09:30"


@pytest.mark.django_db
def test_planner_statistics_refresh() -> None:
    from django.db import connection

    from bakohumas.core.management.commands.worker import refresh_planner_statistics

    assert refresh_planner_statistics() is (connection.vendor == "sqlite")
