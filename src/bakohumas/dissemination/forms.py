"""Forms of the dissemination staff pages.

They only shape input; the rules live in ``engine`` (plan, evidence, metrics) and, for
channel accounts and mailing lists, in the small save helpers below (the secrets of an
account are write-only: never rendered back, blank keeps the saved value). Views copy a
service's ``ValidationError`` back onto the form (``core.forms.add_service_errors``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bakohumas.core.forms import BootstrapMixin, UnitChoiceField
from bakohumas.core.models import WorkUnit
from bakohumas.dissemination import crypto
from bakohumas.dissemination.accounts import require_renewed_secrets
from bakohumas.dissemination.models import (
    ACCOUNT_KINDS,
    AUDIENCE_KINDS,
    HAND_POSTABLE_KINDS,
    AccountStatus,
    ChannelAccount,
    ChannelKind,
    DeliveryStatus,
    MailingList,
    PublicationStatus,
    SubscriberStatus,
)

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
MAX_INT = 2_000_000_000


def _blank(choices: Any, label: Any = None) -> list[tuple[str, Any]]:
    return [("", label or _("All")), *list(choices)]


def _no_nul(value: str) -> str:
    if "\x00" in (value or ""):
        raise ValidationError(_("Null characters are not allowed."))
    return value


def _sorted_kinds(kinds: Any) -> list[tuple[str, Any]]:
    return [(k.value, k.label) for k in ChannelKind if k in kinds]


class StaffChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name() or obj.username)


class AccountChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        label = f"{obj.get_kind_display()}: {obj.name}"
        if obj.status == AccountStatus.RECONNECT:
            return f"{label} — {_('reconnect needed')}"
        if obj.status == AccountStatus.DISABLED:
            return f"{label} — {_('disabled')}"
        return label


# --- the plan -----------------------------------------------------------------------------


class PlanForm(BootstrapMixin, forms.Form):
    """One publication of an item: channel, account / audience / destination, person,
    WhatsApp template and time (in the unit's zone; blank = now)."""

    kind = forms.ChoiceField(label=_("Channel"), choices=ChannelKind.choices)
    account = AccountChoiceField(
        label=_("Account"), required=False, queryset=ChannelAccount.objects.none()
    )
    mailing_list = forms.ModelChoiceField(
        label=_("Mailing list"), required=False, queryset=MailingList.objects.none()
    )
    group = forms.ModelChoiceField(
        label=_("Stakeholder group"), required=False, queryset=MailingList.objects.none()
    )
    categories = forms.MultipleChoiceField(
        label=_("Segment: organisation categories"),
        required=False,
        choices=[],
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    tags = forms.CharField(
        label=_("Segment: tags"),
        required=False,
        max_length=500,
        help_text=_("Comma-separated tags of contacts or their organisations."),
    )
    target = forms.CharField(
        label=_("Destination"),
        required=False,
        max_length=300,
        help_text=_("Group, outlet or event name for a manual channel."),
    )
    responsible = StaffChoiceField(
        label=_("Responsible person"),
        required=False,
        queryset=get_user_model().objects.none(),
        help_text=_("Shares a manual package and records the evidence; told of failures."),
    )
    manual = forms.BooleanField(
        label=_("Post it by hand (manual package)"),
        required=False,
        help_text=_(
            "No connected account needed: the responsible person posts the package and "
            "records the evidence."
        ),
    )
    wa_template = forms.CharField(label=_("WhatsApp template"), required=False, max_length=200)
    wa_language = forms.CharField(
        label=_("Template language"), required=False, max_length=16, initial="id"
    )
    scheduled_at = forms.DateTimeField(
        label=_("Send at"),
        required=False,
        widget=DATETIME_INPUT,
        input_formats=DATETIME_FORMATS,
        help_text=_("Leave empty to send now."),
    )

    def __init__(self, *args: Any, unit: WorkUnit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from bakohumas.stakeholders.models import Category, CommunicationGroup

        self.unit = unit
        self.fields["account"].queryset = ChannelAccount.objects.filter(  # type: ignore[attr-defined]
            unit=unit
        ).order_by("kind", "name")
        self.fields["mailing_list"].queryset = MailingList.objects.filter(unit=unit)  # type: ignore[attr-defined]
        self.fields["group"].queryset = CommunicationGroup.objects.filter(  # type: ignore[attr-defined]
            unit=unit, is_active=True
        )
        self.fields["categories"].choices = Category.choices  # type: ignore[attr-defined]
        self.fields["responsible"].queryset = (  # type: ignore[attr-defined]
            get_user_model()
            .objects.filter(is_active=True, profile__unit=unit)
            .order_by("first_name", "last_name", "username")
        )
        for name in ("account",):
            self.fields[name].widget.attrs["data-kinds"] = ",".join(sorted(ACCOUNT_KINDS))
        for name in ("mailing_list",):
            self.fields[name].widget.attrs["data-kinds"] = ChannelKind.EMAIL
        for name in ("group", "categories", "tags"):
            self.fields[name].widget.attrs["data-kinds"] = ",".join(sorted(AUDIENCE_KINDS))
        for name in ("wa_template", "wa_language"):
            self.fields[name].widget.attrs["data-kinds"] = ChannelKind.WHATSAPP
        self.fields["manual"].widget.attrs["data-kinds"] = ",".join(sorted(HAND_POSTABLE_KINDS))
        self.fields["kind"].widget.attrs["data-kind-switch"] = ""

    def clean_target(self) -> str:
        return _no_nul(self.cleaned_data.get("target", "")).strip()

    def clean_wa_template(self) -> str:
        return _no_nul(self.cleaned_data.get("wa_template", "")).strip()

    def clean_tags(self) -> list[str]:
        from bakohumas.stakeholders.models import Tag

        raw = _no_nul(self.cleaned_data.get("tags", ""))
        names: list[str] = []
        for part in raw.replace(";", ",").split(","):
            name = part.strip().lstrip("#")
            if name and name not in names:
                names.append(name)
        if names:
            known = set(Tag.objects.filter(name__in=names).values_list("name", flat=True))
            unknown = [n for n in names if n not in known]
            if unknown:
                raise ValidationError(_("Unknown tags: %(tags)s.") % {"tags": ", ".join(unknown)})
        return names

    def segment(self) -> dict[str, list[str]]:
        data = self.cleaned_data
        segment: dict[str, list[str]] = {}
        if data.get("categories"):
            segment["categories"] = list(data["categories"])
        if data.get("tags"):
            segment["tags"] = list(data["tags"])
        return segment

    def plan_input(self) -> Any:
        """The ``engine.PlanInput`` of the cleaned form (fields of other channels dropped)."""
        from bakohumas.dissemination.engine import PlanInput

        data = self.cleaned_data
        kind = data["kind"]
        audience = kind in AUDIENCE_KINDS
        manual = bool(data.get("manual")) and kind in HAND_POSTABLE_KINDS
        return PlanInput(
            kind=kind,
            manual=manual,
            account_id=data["account"].pk
            if data.get("account") and kind in ACCOUNT_KINDS and not manual
            else None,
            mailing_list_id=data["mailing_list"].pk
            if data.get("mailing_list") and kind == ChannelKind.EMAIL
            else None,
            group_id=data["group"].pk if data.get("group") and audience else None,
            segment=(self.segment() or None) if audience and not data.get("group") else None,
            target=data.get("target", ""),
            scheduled_at=data.get("scheduled_at"),
            responsible_id=data["responsible"].pk if data.get("responsible") else None,
            template_name=data.get("wa_template", "") if kind == ChannelKind.WHATSAPP else "",
            template_language=data.get("wa_language", "") if kind == ChannelKind.WHATSAPP else "",
        )


# --- filters --------------------------------------------------------------------------


class PublicationFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("Item title"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=_blank(PublicationStatus.choices)
    )
    kind = forms.ChoiceField(
        label=_("Channel"), required=False, choices=_blank(ChannelKind.choices)
    )
    unit = UnitChoiceField(
        label=_("Work unit"), required=False, queryset=WorkUnit.objects.none(), empty_label=_("All")
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=DATE_INPUT)
    date_to = forms.DateField(label=_("Until"), required=False, widget=DATE_INPUT)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = WorkUnit.objects.for_user(user).order_by("code")  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("date_from", "date_to"):
            value = data.get(name)
            if value is not None and not 2000 <= value.year <= 2100:
                self.add_error(name, _("Choose a date between 2000 and 2100."))
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end comes before the start."))
        return data


class DeliveryFilterForm(BootstrapMixin, forms.Form):
    publication = forms.IntegerField(
        label=_("Publication"), required=False, min_value=1, max_value=2**62
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=_blank(DeliveryStatus.choices)
    )
    q = forms.CharField(label=_("Recipient"), required=False, max_length=100)


class CalendarFilterForm(BootstrapMixin, forms.Form):
    month = forms.CharField(required=False, max_length=7)
    kind = forms.ChoiceField(
        label=_("Channel"), required=False, choices=_blank(ChannelKind.choices)
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=_blank(PublicationStatus.choices)
    )
    unit = UnitChoiceField(
        label=_("Work unit"), required=False, queryset=WorkUnit.objects.none(), empty_label=None
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = WorkUnit.objects.for_user(user).order_by("code")  # type: ignore[attr-defined]

    def clean_month(self) -> dt.date | None:
        raw = (self.cleaned_data.get("month") or "").strip()
        if not raw:
            return None
        try:
            value = dt.datetime.strptime(raw, "%Y-%m").date()
        except ValueError:
            raise ValidationError(_("Give the month as YYYY-MM.")) from None
        if not 2000 <= value.year <= 2100:
            raise ValidationError(_("Choose a date between 2000 and 2100."))
        return value


class SubscriberFilterForm(BootstrapMixin, forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=_blank(SubscriberStatus.choices)
    )
    q = forms.CharField(label=_("Search"), required=False, max_length=100)


# --- actions ------------------------------------------------------------------------------


class MetricsForm(BootstrapMixin, forms.Form):
    reach = forms.IntegerField(label=_("Reach"), min_value=0, max_value=MAX_INT)
    impressions = forms.IntegerField(
        label=_("Impressions"), min_value=0, max_value=MAX_INT, required=False
    )
    engagement = forms.IntegerField(
        label=_("Engagement"), min_value=0, max_value=MAX_INT, required=False
    )
    clicks = forms.IntegerField(label=_("Clicks"), min_value=0, max_value=MAX_INT, required=False)

    def figures(self) -> dict[str, int]:
        data = self.cleaned_data
        return {
            "reach": data["reach"],
            "impressions": data.get("impressions") or 0,
            "engagement": data.get("engagement") or 0,
            "clicks": data.get("clicks") or 0,
        }


class EvidenceForm(BootstrapMixin, forms.Form):
    """Proof of a manual publication: a link and/or a screenshot or scan (image or PDF,
    checked by its content, at most 10 MB), when it went out, how many it reached."""

    url = forms.CharField(label=_("Link where it appeared"), required=False, max_length=500)
    file = forms.FileField(
        label=_("Screenshot or scan"),
        required=False,
        help_text=_("An image (JPEG, PNG, WebP, GIF) or a PDF, at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*,application/pdf"}),
    )
    broadcast_at = forms.DateTimeField(
        label=_("Broadcast or shared at"),
        required=False,
        widget=DATETIME_INPUT,
        input_formats=DATETIME_FORMATS,
        help_text=_("Leave empty for now."),
    )
    audience = forms.IntegerField(
        label=_("Audience reached"), required=False, min_value=0, max_value=1_000_000_000
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["data-max-size"] = str(EVIDENCE_MAX_BYTES)

    def clean_url(self) -> str:
        url = _no_nul(self.cleaned_data.get("url", "")).strip()
        if url:
            try:
                URLValidator(schemes=["http", "https"])(url)
            except ValidationError:
                raise ValidationError(_("Enter a valid http(s) link.")) from None
        return url

    def clean_note(self) -> str:
        return _no_nul(self.cleaned_data.get("note", "")).strip()

    def clean_file(self) -> Any:
        from bakohumas.media.detection import detect

        upload = self.cleaned_data.get("file")
        if not upload:
            return None
        if upload.size > EVIDENCE_MAX_BYTES:
            raise ValidationError(_("The file is larger than 10 MB."))
        detected = detect(upload)
        if detected.kind not in {"image", "pdf"}:
            raise ValidationError(
                _("Upload an image or a PDF (this file is %(type)s).") % {"type": detected.label}
            )
        upload.seek(0)
        # The stored name never comes from the user.
        upload.name = f"{uuid.uuid4().hex}.{detected.extension}"
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not data.get("url") and not data.get("file"):
            raise ValidationError(
                _("Give the link where it appeared, or upload a screenshot or scan.")
            )
        when = data.get("broadcast_at")
        if when is not None and when > timezone.now() + dt.timedelta(minutes=5):
            self.add_error("broadcast_at", _("The broadcast time cannot be in the future."))
        return data


# --- channel accounts ------------------------------------------------------------------------

# The visible settings and the write-only secrets of each kind: (key, label, help, kinds).
CONFIG_FIELDS: list[tuple[str, Any, Any, frozenset[str]]] = [
    (
        "destination",
        _("Destination"),
        _(
            "Telegram: chat id or @channel; Facebook: page id; Instagram: user id; YouTube: "
            "channel id; X and TikTok: “me”; webhook: the URL to post to."
        ),
        frozenset(ACCOUNT_KINDS - {ChannelKind.WHATSAPP}),
    ),
    (
        "phone_number_id",
        _("Phone number id"),
        _("The WhatsApp Business phone number id of the Cloud API."),
        frozenset({ChannelKind.WHATSAPP}),
    ),
    (
        "api_base",
        _("API address"),
        _("Leave empty for the platform's own address."),
        frozenset(ACCOUNT_KINDS - {ChannelKind.WEBHOOK}),
    ),
]
SECRET_FIELDS: list[tuple[str, Any, frozenset[str]]] = [
    (
        "access_token",
        _("Access token"),
        frozenset(
            {
                ChannelKind.WHATSAPP,
                ChannelKind.FACEBOOK,
                ChannelKind.INSTAGRAM,
                ChannelKind.X,
                ChannelKind.YOUTUBE,
                ChannelKind.TIKTOK,
            }
        ),
    ),
    ("bot_token", _("Bot token"), frozenset({ChannelKind.TELEGRAM})),
    ("app_secret", _("App secret (webhook signatures)"), frozenset({ChannelKind.WHATSAPP})),
    ("verify_token", _("Webhook verify token"), frozenset({ChannelKind.WHATSAPP})),
    ("signing_secret", _("Signing secret"), frozenset({ChannelKind.WEBHOOK})),
]
# What a kind cannot work without.
REQUIRED_CONFIG: dict[str, list[str]] = {
    ChannelKind.WHATSAPP: ["phone_number_id"],
    **{
        k: ["destination"]
        for k in ACCOUNT_KINDS
        if k not in {ChannelKind.WHATSAPP, ChannelKind.X, ChannelKind.TIKTOK}
    },
}
REQUIRED_SECRETS: dict[str, list[str]] = {
    ChannelKind.TELEGRAM: ["bot_token"],
    ChannelKind.WEBHOOK: ["signing_secret"],
    **{
        k: ["access_token"]
        for k in (
            ChannelKind.WHATSAPP,
            ChannelKind.FACEBOOK,
            ChannelKind.INSTAGRAM,
            ChannelKind.X,
            ChannelKind.YOUTUBE,
            ChannelKind.TIKTOK,
        )
    },
}


def config_keys(kind: str) -> list[str]:
    return [key for key, _label, _help, kinds in CONFIG_FIELDS if kind in kinds]


def secret_keys(kind: str) -> list[str]:
    return [key for key, _label, kinds in SECRET_FIELDS if kind in kinds]


class AccountForm(BootstrapMixin, forms.Form):
    """A unit's platform account. Secret fields are never filled in from the saved value;
    blank keeps it. ``kind`` and ``unit`` are fixed once the account exists."""

    unit = UnitChoiceField(label=_("Work unit"), queryset=WorkUnit.objects.none())
    kind = forms.ChoiceField(label=_("Channel"), choices=_sorted_kinds(ACCOUNT_KINDS))
    name = forms.CharField(label=_("Name"), max_length=200)
    rate_per_second = forms.FloatField(
        label=_("Sends per second"),
        required=False,
        min_value=0,
        max_value=1000,
        help_text=_("0 or empty: the platform's default pace."),
    )
    disabled = forms.BooleanField(label=_("Disabled"), required=False)

    def __init__(
        self, *args: Any, user: Any, account: ChannelAccount | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.account = account
        self.fields["unit"].queryset = WorkUnit.objects.for_user(user).filter(  # type: ignore[attr-defined]
            is_active=True
        )
        for key, label, help_text, kinds in CONFIG_FIELDS:
            field = forms.CharField(
                label=label, required=False, max_length=500, help_text=help_text
            )
            field.widget.attrs["data-kinds"] = ",".join(sorted(kinds))
            self.fields[f"config_{key}"] = field
        for key, label, kinds in SECRET_FIELDS:
            field = forms.CharField(
                label=label,
                required=False,
                max_length=4000,
                strip=True,
                widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
            )
            field.widget.attrs["data-kinds"] = ",".join(sorted(kinds))
            self.fields[f"secret_{key}"] = field
        if account is not None:
            for name in ("unit", "kind"):
                self.fields[name].disabled = True
                self.fields[name].required = False
            saved = set(_saved_secret_keys(account))
            kept = _("Saved (%(hint)s). Leave empty to keep it.") % {
                "hint": account.secret_hint or "…"
            }
            for key, _label, _kinds in SECRET_FIELDS:
                if key in saved:
                    self.fields[f"secret_{key}"].help_text = kept
        self.fields["kind"].widget.attrs["data-kind-switch"] = ""

    @classmethod
    def initial_for(cls, account: ChannelAccount) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "unit": account.unit_id,
            "kind": account.kind,
            "name": account.name,
            "rate_per_second": account.rate_per_second or None,
            "disabled": account.status == AccountStatus.DISABLED,
        }
        for key in config_keys(account.kind):
            initial[f"config_{key}"] = (account.config or {}).get(key, "")
        return initial

    def kind_value(self) -> str:
        if self.account is not None:
            return self.account.kind
        return str(self.cleaned_data.get("kind") or "")

    def clean_name(self) -> str:
        return _no_nul(self.cleaned_data.get("name", "")).strip()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.account is not None:
            data["unit"] = self.account.unit
            data["kind"] = self.account.kind
        kind = data.get("kind")
        if not kind or self.errors.get("kind"):
            return data
        saved = set(_saved_secret_keys(self.account)) if self.account is not None else set()
        for key in config_keys(kind):
            value = _no_nul(data.get(f"config_{key}") or "").strip()
            data[f"config_{key}"] = value
            if key in ("api_base", "destination") and value.startswith(("http:", "https:")):
                try:
                    URLValidator(schemes=["http", "https"])(value)
                except ValidationError:
                    self.add_error(f"config_{key}", _("Enter a valid http(s) address."))
            if key == "api_base" and value and not value.startswith(("http://", "https://")):
                self.add_error(f"config_{key}", _("Enter a valid http(s) address."))
        if kind == ChannelKind.WEBHOOK:
            value = data.get("config_destination", "")
            if value and not value.startswith(("http://", "https://")):
                self.add_error("config_destination", _("Enter a valid http(s) address."))
        for key in REQUIRED_CONFIG.get(kind, []):
            if not data.get(f"config_{key}"):
                self.add_error(f"config_{key}", _("This field is required for this channel."))
        for key in REQUIRED_SECRETS.get(kind, []):
            if not data.get(f"secret_{key}") and key not in saved:
                self.add_error(f"secret_{key}", _("This field is required for this channel."))
        unit = data.get("unit")
        name = data.get("name")
        if unit is not None and name:
            clash = ChannelAccount.objects.filter(unit=unit, kind=kind, name=name)
            if self.account is not None:
                clash = clash.exclude(pk=self.account.pk)
            if clash.exists():
                self.add_error(
                    "name",
                    _("This unit already has a %(kind)s account of that name.")
                    % {"kind": ChannelKind(kind).label},
                )
        return data

    def save(self, *, by: Any) -> tuple[ChannelAccount, bool]:
        """Save the account; returns it and whether new secrets were given (which sets
        the status to connected: the next check or send tells otherwise)."""
        data = self.cleaned_data
        kind = self.kind_value()
        new_secrets = {
            key: data[f"secret_{key}"] for key in secret_keys(kind) if data.get(f"secret_{key}")
        }
        config = {
            key: data[f"config_{key}"] for key in config_keys(kind) if data.get(f"config_{key}")
        }
        return save_account(
            self.account,
            unit=data["unit"],
            kind=kind,
            name=data["name"],
            config=config,
            secrets=new_secrets,
            rate_per_second=data.get("rate_per_second") or 0.0,
            disabled=bool(data.get("disabled")),
            by=by,
        )


def _saved_secret_keys(account: ChannelAccount | None) -> list[str]:
    if account is None or not account.secret_ciphertext:
        return []
    try:
        return [k for k, v in crypto.decrypt(account.secret_ciphertext).items() if v]
    except crypto.CredentialsUnreadable:
        return []


def save_account(
    account: ChannelAccount | None,
    *,
    unit: WorkUnit,
    kind: str,
    name: str,
    config: dict[str, Any],
    secrets: dict[str, str],
    rate_per_second: float = 0.0,
    disabled: bool = False,
    by: Any,
) -> tuple[ChannelAccount, bool]:
    """Create or update an account. ``config`` replaces the visible settings of the kind
    (other keys kept); ``secrets`` are merged over the saved ones (a key left out keeps
    its saved value). New secrets set the status to connected."""
    with transaction.atomic():
        if account is None:
            account = ChannelAccount(unit=unit, kind=kind, created_by=by)
            merged: dict[str, Any] = {}
            current_config: dict[str, Any] = {}
        else:
            account = ChannelAccount.objects.select_for_update().get(pk=account.pk)
            try:
                merged = crypto.decrypt(account.secret_ciphertext)
            except crypto.CredentialsUnreadable:
                merged = {}
            current_config = dict(account.config or {})
        for key in config_keys(kind):
            current_config.pop(key, None)
        current_config.update(config)
        if require_renewed_secrets(account, current_config, secrets):
            merged = {}
        account.config = current_config
        account.name = name
        account.rate_per_second = float(rate_per_second or 0)
        changed = bool(secrets)
        if changed:
            merged.update(secrets)
            account.secret_ciphertext = crypto.encrypt(merged)
            account.secret_hint = crypto.hint(merged)
        if disabled:
            account.status = AccountStatus.DISABLED
        elif changed or account.status == AccountStatus.DISABLED or account.pk is None:
            account.status = AccountStatus.CONNECTED
            account.status_detail = ""
            account.paused_until = None
        account.save()
    return account, changed


# --- mailing lists -----------------------------------------------------------------------------


class MailingListForm(BootstrapMixin, forms.ModelForm):  # type: ignore[type-arg]
    unit = UnitChoiceField(label=_("Work unit"), queryset=WorkUnit.objects.none())

    class Meta:
        model = MailingList
        fields = ["unit", "name", "description", "is_public", "from_name", "reply_to"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = WorkUnit.objects.for_user(user).filter(  # type: ignore[attr-defined]
            is_active=True
        )
        if self.instance.pk:
            self.fields["unit"].disabled = True

    def clean_name(self) -> str:
        return _no_nul(self.cleaned_data.get("name", "")).strip()

    def clean_description(self) -> str:
        return _no_nul(self.cleaned_data.get("description", ""))

    def clean_from_name(self) -> str:
        value = _no_nul(self.cleaned_data.get("from_name", "")).strip()
        if any(c in value for c in '\r\n<>"'):
            raise ValidationError(_("The sender name cannot contain line breaks, <, > or quotes."))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        unit = data.get("unit") or getattr(self.instance, "unit", None)
        name = data.get("name")
        if unit is not None and name:
            clash = MailingList.objects.filter(unit=unit, name=name)
            if self.instance.pk:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error("name", _("This unit already has a list of that name."))
        return data

    def validate_unique(self) -> None:
        # Checked in clean() with a clear message (unit is disabled on edit).
        pass


class SubscriberAddForm(BootstrapMixin, forms.Form):
    """A subscriber entered by staff: either asked to confirm by email (double opt-in), or
    recorded as subscribed on the strength of consent given elsewhere (a signed form, an
    event registration), which the note must describe."""

    CONFIRM = "confirm"
    CONSENTED = "consented"

    email = forms.EmailField(label=_("Email"), max_length=254)
    name = forms.CharField(label=_("Name"), required=False, max_length=200)
    mode = forms.ChoiceField(
        label=_("Consent"),
        choices=[
            (CONFIRM, _("Send a confirmation email (the person confirms the subscription)")),
            (CONSENTED, _("The person already gave consent (describe it below)")),
        ],
        initial=CONFIRM,
        widget=forms.RadioSelect,
    )
    consent_note = forms.CharField(
        label=_("Consent note"),
        required=False,
        max_length=150,
        help_text=_("Where and when the person agreed, e.g. “signed form, sosialisasi 3 May”."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["mode"].widget.attrs["class"] = "form-check-input"

    def clean_name(self) -> str:
        return _no_nul(self.cleaned_data.get("name", "")).strip()

    def clean_consent_note(self) -> str:
        return _no_nul(self.cleaned_data.get("consent_note", "")).strip()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("mode") == self.CONSENTED and not data.get("consent_note"):
            self.add_error(
                "consent_note", _("Describe the consent the person gave (where and when).")
            )
        return data
