"""Channel credentials encrypted at rest (Fernet, AES-128-CBC + HMAC-SHA256).

The key comes from ``CREDENTIALS_KEY`` in the environment: one or more comma-separated
keys, the first encrypts and all decrypt (rotation). A key may be a Fernet key or any
passphrase (derived with SHA-256). Without it, a key is derived from ``SECRET_KEY`` so
the embedded default works; production sets its own."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class CredentialsUnreadable(Exception):
    """The stored secret cannot be decrypted with the configured key(s)."""


def _fernet_key(value: str) -> bytes:
    raw = value.strip().encode()
    try:
        if len(base64.urlsafe_b64decode(raw)) == 32:
            return raw
    except ValueError:
        pass
    return base64.urlsafe_b64encode(hashlib.sha256(raw).digest())


def _fernet() -> MultiFernet:
    configured = getattr(settings, "CREDENTIALS_KEY", "") or ""
    keys = [k for k in configured.split(",") if k.strip()]
    if not keys:
        keys = ["bakohumas-credentials:" + settings.SECRET_KEY]
    return MultiFernet([Fernet(_fernet_key(k)) for k in keys])


def encrypt(secret: dict[str, Any]) -> str:
    return _fernet().encrypt(json.dumps(secret, sort_keys=True).encode()).decode()


def decrypt(ciphertext: str) -> dict[str, Any]:
    if not ciphertext:
        return {}
    try:
        data = json.loads(_fernet().decrypt(ciphertext.encode()))
    except (InvalidToken, ValueError) as exc:
        raise CredentialsUnreadable(str(exc) or "invalid token") from exc
    return data if isinstance(data, dict) else {}


def hint(secret: dict[str, Any]) -> str:
    """What the screen may show of a saved secret: the last four characters of its
    longest value."""
    values = [str(v) for v in secret.values() if v]
    if not values:
        return ""
    longest = max(values, key=len)
    return "…" + longest[-4:] if len(longest) > 8 else "…"
