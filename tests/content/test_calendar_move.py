"""Rescheduling from the calendar: the drag-and-drop endpoint and its no-JS page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from bakohumas.content import services
from bakohumas.content.models import ContentItem, Election, ElectionStage, Status
from bakohumas.core.models import Role

HTMX = {"HTTP_HX_REQUEST": "true"}


def move_url(item: ContentItem) -> str:
    return f"/app/calendar/move/{item.pk}/"


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def wita(unit: Any, *args: int) -> datetime:
    return datetime(*args, tzinfo=unit.zone)


@pytest.fixture
def editor(make_user: Callable[..., Any]) -> Any:
    return make_user("64.72", Role.EDITOR)


@pytest.fixture
def samarinda(units: dict[str, Any]) -> Any:
    return units["64.72"]


@pytest.fixture
def item(make_item: Any, samarinda: Any) -> ContentItem:
    # 10:15 WITA on 10 March 2031 (02:15 UTC)
    return make_item(publish_at=wita(samarinda, 2031, 3, 10, 10, 15))


@pytest.fixture
def quiet_period(units: dict[str, Any]) -> ElectionStage:
    election = Election.objects.create(
        name="Pemilihan Gubernur Kaltim", kind="pemilihan", unit=units["64"]
    )
    return ElectionStage.objects.create(
        election=election,
        name="Masa tenang",
        starts_on=date(2031, 3, 12),
        ends_on=date(2031, 3, 14),
        restricts_publishing=True,
    )


def test_drag_to_another_day_keeps_the_local_time(
    item: ContentItem, editor: Any, samarinda: Any
) -> None:
    response = client_for(editor).post(move_url(item), {"date": "2031-03-11"}, **HTMX)
    assert response.status_code == 200
    assert response["HX-Refresh"] == "true"
    item.refresh_from_db()
    assert samarinda.localtime(item.publish_at).replace(tzinfo=None) == datetime(
        2031, 3, 11, 10, 15
    )
    assert item.publish_at == datetime(2031, 3, 11, 2, 15, tzinfo=UTC)


def test_move_across_the_utc_date_line(make_item: Any, editor: Any, samarinda: Any) -> None:
    # 00:30 WITA on 10 March is 16:30 UTC on 9 March: the day moved is the WITA day.
    late = make_item(publish_at=wita(samarinda, 2031, 3, 10, 0, 30))
    client_for(editor).post(move_url(late), {"date": "2031-03-20"}, **HTMX)
    late.refresh_from_db()
    assert late.publish_at == datetime(2031, 3, 19, 16, 30, tzinfo=UTC)


def test_quiet_period_asks_for_a_reason_then_moves(
    item: ContentItem, editor: Any, samarinda: Any, quiet_period: ElectionStage
) -> None:
    client = client_for(editor)
    before = item.publish_at
    response = client.post(move_url(item), {"date": "2031-03-13"}, **HTMX)
    assert response.status_code == 409
    html = response.content.decode()
    assert 'name="reason"' in html and 'hx-post="/app/calendar/move/' in html
    assert "Masa tenang" in html and "restricts publishing" in html
    assert 'name="date" value="2031-03-13"' in html
    item.refresh_from_db()
    assert item.publish_at == before and item.schedule_reason == ""
    # an empty reason is asked again
    response = client.post(move_url(item), {"date": "2031-03-13", "reason": "  "}, **HTMX)
    assert response.status_code == 409
    # with a reason it moves and the reason is kept
    response = client.post(
        move_url(item),
        {"date": "2031-03-13", "reason": "Klarifikasi hoaks mendesak"},
        **HTMX,
    )
    assert response.status_code == 200
    item.refresh_from_db()
    assert samarinda.localtime(item.publish_at).date() == date(2031, 3, 13)
    assert item.schedule_reason == "Klarifikasi hoaks mendesak"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"date": "13-03-2031"}, "Enter the date as YYYY-MM-DD."),
        ({"date": "2031-02-30"}, "Enter the date as YYYY-MM-DD."),
        ({"date": ""}, "Choose the new date."),
        ({}, "Choose the new date."),
        ({"date": "0001-01-01"}, "Choose a date between 2000 and 2100."),
        ({"date": "9999-12-31"}, "Choose a date between 2000 and 2100."),
        ({"date": "2031-03-11", "time": "25:00"}, "Enter the time as HH:MM."),
        ({"date": "2031-03-11", "reason": "x\x00y"}, "Null characters are not allowed."),
    ],
)
def test_bad_input_is_400_with_a_clear_message(
    item: ContentItem, editor: Any, data: dict[str, str], message: str
) -> None:
    before = item.publish_at
    response = client_for(editor).post(move_url(item), data, **HTMX)
    assert response.status_code == 400
    assert message in response.content.decode()
    item.refresh_from_db()
    assert item.publish_at == before


def test_another_units_item_is_404(
    item: ContentItem, make_user: Callable[..., Any], units: dict[str, Any]
) -> None:
    berau = client_for(make_user("64.03", Role.COORDINATOR))
    assert berau.post(move_url(item), {"date": "2031-03-11"}, **HTMX).status_code == 404
    assert berau.get(move_url(item)).status_code == 404
    assert berau.post("/app/calendar/move/99999999/", {"date": "2031-03-11"}).status_code == 404
    before = item.publish_at
    item.refresh_from_db()
    assert item.publish_at == before
    # the province's coordinator may move it
    province = client_for(make_user("64", Role.COORDINATOR))
    assert province.post(move_url(item), {"date": "2031-03-11"}, **HTMX).status_code == 200


def test_viewer_and_non_author_contributor_are_403(
    item: ContentItem, make_user: Callable[..., Any]
) -> None:
    before = item.publish_at
    viewer = client_for(make_user("64.72", Role.VIEWER))
    assert viewer.post(move_url(item), {"date": "2031-03-11"}, **HTMX).status_code == 403
    assert viewer.get(move_url(item)).status_code == 403
    colleague = client_for(make_user("64.72", Role.CONTRIBUTOR))
    assert colleague.post(move_url(item), {"date": "2031-03-11"}, **HTMX).status_code == 403
    assert colleague.get(move_url(item)).status_code == 403
    item.refresh_from_db()
    assert item.publish_at == before


def test_author_contributor_may_move_own_draft(item: ContentItem, contributor: Any) -> None:
    response = client_for(contributor).post(move_url(item), {"date": "2031-03-11"}, **HTMX)
    assert response.status_code == 200


def test_published_item_cannot_be_moved(item: ContentItem, editor: Any) -> None:
    ContentItem.objects.filter(pk=item.pk).update(
        status=Status.PUBLISHED, published_at=timezone.now()
    )
    response = client_for(editor).post(move_url(item), {"date": "2031-03-11"}, **HTMX)
    assert response.status_code in (400, 403)
    item.refresh_from_db()
    assert item.publish_at.date() == date(2031, 3, 10)


def test_scheduled_item_stays_scheduled_and_cannot_go_to_the_past(
    make_item: Any, editor: Any, coordinator: Any, contributor: Any, samarinda: Any
) -> None:
    when = timezone.now() + timedelta(days=3)
    scheduled = make_item(publish_at=when)
    services.submit(scheduled, by=contributor)
    scheduled = services.approve(scheduled, by=coordinator)
    assert scheduled.status == Status.SCHEDULED
    client = client_for(editor)
    new_day = samarinda.localtime(when).date() + timedelta(days=2)
    response = client.post(move_url(scheduled), {"date": new_day.isoformat()}, **HTMX)
    assert response.status_code == 200
    scheduled.refresh_from_db()
    assert scheduled.status == Status.SCHEDULED
    assert samarinda.localtime(scheduled.publish_at).date() == new_day
    assert scheduled.transitions.filter(comment__startswith="Rescheduled").exists()
    past = samarinda.localtime(timezone.now()).date() - timedelta(days=2)
    response = client.post(move_url(scheduled), {"date": past.isoformat()}, **HTMX)
    assert response.status_code == 400
    assert "Choose a time in the future" in response.content.decode()
    scheduled.refresh_from_db()
    assert samarinda.localtime(scheduled.publish_at).date() == new_day
    # a contributor may not reschedule a scheduled item (it is a publishing decision)
    assert (
        client_for(contributor)
        .post(move_url(scheduled), {"date": new_day.isoformat()}, **HTMX)
        .status_code
        == 403
    )


# --- the no-JavaScript page ----------------------------------------------------------------


def test_fallback_page_shows_local_date_and_time(item: ContentItem, editor: Any) -> None:
    response = client_for(editor).get(move_url(item), {"next": "/app/calendar/?date=2031-03-10"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="2031-03-10"' in html and 'value="10:15"' in html
    assert "times in WITA" in html
    assert 'name="next" value="/app/calendar/?date=2031-03-10"' in html


def test_fallback_post_redirects_and_sets_time(
    item: ContentItem, editor: Any, samarinda: Any
) -> None:
    client = client_for(editor)
    response = client.post(
        move_url(item),
        {"date": "2031-03-15", "time": "19:45", "next": "/app/calendar/?date=2031-03-01"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/app/calendar/?date=2031-03-01"
    item.refresh_from_db()
    assert samarinda.localtime(item.publish_at).replace(tzinfo=None) == datetime(
        2031, 3, 15, 19, 45
    )
    # an unsafe next is ignored: back to the calendar of the new date
    response = client.post(
        move_url(item), {"date": "2031-03-16", "next": "https://evil.example/phish"}
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/app/calendar/?")
    assert "date=2031-03-16" in response["Location"]


def test_fallback_quiet_period_shows_the_reason_field(
    item: ContentItem, editor: Any, quiet_period: ElectionStage
) -> None:
    client = client_for(editor)
    response = client.post(move_url(item), {"date": "2031-03-12"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "The item was not moved." in html and "Masa tenang" in html
    assert "Give a reason to schedule it anyway." in html
    response = client.post(move_url(item), {"date": "2031-03-12", "reason": "Mendesak"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.schedule_reason == "Mendesak"


def test_fallback_bad_date_is_400_page(item: ContentItem, editor: Any) -> None:
    response = client_for(editor).post(move_url(item), {"date": "kemarin"})
    assert response.status_code == 400
    assert "Enter the date as YYYY-MM-DD." in response.content.decode()


def test_get_only_and_post(item: ContentItem, editor: Any) -> None:
    assert client_for(editor).put(move_url(item)).status_code == 405
