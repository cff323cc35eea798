"""Signed links carried by messages: one-click unsubscribe (RFC 8058), tracked clicks and
subscription confirmation. Tokens are signed, not stored: nothing to look up or leak."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.core import signing
from django.urls import reverse

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


def unsubscribe_token(delivery_id: int) -> str:
    return signing.dumps(delivery_id, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> int | None:
    try:
        value = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None


def unsubscribe_url(delivery_id: int) -> str:
    return absolute(
        reverse("dissemination_public:unsubscribe", args=[unsubscribe_token(delivery_id)])
    )


def click_token(delivery_id: int, url: str) -> str:
    return signing.dumps([delivery_id, url], salt=CLICK_SALT, compress=True)


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
    return absolute(reverse("dissemination_public:click", args=[click_token(delivery_id, url)]))
