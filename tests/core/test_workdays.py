"""The working-day calendar: weekends, national holidays and collective leave from the
``holidays`` package, national and unit overrides, and office hours."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bakohumas.core.models import CalendarOverride
from bakohumas.core.workdays import Calendar, OfficeHours, calendar_for

WITA = ZoneInfo("Asia/Makassar")


def national() -> Calendar:
    return Calendar(None, overrides={})


def test_weekends_and_package_holidays() -> None:
    calendar = national()
    assert calendar.is_working_day(date(2026, 3, 17))  # Tuesday
    assert not calendar.is_working_day(date(2026, 3, 14))  # Saturday
    assert calendar.day_off_reason(date(2026, 3, 14)) == "weekend"
    assert "Idul Fitri" in (calendar.day_off_reason(date(2026, 3, 23)) or "")  # cuti bersama
    assert calendar.day_off_reason(date(2026, 12, 24)) is not None  # Christmas leave


def test_add_working_days_counts_after_the_start() -> None:
    calendar = national()
    assert calendar.add_working_days(date(2026, 7, 6), 0) == date(2026, 7, 6)
    assert calendar.add_working_days(date(2026, 7, 10), 1) == date(2026, 7, 13)  # Fri → Mon
    assert calendar.add_working_days(date(2026, 7, 11), 1) == date(2026, 7, 13)  # Sat → Mon
    assert calendar.next_working_day(date(2026, 3, 17)) == date(2026, 3, 25)
    with pytest.raises(ValueError):
        calendar.add_working_days(date(2026, 7, 6), -1)


def test_period_across_idul_fitri_and_year_end() -> None:
    calendar = national()
    assert calendar.add_working_days(date(2026, 3, 13), 10) == date(2026, 4, 6)
    assert calendar.add_working_days(date(2026, 12, 23), 10) == date(2027, 1, 12)
    off = calendar.days_off_between(date(2026, 12, 23), date(2027, 1, 12))
    assert [d for d, _n in off] == [
        date(2026, 12, 24),
        date(2026, 12, 25),
        date(2027, 1, 1),
        date(2027, 1, 5),
    ]


def test_working_days_between() -> None:
    calendar = national()
    assert calendar.working_days_between(date(2026, 7, 6), date(2026, 7, 6)) == 0
    assert calendar.working_days_between(date(2026, 7, 6), date(2026, 7, 13)) == 5
    assert calendar.working_days_between(date(2026, 3, 13), date(2026, 4, 6)) == 10
    assert calendar.working_days_between(date(2026, 7, 13), date(2026, 7, 6)) == 0


@pytest.mark.django_db
def test_overrides_national_then_unit(units: dict[str, Any]) -> None:
    samarinda, balikpapan = units["64.72"], units["64.71"]
    CalendarOverride.objects.create(
        date=date(2026, 7, 8), unit=None, kind="holiday", name="Libur nasional baru"
    )
    CalendarOverride.objects.create(
        date=date(2026, 7, 8), unit=samarinda, kind="working", name="Tetap masuk"
    )
    CalendarOverride.objects.create(
        date=date(2026, 3, 24), unit=balikpapan, kind="working", name="Masuk"
    )
    CalendarOverride.objects.create(
        date=date(2026, 7, 9), unit=samarinda, kind="holiday", name="HUT Kota"
    )
    own = calendar_for(samarinda)
    other = calendar_for(balikpapan)
    assert own.is_working_day(date(2026, 7, 8))  # the unit's row wins
    assert not other.is_working_day(date(2026, 7, 8))
    assert other.day_off_reason(date(2026, 7, 8)) == "Libur nasional baru"
    assert own.day_off_reason(date(2026, 7, 9)) == "HUT Kota"
    assert other.is_working_day(date(2026, 7, 9))
    assert other.is_working_day(date(2026, 3, 24)) and not own.is_working_day(date(2026, 3, 24))
    assert own.days_off_between(date(2026, 7, 6), date(2026, 7, 10)) == [
        (date(2026, 7, 9), "HUT Kota")
    ]


def test_working_day_override_on_a_saturday_counts_as_a_day() -> None:
    calendar = Calendar(None, overrides={date(2026, 6, 13): ("working", "Pengganti")})
    assert calendar.is_working_day(date(2026, 6, 13))
    assert calendar.add_working_days(date(2026, 6, 10), 3) == date(2026, 6, 13)


def test_office_hours_in_the_units_zone() -> None:
    calendar = Calendar(None, zone="Asia/Makassar", overrides={})
    friday = datetime(2026, 7, 10, 15, 0, tzinfo=WITA)
    # Friday closes at 16:30: 1.5 hours on Friday, the rest from Monday 07:30.
    assert calendar.add_working_hours(friday, 2) == datetime(2026, 7, 13, 8, 0, tzinfo=WITA)
    assert calendar.working_hours_between(friday, datetime(2026, 7, 13, 8, 0, tzinfo=WITA)) == 2
    evening = datetime(2026, 7, 6, 20, 0, tzinfo=WITA)
    assert calendar.add_working_hours(evening, 1) == datetime(2026, 7, 7, 8, 30, tzinfo=WITA)
    utc = datetime(2026, 7, 6, 0, 0, tzinfo=ZoneInfo("UTC"))  # 08:00 WITA
    assert calendar.local(utc).hour == 8
    custom = Calendar(None, overrides={}, hours=OfficeHours.from_times(time(8, 0), time(12, 0)))
    monday = datetime(2026, 7, 6, 11, 0, tzinfo=ZoneInfo("Asia/Makassar"))
    assert custom.working_hours_between(monday, datetime(2026, 7, 7, 9, 0, tzinfo=custom.zone)) == 2


def test_working_override_on_a_saturday_has_office_hours() -> None:
    """A Saturday made a working day (to replace a holiday) counts Monday's office hours."""
    saturday = date(2026, 11, 28)
    calendar = Calendar(None, overrides={saturday: ("working", "Hari kerja pengganti")})
    friday_four = datetime(2026, 11, 27, 16, 0, tzinfo=ZoneInfo("Asia/Makassar"))
    # Friday has 30 minutes left; the Saturday opens at 07:30.
    assert calendar.add_working_hours(friday_four, 1) == datetime(
        2026, 11, 28, 8, 0, tzinfo=ZoneInfo("Asia/Makassar")
    )
