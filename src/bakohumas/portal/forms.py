"""Forms of the staff agenda (``/app/agenda/``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bakohumas.core.forms import style_widgets
from bakohumas.core.models import WorkUnit
from bakohumas.core.scoping import user_unit
from bakohumas.portal.models import AgendaEvent

DATETIME_INPUT = "%Y-%m-%dT%H:%M"


def unit_choices(user: Any) -> Any:
    return WorkUnit.objects.for_user(user).filter(is_active=True).order_by("code")


class AgendaEventForm(forms.ModelForm):
    """Create/edit an agenda event. Times are entered as wall-clock time of the event's
    unit (WIB/WITA/WIT) and stored in UTC."""

    class Meta:
        model = AgendaEvent
        fields = ["unit", "title", "starts_at", "ends_at", "location", "description", "is_public"]
        widgets = {
            "starts_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format=DATETIME_INPUT
            ),
            "ends_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_INPUT),
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_field = self.fields["unit"]
        unit_field.queryset = unit_choices(user)  # type: ignore[attr-defined]
        unit_field.empty_label = None  # type: ignore[attr-defined]
        unit_field.help_text = _("Times are in this unit's time zone.")
        if self.instance.pk:
            unit = self.instance.unit
            for name in ("starts_at", "ends_at"):
                value = getattr(self.instance, name)
                if value is not None:
                    # Shown as the unit's wall-clock time (the widget shows naive values as-is).
                    self.initial[name] = unit.localtime(value).replace(tzinfo=None)
        else:
            unit_field.initial = user_unit(user)
        self.fields["description"].help_text = _("Plain text, shown on the public agenda.")
        style_widgets(self)

    def validate_unique(self) -> None:
        return None  # the service validates

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        unit = data.get("unit")
        if unit is not None:
            # The fields parsed the input in the server's zone; re-read it as the unit's.
            current = timezone.get_current_timezone()
            for name in ("starts_at", "ends_at"):
                value: datetime | None = data.get(name)
                if value is not None:
                    naive = timezone.make_naive(value, current)
                    data[name] = timezone.make_aware(naive, unit.zone)
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends < starts:
            self.add_error("ends_at", _("The event cannot end before it starts."))
        return data


class AgendaFilterForm(forms.Form):
    WHEN_CHOICES = [("upcoming", _("Upcoming")), ("past", _("Past")), ("all", _("All"))]

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    unit = forms.ModelChoiceField(
        label=_("Work unit"), queryset=WorkUnit.objects.none(), required=False
    )
    when = forms.ChoiceField(label=_("When"), choices=WHEN_CHOICES, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = unit_choices(user)  # type: ignore[attr-defined]
        self.fields["unit"].empty_label = _("All my units")  # type: ignore[attr-defined]
        style_widgets(self)

    def value(self, name: str, default: Any = "") -> Any:
        if not self.is_valid():
            return default
        return self.cleaned_data.get(name) or default
