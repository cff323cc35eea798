"""Request and response schemas of the content, media and public API.

Input schemas follow :class:`bakohumas.api.schemas.InputSchema`: unknown fields are
refused, surrounding white space is stripped, NUL characters are refused and every text
carries the maximum length of its model field. Times are ISO 8601 with a time zone
(``2026-03-01T09:00:00+08:00``); answers give them in UTC.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import AfterValidator

from bakohumas.api.schemas import (
    TAG_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    Id,
    InputSchema,
    UnitRef,
    UserRef,
    max_length,
)
from bakohumas.content.models import Channel as ContentChannel
from bakohumas.content.models import (
    ChannelVariant,
    ClaimRating,
    ContentForm,
    ContentItem,
    Status,
    Topic,
)
from bakohumas.media.models import MediaAsset, MediaKind

# Rich text of an article (sanitised HTML) may be long; a post on Facebook up to 63,206.
BODY_MAX_LENGTH = 200_000
VARIANT_TEXT_MAX_LENGTH = 70_000
MAX_CONTENT_TAGS = 20
MAX_LIST_IDS = 100


def file_url(request: Any, field: Any) -> str:
    """The absolute URL of a stored file ("" when there is none)."""
    try:
        url = str(field.url) if field else ""
    except ValueError:
        return ""
    if url and request is not None:
        return str(request.build_absolute_uri(url))
    return url


def thumbnail_url(request: Any, asset: MediaAsset) -> str | None:
    """The URL of the asset's thumbnail rendition (from its prefetched renditions)."""
    for rendition in asset.renditions.all():
        if rendition.name == "thumb":
            return file_url(request, rendition.file)
    return None


def _request(context: Any) -> Any:
    return (context or {}).get("request")


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and (value.tzinfo is None or value.utcoffset() is None):
        raise ValueError(_("Give the time with its zone, e.g. 2026-03-01T09:00:00+08:00."))
    return value


AwareTime = Annotated[datetime, AfterValidator(_aware)]
Title = Annotated[str, Field(min_length=1, max_length=max_length(ContentItem, "title"))]
Slug = Annotated[
    str,
    Field(
        max_length=max_length(ContentItem, "slug"),
        description="Letters, digits and dashes, unique in the unit; empty: made from the title.",
    ),
]
Summary = Annotated[str, Field(max_length=600)]
Body = Annotated[
    str,
    Field(
        max_length=BODY_MAX_LENGTH,
        description="Rich text (HTML); reduced to an allow-list (no script, style or event "
        "handler) before it is stored.",
    ),
]
LongText = Annotated[str, Field(max_length=TEXT_MAX_LENGTH)]
Url = Annotated[str, Field(max_length=500)]
ReleaseNumber = Annotated[str, Field(max_length=max_length(ContentItem, "release_number"))]
ContactName = Annotated[str, Field(max_length=max_length(ContentItem, "contact_name"))]
ContactPhone = Annotated[str, Field(max_length=max_length(ContentItem, "contact_phone"))]
ContactEmail = Annotated[str, Field(max_length=max_length(ContentItem, "contact_email"))]
ClaimAuthor = Annotated[str, Field(max_length=max_length(ContentItem, "claim_author"))]
ContentTagName = Annotated[str, Field(max_length=TAG_MAX_LENGTH)]
Comment = Annotated[str, Field(max_length=TEXT_MAX_LENGTH)]


# --- content: input -----------------------------------------------------------------------


class VariantIn(InputSchema):
    """The text of the item for one channel (checked against the channel's limits)."""

    channel: ContentChannel
    text: Annotated[str, Field(max_length=VARIANT_TEXT_MAX_LENGTH)] = ""
    hashtags: Annotated[str, Field(max_length=max_length(ChannelVariant, "hashtags"))] = ""
    link: Annotated[str, Field(max_length=max_length(ChannelVariant, "link"))] = ""


VariantList = Annotated[
    list[VariantIn],
    Field(
        max_length=len(ContentChannel.values),
        description="One per channel; replaces every variant of the item.",
    ),
]
MediaIds = Annotated[
    list[Id],
    Field(
        max_length=MAX_LIST_IDS,
        description="Media-library ids (your unit's or a unit above it), in order.",
    ),
]
TagNames = Annotated[
    list[ContentTagName],
    Field(max_length=MAX_CONTENT_TAGS, description="Tag names; missing tags are created."),
]
AuthorIds = Annotated[
    list[Id],
    Field(
        max_length=MAX_LIST_IDS,
        description="User ids of co-authors (active staff in your scope); you are added.",
    ),
]


class ContentIn(InputSchema):
    unit: Id | None = Field(None, description="Owning work unit id; default: your own.")
    form: ContentForm
    topic: Topic = Topic.ELECTORAL
    title: Title
    slug: Slug = ""
    summary: Summary = ""
    body: Body = ""
    election: Id | None = Field(None, description="Election id.")
    stage: Id | None = Field(None, description="Election stage id (of that election).")
    national_issue_url: Url = Field("", description="URL of the KPU RI source it follows.")
    publish_at: AwareTime | None = Field(None, description="Planned publication time.")
    schedule_reason: LongText = Field(
        "", description="Why it is planned in a period that restricts publishing."
    )
    release_number: ReleaseNumber = ""
    contact_name: ContactName = ""
    contact_phone: ContactPhone = ""
    contact_email: ContactEmail = ""
    claim_text: LongText = ""
    claim_source_url: Url = ""
    claim_author: ClaimAuthor = ""
    claim_date: date | None = None
    claim_rating: ClaimRating | Literal[""] = ""
    embed_url: Url = ""
    variants: VariantList = []
    media: MediaIds = []
    tags: TagNames = []
    authors: AuthorIds = []


class ContentPatch(InputSchema):
    """Only the fields sent change; ``null`` clears a text, date or reference."""

    not_null = frozenset(
        {"version", "form", "topic", "title", "variants", "media", "tags", "authors"}
    )

    version: Id = Field(
        description="The version you edited (``version`` of the item you read). A newer "
        "version on the server answers 409 and changes nothing."
    )
    void_approval: bool = Field(
        default=False,
        description="Required (true) to change the content of an approved or scheduled "
        "item: the change voids its approval and returns it to review. Without it such an "
        "edit answers 409 and changes nothing.",
    )
    form: ContentForm | None = None
    topic: Topic | None = None
    title: Title | None = None
    slug: Slug | None = None
    summary: Summary | None = None
    body: Body | None = None
    election: Id | None = None
    stage: Id | None = None
    national_issue_url: Url | None = None
    publish_at: AwareTime | None = None
    schedule_reason: LongText | None = None
    release_number: ReleaseNumber | None = None
    contact_name: ContactName | None = None
    contact_phone: ContactPhone | None = None
    contact_email: ContactEmail | None = None
    claim_text: LongText | None = None
    claim_source_url: Url | None = None
    claim_author: ClaimAuthor | None = None
    claim_date: date | None = None
    claim_rating: ClaimRating | Literal[""] | None = None
    embed_url: Url | None = None
    variants: VariantList | None = None
    media: MediaIds | None = None
    tags: TagNames | None = None
    authors: AuthorIds | None = None


class CommentIn(InputSchema):
    comment: Comment = ""


class ReturnIn(InputSchema):
    comment: Comment = Field(description="What must change (required).")


class ApproveIn(InputSchema):
    version: Id = Field(
        description="The version you reviewed; a newer one answers 409 and changes nothing."
    )
    comment: Comment = ""
    reason: LongText = Field(
        "",
        description="Needed when the planned time falls in a period that restricts "
        "publishing (quiet period).",
    )


class ScheduleIn(InputSchema):
    publish_at: AwareTime
    reason: LongText = Field(
        "", description="Needed when the time falls in a period that restricts publishing."
    )


class PublishIn(InputSchema):
    reason: LongText = Field(
        "", description="Needed when now falls in a period that restricts publishing."
    )


class WithdrawIn(InputSchema):
    notice: LongText = Field(description="The public correction notice (required).")


class ShareIn(InputSchema):
    shared: bool = Field(True, description="Offer (true) or stop offering (false).")


class LocaliseIn(InputSchema):
    unit: Id | None = Field(
        None, description="The unit the copy is for (in your scope); default: your own."
    )


class ContentFilter(Schema):
    unit: Id | None = Field(None, description="Id of the owning work unit.")
    status: Status | None = None
    form: ContentForm | None = None
    topic: Topic | None = None
    tag: str | None = Field(None, max_length=TAG_MAX_LENGTH, description="A tag name.")
    q: str | None = Field(None, max_length=200, description="Words of the title or text.")
    planned_from: datetime | None = Field(
        None,
        description="Planned publication time from (ISO 8601; a date or a time without a "
        "zone is read in the server's zone).",
    )
    planned_to: datetime | None = Field(None, description="Planned publication time until.")
    awaiting_my_validation: bool | None = Field(
        None, description="true: only items you could validate now (four eyes applied)."
    )
    template: bool | None = Field(None, description="Only items shared down as templates.")


class TemplateFilter(Schema):
    unit: Id | None = Field(
        None, description="The unit the templates are offered to (in your scope); default: own."
    )


# --- content: output ----------------------------------------------------------------------


class VariantCheckOut(Schema):
    length: int = Field(description="Characters as the platform counts them.")
    limit: int | None = Field(description="The platform's limit, or null for none.")
    hashtags: int
    max_hashtags: int | None
    ok: bool
    errors: list[str] = Field(description="What is over the platform's limits.")


class VariantOut(Schema):
    channel: ContentChannel
    text: str
    hashtags: str
    link: str
    preview: str = Field(description="The post as the platform receives it.")
    check: VariantCheckOut


class MediaRef(Schema):
    id: int
    kind: MediaKind
    title: str
    alt_text: str
    caption: str
    credit: str
    url: str
    thumbnail_url: str | None
    needs_alt_text: bool


class ContentRef(Schema):
    id: int
    unit: UnitRef
    title: str


class TransitionOut(Schema):
    from_status: Status | Literal[""]
    to_status: Status
    by: UserRef | None
    at: datetime
    comment: str = Field(description="In the request's language for system comments.")
    version: int

    @staticmethod
    def resolve_comment(obj: Any) -> str:
        return str(obj.display_comment)


class ApprovalOut(Schema):
    approved_by: UserRef | None
    approved_at: datetime | None
    approved_version: int | None = Field(description="The version the approval is bound to.")
    valid: bool = Field(description="Whether the current content is exactly what was approved.")


class ContentListOut(Schema):
    id: int
    unit: UnitRef
    form: ContentForm
    topic: Topic
    title: str = Field(description="Plain text (not HTML).")
    slug: str
    summary: str
    status: Status
    version: int
    tags: list[str]
    publish_at: datetime | None
    published_at: datetime | None
    is_template: bool
    source_id: int | None
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_tags(obj: ContentItem | dict[str, Any]) -> list[str]:
        if isinstance(obj, dict):  # the detail is built as a dict
            return list(obj["tags"])
        return [tag.name for tag in obj.tags.all()]


class TemplateOut(ContentListOut):
    localised_id: int | None = Field(
        description="Id of the unit's own copy, when it was already localised."
    )

    @staticmethod
    def resolve_localised_id(obj: Any) -> int | None:
        return getattr(obj, "localised_id", None)


class ContentOut(ContentListOut):
    body: str = Field(description="Sanitised HTML.")
    body_text: str
    election_id: int | None
    stage_id: int | None
    national_issue_url: str
    schedule_reason: str
    withdrawn_at: datetime | None
    correction_notice: str
    release_number: str
    contact_name: str
    contact_phone: str
    contact_email: str
    claim_text: str
    claim_source_url: str
    claim_author: str
    claim_date: date | None
    claim_rating: ClaimRating | Literal[""]
    embed_url: str
    source: ContentRef | None
    created_by: UserRef
    authors: list[UserRef]
    media: list[MediaRef]
    variants: list[VariantOut]
    approval: ApprovalOut
    transitions: list[TransitionOut] = Field(description="The workflow history, newest first.")
    submission_problems: list[str] = Field(
        description="What stops the item from going to validation or being published."
    )
    schedule_warnings: list[str] = Field(
        description="The planned time falls in a period that restricts publishing."
    )
    can_edit: bool = Field(description="Whether you may change it now.")
    validation_refusal: str | None = Field(
        description="Why you may not validate it now; null when you may."
    )


class VersionOut(Schema):
    number: int
    content_hash: str
    created_by: UserRef | None
    created_at: datetime


class VersionDetailOut(VersionOut):
    snapshot: dict[str, Any] = Field(
        description="The content the version holds (fields, tags, media, variants)."
    )
    changed: list[str] = Field(
        description="What differs from the previous version (field names, "
        "``tags``, ``media``, ``variants``)."
    )


# --- media --------------------------------------------------------------------------------


class RenditionOut(Schema):
    name: str
    url: str
    width: int
    height: int
    mime_type: str
    size: int

    @staticmethod
    def resolve_url(obj: Any, context: Any) -> str:
        return file_url(_request(context), obj.file)


class MediaOut(Schema):
    id: int
    unit: UnitRef
    kind: MediaKind
    url: str
    original_name: str
    mime_type: str
    size: int
    sha256: str
    width: int | None
    height: int | None
    duration_seconds: int | None
    title: str
    alt_text: str
    caption: str
    credit: str
    needs_alt_text: bool
    uploaded_by: UserRef | None
    renditions: list[RenditionOut]
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_url(obj: MediaAsset, context: Any) -> str:
        return file_url(_request(context), obj.file)

    @staticmethod
    def resolve_renditions(obj: MediaAsset) -> list[Any]:
        return list(obj.renditions.all())


class MediaDetailOut(MediaOut):
    used_by: list[ContentRef] = Field(
        description="Content items (in your scope) using the file, at most 50."
    )
    use_count: int = Field(description="How many content items use it, in any unit.")


class MediaFilter(Schema):
    unit: Id | None = Field(None, description="Id of the owning work unit.")
    kind: MediaKind | None = None
    missing_alt: bool | None = Field(None, description="true: images without alternative text.")
    q: str | None = Field(None, max_length=200, description="Words of the title or file name.")


MediaTitle = Annotated[str, Field(max_length=max_length(MediaAsset, "title"))]
AltText = Annotated[str, Field(max_length=max_length(MediaAsset, "alt_text"))]
Caption = Annotated[str, Field(max_length=max_length(MediaAsset, "caption"))]
Credit = Annotated[str, Field(max_length=max_length(MediaAsset, "credit"))]


class MediaPatch(InputSchema):
    """Only the fields sent change; ``null`` clears one."""

    title: MediaTitle | None = None
    alt_text: AltText | None = Field(None, description="Required on images before publishing.")
    caption: Caption | None = None
    credit: Credit | None = None


class MediaUploadIn(InputSchema):
    """The form fields sent beside the ``file`` of a multipart upload."""

    unit: Id | None = Field(None, description="Owning work unit id; default: your own.")
    title: MediaTitle = ""
    alt_text: AltText = ""
    caption: Caption = ""
    credit: Credit = ""


# --- public -------------------------------------------------------------------------------


class PublicUnitRef(Schema):
    code: str
    name: str


class PublicUnitOut(Schema):
    code: str = Field(description="Region code: “00” national, “64” a province, “64.72” …")
    name: str
    region_name: str
    level: str
    parent_code: str | None
    time_zone: str
    zone_abbreviation: str
    website: str

    @staticmethod
    def resolve_parent_code(obj: Any) -> str | None:
        return obj.parent.code if obj.parent_id else None


class PublicUnitFilter(Schema):
    level: Literal["national", "province", "regency_city"] | None = None
    parent: str | None = Field(None, max_length=16, description="Region code of the parent.")


class PublicMediaOut(Schema):
    kind: MediaKind
    url: str
    width: int | None
    height: int | None
    alt_text: str
    caption: str
    credit: str
    thumbnail_url: str | None

    @staticmethod
    def resolve_url(obj: Any, context: Any) -> str:
        return file_url(_request(context), obj.asset.file)

    @staticmethod
    def resolve_thumbnail_url(obj: Any, context: Any) -> str | None:
        return thumbnail_url(_request(context), obj.asset)

    @staticmethod
    def resolve_kind(obj: Any) -> str:
        return str(obj.asset.kind)

    @staticmethod
    def resolve_width(obj: Any) -> int | None:
        return obj.asset.width  # type: ignore[no-any-return]

    @staticmethod
    def resolve_height(obj: Any) -> int | None:
        return obj.asset.height  # type: ignore[no-any-return]

    @staticmethod
    def resolve_alt_text(obj: Any) -> str:
        return str(obj.asset.alt_text)

    @staticmethod
    def resolve_caption(obj: Any) -> str:
        return str(obj.asset.caption)

    @staticmethod
    def resolve_credit(obj: Any) -> str:
        return str(obj.asset.credit)


class PublicItemOut(Schema):
    unit: PublicUnitRef
    form: ContentForm
    topic: Topic
    title: str = Field(description="Plain text (not HTML).")
    slug: str
    summary: str
    url: str = Field(description="The item's page on the portal.")
    published_at: datetime
    tags: list[str]
    media: list[PublicMediaOut]

    @staticmethod
    def resolve_url(obj: ContentItem, context: Any) -> str:
        path = f"/satker/{obj.unit.code}/konten/{obj.slug}/"
        request = _request(context)
        return str(request.build_absolute_uri(path)) if request is not None else path

    @staticmethod
    def resolve_tags(obj: ContentItem) -> list[str]:
        return [tag.name for tag in obj.tags.all()]

    @staticmethod
    def resolve_media(obj: ContentItem) -> list[Any]:
        return list(obj.media_links.all())


class ClaimOut(Schema):
    text: str
    source_url: str
    author: str
    appeared_on: date | None
    rating: ClaimRating | Literal[""]


class PressContactOut(Schema):
    release_number: str
    name: str
    phone: str
    email: str


class PublicItemDetailOut(PublicItemOut):
    body: str = Field(description="Sanitised HTML (an allow-list of tags, no script).")
    body_text: str
    national_issue_url: str
    embed_url: str
    press_release: PressContactOut | None = Field(description="Press releases only.")
    claim: ClaimOut | None = Field(description="Hoax clarifications only.")

    @staticmethod
    def resolve_press_release(obj: ContentItem) -> dict[str, Any] | None:
        if obj.form != ContentForm.PRESS_RELEASE:
            return None
        return {
            "release_number": obj.release_number,
            "name": obj.contact_name,
            "phone": obj.contact_phone,
            "email": obj.contact_email,
        }

    @staticmethod
    def resolve_claim(obj: ContentItem) -> dict[str, Any] | None:
        if obj.form != ContentForm.HOAX_CLARIFICATION:
            return None
        return {
            "text": obj.claim_text,
            "source_url": obj.claim_source_url,
            "author": obj.claim_author,
            "appeared_on": obj.claim_date,
            "rating": obj.claim_rating,
        }


class PublicItemFilter(Schema):
    unit: str | None = Field(None, max_length=16, description="Region code, e.g. 64.72.")
    include_children: bool = Field(
        False, description="With ``unit``: also the items of the units below it."
    )
    form: ContentForm | None = None
    q: str | None = Field(None, max_length=200, description="Words of the title or text.")
    since: datetime | None = Field(None, description="Published at or after (ISO 8601).")


class GoneOut(Schema):
    """A withdrawn item: only its public correction notice remains."""

    detail: str
    correction_notice: str
    withdrawn_at: datetime | None
