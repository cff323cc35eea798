"""Forms of the public PPID pages: the information request, the tracking lookup and the
objection (keberatan) filed from the tracking page. They shape and check input; the views
call ``ppid.services``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from bakohumas.core import abuse
from bakohumas.ppid import services
from bakohumas.ppid.models import (
    CopyMethod,
    IdentityType,
    ObjectionReason,
    ReceiveMethod,
    RequesterKind,
    RuleSet,
)
from bakohumas.stakeholders.validation import normalise_email, normalise_phone

MAX_TEXT = 5000
REQUIRED = {"required": _("This field is required.")}

RULE_CHOICES = [
    (RuleSet.PERKI.value, _("Election information (PerKI 1/2019: answer within 3 working days)")),
    (RuleSet.UU14.value, _("Other public information (UU 14/2008: answer within 10 working days)")),
]


def _long_text(label: Any, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=MAX_TEXT,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": MAX_TEXT}),
        error_messages={
            **REQUIRED,
            "max_length": _("At most %(limit_value)d characters (it has %(show_value)d)."),
        },
    )


class PublicForm(forms.Form):
    """A form of the public pages: labels without a colon."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class RequestForm(PublicForm):
    """The public information request (permohonan informasi publik)."""

    requester_kind = forms.ChoiceField(
        label=_("I am requesting as"),
        choices=RequesterKind.choices,
        initial=RequesterKind.PERSON.value,
        widget=forms.RadioSelect,
        error_messages=REQUIRED,
    )
    name = forms.CharField(
        label=_("Name (of the person or the legal entity)"),
        max_length=200,
        error_messages=REQUIRED,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    identity_type = forms.ChoiceField(
        label=_("Identity document"),
        choices=IdentityType.choices,
        initial=IdentityType.NIK.value,
        error_messages=REQUIRED,
    )
    identity_number = forms.CharField(
        label=_("Identity number"),
        max_length=40,
        help_text=_("For an identity card: the 16-digit NIK."),
        error_messages=REQUIRED,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    address = forms.CharField(
        label=_("Address"),
        max_length=1000,
        error_messages=REQUIRED,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}),
    )
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        required=False,
        help_text=_("The register number, the secret code and the answer are sent here."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"invalid": _("Enter a valid email address.")},
    )
    phone = forms.CharField(
        label=_("Phone number"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    occupation = forms.CharField(label=_("Occupation (optional)"), max_length=120, required=False)
    identity_scan = forms.FileField(
        label=_("Scan of the identity document (optional)"),
        required=False,
        help_text=_("An image (JPEG, PNG, WebP, GIF) or a PDF, at most 5 MB."),
        widget=forms.FileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp,image/gif,application/pdf"}
        ),
    )
    information = _long_text(
        _("Information requested"),
        _("Describe the information as precisely as you can (document, period, subject)."),
    )
    purpose = _long_text(_("What the information is for"))
    receive_method = forms.ChoiceField(
        label=_("How you want to receive it"),
        choices=ReceiveMethod.choices,
        initial=ReceiveMethod.SOFTCOPY.value,
        widget=forms.RadioSelect,
        error_messages=REQUIRED,
    )
    copy_method = forms.ChoiceField(
        label=_("How you want to get a copy"),
        choices=[("", _("No copy needed")), *CopyMethod.choices],
        required=False,
        initial=CopyMethod.EMAIL.value,
    )
    rule_set = forms.ChoiceField(
        label=_("Kind of information"),
        choices=RULE_CHOICES,
        initial=RuleSet.PERKI.value,
        widget=forms.RadioSelect,
        help_text=_(
            "Information about elections follows the Information Commission's rule 1/2019 "
            "(shorter deadlines); other information follows the law 14/2008."
        ),
        error_messages=REQUIRED,
    )
    consent = forms.BooleanField(
        label=_(
            "I have read the privacy notice and agree that my data is used to handle this request."
        ),
        error_messages={"required": _("Please agree to the privacy notice to send the form.")},
    )

    def clean_email(self) -> str:
        try:
            return normalise_email(self.cleaned_data.get("email") or "")
        except ValidationError as exc:
            raise ValidationError(_("Enter a valid email address.")) from exc

    def clean_phone(self) -> str:
        return normalise_phone(self.cleaned_data.get("phone") or "")

    def clean_identity_scan(self) -> abuse.CheckedFile | None:
        upload = self.cleaned_data.get("identity_scan")
        if not upload:
            return None
        return abuse.check_upload(upload, kinds=(abuse.IMAGE, abuse.PDF), stem="identity")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        kind = data.get("identity_type")
        number = data.get("identity_number")
        if kind and number:
            try:
                data["identity_number"] = services.clean_identity(kind, number)
            except ValidationError as exc:
                self.add_error("identity_number", exc)
        if "email" in data and "phone" in data and not data["email"] and not data["phone"]:
            self.add_error(
                "email", _("Give an email address or a phone number, so we can answer you.")
            )
        return data

    def submit_data(self) -> dict[str, Any]:
        """The model fields for ``services.submit``."""
        data = self.cleaned_data
        fields = {
            name: data[name]
            for name in (
                "requester_kind",
                "name",
                "identity_type",
                "identity_number",
                "address",
                "email",
                "phone",
                "occupation",
                "information",
                "purpose",
                "receive_method",
                "copy_method",
                "rule_set",
            )
        }
        scan = data.get("identity_scan")
        if scan is not None:
            from django.core.files.base import ContentFile

            fields["identity_scan"] = ContentFile(scan.content, name=scan.name)
        return fields


class TrackForm(PublicForm):
    """The tracking lookup: register number and secret code."""

    register_number = forms.CharField(
        label=_("Register number"),
        max_length=64,
        help_text=_("For example PPID/64.72/2025/00012."),
        error_messages={"required": _("Enter the register number.")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    code = forms.CharField(
        label=_("Secret code"),
        max_length=40,
        error_messages={"required": _("Enter the secret code.")},
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class ObjectionForm(PublicForm):
    """An objection (keberatan) against the handling of a request (UU 14/2008 art. 35)."""

    reason = forms.ChoiceField(
        label=_("Reason of the objection"),
        choices=ObjectionReason.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the reason of the objection."),
            "invalid_choice": _("Choose one of the reasons shown."),
        },
    )
    statement = _long_text(_("Your objection"), _("Say what you object to and what you ask for."))

    def __init__(self, *args: Any, reasons: tuple[str, ...] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if reasons is not None:
            field = self.fields["reason"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [(v, label) for v, label in ObjectionReason.choices if v in reasons]
