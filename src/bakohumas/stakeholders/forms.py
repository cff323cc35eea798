"""Forms of the stakeholder workspace.

Forms only shape and display input; the rules live in ``services`` (the views call the
service with ``cleaned_data`` and copy its ``ValidationError`` back onto the form with
:func:`apply_errors`). Uniqueness is the services' business, so the model forms skip
Django's own unique/constraint checks.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from bakohumas.core.forms import style_widgets
from bakohumas.core.models import WorkUnit
from bakohumas.core.scoping import user_unit
from bakohumas.stakeholders.models import (
    Audience,
    Category,
    Channel,
    CommunicationGroup,
    ConsentMethod,
    ConsentStatus,
    Contact,
    Engagement,
    EngagementKind,
    MemberRole,
    Organisation,
    Platform,
)
from bakohumas.stakeholders.selectors import CONSENT_NONE
from bakohumas.stakeholders.validation import normalise_phone

PER_PAGE_CHOICES = (25, 50, 100)


def _style(form: forms.BaseForm) -> None:
    """Give every widget its Bootstrap class."""
    style_widgets(form)


def apply_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Copy a service's ``ValidationError`` onto ``form`` (unknown fields: non-field)."""
    if hasattr(exc, "error_dict"):
        for field, messages in exc.message_dict.items():
            target = field if field in form.fields else None
            for message in messages:
                form.add_error(target, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def unit_choices_queryset(user: Any) -> Any:
    return WorkUnit.objects.for_user(user).filter(is_active=True).order_by("code")


class _ContactPointChecks:
    """Check numbers and emails in the form too, so every error shows at once (the
    services normalise and check them again)."""

    cleaned_data: dict[str, Any]

    def _phone(self, name: str) -> str:
        value = self.cleaned_data.get(name, "")
        normalise_phone(value)
        return str(value or "")

    def clean_phone(self) -> str:
        return self._phone("phone")

    def clean_whatsapp(self) -> str:
        return self._phone("whatsapp")


class _NoUniqueCheck:
    """Skip the model's unique and constraint checks: the services check them with
    messages on the right field (and the database constraints stay as the last guard)."""

    instance: Any

    def validate_unique(self) -> None:
        return None

    def _post_clean(self) -> None:
        self.instance.validate_constraints = lambda *args, **kwargs: None
        try:
            super()._post_clean()  # type: ignore[misc]
        finally:
            del self.instance.validate_constraints


class OrganisationForm(_ContactPointChecks, _NoUniqueCheck, forms.ModelForm):
    """Create/edit an organisation."""

    website = forms.URLField(
        label=_("Website"), required=False, max_length=200, assume_scheme="https"
    )
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=1000,
        help_text=_("Separate tags with commas, for example: media, pemilu 2024."),
    )

    class Meta:
        model = Organisation
        fields = [
            "name",
            "category",
            "unit",
            "city",
            "address",
            "phone",
            "email",
            "website",
            "facebook",
            "instagram",
            "x_account",
            "youtube",
            "tiktok",
            "notes",
            "is_active",
        ]
        widgets = {
            "address": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "phone": _("Any Indonesian format, for example (0541) 741234."),
            "facebook": _("A page address or account name."),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_field = self.fields["unit"]
        unit_field.queryset = unit_choices_queryset(user)  # type: ignore[attr-defined]
        unit_field.empty_label = None  # type: ignore[attr-defined]
        if not self.instance.pk:
            unit_field.initial = user_unit(user)
        else:
            self.fields["tags"].initial = ", ".join(t.name for t in self.instance.tags.all())
        _style(self)


class ContactForm(_ContactPointChecks, _NoUniqueCheck, forms.ModelForm):
    """Create/edit a contact. The organisation select only renders the chosen option; the
    page fills it from a search (``organisation_options``)."""

    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=1000,
        help_text=_("Separate tags with commas."),
    )

    class Meta:
        model = Contact
        fields = [
            "name",
            "organisation",
            "unit",
            "position",
            "phone",
            "whatsapp",
            "email",
            "preferred_channel",
            "notes",
            "is_active",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "unit": _(
                "Ignored when an organisation is chosen: the contact belongs to the "
                "organisation's unit."
            ),
            "phone": _("Any Indonesian format, for example 0812-3456-7890."),
            "whatsapp": _("Any Indonesian format, for example 0812-3456-7890."),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        org_field = self.fields["organisation"]
        org_field.queryset = Organisation.objects.for_user(user)  # type: ignore[attr-defined]
        unit_field = self.fields["unit"]
        unit_field.queryset = unit_choices_queryset(user)  # type: ignore[attr-defined]
        unit_field.empty_label = None  # type: ignore[attr-defined]
        if not self.instance.pk:
            unit_field.initial = user_unit(user)
        else:
            self.fields["tags"].initial = ", ".join(t.name for t in self.instance.tags.all())
        if "allow_duplicate" in self.data:
            self.offer_duplicate_override()
        _style(self)
        self._limit_organisation_choices()

    def offer_duplicate_override(self) -> None:
        """Show the "save anyway" checkbox (after a duplicate number/email was refused)."""
        if "allow_duplicate" not in self.fields:
            self.fields["allow_duplicate"] = forms.BooleanField(
                label=_("Save anyway: these are different people sharing a number or email"),
                required=False,
                widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
            )

    def _limit_organisation_choices(self) -> None:
        """Render only the current organisation (a national scope has ~50,000)."""
        field = self.fields["organisation"]
        current: Any = None
        if self.is_bound:
            value = self.data.get(self.add_prefix("organisation"))
            if value and str(value).isdigit():
                current = Organisation.objects.for_user(self.user).filter(pk=value).first()
        elif self.initial.get("organisation"):
            initial = self.initial["organisation"]
            current = (
                initial
                if isinstance(initial, Organisation)
                else Organisation.objects.for_user(self.user).filter(pk=initial).first()
            )
        elif self.instance.pk and self.instance.organisation_id:
            current = self.instance.organisation
        choices: list[tuple[Any, str]] = [("", str(_("— none —")))]
        if current is not None:
            choices.append((current.pk, f"{current.name} ({current.unit.code})"))
        field.widget.choices = choices  # type: ignore[attr-defined]
        field.widget.attrs["data-organisation-select"] = "1"


class GroupForm(_NoUniqueCheck, forms.ModelForm):
    """Create/edit a communication group."""

    invite_link = forms.URLField(
        label=_("Invite link"),
        required=False,
        max_length=200,
        assume_scheme="https",
        help_text=_("For example https://chat.whatsapp.com/…"),
    )

    class Meta:
        model = CommunicationGroup
        fields = [
            "name",
            "platform",
            "audience",
            "unit",
            "purpose",
            "rules",
            "invite_link",
            "is_active",
        ]
        widgets = {
            "purpose": forms.Textarea(attrs={"rows": 3}),
            "rules": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_field = self.fields["unit"]
        unit_field.queryset = unit_choices_queryset(user)  # type: ignore[attr-defined]
        unit_field.empty_label = None  # type: ignore[attr-defined]
        unit_field.label = _("Administering unit")
        if not self.instance.pk:
            unit_field.initial = user_unit(user)
        _style(self)


class EngagementForm(forms.ModelForm):
    """A new entry of an organisation's engagement log."""

    class Meta:
        model = Engagement
        fields = ["kind", "occurred_at", "subject", "contact", "notes", "attachment"]
        widgets = {
            "occurred_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        contact_field = self.fields["contact"]
        contact_field.queryset = (  # type: ignore[attr-defined]
            organisation.contacts.filter(merged_into__isnull=True).order_by("name")
        )
        self.fields["occurred_at"].required = False
        self.initial["occurred_at"] = None  # empty means "now" (in the unit's zone)
        self.fields["occurred_at"].help_text = _("Leave empty for now.")
        self.fields["kind"].initial = EngagementKind.MEETING
        _style(self)

    def _post_clean(self) -> None:  # the service validates and builds the entry
        return None


class ConsentForm(forms.Form):
    """Grant or withdraw consent for one channel (the clicked button gives ``status``)."""

    channel = forms.ChoiceField(choices=Channel.choices, widget=forms.HiddenInput)
    status = forms.ChoiceField(choices=ConsentStatus.choices)
    method = forms.ChoiceField(label=_("How"), choices=ConsentMethod.choices)
    evidence = forms.CharField(
        label=_("Evidence or note"),
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"placeholder": _("Evidence or note")}),
    )
    at = forms.DateTimeField(
        label=_("When"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)
        self.fields["method"].widget.attrs["class"] += " form-select-sm"
        self.fields["evidence"].widget.attrs["class"] += " form-control-sm"
        self.fields["at"].widget.attrs["class"] += " form-control-sm"


class MemberForm(forms.Form):
    """Add a staff member or a contact to a group."""

    user = forms.IntegerField(required=False, widget=forms.HiddenInput)
    contact = forms.IntegerField(required=False, widget=forms.HiddenInput)
    role = forms.ChoiceField(label=_("Role"), choices=MemberRole.choices, initial=MemberRole.MEMBER)


# --- list filters -----------------------------------------------------------------------

ACTIVE_CHOICES = [
    ("1", _("Active")),
    ("0", _("Inactive")),
    ("all", _("All")),
]


class _FilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    per_page = forms.ChoiceField(  # display only: the views read ?per_page= (1 to 100)
        label=_("Per page"),
        required=False,
        choices=[(str(n), str(n)) for n in PER_PAGE_CHOICES],
    )
    active = forms.ChoiceField(label=_("Status"), required=False, choices=ACTIVE_CHOICES)
    sort = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "unit" in self.fields:
            self.fields["unit"].queryset = unit_choices_queryset(user)  # type: ignore[attr-defined]
        _style(self)
        for field in self.fields.values():
            css = field.widget.attrs.get("class", "")
            if "form-select" in css:
                field.widget.attrs["class"] = css + " form-select-sm"
            elif "form-control" in css:
                field.widget.attrs["class"] = css + " form-control-sm"

    def value(self, name: str, default: Any = "") -> Any:
        """A cleaned filter value, or ``default`` when missing or invalid."""
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        if name in self.errors:
            return default
        value = self.cleaned_data.get(name)
        return default if value in (None, "") else value

    def active_value(self) -> bool | None:
        value = self.value("active", "1")
        return None if value == "all" else value == "1"


class OrganisationFilterForm(_FilterForm):
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("All categories")), *Category.choices]
    )
    unit = forms.ModelChoiceField(
        label=_("Work unit"),
        required=False,
        queryset=WorkUnit.objects.none(),
        empty_label=_("All work units"),
    )
    tag = forms.CharField(label=_("Tag"), required=False, max_length=64)


class ContactFilterForm(_FilterForm):
    organisation = forms.IntegerField(required=False, widget=forms.HiddenInput)
    unit = forms.ModelChoiceField(
        label=_("Work unit"),
        required=False,
        queryset=WorkUnit.objects.none(),
        empty_label=_("All work units"),
    )
    tag = forms.CharField(label=_("Tag"), required=False, max_length=64)
    consent_channel = forms.ChoiceField(
        label=_("Consent channel"),
        required=False,
        choices=[("", _("Any channel")), *Channel.choices],
    )
    consent_status = forms.ChoiceField(
        label=_("Consent"),
        required=False,
        choices=[
            ("", _("Granted")),
            (ConsentStatus.WITHDRAWN, _("Withdrawn")),
            (CONSENT_NONE, _("Not recorded")),
        ],
    )
    preferred_channel = forms.ChoiceField(
        label=_("Preferred channel"),
        required=False,
        choices=[("", _("Any")), *Channel.choices],
    )


class DuplicateFilterForm(_FilterForm):
    unit = forms.ModelChoiceField(
        label=_("Work unit"),
        required=False,
        queryset=WorkUnit.objects.none(),
        empty_label=_("All work units"),
    )


class GroupFilterForm(_FilterForm):
    platform = forms.ChoiceField(
        label=_("Platform"), required=False, choices=[("", _("All platforms")), *Platform.choices]
    )
    audience = forms.ChoiceField(
        label=_("Audience"), required=False, choices=[("", _("All audiences")), *Audience.choices]
    )
    unit = forms.ModelChoiceField(
        label=_("Work unit"),
        required=False,
        queryset=WorkUnit.objects.none(),
        empty_label=_("All work units"),
    )
