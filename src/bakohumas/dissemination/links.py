"""Signed links carried by messages: one-click unsubscribe (RFC 8058), tracked clicks and
subscription confirmation. Tokens are signed, not stored: nothing to look up or leak."""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.encoding import force_bytes

UNSUBSCRIBE_SALT = "bakohumas.dissemination.unsubscribe"
CLICK_SALT = "bakohumas.dissemination.click"


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def with_utm(url: str, *, source: str, medium: str, campaign: str) -> str:
    """``url`` with UTM parameters for this channel (existing ones are kept)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if not k.startswith("utm_")]
    query += [("utm_source", source), ("utm_medium", medium), ("utm_campaign", campaign)]
    return urlunsplit(parts._replace(query=urlencode(query)))


# A campaign signs two or more links per message: the signers and the URL around the token
# are made once per process (and per key / site / URL configuration), not per link.
_SIGNERS: dict[tuple[str, str], _KeptSigner] = {}
_AFFIXES: dict[tuple[str, str, str | None], tuple[str, str]] = {}


class _KeptSigner(signing.TimestampSigner):
    """A ``TimestampSigner`` whose HMAC key (derived from the salt and SECRET_KEY on every
    call by Django) is derived once: the same signatures, a fraction of the cost."""

    def __init__(self, *, salt: str) -> None:
        super().__init__(salt=salt)
        secret = force_bytes(self.key)
        derived = hashlib.sha256(force_bytes(self.salt) + b"signer" + secret).digest()
        self._mac = hmac.new(derived, digestmod=hashlib.sha256)

    def signature(self, value: str | bytes, key: str | bytes | None = None) -> str:
        if key is not None and force_bytes(key) != force_bytes(self.key):
            return super().signature(value, key)
        mac = self._mac.copy()
        mac.update(force_bytes(value))
        return signing.b64_encode(mac.digest()).decode()


def _dumps(value: object, salt: str) -> str:
    """What ``signing.dumps(value, salt=salt, compress=True)`` returns, with the signer
    kept between calls."""
    key = (salt, str(settings.SECRET_KEY))
    signer = _SIGNERS.get(key)
    if signer is None:
        signer = _SIGNERS.setdefault(key, _KeptSigner(salt=salt))
    return signer.sign_object(value, compress=True)


def _around(name: str) -> tuple[str, str]:
    """The absolute URL of ``name`` split around its token argument."""
    from django.urls import get_urlconf

    key = (name, settings.SITE_URL, get_urlconf())
    affixes = _AFFIXES.get(key)
    if affixes is None:
        before, after = absolute(reverse(name, args=["TOKEN"])).split("TOKEN", 1)
        affixes = _AFFIXES.setdefault(key, (before, after))
    return affixes


def unsubscribe_token(delivery_id: int) -> str:
    return _dumps(delivery_id, UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token: str) -> int | None:
    try:
        value = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None


def unsubscribe_url(delivery_id: int) -> str:
    before, after = _around("dissemination_public:unsubscribe")
    return before + unsubscribe_token(delivery_id) + after


def click_token(delivery_id: int, url: str) -> str:
    return _dumps([delivery_id, url], CLICK_SALT)


def read_click_token(token: str) -> tuple[int, str] | None:
    try:
        value = signing.loads(token, salt=CLICK_SALT)
    except signing.BadSignature:
        return None
    if (
        isinstance(value, list)
        and len(value) == 2
        and isinstance(value[0], int)
        and isinstance(value[1], str)
        and value[1].startswith(("http://", "https://"))
    ):
        return value[0], value[1]
    return None


def click_url(delivery_id: int, url: str) -> str:
    before, after = _around("dissemination_public:click")
    return before + click_token(delivery_id, url) + after
