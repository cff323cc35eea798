"""Forms of the API token pages."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from bakohumas.api.services import NAME_MAX_LENGTH, clean_token_name


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=NAME_MAX_LENGTH,
        help_text=_("What the token is for, e.g. “Website sync” or “Report script”."),
        widget=forms.TextInput(attrs={"class": "form-control", "autofocus": True}),
    )

    def clean_name(self) -> str:
        try:
            return clean_token_name(self.cleaned_data.get("name"))
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["name"]) from exc
