"""Template helpers of the stakeholder workspace."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

from django import template
from django.utils.formats import date_format

register = template.Library()

SOCIAL_BASES = {
    "facebook": "https://www.facebook.com/",
    "instagram": "https://www.instagram.com/",
    "x_account": "https://x.com/",
    "youtube": "https://www.youtube.com/@",
    "tiktok": "https://www.tiktok.com/@",
}


@register.filter
def unit_time(value: datetime | None, unit: Any) -> str:
    """``value`` shown in ``unit``'s time zone with its abbreviation (``… WITA``)."""
    if not value:
        return ""
    if unit is None:
        return date_format(value, "DATETIME_FORMAT")
    local = unit.localtime(value)
    return f"{date_format(local, 'j M Y H:i')} {unit.zone_abbreviation}"


@register.filter
def unit_date(value: datetime | None, unit: Any) -> str:
    """The date of ``value`` in ``unit``'s time zone."""
    if not value:
        return ""
    local = unit.localtime(value) if unit is not None else value
    return str(date_format(local, "j M Y"))


@register.filter
def social_url(value: str, network: str) -> str:
    """A safe https link for a social account given as a URL or a handle ("" if unsafe)."""
    text = (value or "").strip()
    if not text:
        return ""
    lowered = text.lower()
    if lowered.startswith(("https://", "http://")):
        return text
    if "://" in text or lowered.startswith(("javascript:", "data:")):
        return ""
    if "." in text.split("/")[0] and " " not in text:  # "facebook.com/kpu"
        return "https://" + text
    base = SOCIAL_BASES.get(network)
    if base is None:
        return ""
    return base + quote(text.lstrip("@"), safe="._-")


@register.filter
def safe_url(value: str) -> str:
    """``value`` when it is an http(s) URL, else ""."""
    text = (value or "").strip()
    return text if text.lower().startswith(("https://", "http://")) else ""


@register.simple_tag(takes_context=True)
def sort_link(context: dict[str, Any], key: str) -> str:
    """Query string toggling the list's sort on ``key`` (page reset)."""
    query = context["request"].GET.copy()
    current = query.get("sort", "")
    query["sort"] = f"-{key}" if current == key else key
    query.pop("page", None)
    return str(query.urlencode())


@register.simple_tag(takes_context=True)
def sort_indicator(context: dict[str, Any], key: str) -> str:
    current = context["request"].GET.get("sort", "")
    if current == key:
        return "▲"
    if current == f"-{key}":
        return "▼"
    return ""


@register.simple_tag(takes_context=True)
def query_without(context: dict[str, Any], *names: str) -> str:
    """The current query string without ``names`` (and without ``page``)."""
    query = context["request"].GET.copy()
    for name in (*names, "page"):
        query.pop(name, None)
    return str(query.urlencode())
