"""Statutory deadlines of information requests in the unit's working days and zone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bakohumas.core.models import CalendarOverride
from bakohumas.core.workdays import calendar_for
from bakohumas.ppid import services
from bakohumas.ppid.models import InformationRequest
from tests.ppid.conftest import wita

pytestmark = pytest.mark.django_db

MakeRequest = Callable[..., InformationRequest]


def test_uu14_received_friday_evening_counts_from_monday(make_request: MakeRequest) -> None:
    # Friday 19:00 WITA, after office hours: the Friday is day 0 all the same; the ten
    # working days skip Friday 16 January 2026 (Isra' Mi'raj).
    request = make_request(received_at=wita(2026, 1, 9, 19, 0), rule_set="uu14")
    assert request.due_date == date(2026, 1, 26)
    off = calendar_for(request.unit).days_off_between(date(2026, 1, 9), request.due_date)
    assert [day for day, _name in off] == [date(2026, 1, 16)]


def test_perki_received_friday_evening(make_request: MakeRequest) -> None:
    request = make_request(received_at=wita(2026, 1, 9, 19, 0), rule_set="perki")
    assert request.due_date == date(2026, 1, 14)  # Mon 12, Tue 13, Wed 14


def test_day_zero_is_the_units_local_date(make_request: MakeRequest) -> None:
    # Thursday 16:30 UTC is already Friday 00:30 in Samarinda (WITA): the period counts
    # from the Friday, not the Thursday.
    received = datetime(2026, 3, 5, 16, 30, tzinfo=ZoneInfo("UTC"))
    request = make_request(received_at=received, rule_set="perki")
    assert request.due_date == date(2026, 3, 11)
    # The same moment in a WIB unit (KPU RI) is still Thursday 23:30.
    national = make_request("00", received_at=received, rule_set="perki")
    assert national.due_date == date(2026, 3, 10)


def test_period_crossing_idul_fitri_collective_leave(make_request: MakeRequest) -> None:
    # 18-24 March 2026: Nyepi, Idul Fitri and their collective leave; 3 April Good Friday.
    request = make_request(received_at=wita(2026, 3, 13, 10, 0), rule_set="uu14")
    assert request.due_date == date(2026, 4, 6)
    off = dict(calendar_for(request.unit).days_off_between(date(2026, 3, 13), request.due_date))
    assert {date(2026, 3, d) for d in (18, 19, 20, 23, 24)} <= set(off)
    assert date(2026, 4, 3) in off
    perki = make_request(received_at=wita(2026, 3, 17, 10, 0), rule_set="perki")
    assert perki.due_date == date(2026, 3, 27)  # Wed 25, Thu 26, Fri 27


def test_period_crossing_the_year_end(make_request: MakeRequest) -> None:
    # 24 (collective leave) and 25 December 2026, 1 January and 5 January 2027 are off.
    request = make_request(received_at=wita(2026, 12, 23, 9, 0), rule_set="uu14")
    assert request.due_date == date(2027, 1, 12)
    off = [
        d
        for d, _n in calendar_for(request.unit).days_off_between(
            date(2026, 12, 23), request.due_date
        )
    ]
    assert off == [date(2026, 12, 24), date(2026, 12, 25), date(2027, 1, 1), date(2027, 1, 5)]
    perki = make_request(received_at=wita(2026, 12, 30, 9, 0), rule_set="perki")
    assert perki.due_date == date(2027, 1, 6)  # Thu 31, Mon 4, Wed 6


def test_register_number_takes_the_local_year(make_request: MakeRequest) -> None:
    # 31 December 2026 17:00 UTC is already 1 January 2027 in Samarinda.
    request = make_request(received_at=datetime(2026, 12, 31, 17, 0, tzinfo=ZoneInfo("UTC")))
    assert request.register_number == "PPID/64.72/2027/00001"


def test_override_holiday_moves_the_deadline(make_request: MakeRequest, samarinda: Any) -> None:
    before = make_request(received_at=wita(2026, 6, 8, 9, 0), rule_set="perki")
    assert before.due_date == date(2026, 6, 11)
    CalendarOverride.objects.create(
        date=date(2026, 6, 10), unit=samarinda, kind="holiday", name="HUT Kota"
    )
    after = make_request(received_at=wita(2026, 6, 8, 9, 0), rule_set="perki")
    assert after.due_date == date(2026, 6, 12)
    # Another unit does not get Samarinda's local holiday.
    other = make_request("64.71", received_at=wita(2026, 6, 8, 9, 0), rule_set="perki")
    assert other.due_date == date(2026, 6, 11)


def test_override_working_day(make_request: MakeRequest, samarinda: Any) -> None:
    # The unit works on 24 March 2026 (collective leave in the package): one day earlier.
    CalendarOverride.objects.create(
        date=date(2026, 3, 24), unit=samarinda, kind="working", name="Masuk kerja"
    )
    request = make_request(received_at=wita(2026, 3, 17, 10, 0), rule_set="perki")
    assert request.due_date == date(2026, 3, 26)  # Tue 24, Wed 25, Thu 26
    off = [
        d
        for d, _n in calendar_for(request.unit).days_off_between(
            date(2026, 3, 17), request.due_date
        )
    ]
    assert date(2026, 3, 24) not in off


def test_unit_working_override_beats_a_national_holiday(
    make_request: MakeRequest, samarinda: Any
) -> None:
    CalendarOverride.objects.create(
        date=date(2026, 3, 25), unit=None, kind="holiday", name="Cuti tambahan"
    )
    CalendarOverride.objects.create(
        date=date(2026, 3, 25), unit=samarinda, kind="working", name="Masuk"
    )
    request = make_request(received_at=wita(2026, 3, 17, 10, 0), rule_set="perki")
    assert request.due_date == date(2026, 3, 27)
    other = make_request("64.71", received_at=wita(2026, 3, 17, 10, 0), rule_set="perki")
    assert other.due_date == date(2026, 3, 30)


def test_thread_due_at_is_the_end_of_the_due_day(make_request: MakeRequest) -> None:
    request = make_request(received_at=wita(2026, 1, 9, 19, 0), rule_set="perki")
    assert request.thread is not None
    due = request.thread.due_at.astimezone(ZoneInfo("Asia/Makassar"))
    assert (due.date(), due.hour, due.minute) == (date(2026, 1, 14), 23, 59)


def test_deadline_panel_explains_days_off(make_request: MakeRequest) -> None:
    request = make_request(received_at=wita(2026, 3, 13, 10, 0), rule_set="uu14")
    panel = services.deadline(request, now=wita(2026, 3, 16, 9, 0))
    assert panel.due == date(2026, 4, 6)
    assert panel.working_days_left == 9
    names = " ".join(name for _d, name in panel.days_off)
    assert "Idul Fitri" in names or "Idulfitri" in names
    assert not panel.overdue
    late = services.deadline(request, now=wita(2026, 4, 7, 9, 0))
    assert late.overdue and late.working_days_left == -1
