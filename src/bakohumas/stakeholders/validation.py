"""Normalisation and validation of contact data, shared by forms, imports and the API."""

from __future__ import annotations

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

DEFAULT_REGION = "ID"


def normalise_phone(value: str | None) -> str:
    """Return ``value`` in E.164 (``+6281234567890``), or ``""`` for an empty value.

    Accepts the usual Indonesian spellings: ``0812-3456-7890``, ``62812…``, ``+62 812 …``,
    ``(0541) 123456``. Raises ``ValidationError`` with a readable message otherwise.
    """
    raw = (value or "").strip()
    if not raw:
        return ""
    candidate = raw
    digits = "".join(ch for ch in raw if ch.isdigit())
    if not raw.startswith("+") and digits.startswith("62") and len(digits) >= 10:
        candidate = "+" + digits
    try:
        parsed = phonenumbers.parse(candidate, DEFAULT_REGION)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(
            _("“%(value)s” is not a phone number."), code="invalid_phone", params={"value": raw}
        ) from exc
    if not phonenumbers.is_valid_number(parsed):
        raise ValidationError(
            _("“%(value)s” is not a valid phone number."),
            code="invalid_phone",
            params={"value": raw},
        )
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def normalise_email(value: str | None) -> str:
    """Return ``value`` trimmed with a lower-cased domain, or ``""``; raise if invalid."""
    raw = (value or "").strip()
    if not raw:
        return ""
    try:
        validate_email(raw)
    except ValidationError as exc:
        raise ValidationError(
            _("“%(value)s” is not a valid email address."),
            code="invalid_email",
            params={"value": raw},
        ) from exc
    local, _sep, domain = raw.rpartition("@")
    return f"{local}@{domain.lower()}"
