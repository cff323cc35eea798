"""Forms of the core app: filters, staff invitation and editing, roles, work units."""

from __future__ import annotations

from typing import Any

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from bakohumas.core.models import (
    Level,
    PranataHumasLevel,
    Role,
    StaffCategory,
    StaffProfile,
    TeamPosition,
    WorkUnit,
)
from bakohumas.core.widgets import FastSelect
from bakohumas.stakeholders.validation import normalise_phone


def style_widgets(form: forms.BaseForm) -> None:
    """Give every widget of ``form`` the Bootstrap class ``includes/form.html`` expects."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            css = "form-select"
            if type(widget) is forms.Select:
                widget.__class__ = FastSelect  # same HTML, no template per <option>
        else:
            css = "form-control"
        existing = widget.attrs.get("class", "")
        if css not in existing.split():
            widget.attrs["class"] = f"{existing} {css}".strip()


class BootstrapMixin:
    """Styles every widget for Bootstrap (see :func:`style_widgets`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self)  # type: ignore[arg-type]


def add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Put a service's ``ValidationError`` on the form: field errors where the form has
    the field, the rest as non-field errors."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} · {obj.name}"


def _blank(choices: Any, label: Any = None) -> list[tuple[str, Any]]:
    return [("", label or _("All")), *list(choices)]


PER_PAGE_CHOICES = [("25", "25"), ("50", "50"), ("100", "100")]


# --- Work units --------------------------------------------------------------------------


class UnitFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    level = forms.ChoiceField(label=_("Level"), required=False, choices=_blank(Level.choices))
    province = UnitChoiceField(
        label=_("Province"),
        required=False,
        queryset=WorkUnit.objects.none(),
        empty_label=_("All"),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("Name or code")
        self.fields["province"].queryset = WorkUnit.objects.for_user(user).filter(  # type: ignore[attr-defined]
            level=Level.PROVINCE
        )


class UnitForm(BootstrapMixin, forms.Form):
    address = forms.CharField(
        label=_("Address"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    phone = forms.CharField(label=_("Phone"), required=False, max_length=40)
    email = forms.EmailField(label=_("Email"), required=False)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        help_text=_("PNG, JPEG, GIF or WebP, at most 2 MB. It is stored as a PNG."),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/png,image/jpeg,image/gif,image/webp"}
        ),
    )
    remove_logo = forms.BooleanField(label=_("Remove the current logo"), required=False)

    def clean_phone(self) -> str:
        return normalise_phone(self.cleaned_data.get("phone"))


# --- People ------------------------------------------------------------------------------


ACTIVE_CHOICES = [
    ("yes", _("Active")),
    ("pending", _("Invitation pending")),
    ("no", _("Deactivated")),
    ("all", _("All")),
]


class StaffFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    unit = UnitChoiceField(
        label=_("Work unit"),
        required=False,
        queryset=WorkUnit.objects.none(),
        empty_label=_("All"),
    )
    role = forms.ChoiceField(label=_("Role"), required=False, choices=_blank(Role.choices))
    category = forms.ChoiceField(
        label=_("Staff category"), required=False, choices=_blank(StaffCategory.choices)
    )
    active = forms.ChoiceField(label=_("Status"), required=False, choices=ACTIVE_CHOICES)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("Name, username or email")
        self.fields["unit"].queryset = WorkUnit.objects.for_user(user)  # type: ignore[attr-defined]


class StaffProfileFieldsForm(BootstrapMixin, forms.Form):
    """The fields shared by the invitation and the edit form."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("Email"), max_length=254)
    unit = UnitChoiceField(label=_("Work unit"), queryset=WorkUnit.objects.none())
    category = forms.ChoiceField(
        label=_("Staff category"),
        required=False,
        choices=_blank(StaffCategory.choices, "—"),
    )
    pranata_level = forms.ChoiceField(
        label=_("Pranata Humas level"),
        required=False,
        choices=_blank(PranataHumasLevel.choices, "—"),
        help_text=_("Only for functional PR staff (Pranata Humas)."),
    )
    team_position = forms.ChoiceField(
        label=_("Bakohumas team position"),
        required=False,
        choices=[c for c in TeamPosition.choices if c[0] == ""]
        + [c for c in TeamPosition.choices if c[0] != ""],
    )
    job_title = forms.CharField(label=_("Job title"), max_length=200, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    whatsapp = forms.CharField(label=_("WhatsApp"), max_length=40, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = WorkUnit.objects.for_user(user)  # type: ignore[attr-defined]
        self.fields["phone"].widget.attrs["placeholder"] = "0812-3456-7890"
        self.fields["whatsapp"].widget.attrs["placeholder"] = "0812-3456-7890"

    def clean_phone(self) -> str:
        return normalise_phone(self.cleaned_data.get("phone"))

    def clean_whatsapp(self) -> str:
        return normalise_phone(self.cleaned_data.get("whatsapp"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("category") == StaffCategory.PRANATA_HUMAS and not data.get("pranata_level"):
            self.add_error("pranata_level", _("Choose the Pranata Humas level."))
        return data


class StaffInviteForm(StaffProfileFieldsForm):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        help_text=_("Letters, digits and @/./+/-/_ only."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.CONTRIBUTOR)

    field_order = [
        "username",
        "first_name",
        "last_name",
        "email",
        "unit",
        "role",
        "category",
        "pranata_level",
        "team_position",
        "job_title",
        "phone",
        "whatsapp",
    ]


class StaffEditForm(StaffProfileFieldsForm):
    @classmethod
    def initial_for(cls, profile: StaffProfile) -> dict[str, Any]:
        user = profile.user
        return {
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "unit": profile.unit_id,
            "category": profile.category,
            "pranata_level": profile.pranata_level,
            "team_position": profile.team_position,
            "job_title": profile.job_title,
            "phone": profile.phone,
            "whatsapp": profile.whatsapp,
        }


class RoleForm(BootstrapMixin, forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


# --- Audit log ---------------------------------------------------------------------------


def audited_content_types() -> list[ContentType]:
    models = sorted(auditlog.get_models(), key=lambda m: str(m._meta.verbose_name))
    types = ContentType.objects.get_for_models(*models)
    return [types[m] for m in models]


class AuditFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    actor = forms.CharField(label=_("Actor"), required=False, max_length=150)
    actor_id = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    model = forms.TypedChoiceField(
        label=_("Record type"), required=False, coerce=int, empty_value=None
    )
    action = forms.TypedChoiceField(
        label=_("Action"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=_blank(LogEntry.Action.choices),
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("Record or changed value")
        self.fields["actor"].widget.attrs["placeholder"] = _("Username or name")
        self.fields["model"].choices = _blank(  # type: ignore[attr-defined]
            (ct.pk, str(ct.model_class()._meta.verbose_name).capitalize())  # type: ignore[union-attr]
            for ct in audited_content_types()
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return data


class MailboxFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("Subject or recipient")


class LoginForm(BootstrapMixin, AuthenticationForm):
    """The log-in form with the workspace's styling."""
