"""Writes of the stakeholder workspace: one function per use case, shared by UI, API and imports.

Every function takes the acting user as ``by`` and enforces the same three rules:

* **role**: ``by`` must hold the Django permission of the write (``PermissionDenied``
  otherwise, HTTP 403);
* **scope**: the objects written and every work unit, organisation, contact or user they
  point to must be visible to ``by`` (``core.scoping``). An object outside the scope
  passed in raises ``PermissionDenied``; a *target* outside the scope (a unit, an
  organisation …) raises ``ValidationError`` on that field, as if it did not exist;
* **validity**: bad values raise ``django.core.exceptions.ValidationError`` whose
  ``message_dict`` maps field names to messages (``"__all__"`` for the rest). Nothing is
  written when an error is raised (every function is atomic).

Phone and WhatsApp numbers are stored in E.164 (``+62…``) and emails with a lower-cased
domain (``stakeholders.validation``).

Deletion policy: an organisation or contact that has history (engagements, consents,
group memberships, contacts, merged records) is *deactivated* (``is_active=False``)
instead of deleted; one without history is deleted. ``delete_*`` returns ``True`` when
the row was deleted and ``False`` when it was deactivated.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from bakohumas.core.models import Level, WorkUnit
from bakohumas.core.scoping import can_see_unit, visible_unit_ids
from bakohumas.stakeholders.models import (
    Audience,
    Channel,
    CommunicationGroup,
    ConsentMethod,
    ConsentStatus,
    Contact,
    ContactConsent,
    Engagement,
    EngagementKind,
    GroupMembership,
    MemberRole,
    Organisation,
    Platform,
    Tag,
)
from bakohumas.stakeholders.validation import normalise_email, normalise_phone

__all__ = [
    "ATTACHMENT_EXTENSIONS",
    "ATTACHMENT_MAX_BYTES",
    "CONTACT_FIELDS",
    "GROUP_FIELDS",
    "ORGANISATION_FIELDS",
    "add_engagement",
    "add_member",
    "create_contact",
    "create_group",
    "create_organisation",
    "delete_contact",
    "delete_group",
    "delete_organisation",
    "find_duplicate_contacts",
    "merge_contacts",
    "parse_tag_names",
    "remove_member",
    "set_consent",
    "set_tags",
    "update_contact",
    "update_group",
    "update_organisation",
]

#: Plain fields ``create_organisation``/``update_organisation`` accept (plus ``unit``, ``tags``).
ORGANISATION_FIELDS = (
    "name",
    "category",
    "address",
    "city",
    "phone",
    "email",
    "website",
    "facebook",
    "instagram",
    "x_account",
    "youtube",
    "tiktok",
    "notes",
    "is_active",
)
#: Plain fields ``create_contact``/``update_contact`` accept (plus ``unit``,
#: ``organisation``, ``tags``).
CONTACT_FIELDS = (
    "name",
    "position",
    "phone",
    "whatsapp",
    "email",
    "preferred_channel",
    "notes",
    "is_active",
)
#: Plain fields ``create_group``/``update_group`` accept (plus ``unit``).
GROUP_FIELDS = ("name", "platform", "audience", "purpose", "rules", "invite_link", "is_active")

#: Engagement attachments: largest size and accepted extensions.
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
ATTACHMENT_EXTENSIONS = frozenset(
    {
        ".pdf",
        ".jpg",
        ".jpeg",
        ".png",
        ".webp",
        ".gif",
        ".doc",
        ".docx",
        ".xls",
        ".xlsx",
        ".ppt",
        ".pptx",
        ".odt",
        ".ods",
        ".odp",
        ".txt",
        ".csv",
        ".mp3",
        ".m4a",
        ".mp4",
    }
)

TAG_MAX_LENGTH = 64


# --- helpers ----------------------------------------------------------------------------


def _require(user: Any, perm: str) -> None:
    if user is None or not user.has_perm(perm):
        raise PermissionDenied(_("You do not have permission to do this."))


def _require_visible(user: Any, unit_id: int | None) -> None:
    if not can_see_unit(user, unit_id):
        raise PermissionDenied(_("This record is outside your work units."))


def _resolve_unit(user: Any, unit: WorkUnit | int | str | None) -> WorkUnit:
    """The work unit ``unit`` (an instance or id), checked against the user's scope.

    ``None`` means the user's own unit.
    """
    from bakohumas.core.scoping import user_unit

    if unit is None or unit == "":
        own = user_unit(user)
        if own is None:
            raise ValidationError({"unit": [_("Choose a work unit.")]})
        return own
    unit_id = unit.pk if isinstance(unit, WorkUnit) else unit
    try:
        found = WorkUnit.objects.for_user(user).get(pk=unit_id)
    except (WorkUnit.DoesNotExist, ValueError, TypeError) as exc:
        raise ValidationError({"unit": [_("Choose a work unit within your scope.")]}) from exc
    return found


def _resolve_organisation(
    user: Any, organisation: Organisation | int | str | None
) -> Organisation | None:
    if organisation is None or organisation == "":
        return None
    org_id = organisation.pk if isinstance(organisation, Organisation) else organisation
    try:
        return Organisation.objects.for_user(user).select_related("unit").get(pk=org_id)
    except (Organisation.DoesNotExist, ValueError, TypeError) as exc:
        raise ValidationError(
            {"organisation": [_("Choose an organisation within your scope.")]}
        ) from exc


def _check_fields(fields: dict[str, Any], allowed: Sequence[str]) -> None:
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise TypeError(f"Unknown field(s): {', '.join(unknown)}")


def _clean_text(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip()
    if value is None:
        return ""
    return value


def _apply(obj: models.Model, fields: dict[str, Any]) -> None:
    for name, value in fields.items():
        try:
            field = obj._meta.get_field(name)
        except FieldDoesNotExist:  # pragma: no cover - guarded by _check_fields
            raise TypeError(name) from None
        if isinstance(field, models.BooleanField):
            setattr(obj, name, bool(value))
        else:
            setattr(obj, name, _clean_text(value))


def _normalise_contact_points(
    obj: Any, errors: dict[str, list[str]], phone_fields: Iterable[str]
) -> None:
    for name in phone_fields:
        try:
            setattr(obj, name, normalise_phone(getattr(obj, name)))
        except ValidationError as exc:
            errors.setdefault(name, []).extend(exc.messages)
    try:
        obj.email = normalise_email(obj.email)
    except ValidationError as exc:
        errors.setdefault("email", []).extend(exc.messages)


def _full_clean(
    obj: models.Model, errors: dict[str, list[str]], exclude: Iterable[str] = ()
) -> None:
    """Run model validation, merging its errors into ``errors``; raise if any."""
    excluded = set(exclude) | set(errors)
    try:
        obj.full_clean(exclude=list(excluded), validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _unit_subtree_ids(unit: WorkUnit) -> list[int] | None:
    """Ids of ``unit`` and the units below it (``None`` for the national unit: all)."""
    if unit.level == Level.NATIONAL:
        return None
    if unit.level == Level.PROVINCE:
        ids = list(WorkUnit.objects.filter(province_id=unit.pk).values_list("id", flat=True))
        if unit.pk not in ids:
            ids.append(unit.pk)
        return ids
    return [unit.pk]


# --- tags -------------------------------------------------------------------------------


def parse_tag_names(names: str | Iterable[str] | None) -> list[str]:
    """Tag names from comma-separated text or a list: trimmed, inner spaces collapsed,
    de-duplicated case-insensitively, order kept. Raises ``ValidationError`` on ``tags``
    for a name longer than 64 characters."""
    if names is None:
        return []
    items = names.split(",") if isinstance(names, str) else list(names)
    seen: set[str] = set()
    result: list[str] = []
    for item in items:
        name = " ".join(str(item).split())
        if not name:
            continue
        if len(name) > TAG_MAX_LENGTH:
            raise ValidationError(
                {
                    "tags": [
                        _("A tag can have at most 64 characters: “%(name)s”.") % {"name": name[:70]}
                    ]
                }
            )
        key = name.casefold()
        if key in seen:
            continue
        seen.add(key)
        result.append(name)
    return result


def _get_or_create_tag(name: str) -> Tag:
    existing = Tag.objects.filter(name__iexact=name).order_by("id").first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Tag.objects.create(name=name)
    except IntegrityError:
        return Tag.objects.get(name=name)


@transaction.atomic
def set_tags(obj: Organisation | Contact, names: str | Iterable[str] | None) -> list[Tag]:
    """Give ``obj`` (an organisation or contact) exactly the tags ``names``.

    ``names`` is comma-separated text or a list; existing tags are matched
    case-insensitively, missing ones created. Returns the tags in the given order. The
    caller checks the permission (the ``create_*``/``update_*`` services do).
    """
    tags = [_get_or_create_tag(name) for name in parse_tag_names(names)]
    obj.tags.set(tags)
    return tags


# --- organisations ----------------------------------------------------------------------


def _check_organisation_name(org: Organisation, errors: dict[str, list[str]]) -> None:
    if not org.name or "name" in errors:
        return
    clash = (
        Organisation.objects.filter(unit_id=org.unit_id)
        .annotate(lname=Lower("name"))
        .filter(lname=org.name.lower())
        .exclude(pk=org.pk)
        .first()
    )
    if clash is not None:
        if clash.is_active:
            msg = _("An organisation with this name already exists in this work unit.")
        else:
            msg = _(
                "An inactive organisation with this name already exists in this work unit; "
                "reactivate it instead."
            )
        errors.setdefault("name", []).append(msg)


@transaction.atomic
def create_organisation(
    *, by: Any, unit: WorkUnit | int | None, tags: str | Iterable[str] | None = None, **fields: Any
) -> Organisation:
    """Create a stakeholder organisation owned by ``unit`` (``None``: the user's own unit).

    ``fields`` are any of :data:`ORGANISATION_FIELDS`; ``name`` and ``category`` (a
    :class:`~bakohumas.stakeholders.models.Category` value) are required. The name must be
    unique (case-insensitively) within the unit. Needs ``stakeholders.add_organisation``.
    """
    _require(by, "stakeholders.add_organisation")
    _check_fields(fields, ORGANISATION_FIELDS)
    errors: dict[str, list[str]] = {}
    tag_names = _parse_tags_into(tags, errors)
    org = Organisation(unit=_resolve_unit(by, unit))
    _apply(org, fields)
    _normalise_contact_points(org, errors, ["phone"])
    _check_organisation_name(org, errors)
    _full_clean(org, errors, exclude=["unit"])
    org.save()
    if tag_names:
        set_tags(org, tag_names)
    return org


def _parse_tags_into(
    tags: str | Iterable[str] | None, errors: dict[str, list[str]]
) -> list[str] | None:
    if tags is None:
        return None
    try:
        return parse_tag_names(tags)
    except ValidationError as exc:
        errors.setdefault("tags", []).extend(exc.message_dict["tags"])
        return None


@transaction.atomic
def update_organisation(
    org: Organisation,
    *,
    by: Any,
    unit: WorkUnit | int | None = None,
    tags: str | Iterable[str] | None = None,
    **fields: Any,
) -> Organisation:
    """Change an organisation. Only the fields passed change; ``tags`` (when given)
    replaces the tags. Moving it to another ``unit`` moves its contacts with it.
    Needs ``stakeholders.change_organisation``; the organisation and the new unit must be
    in the user's scope."""
    _require(by, "stakeholders.change_organisation")
    _require_visible(by, org.unit_id)
    _check_fields(fields, ORGANISATION_FIELDS)
    errors: dict[str, list[str]] = {}
    tag_names = _parse_tags_into(tags, errors)
    org = Organisation.objects.select_for_update().get(pk=org.pk)
    old_unit_id = org.unit_id
    if unit is not None:
        org.unit = _resolve_unit(by, unit)
    _apply(org, fields)
    if "phone" in fields or "email" in fields:
        _normalise_contact_points(org, errors, ["phone"])
    _check_organisation_name(org, errors)
    _full_clean(org, errors, exclude=["unit"])
    org.save()
    if org.unit_id != old_unit_id:
        for contact in org.contacts.exclude(unit_id=org.unit_id):
            contact.unit_id = org.unit_id
            contact.save(update_fields=["unit", "updated_at"])
    if tags is not None:
        set_tags(org, tag_names or [])
    return org


def organisation_has_history(org: Organisation) -> bool:
    """Whether deleting ``org`` would lose history (contacts or engagement entries)."""
    return org.contacts.exists() or org.engagements.exists()


@transaction.atomic
def delete_organisation(org: Organisation, *, by: Any) -> bool:
    """Delete ``org``, or deactivate it when it has contacts or engagement entries.

    Returns ``True`` when deleted, ``False`` when deactivated. Needs
    ``stakeholders.delete_organisation``.
    """
    _require(by, "stakeholders.delete_organisation")
    _require_visible(by, org.unit_id)
    if organisation_has_history(org):
        if org.is_active:
            org.is_active = False
            org.save(update_fields=["is_active", "updated_at"])
        return False
    org.delete()
    return True


# --- contacts ---------------------------------------------------------------------------


def find_duplicate_contacts(
    *,
    unit_ids: Iterable[int] | None,
    phone: str | None = None,
    whatsapp: str | None = None,
    email: str | None = None,
    exclude_id: int | None = None,
) -> models.QuerySet[Contact]:
    """Active contacts (not merged, not deactivated) of ``unit_ids`` sharing a number or
    email with the given values.

    ``phone`` and ``whatsapp`` are normalised first and each matched against both the
    phone and the WhatsApp field (a person's number is the same number wherever it was
    typed); invalid numbers are ignored. ``email`` matches case-insensitively.
    ``unit_ids=None`` searches every unit (pass ``visible_unit_ids(user)`` for a user's
    scope). Returns an unordered queryset; empty when no value is given.
    """
    numbers: set[str] = set()
    for raw in (phone, whatsapp):
        try:
            value = normalise_phone(raw)
        except ValidationError:
            continue
        if value:
            numbers.add(value)
    condition = Q()
    if numbers:
        condition |= Q(phone__in=numbers) | Q(whatsapp__in=numbers)
    clean_email = (email or "").strip().lower()
    if clean_email:
        condition |= Q(lower_email=clean_email)  # served by the Lower(email) index
    if not condition:
        return Contact.objects.none()
    qs = Contact.objects.annotate(lower_email=Lower("email")).filter(
        condition, merged_into__isnull=True, is_active=True
    )
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=list(unit_ids))
    if exclude_id is not None:
        qs = qs.exclude(pk=exclude_id)
    return qs


def _contact_duplicate_errors(contact: Contact, errors: dict[str, list[str]]) -> None:
    """Refuse a number/email already used in the unit, and a second contact of the same
    name at the same organisation (which is also what a form sent twice looks like)."""
    if contact.organisation_id and contact.name and "name" not in errors:
        same_name = (
            Contact.objects.filter(
                organisation_id=contact.organisation_id, is_active=True, merged_into__isnull=True
            )
            .annotate(lname=Lower("name"))
            .filter(lname=contact.name.lower())
            .exclude(pk=contact.pk)
            .first()
        )
        if same_name is not None:
            errors.setdefault("name", []).append(
                _("The organisation already has a contact with this name (#%(id)s).")
                % {"id": same_name.pk}
            )
    for field in ("phone", "whatsapp", "email"):
        value = getattr(contact, field)
        if not value or field in errors:
            continue
        kwargs = {"email": value} if field == "email" else {"phone": value}
        other = (
            find_duplicate_contacts(unit_ids=[contact.unit_id], exclude_id=contact.pk, **kwargs)
            .order_by("id")
            .first()
        )
        if other is not None:
            errors.setdefault(field, []).append(
                _("Already used by the contact “%(name)s” (#%(id)s) in this work unit.")
                % {"name": other.name, "id": other.pk}
            )


def _place_contact(
    by: Any,
    contact: Contact,
    unit: WorkUnit | int | None,
    organisation: Organisation | int | None,
    *,
    creating: bool,
    org_given: bool,
) -> None:
    """Set the contact's organisation and unit (the organisation's unit wins)."""
    if org_given:
        contact.organisation = _resolve_organisation(by, organisation)
    if contact.organisation is not None:
        contact.unit = contact.organisation.unit
    elif creating or unit is not None:
        contact.unit = _resolve_unit(by, unit)


@transaction.atomic
def create_contact(
    *,
    by: Any,
    unit: WorkUnit | int | None = None,
    organisation: Organisation | int | None = None,
    tags: str | Iterable[str] | None = None,
    allow_duplicate: bool = False,
    **fields: Any,
) -> Contact:
    """Create a contact.

    ``fields`` are any of :data:`CONTACT_FIELDS`; ``name`` is required. A contact linked
    to an ``organisation`` (instance or id, in the user's scope) takes the organisation's
    unit and ``unit`` is ignored; otherwise ``unit`` (instance or id, in scope; ``None``:
    the user's own unit). Phone/WhatsApp are normalised to E.164, email validated.
    Unless ``allow_duplicate``, a phone, WhatsApp number or email already used by an
    active contact of the same unit is refused (a ``ValidationError`` naming it).
    Needs ``stakeholders.add_contact``.
    """
    _require(by, "stakeholders.add_contact")
    _check_fields(fields, CONTACT_FIELDS)
    errors: dict[str, list[str]] = {}
    tag_names = _parse_tags_into(tags, errors)
    contact = Contact()
    _place_contact(by, contact, unit, organisation, creating=True, org_given=True)
    _apply(contact, fields)
    _normalise_contact_points(contact, errors, ["phone", "whatsapp"])
    if not allow_duplicate:
        _contact_duplicate_errors(contact, errors)
    _full_clean(contact, errors, exclude=["unit", "organisation", "merged_into"])
    contact.save()
    if tag_names:
        set_tags(contact, tag_names)
    return contact


_UNSET: Any = object()


@transaction.atomic
def update_contact(
    contact: Contact,
    *,
    by: Any,
    unit: WorkUnit | int | None = None,
    organisation: Any = _UNSET,
    tags: str | Iterable[str] | None = None,
    allow_duplicate: bool = False,
    **fields: Any,
) -> Contact:
    """Change a contact. Only the fields passed change; pass ``organisation=None`` to
    unlink it from its organisation. The organisation's unit wins over ``unit``.
    ``tags`` (when given) replaces the tags. Needs ``stakeholders.change_contact``.
    Duplicate numbers/emails are refused as in :func:`create_contact`."""
    _require(by, "stakeholders.change_contact")
    _require_visible(by, contact.unit_id)
    _check_fields(fields, CONTACT_FIELDS)
    errors: dict[str, list[str]] = {}
    tag_names = _parse_tags_into(tags, errors)
    contact = (
        Contact.objects.select_for_update(of=("self",))
        .select_related("organisation")
        .get(pk=contact.pk)
    )
    _place_contact(
        by,
        contact,
        unit,
        None if organisation is _UNSET else organisation,
        creating=False,
        org_given=organisation is not _UNSET,
    )
    _apply(contact, fields)
    _normalise_contact_points(contact, errors, ["phone", "whatsapp"])
    if not allow_duplicate and contact.merged_into_id is None:
        _contact_duplicate_errors(contact, errors)
    _full_clean(contact, errors, exclude=["unit", "organisation", "merged_into"])
    contact.save()
    if tags is not None:
        set_tags(contact, tag_names or [])
    return contact


def contact_has_history(contact: Contact) -> bool:
    """Whether deleting ``contact`` would lose history (consents, engagements,
    group memberships or contacts merged into it)."""
    return (
        contact.consents.exists()
        or contact.engagements.exists()
        or contact.group_memberships.exists()
        or contact.merged_from.exists()
        or contact.merged_into_id is not None
    )


@transaction.atomic
def delete_contact(contact: Contact, *, by: Any) -> bool:
    """Delete ``contact``, or deactivate it when it has history (consents, engagements,
    memberships, merges). Returns ``True`` when deleted. Needs
    ``stakeholders.delete_contact``."""
    _require(by, "stakeholders.delete_contact")
    _require_visible(by, contact.unit_id)
    if contact_has_history(contact):
        if contact.is_active:
            contact.is_active = False
            contact.save(update_fields=["is_active", "updated_at"])
        return False
    contact.delete()
    return True


# --- consent ----------------------------------------------------------------------------


def _choice_error(
    field: str, value: Any, choices: type[models.TextChoices], errors: dict[str, list[str]]
) -> None:
    if value not in choices.values:
        errors.setdefault(field, []).append(
            _("“%(value)s” is not a valid choice.") % {"value": value}
        )


@transaction.atomic
def set_consent(
    contact: Contact,
    *,
    channel: str,
    status: str,
    method: str,
    evidence: str = "",
    at: datetime | None = None,
    by: Any,
) -> ContactConsent:
    """Record that ``contact`` granted or withdrew consent for ``channel``.

    One row per contact and channel holds the current state: granting sets ``given_at``
    (and clears ``withdrawn_at``); withdrawing sets ``withdrawn_at`` and keeps
    ``given_at`` (when it had been given). Repeating the current status keeps the
    original time and only updates method and evidence. ``at`` defaults to now and may
    not be in the future. Earlier states stay in the audit trail. Needs
    ``stakeholders.change_contactconsent``.
    """
    _require(by, "stakeholders.change_contactconsent")
    _require_visible(by, contact.unit_id)
    errors: dict[str, list[str]] = {}
    _choice_error("channel", channel, Channel, errors)
    _choice_error("status", status, ConsentStatus, errors)
    _choice_error("method", method, ConsentMethod, errors)
    evidence = (evidence or "").strip()
    if len(evidence) > 500:
        errors.setdefault("evidence", []).append(_("Keep the evidence under 500 characters."))
    now = timezone.now()
    if at is not None and timezone.is_naive(at):
        at = timezone.make_aware(at)
    if at is not None and at > now + timedelta(minutes=5):
        errors.setdefault("at", []).append(_("The time cannot be in the future."))
    if errors:
        raise ValidationError(errors)
    when = at or now
    consent = (
        ContactConsent.objects.select_for_update().filter(contact=contact, channel=channel).first()
    )
    if consent is None:
        consent = ContactConsent(contact=contact, channel=channel)
    unchanged = consent.pk is not None and consent.status == status and at is None
    consent.status = status
    consent.method = method
    consent.evidence = evidence
    consent.recorded_by = by
    if not unchanged:
        if status == ConsentStatus.GRANTED:
            consent.given_at = when
            consent.withdrawn_at = None
        else:
            consent.withdrawn_at = when
    consent.save()
    return consent


def _consent_time(consent: ContactConsent) -> datetime:
    moment = consent.withdrawn_at if consent.status == ConsentStatus.WITHDRAWN else consent.given_at
    return moment or consent.updated_at


# --- merge ------------------------------------------------------------------------------

MERGE_FILL_FIELDS = ("position", "phone", "whatsapp", "email", "preferred_channel")


@transaction.atomic
def merge_contacts(survivor: Contact, duplicates: Iterable[Contact], *, by: Any) -> Contact:
    """Merge ``duplicates`` into ``survivor``; nothing is deleted.

    Moves tags, engagements and group memberships to the survivor (a membership of a
    group the survivor is already in is dropped, keeping the higher role); per channel
    the newest consent state wins (the duplicate's row moves when the survivor has none);
    the survivor's blank fields are filled from the duplicates (the organisation only
    when it belongs to the survivor's unit) and their notes appended; each duplicate gets
    ``merged_into=survivor`` and ``is_active=False``. Needs
    ``stakeholders.change_contact``; every contact must be in the user's scope.
    """
    _require(by, "stakeholders.change_contact")
    survivor = Contact.objects.select_for_update().get(pk=survivor.pk)
    _require_visible(by, survivor.unit_id)
    dup_ids = sorted({d.pk for d in duplicates} - {survivor.pk})
    if not dup_ids:
        raise ValidationError({"duplicates": [_("Choose at least one other contact to merge.")]})
    dups = list(Contact.objects.select_for_update().filter(pk__in=dup_ids).order_by("id"))
    if len(dups) != len(dup_ids):
        raise ValidationError({"duplicates": [_("A contact to merge no longer exists.")]})
    for dup in dups:
        _require_visible(by, dup.unit_id)
    if survivor.merged_into_id is not None:
        raise ValidationError({"survivor": [_("This contact was already merged into another.")]})
    if any(d.merged_into_id is not None for d in dups):
        raise ValidationError({"duplicates": [_("A contact was already merged into another.")]})

    # Fields.
    changed: set[str] = set()
    for dup in dups:
        for name in MERGE_FILL_FIELDS:
            if not getattr(survivor, name) and getattr(dup, name):
                setattr(survivor, name, getattr(dup, name))
                changed.add(name)
        if survivor.organisation_id is None and dup.organisation_id is not None:
            if Organisation.objects.filter(
                pk=dup.organisation_id, unit_id=survivor.unit_id
            ).exists():
                survivor.organisation_id = dup.organisation_id
                changed.add("organisation")
        if dup.notes and dup.notes not in survivor.notes:
            survivor.notes = "\n\n".join(n for n in (survivor.notes, dup.notes) if n)
            changed.add("notes")
    if changed:
        survivor.save(update_fields=[*sorted(changed), "updated_at"])

    # Tags.
    tag_ids = set(Tag.objects.filter(contacts__in=dup_ids).values_list("id", flat=True))
    if tag_ids:
        survivor.tags.add(*tag_ids)

    # Consents: the newest state per channel wins.
    current = {c.channel: c for c in survivor.consents.select_for_update()}
    for consent in ContactConsent.objects.filter(contact_id__in=dup_ids).order_by("id"):
        mine = current.get(consent.channel)
        if mine is None:
            consent.contact = survivor
            consent.save()
            current[consent.channel] = consent
        elif _consent_time(consent) > _consent_time(mine):
            for name in (
                "status",
                "method",
                "evidence",
                "given_at",
                "withdrawn_at",
                "recorded_by_id",
            ):
                setattr(mine, name, getattr(consent, name))
            mine.save()

    # Engagements.
    for engagement in Engagement.objects.filter(contact_id__in=dup_ids):
        engagement.contact = survivor
        engagement.save(update_fields=["contact"])

    # Group memberships.
    rank: dict[str, int] = {MemberRole.ADMIN: 2, MemberRole.MEMBER: 1}
    mine_by_group = {m.group_id: m for m in survivor.group_memberships.all()}
    for membership in GroupMembership.objects.filter(contact_id__in=dup_ids).order_by("id"):
        existing = mine_by_group.get(membership.group_id)
        if existing is None:
            membership.contact = survivor
            membership.save(update_fields=["contact"])
            mine_by_group[membership.group_id] = membership
        else:
            if rank.get(membership.role, 0) > rank.get(existing.role, 0):
                existing.role = membership.role
                existing.save(update_fields=["role"])
            membership.delete()

    # Earlier merges point at the survivor now; the duplicates are retired.
    for earlier in Contact.objects.filter(merged_into_id__in=dup_ids):
        earlier.merged_into = survivor
        earlier.save(update_fields=["merged_into", "updated_at"])
    for dup in dups:
        dup.merged_into = survivor
        dup.is_active = False
        dup.save(update_fields=["merged_into", "is_active", "updated_at"])
    return survivor


# --- engagement log ---------------------------------------------------------------------


def validate_attachment(attachment: UploadedFile | None) -> list[str]:
    """Messages explaining why ``attachment`` is refused (empty when acceptable)."""
    if attachment is None:
        return []
    problems = []
    ext = os.path.splitext(attachment.name or "")[1].lower()
    if ext not in ATTACHMENT_EXTENSIONS:
        problems.append(
            _(
                "Files of type “%(ext)s” are not accepted. Use PDF, an image, an office "
                "document or audio/video."
            )
            % {"ext": ext or "?"}
        )
    if attachment.size is not None and attachment.size > ATTACHMENT_MAX_BYTES:
        problems.append(_("The attachment is larger than 10 MB."))
    return problems


@transaction.atomic
def add_engagement(
    organisation: Organisation,
    *,
    by: Any,
    kind: str,
    subject: str,
    occurred_at: datetime | None = None,
    notes: str = "",
    contact: Contact | int | None = None,
    attachment: UploadedFile | None = None,
) -> Engagement:
    """Add an entry to ``organisation``'s engagement log.

    ``kind`` is an :class:`~bakohumas.stakeholders.models.EngagementKind` value;
    ``contact`` (optional) must be a contact of that organisation; ``attachment`` an
    uploaded file (PDF, image, office document, audio/video; at most 10 MB).
    ``occurred_at`` defaults to now. An identical entry without attachment and time,
    recorded by the same user in the last two minutes, is returned instead of being
    logged twice. Needs ``stakeholders.add_engagement``.
    """
    _require(by, "stakeholders.add_engagement")
    _require_visible(by, organisation.unit_id)
    errors: dict[str, list[str]] = {}
    _choice_error("kind", kind, EngagementKind, errors)
    subject = (subject or "").strip()
    if not subject:
        errors.setdefault("subject", []).append(_("Give the entry a subject."))
    contact_obj: Contact | None = None
    if contact not in (None, ""):
        contact_id: Any = contact.pk if isinstance(contact, Contact) else contact
        contact_obj = (
            Contact.objects.for_user(by).filter(pk=contact_id, organisation=organisation).first()
            if str(contact_id).isdigit()
            else None
        )
        if contact_obj is None:
            errors.setdefault("contact", []).append(_("Choose a contact of this organisation."))
    problems = validate_attachment(attachment)
    if problems:
        errors.setdefault("attachment", []).extend(problems)
    if occurred_at is not None and timezone.is_naive(occurred_at):
        occurred_at = timezone.make_aware(occurred_at)
    entry = Engagement(
        organisation=organisation,
        contact=contact_obj,
        kind=kind,
        subject=subject,
        notes=(notes or "").strip(),
        occurred_at=occurred_at or timezone.now(),
        recorded_by=by,
    )
    _full_clean(entry, errors, exclude=["attachment", "contact", "organisation", "recorded_by"])
    if attachment is None and occurred_at is None:
        # The same entry sent twice within two minutes (a double-submitted form) is the
        # same entry: return it instead of logging it again.
        repeat = Engagement.objects.filter(
            organisation=organisation,
            contact=contact_obj,
            kind=kind,
            subject=subject,
            notes=entry.notes,
            recorded_by=by,
            attachment="",
            created_at__gte=timezone.now() - timedelta(minutes=2),
        ).first()
        if repeat is not None:
            return repeat
    if attachment is not None:
        entry.attachment = attachment
    entry.save()
    return entry


# --- communication groups ---------------------------------------------------------------


def _check_group_name(group: CommunicationGroup, errors: dict[str, list[str]]) -> None:
    if not group.name or "name" in errors:
        return
    clash = (
        CommunicationGroup.objects.filter(unit_id=group.unit_id, name__iexact=group.name)
        .exclude(pk=group.pk)
        .exists()
    )
    if clash:
        errors.setdefault("name", []).append(
            _("A group with this name already exists in this work unit.")
        )


@transaction.atomic
def create_group(*, by: Any, unit: WorkUnit | int | None, **fields: Any) -> CommunicationGroup:
    """Create a communication group administered by ``unit`` (``None``: the user's unit).

    ``fields`` are any of :data:`GROUP_FIELDS`; ``name``, ``platform`` (a
    :class:`~bakohumas.stakeholders.models.Platform` value) and ``audience`` (an
    :class:`~bakohumas.stakeholders.models.Audience` value) are required; the name is
    unique within the unit. Needs ``stakeholders.add_communicationgroup``.
    """
    _require(by, "stakeholders.add_communicationgroup")
    _check_fields(fields, GROUP_FIELDS)
    errors: dict[str, list[str]] = {}
    group = CommunicationGroup(unit=_resolve_unit(by, unit))
    _apply(group, fields)
    if not group.platform:
        group.platform = Platform.WHATSAPP
    if not group.audience:
        group.audience = Audience.STAKEHOLDER
    _check_group_name(group, errors)
    _full_clean(group, errors, exclude=["unit"])
    group.save()
    return group


@transaction.atomic
def update_group(
    group: CommunicationGroup, *, by: Any, unit: WorkUnit | int | None = None, **fields: Any
) -> CommunicationGroup:
    """Change a communication group (only the fields passed). Needs
    ``stakeholders.change_communicationgroup``."""
    _require(by, "stakeholders.change_communicationgroup")
    _require_visible(by, group.unit_id)
    _check_fields(fields, GROUP_FIELDS)
    errors: dict[str, list[str]] = {}
    group = CommunicationGroup.objects.select_for_update().get(pk=group.pk)
    if unit is not None:
        group.unit = _resolve_unit(by, unit)
    _apply(group, fields)
    _check_group_name(group, errors)
    _full_clean(group, errors, exclude=["unit"])
    group.save()
    return group


@transaction.atomic
def delete_group(group: CommunicationGroup, *, by: Any) -> None:
    """Delete a communication group and its memberships (kept in the audit trail).
    Needs ``stakeholders.delete_communicationgroup``."""
    _require(by, "stakeholders.delete_communicationgroup")
    _require_visible(by, group.unit_id)
    group.delete()


@transaction.atomic
def add_member(
    group: CommunicationGroup,
    *,
    by: Any,
    user: Any = None,
    contact: Contact | int | None = None,
    role: str = MemberRole.MEMBER,
) -> GroupMembership:
    """Add a staff ``user`` or a stakeholder ``contact`` (exactly one) to ``group``.

    The member must be in the user's scope and within the group's administering unit
    (the unit and, for a province, its kab/kota). Adding an existing member only updates
    the role, so repeating the call is harmless. Needs
    ``stakeholders.add_groupmembership``.
    """
    from django.contrib.auth import get_user_model

    _require(by, "stakeholders.add_groupmembership")
    _require_visible(by, group.unit_id)
    errors: dict[str, list[str]] = {}
    _choice_error("role", role, MemberRole, errors)
    if (user in (None, "")) == (contact in (None, "")):
        errors.setdefault("__all__", []).append(_("Choose either a staff member or a contact."))
    if errors:
        raise ValidationError(errors)
    allowed = _unit_subtree_ids(group.unit)
    visible = visible_unit_ids(by)
    lookup: dict[str, Any]
    if user not in (None, ""):
        user_id = getattr(user, "pk", user)
        users = get_user_model().objects.filter(is_active=True, profile__isnull=False)
        if visible is not None:
            users = users.filter(profile__unit_id__in=visible)
        if allowed is not None:
            users = users.filter(profile__unit_id__in=allowed)
        member_user = users.filter(pk=user_id).first() if str(user_id).isdigit() else None
        if member_user is None:
            raise ValidationError({"user": [_("Choose a staff member of the group's work units.")]})
        lookup = {"user": member_user}
    else:
        contact_id: Any = getattr(contact, "pk", contact)
        contacts = Contact.objects.for_user(by).filter(merged_into__isnull=True)
        if allowed is not None:
            contacts = contacts.filter(unit_id__in=allowed)
        member_contact = (
            contacts.filter(pk=contact_id).first() if str(contact_id).isdigit() else None
        )
        if member_contact is None:
            raise ValidationError({"contact": [_("Choose a contact of the group's work units.")]})
        lookup = {"contact": member_contact}
    membership = GroupMembership.objects.filter(group=group, **lookup).first()
    if membership is None:
        membership = GroupMembership.objects.create(group=group, role=role, **lookup)
    elif membership.role != role:
        membership.role = role
        membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def remove_member(membership: GroupMembership, *, by: Any) -> None:
    """Remove one member from a group (kept in the audit trail). Needs
    ``stakeholders.change_communicationgroup`` (managing members is editing the group)."""
    _require(by, "stakeholders.change_communicationgroup")
    group_unit_id = (
        CommunicationGroup.objects.filter(pk=membership.group_id)
        .values_list("unit_id", flat=True)
        .first()
    )
    _require_visible(by, group_unit_id)
    membership.delete()
