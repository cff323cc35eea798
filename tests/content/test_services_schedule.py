"""Scheduling and scheduled publication (issue 3 items 5 and 8).

A quiet period (an election stage that restricts publishing) needs a written reason,
decided on the date in the unit's own zone; national elections bind every unit, an
election of another province or kab/kota none of ours. The sweep ``publish_due``
publishes exactly the due items, once; a task that arrives for a moved or cancelled
schedule does nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from bakohumas.content import services
from bakohumas.content.models import (
    ContentItem,
    Election,
    ElectionKind,
    ElectionStage,
    Status,
    Transition,
)
from bakohumas.content.tasks import publish_due_items, publish_scheduled_item
from bakohumas.core.models import Role, WorkUnit
from tests.content.test_services_helpers import (  # noqa: F401
    fast_passwords,
    fresh,
    other_province,
    to_submitted,
    unchanged,
)

WITA = ZoneInfo("Asia/Makassar")


@pytest.fixture
def editor(make_user: Callable[..., Any]) -> Any:
    return make_user("64.72", Role.EDITOR)


@pytest.fixture
def approved(
    make_item: Callable[..., ContentItem], contributor: Any, coordinator: Any
) -> ContentItem:
    item = to_submitted(make_item, contributor)
    return services.approve(item, by=coordinator)


def quiet_day() -> date:
    """A day a month ahead (in WITA), far enough to schedule into."""
    return (timezone.now().astimezone(WITA) + timedelta(days=30)).date()


def quiet_period(
    day: date, unit: WorkUnit | None = None, *, restricts: bool = True, active: bool = True
) -> ElectionStage:
    election = Election.objects.create(
        name=f"Pemilihan {unit.region_name if unit else 'Umum'} {day.year}",
        kind=ElectionKind.PEMILIHAN if unit else ElectionKind.PEMILU,
        unit=unit,
        voting_day=day + timedelta(days=1),
        is_active=active,
    )
    return ElectionStage.objects.create(
        election=election,
        name="Masa tenang",
        starts_on=day,
        ends_on=day,
        restricts_publishing=restricts,
    )


def at_wita(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=WITA)


# --- the quiet period ----------------------------------------------------------------------


def test_scheduling_into_the_quiet_period_needs_a_reason(
    approved: ContentItem, editor: Any, units: dict[str, Any]
) -> None:
    day = quiet_day()
    quiet_period(day)
    when = at_wita(day, 9)
    with unchanged(approved), pytest.raises(ValidationError) as exc:
        services.schedule(approved, by=editor, publish_at=when)
    messages = exc.value.message_dict["schedule_reason"]
    assert any("Masa tenang" in m and "restricts publishing" in m for m in messages)
    assert any(day.strftime("%d-%m-%Y") + " 09:00" in m for m in messages)  # shown in WITA
    with unchanged(approved), pytest.raises(ValidationError) as exc:
        services.schedule(approved, by=editor, publish_at=when, reason="   ")
    assert "schedule_reason" in exc.value.message_dict

    item = services.schedule(
        approved, by=editor, publish_at=when, reason=" Pengumuman resmi, bukan kampanye "
    )
    item = fresh(item)
    assert item.status == Status.SCHEDULED and item.publish_at == when
    assert item.schedule_reason == "Pengumuman resmi, bukan kampanye"
    step = item.transitions.first()
    assert step is not None and step.comment == "Pengumuman resmi, bukan kampanye"


def test_quiet_period_is_decided_in_the_units_zone_not_utc(
    settings: Any, approved: ContentItem, editor: Any
) -> None:
    settings.TIME_ZONE = "UTC"  # the server's zone must not matter
    day = quiet_day()
    quiet_period(day)
    # 00:30 WITA on the quiet day is still the day before in UTC (16:30).
    early = at_wita(day, 0, 30)
    assert early.astimezone(ZoneInfo("UTC")).date() == day - timedelta(days=1)
    assert services.restricted_stages(approved.unit, early)
    with unchanged(approved), pytest.raises(ValidationError) as exc:
        services.schedule(approved, by=editor, publish_at=early)
    assert "schedule_reason" in exc.value.message_dict
    # 00:30 WITA the next day is the quiet day in UTC (16:30) but not in Samarinda.
    after = at_wita(day + timedelta(days=1), 0, 30)
    assert after.astimezone(ZoneInfo("UTC")).date() == day
    assert services.restricted_stages(approved.unit, after) == []
    item = services.schedule(approved, by=editor, publish_at=after)
    assert fresh(item).status == Status.SCHEDULED and fresh(item).schedule_reason == ""


@pytest.mark.parametrize(
    ("organiser", "applies"),
    [
        (None, True),  # a national election binds every unit
        ("00", True),
        ("64", True),  # the item's province
        ("64.72", True),  # the item's own unit
        ("64.03", False),  # Pilkada of Berau: not Samarinda's quiet period
        ("63", False),  # another province
        ("63.71", False),
    ],
)
def test_which_elections_restrict_the_unit(
    organiser: str | None, applies: bool, units: dict[str, Any]
) -> None:
    other_province(units)
    day = quiet_day()
    quiet_period(day, units[organiser] if organiser else None)
    stages = services.restricted_stages(units["64.72"], at_wita(day, 12))
    assert bool(stages) is applies
    assert bool(services.schedule_warnings(units["64.72"], at_wita(day, 12))) is applies


def test_inactive_elections_and_open_stages_do_not_restrict(units: dict[str, Any]) -> None:
    day = quiet_day()
    quiet_period(day, active=False)
    quiet_period(day, restricts=False)
    assert services.restricted_stages(units["64.72"], at_wita(day, 12)) == []


def test_a_multi_day_quiet_period(units: dict[str, Any]) -> None:
    day = quiet_day()
    stage = quiet_period(day)
    stage.ends_on = day + timedelta(days=2)
    stage.save()
    unit = units["64.72"]
    assert not services.restricted_stages(unit, at_wita(day - timedelta(days=1), 23, 59))
    for offset in range(3):
        assert services.restricted_stages(unit, at_wita(day + timedelta(days=offset), 12))
    assert not services.restricted_stages(unit, at_wita(day + timedelta(days=3), 0, 0))


def test_approving_an_item_planned_in_the_quiet_period(
    make_item: Callable[..., ContentItem], contributor: Any, coordinator: Any
) -> None:
    day = quiet_day()
    quiet_period(day)
    item = to_submitted(make_item, contributor, publish_at=at_wita(day, 8))
    with unchanged(item), pytest.raises(ValidationError) as exc:
        services.approve(item, by=coordinator)
    assert "schedule_reason" in exc.value.message_dict
    assert fresh(item).status == Status.SUBMITTED and not fresh(item).approved_hash
    item = services.approve(item, by=coordinator, reason="Informasi layanan pemilih")
    item = fresh(item)
    assert item.status == Status.SCHEDULED and item.approval_valid
    assert item.schedule_reason == "Informasi layanan pemilih"
    assert [t.to_status for t in item.transitions.order_by("-id")[:2]] == [
        "scheduled",
        "approved",
    ]


def test_publishing_now_in_a_quiet_period_needs_a_reason(
    approved: ContentItem, editor: Any
) -> None:
    today = timezone.now().astimezone(WITA).date()
    stage = quiet_period(today)
    stage.starts_on, stage.ends_on = today - timedelta(days=1), today + timedelta(days=1)
    stage.save()
    with unchanged(approved), pytest.raises(ValidationError) as exc:
        services.publish_now(approved, by=editor)
    assert "schedule_reason" in exc.value.message_dict
    item = services.publish_now(approved, by=editor, reason="Klarifikasi hoaks mendesak")
    assert fresh(item).status == Status.PUBLISHED


def test_rescheduling_into_the_quiet_period_needs_a_reason(
    approved: ContentItem, editor: Any
) -> None:
    day = quiet_day()
    quiet_period(day)
    item = services.schedule(approved, by=editor, publish_at=at_wita(day - timedelta(days=2), 9))
    with unchanged(item), pytest.raises(ValidationError) as exc:
        services.reschedule(item, by=editor, publish_at=at_wita(day, 9))
    assert "schedule_reason" in exc.value.message_dict
    with unchanged(item), pytest.raises(ValidationError) as exc:
        services.update_item(item, by=editor, fields={"publish_at": at_wita(day, 9)})
    assert "schedule_reason" in exc.value.message_dict


# --- the time itself --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "when",
    [
        lambda: timezone.now() - timedelta(minutes=1),
        lambda: timezone.now() - timedelta(days=400),
        lambda: timezone.now(),
        lambda: datetime(2099, 1, 1, 9, 0),  # naive: which zone?
        lambda: None,
    ],
)
def test_schedule_refuses_a_past_naive_or_missing_time(
    when: Callable[[], datetime | None], approved: ContentItem, editor: Any
) -> None:
    with unchanged(approved), pytest.raises(ValidationError) as exc:
        services.schedule(approved, by=editor, publish_at=when())  # type: ignore[arg-type]
    assert "publish_at" in exc.value.message_dict


def test_reschedule_of_a_scheduled_item_refuses_the_past(
    approved: ContentItem, editor: Any
) -> None:
    item = services.schedule(approved, by=editor, publish_at=timezone.now() + timedelta(days=1))
    with unchanged(item), pytest.raises(ValidationError) as exc:
        services.reschedule(item, by=editor, publish_at=timezone.now() - timedelta(hours=1))
    assert "publish_at" in exc.value.message_dict


def test_moving_a_scheduled_item_through_an_edit_obeys_scheduling_rules(
    approved: ContentItem, editor: Any, contributor: Any
) -> None:
    item = services.schedule(approved, by=editor, publish_at=timezone.now() + timedelta(days=1))
    # Into the past (which would publish it at the next sweep): refused.
    with unchanged(item), pytest.raises(ValidationError) as exc:
        services.update_item(
            item, by=editor, fields={"publish_at": timezone.now() - timedelta(hours=1)}
        )
    assert "publish_at" in exc.value.message_dict
    # A contributor may not move what is scheduled (publishing is an editor's call).
    with unchanged(item), pytest.raises(PermissionDenied):
        services.update_item(
            item, by=contributor, fields={"publish_at": timezone.now() + timedelta(days=2)}
        )
    with unchanged(item), pytest.raises(PermissionDenied):
        services.reschedule(item, by=contributor, publish_at=timezone.now() + timedelta(days=2))


def test_rescheduling_keeps_it_scheduled_and_records_it(approved: ContentItem, editor: Any) -> None:
    first = timezone.now() + timedelta(days=1)
    second = timezone.now() + timedelta(days=2)
    item = services.schedule(approved, by=editor, publish_at=first)
    item = services.reschedule(item, by=editor, publish_at=second)
    item = fresh(item)
    assert item.status == Status.SCHEDULED and item.publish_at == second and item.approval_valid
    step = item.transitions.first()
    assert step is not None
    assert (step.from_status, step.to_status, step.by) == ("scheduled", "scheduled", editor)
    assert step.comment.startswith("Rescheduled")
    assert services.publish_due(now=first + timedelta(minutes=1)) == 0
    assert services.publish_due(now=second + timedelta(minutes=1)) == 1


def test_schedule_enqueues_a_task_for_its_time(
    approved: ContentItem, editor: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django_tasks import default_task_backend

    default_task_backend.clear()  # type: ignore[attr-defined]
    when = timezone.now() + timedelta(hours=6)
    with django_capture_on_commit_callbacks(execute=True):
        item = services.schedule(approved, by=editor, publish_at=when)
    (result,) = default_task_backend.results  # type: ignore[attr-defined]
    assert result.task.name == publish_scheduled_item.name
    assert result.task.run_after == when
    assert result.args == [item.pk, item.version]


def test_a_failed_enqueue_does_not_undo_the_schedule(
    approved: ContentItem,
    editor: Any,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from django_tasks.backends.dummy import DummyBackend

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("queue down")

    monkeypatch.setattr(DummyBackend, "enqueue", broken)
    when = timezone.now() + timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        item = services.schedule(approved, by=editor, publish_at=when)
    assert fresh(item).status == Status.SCHEDULED
    assert services.publish_due(now=when + timedelta(seconds=5)) == 1  # the sweep's job


# --- publication at the time ----------------------------------------------------------------


def test_publish_due_publishes_only_due_items_once(
    make_item: Callable[..., ContentItem],
    contributor: Any,
    coordinator: Any,
    editor: Any,
    django_assert_max_num_queries: Any,
) -> None:
    base = timezone.now() + timedelta(hours=1)
    items = []
    for n in range(4):
        item = to_submitted(make_item, contributor, title=f"Terjadwal {n}")
        item = services.approve(item, by=coordinator)
        items.append(services.schedule(item, by=editor, publish_at=base + timedelta(hours=n)))
    approved_only = services.approve(to_submitted(make_item, contributor), by=coordinator)
    services.update_item(approved_only, by=editor, fields={"publish_at": base})  # not scheduled

    now = base + timedelta(hours=1, minutes=1)  # items 0 and 1 are due
    assert services.publish_due(now=now) == 2
    states = {i.pk: fresh(i) for i in items}
    assert [states[i.pk].status for i in items] == [
        "published",
        "published",
        "scheduled",
        "scheduled",
    ]
    for i in items[:2]:
        assert states[i.pk].published_at is not None
        step = states[i.pk].transitions.first()
        assert step is not None and step.by is None  # the system published it
        assert step.comment == "Published at its scheduled time."
    assert fresh(approved_only).status == Status.APPROVED

    # Idempotent: a second sweep (or a late task) publishes nothing more.
    published = Transition.objects.filter(to_status="published").count()
    with django_assert_max_num_queries(2):
        assert services.publish_due(now=now) == 0
    assert Transition.objects.filter(to_status="published").count() == published
    assert {i.pk for i in ContentItem.objects.public()} == {items[0].pk, items[1].pk}

    assert services.publish_due(now=base + timedelta(hours=10)) == 2
    assert ContentItem.objects.public().count() == 4


def test_publish_due_respects_the_limit(
    make_item: Callable[..., ContentItem], contributor: Any, coordinator: Any, editor: Any
) -> None:
    when = timezone.now() + timedelta(minutes=30)
    for n in range(3):
        item = services.approve(to_submitted(make_item, contributor, title=f"T{n}"), by=coordinator)
        services.schedule(item, by=editor, publish_at=when)
    later = when + timedelta(minutes=1)
    assert services.publish_due(now=later, limit=2) == 2
    assert services.publish_due(now=later, limit=2) == 1
    assert services.publish_due(now=later, limit=2) == 0


def test_task_publishes_a_due_item(approved: ContentItem, editor: Any) -> None:
    item = services.schedule(approved, by=editor, publish_at=timezone.now() + timedelta(hours=1))
    ContentItem.objects.filter(pk=item.pk).update(publish_at=timezone.now() - timedelta(seconds=1))
    assert publish_scheduled_item.call(item.pk, item.version) is True
    assert fresh(item).status == Status.PUBLISHED
    # delivered twice: nothing more happens
    assert publish_scheduled_item.call(item.pk, item.version) is False
    assert Transition.objects.filter(item=item, to_status="published").count() == 1


def test_task_for_a_rescheduled_item_does_nothing(approved: ContentItem, editor: Any) -> None:
    item = services.schedule(approved, by=editor, publish_at=timezone.now() + timedelta(hours=1))
    item = services.reschedule(item, by=editor, publish_at=timezone.now() + timedelta(days=3))
    # the first task arrives "at" the old time: the item is not due
    assert publish_scheduled_item.call(item.pk, item.version) is False
    assert fresh(item).status == Status.SCHEDULED and fresh(item).published_at is None


def test_task_for_an_unscheduled_item_does_nothing(approved: ContentItem, editor: Any) -> None:
    item = services.schedule(approved, by=editor, publish_at=timezone.now() + timedelta(hours=1))
    item = services.unschedule(item, by=editor)
    ContentItem.objects.filter(pk=item.pk).update(publish_at=timezone.now() - timedelta(hours=1))
    assert publish_scheduled_item.call(item.pk, item.version) is False
    assert publish_due_items.call() == 0
    assert fresh(item).status == Status.APPROVED and fresh(item).published_at is None


def test_task_for_a_deleted_or_voided_item_does_nothing(
    approved: ContentItem, editor: Any, contributor: Any
) -> None:
    item = services.schedule(approved, by=editor, publish_at=timezone.now() + timedelta(hours=1))
    services.update_item(
        item, by=contributor, fields={"title": "Diubah setelah disetujui"}, void_approval=True
    )
    ContentItem.objects.filter(pk=item.pk).update(publish_at=timezone.now() - timedelta(hours=1))
    assert publish_scheduled_item.call(item.pk, item.version) is False
    assert fresh(item).status == Status.SUBMITTED
    assert publish_scheduled_item.call(987654, 1) is False


def test_sweep_task_publishes_due_items(approved: ContentItem, editor: Any) -> None:
    item = services.schedule(approved, by=editor, publish_at=timezone.now() + timedelta(hours=1))
    ContentItem.objects.filter(pk=item.pk).update(publish_at=timezone.now() - timedelta(seconds=1))
    assert publish_due_items.call() == 1
    assert fresh(item).status == Status.PUBLISHED


def test_due_soon_lists_planned_items_of_the_scope(
    make_item: Callable[..., ContentItem], coordinator: Any, make_user: Callable[..., Any]
) -> None:
    soon = make_item(title="Segera", publish_at=timezone.now() + timedelta(days=2))
    make_item(title="Nanti", publish_at=timezone.now() + timedelta(days=20))
    berau = make_user("64.03", Role.CONTRIBUTOR)
    make_item(by=berau, code="64.03", title="Berau", publish_at=timezone.now() + timedelta(days=1))
    assert [i.pk for i in services.due_soon(coordinator)] == [soon.pk]
