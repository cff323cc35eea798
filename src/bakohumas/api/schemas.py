"""Request and response schemas of the REST API.

Input schemas forbid unknown fields, strip surrounding white space, refuse NUL
characters and carry the maximum lengths of the model fields. Related objects are
written as ids (``"unit": 12``) and read back as small objects (``"unit": {"id": 12,
"code": "64.72", "name": "…"}``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import AfterValidator, ConfigDict, field_validator

from bakohumas.core.models import Level, Role, StaffProfile
from bakohumas.stakeholders.models import (
    Audience,
    Category,
    Channel,
    CommunicationGroup,
    ConsentMethod,
    ConsentStatus,
    Contact,
    ContactConsent,
    MemberRole,
    Organisation,
    Platform,
)
from bakohumas.stakeholders.validation import normalise_email, normalise_phone

# Free text (TextField) is capped so one request cannot store megabytes in a note.
TEXT_MAX_LENGTH = 10_000
# Phone numbers are accepted as typed ("0812-3456-7890") and stored in E.164.
PHONE_INPUT_MAX_LENGTH = 32
TAG_MAX_LENGTH = 64
MAX_TAGS = 50
ID_MAX = 2**63 - 1


def aware(value: datetime | None) -> datetime | None:
    """A filter's date and time in the server's zone when it came without one."""
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


def max_length(model: type[models.Model], field: str) -> int:
    """The ``max_length`` of a model's character field."""
    value = getattr(model._meta.get_field(field), "max_length", None)
    assert value is not None, f"{model.__name__}.{field} has no max_length"
    return int(value)


def _valid_phone(value: str) -> str:
    try:
        return normalise_phone(value)
    except DjangoValidationError as exc:
        raise ValueError(exc.messages[0]) from None


def _valid_email(value: str) -> str:
    try:
        return normalise_email(value)
    except DjangoValidationError as exc:
        raise ValueError(exc.messages[0]) from None


ContactEmail = Annotated[
    str, Field(max_length=max_length(Contact, "email")), AfterValidator(_valid_email)
]
ContactPosition = Annotated[str, Field(max_length=max_length(Contact, "position"))]
GroupInviteLink = Annotated[str, Field(max_length=max_length(CommunicationGroup, "invite_link"))]
OrgCity = Annotated[str, Field(max_length=max_length(Organisation, "city"))]
OrgEmail = Annotated[
    str, Field(max_length=max_length(Organisation, "email")), AfterValidator(_valid_email)
]
OrgFacebook = Annotated[str, Field(max_length=max_length(Organisation, "facebook"))]
OrgInstagram = Annotated[str, Field(max_length=max_length(Organisation, "instagram"))]
OrgTiktok = Annotated[str, Field(max_length=max_length(Organisation, "tiktok"))]
OrgWebsite = Annotated[str, Field(max_length=max_length(Organisation, "website"))]
OrgXAccount = Annotated[str, Field(max_length=max_length(Organisation, "x_account"))]
OrgYoutube = Annotated[str, Field(max_length=max_length(Organisation, "youtube"))]
OrgName = Annotated[str, Field(min_length=1, max_length=max_length(Organisation, "name"))]
ContactName = Annotated[str, Field(min_length=1, max_length=max_length(Contact, "name"))]
GroupName = Annotated[str, Field(min_length=1, max_length=max_length(CommunicationGroup, "name"))]
ConsentEvidence = Annotated[str, Field(max_length=max_length(ContactConsent, "evidence"))]
LongText = Annotated[str, Field(max_length=TEXT_MAX_LENGTH)]
PhoneText = Annotated[
    str,
    Field(max_length=PHONE_INPUT_MAX_LENGTH, description="Any usual spelling; stored in E.164."),
    AfterValidator(_valid_phone),
]
Id = Annotated[int, Field(ge=1, le=ID_MAX)]


def _valid_channel_or_blank(value: str) -> str:
    if value and value not in Channel.values:
        raise ValueError(
            _("Select a valid choice: %(expected)s.")
            % {"expected": ", ".join(f"'{v}'" for v in ["", *Channel.values])}
        )
    return value


ChannelOrBlank = Annotated[
    str,
    Field(json_schema_extra={"enum": ["", *Channel.values]}, description='A channel or "".'),
    AfterValidator(_valid_channel_or_blank),
]
TagList = Annotated[
    list[Annotated[str, Field(max_length=TAG_MAX_LENGTH)]],
    Field(max_length=MAX_TAGS, description="Tag names; missing tags are created."),
]


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    return False


# --- errors -------------------------------------------------------------------------------


class ErrorOut(Schema):
    """Every error answer: a message and, for 422, the messages of each field."""

    detail: str = Field(description="What went wrong, in the user's language.")
    errors: dict[str, list[str]] | None = Field(
        None,
        description="Field name → messages (`__all__` for the whole object). Only on 422.",
        examples=[{"email": ["“x@” is not a valid email address."]}],
    )


class DeleteOut(Schema):
    deleted: bool = Field(
        description="True when the row was deleted; false when it was deactivated "
        "instead because it has history."
    )
    detail: str


# --- input base ---------------------------------------------------------------------------


class InputSchema(Schema):
    """Base of every request body: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    # Fields that may be omitted in a PATCH but never set to null.
    not_null: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_nul(cls, value: Any) -> Any:
        if _has_nul(value):
            raise ValueError(_("Null characters are not allowed."))
        return value

    def changes(self) -> dict[str, Any]:
        """The fields the client sent (for PATCH), with ``None`` refused where needed."""
        from bakohumas.api.errors import ApiValidationError

        data = {name: getattr(self, name) for name in self.model_fields_set}
        nulls = sorted(
            name for name, value in data.items() if value is None and name in self.not_null
        )
        if nulls:
            raise ApiValidationError({name: [_("This field cannot be null.")] for name in nulls})
        return data


# --- work units and people ------------------------------------------------------------------


class UnitRef(Schema):
    id: int
    code: str
    name: str


class WorkUnitOut(Schema):
    id: int
    code: str = Field(description="Region code: “00” national, “64” a province, “64.72” …")
    name: str
    region_name: str
    level: Level
    kind: str
    parent: UnitRef | None
    province_id: int | None
    time_zone: str
    zone_abbreviation: str = Field(description="WIB, WITA or WIT.")
    address: str
    phone: str
    email: str
    website: str
    is_active: bool


class WorkUnitFilter(Schema):
    level: Level | None = Field(None, description="national, province or regency_city.")
    parent: Id | None = Field(None, description="Id of the parent unit.")
    q: str | None = Field(None, max_length=200, description="Code, name or region.")
    active: bool | None = None


class PersonOut(Schema):
    id: int = Field(description="Id of the staff profile.")
    user_id: int
    username: str
    full_name: str
    email: str
    is_active: bool
    unit: UnitRef
    role: str
    category: str
    pranata_level: str
    team_position: str
    job_title: str

    @staticmethod
    def resolve_username(obj: StaffProfile) -> str:
        return obj.user.get_username()

    @staticmethod
    def resolve_full_name(obj: StaffProfile) -> str:
        return obj.user.get_full_name()

    @staticmethod
    def resolve_email(obj: StaffProfile) -> str:
        return obj.user.email

    @staticmethod
    def resolve_is_active(obj: StaffProfile) -> bool:
        return obj.user.is_active


class PersonFilter(Schema):
    unit: Id | None = Field(None, description="Id of the work unit.")
    role: Role | None = None
    q: str | None = Field(None, max_length=200, description="Name, username, email, title.")
    active: bool | None = Field(None, description="Whether the account is active.")


# --- organisations --------------------------------------------------------------------------


class OrganisationRef(Schema):
    id: int
    name: str


def _tag_names(obj: Any) -> list[str]:
    return [tag.name for tag in obj.tags.all()]


class OrganisationOut(Schema):
    id: int
    unit: UnitRef
    name: str
    category: Category
    address: str
    city: str
    phone: str = Field(description="E.164, e.g. +62541123456.")
    email: str
    website: str
    facebook: str
    instagram: str
    x_account: str
    youtube: str
    tiktok: str
    notes: str
    tags: list[str]
    is_active: bool
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_tags(obj: Organisation) -> list[str]:
        return _tag_names(obj)


class OrganisationFilter(Schema):
    q: str | None = Field(None, max_length=200, description="Name, city or email.")
    category: Category | None = None
    unit: Id | None = Field(None, description="Id of the owning work unit.")
    tag: str | None = Field(None, max_length=TAG_MAX_LENGTH, description="A tag name.")
    active: bool | None = None


class _OrganisationFields(InputSchema):
    address: LongText = ""
    city: OrgCity = ""
    phone: PhoneText = ""
    email: OrgEmail = ""
    website: OrgWebsite = ""
    facebook: OrgFacebook = ""
    instagram: OrgInstagram = ""
    x_account: OrgXAccount = ""
    youtube: OrgYoutube = ""
    tiktok: OrgTiktok = ""
    notes: LongText = ""
    tags: TagList = []
    is_active: bool = True


class OrganisationIn(_OrganisationFields):
    unit: Id | None = Field(None, description="Owning work unit id; default: your own.")
    name: OrgName
    category: Category


class OrganisationPatch(InputSchema):
    not_null = frozenset({"unit", "name", "category", "is_active", "tags"})

    unit: Id | None = Field(None, description="Move to this work unit (in your scope).")
    name: OrgName | None = None
    category: Category | None = None
    address: LongText | None = None
    city: OrgCity | None = None
    phone: PhoneText | None = None
    email: OrgEmail | None = None
    website: OrgWebsite | None = None
    facebook: OrgFacebook | None = None
    instagram: OrgInstagram | None = None
    x_account: OrgXAccount | None = None
    youtube: OrgYoutube | None = None
    tiktok: OrgTiktok | None = None
    notes: LongText | None = None
    tags: TagList | None = None
    is_active: bool | None = None


# --- contacts -------------------------------------------------------------------------------


class ConsentOut(Schema):
    channel: Channel
    status: ConsentStatus
    method: ConsentMethod
    evidence: str
    given_at: datetime | None
    withdrawn_at: datetime | None
    recorded_by_id: int | None
    updated_at: datetime


class ContactOut(Schema):
    id: int
    unit: UnitRef
    organisation: OrganisationRef | None
    name: str
    position: str
    phone: str = Field(description="E.164, e.g. +6281234567890.")
    whatsapp: str = Field(description="E.164.")
    email: str
    preferred_channel: Channel | Literal[""]
    notes: str
    tags: list[str]
    is_active: bool
    merged_into_id: int | None = Field(description="Set when merged into another contact.")
    created_at: datetime
    updated_at: datetime
    consents: list[ConsentOut] = Field(description="Current consent per channel.")

    @staticmethod
    def resolve_tags(obj: Contact) -> list[str]:
        return _tag_names(obj)

    @staticmethod
    def resolve_consents(obj: Contact) -> list[ContactConsent]:
        return list(obj.consents.all())


class ContactFilter(Schema):
    q: str | None = Field(
        None, max_length=200, description="Name, position, email or phone/WhatsApp number."
    )
    organisation: Id | None = Field(None, description="Id of the organisation.")
    unit: Id | None = Field(None, description="Id of the owning work unit.")
    tag: str | None = Field(None, max_length=TAG_MAX_LENGTH, description="A tag name.")
    consent: Channel | None = Field(
        None, description="Only contacts who granted consent for this channel."
    )
    consent_status: Literal["granted", "withdrawn", "none"] | None = Field(
        None, description="With ``consent``: granted (default), withdrawn or none recorded."
    )
    preferred_channel: Channel | None = None
    active: bool | None = Field(
        None, description="true: active and not merged; false: deactivated or merged."
    )


class _ContactFields(InputSchema):
    position: ContactPosition = ""
    phone: PhoneText = ""
    whatsapp: PhoneText = ""
    email: ContactEmail = ""
    preferred_channel: ChannelOrBlank = ""
    notes: LongText = ""
    tags: TagList = []
    is_active: bool = True


class ContactIn(_ContactFields):
    unit: Id | None = Field(
        None, description="Owning unit id (ignored with an organisation); default: your own."
    )
    organisation: Id | None = Field(None, description="Organisation id; its unit wins.")
    name: ContactName
    allow_duplicate: bool = Field(
        False, description="Accept a phone, WhatsApp or email already used in the unit."
    )


class ContactPatch(InputSchema):
    not_null = frozenset({"unit", "name", "is_active", "tags", "allow_duplicate"})

    unit: Id | None = None
    organisation: Id | None = Field(None, description="Organisation id; null unlinks.")
    name: ContactName | None = None
    position: ContactPosition | None = None
    phone: PhoneText | None = None
    whatsapp: PhoneText | None = None
    email: ContactEmail | None = None
    preferred_channel: ChannelOrBlank | None = None
    notes: LongText | None = None
    tags: TagList | None = None
    is_active: bool | None = None
    allow_duplicate: bool = False


class ConsentIn(InputSchema):
    status: ConsentStatus
    method: ConsentMethod
    evidence: ConsentEvidence = ""
    at: datetime | None = Field(
        None, description="When it was given or withdrawn (ISO 8601); default now."
    )


# --- communication groups -------------------------------------------------------------------


class GroupOut(Schema):
    id: int
    unit: UnitRef
    name: str
    platform: Platform
    audience: Audience
    purpose: str
    rules: str
    invite_link: str
    is_active: bool
    member_count: int
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_member_count(obj: CommunicationGroup) -> int:
        count = getattr(obj, "n_members", None)
        return int(count) if count is not None else obj.memberships.count()


class GroupFilter(Schema):
    q: str | None = Field(None, max_length=200, description="Name or purpose.")
    unit: Id | None = Field(None, description="Id of the administering work unit.")
    platform: Platform | None = None
    audience: Audience | None = None
    active: bool | None = None


class GroupIn(InputSchema):
    unit: Id | None = Field(None, description="Administering unit id; default: your own.")
    name: GroupName
    platform: Platform = Platform.WHATSAPP
    audience: Audience = Audience.STAKEHOLDER
    purpose: LongText = ""
    rules: LongText = ""
    invite_link: GroupInviteLink = ""
    is_active: bool = True


class GroupPatch(InputSchema):
    not_null = frozenset({"unit", "name", "platform", "audience", "is_active"})

    unit: Id | None = None
    name: GroupName | None = None
    platform: Platform | None = None
    audience: Audience | None = None
    purpose: LongText | None = None
    rules: LongText | None = None
    invite_link: GroupInviteLink | None = None
    is_active: bool | None = None


class UserRef(Schema):
    id: int
    username: str
    full_name: str

    @staticmethod
    def resolve_username(obj: Any) -> str:
        return str(obj.get_username())

    @staticmethod
    def resolve_full_name(obj: Any) -> str:
        return str(obj.get_full_name())


class ContactRef(Schema):
    id: int
    name: str


class MemberOut(Schema):
    id: int = Field(description="Id of the membership (used to remove it).")
    role: MemberRole
    joined_at: datetime
    user: UserRef | None
    contact: ContactRef | None


class MemberIn(InputSchema):
    user: Id | None = Field(None, description="A staff user id …")
    contact: Id | None = Field(None, description="… or a contact id (exactly one).")
    role: MemberRole = MemberRole.MEMBER


__all__ = [
    "ConsentIn",
    "ConsentOut",
    "ContactFilter",
    "ContactIn",
    "ContactOut",
    "ContactPatch",
    "DeleteOut",
    "ErrorOut",
    "GroupFilter",
    "GroupIn",
    "GroupOut",
    "GroupPatch",
    "MemberIn",
    "MemberOut",
    "OrganisationFilter",
    "OrganisationIn",
    "OrganisationOut",
    "OrganisationPatch",
    "PersonFilter",
    "PersonOut",
    "WorkUnitFilter",
    "WorkUnitOut",
]
