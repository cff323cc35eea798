"""What the portal tells machines about a page: absolute URLs, Open Graph / Twitter-card
meta data and schema.org JSON-LD (``NewsArticle``, ``ClaimReview``)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language

from bakohumas.content.models import CLAIM_RATING_VALUES, ContentForm, ContentItem
from bakohumas.core.models import WorkUnit

DESCRIPTION_LENGTH = 200
HEADLINE_LENGTH = 110  # schema.org/Google limit for NewsArticle.headline
OG_LOCALES = {"id": "id_ID", "en": "en_US"}

# Characters escaped inside <script>: "</script>" or "<!--" in the data stay inert.
_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def absolute(url: str) -> str:
    """``url`` made absolute with ``settings.SITE_URL`` (already absolute URLs unchanged)."""
    if not url or url.startswith(("http://", "https://")):
        return url
    if url.startswith("//"):
        return "https:" + url
    return settings.SITE_URL.rstrip("/") + "/" + url.lstrip("/")


def item_path(item: ContentItem) -> str:
    return reverse("portal:item", args=[item.unit.code, item.slug])


def unit_path(unit: WorkUnit) -> str:
    return reverse("portal:unit_home", args=[unit.code])


def description_of(item: ContentItem) -> str:
    text = item.summary.strip() or strip_tags(item.body_text or item.body or "").strip()
    return Truncator(" ".join(text.split())).chars(DESCRIPTION_LENGTH)


def image_url(asset: Any, preferred: str = "w1600") -> str:
    """The absolute URL of the best rendition of an image asset for sharing (og:image)."""
    from bakohumas.media.templatetags.media_tags import rendition_url

    if asset is None:
        return ""
    return absolute(rendition_url(asset, preferred))


@dataclass
class PageMeta:
    """The ``<head>`` data of a page (title, description, canonical URL, Open Graph)."""

    title: str
    description: str = ""
    path: str = "/"
    og_type: str = "website"
    image: str = ""
    image_alt: str = ""
    published: Any = None
    modified: Any = None
    noindex: bool = False
    feeds: list[tuple[str, str, str]] = field(default_factory=list)  # (type, title, path)

    @property
    def canonical(self) -> str:
        return absolute(self.path)

    @property
    def og_locale(self) -> str:
        return OG_LOCALES.get((get_language() or "id")[:2], "id_ID")

    @property
    def og_locale_alternates(self) -> list[str]:
        current = self.og_locale
        return [v for v in OG_LOCALES.values() if v != current]

    @property
    def twitter_card(self) -> str:
        return "summary_large_image" if self.image else "summary"


def dumps_for_script(data: Any) -> SafeString:
    """``data`` as JSON safe to put inside ``<script>``: ``<``, ``>`` and ``&`` escaped as
    ``\\u003C`` …, exactly like Django's ``json_script``."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))
    return mark_safe(text.translate(_SCRIPT_ESCAPES))  # noqa: S308 - escaped above


def _organisation(unit: WorkUnit) -> dict[str, Any]:
    return {"@type": "GovernmentOrganization", "name": unit.name, "url": absolute(unit_path(unit))}


def news_article(item: ContentItem, images: list[Any]) -> dict[str, Any]:
    """schema.org ``NewsArticle`` of a published item."""
    url = absolute(item_path(item))
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "headline": Truncator(item.title).chars(HEADLINE_LENGTH),
        "description": description_of(item),
        "datePublished": item.published_at,
        "dateModified": item.updated_at or item.published_at,
        "inLanguage": "id",
        "author": _organisation(item.unit),
        "publisher": _organisation(item.unit),
    }
    pictures = [image_url(a) for a in images]
    if pictures := [p for p in pictures if p]:
        data["image"] = pictures
    if item.form == ContentForm.PRESS_RELEASE and item.release_number:
        data["identifier"] = item.release_number
    return data


def claim_review(item: ContentItem) -> dict[str, Any]:
    """schema.org ``ClaimReview`` of a hoax clarification."""
    url = absolute(item_path(item))
    reviewed: dict[str, Any] = {"@type": "Claim"}
    if item.claim_author:
        reviewed["author"] = {"@type": "Person", "name": item.claim_author}
    if item.claim_date:
        reviewed["datePublished"] = item.claim_date
    if item.claim_source_url:
        reviewed["appearance"] = {"@type": "CreativeWork", "url": item.claim_source_url}
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": url,
        "datePublished": item.published_at,
        "headline": Truncator(item.title).chars(HEADLINE_LENGTH),
        "claimReviewed": item.claim_text or item.title,
        "itemReviewed": reviewed,
        "author": _organisation(item.unit),
        "inLanguage": "id",
    }
    if item.claim_rating:
        data["reviewRating"] = {
            "@type": "Rating",
            "ratingValue": CLAIM_RATING_VALUES[item.claim_rating],  # type: ignore[index]
            "bestRating": 5,
            "worstRating": 1,
            "alternateName": str(item.get_claim_rating_display()),
        }
    return data


def structured_data(item: ContentItem, images: list[Any]) -> dict[str, Any]:
    if item.form == ContentForm.HOAX_CLARIFICATION:
        return claim_review(item)
    return news_article(item, images)
