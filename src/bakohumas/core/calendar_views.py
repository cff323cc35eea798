"""The working-day calendar page (``/app/ppid/kalender/``, name ``ppid:calendar``).

It lists the year's national holidays and collective leave from the ``holidays`` package
next to the overrides (``CalendarOverride``) that apply to the user's units, and lets
administrators (``core.add_calendaroverride``) add or delete an override for their own
unit; national overrides (every unit) only administrators of the national unit.
Deadlines are computed from these days (``core.workdays``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods, require_POST

from bakohumas.core.forms import style_widgets
from bakohumas.core.models import CalendarOverride, DayKind, Level
from bakohumas.core.scoping import get_scoped_or_404, require_perm, user_unit
from bakohumas.core.workdays import _package_days

FIRST_YEAR = 2020
LAST_YEAR_AHEAD = 2


def _is_national(user: Any) -> bool:
    unit = user_unit(user)
    return unit is not None and unit.level == Level.NATIONAL


class OverrideForm(forms.Form):
    date = forms.DateField(label=_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=_lazy("Kind"), choices=DayKind.choices)
    name = forms.CharField(label=_lazy("Name"), max_length=200)
    national = forms.BooleanField(
        label=_lazy("For every work unit (national)"),
        required=False,
        help_text=_lazy("Only administrators of the national unit can set a national day."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        if not _is_national(user):
            del self.fields["national"]
        style_widgets(self)

    def clean_date(self) -> dt.date:
        value: dt.date = self.cleaned_data["date"]
        if not FIRST_YEAR <= value.year <= timezone.localdate().year + LAST_YEAR_AHEAD:
            raise forms.ValidationError(
                _("Choose a date between %(a)s and %(b)s.")
                % {
                    "a": FIRST_YEAR,
                    "b": timezone.localdate().year + LAST_YEAR_AHEAD,
                }
            )
        return value


def _year(request: HttpRequest) -> int:
    this_year = timezone.localdate().year
    try:
        year = int(request.GET.get("year", this_year))
    except (TypeError, ValueError):
        return this_year
    return year if FIRST_YEAR <= year <= this_year + LAST_YEAR_AHEAD else this_year


def _can_change(user: Any, override: CalendarOverride) -> bool:
    if not user.has_perm("core.delete_calendaroverride"):
        return False
    if override.unit_id is None:
        return _is_national(user)
    unit = user_unit(user)
    return unit is not None and override.unit_id == unit.pk


@login_required
@require_http_methods(["GET", "POST"])
def calendar_overrides(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "core.view_calendaroverride")
    user: Any = request.user
    unit = user_unit(user)
    year = _year(request)
    can_add = user.has_perm("core.add_calendaroverride") and unit is not None
    form = OverrideForm(request.POST or None, user=user)
    if request.method == "POST":
        if not can_add or unit is None:
            raise PermissionDenied
        if form.is_valid():
            national = bool(form.cleaned_data.get("national"))
            try:
                with transaction.atomic():
                    CalendarOverride.objects.create(
                        date=form.cleaned_data["date"],
                        unit=None if national else unit,
                        kind=form.cleaned_data["kind"],
                        name=form.cleaned_data["name"].strip(),
                        created_by=user,
                    )
            except IntegrityError:
                form.add_error("date", _("This day already has an override."))
            else:
                messages.success(request, _("The day was saved."))
                day = form.cleaned_data["date"]
                return redirect(reverse("ppid:calendar") + f"?year={day.year}")
    overrides = list(
        CalendarOverride.objects.for_user(user)
        .filter(date__year=year)
        .select_related("unit")
        .order_by("date", "unit__code")
    )
    today = timezone.localdate()
    holidays = [
        {"date": day, "name": name, "past": day < today, "weekend": day.isoweekday() > 5}
        for day, name in sorted(_package_days(year).items())
    ]
    rows = [{"override": o, "can_delete": _can_change(user, o)} for o in overrides]
    return render(
        request,
        "core/calendar_overrides.html",
        {
            "year": year,
            "years": list(range(FIRST_YEAR, today.year + LAST_YEAR_AHEAD + 1)),
            "holidays": holidays,
            "coming": [h for h in holidays if not h["past"]],
            "rows": rows,
            "form": form,
            "can_add": can_add,
            "unit": unit,
        },
    )


@login_required
@require_POST
def calendar_override_delete(request: HttpRequest, pk: int) -> HttpResponse:
    override = get_scoped_or_404(CalendarOverride.objects.all(), request.user, pk=pk)
    if not _can_change(request.user, override):
        raise PermissionDenied
    year = override.date.year
    override.delete()
    messages.success(request, _("The day was removed."))
    return redirect(reverse("ppid:calendar") + f"?year={year}")
