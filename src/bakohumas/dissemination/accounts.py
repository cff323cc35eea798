"""Rules of channel accounts shared by the staff pages and the API."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from bakohumas.dissemination.models import ChannelAccount


def _base(config: dict[str, Any] | None) -> str:
    return str((config or {}).get("api_base") or "").strip().rstrip("/")


def secrets_must_be_renewed(
    account: ChannelAccount | None, new_config: dict[str, Any], new_secrets: dict[str, Any]
) -> bool:
    """Whether saving ``new_config`` moves the account to another API address. The saved
    tokens are then never sent there: the update must bring the credentials again, and
    the old ones are dropped (else whoever may edit settings could point the account at
    their own server and receive its token with the next send)."""
    if account is None or account.pk is None or not account.secret_ciphertext:
        return False
    return _base(account.config) != _base(new_config)


def require_renewed_secrets(
    account: ChannelAccount | None, new_config: dict[str, Any], new_secrets: dict[str, Any]
) -> bool:
    """Raise ``ValidationError`` when the API address changes without new credentials;
    return True when the saved credentials must be replaced (not merged)."""
    if not secrets_must_be_renewed(account, new_config, new_secrets):
        return False
    if not any(v for v in new_secrets.values()):
        raise ValidationError(
            {
                "api_base": [
                    _(
                        "Changing the API address needs the credentials again: the saved "
                        "ones are never sent to another address."
                    )
                ]
            }
        )
    return True
