"""List endpoints do not grow their query count with the rows returned."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bakohumas.core.models import Role, StaffProfile
from bakohumas.stakeholders.models import ContactConsent, GroupMembership, Tag


def _fill(
    n: int, units: dict[str, Any], org_factory: Any, contact_factory: Any, group_factory: Any
) -> dict[str, Any]:
    tags = [Tag.objects.get_or_create(name=f"tag{i}")[0] for i in range(3)]
    group = group_factory("64.72", name=f"Grup utama {n}")
    for i in range(n):
        code = "64.72" if i % 2 else "64.03"
        org = org_factory(code)
        org.tags.set(tags)
        contact = contact_factory(code, organisation=org)
        contact.tags.set(tags)
        ContactConsent.objects.create(
            contact=contact, channel="email", status="granted", method="written"
        )
        group_factory(code)
        if code == "64.72":
            GroupMembership.objects.create(group=group, contact=contact)
        user = get_user_model().objects.create_user(f"staf{n}-{i}")
        StaffProfile.objects.create(user=user, unit=units[code], role=Role.VIEWER)
        member = get_user_model().objects.create_user(f"anggota{n}-{i}")
        StaffProfile.objects.create(user=member, unit=units["64.72"], role=Role.VIEWER)
        GroupMembership.objects.create(group=group, user=member)
    return {"group": group}


PATHS = [
    "/api/v1/work-units",
    "/api/v1/people",
    "/api/v1/organisations",
    "/api/v1/contacts",
    "/api/v1/groups",
    "/api/v1/groups/{group}/members",
]


@pytest.mark.parametrize("path", PATHS)
def test_list_queries_do_not_grow_with_rows(
    path: str,
    api: Callable[..., Any],
    units: dict[str, Any],
    org_factory: Any,
    contact_factory: Any,
    group_factory: Any,
) -> None:
    client = api("64", Role.VIEWER)
    client.get("/api/v1/work-units")  # warm up: last_used_at written once

    def count(n: int) -> tuple[int, int]:
        rows = _fill(n, units, org_factory, contact_factory, group_factory)
        url = path.format(group=rows["group"].pk) + "?page_size=200"
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200, response.content
        return len(ctx.captured_queries), response.json()["count"]

    few, few_rows = count(5)
    many, many_rows = count(30)
    if path != "/api/v1/work-units":  # the work units are fixed reference data
        assert many_rows >= few_rows + 25, (path, few_rows, many_rows)
    assert many == few, (path, few, many)
    assert few <= 12, (path, few)


def test_list_query_budget(
    api: Callable[..., Any],
    units: Any,
    org_factory: Any,
    contact_factory: Any,
    group_factory: Any,
    django_assert_max_num_queries: Any,
) -> None:
    client = api("64", Role.VIEWER)
    client.get("/api/v1/work-units")
    _fill(30, units, org_factory, contact_factory, group_factory)
    for path in ("/api/v1/organisations", "/api/v1/contacts", "/api/v1/people"):
        with django_assert_max_num_queries(10):
            assert client.get(path + "?page_size=200").status_code == 200
