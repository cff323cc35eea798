"""The dispatch calendar: publications on the day of the unit's time zone, filters,
month navigation, scope."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bakohumas.core.models import Role
from bakohumas.dissemination import engine
from bakohumas.dissemination.models import Publication
from tests.dissemination.test_views_plan import approved_in, client_for, text

pytestmark = pytest.mark.django_db

URL = reverse("dissemination:calendar")


def plan_at(item: Any, by: Any, when: datetime, kind: str = "print") -> Publication:
    return engine.plan(item, engine.PlanInput(kind=kind, target="Koran", scheduled_at=when), by=by)


def day_of(response: Any, publication: Publication) -> date | None:
    for week in response.context["weeks"]:
        for day in week:
            if any(e["publication"].pk == publication.pk for e in day.entries):
                return day.date  # type: ignore[no-any-return]
    return None


def test_publication_appears_on_its_local_day(approved: Any, editor: Any) -> None:
    # 23:30 UTC on the 10th is 07:30 WITA on the 11th.
    late = plan_at(approved, editor, datetime(2030, 3, 10, 23, 30, tzinfo=UTC))
    response = client_for(editor).get(URL, {"month": "2030-03"})
    assert response.status_code == 200
    assert day_of(response, late) == date(2030, 3, 11)
    body = text(response)
    assert "07:30" in body
    assert reverse("dissemination:publication", args=[late.pk]) in body
    assert "March 2030" in body
    assert "month=2030-04" in body and "month=2030-02" in body


def test_filters_by_channel_and_status(approved: Any, editor: Any) -> None:
    when = datetime(2030, 3, 5, 2, 0, tzinfo=UTC)
    printed = plan_at(approved, editor, when)
    radio = plan_at(approved, editor, when, kind="radio")
    engine.cancel(radio, by=editor)
    client = client_for(editor)
    response = client.get(URL, {"month": "2030-03", "kind": "radio"})
    assert day_of(response, radio) and not day_of(response, printed)
    response = client.get(URL, {"month": "2030-03", "status": "planned"})
    assert day_of(response, printed) and not day_of(response, radio)


@pytest.mark.parametrize(
    "query", [{"month": "maret"}, {"month": "1800-01"}, {"kind": "nope"}, {"month": "2030-13"}]
)
def test_bad_input_is_no_500(editor: Any, query: dict[str, str]) -> None:
    assert client_for(editor).get(URL, query).status_code == 200


def test_scope(editor: Any, make_user: Callable[..., Any], units: Any) -> None:
    berau_editor = make_user("64.03", Role.EDITOR)
    berau = plan_at(
        approved_in(make_user, units, "64.03"),
        berau_editor,
        datetime(2030, 3, 5, 2, 0, tzinfo=UTC),
    )
    assert client_for(editor).get(URL, {"unit": units["64.03"].pk}).status_code == 404
    province = client_for(make_user("64", Role.VIEWER))
    response = province.get(URL, {"unit": units["64.03"].pk, "month": "2030-03"})
    assert response.status_code == 200
    assert day_of(response, berau) == date(2030, 3, 5)


def test_query_count_does_not_grow(
    approved: Any, editor: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_for(editor)
    plan_at(approved, editor, datetime(2030, 3, 5, 2, 0, tzinfo=UTC))
    client.get(URL, {"month": "2030-03"})
    with CaptureQueriesContext(connection) as small:
        client.get(URL, {"month": "2030-03"})
    baseline = len(small.captured_queries)
    for day in range(1, 28):
        plan_at(approved, editor, datetime(2030, 3, day, 2, 0, tzinfo=UTC), kind="radio")
    with django_assert_max_num_queries(baseline):
        response = client.get(URL, {"month": "2030-03"})
    assert text(response).count('data-testid="calendar-entry"') == 28
