"""The content calendar, production targets and the election-stage calendar.

Reads (selectors) for the calendar views and the dashboard, plus the few writes of the
planning pages (production targets, elections and their stages), each atomic and checked
like the services: the role permission (``PermissionDenied``), the user's scope, and
valid values (``ValidationError`` with field names).

Time: rows store UTC; the calendar lays days out in the time zone of the unit it shows
(WITA for Kalimantan Timur), so an item planned at 23:30 UTC appears on the next day.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from bakohumas.content.models import (
    EDITABLE_STATUSES,
    PUBLIC_STATUSES,
    ChannelVariant,
    ContentForm,
    ContentItem,
    Election,
    ElectionKind,
    ElectionStage,
    ProductionTarget,
    Status,
)
from bakohumas.core.models import Level, WorkUnit
from bakohumas.core.scoping import can_see_unit, get_profile, scope_filter, user_unit

MONTH = "month"
WEEK = "week"
VIEWS = (MONTH, WEEK)
SCOPE_UNIT = "unit"
SCOPE_PROVINCE = "province"
SCOPES = (SCOPE_UNIT, SCOPE_PROVINCE)

# The most items one calendar page loads (a province month is a few hundred at most; the
# cap keeps a pathological range bounded).
MAX_ITEMS = 2000
# Items listed in a month cell before "+N more" (the week view lists them all).
MONTH_CELL_LIMIT = 6
# Dates the calendar and the move form accept.
MIN_YEAR = 2000
MAX_YEAR = 2100
DEFAULT_TIME = time(9, 0)

# Bootstrap icon of each form and badge class of each status (as in content/_status_badge).
FORM_ICONS: dict[str, str] = {
    ContentForm.NEWS: "bi-newspaper",
    ContentForm.PHOTO: "bi-image",
    ContentForm.MEME: "bi-emoji-laughing",
    ContentForm.INFOGRAPHIC: "bi-bar-chart-line",
    ContentForm.VIDEO: "bi-camera-video",
    ContentForm.PODCAST: "bi-mic",
    ContentForm.ADVERTISEMENT: "bi-megaphone",
    ContentForm.FILM: "bi-film",
    ContentForm.SLIDES: "bi-easel",
    ContentForm.PRESS_RELEASE: "bi-file-earmark-text",
    ContentForm.HOAX_CLARIFICATION: "bi-shield-check",
}
STATUS_BADGES: dict[str, str] = {
    Status.DRAFT: "text-bg-secondary",
    Status.SUBMITTED: "text-bg-warning",
    Status.RETURNED: "text-bg-danger",
    Status.APPROVED: "text-bg-info",
    Status.SCHEDULED: "text-bg-primary",
    Status.PUBLISHED: "text-bg-success",
    Status.WITHDRAWN: "text-bg-dark",
    Status.ARCHIVED: "text-bg-secondary",
}


# --- scope -------------------------------------------------------------------------------


@dataclass
class CalendarScope:
    """What one calendar page shows: ``unit`` names it and gives the time zone; ``units``
    are the work units whose items are listed (the unit, or a province and its kab/kota)."""

    unit: WorkUnit
    scope: str
    units: list[WorkUnit]

    @property
    def unit_ids(self) -> list[int]:
        return [u.pk for u in self.units]

    @property
    def zone(self) -> ZoneInfo:
        return self.unit.zone

    @property
    def can_widen(self) -> bool:
        """Whether a province view exists for this unit (not for the national unit)."""
        return self.unit.level != Level.NATIONAL


def _province_of(unit: WorkUnit) -> WorkUnit | None:
    if unit.level == Level.PROVINCE:
        return unit
    if unit.level == Level.REGENCY_CITY and unit.province_id:
        return unit.province
    return None


def resolve_scope(user: Any, unit: WorkUnit | None, scope: str | None) -> CalendarScope:
    """The calendar scope of ``user`` for the requested ``unit`` and ``scope``.

    ``unit`` must already be visible to the user (the view fetches it through the scope,
    so another unit is a 404). Without a unit: the user's own. Without a scope: a province
    is shown with its kab/kota, any other unit alone (so provincial users start on their
    province's calendar and national users pick a province). Kab/kota users only ever see
    their unit: a province view they cannot see falls back to the unit.
    """
    if unit is None:
        unit = user_unit(user)
        if unit is None:
            raise PermissionDenied
    if scope not in SCOPES:
        scope = SCOPE_PROVINCE if unit.level == Level.PROVINCE else SCOPE_UNIT
    if scope == SCOPE_PROVINCE:
        province = _province_of(unit)
        if province is not None and can_see_unit(user, province.pk):
            members = list(
                WorkUnit.objects.filter(Q(pk=province.pk) | Q(province_id=province.pk))
                .filter(scope_filter(user, "id"))
                .order_by("code")
            )
            return CalendarScope(unit=province, scope=SCOPE_PROVINCE, units=members)
        scope = SCOPE_UNIT
    return CalendarScope(unit=unit, scope=SCOPE_UNIT, units=[unit])


def calendar_units(user: Any) -> QuerySet[WorkUnit]:
    """The units a user may open the calendar of (their scope, active ones)."""
    return WorkUnit.objects.for_user(user).filter(is_active=True).order_by("code")


# --- dates -------------------------------------------------------------------------------


def local_today(unit: WorkUnit) -> date:
    return unit.localtime(timezone.now()).date()  # type: ignore[no-any-return]


def start_of_day(day: date, zone: ZoneInfo) -> datetime:
    """Midnight of ``day`` in ``zone``, as an aware datetime."""
    return datetime.combine(day, time.min, tzinfo=zone)


def week_start(day: date) -> date:
    """The Monday of ``day``'s week (weeks start on Monday, Senin)."""
    return day - timedelta(days=day.weekday())


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    first = month_start(day)
    return (first + timedelta(days=32)).replace(day=1)


def previous_month(day: date) -> date:
    return (month_start(day) - timedelta(days=1)).replace(day=1)


def period_bounds(view: str, anchor: date) -> tuple[date, date]:
    """The first and the day after the last day of the grid of ``view`` around ``anchor``.

    A month grid is whole weeks, from the Monday on or before the 1st to the Sunday on or
    after the last day of the month."""
    if view == WEEK:
        start = week_start(anchor)
        return start, start + timedelta(days=7)
    first = month_start(anchor)
    last = next_month(anchor) - timedelta(days=1)
    return week_start(first), week_start(last) + timedelta(days=7)


def navigation(view: str, anchor: date) -> tuple[date, date]:
    """The anchors of the previous and the next page."""
    if view == WEEK:
        return anchor - timedelta(days=7), anchor + timedelta(days=7)
    return previous_month(anchor), next_month(anchor)


# --- calendar ----------------------------------------------------------------------------


@dataclass
class CalendarEntry:
    """An item on a day: planned then (``publish_at``) or published then (``published_at``)."""

    item: ContentItem
    when: datetime  # aware, in the calendar's zone
    published: bool
    can_move: bool
    url: str

    @property
    def time_label(self) -> str:
        """The wall-clock time in the calendar's zone (templates would convert an aware
        datetime to the request's zone)."""
        return self.when.strftime("%H:%M")

    @property
    def icon(self) -> str:
        return FORM_ICONS.get(self.item.form, "bi-file-earmark")

    @property
    def badge(self) -> str:
        return STATUS_BADGES.get(self.item.status, "text-bg-secondary")


@dataclass
class StageMark:
    """An election stage shown on a day."""

    stage: ElectionStage
    unit_code: str  # the organising unit's code; "" for a national election
    first_day: bool  # the stage starts on this day (or the grid starts inside it)

    @property
    def restricts(self) -> bool:
        return self.stage.restricts_publishing


@dataclass
class CalendarDay:
    date: date
    in_period: bool  # in the shown month (always true in a week)
    is_today: bool
    entries: list[CalendarEntry] = field(default_factory=list)
    stages: list[StageMark] = field(default_factory=list)
    hidden: int = 0  # entries beyond the month cell limit

    @property
    def quiet(self) -> bool:
        """A stage that restricts publishing (masa tenang) covers this day."""
        return any(mark.restricts for mark in self.stages)

    @property
    def quiet_stages(self) -> list[StageMark]:
        return [mark for mark in self.stages if mark.restricts]

    @property
    def visible_entries(self) -> list[CalendarEntry]:
        return self.entries[: len(self.entries) - self.hidden]


@dataclass
class CalendarPage:
    view: str
    anchor: date
    start: date
    end: date  # exclusive
    today: date
    scope: CalendarScope
    weeks: list[list[CalendarDay]]
    truncated: bool
    item_count: int

    @property
    def last(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def days(self) -> list[CalendarDay]:
        return [day for week in self.weeks for day in week]

    @property
    def previous(self) -> date:
        return navigation(self.view, self.anchor)[0]

    @property
    def next(self) -> date:
        return navigation(self.view, self.anchor)[1]


def item_url(pk: int) -> str:
    """The staff page of an item (``content:detail``), or its conventional path."""
    try:
        return reverse("content:detail", args=[pk])
    except NoReverseMatch:
        return f"/app/content/{pk}/"


def calendar_items(
    user: Any,
    unit_ids: Iterable[int],
    start: datetime,
    end: datetime,
    *,
    form: str = "",
    channel: str = "",
    status: str = "",
    limit: int = MAX_ITEMS,
) -> QuerySet[ContentItem]:
    """Items of ``unit_ids`` (within the user's scope) planned in [start, end) and not yet
    published, or published in [start, end). One query, ordered by their calendar time."""
    qs = (
        ContentItem.objects.for_user(user)
        .filter(unit_id__in=list(unit_ids))
        .filter(
            Q(published_at__isnull=False, published_at__gte=start, published_at__lt=end)
            | Q(published_at__isnull=True, publish_at__gte=start, publish_at__lt=end)
        )
        .select_related("unit")
        .only(
            "id",
            "title",
            "form",
            "status",
            "publish_at",
            "published_at",
            "created_by_id",
            "unit_id",
            "unit__code",
            "unit__name",
            "unit__time_zone",
        )
    )
    if form:
        qs = qs.filter(form=form)
    if status:
        qs = qs.filter(status=status)
    if channel:
        qs = qs.filter(
            Exists(ChannelVariant.objects.filter(item_id=OuterRef("pk"), channel=channel))
        )
    return qs.order_by("publish_at", "id")[: limit + 1]  # type: ignore[return-value]


def movable_ids(user: Any, items: Iterable[ContentItem]) -> set[int]:
    """Ids of ``items`` the user may move on the calendar, in at most one query.

    The same rule as ``services.can_edit`` (role, scope, an editable status; contributors
    only what they author) applied to many items at once; moving a *scheduled* item also
    needs the publishing permission (the service reschedules it)."""
    if not user.has_perm("content.change_contentitem"):
        return set()
    publisher = user.has_perm("content.publish_contentitem")
    candidates = [
        item
        for item in items
        if item.status in EDITABLE_STATUSES
        and can_see_unit(user, item.unit_id)
        and (publisher or item.status != Status.SCHEDULED)
    ]
    if publisher or not candidates:
        return {item.pk for item in candidates}
    ids = [item.pk for item in candidates]
    authored = (
        ContentItem.objects.filter(pk__in=ids)
        .filter(Q(created_by=user) | Q(authors=user) | Q(versions__created_by=user))
        .values_list("pk", flat=True)
        .distinct()
    )
    return set(authored)


def stages_between(units: Iterable[WorkUnit], first: date, last: date) -> list[ElectionStage]:
    """Stages of active elections overlapping [first, last] that bind ``units``: national
    elections, and those organised by one of the units or a unit above them."""
    national = _national_ids()
    organisers: set[int] = set()
    for unit in units:
        organisers |= _units_above(unit, national)
    return list(
        ElectionStage.objects.filter(
            election__is_active=True, starts_on__lte=last, ends_on__gte=first
        )
        .filter(Q(election__unit__isnull=True) | Q(election__unit_id__in=sorted(organisers)))
        .select_related("election", "election__unit")
        .order_by("starts_on", "id")
    )


def _units_above(unit: WorkUnit, national: list[int] | None = None) -> set[int]:
    """The unit, its parent, its province and the national unit(s)."""
    ids = {unit.pk}
    if unit.parent_id:
        ids.add(unit.parent_id)
    if unit.province_id:
        ids.add(unit.province_id)
    ids.update(_national_ids() if national is None else national)
    return ids


def _national_ids() -> list[int]:
    return list(WorkUnit.objects.filter(level=Level.NATIONAL).values_list("id", flat=True))


def build_calendar(
    user: Any,
    scope: CalendarScope,
    view: str,
    anchor: date,
    *,
    form: str = "",
    channel: str = "",
    status: str = "",
) -> CalendarPage:
    """The month or week page of ``scope`` around ``anchor``: a bounded number of queries
    (the items, who may move them, the stages) whatever the number of items."""
    view = view if view in VIEWS else MONTH
    zone = scope.zone
    first, end = period_bounds(view, anchor)
    start_dt, end_dt = start_of_day(first, zone), start_of_day(end, zone)
    items = list(
        calendar_items(
            user,
            scope.unit_ids,
            start_dt,
            end_dt,
            form=form,
            channel=channel,
            status=status,
        )
    )
    truncated = len(items) > MAX_ITEMS
    items = items[:MAX_ITEMS]
    movable = movable_ids(user, items)
    by_day: dict[date, list[CalendarEntry]] = defaultdict(list)
    for item in items:
        published = item.published_at is not None
        moment = item.published_at if published else item.publish_at
        assert moment is not None
        local = timezone.localtime(moment, zone)
        by_day[local.date()].append(
            CalendarEntry(
                item=item,
                when=local,
                published=published,
                can_move=item.pk in movable and not published,
                url=item_url(item.pk),
            )
        )
    stages = stages_between(scope.units, first, end - timedelta(days=1))
    today = local_today(scope.unit)
    weeks: list[list[CalendarDay]] = []
    day = first
    while day < end:
        week: list[CalendarDay] = []
        for _i in range(7):
            entries = sorted(by_day.get(day, []), key=lambda e: (e.when, e.item.pk))
            cell = CalendarDay(
                date=day,
                in_period=view == WEEK or day.month == anchor.month,
                is_today=day == today,
                entries=entries,
                stages=[
                    StageMark(
                        stage=s,
                        unit_code=s.election.unit.code if s.election.unit else "",
                        first_day=s.starts_on == day or (day == first and s.starts_on < first),
                    )
                    for s in stages
                    if s.starts_on <= day <= s.ends_on
                ],
            )
            if view == MONTH and len(entries) > MONTH_CELL_LIMIT:
                cell.hidden = len(entries) - MONTH_CELL_LIMIT
            week.append(cell)
            day += timedelta(days=1)
        weeks.append(week)
    return CalendarPage(
        view=view,
        anchor=anchor,
        start=first,
        end=end,
        today=today,
        scope=scope,
        weeks=weeks,
        truncated=truncated,
        item_count=len(items),
    )


def new_publish_at(item: ContentItem, day: date, at: time | None = None) -> datetime:
    """``day`` at ``at`` (default: the item's current local time of day, else 09:00) in
    the item's unit's zone, as an aware datetime."""
    zone = item.unit.zone
    if at is None:
        at = (
            timezone.localtime(item.publish_at, zone).time().replace(microsecond=0)
            if item.publish_at
            else DEFAULT_TIME
        )
    return datetime.combine(day, at, tzinfo=zone)


# --- production targets ------------------------------------------------------------------


@dataclass
class TargetProgress:
    """Production against one target in the period that contains the reference day.

    ``start`` and ``end`` are the first and last day of the period in the unit's zone;
    ``published`` counts items published in it (still public), ``scheduled`` items
    scheduled for a time in it."""

    target: ProductionTarget
    unit: WorkUnit
    form: str  # "" = every form
    period: str  # ProductionTarget.Period: "week" | "month"
    start: date
    end: date
    goal: int
    published: int
    scheduled: int

    @property
    def form_label(self) -> str:
        return str(ContentForm(self.form).label) if self.form else _("All forms")

    @property
    def period_label(self) -> str:
        return str(ProductionTarget.Period(self.period).label)

    @property
    def done(self) -> int:
        return self.published + self.scheduled

    @property
    def gap(self) -> int:
        return max(0, self.goal - self.done)

    @property
    def percent(self) -> int:
        if self.goal <= 0:
            return 100
        return min(100, round(100 * self.done / self.goal))

    @property
    def met(self) -> bool:
        return self.done >= self.goal

    @property
    def published_met(self) -> bool:
        return self.published >= self.goal

    def __str__(self) -> str:
        period = _("this week") if self.period == ProductionTarget.Period.WEEK else _("this month")
        summary = _(
            "%(unit)s, %(period)s, %(form)s: %(published)s published + %(scheduled)s "
            "scheduled of %(goal)s"
        ) % {
            "unit": self.unit.name,
            "period": period,
            "form": self.form_label.lower(),
            "published": self.published,
            "scheduled": self.scheduled,
            "goal": self.goal,
        }
        if self.met:
            return f"{summary} ({_('met')})"
        return f"{summary} ({_('%(n)s to go') % {'n': self.gap}})"


def _period_days(period: str, today: date) -> tuple[date, date]:
    """First day and the day after the last day of ``period`` containing ``today``."""
    if period == ProductionTarget.Period.WEEK:
        start = week_start(today)
        return start, start + timedelta(days=7)
    return month_start(today), next_month(today)


def target_progress(units: Iterable[WorkUnit], today: date | None = None) -> list[TargetProgress]:
    """Published and scheduled counts against every production target of ``units`` for
    the current week and month (``today`` defaults to each unit's own local date).

    Ordered by unit code, period (week first) and form. Queries: one for the targets, and
    one aggregate per distinct time zone (so at most four), whatever the number of units.
    """
    ids = [u.pk if isinstance(u, WorkUnit) else int(u) for u in units]
    if not ids:
        return []
    targets = list(
        ProductionTarget.objects.filter(unit_id__in=ids)
        .select_related("unit")
        .order_by("unit__code", "-period", "form")
    )
    if not targets:
        return []
    by_zone: dict[str, list[ProductionTarget]] = defaultdict(list)
    for target in targets:
        by_zone[target.unit.time_zone].append(target)
    counts: dict[tuple[int, str], dict[str, int]] = {}
    windows: dict[tuple[str, str], tuple[date, date]] = {}
    for zone_name, zone_targets in by_zone.items():
        zone = ZoneInfo(zone_name)
        day = today or timezone.localtime(timezone.now(), zone).date()
        ranges: dict[str, tuple[datetime, datetime]] = {}
        for period in ProductionTarget.Period.values:
            first, after = _period_days(period, day)
            windows[(zone_name, period)] = (first, after - timedelta(days=1))
            ranges[period] = (start_of_day(first, zone), start_of_day(after, zone))
        lo = min(r[0] for r in ranges.values())
        hi = max(r[1] for r in ranges.values())
        annotations: dict[str, Any] = {}
        for period, (a, b) in ranges.items():
            annotations[f"published_{period}"] = Count(
                "pk",
                filter=Q(status__in=PUBLIC_STATUSES, published_at__gte=a, published_at__lt=b),
            )
            annotations[f"scheduled_{period}"] = Count(
                "pk", filter=Q(status=Status.SCHEDULED, publish_at__gte=a, publish_at__lt=b)
            )
        rows = (
            ContentItem.objects.filter(unit_id__in=sorted({t.unit_id for t in zone_targets}))
            .filter(
                Q(status__in=PUBLIC_STATUSES, published_at__gte=lo, published_at__lt=hi)
                | Q(status=Status.SCHEDULED, publish_at__gte=lo, publish_at__lt=hi)
            )
            .order_by()
            .values("unit_id", "form")
            .annotate(**annotations)
        )
        for row in rows:
            counts[(row["unit_id"], row["form"])] = row
    result: list[TargetProgress] = []
    for target in targets:
        first, last = windows[(target.unit.time_zone, target.period)]
        published = scheduled = 0
        for (unit_id, form), row in counts.items():
            if unit_id == target.unit_id and (not target.form or form == target.form):
                published += row[f"published_{target.period}"]
                scheduled += row[f"scheduled_{target.period}"]
        result.append(
            TargetProgress(
                target=target,
                unit=target.unit,
                form=target.form,
                period=target.period,
                start=first,
                end=last,
                goal=target.count,
                published=published,
                scheduled=scheduled,
            )
        )
    return result


def targets_for(user: Any) -> QuerySet[ProductionTarget]:
    """Production targets of the units in the user's scope."""
    return ProductionTarget.objects.filter(scope_filter(user, "unit_id")).select_related("unit")


def _require(user: Any, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied(_("Your role does not allow this."))


def _target_unit(user: Any, unit: WorkUnit | None) -> WorkUnit:
    if unit is None:
        raise ValidationError({"unit": [_("Choose a work unit.")]})
    if not can_see_unit(user, unit.pk):
        raise ValidationError({"unit": [_("Choose a work unit within your scope.")]})
    return unit


def _check_target(form: str, period: str, count: Any) -> int:
    errors: dict[str, list[str]] = {}
    if form and form not in ContentForm.values:
        errors["form"] = [_("Choose a valid form.")]
    if period not in ProductionTarget.Period.values:
        errors["period"] = [_("Choose a week or a month.")]
    try:
        number = int(count)
    except (TypeError, ValueError):
        number = -1
    if not 1 <= number <= 10000:
        errors["count"] = [_("Enter a number of items between 1 and 10,000.")]
    if errors:
        raise ValidationError(errors)
    return number


def _save_target(target: ProductionTarget) -> ProductionTarget:
    clash = ProductionTarget.objects.filter(
        unit_id=target.unit_id, form=target.form, period=target.period
    ).exclude(pk=target.pk)
    if clash.exists():
        raise ValidationError(
            {"__all__": [_("This unit already has a target for this form and period.")]}
        )
    try:
        with transaction.atomic():
            target.save()
    except IntegrityError as exc:
        raise ValidationError(
            {"__all__": [_("This unit already has a target for this form and period.")]}
        ) from exc
    return target


@transaction.atomic
def create_target(
    *, by: Any, unit: WorkUnit | None, form: str, period: str, count: Any
) -> ProductionTarget:
    _require(by, "content.add_productiontarget")
    unit = _target_unit(by, unit)
    number = _check_target(form or "", period, count)
    return _save_target(ProductionTarget(unit=unit, form=form or "", period=period, count=number))


@transaction.atomic
def update_target(
    target: ProductionTarget,
    *,
    by: Any,
    unit: WorkUnit | None,
    form: str,
    period: str,
    count: Any,
) -> ProductionTarget:
    _require(by, "content.change_productiontarget")
    if not can_see_unit(by, target.unit_id):
        raise PermissionDenied(_("This record is outside your work units."))
    unit = _target_unit(by, unit)
    number = _check_target(form or "", period, count)
    target.unit, target.form, target.period, target.count = unit, form or "", period, number
    return _save_target(target)


@transaction.atomic
def delete_target(target: ProductionTarget, *, by: Any) -> None:
    _require(by, "content.delete_productiontarget")
    if not can_see_unit(by, target.unit_id):
        raise PermissionDenied(_("This record is outside your work units."))
    target.delete()


# --- elections and stages ----------------------------------------------------------------


def is_national_staff(user: Any) -> bool:
    profile = get_profile(user)
    return profile is not None and profile.unit.level == Level.NATIONAL


def visible_elections(user: Any) -> QuerySet[Election]:
    """Elections a user sees: national ones, those of units in their scope, and those
    organised by a unit above theirs (a kab/kota sees its province's Pemilihan, which
    binds it)."""
    own = user_unit(user)
    if get_profile(user) is None or own is None:
        return Election.objects.none()
    above = _units_above(own)
    return Election.objects.filter(
        Q(unit__isnull=True) | Q(unit_id__in=sorted(above)) | scope_filter(user, "unit_id")
    )


def can_manage_election(user: Any, election: Election) -> bool:
    """National elections are national staff's; a unit's election, staff of its scope."""
    if election.unit_id is None:
        return is_national_staff(user)
    return can_see_unit(user, election.unit_id)


def _require_manage(user: Any, election: Election) -> None:
    if not can_manage_election(user, election):
        if election.unit_id is None:
            raise PermissionDenied(_("Only national staff can change a national election."))
        raise PermissionDenied(_("This election is organised by a unit outside your scope."))


ELECTION_FIELDS = ("name", "kind", "unit", "voting_day", "is_active")
STAGE_FIELDS = ("name", "starts_on", "ends_on", "restricts_publishing", "note")


def _apply_election(election: Election, by: Any, data: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    name = str(data.get("name") or "").strip()
    if not name:
        errors["name"] = [_("This field is required.")]
    elif "\x00" in name:
        errors["name"] = [_("Null characters are not allowed.")]
    kind = data.get("kind") or ""
    if kind not in ElectionKind.values:
        errors["kind"] = [_("Choose a valid kind.")]
    unit = data.get("unit")
    if unit is None:
        if not is_national_staff(by):
            errors["unit"] = [
                _("Only national staff can add a national election; choose your unit.")
            ]
    elif not can_see_unit(by, unit.pk):
        errors["unit"] = [_("Choose a work unit within your scope.")]
    voting_day = data.get("voting_day")
    if voting_day is not None and not MIN_YEAR <= voting_day.year <= MAX_YEAR:
        errors["voting_day"] = [
            _("Choose a date between %(a)s and %(b)s.") % {"a": MIN_YEAR, "b": MAX_YEAR}
        ]
    if errors:
        raise ValidationError(errors)
    election.name = name[:200]
    election.kind = kind
    election.unit = unit
    election.voting_day = voting_day
    election.is_active = bool(data.get("is_active", True))


@transaction.atomic
def create_election(*, by: Any, **data: Any) -> Election:
    _require(by, "content.add_election")
    election = Election()
    _apply_election(election, by, data)
    election.save()
    return election


@transaction.atomic
def update_election(election: Election, *, by: Any, **data: Any) -> Election:
    _require(by, "content.change_election")
    _require_manage(by, election)
    _apply_election(election, by, data)
    election.save()
    return election


@transaction.atomic
def delete_election(election: Election, *, by: Any) -> None:
    """Delete an election and its stages (items keep their text; their link is cleared)."""
    _require(by, "content.delete_election")
    _require_manage(by, election)
    election.delete()


def _apply_stage(stage: ElectionStage, data: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    name = str(data.get("name") or "").strip()
    note = str(data.get("note") or "").strip()
    if not name:
        errors["name"] = [_("This field is required.")]
    for key, text in (("name", name), ("note", note)):
        if "\x00" in text:
            errors[key] = [_("Null characters are not allowed.")]
    starts, ends = data.get("starts_on"), data.get("ends_on")
    if starts is None:
        errors["starts_on"] = [_("This field is required.")]
    if ends is None:
        errors["ends_on"] = [_("This field is required.")]
    for key, day in (("starts_on", starts), ("ends_on", ends)):
        if day is not None and not MIN_YEAR <= day.year <= MAX_YEAR:
            errors[key] = [
                _("Choose a date between %(a)s and %(b)s.") % {"a": MIN_YEAR, "b": MAX_YEAR}
            ]
    if starts and ends and ends < starts and "ends_on" not in errors:
        errors["ends_on"] = [_("The stage cannot end before it starts.")]
    if errors:
        raise ValidationError(errors)
    stage.name = name[:200]
    stage.note = note[:500]
    stage.starts_on = starts  # type: ignore[assignment]
    stage.ends_on = ends  # type: ignore[assignment]
    stage.restricts_publishing = bool(data.get("restricts_publishing"))


@transaction.atomic
def create_stage(election: Election, *, by: Any, **data: Any) -> ElectionStage:
    _require(by, "content.add_electionstage")
    _require_manage(by, election)
    stage = ElectionStage(election=election)
    _apply_stage(stage, data)
    stage.save()
    return stage


@transaction.atomic
def update_stage(stage: ElectionStage, *, by: Any, **data: Any) -> ElectionStage:
    _require(by, "content.change_electionstage")
    _require_manage(by, stage.election)
    _apply_stage(stage, data)
    stage.save()
    return stage


@transaction.atomic
def delete_stage(stage: ElectionStage, *, by: Any) -> None:
    _require(by, "content.delete_electionstage")
    _require_manage(by, stage.election)
    stage.delete()


# --- demo --------------------------------------------------------------------------------

DEMO_ELECTION_NAME = "Pemilihan Serentak 2029"
QUIET_PERIOD_NAME = "Masa tenang"


def demo_stage_plan(voting_day: date) -> list[tuple[str, date, date, bool]]:
    """The stages of the demo election around ``voting_day``: (name, start, end, restricts).
    The quiet period (masa tenang) is the three days before voting day."""
    d = voting_day
    return [
        ("Pemutakhiran data pemilih", d - timedelta(days=90), d - timedelta(days=46), False),
        ("Pencalonan", d - timedelta(days=60), d - timedelta(days=31), False),
        ("Masa kampanye", d - timedelta(days=30), d - timedelta(days=4), False),
        (QUIET_PERIOD_NAME, d - timedelta(days=3), d - timedelta(days=1), True),
        ("Pemungutan dan penghitungan suara", d, d, False),
        (
            "Rekapitulasi hasil penghitungan suara",
            d + timedelta(days=1),
            d + timedelta(days=14),
            False,
        ),
    ]


@transaction.atomic
def demo_election(
    unit: WorkUnit | None,
    *,
    voting_day: date | None = None,
    name: str = DEMO_ELECTION_NAME,
) -> Election:
    """A demo regional-head election of ``unit`` (``None``: national) with its stages,
    including the quiet period (masa tenang) on the three days before voting day.

    Idempotent: an election of that name and unit is reused and its missing stages added.
    Without ``voting_day`` it is four weeks from today, so that the demo calendar shows
    the campaign and the quiet period."""
    election = Election.objects.filter(name=name, unit=unit).first()
    if election is None:
        if voting_day is None:
            zone = unit.zone if unit else ZoneInfo("Asia/Jakarta")
            voting_day = timezone.localtime(timezone.now(), zone).date() + timedelta(days=28)
        election = Election.objects.create(
            name=name,
            kind=ElectionKind.PEMILIHAN,
            unit=unit,
            voting_day=voting_day,
            is_active=True,
        )
    day = election.voting_day or voting_day
    if day is None:
        return election
    existing = set(election.stages.values_list("name", flat=True))
    ElectionStage.objects.bulk_create(
        [
            ElectionStage(
                election=election,
                name=stage_name,
                starts_on=starts,
                ends_on=ends,
                restricts_publishing=restricts,
            )
            for stage_name, starts, ends, restricts in demo_stage_plan(day)
            if stage_name not in existing
        ]
    )
    return election
