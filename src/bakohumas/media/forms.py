"""Forms of the media library: upload, edit, list filter.

Forms only shape input; the rules (type by content, size limits, scope) live in
``services``, whose ``ValidationError`` the views copy back onto the form.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from bakohumas.core.forms import BootstrapMixin, UnitChoiceField
from bakohumas.core.models import WorkUnit
from bakohumas.core.scoping import user_unit, visible_unit_ids
from bakohumas.media import limits
from bakohumas.media.models import MediaAsset, MediaKind

ACCEPT = (
    "image/jpeg,image/png,image/webp,image/gif,video/mp4,video/webm,audio/mpeg,audio/mp4,"
    "audio/aac,audio/ogg,audio/wav,application/pdf,.pptx,.odp,"
    "application/vnd.openxmlformats-officedocument.presentationml.presentation,"
    "application/vnd.oasis.opendocument.presentation"
)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file field accepting several files (cleaned to a list)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            if not data and self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return [single(item, initial) for item in data]
        return [single(data, initial)]


def unit_queryset(user: Any) -> Any:
    return WorkUnit.objects.for_user(user).filter(is_active=True).order_by("code")


def limits_summary() -> str:
    sizes = limits.all_sizes()
    return str(
        _(
            "Images up to %(image)s, video %(video)s, audio %(audio)s, PDF %(pdf)s, "
            "slides %(slides)s. The type is read from the file's content."
        )
        % {kind: filesizeformat(size) for kind, size in sizes.items()}
    )


class MediaUploadForm(BootstrapMixin, forms.Form):
    """Upload one or more files into a work unit of the user's scope.

    The file input comes last so the other fields are parsed before a refused upload
    stops the request.
    """

    unit = UnitChoiceField(label=_("Work unit"), queryset=WorkUnit.objects.none())
    title = forms.CharField(label=_("Title"), required=False, max_length=200)
    alt_text = forms.CharField(
        label=_("Alternative text"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Describes the image for people who cannot see it. Required before an image is "
            "published; you can add it later."
        ),
    )
    caption = forms.CharField(label=_("Caption"), required=False, max_length=500)
    credit = forms.CharField(label=_("Credit"), required=False, max_length=200)
    upload = MultipleFileField(label=_("Files"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_field = self.fields["unit"]
        assert isinstance(unit_field, forms.ModelChoiceField)
        unit_field.queryset = unit_queryset(user)
        unit_field.empty_label = None
        own = user_unit(user)
        if own is not None and not self.is_bound:
            self.initial.setdefault("unit", own.pk)
        ids = visible_unit_ids(user)
        if ids is not None and len(ids) <= 1:
            unit_field.widget = forms.HiddenInput()
        upload = self.fields["upload"]
        upload.help_text = _(
            "One or more files (at most %(count)s at a time); the title, alternative text, "
            "caption and credit above apply to each. %(limits)s"
        ) % {"count": limits.MAX_FILES_PER_UPLOAD, "limits": limits_summary()}
        upload.widget.attrs.update(
            {
                "accept": ACCEPT,
                "class": "form-control",
                "data-media-limits": json.dumps(limits.all_sizes()),
                "data-media-max-total": str(limits.max_request_size()),
                "data-media-too-large": json.dumps(too_large_messages()),
            }
        )

    def full_clean(self) -> None:
        super().full_clean()
        # The unit is hidden for users of one unit: show its error where it can be seen.
        if self.fields["unit"].widget.is_hidden and "unit" in self.errors:
            for error in self.errors.pop("unit"):
                self.add_error(None, f"{self.fields['unit'].label}: {error}")

    def clean_upload(self) -> list[Any]:
        files = list(self.cleaned_data.get("upload") or [])
        if len(files) > limits.MAX_FILES_PER_UPLOAD:
            raise forms.ValidationError(
                _("Upload at most %(count)s files at a time.")
                % {"count": limits.MAX_FILES_PER_UPLOAD}
            )
        return files


def too_large_messages() -> dict[str, str]:
    """The browser's early-check messages per kind (and ``total`` for the whole upload)."""
    from bakohumas.media.services import too_large_message

    messages = {kind: too_large_message(kind) for kind in limits.SIZE_SETTINGS}
    messages["total"] = str(
        _("Together the files are larger than %(limit)s; upload them in several steps.")
        % {"limit": filesizeformat(limits.max_request_size())}
    )
    return messages


class MediaEditForm(BootstrapMixin, forms.ModelForm):
    """The texts of an asset."""

    class Meta:
        model = MediaAsset
        fields = ["title", "alt_text", "caption", "credit"]
        widgets = {
            "alt_text": forms.Textarea(attrs={"rows": 2}),
            "caption": forms.Textarea(attrs={"rows": 2}),
        }


class MediaFilterForm(BootstrapMixin, forms.Form):
    """Filters of the library list; the unit filter only for users who see several units."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All")), *MediaKind.choices]
    )
    unit = UnitChoiceField(
        label=_("Work unit"), required=False, queryset=WorkUnit.objects.none(), empty_label=_("All")
    )
    missing_alt = forms.BooleanField(label=_("Images without alternative text"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ids = visible_unit_ids(user)
        if ids is not None and len(ids) <= 1:
            del self.fields["unit"]
        else:
            unit_field = self.fields["unit"]
            assert isinstance(unit_field, forms.ModelChoiceField)
            unit_field.queryset = WorkUnit.objects.for_user(user).order_by("code")

    def filters(self) -> dict[str, Any]:
        """The valid filters (an invalid one is ignored; the form shows its error)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "q": data.get("q") or "",
            "kind": data.get("kind") or "",
            "unit": data.get("unit"),
            "missing_alt": bool(data.get("missing_alt")),
        }


class PickerFilterForm(forms.Form):
    """The picker's search (unit chosen by the embedding page)."""

    q = forms.CharField(required=False, max_length=100)
    kind = forms.ChoiceField(required=False, choices=[("", _("All")), *MediaKind.choices])
    unit = forms.IntegerField(required=False, min_value=1)
    page = forms.IntegerField(required=False, min_value=1)
