"""Forms of the content workspace. They only shape input; the rules are in ``services``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bakohumas.content.channels import CHANNEL_HELP, RULES
from bakohumas.content.models import (
    Channel,
    ClaimRating,
    ContentForm,
    ContentItem,
    Election,
    ElectionStage,
    Status,
    Topic,
)
from bakohumas.core.forms import BootstrapMixin, UnitChoiceField
from bakohumas.core.models import WorkUnit

DATETIME_INPUT = forms.DateTimeInput(
    attrs={"type": "datetime-local", "step": "1"}, format="%Y-%m-%dT%H:%M:%S"
)
BODY_HELP = _(
    "Paragraphs, headings (h2 to h4), bold, italic, lists, links, quotes and tables are kept; "
    "scripts, styles and anything else are removed when saved."
)


def variant_field_names(channel: str) -> tuple[str, str, str]:
    return (f"variant_{channel}_text", f"variant_{channel}_hashtags", f"variant_{channel}_link")


class ContentFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *Status.choices]
    )
    form = forms.ChoiceField(
        label=_("Form"), required=False, choices=[("", _("All")), *ContentForm.choices]
    )
    topic = forms.ChoiceField(
        label=_("Topic"), required=False, choices=[("", _("All")), *Topic.choices]
    )
    unit = UnitChoiceField(
        label=_("Work unit"),
        required=False,
        queryset=WorkUnit.objects.none(),
        empty_label=_("All"),
    )
    mine = forms.BooleanField(label=_("Mine only"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = WorkUnit.objects.for_user(user).order_by("code")  # type: ignore[attr-defined]


class ContentItemForm(BootstrapMixin, forms.Form):
    """Create or edit an item with its channel variants and media."""

    unit = UnitChoiceField(
        label=_("Work unit"),
        queryset=WorkUnit.objects.none(),
        required=False,
        help_text=_("Your own unit when left empty."),
    )
    form = forms.ChoiceField(label=_("Form"), choices=ContentForm.choices)
    topic = forms.ChoiceField(label=_("Topic"), choices=Topic.choices, initial=Topic.ELECTORAL)
    title = forms.CharField(label=_("Title"), max_length=200)
    slug = forms.CharField(
        label=_("Slug (web address)"),
        max_length=220,
        required=False,
        help_text=_("Leave empty to make it from the title."),
    )
    summary = forms.CharField(
        label=_("Summary"),
        max_length=600,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    body = forms.CharField(
        label=_("Body"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=BODY_HELP,
    )
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=1000,
        help_text=_("Separate with commas."),
    )
    election = forms.ModelChoiceField(
        label=_("Election"), required=False, queryset=Election.objects.none()
    )
    stage = forms.ModelChoiceField(
        label=_("Election stage"), required=False, queryset=ElectionStage.objects.none()
    )
    national_issue_url = forms.URLField(
        label=_("National issue reference"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_("URL of the KPU RI source this item follows."),
    )
    publish_at = forms.DateTimeField(
        label=_("Planned publication time"),
        required=False,
        widget=DATETIME_INPUT,
        help_text=_("In the unit's time zone. Once approved, the item is published then."),
    )
    schedule_reason = forms.CharField(
        label=_("Reason for publishing in a restricted period"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    embed_url = forms.URLField(
        label=_("External media URL"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_("For a video or podcast hosted elsewhere (e.g. YouTube)."),
    )
    release_number = forms.CharField(label=_("Release number"), required=False, max_length=64)
    contact_name = forms.CharField(label=_("Contact person"), required=False, max_length=200)
    contact_phone = forms.CharField(label=_("Contact phone"), required=False, max_length=32)
    contact_email = forms.EmailField(label=_("Contact email"), required=False)
    claim_text = forms.CharField(
        label=_("Claim reviewed"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    claim_source_url = forms.URLField(
        label=_("Where the claim appeared"),
        required=False,
        max_length=500,
        assume_scheme="https",
    )
    claim_author = forms.CharField(label=_("Claim author"), required=False, max_length=200)
    claim_date = forms.DateField(
        label=_("Claim date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    claim_rating = forms.ChoiceField(
        label=_("Verdict"), required=False, choices=[("", "—"), *ClaimRating.choices]
    )
    assets = forms.TypedMultipleChoiceField(
        label=_("Media"),
        required=False,
        coerce=int,
        choices=[],
        widget=forms.CheckboxSelectMultiple,
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    MAIN_FIELDS = ("unit", "form", "topic", "title", "slug", "summary", "body", "tags")
    PLANNING_FIELDS = (
        "election",
        "stage",
        "national_issue_url",
        "publish_at",
        "schedule_reason",
        "embed_url",
    )
    PRESS_FIELDS = ("release_number", "contact_name", "contact_phone", "contact_email")
    HOAX_FIELDS = ("claim_text", "claim_source_url", "claim_author", "claim_date", "claim_rating")

    def __init__(
        self,
        *args: Any,
        user: Any,
        item: ContentItem | None = None,
        unit: WorkUnit | None = None,
        **kwargs: Any,
    ) -> None:
        self.user = user
        self.item = item
        super().__init__(*args, **kwargs)
        units = WorkUnit.objects.for_user(user).filter(is_active=True).order_by("code")
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        if item is not None:
            # An item never changes unit.
            self.fields["unit"].disabled = True
            self.fields["unit"].required = False
            unit = item.unit
        self.current_unit = unit
        elections = Election.objects.for_user(user).filter(is_active=True)
        self.fields["election"].queryset = elections  # type: ignore[attr-defined]
        self.fields["stage"].queryset = ElectionStage.objects.filter(  # type: ignore[attr-defined]
            election__in=elections
        ).select_related("election")
        for channel, label in Channel.choices:
            text, hashtags, link = variant_field_names(channel)
            rule = RULES[channel]
            attrs: dict[str, Any] = {"rows": 3, "data-channel": channel}
            if rule.max_chars:
                attrs["data-limit"] = rule.max_chars
            if rule.weighted:
                attrs["data-weighted"] = "1"
            if rule.max_hashtags:
                attrs["data-max-hashtags"] = rule.max_hashtags
            self.fields[text] = forms.CharField(
                label=_("Text for %(channel)s") % {"channel": label},
                required=False,
                widget=forms.Textarea(attrs=attrs),
                help_text=CHANNEL_HELP.get(Channel(channel), ""),
            )
            self.fields[hashtags] = forms.CharField(
                label=_("Hashtags"), required=False, max_length=500
            )
            self.fields[link] = forms.URLField(
                label=_("Link"), required=False, max_length=500, assume_scheme="https"
            )
        self._media_choices(unit)
        for name in ("election", "stage", "claim_rating", "form", "topic"):
            self.fields[name].widget.attrs.setdefault("class", "form-select")
        from bakohumas.core.forms import style_widgets

        style_widgets(self)

    def _media_choices(self, unit: WorkUnit | None) -> None:
        from bakohumas.content.services import _ancestor_ids
        from bakohumas.media.models import MediaAsset

        attached: list[int] = []
        if self.item is not None:
            attached = list(self.item.media_links.values_list("asset_id", flat=True))
        if unit is not None:
            qs = MediaAsset.objects.filter(Q(unit_id__in=_ancestor_ids(unit)) | Q(pk__in=attached))
        else:
            qs = MediaAsset.objects.for_user(self.user)
        recent = list(qs.prefetch_related("renditions").order_by("-created_at")[:48])
        extra = [
            a
            for a in MediaAsset.objects.filter(pk__in=attached).prefetch_related("renditions")
            if a not in recent
        ]
        self.media_assets = extra + recent
        self.fields["assets"].choices = [(a.pk, str(a)) for a in self.media_assets]  # type: ignore[attr-defined]
        if self.item is not None and not self.is_bound:
            self.initial["assets"] = attached

    def variant_rows(self) -> list[dict[str, Any]]:
        rows = []
        for channel, label in Channel.choices:
            text, hashtags, link = variant_field_names(channel)
            rows.append(
                {
                    "channel": channel,
                    "label": label,
                    "text": self[text],
                    "hashtags": self[hashtags],
                    "link": self[link],
                }
            )
        return rows

    def clean_unit(self) -> WorkUnit | None:
        if self.item is not None:
            return self.item.unit
        unit: WorkUnit | None = self.cleaned_data.get("unit")
        return unit

    def clean_tags(self) -> list[str]:
        raw = self.cleaned_data.get("tags") or ""
        return [t.strip() for t in raw.split(",") if t.strip()]

    def clean_publish_at(self) -> Any:
        value = self.cleaned_data.get("publish_at")
        unit = self.current_unit or self.cleaned_data.get("unit")
        if value is not None and unit is not None:
            # The input is the unit's wall-clock time.
            value = timezone.make_aware(timezone.make_naive(value).replace(tzinfo=None), unit.zone)
        return value

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        names = (
            "form",
            "topic",
            "title",
            "slug",
            "summary",
            "body",
            "election",
            "stage",
            "national_issue_url",
            "publish_at",
            "schedule_reason",
            "embed_url",
            *self.PRESS_FIELDS,
            *self.HOAX_FIELDS,
        )
        fields = {name: data.get(name) for name in names}
        for name in ("election", "stage"):
            fields[name] = data[name].pk if data.get(name) else None
        for name, value in list(fields.items()):
            if value is None and name not in {"election", "stage", "publish_at", "claim_date"}:
                fields[name] = ""
        return fields

    def service_variants(self) -> list[dict[str, str]]:
        out = []
        for channel in Channel.values:
            text, hashtags, link = variant_field_names(channel)
            out.append(
                {
                    "channel": channel,
                    "text": self.cleaned_data.get(text) or "",
                    "hashtags": self.cleaned_data.get(hashtags) or "",
                    "link": self.cleaned_data.get(link) or "",
                }
            )
        return out

    @classmethod
    def initial_for(cls, item: ContentItem) -> dict[str, Any]:
        initial: dict[str, Any] = {
            name: getattr(item, name)
            for name in (
                "form",
                "topic",
                "title",
                "slug",
                "summary",
                "body",
                "national_issue_url",
                "schedule_reason",
                "embed_url",
                "release_number",
                "contact_name",
                "contact_phone",
                "contact_email",
                "claim_text",
                "claim_source_url",
                "claim_author",
                "claim_date",
                "claim_rating",
            )
        }
        initial["unit"] = item.unit_id
        initial["election"] = item.election_id
        initial["stage"] = item.stage_id
        initial["version"] = item.version
        initial["tags"] = ", ".join(item.tags.values_list("name", flat=True))
        if item.publish_at:
            initial["publish_at"] = item.unit.localtime(item.publish_at).replace(tzinfo=None)
        for variant in item.variants.all():
            text, hashtags, link = variant_field_names(variant.channel)
            initial[text] = variant.text
            initial[hashtags] = variant.hashtags
            initial[link] = variant.link
        return initial


class CommentForm(BootstrapMixin, forms.Form):
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ScheduleForm(BootstrapMixin, forms.Form):
    publish_at = forms.DateTimeField(label=_("Publication time"), widget=DATETIME_INPUT)
    reason = forms.CharField(
        label=_("Reason (needed in a restricted period)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class WithdrawForm(BootstrapMixin, forms.Form):
    notice = forms.CharField(
        label=_("Public correction notice"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown on the portal in place of the item."),
    )
