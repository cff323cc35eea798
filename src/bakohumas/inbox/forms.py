"""Forms of the staff inbox.

Forms only shape and display input; every change of a thread goes through
``inbox.services`` (the views call the service with ``cleaned_data`` and show its
``InboxError`` on the form). The inbox settings, canned replies and hoax-case edits are
plain rows without rules of their own, so their forms save them (secrets encrypted).
"""

from __future__ import annotations

import secrets
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bakohumas.content.models import ContentForm, ContentItem
from bakohumas.core.forms import UnitChoiceField, style_widgets
from bakohumas.core.models import Role, WorkUnit
from bakohumas.dissemination import crypto
from bakohumas.inbox.models import (
    CannedReply,
    Channel,
    HoaxCase,
    HoaxCaseStatus,
    HoaxCategory,
    InboxSettings,
    Priority,
    ThreadKind,
    ThreadStatus,
)

MAX_REPLY_CHARS = 20_000
MAX_TAGS = 20
MAX_TAG_CHARS = 64

# How a filter value of the status field is read: "" (the default) hides resolved threads.
STATUS_ACTIVE = ""
STATUS_ALL = "all"
UNIT_OWN = ""
UNIT_ALL = "all"
BOX_MINE = "mine"
BOX_UNASSIGNED = "unassigned"

# Keys of the encrypted secrets of ``InboxSettings`` (read by the IMAP poller and the
# inbound email webhook): ``imap_secret_ciphertext`` → {"password": …},
# ``webhook_secret_ciphertext`` → {"secret": …}.
IMAP_SECRET_KEY = "password"
WEBHOOK_SECRET_KEY = "secret"


def _small(form: forms.BaseForm) -> None:
    style_widgets(form)
    for field in form.fields.values():
        css = field.widget.attrs.get("class", "")
        if "form-select" in css:
            field.widget.attrs["class"] = css + " form-select-sm"
        elif "form-control" in css:
            field.widget.attrs["class"] = css + " form-control-sm"


def _no_nul(value: str) -> str:
    return value.replace("\x00", "")


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        name = obj.get_full_name() or obj.username
        unit = getattr(getattr(obj, "profile", None), "unit", None)
        return f"{name} ({unit.code})" if unit is not None else str(name)


class ContentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.title} ({obj.get_status_display()})"


class HoaxCaseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"#{obj.pk} {obj.title} ({obj.get_status_display()})"


# --- the thread list ----------------------------------------------------------------------


class ThreadFilterForm(forms.Form):
    """The filters of the inbox list; invalid values fall back to their defaults."""

    unit = forms.ChoiceField(label=_("Work unit"), required=False)
    box = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[
            ("", _("All threads")),
            (BOX_MINE, _("Assigned to me")),
            (BOX_UNASSIGNED, _("Unassigned")),
        ],
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            (STATUS_ACTIVE, _("Not resolved")),
            (STATUS_ALL, _("All statuses")),
            *ThreadStatus.choices,
        ],
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *ThreadKind.choices]
    )
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("All channels")), *Channel.choices]
    )
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Any priority")), *[(str(v), label) for v, label in Priority.choices]],
    )
    tag = forms.ChoiceField(label=_("Topic"), required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    q = forms.CharField(label=_("Search"), required=False, max_length=200)

    def __init__(
        self,
        *args: Any,
        units: list[WorkUnit],
        own_unit: WorkUnit | None,
        tags: list[str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        own_label = _("My unit (%(code)s)") % {"code": own_unit.code} if own_unit else _("My unit")
        self.fields["unit"].choices = [  # type: ignore[attr-defined]
            (UNIT_OWN, own_label),
            (UNIT_ALL, _("All my units")),
            *[(str(u.pk), f"{u.code} · {u.name}") for u in units],
        ]
        tag_choices = [("", _("All topics")), *[(t, t) for t in tags]]
        self.fields["tag"].choices = tag_choices  # type: ignore[attr-defined]
        _small(self)

    def value(self, name: str, default: Any = "") -> Any:
        """A cleaned filter value, or ``default`` when missing or invalid."""
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        if name in self.errors:
            return default
        value = self.cleaned_data.get(name)
        return default if value in (None, "") else value


# --- a thread -----------------------------------------------------------------------------


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Reply"),
        max_length=MAX_REPLY_CHARS,
        widget=forms.Textarea(attrs={"rows": 6, "id": "reply-body"}),
    )
    canned = forms.ModelChoiceField(
        label=_("Canned reply"),
        required=False,
        queryset=CannedReply.objects.none(),
        empty_label=_("Insert a canned reply…"),
    )

    def __init__(self, *args: Any, canned_replies: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if canned_replies is not None:
            self.fields["canned"].queryset = canned_replies  # type: ignore[attr-defined]
        style_widgets(self)

    def clean_body(self) -> str:
        return _no_nul(self.cleaned_data["body"])


class NoteForm(forms.Form):
    body = forms.CharField(
        label=_("Internal note"),
        max_length=MAX_REPLY_CHARS,
        widget=forms.Textarea(attrs={"rows": 3, "id": "note-body"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self)

    def clean_body(self) -> str:
        return _no_nul(self.cleaned_data["body"])


def assignable_staff(unit: WorkUnit) -> Any:
    """Active staff (not viewers) of ``unit`` and of the units above it."""
    ids = [unit.pk]
    if unit.parent_id:
        ids.append(unit.parent_id)
    if unit.province_id and unit.province_id not in ids:
        ids.append(unit.province_id)
    national = WorkUnit.objects.filter(parent__isnull=True).values("pk")
    return (
        get_user_model()
        .objects.filter(is_active=True, profile__isnull=False)
        .filter(Q(profile__unit_id__in=ids) | Q(profile__unit_id__in=national))
        .exclude(profile__role=Role.VIEWER)
        .select_related("profile__unit")
        .order_by("profile__unit__code", "first_name", "username")
    )


class AssignForm(forms.Form):
    assignee = StaffChoiceField(
        label=_("Assignee"),
        required=False,
        queryset=get_user_model().objects.none(),
        empty_label=_("Nobody"),
    )

    def __init__(self, *args: Any, unit: WorkUnit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignable_staff(unit)  # type: ignore[attr-defined]
        _small(self)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ThreadStatus.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _small(self)


class PriorityForm(forms.Form):
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        coerce=int,
        choices=[(str(v), label) for v, label in Priority.choices],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _small(self)


def split_tags(value: str) -> list[str]:
    """Comma-separated tag names: trimmed, inner spaces collapsed, duplicates dropped."""
    names: list[str] = []
    seen: set[str] = set()
    for raw in _no_nul(value or "").split(","):
        name = " ".join(raw.split())
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            names.append(name)
    return names


class TagsForm(forms.Form):
    tags = forms.CharField(
        label=_("Topics"),
        required=False,
        max_length=2000,
        help_text=_("Separate topics with commas."),
        widget=forms.TextInput(attrs={"list": "inbox-tag-options", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _small(self)

    def clean_tags(self) -> list[str]:
        names = split_tags(self.cleaned_data.get("tags", ""))
        if len(names) > MAX_TAGS:
            raise forms.ValidationError(_("At most %(max)d topics per thread.") % {"max": MAX_TAGS})
        for name in names:
            if len(name) > MAX_TAG_CHARS:
                raise forms.ValidationError(
                    _("A topic has at most %(max)d characters: “%(name)s”.")
                    % {"max": MAX_TAG_CHARS, "name": name[:80]}
                )
        return names


def transfer_targets(unit: WorkUnit) -> Any:
    """The parent unit and the active child units of ``unit``."""
    where = Q(parent_id=unit.pk, is_active=True)
    if unit.parent_id:
        where |= Q(pk=unit.parent_id)
    return WorkUnit.objects.filter(where).order_by("level", "code")


class TransferForm(forms.Form):
    target = UnitChoiceField(
        label=_("Transfer to"), queryset=WorkUnit.objects.none(), empty_label=None
    )
    note = forms.CharField(
        label=_("Note for the receiving unit"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, unit: WorkUnit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = transfer_targets(unit)  # type: ignore[attr-defined]
        _small(self)

    def clean_note(self) -> str:
        return _no_nul(self.cleaned_data.get("note", ""))


def clarification_items(unit_ids: list[int]) -> Any:
    return (
        ContentItem.objects.filter(unit_id__in=unit_ids, form=ContentForm.HOAX_CLARIFICATION)
        .only("id", "title", "status", "unit_id")
        .order_by("-id")
    )


class HoaxLinkForm(forms.Form):
    """Link a thread to a hoax case (an existing one or a new one) and a clarification."""

    case = HoaxCaseChoiceField(
        label=_("Hoax case"),
        required=False,
        queryset=HoaxCase.objects.none(),
        empty_label=_("No case"),
    )
    new_title = forms.CharField(
        label=_("Or open a new case: title"), required=False, max_length=255
    )
    new_claim = forms.CharField(
        label=_("Claim"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
    new_category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[("", _("Not classified yet")), *HoaxCategory.choices],
    )
    clarification = ContentChoiceField(
        label=_("Clarification"),
        required=False,
        queryset=ContentItem.objects.none(),
        empty_label=_("No clarification"),
    )

    def __init__(self, *args: Any, unit: WorkUnit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["case"].queryset = HoaxCase.objects.filter(  # type: ignore[attr-defined]
            unit_id=unit.pk
        ).order_by("-created_at", "-id")
        ids = [unit.pk] + ([unit.parent_id] if unit.parent_id else [])
        self.fields["clarification"].queryset = clarification_items(ids)  # type: ignore[attr-defined]
        _small(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        title = _no_nul(data.get("new_title", "")).strip()
        data["new_title"] = title
        data["new_claim"] = _no_nul(data.get("new_claim", "")).strip()
        if title and data.get("case") is not None:
            raise forms.ValidationError(_("Choose an existing case or open a new one, not both."))
        return data


# --- canned replies -----------------------------------------------------------------------


class CannedReplyForm(forms.ModelForm):
    unit = UnitChoiceField(label=_("Work unit"), queryset=WorkUnit.objects.none())

    class Meta:
        model = CannedReply
        fields = ["unit", "title", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 8})}
        help_texts = {
            "body": _(
                "Variables: {nama} the sender's name, {satker} the work unit, {petugas} "
                "the staff member replying, {nomor} the thread or register number, "
                "{tanggal} today's date."
            )
        }

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        if self.instance.pk:
            self.fields["unit"].disabled = True
        style_widgets(self)

    def clean_title(self) -> str:
        return _no_nul(self.cleaned_data["title"]).strip()

    def clean_body(self) -> str:
        return _no_nul(self.cleaned_data["body"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        unit = data.get("unit") or (self.instance.unit if self.instance.pk else None)
        title = data.get("title")
        if unit is not None and title:
            clash = CannedReply.objects.filter(unit=unit, title__iexact=title)
            if self.instance.pk:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error("title", _("This unit already has a canned reply with this title."))
        return data

    def validate_unique(self) -> None:
        # Checked in ``clean`` (case-insensitively, with a clear message).
        return None


# --- hoax cases ---------------------------------------------------------------------------


class HoaxFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *HoaxCaseStatus.choices],
    )
    q = forms.CharField(label=_("Search"), required=False, max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _small(self)

    def value(self, name: str, default: Any = "") -> Any:
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        if name in self.errors:
            return default
        value = self.cleaned_data.get(name)
        return default if value in (None, "") else value


class HoaxCaseCreateForm(forms.Form):
    unit = UnitChoiceField(label=_("Work unit"), queryset=WorkUnit.objects.none(), empty_label=None)
    title = forms.CharField(label=_("Title"), max_length=255)
    claim = forms.CharField(
        label=_("Claim"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[("", _("Not classified yet")), *HoaxCategory.choices],
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        style_widgets(self)

    def clean_title(self) -> str:
        return _no_nul(self.cleaned_data["title"]).strip()

    def clean_claim(self) -> str:
        return _no_nul(self.cleaned_data["claim"]).strip()


class HoaxCaseUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=HoaxCaseStatus.choices)
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[("", _("Not classified yet")), *HoaxCategory.choices],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _small(self)

    def save(self, case: HoaxCase) -> HoaxCase:
        with transaction.atomic():
            locked = HoaxCase.objects.select_for_update().get(pk=case.pk)
            locked.status = self.cleaned_data["status"]
            locked.category = self.cleaned_data.get("category") or ""
            locked.save(update_fields=["status", "category", "updated_at"])
        return locked


class HoaxClarificationForm(forms.Form):
    clarification = ContentChoiceField(
        label=_("Clarification"),
        required=False,
        queryset=ContentItem.objects.none(),
        empty_label=_("No clarification"),
    )

    def __init__(self, *args: Any, unit: WorkUnit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ids = [unit.pk] + ([unit.parent_id] if unit.parent_id else [])
        self.fields["clarification"].queryset = clarification_items(ids)  # type: ignore[attr-defined]
        _small(self)


# --- inbox settings -----------------------------------------------------------------------


class InboxSettingsForm(forms.ModelForm):
    """The unit's inbox settings. The IMAP password is write-only: stored encrypted, shown
    only as "set (…last four)", kept when the field is left empty."""

    imap_password = forms.CharField(
        label=_("IMAP password"),
        required=False,
        max_length=500,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    clear_imap_password = forms.BooleanField(label=_("Remove the saved password"), required=False)

    class Meta:
        model = InboxSettings
        fields = [
            "office_start",
            "office_end",
            "friday_end",
            "first_response_hours",
            "resolution_hours",
            "reply_from_name",
            "reply_to_address",
            "imap_host",
            "imap_port",
            "imap_user",
            "imap_folder",
            "imap_ssl",
        ]
        widgets = {
            "office_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "office_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "friday_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, low, high in (
            ("first_response_hours", 1, 2000),
            ("resolution_hours", 1, 2000),
            ("imap_port", 1, 65535),
        ):
            field = self.fields[name]
            field.validators = [*field.validators, MinValueValidator(low), MaxValueValidator(high)]
            field.widget.attrs.update({"min": low, "max": high})
        hint = self.password_hint()
        if hint:
            self.fields["imap_password"].help_text = _(
                "Set (%(hint)s). Leave empty to keep it."
            ) % {"hint": hint}
        style_widgets(self)

    def password_hint(self) -> str:
        ciphertext = self.instance.imap_secret_ciphertext if self.instance else ""
        if not ciphertext:
            return ""
        try:
            return crypto.hint(crypto.decrypt(ciphertext)) or "…"
        except crypto.CredentialsUnreadable:
            return "?"

    def clean_reply_from_name(self) -> str:
        return _no_nul(self.cleaned_data.get("reply_from_name", "")).strip()

    def clean_imap_host(self) -> str:
        value = _no_nul(self.cleaned_data.get("imap_host", "")).strip()
        if any(c.isspace() or c in "/:@" for c in value):
            raise forms.ValidationError(_("Enter a host name only, without a scheme or port."))
        return value

    def clean_imap_user(self) -> str:
        return _no_nul(self.cleaned_data.get("imap_user", "")).strip()

    def clean_imap_folder(self) -> str:
        return _no_nul(self.cleaned_data.get("imap_folder", "")).strip() or "INBOX"

    def clean_imap_password(self) -> str:
        return _no_nul(self.cleaned_data.get("imap_password", ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start = data.get("office_start")
        for name in ("office_end", "friday_end"):
            end = data.get(name)
            if start is not None and end is not None and end <= start:
                self.add_error(name, _("The office must close after it opens."))
        first = data.get("first_response_hours")
        resolution = data.get("resolution_hours")
        if first and resolution and resolution < first:
            self.add_error(
                "resolution_hours",
                _("The resolution target cannot be shorter than the first-reply target."),
            )
        if data.get("imap_host"):
            if not data.get("imap_user"):
                self.add_error("imap_user", _("Needed to read the mailbox."))
            has_saved = bool(self.instance.imap_secret_ciphertext) and not data.get(
                "clear_imap_password"
            )
            if not data.get("imap_password") and not has_saved:
                self.add_error("imap_password", _("Needed to read the mailbox."))
        return data

    def save(self, commit: bool = True) -> InboxSettings:
        row: InboxSettings = super().save(commit=False)
        password = self.cleaned_data.get("imap_password")
        if password:
            row.imap_secret_ciphertext = crypto.encrypt({IMAP_SECRET_KEY: password})
        elif self.cleaned_data.get("clear_imap_password"):
            row.imap_secret_ciphertext = ""
        if "imap_host" in self.changed_data or "imap_user" in self.changed_data:
            # Another mailbox: start reading it from its first message.
            row.imap_last_uid = 0
            row.imap_uidvalidity = 0
            row.imap_error = ""
        if commit:
            row.save()
        return row


def new_webhook_secret(row: InboxSettings) -> str:
    """Generate, store (encrypted) and return a new inbound-email webhook secret."""
    value = secrets.token_urlsafe(32)
    row.webhook_secret_ciphertext = crypto.encrypt({WEBHOOK_SECRET_KEY: value})
    row.save()
    return value


def webhook_secret_hint(row: InboxSettings) -> str:
    if not row.webhook_secret_ciphertext:
        return ""
    try:
        return crypto.hint(crypto.decrypt(row.webhook_secret_ciphertext)) or "…"
    except crypto.CredentialsUnreadable:
        return "?"
