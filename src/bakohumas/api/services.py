"""Writes of the API app: issuing and revoking personal tokens."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bakohumas.api.models import ApiToken

NAME_MAX_LENGTH = ApiToken._meta.get_field("name").max_length or 100


def clean_token_name(name: str | None) -> str:
    """``name`` trimmed; raises ``ValidationError`` (on ``name``) when blank or too long."""
    cleaned = " ".join((name or "").split())
    if not cleaned:
        raise ValidationError({"name": [_("Give the token a name.")]})
    if len(cleaned) > NAME_MAX_LENGTH:
        raise ValidationError(
            {"name": [_("Use at most %(max)d characters.") % {"max": NAME_MAX_LENGTH}]}
        )
    if "\x00" in cleaned:
        raise ValidationError({"name": [_("Null characters are not allowed.")]})
    return cleaned


def issue_token(user: Any, name: str | None) -> tuple[ApiToken, str]:
    """Create a personal token for ``user``; returns the row and the plain token.

    The plain token is never stored (only its SHA-256 digest): show it once. Names are
    unique among the user's live tokens, so a form sent twice cannot issue two.
    """
    cleaned = clean_token_name(name)
    if not user.is_active:
        raise ValidationError({"user": [_("This account is disabled.")]})
    duplicate = ValidationError({"name": [_("You already have an active token with this name.")]})
    if ApiToken.objects.active().filter(user=user, name=cleaned).exists():
        raise duplicate
    try:
        with transaction.atomic():
            return ApiToken.issue(user, cleaned)
    except IntegrityError as exc:  # the same name issued concurrently
        raise duplicate from exc


@transaction.atomic
def revoke_token(token: ApiToken) -> bool:
    """Revoke ``token`` now. Returns ``False`` when it was already revoked."""
    updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    token.refresh_from_db(fields=["revoked_at"])
    return bool(updated)


def unit_in_scope(user: Any, unit_id: int | None) -> Any:
    """The work unit ``unit_id`` if it is in the user's scope (422 otherwise); without an
    id, the user's own unit (403 for a user without one)."""
    from django.core.exceptions import PermissionDenied

    from bakohumas.api.errors import ApiValidationError
    from bakohumas.core.models import WorkUnit
    from bakohumas.core.scoping import user_unit

    if unit_id is None:
        unit = user_unit(user)
        if unit is None:
            raise PermissionDenied
        return unit
    found = WorkUnit.objects.for_user(user).filter(pk=unit_id).first()
    if found is None:
        raise ApiValidationError({"unit": [_("Choose a work unit within your scope.")]})
    return found
