"""Template helpers of the public portal."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils import formats
from django.utils.html import format_html
from django.utils.safestring import SafeString

from bakohumas.content.models import FORM_SLUGS
from bakohumas.portal.structured import dumps_for_script

register = template.Library()


@register.filter
def item_url(item: Any) -> str:
    """The portal address of a content item (its unit must be loaded)."""
    return reverse("portal:item", args=[item.unit.code, item.slug])


@register.filter
def form_url(unit: Any, form: str) -> str:
    return reverse("portal:form_list", args=[unit.code, FORM_SLUGS[form]])


@register.filter
def local_datetime(value: Any, unit: Any) -> str:
    """``value`` in ``unit``'s time zone with its abbreviation: "29 Nov 2026 16:47 WITA"."""
    if value is None:
        return ""
    if unit is None:
        return str(formats.date_format(value, "DATETIME_FORMAT"))
    local = unit.localtime(value)
    return f"{formats.date_format(local, 'DATETIME_FORMAT')} {unit.zone_abbreviation}"


@register.filter
def local_date(value: Any, unit: Any) -> str:
    if value is None:
        return ""
    local = unit.localtime(value) if unit is not None else value
    return str(formats.date_format(local, "DATE_FORMAT"))


@register.filter
def iso(value: Any) -> str:
    return value.isoformat() if value is not None else ""


@register.simple_tag
def jsonld(data: Any, nonce: Any = "") -> SafeString:
    """``<script type="application/ld+json">`` with ``data`` escaped for a script element and
    the CSP nonce of the request."""
    nonce = "" if nonce is None else str(nonce)  # request.csp_nonce is lazy: falsy until read
    if nonce:
        return format_html(
            '<script type="application/ld+json" nonce="{}">{}</script>',
            nonce,
            dumps_for_script(data),
        )
    return format_html('<script type="application/ld+json">{}</script>', dumps_for_script(data))


@register.filter
def first_image(item: Any) -> Any:
    """The first image asset of an item (from its prefetched media links) or ``None``."""
    for link in item.media_links.all():
        if link.asset.kind == "image":
            return link.asset
    return None
