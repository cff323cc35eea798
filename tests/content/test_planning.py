"""Production targets (CRUD, gap computation) and elections with stages (CRUD, permissions)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.test import Client

from bakohumas.content import calendar
from bakohumas.content.models import (
    ContentItem,
    Election,
    ElectionStage,
    ProductionTarget,
    Status,
)
from bakohumas.core.models import Role

TARGETS = "/app/planning/targets/"
ELECTIONS = "/app/planning/elections/"


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def set_state(item: ContentItem, status: str, **fields: Any) -> None:
    ContentItem.objects.filter(pk=item.pk).update(status=status, **fields)


# --- gap computation ---------------------------------------------------------------------

# Wednesday 12 March 2031; its week is Mon 10 to Sun 16 March (WITA).
TODAY = date(2031, 3, 12)


def wita(*args: int) -> datetime:
    return datetime(*args, tzinfo=calendar.ZoneInfo("Asia/Makassar"))


@pytest.fixture
def production(make_item: Any, make_user: Callable[..., Any], units: dict[str, Any]) -> Any:
    sam = units["64.72"]
    week = ProductionTarget.objects.create(unit=sam, period="week", count=5)
    month_info = ProductionTarget.objects.create(
        unit=sam, period="month", form="infographic", count=2
    )
    month_all = ProductionTarget.objects.create(unit=sam, period="month", count=4)

    def item(status: str, form: str = "news", **fields: Any) -> ContentItem:
        made = make_item(form=form)
        set_state(made, status, **fields)
        return made

    # this week (WITA): Monday 00:30 WITA is Sunday 16:30 UTC
    item(Status.PUBLISHED, published_at=wita(2031, 3, 10, 0, 30))
    item(Status.ARCHIVED, published_at=wita(2031, 3, 16, 23, 59))  # archived still counts
    item(Status.SCHEDULED, publish_at=wita(2031, 3, 14, 9, 0))
    item(Status.PUBLISHED, form="infographic", published_at=wita(2031, 3, 11, 8, 0))
    # not this week: Sunday 23:59 WITA the week before (but this month)
    item(Status.PUBLISHED, published_at=wita(2031, 3, 9, 23, 59))
    # never counted: withdrawn, drafts with a time, another unit, another month
    item(Status.WITHDRAWN, published_at=wita(2031, 3, 11, 8, 0))
    item(Status.DRAFT, publish_at=wita(2031, 3, 12, 8, 0))
    item(Status.APPROVED, publish_at=wita(2031, 3, 12, 8, 0))
    item(Status.PUBLISHED, form="infographic", published_at=wita(2031, 2, 28, 23, 0))
    berau = make_item(by=make_user("64.03", Role.EDITOR), code="64.03")
    set_state(berau, Status.PUBLISHED, published_at=wita(2031, 3, 11, 8, 0))
    ProductionTarget.objects.create(unit=units["64.03"], period="week", count=1)
    return week, month_info, month_all


def test_target_progress_counts_published_and_scheduled(
    production: Any, units: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    week, month_info, month_all = production
    with django_assert_max_num_queries(2):
        progress = calendar.target_progress([units["64.72"], units["64.03"]], TODAY)
    by_target = {p.target.pk: p for p in progress}
    w = by_target[week.pk]
    assert (w.start, w.end) == (date(2031, 3, 10), date(2031, 3, 16))
    assert (w.published, w.scheduled, w.goal, w.done, w.gap) == (3, 1, 5, 4, 1)
    assert not w.met and w.percent == 80
    assert str(w) == (
        "KPU Kota Samarinda, this week, all forms: 3 published + 1 scheduled of 5 (1 to go)"
    )
    mi = by_target[month_info.pk]
    assert (mi.start, mi.end) == (date(2031, 3, 1), date(2031, 3, 31))
    assert (mi.published, mi.scheduled, mi.gap, mi.met) == (1, 0, 1, False)
    ma = by_target[month_all.pk]
    assert (ma.published, ma.scheduled, ma.gap, ma.met, ma.percent) == (4, 1, 0, True, 100)
    berau = next(p for p in progress if p.unit.code == "64.03")
    assert (berau.published, berau.met) == (1, True)
    # ordered by unit, week before month
    assert [(p.unit.code, p.period) for p in progress][:2] == [("64.03", "week"), ("64.72", "week")]
    assert calendar.target_progress([], TODAY) == []


def test_target_progress_across_time_zones_is_bounded(
    production: Any, units: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    ProductionTarget.objects.create(unit=units["00"], period="week", count=10)  # WIB
    with django_assert_max_num_queries(3):
        progress = calendar.target_progress(list(units.values()), TODAY)
    assert {p.unit.code for p in progress} == {"00", "64.03", "64.72"}


def test_calendar_header_shows_the_gap(production: Any, make_user: Callable[..., Any]) -> None:
    html = client_for(make_user("64.72", Role.VIEWER)).get("/app/calendar/").content.decode()
    assert 'data-testid="target-progress"' in html
    assert "Production against target" in html


# --- target pages ------------------------------------------------------------------------


def test_coordinator_creates_edits_and_deletes_a_target(
    make_user: Callable[..., Any], units: dict[str, Any]
) -> None:
    client = client_for(make_user("64.72", Role.COORDINATOR))
    assert client.get(TARGETS + "new/").status_code == 200
    response = client.post(
        TARGETS + "new/",
        {"unit": units["64.72"].pk, "form": "", "period": "week", "count": "4"},
    )
    assert response.status_code == 302
    target = ProductionTarget.objects.get()
    assert (target.unit, target.form, target.period, target.count) == (
        units["64.72"],
        "",
        "week",
        4,
    )
    html = client.get(TARGETS).content.decode()
    assert "KPU Kota Samarinda" in html and "4 to go" in html
    response = client.post(
        f"{TARGETS}{target.pk}/edit/",
        {"unit": units["64.72"].pk, "form": "video", "period": "month", "count": "2"},
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.form, target.period, target.count) == ("video", "month", 2)
    assert client.get(f"{TARGETS}{target.pk}/delete/").status_code == 200
    assert client.post(f"{TARGETS}{target.pk}/delete/").status_code == 302
    assert not ProductionTarget.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"period": "week", "count": "0"}, "greater than or equal to 1"),
        ({"period": "week", "count": "abc"}, "Enter a whole number."),
        ({"period": "year", "count": "3"}, "Select a valid choice."),
        ({"period": "week", "count": "3", "form": "poster"}, "Select a valid choice."),
        ({"period": "week", "count": "3"}, "already has a target"),  # duplicate
    ],
)
def test_bad_target_input_writes_nothing(
    make_user: Callable[..., Any], units: dict[str, Any], data: dict[str, str], message: str
) -> None:
    existing = ProductionTarget.objects.create(unit=units["64.72"], period="week", count=9)
    client = client_for(make_user("64.72", Role.COORDINATOR))
    response = client.post(TARGETS + "new/", {"unit": units["64.72"].pk, **data})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert list(ProductionTarget.objects.all()) == [existing]


def test_target_permissions_and_scope(make_user: Callable[..., Any], units: dict[str, Any]) -> None:
    target = ProductionTarget.objects.create(unit=units["64.72"], period="week", count=3)
    berau_target = ProductionTarget.objects.create(unit=units["64.03"], period="week", count=2)
    viewer = client_for(make_user("64.72", Role.VIEWER))
    assert viewer.get(TARGETS).status_code == 200
    for url in (TARGETS + "new/", f"{TARGETS}{target.pk}/edit/", f"{TARGETS}{target.pk}/delete/"):
        assert viewer.get(url).status_code == 403
        assert (
            viewer.post(url, {"unit": units["64.72"].pk, "period": "week", "count": 1}).status_code
            == 403
        )
    editor = client_for(make_user("64.72", Role.EDITOR))
    assert editor.post(f"{TARGETS}{target.pk}/delete/").status_code == 403
    berau = client_for(make_user("64.03", Role.COORDINATOR))
    assert berau.get(f"{TARGETS}{target.pk}/edit/").status_code == 404
    assert berau.post(f"{TARGETS}{target.pk}/delete/").status_code == 404
    # a target for a unit outside the scope cannot be created
    response = berau.post(
        TARGETS + "new/", {"unit": units["64.72"].pk, "period": "month", "count": 1}
    )
    assert response.status_code == 400
    # lists are scoped
    html = berau.get(TARGETS).content.decode()
    assert "KPU Kabupaten Berau" in html and "KPU Kota Samarinda" not in html
    assert berau.get(TARGETS, {"unit": units["64.72"].pk}).status_code == 404
    assert ProductionTarget.objects.count() == 2 and berau_target.pk


def test_target_list_query_count(
    make_user: Callable[..., Any], units: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    client = client_for(make_user("64", Role.COORDINATOR))
    codes = [c for c in units if c.startswith("64")]
    for code in codes[:2]:
        ProductionTarget.objects.create(unit=units[code], period="week", count=3)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(TARGETS)
    with CaptureQueriesContext(connection) as small:
        client.get(TARGETS)
    for code in codes[2:]:
        ProductionTarget.objects.create(unit=units[code], period="week", count=3)
        ProductionTarget.objects.create(unit=units[code], period="month", count=9, form="video")
    with django_assert_max_num_queries(len(small.captured_queries)):
        html = client.get(TARGETS).content.decode()
    assert html.count('data-testid="target-row"') == 20


# --- elections and stages ------------------------------------------------------------------


def election_data(**overrides: Any) -> dict[str, Any]:
    data = {"name": "Pemilihan Wali Kota Samarinda 2029", "kind": "pemilihan", "unit": ""}
    data.update(overrides)
    data.setdefault("voting_day", "2029-11-27")
    data.setdefault("is_active", "on")
    return data


def test_national_election_only_by_national_staff(
    make_user: Callable[..., Any], units: dict[str, Any]
) -> None:
    province = client_for(make_user("64", Role.COORDINATOR))
    response = province.post(ELECTIONS + "new/", election_data(name="Pemilu 2029", unit=""))
    assert response.status_code == 400 and not Election.objects.exists()
    national = client_for(make_user("00", Role.COORDINATOR))
    response = national.post(ELECTIONS + "new/", election_data(name="Pemilu 2029", kind="pemilu"))
    assert response.status_code == 302
    election = Election.objects.get()
    assert election.unit is None and election.kind == "pemilu"
    # the province sees it but may not change it
    assert province.get(f"{ELECTIONS}{election.pk}/").status_code == 200
    assert province.get(f"{ELECTIONS}{election.pk}/edit/").status_code == 403
    assert province.post(f"{ELECTIONS}{election.pk}/edit/", election_data()).status_code == 403
    assert province.post(f"{ELECTIONS}{election.pk}/delete/").status_code == 403
    assert (
        province.post(
            f"{ELECTIONS}{election.pk}/stages/new/",
            {"name": "X", "starts_on": "2029-01-01", "ends_on": "2029-01-02"},
        ).status_code
        == 403
    )
    election.refresh_from_db()
    assert election.name == "Pemilu 2029" and not election.stages.exists()
    # the service refuses it too
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        calendar.create_election(
            by=make_user("64", Role.COORDINATOR), name="X", kind="pemilu", unit=None
        )


def test_kabkota_adds_its_own_pemilihan_with_stages(
    make_user: Callable[..., Any], units: dict[str, Any]
) -> None:
    coordinator = make_user("64.72", Role.COORDINATOR)
    client = client_for(coordinator)
    assert client.get(ELECTIONS + "new/").status_code == 200
    # another kab/kota is not a valid choice
    response = client.post(ELECTIONS + "new/", election_data(unit=units["64.03"].pk))
    assert response.status_code == 400 and not Election.objects.exists()
    response = client.post(ELECTIONS + "new/", election_data(unit=units["64.72"].pk))
    assert response.status_code == 302
    election = Election.objects.get()
    assert election.unit == units["64.72"]
    detail = f"{ELECTIONS}{election.pk}/"
    # inline stage form: a quiet period
    response = client.post(
        detail + "stages/new/",
        {
            "name": "Masa tenang",
            "starts_on": "2029-11-24",
            "ends_on": "2029-11-26",
            "restricts_publishing": "on",
        },
    )
    assert response.status_code == 302
    stage = ElectionStage.objects.get()
    assert stage.restricts_publishing and stage.election == election
    html = client.get(detail).content.decode()
    assert "Masa tenang" in html and "Quiet period: needs a reason" in html
    # a stage ending before it starts: clear message, nothing written
    response = client.post(
        detail + "stages/new/",
        {"name": "Salah", "starts_on": "2029-11-26", "ends_on": "2029-11-20"},
    )
    assert response.status_code == 400
    assert "The stage cannot end before it starts." in response.content.decode()
    assert ElectionStage.objects.count() == 1
    # edit and delete the stage
    response = client.post(
        f"/app/planning/stages/{stage.pk}/edit/",
        {"name": "Masa tenang", "starts_on": "2029-11-23", "ends_on": "2029-11-26"},
    )
    assert response.status_code == 302
    stage.refresh_from_db()
    assert stage.starts_on == date(2029, 11, 23) and not stage.restricts_publishing
    assert client.post(f"/app/planning/stages/{stage.pk}/delete/").status_code == 302
    assert not ElectionStage.objects.exists()
    # edit and delete the election
    response = client.post(detail + "edit/", election_data(unit=units["64.72"].pk, name="Pilwali"))
    assert response.status_code == 302
    election.refresh_from_db()
    assert election.name == "Pilwali"
    assert client.post(detail + "delete/").status_code == 302
    assert not Election.objects.exists()


def test_election_scope_and_roles(make_user: Callable[..., Any], units: dict[str, Any]) -> None:
    province = Election.objects.create(name="Pilgub Kaltim", kind="pemilihan", unit=units["64"])
    berau = Election.objects.create(name="Pilbup Berau", kind="pemilihan", unit=units["64.03"])
    stage = ElectionStage.objects.create(
        election=berau, name="Masa tenang", starts_on=date(2029, 1, 1), ends_on=date(2029, 1, 3)
    )
    samarinda = client_for(make_user("64.72", Role.COORDINATOR))
    html = samarinda.get(ELECTIONS).content.decode()
    assert "Pilgub Kaltim" in html and "Pilbup Berau" not in html
    # another kab/kota's election and its stages: 404
    assert samarinda.get(f"{ELECTIONS}{berau.pk}/").status_code == 404
    assert samarinda.post(f"{ELECTIONS}{berau.pk}/delete/").status_code == 404
    assert samarinda.get(f"/app/planning/stages/{stage.pk}/edit/").status_code == 404
    assert samarinda.post(f"/app/planning/stages/{stage.pk}/delete/").status_code == 404
    # the province's own election binds Samarinda: visible, not editable
    assert samarinda.get(f"{ELECTIONS}{province.pk}/").status_code == 200
    assert samarinda.get(f"{ELECTIONS}{province.pk}/edit/").status_code == 403
    # a viewer may read, not write
    viewer = client_for(make_user("64", Role.VIEWER))
    assert viewer.get(ELECTIONS).status_code == 200
    assert viewer.get(f"{ELECTIONS}{berau.pk}/").status_code == 200
    assert viewer.get(ELECTIONS + "new/").status_code == 403
    assert viewer.post(ELECTIONS + "new/", election_data(unit=units["64"].pk)).status_code == 403
    assert viewer.post(f"/app/planning/stages/{stage.pk}/delete/").status_code == 403
    # an editor holds no election permissions
    editor = client_for(make_user("64", Role.EDITOR))
    assert editor.post(f"{ELECTIONS}{province.pk}/delete/").status_code == 403
    # the province coordinator manages the kab/kota's election
    coordinator = client_for(make_user("64", Role.COORDINATOR))
    assert coordinator.get(f"{ELECTIONS}{berau.pk}/edit/").status_code == 200
    assert coordinator.post(f"/app/planning/stages/{stage.pk}/delete/").status_code == 302
    assert Election.objects.count() == 2


def test_bad_election_input(make_user: Callable[..., Any], units: dict[str, Any]) -> None:
    client = client_for(make_user("64", Role.COORDINATOR))
    for data in (
        election_data(unit=units["64"].pk, name=""),
        election_data(unit=units["64"].pk, kind="referendum"),
        election_data(unit=units["64"].pk, voting_day="2029-13-01"),
        election_data(unit=units["64"].pk, voting_day="1900-01-01"),
        election_data(unit="abc"),
    ):
        response = client.post(ELECTIONS + "new/", data)
        assert response.status_code == 400, data
    assert not Election.objects.exists()


def test_election_list_query_count(
    make_user: Callable[..., Any], units: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    client = client_for(make_user("64", Role.COORDINATOR))

    def add(n: int) -> None:
        for i in range(n):
            e = Election.objects.create(name=f"E{i}", kind="pemilihan", unit=units["64"])
            ElectionStage.objects.create(
                election=e, name="S", starts_on=date(2029, 1, 1), ends_on=date(2029, 1, 2)
            )

    add(2)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(ELECTIONS)
    with CaptureQueriesContext(connection) as small:
        client.get(ELECTIONS)
    add(20)
    with django_assert_max_num_queries(len(small.captured_queries)):
        html = client.get(ELECTIONS).content.decode()
    assert html.count('data-testid="election-row"') == 22


def test_stage_appears_on_calendar_and_service_warns(
    make_user: Callable[..., Any], units: dict[str, Any], make_item: Any
) -> None:
    """A stage added on the planning page is the one the scheduling rule uses."""
    coordinator = make_user("64", Role.COORDINATOR)
    election = calendar.create_election(
        by=coordinator, name="Pilgub", kind="pemilihan", unit=units["64"], voting_day=None
    )
    calendar.create_stage(
        election,
        by=coordinator,
        name="Masa tenang",
        starts_on=date(2031, 5, 5),
        ends_on=date(2031, 5, 7),
        restricts_publishing=True,
    )
    html = (
        client_for(make_user("64.72", Role.VIEWER))
        .get("/app/calendar/", {"date": "2031-05-06"})
        .content.decode()
    )
    assert 'data-testid="quiet-badge"' in html
    from bakohumas.content import services

    when = datetime(2031, 5, 5, 1, 0, tzinfo=UTC)  # 09:00 WITA on the 5th
    assert services.schedule_warnings(units["64.72"], when)
