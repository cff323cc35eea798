"""Request and response schemas of the dissemination API (publications, deliveries,
channel accounts, mailing lists and subscribers, totals).

Input schemas follow :class:`bakohumas.api.schemas.InputSchema`: unknown fields are
refused, surrounding white space is stripped, NUL characters are refused and every text
carries the maximum length of its model field. Times are ISO 8601 with a time zone; answers
give them in UTC.

**Secrets are write-only.** A channel account's ``secret`` (tokens, app secrets) is
accepted on create and update and never returned: answers carry ``secret_hint`` (the last
four characters of the longest value) and ``has_secret`` only.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import AfterValidator

from bakohumas.api.content_schemas import AwareTime, file_url
from bakohumas.api.schemas import (
    TAG_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    Id,
    InputSchema,
    UnitRef,
    UserRef,
    max_length,
)
from bakohumas.dissemination.models import (
    AccountStatus,
    ChannelAccount,
    ChannelKind,
    DeliveryStatus,
    MailingList,
    Metric,
    Publication,
    PublicationStatus,
    Subscriber,
    SubscriberStatus,
)
from bakohumas.stakeholders.models import Category

MAX_SETTINGS = 30
SETTING_KEY_MAX_LENGTH = 64
SETTING_VALUE_MAX_LENGTH = 2000
SECRET_VALUE_MAX_LENGTH = 8192
MAX_RETRY_IDS = 1000
DELIVERY_PAGE_DEFAULT = 100
DELIVERY_PAGE_MAX = 500
METRIC_MAX = 2_000_000_000
AUDIENCE_MAX = 1_000_000_000
# Setting names that look like credentials: they belong in ``secret``, never in ``config``.
SECRET_LOOKING = re.compile(r"token|secret|password|passwd|private|credential", re.IGNORECASE)
_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]*$")


def _request(context: Any) -> Any:
    return (context or {}).get("request")


# --- validators ----------------------------------------------------------------------------


def _check_keys(value: dict[str, Any]) -> None:
    if len(value) > MAX_SETTINGS:
        raise ValueError(_("At most %(n)s settings.") % {"n": MAX_SETTINGS})
    for key in value:
        if len(key) > SETTING_KEY_MAX_LENGTH or not _KEY.match(key):
            raise ValueError(
                _("“%(key)s” is not a valid setting name (letters, digits, _ . -).")
                % {"key": key[:SETTING_KEY_MAX_LENGTH]}
            )


def _valid_config(value: dict[str, Any]) -> dict[str, Any]:
    _check_keys(value)
    for key, item in value.items():
        if SECRET_LOOKING.search(key):
            raise ValueError(
                _(
                    "“%(key)s” looks like a credential: send it in “secret” (settings are "
                    "shown to everyone who can see the account)."
                )
                % {"key": key}
            )
        if isinstance(item, str) and "\x00" in item:
            raise ValueError(_("Null characters are not allowed."))
        if isinstance(item, str) and len(item) > SETTING_VALUE_MAX_LENGTH:
            raise ValueError(
                _("The setting “%(key)s” must be a text of at most %(n)s characters.")
                % {"key": key, "n": SETTING_VALUE_MAX_LENGTH}
            )
    return value


def _valid_secret(value: dict[str, Any]) -> dict[str, Any]:
    _check_keys(value)
    for key, item in value.items():
        if item is not None and "\x00" in item:
            raise ValueError(_("Null characters are not allowed."))
        if item is not None and len(item) > SECRET_VALUE_MAX_LENGTH:
            raise ValueError(
                _("The secret “%(key)s” must be a text of at most %(n)s characters.")
                % {"key": key, "n": SECRET_VALUE_MAX_LENGTH}
            )
    return value


def _valid_email_or_blank(value: str) -> str:
    if not value:
        return value
    try:
        validate_email(value)
    except DjangoValidationError as exc:
        raise ValueError(exc.messages[0]) from None
    local, _sep, domain = value.rpartition("@")
    return f"{local}@{domain.lower()}"


def _required_email(value: str) -> str:
    if not value:
        raise ValueError(_("This field cannot be blank."))
    return _valid_email_or_blank(value)


SettingValue = str | int | float | bool | None
Config = Annotated[
    dict[str, SettingValue],
    AfterValidator(_valid_config),
    Field(
        description="Settings that may be shown (``api_base``, ``destination``, "
        "``phone_number_id`` …). Names that look like credentials are refused here."
    ),
]
Secret = Annotated[
    dict[str, str | None],
    AfterValidator(_valid_secret),
    Field(
        description="Credentials (``access_token``, ``bot_token``, ``app_secret`` …), "
        "encrypted at rest and never returned."
    ),
]
AccountName = Annotated[str, Field(min_length=1, max_length=max_length(ChannelAccount, "name"))]
ListName = Annotated[str, Field(min_length=1, max_length=max_length(MailingList, "name"))]
FromName = Annotated[str, Field(max_length=max_length(MailingList, "from_name"))]
ReplyTo = Annotated[
    str,
    Field(max_length=max_length(MailingList, "reply_to")),
    AfterValidator(_valid_email_or_blank),
]
SubscriberEmail = Annotated[
    str, Field(max_length=max_length(Subscriber, "email")), AfterValidator(_required_email)
]
SubscriberName = Annotated[str, Field(max_length=max_length(Subscriber, "name"))]
ConsentSource = Annotated[
    str,
    Field(
        min_length=1,
        max_length=max_length(Subscriber, "consent_source") - 40,
        description="How the person asked to subscribe (e.g. “sign-up sheet, press meeting "
        "1 March”); kept as the source of the consent.",
    ),
]
Target = Annotated[str, Field(max_length=max_length(Publication, "target"))]
TemplateName = Annotated[str, Field(max_length=max_length(Publication, "template_name"))]
TemplateLanguage = Annotated[str, Field(max_length=max_length(Publication, "template_language"))]
LongText = Annotated[str, Field(max_length=TEXT_MAX_LENGTH)]
Rate = Annotated[float, Field(ge=0, le=1000, description="Sends per second (0: the default).")]
TagName = Annotated[str, Field(max_length=TAG_MAX_LENGTH)]
Figure = Annotated[int, Field(ge=0, le=METRIC_MAX)]


# --- small references ------------------------------------------------------------------------


class ItemRef(Schema):
    id: int
    title: str
    status: str


class AccountRef(Schema):
    id: int
    name: str
    status: AccountStatus


class NamedRef(Schema):
    id: int
    name: str


# --- publications ----------------------------------------------------------------------------


class MetricOut(Schema):
    reach: int
    impressions: int
    engagement: int
    clicks: int
    source: Metric.Source
    fetched_at: datetime
    error: str


class EvidenceOut(Schema):
    id: int
    url: str
    file_url: str = Field(description='The screenshot or scan, or "".')
    broadcast_at: datetime
    audience: int | None
    note: str
    recorded_by: UserRef | None
    recorded_at: datetime

    @staticmethod
    def resolve_file_url(obj: Any, context: Any) -> str:
        return file_url(_request(context), obj.file)


def metric_of(obj: Any) -> Any:
    """The publication's metrics (loaded with ``select_related``), or ``None``."""
    if isinstance(obj, dict):
        return obj.get("metric")
    try:
        return obj.metric
    except Metric.DoesNotExist:
        return None


class PublicationOut(Schema):
    id: int
    item: ItemRef
    unit: UnitRef
    kind: ChannelKind
    account: AccountRef | None
    mailing_list: NamedRef | None
    group: NamedRef | None
    target: str = Field(description="Group, outlet or event name of a manual channel.")
    scheduled_at: datetime
    status: PublicationStatus
    responsible: UserRef | None
    total: int = Field(description="Delivery rows written at dispatch.")
    skipped: int = Field(description="Rows skipped at dispatch (no consent, invalid …).")
    started_at: datetime | None
    finished_at: datetime | None
    external_url: str = Field(description="Where it was published, when known.")
    error: str = Field(description="Why it failed or was paused.")
    metric: MetricOut | None

    @staticmethod
    def resolve_metric(obj: Publication) -> Any:
        return metric_of(obj)


class PublicationDetailOut(PublicationOut):
    segment: dict[str, list[str]]
    template_name: str
    template_language: str
    is_manual: bool
    created_by: UserRef | None
    created_at: datetime
    counts: dict[str, int] = Field(description="Delivery rows per status.")
    evidence: list[EvidenceOut]
    share_url: str | None = Field(description="Public share page of a manual package.")


class PublicationFilter(Schema):
    item: Id | None = Field(None, description="Id of the content item.")
    unit: Id | None = Field(None, description="Id of the work unit.")
    status: PublicationStatus | None = None
    kind: ChannelKind | None = None
    scheduled_from: datetime | None = Field(None, description="Send time from (ISO 8601).")
    scheduled_to: datetime | None = Field(None, description="Send time until (ISO 8601).")
    q: str | None = Field(None, max_length=200, description="Words of the item's title.")


class SegmentIn(InputSchema):
    categories: Annotated[list[Category], Field(max_length=20)] = []
    tags: Annotated[list[TagName], Field(max_length=50)] = []


class PublicationIn(InputSchema):
    kind: ChannelKind
    account: Id | None = Field(None, description="Channel account id (API channels).")
    mailing_list: Id | None = Field(None, description="Mailing list id (email).")
    group: Id | None = Field(None, description="Stakeholder group id (email, WhatsApp).")
    segment: SegmentIn | None = Field(
        None, description="Stakeholder segment: organisation categories and tags."
    )
    target: Target = ""
    scheduled_at: AwareTime | None = Field(None, description="Send time; default now.")
    responsible: Id | None = Field(
        None, description="User id of who shares a manual publication; default you."
    )
    template_name: TemplateName = Field("", description="Approved WhatsApp template.")
    template_language: TemplateLanguage = Field("", description="Its language; default id.")
    manual: bool = Field(
        False,
        description="Post on a social platform by hand (manual package and evidence) instead "
        "of through a connected account.",
    )


class RetryIn(InputSchema):
    deliveries: Annotated[list[Id], Field(max_length=MAX_RETRY_IDS)] | None = Field(
        None, description="Ids of failed rows to send again; default every failed row."
    )


class RetryOut(Schema):
    requeued: int
    publication: PublicationDetailOut


class EvidenceIn(InputSchema):
    url: Annotated[str, Field(max_length=500)] = Field(
        "", description="Where it appeared (http or https)."
    )
    broadcast_at: AwareTime | None = Field(None, description="When; default now.")
    audience: Annotated[int, Field(ge=0, le=AUDIENCE_MAX)] | None = None
    note: LongText = ""


class MetricsIn(InputSchema):
    reach: Figure
    impressions: Figure = 0
    engagement: Figure = 0
    clicks: Figure = 0


class PackageMediaOut(Schema):
    name: str
    url: str
    size: int
    mime_type: str
    kind: str = Field(description="image, video, audio, pdf …")
    rendition: str = Field(description='"" for the original, else the rendition\'s name.')


class PackageOut(Schema):
    whatsapp_text: str = Field(description="Ready to paste into WhatsApp (*bold*, link).")
    link: str = Field(description="The item's portal link with UTM tags.")
    share_url: str = Field(description="A public page with the text, link and media.")
    media: list[PackageMediaOut]


# --- deliveries ------------------------------------------------------------------------------


class DeliveryOut(Schema):
    id: int
    recipient: str = Field(
        description="Email address or number; masked (``w***@example.id``) unless you may "
        "change publications."
    )
    recipient_name: str
    status: DeliveryStatus
    error: str = Field(description="Why it failed or was skipped.")
    consent_ref: str = Field(description="The consent the send relied on.")
    attempts: int
    next_attempt_at: datetime
    sent_at: datetime | None
    delivered_at: datetime | None
    read_at: datetime | None
    clicked_at: datetime | None
    contact_id: int | None
    subscriber_id: int | None


class DeliveryFilter(Schema):
    status: DeliveryStatus | None = None
    q: str | None = Field(
        None, max_length=254, description="Start of the recipient's address or number."
    )
    after: int = Field(0, ge=0, description="Rows after this id (the ``next_after`` answered).")
    limit: int = Field(DELIVERY_PAGE_DEFAULT, ge=1, le=DELIVERY_PAGE_MAX)


class DeliveryPage(Schema):
    results: list[DeliveryOut]
    next_after: int | None = Field(description="Pass as ``after`` for the next rows, or null.")
    next: str | None = Field(description="URL of the next rows, or null.")


# --- channel accounts ------------------------------------------------------------------------


class AccountOut(Schema):
    id: int
    unit: UnitRef
    kind: ChannelKind
    name: str
    config: dict[str, Any]
    has_secret: bool
    secret_hint: str = Field(description="The end of the saved secret, e.g. “…x9Qa”.")
    status: AccountStatus
    status_detail: str
    checked_at: datetime | None
    rate_per_second: float
    paused_until: datetime | None = Field(description="Held after a 429 until then.")
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_has_secret(obj: ChannelAccount) -> bool:
        return bool(obj.secret_ciphertext)


class AccountFilter(Schema):
    unit: Id | None = None
    kind: ChannelKind | None = None
    status: AccountStatus | None = None


class AccountIn(InputSchema):
    unit: Id | None = Field(None, description="Owning work unit id; default: your own.")
    kind: ChannelKind
    name: AccountName
    config: Config = {}
    secret: Secret = {}
    rate_per_second: Rate = 0


class AccountPatch(InputSchema):
    not_null = frozenset({"name", "config", "secret", "rate_per_second", "status"})

    name: AccountName | None = None
    config: Config | None = Field(None, description="Replaces every setting.")
    secret: Secret | None = Field(
        None,
        description="Merged into the saved secret: a value replaces, null removes that "
        "entry, an entry not sent is kept. New credentials mark the account connected.",
    )
    rate_per_second: Rate | None = None
    status: Literal["connected", "disabled"] | None = Field(
        None, description="Disable the account, or mark it connected again."
    )


# --- mailing lists and subscribers ------------------------------------------------------------


class SubscriberCounts(Schema):
    confirmed: int
    pending: int
    unsubscribed: int
    bounced: int


class MailingListOut(Schema):
    id: int
    unit: UnitRef
    name: str
    description: str
    is_public: bool = Field(description="Open to subscription on the portal.")
    from_name: str
    reply_to: str
    created_at: datetime
    subscribers: SubscriberCounts

    @staticmethod
    def resolve_subscribers(obj: Any) -> dict[str, int]:
        return {
            status: int(getattr(obj, f"n_{status}", 0) or 0) for status in SubscriberStatus.values
        }


class MailingListFilter(Schema):
    unit: Id | None = None
    q: str | None = Field(None, max_length=200, description="Words of the name.")


class MailingListIn(InputSchema):
    unit: Id | None = Field(None, description="Owning work unit id; default: your own.")
    name: ListName
    description: LongText = ""
    is_public: bool = True
    from_name: FromName = ""
    reply_to: ReplyTo = ""


class MailingListPatch(InputSchema):
    not_null = frozenset({"name", "description", "is_public", "from_name", "reply_to"})

    name: ListName | None = None
    description: LongText | None = None
    is_public: bool | None = None
    from_name: FromName | None = None
    reply_to: ReplyTo | None = None


class SubscriberOut(Schema):
    id: int
    email: str = Field(description="Masked unless you may change subscribers.")
    name: str
    status: SubscriberStatus
    consent_source: str
    subscribed_at: datetime
    confirmed_at: datetime | None
    unsubscribed_at: datetime | None
    soft_bounces: int
    contact_id: int | None


class SubscriberFilter(Schema):
    status: SubscriberStatus | None = None
    q: str | None = Field(None, max_length=200, description="Part of the address or name.")


class SubscriberIn(InputSchema):
    email: SubscriberEmail
    name: SubscriberName = ""
    source: ConsentSource


# --- totals ----------------------------------------------------------------------------------


class TotalsFilter(Schema):
    start: date = Field(description="First day (in the unit's time zone).")
    end: date = Field(description="Last day, included.")
    unit: Id | None = Field(None, description="Only this unit (in your scope).")


class TotalOut(Schema):
    unit: UnitRef
    kind: ChannelKind
    publications: int
    reach: int
    impressions: int
    engagement: int
    clicks: int
