"""Forms of the staff PPID pages.

Forms shape and display input; the rules live in ``services`` (the views call the service
with ``cleaned_data`` and put a ``PpidError`` back on the form with :func:`add_error`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bakohumas.core.forms import style_widgets
from bakohumas.core.models import WorkUnit
from bakohumas.core.scoping import can_see_unit, user_unit
from bakohumas.inbox.models import Channel
from bakohumas.ppid import services
from bakohumas.ppid.models import (
    CopyMethod,
    Decision,
    ExemptionGround,
    IdentityType,
    ObjectionDecision,
    ObjectionReason,
    ObjectionStatus,
    ReceiveMethod,
    RequesterKind,
    RequestStatus,
    RuleSet,
)

PER_PAGE_CHOICES = (25, 50, 100)
MAX_ANSWER_FILE_SIZE = int(getattr(settings, "PPID_MAX_ANSWER_FILE_SIZE", 20 * 1024 * 1024))
ANSWER_FILE_TYPES: tuple[str, ...] = (
    ".pdf",
    ".doc",
    ".docx",
    ".odt",
    ".xls",
    ".xlsx",
    ".ods",
    ".csv",
    ".zip",
    ".jpg",
    ".jpeg",
    ".png",
)


def add_error(form: forms.BaseForm, exc: services.PpidError) -> None:
    """Put a service's refusal on the form: on its field when the form has it."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, str(exc))


def _blank(choices: Any, label: Any = "—") -> list[tuple[str, Any]]:
    return [("", label), *list(choices)]


class _Styled(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self)

    def value(self, name: str, default: Any = None) -> Any:
        """The cleaned value of a filter, or ``default`` when invalid or empty."""
        if not self.is_bound:
            return default
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        value = self.cleaned_data.get(name) if hasattr(self, "cleaned_data") else None
        return default if value in (None, "") else value


def scope_units(user: Any) -> Any:
    return WorkUnit.objects.for_user(user).filter(is_active=True).order_by("code")


def _year_choices() -> list[tuple[str, str]]:
    this_year = timezone.localdate().year
    return [("", "—")] + [(str(y), str(y)) for y in range(this_year, 2017, -1)]


class RequestFilterForm(_Styled):
    """The filters of the request register (GET)."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    unit = forms.ModelChoiceField(
        label=_("Work unit"), queryset=WorkUnit.objects.none(), required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=_blank(RequestStatus.choices), required=False
    )
    rule_set = forms.ChoiceField(
        label=_("Rule set"), choices=_blank(RuleSet.choices), required=False
    )
    decision = forms.ChoiceField(
        label=_("Decision"), choices=_blank(Decision.choices), required=False
    )
    year = forms.TypedChoiceField(
        label=_("Year"), choices=(), coerce=int, empty_value=None, required=False
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    due_within = forms.IntegerField(
        label=_("Due within (days)"), min_value=0, max_value=366, required=False
    )
    per_page = forms.TypedChoiceField(
        label=_("Per page"),
        choices=[(n, n) for n in PER_PAGE_CHOICES],
        coerce=int,
        required=False,
        empty_value=PER_PAGE_CHOICES[0],  # type: ignore[arg-type]
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = scope_units(user)  # type: ignore[attr-defined]
        self.fields["year"].choices = _year_choices()  # type: ignore[attr-defined]


class ObjectionFilterForm(_Styled):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    unit = forms.ModelChoiceField(
        label=_("Work unit"), queryset=WorkUnit.objects.none(), required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=_blank(ObjectionStatus.choices), required=False
    )
    year = forms.TypedChoiceField(
        label=_("Year"), choices=(), coerce=int, empty_value=None, required=False
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = scope_units(user)  # type: ignore[attr-defined]
        self.fields["year"].choices = _year_choices()  # type: ignore[attr-defined]


class StatsForm(_Styled):
    year = forms.TypedChoiceField(label=_("Year"), choices=(), coerce=int, required=False)
    unit = forms.ModelChoiceField(
        label=_("Work unit"), queryset=WorkUnit.objects.none(), required=False
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = scope_units(user)  # type: ignore[attr-defined]
        self.fields["year"].choices = _year_choices()[1:]  # type: ignore[attr-defined]


class StaffRequestForm(_Styled):
    """A request received in person or by letter, registered by staff (channel "staff")."""

    unit = forms.ModelChoiceField(label=_("Work unit"), queryset=WorkUnit.objects.none())
    rule_set = forms.ChoiceField(
        label=_("Rule set"), choices=RuleSet.choices, initial=RuleSet.PERKI
    )
    received_at = forms.DateTimeField(
        label=_("Received"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("In the unit's time zone; empty: now."),
    )
    requester_kind = forms.ChoiceField(label=_("Requester"), choices=RequesterKind.choices)
    name = forms.CharField(label=_("Name"), max_length=200)
    identity_type = forms.ChoiceField(label=_("Identity document"), choices=IdentityType.choices)
    identity_number = forms.CharField(label=_("Identity number"), max_length=40)
    address = forms.CharField(label=_("Address"), widget=forms.Textarea(attrs={"rows": 2}))
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    occupation = forms.CharField(label=_("Occupation"), max_length=120, required=False)
    information = forms.CharField(
        label=_("Information requested"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )
    purpose = forms.CharField(
        label=_("Purpose"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    receive_method = forms.ChoiceField(label=_("How to receive it"), choices=ReceiveMethod.choices)
    copy_method = forms.ChoiceField(
        label=_("How to get a copy"), choices=_blank(CopyMethod.choices), required=False
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["unit"].queryset = scope_units(user)  # type: ignore[attr-defined]
        own = user_unit(user)
        if own is not None:
            self.fields["unit"].initial = own.pk

    def clean_identity_number(self) -> str:
        number = self.cleaned_data.get("identity_number", "")
        try:
            return services.clean_identity(self.data.get("identity_type") or "nik", number)
        except ValidationError as exc:
            raise ValidationError(exc.messages[0], code="identity") from exc

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        unit = cleaned.get("unit")
        received = cleaned.get("received_at")
        if unit is not None and isinstance(received, datetime):
            # The browser sends wall-clock time: it is the unit's, not the server's.
            local = timezone.make_naive(received) if timezone.is_aware(received) else received
            received = local.replace(tzinfo=unit.zone)
            if received > timezone.now() + timedelta(minutes=5):
                self.add_error("received_at", _("The request cannot be received in the future."))
            cleaned["received_at"] = received
        if cleaned.get("receive_method") == ReceiveMethod.VIEW:
            cleaned["copy_method"] = ""
        return cleaned

    def service_data(self) -> dict[str, Any]:
        skip = {"unit", "received_at"}
        return {k: v for k, v in self.cleaned_data.items() if k not in skip}


class AssignForm(_Styled):
    assignee: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Officer"), queryset=None, required=False, empty_label=_("Nobody")
    )

    def __init__(self, *args: Any, request: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = officer_queryset(request)  # type: ignore[attr-defined]
        self.fields["assignee"].label_from_instance = lambda u: (  # type: ignore[attr-defined]
            u.get_full_name() or u.get_username()
        )


def officer_queryset(request: Any) -> Any:
    """Active staff of the request's unit and the units above it who handle requests."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    from bakohumas.core.models import Role

    unit = request.unit
    above = [unit.pk]
    if unit.parent_id:
        above.append(unit.parent_id)
    if unit.province_id:
        above.append(unit.province_id)
    national = WorkUnit.objects.filter(level="national").values_list("pk", flat=True)
    return (
        get_user_model()
        .objects.filter(
            is_active=True, profile__role__in=[Role.EDITOR, Role.COORDINATOR, Role.ADMINISTRATOR]
        )
        .filter(Q(profile__unit_id__in=above) | Q(profile__unit_id__in=list(national)))
        .order_by("first_name", "last_name", "username")
    )


class NoteForm(_Styled):
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )


class IncompleteForm(_Styled):
    note = forms.CharField(
        label=_("What is missing"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        help_text=_("Sent to the requester."),
    )


class CompleteForm(_Styled):
    note = forms.CharField(
        label=_("What the requester supplied"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=4000,
        required=False,
    )


class ExtendForm(_Styled):
    reason = forms.CharField(
        label=_("Reason for the extension"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        help_text=_("Sent to the requester (UU 14/2008 art. 22(8))."),
    )


class DecideForm(_Styled):
    decision = forms.ChoiceField(label=_("Decision"), choices=_blank(Decision.choices))
    answer = forms.CharField(
        label=_("Answer"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        max_length=20000,
    )
    answer_file = forms.FileField(label=_("Answer document"), required=False)
    exemption_ground = forms.ChoiceField(
        label=_("Exemption ground (art. 17)"),
        choices=_blank(ExemptionGround.choices),
        required=False,
    )
    consequence_test = forms.CharField(
        label=_("Consequence test"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=10000,
        help_text=_("The harm that disclosing the information would cause."),
    )
    redirected_to = forms.CharField(label=_("Redirected to"), required=False, max_length=255)
    fee = forms.IntegerField(
        label=_("Copying fee (Rp)"), min_value=0, max_value=10**11, initial=0, required=False
    )

    # Which decisions show which field (read by static/bakohumas/ppid.js).
    SHOW_FOR = {
        "answer": "granted partly_granted refused not_held redirected",
        "answer_file": "granted partly_granted",
        "exemption_ground": "refused partly_granted",
        "consequence_test": "refused partly_granted",
        "redirected_to": "redirected",
        "fee": "granted partly_granted",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, decisions in self.SHOW_FOR.items():
            self.fields[name].widget.attrs["data-show-for"] = decisions
        self.fields["decision"].widget.attrs["data-decision-select"] = ""

    def clean_answer_file(self) -> Any:
        upload = self.cleaned_data.get("answer_file")
        if not upload:
            return None
        name = (upload.name or "").lower()
        if not name.endswith(ANSWER_FILE_TYPES):
            raise ValidationError(_("Attach a PDF, office document, spreadsheet, ZIP or image."))
        if upload.size > MAX_ANSWER_FILE_SIZE:
            raise ValidationError(
                _("The document is larger than %(size)s MB.")
                % {"size": MAX_ANSWER_FILE_SIZE // (1024 * 1024)}
            )
        return upload


class ObjectionForm(_Styled):
    reason = forms.ChoiceField(
        label=_("Reason (art. 35(1))"), choices=_blank(ObjectionReason.choices)
    )
    statement = forms.CharField(
        label=_("The objection"), widget=forms.Textarea(attrs={"rows": 4}), max_length=10000
    )


class ObjectionDecisionForm(_Styled):
    decision = forms.ChoiceField(label=_("Decision"), choices=_blank(ObjectionDecision.choices))
    response = forms.CharField(
        label=_("Response of the superior"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=20000,
    )


def can_act(user: Any, request: Any) -> bool:
    return bool(
        user.has_perm("ppid.change_informationrequest") and can_see_unit(user, request.unit_id)
    )


def channel_label(value: str) -> str:
    try:
        return str(Channel(value).label)
    except ValueError:
        return value
