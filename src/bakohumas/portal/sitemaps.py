"""``/sitemap.xml`` (django.contrib.sitemaps classes, absolute URLs with ``SITE_URL``).

Two sections: ``pages`` (the front page, the unit directory, each unit's home, gallery and
agenda) and ``items`` (every public item, with its last modification). While the whole
site fits in one sitemap (``PORTAL_SITEMAP_LIMIT`` URLs, 50,000 by the protocol) the
answer is one ``<urlset>``; beyond that ``/sitemap.xml`` becomes a sitemap index pointing
to ``/sitemap-<section>.xml?p=N`` pages of at most that many URLs each.

Rendered without context processors (no session): Django's own sitemap views use a
``TemplateResponse`` with the request, which would run them.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.template import loader
from django.urls import reverse
from django.utils.functional import cached_property

from bakohumas.content.models import ContentItem
from bakohumas.portal import selectors
from bakohumas.portal.http import public_page
from bakohumas.portal.structured import absolute

PROTOCOL_LIMIT = 50_000


def sitemap_limit() -> int:
    return int(getattr(settings, "PORTAL_SITEMAP_LIMIT", PROTOCOL_LIMIT) or PROTOCOL_LIMIT)


class _SiteUrlSitemap(Sitemap):
    """A sitemap whose URLs are built on ``SITE_URL`` instead of the request's host."""

    def __init__(self) -> None:
        self.limit = sitemap_limit()

    @cached_property
    def paginator(self) -> Paginator:  # type: ignore[override]
        # Django builds a new paginator (a new COUNT) on every access; one is enough.
        return Paginator(self.items(), self.limit)  # type: ignore[arg-type]

    def get_urls(self, page: Any = 1, site: Any = None, protocol: str | None = None) -> list[Any]:
        parts = urlsplit(settings.SITE_URL)
        base: Any = SimpleNamespace(domain=parts.netloc + parts.path.rstrip("/"))
        return super().get_urls(page=page, site=base, protocol=parts.scheme or "https")


class PageSitemap(_SiteUrlSitemap):
    changefreq = "daily"

    def items(self) -> list[tuple[str, list[str]]]:
        entries: list[tuple[str, list[str]]] = [("portal:home", []), ("portal:unit_list", [])]
        for code in selectors.active_units().order_by("code").values_list("code", flat=True):
            entries += [
                ("portal:unit_home", [code]),
                ("portal:gallery", [code]),
                ("portal:agenda", [code]),
            ]
        return entries

    def location(self, item: tuple[str, list[str]]) -> str:  # type: ignore[override]
        name, args = item
        return reverse(name, args=args)


class ItemSitemap(_SiteUrlSitemap):
    def items(self) -> QuerySet[ContentItem]:
        return (
            selectors.public_items().order_by("id").only("id", "slug", "updated_at", "unit__code")
        )

    def location(self, item: ContentItem) -> str:  # type: ignore[override]
        return reverse("portal:item", args=[item.unit.code, item.slug])

    def lastmod(self, item: ContentItem) -> Any:
        return item.updated_at


SECTIONS: dict[str, type[_SiteUrlSitemap]] = {"pages": PageSitemap, "items": ItemSitemap}


def _xml(template: str, context: dict[str, Any]) -> HttpResponse:
    response = HttpResponse(
        loader.render_to_string(template, context), content_type="application/xml"
    )
    response["X-Robots-Tag"] = "noindex, noarchive"
    return response


@public_page
def sitemap(request: HttpRequest) -> HttpResponse:
    """The whole site as one ``<urlset>``, or an index of section pages when too big."""
    maps = {name: cls() for name, cls in SECTIONS.items()}
    total = sum(m.paginator.count for m in maps.values())
    if total <= sitemap_limit():
        urls: list[Any] = []
        for m in maps.values():
            if m.paginator.count:
                urls.extend(m.get_urls(page=1))
        return _xml("portal/sitemap.xml", {"urlset": urls})
    entries = []
    for name, m in maps.items():
        location = absolute(reverse("portal:sitemap_section", args=[name]))
        for number in m.paginator.page_range:
            entries.append(location if number == 1 else f"{location}?p={number}")
    return _xml("portal/sitemap_index.xml", {"locations": entries})


@public_page
def sitemap_section(request: HttpRequest, section: str) -> HttpResponse:
    """One page (``?p=N``) of one section of the sitemap index."""
    if section not in SECTIONS:
        raise Http404("No such sitemap section.")
    m = SECTIONS[section]()
    try:
        urls = m.get_urls(page=request.GET.get("p", 1))
    except (EmptyPage, PageNotAnInteger) as exc:
        raise Http404("No such sitemap page.") from exc
    return _xml("portal/sitemap.xml", {"urlset": urls})
