"""The upload form and the upload handler that refuses an oversized file early."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from bakohumas.core.models import WorkUnit
from bakohumas.core.scoping import user_unit
from bakohumas.core.widgets import FastSelect
from bakohumas.imports.models import DuplicatePolicy, ImportKind
from bakohumas.imports.parsing import SpreadsheetError, detect_format

TOO_LARGE_ATTR = "_import_file_too_large"
ACCEPT = ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class SizeLimitUploadHandler(FileUploadHandler):
    """Stops reading an uploaded file as soon as it passes ``IMPORT_MAX_FILE_SIZE``.

    The file is dropped (``SkipFile``) instead of being spooled to disk whole, and the
    request is marked so the form can say why.
    """

    def __init__(self, request: HttpRequest | None = None, limit: int | None = None) -> None:
        super().__init__(request)
        self.limit = limit if limit is not None else settings.IMPORT_MAX_FILE_SIZE

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        if self.content_length is not None and self.content_length > self.limit:
            self._refuse()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > self.limit:
            self._refuse()
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None

    def _refuse(self) -> None:
        if self.request is not None:
            setattr(self.request, TOO_LARGE_ATTR, True)
        raise SkipFile


def too_large_message() -> str:
    return str(
        _("The file is larger than %(size)s. Split it into smaller files.")
        % {"size": filesizeformat(settings.IMPORT_MAX_FILE_SIZE)}
    )


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What to import"),
        choices=ImportKind.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    unit = forms.ModelChoiceField(
        label=_("Into work unit"),
        queryset=WorkUnit.objects.none(),
        widget=FastSelect(attrs={"class": "form-select"}),
        help_text=_("Organisations and contacts without an organisation belong to this unit."),
    )
    duplicate_policy = forms.ChoiceField(
        label=_("Rows that match an existing record"),
        choices=DuplicatePolicy.choices,
        initial=DuplicatePolicy.UPDATE,
        widget=forms.Select(attrs={"class": "form-select"}),
        help_text=_(
            "Contacts match by phone, WhatsApp number or email; organisations by "
            "name within the work unit. An update fills in the values given in the "
            "file and adds its tags; empty cells change nothing."
        ),
    )
    file = forms.FileField(
        label=_("Spreadsheet (.csv or .xlsx)"),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ACCEPT}),
    )

    def __init__(
        self, *args: Any, user: Any, request: HttpRequest | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        units = WorkUnit.objects.for_user(user).filter(is_active=True).order_by("code")
        unit_field = self.fields["unit"]
        assert isinstance(unit_field, forms.ModelChoiceField)
        unit_field.queryset = units
        own = user_unit(user)
        if own is not None and not self.is_bound:
            self.initial.setdefault("unit", own.pk)
        limit = filesizeformat(settings.IMPORT_MAX_FILE_SIZE)
        self.fields["file"].help_text = _(
            "At most %(size)s. The first row holds the column names; download a template below."
        ) % {"size": limit}
        self.fields["file"].widget.attrs["data-max-size"] = str(settings.IMPORT_MAX_FILE_SIZE)
        self.fields["file"].widget.attrs["data-too-large"] = too_large_message()

    def full_clean(self) -> None:
        super().full_clean()
        if self.request is not None and getattr(self.request, TOO_LARGE_ATTR, False):
            # The handler dropped the file: say why instead of "This field is required".
            self.errors.pop("file", None)
            self.add_error("file", too_large_message())

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_FILE_SIZE:
            raise forms.ValidationError(too_large_message())
        try:
            detect_format(upload.file, upload.name or "")
        except SpreadsheetError as exc:
            raise forms.ValidationError(str(exc)) from exc
        upload.seek(0)
        return upload
