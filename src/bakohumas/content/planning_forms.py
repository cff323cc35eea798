"""Forms of the content calendar and the planning pages (targets, elections, stages).

They only shape input; the rules live in ``content.calendar`` (planning writes) and
``content.services`` (rescheduling). Views copy a ``ValidationError`` back onto the form.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bakohumas.content import calendar
from bakohumas.content.models import (
    Channel,
    ContentForm,
    Election,
    ElectionKind,
    ElectionStage,
    ProductionTarget,
    Status,
)
from bakohumas.core.forms import BootstrapMixin, UnitChoiceField
from bakohumas.core.models import WorkUnit

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def _blank(choices: Any, label: Any = None) -> list[tuple[str, Any]]:
    return [("", label or _("All")), *list(choices)]


def _check_year(value: dt.date | None) -> dt.date | None:
    if value is not None and not calendar.MIN_YEAR <= value.year <= calendar.MAX_YEAR:
        raise forms.ValidationError(
            _("Choose a date between %(a)s and %(b)s.")
            % {"a": calendar.MIN_YEAR, "b": calendar.MAX_YEAR}
        )
    return value


class CalendarFilterForm(BootstrapMixin, forms.Form):
    """The calendar's query string: view, date, unit and scope, and the item filters.

    ``unit`` is read by the view itself (another unit's id is a 404, not a form error)."""

    view = forms.ChoiceField(
        label=_("View"),
        required=False,
        choices=[(calendar.MONTH, _("Month")), (calendar.WEEK, _("Week"))],
    )
    date = forms.DateField(label=_("Date"), required=False, widget=DATE_INPUT)
    scope = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[
            (calendar.SCOPE_UNIT, _("This unit only")),
            (calendar.SCOPE_PROVINCE, _("Province with its kab/kota")),
        ],
    )
    form = forms.ChoiceField(label=_("Form"), required=False, choices=_blank(ContentForm.choices))
    channel = forms.ChoiceField(label=_("Channel"), required=False, choices=_blank(Channel.choices))
    status = forms.ChoiceField(label=_("Status"), required=False, choices=_blank(Status.choices))

    def clean_date(self) -> dt.date | None:
        return _check_year(self.cleaned_data.get("date"))

    def value(self, name: str, default: Any = "") -> Any:
        """The cleaned value of ``name``, or ``default`` when it is missing or invalid."""
        if not self.is_bound:
            return default
        self.is_valid()
        value = self.cleaned_data.get(name) if hasattr(self, "cleaned_data") else None
        return value if value not in (None, "") else default


class MoveForm(BootstrapMixin, forms.Form):
    """Move an item to another day (and optionally time) — the drag and drop's request and
    its no-JavaScript fallback page."""

    date = forms.DateField(
        label=_("New date"),
        widget=DATE_INPUT,
        error_messages={
            "required": _("Choose the new date."),
            "invalid": _("Enter the date as YYYY-MM-DD."),
        },
    )
    time = forms.TimeField(
        label=_("Time"),
        required=False,
        widget=TIME_INPUT,
        help_text=_("Empty keeps the item's current time of day."),
        error_messages={"invalid": _("Enter the time as HH:MM.")},
    )
    reason = forms.CharField(
        label=_("Reason for publishing in a restricted period"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed only when the new time falls in a quiet period (masa tenang)."),
    )

    def clean_date(self) -> dt.date | None:
        return _check_year(self.cleaned_data.get("date"))


class TargetForm(BootstrapMixin, forms.Form):
    unit = UnitChoiceField(label=_("Work unit"), queryset=WorkUnit.objects.none())
    form = forms.ChoiceField(
        label=_("Form"),
        required=False,
        choices=_blank(ContentForm.choices, _("Every form")),
        help_text=_("Empty counts every form."),
    )
    period = forms.ChoiceField(label=_("Period"), choices=ProductionTarget.Period.choices)
    count = forms.IntegerField(label=_("Number of items"), min_value=1, max_value=10000)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = calendar.calendar_units(user)  # type: ignore[attr-defined]


class ElectionForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=ElectionKind.choices)
    unit = UnitChoiceField(
        label=_("Organising unit"),
        required=False,
        queryset=WorkUnit.objects.none(),
        empty_label=_("— National (every unit) —"),
        help_text=_("Empty for a national election; only national staff may choose it."),
    )
    voting_day = forms.DateField(label=_("Voting day"), required=False, widget=DATE_INPUT)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit = self.fields["unit"]
        unit.queryset = calendar.calendar_units(user)  # type: ignore[attr-defined]
        if not calendar.is_national_staff(user):
            unit.required = True
            unit.empty_label = None  # type: ignore[attr-defined]
            unit.help_text = _("The work unit that organises this Pemilihan.")

    def clean_voting_day(self) -> dt.date | None:
        return _check_year(self.cleaned_data.get("voting_day"))

    @classmethod
    def initial_for(cls, election: Election) -> dict[str, Any]:
        return {
            "name": election.name,
            "kind": election.kind,
            "unit": election.unit_id,
            "voting_day": election.voting_day,
            "is_active": election.is_active,
        }


class StageForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Stage"), max_length=200)
    starts_on = forms.DateField(label=_("Starts"), widget=DATE_INPUT)
    ends_on = forms.DateField(label=_("Ends"), widget=DATE_INPUT)
    restricts_publishing = forms.BooleanField(
        label=_("Restricts publishing (quiet period, masa tenang)"), required=False
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def clean_starts_on(self) -> dt.date | None:
        return _check_year(self.cleaned_data.get("starts_on"))

    def clean_ends_on(self) -> dt.date | None:
        return _check_year(self.cleaned_data.get("ends_on"))

    @classmethod
    def initial_for(cls, stage: ElectionStage) -> dict[str, Any]:
        return {
            "name": stage.name,
            "starts_on": stage.starts_on,
            "ends_on": stage.ends_on,
            "restricts_publishing": stage.restricts_publishing,
            "note": stage.note,
        }
