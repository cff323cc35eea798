"""SLA clocks in the unit's office hours (WITA for Samarinda): across a weekend and the
Nyepi + Idul Fitri 2026 leave (18-24 March), what ``sla()`` reports, and the reminders one
working day before a deadline."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from bakohumas.core.models import CalendarOverride, Role
from bakohumas.dissemination.models import Notification
from bakohumas.inbox import services
from bakohumas.inbox.models import InboxSettings, Thread, ThreadStatus
from tests.inbox.conftest import wita

pytestmark = pytest.mark.django_db


def test_clocks_skip_the_weekend(make_thread: Callable[..., Thread]) -> None:
    # Friday 15:00: 1.5 office hours left that day (Friday closes 16:30).
    thread = make_thread(received_at=wita(2026, 3, 6, 15, 0))
    assert thread.first_response_due == wita(2026, 3, 9, 14, 0)  # Monday
    assert thread.due_at == wita(2026, 3, 13, 12, 0)  # 40 office hours: next Friday


def test_clocks_skip_the_idul_fitri_leave(make_thread: Callable[..., Thread]) -> None:
    # Tuesday 17 March 14:00; Wednesday 18 to Tuesday 24 March are days off.
    thread = make_thread(received_at=wita(2026, 3, 17, 14, 0))
    assert thread.first_response_due == wita(2026, 3, 25, 13, 30)
    assert thread.due_at == wita(2026, 3, 31, 11, 0)


def test_clocks_follow_the_units_settings_and_overrides(
    make_thread: Callable[..., Thread], units: dict[str, Any]
) -> None:
    InboxSettings.objects.create(unit=units["64.72"], first_response_hours=2, resolution_hours=4)
    CalendarOverride.objects.create(
        date=wita(2026, 3, 9, 0, 0).date(), unit=units["64.72"], kind="holiday", name="HUT Kota"
    )
    thread = make_thread(received_at=wita(2026, 3, 6, 16, 0))
    assert thread.first_response_due == wita(2026, 3, 10, 9, 0)  # Monday off: Tuesday
    assert thread.due_at == wita(2026, 3, 10, 11, 0)


def test_sla_reports_office_hours_left_and_breaches(
    make_thread: Callable[..., Thread], editor: Any
) -> None:
    thread = make_thread(received_at=wita(2026, 3, 6, 15, 0))
    state = services.sla(thread, now=wita(2026, 3, 6, 16, 0))
    assert state.first_response_due == wita(2026, 3, 9, 14, 0)
    assert state.hours_left == 7.0  # half an hour on Friday, 6.5 on Monday
    assert state.label == "First reply due in 7 h"
    assert not state.first_response_breached and not state.breached
    late = services.sla(thread, now=wita(2026, 3, 9, 15, 0))
    assert late.hours_left == -1.0 and late.first_response_breached
    assert late.label == "First reply overdue by 1 h"
    Thread.objects.filter(pk=thread.pk).update(first_response_at=wita(2026, 3, 9, 15, 0))
    thread.refresh_from_db()
    answered = services.sla(thread, now=wita(2026, 3, 13, 11, 30))
    assert answered.first_response_breached and not answered.breached
    assert answered.hours_left == 0.5 and answered.label == "Due in 30 min"
    overdue = services.sla(thread, now=wita(2026, 3, 16, 8, 30))  # the next Monday
    assert overdue.breached and overdue.hours_left == -5.5
    assert overdue.label == "Overdue by 5.5 h"
    Thread.objects.filter(pk=thread.pk).update(
        status=ThreadStatus.RESOLVED, resolved_at=wita(2026, 3, 13, 9, 0)
    )
    thread.refresh_from_db()
    done = services.sla(thread, now=wita(2026, 4, 1, 9, 0))
    assert done.hours_left is None and not done.breached and done.label == "Resolved"
    Thread.objects.filter(pk=thread.pk).update(resolved_at=wita(2026, 3, 13, 13, 0))
    thread.refresh_from_db()
    assert services.sla(thread).label == "Resolved late"


def test_a_ppid_threads_statutory_deadline_is_kept(
    units: dict[str, Any], editor: Any, coordinator: Any
) -> None:
    from bakohumas.ppid import services as ppid_services

    request, _code = ppid_services.submit(
        units["64.72"],
        {
            "requester_kind": "person",
            "name": "Budi Santoso",
            "identity_type": "nik",
            "identity_number": "6472015708900003",
            "address": "Jl. Gajah Mada 1, Samarinda",
            "email": "budi@example.id",
            "information": "Salinan keputusan penetapan DPT",
            "purpose": "Liputan",
            "receive_method": "softcopy",
            "copy_method": "email",
            "rule_set": "uu14",
        },
        received_at=wita(2026, 3, 17, 10, 0),
    )
    assert request.thread is not None
    thread = Thread.objects.get(pk=request.thread.pk)
    statutory = thread.due_at
    assert statutory is not None
    assert services.calendar_for(units["64.72"]).local(statutory).date() == request.due_date
    services.reply(thread, editor, "Permohonan Anda kami proses.")
    services.set_priority(thread, editor, 3)
    thread.refresh_from_db()
    assert thread.due_at == statutory
    assert services.sla(thread, now=wita(2026, 3, 17, 11, 0)).due_at == statutory


def test_whatsapp_window(make_thread: Callable[..., Thread]) -> None:
    thread = make_thread(received_at=wita(2026, 3, 6, 15, 0))
    assert services.whatsapp_window_open(thread, now=wita(2026, 3, 7, 14, 59))
    assert not services.whatsapp_window_open(thread, now=wita(2026, 3, 7, 15, 0))


def test_reminders_one_working_day_before_are_sent_once(
    make_thread: Callable[..., Thread],
    make_user: Callable[..., Any],
    editor: Any,
    coordinator: Any,
) -> None:
    make_user("64.71", Role.COORDINATOR)  # another unit's coordinator: not told
    due_monday = make_thread(assignee=editor, due_at=wita(2026, 3, 9, 14, 0))
    after_leave = make_thread(due_at=wita(2026, 3, 25, 10, 0))
    make_thread(due_at=wita(2026, 3, 9, 10, 0), status=ThreadStatus.RESOLVED)
    # Thursday: Monday is two working days away.
    assert services.remind_due(now=wita(2026, 3, 5, 10, 0)) == 0
    # Friday: Monday is the next working day.
    assert services.remind_due(now=wita(2026, 3, 6, 10, 0)) == 1
    assert services.remind_due(now=wita(2026, 3, 6, 10, 5)) == 0
    due_monday.refresh_from_db()
    assert due_monday.reminded_at == wita(2026, 3, 6, 10, 0)
    notes = Notification.objects.order_by("user_id")
    assert {n.user_id for n in notes} == {editor.pk, coordinator.pk}
    assert all(n.url == f"/app/inbox/{due_monday.pk}/" for n in notes)
    # Monday 16 March: 25 March is not yet the next working day; on Tuesday 17 it is
    # (18-24 March are Nyepi and Idul Fitri days off).
    assert services.remind_due(now=wita(2026, 3, 16, 10, 0)) == 0
    assert services.remind_due(now=wita(2026, 3, 17, 10, 0)) == 1
    after_leave.refresh_from_db()
    assert after_leave.reminded_at is not None
    assert Notification.objects.filter(user=coordinator).count() == 2


def test_overdue_threads_never_reminded_are_reminded_once(
    make_thread: Callable[..., Thread], coordinator: Any
) -> None:
    thread = make_thread(due_at=wita(2026, 3, 2, 9, 0))
    now = wita(2026, 3, 4, 9, 0)
    assert services.remind_due(now=now) == 1
    assert "was due" in Notification.objects.get(user=coordinator).text
    assert services.remind_due(now=now + timedelta(days=1)) == 0
    thread.refresh_from_db()
    assert thread.reminded_at == now
