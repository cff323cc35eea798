"""The allow-list HTML sanitiser of rich text (nh3, the Rust ``ammonia`` binding)."""

from __future__ import annotations

import html
import re

import nh3

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "s",
    "sub",
    "sup",
    "a",
    "ul",
    "ol",
    "li",
    "blockquote",
    "h2",
    "h3",
    "h4",
    "figure",
    "figcaption",
    "img",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "caption",
    "code",
    "pre",
    "hr",
    "abbr",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "abbr": {"title"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
_WHITESPACE = re.compile(r"\s+")


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    # Images only from this site (a path such as /media/...): an outside image would be a
    # request to a third party from every reader of the portal (and a tracking pixel).
    if tag == "img" and attribute == "src":
        src = value.strip()
        if not src.startswith("/") or src.startswith("//") or src.startswith("/\\"):
            return None
    return value


def clean_html(value: str) -> str:
    """Rich text reduced to the allow-list: no script, no event handler, no style, no
    ``javascript:`` URL. Links get ``rel="noopener noreferrer"``."""
    if not value:
        return ""
    return nh3.clean(
        value,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
        attribute_filter=_filter_attribute,
    ).strip()


def html_to_text(value: str) -> str:
    """Plain text of (sanitised) HTML, whitespace collapsed: for search, feeds and diffs."""
    if not value:
        return ""
    spaced = re.sub(r"<(br|/p|/li|/h[2-4]|/blockquote|/tr)\b[^>]*>", "\n", value, flags=re.I)
    text = html.unescape(nh3.clean(spaced, tags=set()))
    lines = [_WHITESPACE.sub(" ", line).strip() for line in text.splitlines()]
    return "\n".join(line for line in lines if line)
