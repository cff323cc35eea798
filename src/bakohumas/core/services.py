"""Writes of the core app: staff accounts, roles, invitations and work-unit details.

One function per use case, shared by the web UI and the API. Every function that takes
``by`` (the acting user) checks that user's permission and scope itself: a unit outside
the scope is refused with a ``ValidationError`` and nothing is written.
"""

from __future__ import annotations

import io
import warnings
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from bakohumas.core.models import (
    PranataHumasLevel,
    Role,
    StaffCategory,
    StaffProfile,
    TeamPosition,
    WorkUnit,
)
from bakohumas.core.scoping import can_see_unit
from bakohumas.stakeholders.validation import normalise_email, normalise_phone

MANAGE_STAFF = "core.manage_staff"
CHANGE_UNIT = "core.change_workunit"

# Logo uploads: largest file accepted, largest image accepted and the size it is stored at.
LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_MAX_PIXELS = 25_000_000
LOGO_MAX_SIDE = 512
LOGO_FORMATS = {"PNG", "JPEG", "GIF", "WEBP", "BMP"}


def _clear_perm_cache(user: Any) -> None:
    for attr in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        if hasattr(user, attr):
            delattr(user, attr)


def _require_manager(by: Any, unit: WorkUnit | None, field: str = "unit") -> None:
    """``by`` must hold ``core.manage_staff`` (403) and see ``unit`` (a field error)."""
    if not by.has_perm(MANAGE_STAFF):
        raise PermissionDenied
    if unit is None or not can_see_unit(by, unit.pk):
        raise ValidationError(
            {field: _("You cannot manage staff of this work unit.")}, code="unit_out_of_scope"
        )


def other_active_administrators(profile: StaffProfile) -> int:
    """How many other active administrators ``profile``'s unit has."""
    return (
        StaffProfile.objects.filter(
            unit_id=profile.unit_id, role=Role.ADMINISTRATOR, user__is_active=True
        )
        .exclude(pk=profile.pk)
        .count()
    )


@transaction.atomic
def set_role(user: Any, role: str, *, by: Any = None) -> None:
    """Give ``user`` exactly one role: the profile field and the matching group.

    ``is_staff`` (the key to /admin/) is set for administrators only. When ``by`` is given
    it must be allowed to manage ``user``'s unit, and an administrator cannot drop their
    own administrator role while they are the last administrator of the unit.
    """
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")}, code="invalid_role")
    profile = StaffProfile.objects.filter(user=user).select_related("unit").first()
    if by is not None:
        _require_manager(by, profile.unit if profile else None)
        if (
            profile is not None
            and by.pk == user.pk
            and profile.role == Role.ADMINISTRATOR
            and role != Role.ADMINISTRATOR
            and other_active_administrators(profile) == 0
        ):
            raise ValidationError(
                {
                    "role": _(
                        "You are the last administrator of this work unit, so you cannot "
                        "remove your own administrator role. Make someone else an "
                        "administrator first."
                    )
                },
                code="last_administrator",
            )
    group, _created = Group.objects.get_or_create(name=role)
    user.groups.set([group])
    is_staff = role == Role.ADMINISTRATOR
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])
    if profile is not None and profile.role != role:
        profile.role = role
        profile.save(update_fields=["role", "updated_at"])  # audited: who changed the role
    _clear_perm_cache(user)


def _clean_staff_fields(data: dict[str, Any]) -> dict[str, Any]:
    """Normalise and check the profile fields shared by invite and edit."""
    errors: dict[str, Any] = {}
    cleaned = dict(data)
    for field in ("phone", "whatsapp"):
        try:
            cleaned[field] = normalise_phone(data.get(field))
        except ValidationError as exc:
            errors[field] = exc
    category = data.get("category") or ""
    level = data.get("pranata_level") or ""
    if category and category not in StaffCategory.values:
        errors["category"] = _("Unknown staff category.")
    if level and level not in PranataHumasLevel.values:
        errors["pranata_level"] = _("Unknown Pranata Humas level.")
    if category == StaffCategory.PRANATA_HUMAS and not level:
        errors["pranata_level"] = _("Choose the Pranata Humas level.")
    if category != StaffCategory.PRANATA_HUMAS:
        cleaned["pranata_level"] = ""
    if (data.get("team_position") or "") not in TeamPosition.values:
        errors["team_position"] = _("Unknown team position.")
    cleaned["first_name"] = (data.get("first_name") or "").strip()[:150]
    cleaned["last_name"] = (data.get("last_name") or "").strip()[:150]
    cleaned["job_title"] = (data.get("job_title") or "").strip()[:200]
    try:
        cleaned["email"] = normalise_email(data.get("email"))
    except ValidationError as exc:
        errors["email"] = exc
    if not errors.get("email") and not cleaned.get("email"):
        errors["email"] = _("Enter an email address.")
    if errors:
        raise ValidationError(errors)
    return cleaned


def _check_email_free(email: str, exclude_user_id: int | None = None) -> None:
    users = get_user_model().objects.filter(email__iexact=email)
    if exclude_user_id is not None:
        users = users.exclude(pk=exclude_user_id)
    if users.exists():
        raise ValidationError(
            {"email": _("Another account already uses this email address.")},
            code="duplicate_email",
        )


@transaction.atomic
def invite_staff(
    by: Any,
    *,
    unit: WorkUnit,
    username: str,
    email: str,
    role: str,
    first_name: str = "",
    last_name: str = "",
    category: str = "",
    pranata_level: str = "",
    team_position: str = "",
    job_title: str = "",
    phone: str = "",
    whatsapp: str = "",
    language: str = "",
) -> StaffProfile:
    """Create a staff account without a usable password and send it an invitation.

    The invitation email (a set-password link) is sent by the ``send_invitation`` task;
    its queue row is written in this transaction, so it exists exactly when the account
    does.
    """
    _require_manager(by, unit)
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")}, code="invalid_role")
    data = _clean_staff_fields(
        {
            "email": email,
            "first_name": first_name,
            "last_name": last_name,
            "category": category,
            "pranata_level": pranata_level,
            "team_position": team_position,
            "job_title": job_title,
            "phone": phone,
            "whatsapp": whatsapp,
        }
    )
    username = (username or "").strip()
    user_model = get_user_model()
    errors: dict[str, Any] = {}
    try:
        UnicodeUsernameValidator()(username)
        if not username or len(username) > 150:
            raise ValidationError(_("Enter a username of at most 150 characters."))
    except ValidationError as exc:
        errors["username"] = exc
    else:
        if user_model.objects.filter(username__iexact=username).exists():
            errors["username"] = ValidationError(
                _("This username is already taken."), code="duplicate_username"
            )
    try:
        _check_email_free(data["email"])
    except ValidationError as exc:
        errors.update(exc.error_dict)
    if errors:
        raise ValidationError(errors)
    user = user_model(
        username=username,
        email=data["email"],
        first_name=data["first_name"],
        last_name=data["last_name"],
        is_active=True,
    )
    user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # a concurrent invitation took the username
        raise ValidationError(
            {"username": _("This username is already taken.")}, code="duplicate_username"
        ) from exc
    now = timezone.now()
    profile = StaffProfile.objects.create(
        user=user,
        unit=unit,
        role=role,
        category=data["category"] or "",
        pranata_level=data["pranata_level"],
        team_position=data["team_position"] or "",
        job_title=data["job_title"],
        phone=data["phone"],
        whatsapp=data["whatsapp"],
        invited_at=now,
        invited_by=by,
    )
    set_role(user, role)
    _enqueue_invitation(user.pk, language)
    return profile


def _enqueue_invitation(user_id: int, language: str) -> None:
    from bakohumas.core.tasks import send_invitation

    send_invitation.enqueue(user_id, language or settings.LANGUAGE_CODE)


@transaction.atomic
def resend_invitation(by: Any, profile: StaffProfile, *, language: str = "") -> None:
    """Send a fresh set-password link to an invited user who has not chosen a password."""
    _require_manager(by, profile.unit)
    user = profile.user
    if not user.is_active:
        raise ValidationError(
            _("This account is deactivated. Reactivate it first."), code="inactive"
        )
    if user.has_usable_password():
        raise ValidationError(
            _("This person has already accepted the invitation."), code="already_accepted"
        )
    profile.invited_at = timezone.now()
    profile.invited_by = by
    profile.save(update_fields=["invited_at", "invited_by", "updated_at"])
    _enqueue_invitation(user.pk, language)


@transaction.atomic
def update_staff(
    by: Any,
    profile: StaffProfile,
    *,
    unit: WorkUnit,
    email: str,
    first_name: str = "",
    last_name: str = "",
    category: str = "",
    pranata_level: str = "",
    team_position: str = "",
    job_title: str = "",
    phone: str = "",
    whatsapp: str = "",
) -> StaffProfile:
    """Change a staff member's name, email, unit and profile details (not the role)."""
    _require_manager(by, profile.unit)
    _require_manager(by, unit)
    data = _clean_staff_fields(
        {
            "email": email,
            "first_name": first_name,
            "last_name": last_name,
            "category": category,
            "pranata_level": pranata_level,
            "team_position": team_position,
            "job_title": job_title,
            "phone": phone,
            "whatsapp": whatsapp,
        }
    )
    user = profile.user
    _check_email_free(data["email"], exclude_user_id=user.pk)
    if profile.unit_id != unit.pk and profile.role == Role.ADMINISTRATOR and user.pk == by.pk:
        if other_active_administrators(profile) == 0:
            raise ValidationError(
                {
                    "unit": _(
                        "You are the last administrator of this work unit, so you cannot "
                        "move yourself to another unit."
                    )
                },
                code="last_administrator",
            )
    user_fields = [f for f in ("email", "first_name", "last_name") if getattr(user, f) != data[f]]
    for field in user_fields:
        setattr(user, field, data[field])
    if user_fields:
        user.save(update_fields=user_fields)
    profile_fields = [
        f
        for f in (
            "category",
            "pranata_level",
            "team_position",
            "job_title",
            "phone",
            "whatsapp",
        )
        if getattr(profile, f) != (data[f] or "")
    ]
    for field in profile_fields:
        setattr(profile, field, data[field] or "")
    if profile.unit_id != unit.pk:
        profile.unit = unit
        profile_fields.append("unit")
    if profile_fields:
        profile.save(update_fields=[*profile_fields, "updated_at"])
    return profile


@transaction.atomic
def deactivate_staff(by: Any, profile: StaffProfile) -> bool:
    """Switch the account off (never deleted; its history stays). False if already off."""
    _require_manager(by, profile.unit)
    user = profile.user
    if user.pk == by.pk:
        raise ValidationError(
            _("You cannot deactivate your own account."), code="self_deactivation"
        )
    if not user.is_active:
        return False
    user.is_active = False
    user.save(update_fields=["is_active"])
    return True


@transaction.atomic
def reactivate_staff(by: Any, profile: StaffProfile) -> bool:
    """Switch a deactivated account back on. False if it was already active."""
    _require_manager(by, profile.unit)
    user = profile.user
    if user.is_active:
        return False
    user.is_active = True
    user.save(update_fields=["is_active"])
    return True


# --- Work units -------------------------------------------------------------------------


def normalise_logo(upload: Any, *, name: str = "logo") -> ContentFile[bytes]:
    """Check an uploaded logo with Pillow and re-encode it as a PNG of at most 512 px.

    Refuses files that are too large, that Pillow cannot read (SVG included), formats
    outside PNG/JPEG/GIF/WebP/BMP and images with too many pixels.
    """
    size = getattr(upload, "size", None)
    if size is not None and size > LOGO_MAX_BYTES:
        raise ValidationError(
            _("The logo is too large: the limit is %(limit)s MB."),
            code="logo_too_large",
            params={"limit": LOGO_MAX_BYTES // (1024 * 1024)},
        )
    data = upload.read(LOGO_MAX_BYTES + 1)
    if len(data) > LOGO_MAX_BYTES:
        raise ValidationError(
            _("The logo is too large: the limit is %(limit)s MB."),
            code="logo_too_large",
            params={"limit": LOGO_MAX_BYTES // (1024 * 1024)},
        )
    not_image = ValidationError(
        _("Upload a PNG, JPEG, GIF or WebP image. Other files, SVG included, are refused."),
        code="logo_not_image",
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format not in LOGO_FORMATS:
                    raise not_image
                width, height = probe.size
                if width * height > LOGO_MAX_PIXELS:
                    raise ValidationError(
                        _("The image has too many pixels."), code="logo_too_many_pixels"
                    )
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.seek(0)
                image.load()
                converted = image.convert("RGBA")
    except ValidationError:
        raise
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        SyntaxError,
        ValueError,
        EOFError,
    ) as exc:
        raise not_image from exc
    converted.thumbnail((LOGO_MAX_SIDE, LOGO_MAX_SIDE))
    out = io.BytesIO()
    converted.save(out, format="PNG", optimize=True)
    return ContentFile(out.getvalue(), name=f"{name}.png")


@transaction.atomic
def update_unit(
    by: Any,
    unit: WorkUnit,
    *,
    address: str = "",
    phone: str = "",
    email: str = "",
    website: str = "",
    logo: Any = None,
    remove_logo: bool = False,
) -> WorkUnit:
    """Edit a unit's contact details and logo: administrators of the unit or an ancestor."""
    if not by.has_perm(CHANGE_UNIT):
        raise PermissionDenied
    if not can_see_unit(by, unit.pk):
        raise PermissionDenied
    errors: dict[str, Any] = {}
    cleaned: dict[str, Any] = {"address": (address or "").strip(), "website": website or ""}
    try:
        cleaned["phone"] = normalise_phone(phone)
    except ValidationError as exc:
        errors["phone"] = exc
    try:
        cleaned["email"] = normalise_email(email)
    except ValidationError as exc:
        errors["email"] = exc
    new_logo = None
    if logo:
        try:
            new_logo = normalise_logo(logo, name=unit.code.replace(".", "-"))
        except ValidationError as exc:
            errors["logo"] = exc
    if errors:
        raise ValidationError(errors)
    changed = [f for f, v in cleaned.items() if getattr(unit, f) != v]
    for field in changed:
        setattr(unit, field, cleaned[field])
    old_logo = unit.logo.name if unit.logo else ""
    if new_logo is not None:
        unit.logo.save(new_logo.name or "logo.png", new_logo, save=False)
        changed.append("logo")
    elif remove_logo and old_logo:
        unit.logo = ""  # type: ignore[assignment]
        changed.append("logo")
    if changed:
        unit.save(update_fields=[*changed, "updated_at"])
    if "logo" in changed and old_logo:
        storage = unit.logo.storage
        transaction.on_commit(lambda: storage.delete(old_logo))
    return unit
