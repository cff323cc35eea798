"""RSS 2.0 and Atom feeds (django.contrib.syndication): the whole site, a unit (a province
with its kab/kota), and a unit's form.

Payloads stay inert: the feed generator XML-escapes every text, and descriptions are
HTML-escaped first (feed readers render a description as HTML), so a ``<script>`` in a
title or summary reaches the reader as text. Links are absolute with ``SITE_URL``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed, SyndicationFeed
from django.utils.html import escape
from django.utils.translation import gettext

from bakohumas.content.models import FORM_SLUGS, ContentItem
from bakohumas.core.models import WorkUnit
from bakohumas.portal import selectors
from bakohumas.portal.http import public_page
from bakohumas.portal.structured import absolute, description_of, item_path

FEED_LENGTH = 50


@dataclass
class Scope:
    """What a feed covers: every unit, one unit (with its tree), or one form of it."""

    unit: WorkUnit | None = None
    form: str | None = None
    path: str = "/"


class ItemsFeed(Feed):
    feed_type: type[SyndicationFeed] = Rss201rev2Feed

    def get_object(  # type: ignore[override]
        self, request: HttpRequest, code: str | None = None, form_slug: str | None = None
    ) -> Scope:
        unit = selectors.get_unit(code) if code else None
        form = selectors.form_from_slug(form_slug) if form_slug else None
        return Scope(unit=unit, form=form, path=request.path)

    def title(self, obj: Scope) -> str:
        from bakohumas.portal.views import FORM_TITLES

        if obj.unit is None:
            return gettext("Bakohumas: all work units")
        if obj.form is not None:
            return f"{obj.unit.name}: {FORM_TITLES[obj.form]}"
        return obj.unit.name

    def description(self, obj: Scope) -> str:
        if obj.unit is None:
            return gettext("The latest published content of every KPU work unit.")
        return gettext("The latest published content of %(unit)s.") % {"unit": obj.unit.name}

    def subtitle(self, obj: Scope) -> str:
        return self.description(obj)

    def link(self, obj: Scope) -> str:
        if obj.unit is None:
            return absolute("/")
        if obj.form is not None:
            return absolute(reverse("portal:form_list", args=[obj.unit.code, FORM_SLUGS[obj.form]]))
        return absolute(reverse("portal:unit_home", args=[obj.unit.code]))

    def feed_url(self, obj: Scope) -> str:
        return absolute(obj.path)

    def items(self, obj: Scope) -> list[ContentItem]:
        ids = selectors.unit_tree_ids(obj.unit) if obj.unit is not None else None
        forms = [obj.form] if obj.form is not None else None
        return selectors.latest(selectors.public_items(ids, forms), FEED_LENGTH)

    def item_title(self, item: ContentItem) -> str:
        return item.title

    def item_description(self, item: ContentItem) -> str:
        # Readers render descriptions as HTML: escape the plain text once more.
        return str(escape(description_of(item)))

    def item_link(self, item: ContentItem) -> str:
        return absolute(item_path(item))

    def item_guid(self, item: ContentItem) -> str:
        return absolute(item_path(item))

    item_guid_is_permalink = True

    def item_pubdate(self, item: ContentItem) -> Any:
        return item.published_at

    def item_updateddate(self, item: ContentItem) -> Any:
        return max(item.updated_at, item.published_at) if item.published_at else item.updated_at

    def item_author_name(self, item: ContentItem) -> str:
        return item.unit.name

    def item_categories(self, item: ContentItem) -> list[str]:
        return [str(item.get_form_display())]


class AtomItemsFeed(ItemsFeed):
    feed_type = Atom1Feed


_rss = ItemsFeed()
_atom = AtomItemsFeed()


@public_page
def rss(
    request: HttpRequest, code: str | None = None, form_slug: str | None = None
) -> HttpResponse:
    return _rss(request, code=code, form_slug=form_slug)


@public_page
def atom(
    request: HttpRequest, code: str | None = None, form_slug: str | None = None
) -> HttpResponse:
    return _atom(request, code=code, form_slug=form_slug)
