"""The dashboard: counts per unit in scope, recent activity, the user's own unit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.test import Client

from bakohumas.core.models import Role, WorkUnit
from bakohumas.stakeholders.models import CommunicationGroup, Contact, Organisation
from tests.core.helpers import bulk_staff


def _stakeholders(unit: WorkUnit, n: int) -> None:
    for i in range(n):
        org = Organisation.objects.create(unit=unit, name=f"Org {unit.code} {i}", category="press")
        Contact.objects.create(unit=unit, organisation=org, name=f"Contact {unit.code} {i}")
    CommunicationGroup.objects.create(
        unit=unit, name=f"WA {unit.code}", platform="whatsapp", audience="internal"
    )


def test_counts_per_unit_and_totals(
    make_user: Callable[..., Any], client_for: Callable[[Any], Client], units: dict[str, WorkUnit]
) -> None:
    _stakeholders(units["64.72"], 3)
    _stakeholders(units["64.03"], 2)
    bulk_staff(units["64.03"], 4)
    viewer = make_user("64", Role.VIEWER)
    response = client_for(viewer).get("/app/")
    rows = {row["unit"].code: row for row in response.context["unit_rows"]}
    assert set(rows) == set(units) - {"00"}
    assert rows["64.72"]["organisations"] == 3 and rows["64.72"]["contacts"] == 3
    assert rows["64.72"]["groups"] == 1
    assert rows["64.03"]["staff"] == 4 and rows["64.03"]["organisations"] == 2
    totals = response.context["totals"]
    assert totals == {"units": 11, "staff": 5, "organisations": 5, "contacts": 5, "groups": 2}
    own = response.context["own_unit"]
    assert own["unit"] == units["64"] and own["staff"] == 1 and own["organisations"] == 0
    assert 'data-testid="your-unit"' in response.content.decode()

    samarinda = client_for(make_user("64.72", Role.VIEWER)).get("/app/")
    assert [r["unit"].code for r in samarinda.context["unit_rows"]] == ["64.72"]
    assert samarinda.context["totals"]["organisations"] == 3


def test_recent_activity_is_in_scope(
    make_user: Callable[..., Any], client_for: Callable[[Any], Client], units: dict[str, WorkUnit]
) -> None:
    berau_admin = make_user("64.03", Role.ADMINISTRATOR)
    client_for(berau_admin).post(f"/app/units/{units['64.03'].pk}/edit/", {"address": "Berau"})
    samarinda_admin = make_user("64.72", Role.ADMINISTRATOR)
    client_for(samarinda_admin).post(
        f"/app/units/{units['64.72'].pk}/edit/", {"address": "Samarinda"}
    )
    recent = client_for(make_user("64.72", Role.VIEWER)).get("/app/").context["recent"]
    assert {e.actor_id for e in recent} == {samarinda_admin.pk}
    province = client_for(make_user("64", Role.VIEWER)).get("/app/").context["recent"]
    assert {e.actor_id for e in province} == {samarinda_admin.pk, berau_admin.pk}


def test_query_count_bounded(
    make_user: Callable[..., Any],
    client_for: Callable[[Any], Client],
    units: dict[str, WorkUnit],
    django_assert_max_num_queries: Any,
) -> None:
    client = client_for(make_user("00", Role.ADMINISTRATOR))
    client.get("/app/")
    with django_assert_max_num_queries(26):
        client.get("/app/")
    for unit in units.values():
        _stakeholders(unit, 2)
        bulk_staff(unit, 2)
    client.post(f"/app/units/{units['64.72'].pk}/edit/", {"address": "x"})
    with django_assert_max_num_queries(26):
        response = client.get("/app/")
    assert response.status_code == 200
    assert response.context["totals"]["organisations"] == 24
