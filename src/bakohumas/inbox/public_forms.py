"""Forms of the public inbox pages: the contact form (question, feedback, complaint) and
the hoax report. They only shape and check input; the views hand it to
``inbox.services.ingest``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from bakohumas.core import abuse
from bakohumas.inbox.models import ThreadKind
from bakohumas.stakeholders.validation import normalise_email, normalise_phone

MAX_MESSAGE = 5000
MAX_ATTACHMENT = abuse.MAX_ATTACHMENT_SIZE
ACCEPT_IMAGE = "image/jpeg,image/png,image/webp,image/gif"
ACCEPT_IMAGE_PDF = ACCEPT_IMAGE + ",application/pdf"

CONTACT_KINDS = [
    (ThreadKind.QUESTION.value, _("A question")),
    (ThreadKind.FEEDBACK.value, _("Feedback or a suggestion")),
    (ThreadKind.COMPLAINT.value, _("A complaint")),
]

# Where a hoax was seen: the stored value is the platform's name (not translated).
SEEN_ON_OTHER = "other"
SEEN_ON = [
    ("WhatsApp", "WhatsApp"),
    ("Facebook", "Facebook"),
    ("Instagram", "Instagram"),
    ("X", "X (Twitter)"),
    ("TikTok", "TikTok"),
    ("YouTube", "YouTube"),
    ("Website", _("A website")),
    (SEEN_ON_OTHER, _("Somewhere else")),
]


def _text(label: Any, *, max_length: int, required: bool = True, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        error_messages={"required": _("This field is required.")},
        **kwargs,
    )


def _message_field(label: Any, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=MAX_MESSAGE,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 8, "maxlength": MAX_MESSAGE}),
        error_messages={
            "required": _("Write your message."),
            "max_length": _(
                "The message is too long: at most %(limit_value)d characters "
                "(it has %(show_value)d)."
            ),
        },
    )


def _consent_field() -> forms.BooleanField:
    return forms.BooleanField(
        label=_("I have read the privacy notice and agree that my data is used to answer me."),
        error_messages={"required": _("Please agree to the privacy notice to send the form.")},
    )


class PublicForm(forms.Form):
    """A public form; its file fields are checked by content (see ``core.abuse``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean_email(self) -> str:
        value = self.cleaned_data.get("email") or ""
        try:
            return normalise_email(value)
        except ValidationError as exc:
            raise ValidationError(_("Enter a valid email address.")) from exc

    def clean_phone(self) -> str:
        return normalise_phone(self.cleaned_data.get("phone") or "")

    def _checked_file(self, name: str, kinds: tuple[str, ...]) -> abuse.CheckedFile | None:
        upload = self.cleaned_data.get(name)
        if not upload:
            return None
        return abuse.check_upload(upload, kinds=kinds, max_size=MAX_ATTACHMENT)


class ContactForm(PublicForm):
    kind = forms.ChoiceField(
        label=_("What would you like to send?"),
        choices=CONTACT_KINDS,
        initial=ThreadKind.QUESTION.value,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what you are sending.")},
    )
    name = _text(
        _("Your name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(
        label=_("Your email address"),
        max_length=254,
        help_text=_("We send the answer to this address."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": _("Enter your email address: the answer is sent there."),
            "invalid": _("Enter a valid email address."),
        },
    )
    phone = _text(
        _("Phone or WhatsApp number (optional)"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    subject = _text(_("Subject"), max_length=200)
    message = _message_field(_("Your message"))
    attachment = forms.FileField(
        label=_("Attachment (optional)"),
        required=False,
        help_text=_("An image (JPEG, PNG, WebP, GIF) or a PDF, at most 5 MB."),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp,image/gif,application/pdf"}
        ),
    )
    consent = _consent_field()

    def clean_attachment(self) -> abuse.CheckedFile | None:
        return self._checked_file("attachment", (abuse.IMAGE, abuse.PDF))


class HoaxReportForm(PublicForm):
    claim = _message_field(
        _("What does the claim say?"),
        help_text=_("Copy the text of the message or post, or describe what it shows."),
    )
    link = forms.URLField(
        label=_("Link to the claim (optional)"),
        max_length=1000,
        required=False,
        assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"])],
        error_messages={"invalid": _("Enter a full web address (https://…).")},
    )
    seen_on = forms.ChoiceField(
        label=_("Where did you see it?"),
        choices=SEEN_ON,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose where you saw it.")},
    )
    seen_on_other = _text(
        _("Where else? (when you chose “Somewhere else”)"), max_length=150, required=False
    )
    screenshot = forms.FileField(
        label=_("Screenshot (optional)"),
        required=False,
        help_text=_("An image (JPEG, PNG, WebP, GIF), at most 5 MB."),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}
        ),
    )
    name = _text(
        _("Your name (optional)"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Your email address (optional)"),
        max_length=254,
        required=False,
        help_text=_("Give it if you would like to hear what we found."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"invalid": _("Enter a valid email address.")},
    )
    consent = _consent_field()

    def clean_screenshot(self) -> abuse.CheckedFile | None:
        return self._checked_file("screenshot", (abuse.IMAGE,))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        if data.get("seen_on") == SEEN_ON_OTHER and not data.get("seen_on_other"):
            self.add_error("seen_on_other", _("Say where you saw it."))
        return data

    @staticmethod
    def seen_on_of(data: dict[str, Any]) -> str:
        """What is stored as ``Thread.seen_on``: the platform (with the visitor's words, if
        any), or only the visitor's words for "somewhere else"."""
        choice = data.get("seen_on") or ""
        other = (data.get("seen_on_other") or "").strip()
        if choice == SEEN_ON_OTHER:
            return other
        return f"{choice}: {other}" if other else choice
