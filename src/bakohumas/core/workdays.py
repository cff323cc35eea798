"""Working days and working hours of a work unit.

A working day is Monday to Friday, minus Indonesia's national holidays and collective
leave (cuti bersama, the ``GOVERNMENT`` category of the ``holidays`` package, country
``ID``), with the unit's ``CalendarOverride`` rows (and the national ones, ``unit`` empty)
applied on top: an override of kind ``holiday`` removes a day, ``working`` adds one back.

Statutory periods (UU 14/2008, PerKI 1/2019) count whole working days *after* the day a
request was received: ``add_working_days(received, 10)`` is the tenth working day after
``received``, which is the last day of the period.

Service clocks (inbox SLA) count working *hours* in the unit's own time zone between its
office hours (``OfficeHours``; KPU's default is 07:30-16:00 Monday to Thursday and
07:30-16:30 on Friday).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import holidays as holidays_lib
from django.utils import timezone

DEFAULT_ZONE = "Asia/Makassar"


@lru_cache(maxsize=64)
def _package_days(year: int) -> dict[date, str]:
    """National holidays and collective leave of ``year``, named in Indonesian."""
    found = holidays_lib.country_holidays(
        "ID",
        years=year,
        categories=(holidays_lib.PUBLIC, holidays_lib.GOVERNMENT),
        language="id",
    )
    return dict(found.items())


@dataclass(frozen=True)
class OfficeHours:
    """Office hours per ISO weekday (1 = Monday); a weekday missing is a day off."""

    days: dict[int, tuple[time, time]] = field(
        default_factory=lambda: {
            1: (time(7, 30), time(16, 0)),
            2: (time(7, 30), time(16, 0)),
            3: (time(7, 30), time(16, 0)),
            4: (time(7, 30), time(16, 0)),
            5: (time(7, 30), time(16, 30)),
        }
    )

    @classmethod
    def from_times(cls, start: time, end: time, friday_end: time | None = None) -> OfficeHours:
        days = {wd: (start, end) for wd in range(1, 5)}
        days[5] = (start, friday_end or end)
        return cls(days=days)


class Calendar:
    """The working-day calendar of one unit (``unit_id`` None: the national calendar)."""

    def __init__(
        self,
        unit_id: int | None = None,
        *,
        zone: str = DEFAULT_ZONE,
        hours: OfficeHours | None = None,
        overrides: dict[date, tuple[str, str]] | None = None,
    ) -> None:
        self.unit_id = unit_id
        self.zone = ZoneInfo(zone)
        self.hours = hours or OfficeHours()
        if overrides is None:
            overrides = load_overrides(unit_id)
        self.overrides = overrides

    @classmethod
    def for_unit(cls, unit: Any, hours: OfficeHours | None = None) -> Calendar:
        return cls(unit.pk, zone=unit.time_zone, hours=hours)

    # Days --------------------------------------------------------------------------
    def day_off_reason(self, day: date) -> str | None:
        """Why ``day`` is not a working day (its holiday name, or "weekend"), else None."""
        override = self.overrides.get(day)
        if override is not None:
            kind, name = override
            return name if kind == "holiday" else None
        if day.isoweekday() not in self.hours.days:
            return "weekend"
        return _package_days(day.year).get(day)

    def is_working_day(self, day: date) -> bool:
        return self.day_off_reason(day) is None

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        return self.add_working_days(day, 1)

    def add_working_days(self, start: date, count: int) -> date:
        """The ``count``-th working day after ``start`` (``start`` itself never counts)."""
        if count < 0:
            raise ValueError("count must not be negative")
        day = start
        left = count
        while left:
            day += timedelta(days=1)
            if self.is_working_day(day):
                left -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]: 0 when ``end`` is not after ``start``."""
        days = 0
        day = start
        while day < end:
            day += timedelta(days=1)
            days += self.is_working_day(day)
        return days

    def days_off_between(self, start: date, end: date) -> list[tuple[date, str]]:
        """Holidays (not weekends) in (start, end], with their names: why a deadline moved."""
        found = []
        day = start
        while day < end:
            day += timedelta(days=1)
            reason = self.day_off_reason(day)
            if reason and reason != "weekend":
                found.append((day, reason))
        return found

    # Hours -------------------------------------------------------------------------
    def local(self, moment: datetime) -> datetime:
        return timezone.localtime(moment, self.zone)

    def _windows_from(self, moment: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Office-hour windows (aware, local) from ``moment`` on, the first one clipped."""
        local = self.local(moment)
        day = local.date()
        for _ in range(3660):  # ten years of days: a calendar with no working day ends
            if self.is_working_day(day):
                # A weekend day made a working day by an override keeps Monday's hours.
                start_t, end_t = self.hours.days.get(
                    day.isoweekday(), next(iter(self.hours.days.values()))
                )
                start = datetime.combine(day, start_t, tzinfo=self.zone)
                end = datetime.combine(day, end_t, tzinfo=self.zone)
                if end > local:
                    yield max(start, local), end
            day += timedelta(days=1)

    def add_working_hours(self, moment: datetime, hours: float) -> datetime:
        """The moment ``hours`` office hours after ``moment`` (which may be off hours)."""
        left = timedelta(hours=hours)
        for start, end in self._windows_from(moment):
            if end - start >= left:
                return start + left
            left -= end - start
        raise ValueError("no working hours in the calendar")

    def working_hours_between(self, start: datetime, end: datetime) -> float:
        """Office hours elapsed between two moments (0 when ``end`` is not later)."""
        if end <= start:
            return 0.0
        total = timedelta()
        for win_start, win_end in self._windows_from(start):
            if win_start >= end:
                break
            total += min(win_end, end) - win_start
        return total.total_seconds() / 3600


def load_overrides(unit_id: int | None) -> dict[date, tuple[str, str]]:
    """The national overrides, then the unit's own (a unit's row wins on the same day)."""
    from django.db.models import Q

    from bakohumas.core.models import CalendarOverride

    where = Q(unit__isnull=True)
    if unit_id is not None:
        where |= Q(unit_id=unit_id)
    rows = CalendarOverride.objects.filter(where).values_list("date", "unit_id", "kind", "name")
    found: dict[date, tuple[str, str]] = {}
    for day, _owner, kind, name in sorted(rows, key=lambda r: r[1] is not None):
        found[day] = (kind, name)
    return found


def calendar_for(unit: Any) -> Calendar:
    """The unit's calendar with its office hours from its inbox settings, if any."""
    hours = None
    try:
        from bakohumas.inbox.models import InboxSettings

        settings_row = InboxSettings.objects.filter(unit_id=unit.pk).first()
        if settings_row is not None:
            hours = settings_row.office_hours()
    except ImportError:  # pragma: no cover - the inbox app is always installed
        pass
    return Calendar.for_unit(unit, hours=hours)
