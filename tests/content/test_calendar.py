"""The content calendar: month and week views in the unit's zone, scope, stages, queries."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bakohumas.content import calendar, services
from bakohumas.content.models import ContentItem, Election, ElectionStage, Status
from bakohumas.core.models import Role

URL = "/app/calendar/"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def cell(html: str, day: str) -> str:
    """The HTML of the calendar cell of ``day`` (YYYY-MM-DD)."""
    match = re.search(rf'<td[^>]*data-drop-date="{day}".*?</td>', html, re.S)
    assert match, f"no cell for {day}"
    return match.group(0)


def item_ids(html: str, day: str) -> set[int]:
    return {int(pk) for pk in re.findall(r'data-item-id="(\d+)"', cell(html, day))}


def publish(item: ContentItem, at: datetime) -> None:
    """Mark an item published at ``at`` (test set-up; the workflow is tested elsewhere)."""
    ContentItem.objects.filter(pk=item.pk).update(status=Status.PUBLISHED, published_at=at)


@pytest.fixture
def editor(make_user: Callable[..., Any]) -> Any:
    return make_user("64.72", Role.EDITOR)


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- days in WITA ----------------------------------------------------------------------------


def test_month_days_are_wita_across_midnight_utc(make_item: Any, editor: Any) -> None:
    # 2030-04-09 16:30 UTC is 2030-04-10 00:30 WITA; 15:59 UTC is still the 9th.
    late = make_item(title="Tengah malam WITA", publish_at=utc(2030, 4, 9, 16, 30))
    early = make_item(title="Sebelum tengah malam", publish_at=utc(2030, 4, 9, 15, 59))
    # Published on 30 April 17:00 UTC = 1 May 01:00 WITA: a grid day of the next month.
    done = make_item(title="Terbit Mei", publish_at=utc(2030, 4, 20, 1, 0))
    publish(done, utc(2030, 4, 30, 17, 0))
    response = client_for(editor).get(URL, {"date": "2030-04-15"})
    assert response.status_code == 200
    html = response.content.decode()
    assert item_ids(html, "2030-04-10") == {late.pk}
    assert item_ids(html, "2030-04-09") == {early.pk}
    # a published item sits on its publication day, not its planned day
    assert item_ids(html, "2030-04-20") == set()
    assert item_ids(html, "2030-04-30") == set()
    assert item_ids(html, "2030-05-01") == {done.pk}
    assert "calendar-outside" in cell(html, "2030-05-01")
    assert "00:30" in cell(html, "2030-04-10") and "23:59" in cell(html, "2030-04-09")
    assert "times in WITA" in html
    assert "April 2030" in html
    # the grid is whole weeks from Monday: 1 April 2030 (a Monday) … Sunday 5 May 2030
    assert 'data-drop-date="2030-04-01"' in html and 'data-drop-date="2030-05-05"' in html
    assert 'data-drop-date="2030-03-31"' not in html and 'data-drop-date="2030-05-06"' not in html
    # March 2030 ends on a Sunday: its grid stops there
    html = client_for(editor).get(URL, {"date": "2030-03-15"}).content.decode()
    days = re.findall(r'data-drop-date="([\d-]+)"', html)
    assert days[0] == "2030-02-25" and days[-1] == "2030-03-31" and len(days) == 35


def test_week_view_and_navigation(make_item: Any, editor: Any) -> None:
    item = make_item(publish_at=utc(2030, 3, 10, 16, 5))  # Mon 11 March 00:05 WITA
    other_week = make_item(title="Minggu lalu", publish_at=utc(2030, 3, 10, 15, 55))
    response = client_for(editor).get(URL, {"view": "week", "date": "2030-03-13"})
    html = response.content.decode()
    days = re.findall(r'data-drop-date="([\d-]+)"', html)
    assert days == [f"2030-03-{d}" for d in range(11, 18)]
    assert item_ids(html, "2030-03-11") == {item.pk}
    assert f'data-item-id="{other_week.pk}"' not in html
    assert "view=week&amp;date=2030-03-06" in html  # previous week
    assert "view=week&amp;date=2030-03-20" in html  # next week
    assert "11 Mar \u2013 17 Mar 2030" in html
    # month navigation
    html = client_for(editor).get(URL, {"date": "2030-01-31"}).content.decode()
    assert "date=2029-12-01" in html and "date=2030-02-01" in html


def test_today_is_the_units_local_day(editor: Any, settings: Any) -> None:
    settings.TIME_ZONE = "UTC"
    html = client_for(editor).get(URL).content.decode()
    today = timezone.localtime(timezone.now(), calendar.ZoneInfo("Asia/Makassar")).date()
    assert "today" in cell(html, today.isoformat())


def test_bad_query_values_do_not_fail(editor: Any) -> None:
    client = client_for(editor)
    for params in (
        {"date": "2030-02-30"},
        {"date": "0001-01-01"},
        {"date": "bukan-tanggal"},
        {"view": "year"},
        {"status": "bogus", "form": "<script>"},
        {"scope": "nation"},
    ):
        response = client.get(URL, params)
        assert response.status_code == 200, params
    assert client.get(URL, {"unit": "abc"}).status_code == 404
    assert client.get(URL, {"unit": "99999999"}).status_code == 404


# --- badges, filters, stages -----------------------------------------------------------------


def test_item_badge_icon_link_and_filters(make_item: Any, editor: Any) -> None:
    news = make_item(title="Berita", publish_at=utc(2030, 3, 12, 2))
    info = make_item(title="Infografis", form="infographic", publish_at=utc(2030, 3, 12, 3))
    services.update_item(
        info, by=editor, variants=[{"channel": "instagram", "text": "Cek DPT #pemilu"}]
    )
    client = client_for(editor)
    html = client.get(URL, {"date": "2030-03-12"}).content.decode()
    day = cell(html, "2030-03-12")
    assert "bi-newspaper" in day and "bi-bar-chart-line" in day
    assert "text-bg-secondary" in day and "Draft" in day
    assert f"/app/content/{news.pk}/" in day
    # filters: form, channel, status
    html = client.get(URL, {"date": "2030-03-12", "form": "infographic"}).content.decode()
    assert item_ids(html, "2030-03-12") == {info.pk}
    html = client.get(URL, {"date": "2030-03-12", "channel": "instagram"}).content.decode()
    assert item_ids(html, "2030-03-12") == {info.pk}
    html = client.get(URL, {"date": "2030-03-12", "status": "submitted"}).content.decode()
    assert item_ids(html, "2030-03-12") == set()


def test_stages_and_quiet_period_days(
    units: dict[str, Any], editor: Any, make_user: Callable[..., Any]
) -> None:
    national = Election.objects.create(
        name="Pemilu 2029", kind="pemilu", voting_day=date(2030, 3, 14)
    )
    ElectionStage.objects.create(
        election=national,
        name="Masa tenang",
        starts_on=date(2030, 3, 11),
        ends_on=date(2030, 3, 13),
        restricts_publishing=True,
    )
    ElectionStage.objects.create(
        election=national, name="Kampanye", starts_on=date(2030, 2, 1), ends_on=date(2030, 3, 10)
    )
    berau = Election.objects.create(name="Pilbup Berau", kind="pemilihan", unit=units["64.03"])
    ElectionStage.objects.create(
        election=berau,
        name="Tenang Berau",
        starts_on=date(2030, 3, 20),
        ends_on=date(2030, 3, 22),
        restricts_publishing=True,
    )
    inactive = Election.objects.create(name="Lama", kind="pemilu", is_active=False)
    ElectionStage.objects.create(
        election=inactive,
        name="Tenang lama",
        starts_on=date(2030, 3, 1),
        ends_on=date(2030, 3, 2),
        restricts_publishing=True,
    )
    html = client_for(editor).get(URL, {"date": "2030-03-12"}).content.decode()
    for day in ("2030-03-11", "2030-03-12", "2030-03-13"):
        assert "calendar-quiet" in cell(html, day) and "Quiet period" in cell(html, day)
    assert "Quiet period" not in cell(html, "2030-03-14")
    assert "Masa tenang" in cell(html, "2030-03-11")  # named on its first day
    assert "Kampanye" in cell(html, "2030-03-10")
    # another kab/kota's election and inactive elections do not bind Samarinda
    assert "Tenang Berau" not in html and "Tenang lama" not in html
    # the province view shows the Berau stage with its unit code
    coordinator = make_user("64", Role.COORDINATOR)
    html = client_for(coordinator).get(URL, {"date": "2030-03-20"}).content.decode()
    assert "Tenang Berau" in cell(html, "2030-03-20") and "64.03" in cell(html, "2030-03-20")


# --- scope -------------------------------------------------------------------------------


def test_kabkota_user_sees_only_their_unit(
    make_item: Any, make_user: Callable[..., Any], units: dict[str, Any]
) -> None:
    mine = make_item(publish_at=utc(2030, 3, 12, 2))
    berau_editor = make_user("64.03", Role.EDITOR)
    theirs = make_item(by=berau_editor, code="64.03", publish_at=utc(2030, 3, 12, 2))
    client = client_for(make_user("64.72", Role.VIEWER))
    html = client.get(URL, {"date": "2030-03-12", "scope": "province"}).content.decode()
    assert item_ids(html, "2030-03-12") == {mine.pk}
    assert f'data-item-id="{theirs.pk}"' not in html
    assert 'name="scope"' not in html and 'name="unit"' not in html
    # asking for another unit's calendar is a 404
    assert client.get(URL, {"unit": units["64.03"].pk}).status_code == 404
    assert client.get(URL, {"unit": units["64"].pk}).status_code == 404


def test_province_user_sees_province_with_kabkota(
    make_item: Any, make_user: Callable[..., Any], units: dict[str, Any]
) -> None:
    mine = make_item(publish_at=utc(2030, 3, 12, 2))
    berau = make_item(
        by=make_user("64.03", Role.EDITOR), code="64.03", publish_at=utc(2030, 3, 12, 3)
    )
    province = make_item(by=make_user("64", Role.EDITOR), code="64", publish_at=utc(2030, 3, 12, 4))
    client = client_for(make_user("64", Role.VIEWER))
    html = client.get(URL, {"date": "2030-03-12"}).content.decode()
    assert item_ids(html, "2030-03-12") == {mine.pk, berau.pk, province.pk}
    assert "with its kab/kota" in html
    assert "64.03" in cell(html, "2030-03-12")  # unit codes shown in a multi-unit view
    html = client.get(
        URL, {"date": "2030-03-12", "unit": units["64.03"].pk, "scope": "unit"}
    ).content.decode()
    assert item_ids(html, "2030-03-12") == {berau.pk}
    # a national user picks the province
    client = client_for(make_user("00", Role.VIEWER))
    html = client.get(URL, {"date": "2030-03-12"}).content.decode()
    assert item_ids(html, "2030-03-12") == set()
    html = client.get(
        URL, {"date": "2030-03-12", "unit": units["64"].pk, "scope": "province"}
    ).content.decode()
    assert item_ids(html, "2030-03-12") == {mine.pk, berau.pk, province.pk}


def test_resolve_scope_rules(make_user: Callable[..., Any], units: dict[str, Any]) -> None:
    kab = make_user("64.72", Role.EDITOR)
    scope = calendar.resolve_scope(kab, None, "province")
    assert scope.scope == "unit" and scope.unit_ids == [units["64.72"].pk]
    prov = make_user("64", Role.VIEWER)
    scope = calendar.resolve_scope(prov, None, None)
    assert scope.scope == "province" and len(scope.units) == 11
    scope = calendar.resolve_scope(prov, units["64.03"], "province")
    assert scope.unit == units["64"] and len(scope.units) == 11
    scope = calendar.resolve_scope(prov, units["64.03"], None)  # a kab/kota: alone
    assert scope.scope == "unit" and scope.unit_ids == [units["64.03"].pk]
    national = make_user("00", Role.VIEWER)
    scope = calendar.resolve_scope(national, None, "province")
    assert scope.scope == "unit" and scope.unit == units["00"]
    scope = calendar.resolve_scope(national, units["64"], None)  # a province: with kab/kota
    assert scope.scope == "province" and len(scope.units) == 11


def test_viewer_without_profile_or_role(client: Client, django_user_model: Any, db: Any) -> None:
    assert client.get(URL).status_code == 302  # log in first
    user = django_user_model.objects.create_user(username="tanpa.profil", password="x-Yz12345!")
    client.force_login(user)
    assert client.get(URL).status_code == 403


# --- who may drag -------------------------------------------------------------------------


def test_only_editable_items_are_draggable(
    make_item: Any, contributor: Any, make_user: Callable[..., Any]
) -> None:
    own = make_item(publish_at=utc(2030, 3, 12, 2))
    colleague = make_user("64.72", Role.CONTRIBUTOR)
    others = make_item(by=colleague, publish_at=utc(2030, 3, 12, 3))
    published = make_item(by=colleague, publish_at=utc(2030, 3, 12, 4))
    publish(published, utc(2030, 3, 12, 4))

    def draggable(user: Any) -> set[int]:
        html = client_for(user).get(URL, {"date": "2030-03-12"}).content.decode()
        return {int(pk) for pk in re.findall(r'data-item-id="(\d+)"[^>]*draggable="true"', html)}

    assert draggable(contributor) == {own.pk}
    assert draggable(make_user("64.72", Role.EDITOR)) == {own.pk, others.pk}
    assert draggable(make_user("64.72", Role.VIEWER)) == set()
    # the bulk rule agrees with services.can_edit
    for user in (contributor, colleague, make_user("64.72", Role.EDITOR)):
        items = list(ContentItem.objects.select_related("unit"))
        assert calendar.movable_ids(user, items) == {
            i.pk for i in items if services.can_edit(user, i) and i.status != Status.SCHEDULED
        } | {
            i.pk
            for i in items
            if services.can_edit(user, i)
            and i.status == Status.SCHEDULED
            and user.has_perm("content.publish_contentitem")
        }


# --- query counts ------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.CONTRIBUTOR, Role.COORDINATOR])
def test_calendar_query_count_does_not_grow(
    role: str,
    make_item: Any,
    make_user: Callable[..., Any],
    units: dict[str, Any],
    django_assert_max_num_queries: Any,
) -> None:
    user = make_user("64", role)
    national = Election.objects.create(name="Pemilu", kind="pemilu")
    ElectionStage.objects.create(
        election=national,
        name="Masa tenang",
        starts_on=date(2030, 3, 11),
        ends_on=date(2030, 3, 13),
        restricts_publishing=True,
    )
    from bakohumas.content.models import ProductionTarget

    ProductionTarget.objects.create(unit=units["64"], period="week", count=5)
    client = client_for(user)
    params = {"date": "2030-03-12", "scope": "province"}

    authors = {"64": user, "64.72": make_user("64.72", Role.EDITOR)}
    authors["64.03"] = make_user("64.03", Role.EDITOR)

    def add(n: int, offset: int) -> None:
        for i in range(n):
            code = ["64", "64.72", "64.03"][i % 3]
            make_item(
                by=authors[code],
                code=code,
                title=f"Item {offset + i}",
                publish_at=utc(2030, 3, 1 + (i % 28), 2),
            )

    add(3, 0)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(URL, params)  # warm caches (sessions, permissions)
    with CaptureQueriesContext(connection) as small:
        assert client.get(URL, params).status_code == 200
    add(45, 100)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(URL, params)
    assert response.content.decode().count("data-item-id=") >= 45
    assert len(small.captured_queries) <= 20


def test_month_cell_is_capped_with_more_link(make_item: Any, editor: Any) -> None:
    for i in range(calendar.MONTH_CELL_LIMIT + 3):
        make_item(title=f"Item {i}", publish_at=utc(2030, 3, 12, 1, i))
    html = client_for(editor).get(URL, {"date": "2030-03-12"}).content.decode()
    day = cell(html, "2030-03-12")
    assert day.count("data-item-id=") == calendar.MONTH_CELL_LIMIT
    assert "+3 more" in day
    html = client_for(editor).get(URL, {"date": "2030-03-12", "view": "week"}).content.decode()
    assert cell(html, "2030-03-12").count("data-item-id=") == calendar.MONTH_CELL_LIMIT + 3


# --- demo election -----------------------------------------------------------------------


def test_demo_election_is_idempotent_with_quiet_period(units: dict[str, Any]) -> None:
    voting = date(2029, 11, 27)
    election = calendar.demo_election(units["64"], voting_day=voting)
    again = calendar.demo_election(units["64"], voting_day=voting)
    assert election.pk == again.pk and Election.objects.count() == 1
    assert election.stages.count() == len(calendar.demo_stage_plan(voting))
    quiet = election.stages.get(restricts_publishing=True)
    assert (quiet.starts_on, quiet.ends_on) == (
        voting - timedelta(days=3),
        voting - timedelta(days=1),
    )
    # the service sees it: scheduling a Samarinda item into it warns
    when = datetime(2029, 11, 25, 10, 0, tzinfo=units["64.72"].zone)
    assert services.schedule_warnings(units["64.72"], when)
    assert not services.schedule_warnings(units["64.72"], when + timedelta(days=2))
    # default voting day: four weeks ahead
    national = calendar.demo_election(None, name="Simulasi")
    assert national.voting_day and national.voting_day > date.today()


def test_week_links_reverse() -> None:
    assert reverse("calendar:index") == URL
    assert reverse("calendar:move", args=[5]) == "/app/calendar/move/5/"
