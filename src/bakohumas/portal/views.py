"""The public portal: each work unit's website and media centre (issue 3, item 7).

Public, read-only and cacheable: every view is wrapped in :func:`http.public_page`
(GET/HEAD, ``Cache-Control: public, max-age=60``, ETag, 304 on a current copy) and renders
through :func:`http.render_public` (no session, no user). Reads come from
:mod:`bakohumas.portal.selectors`; nothing here writes.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.paginator import Page
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language, gettext
from django.utils.translation import gettext_lazy as _

from bakohumas.content.models import (
    FORM_SLUGS,
    FORMS_BY_SLUG,
    ContentForm,
    ContentItem,
)
from bakohumas.core.models import WorkUnit
from bakohumas.portal import search as search_module
from bakohumas.portal import selectors
from bakohumas.portal.http import (
    conditional_response,
    data_etag,
    public_page,
    render_public,
    stamp,
)
from bakohumas.portal.pdf import press_release_pdf
from bakohumas.portal.search import MAX_QUERY_LENGTH, is_blank, search_items
from bakohumas.portal.structured import (
    PageMeta,
    absolute,
    description_of,
    image_url,
    structured_data,
)
from bakohumas.stakeholders.pagination import CappedPaginator

PER_PAGE = 12
GALLERY_PER_PAGE = 24
AGENDA_PER_PAGE = 20
HOME_LATEST = 8
HOME_SECTION = 4
HOME_EVENTS = 5

# Plural headings of the per-form lists.
FORM_TITLES: dict[str, Any] = {
    ContentForm.NEWS: _("News"),
    ContentForm.PHOTO: _("Photos"),
    ContentForm.MEME: _("Memes"),
    ContentForm.INFOGRAPHIC: _("Infographics"),
    ContentForm.VIDEO: _("Videos"),
    ContentForm.PODCAST: _("Podcasts"),
    ContentForm.ADVERTISEMENT: _("Advertisements"),
    ContentForm.FILM: _("Films"),
    ContentForm.SLIDES: _("Presentations"),
    ContentForm.PRESS_RELEASE: _("Press releases"),
    ContentForm.HOAX_CLARIFICATION: _("Hoax clarifications"),
}
# The unit menu: (key, label, url name, form): form lists take the form's URL segment.
MENU: list[tuple[str, Any, str, str | None]] = [
    ("home", _("Home"), "portal:unit_home", None),
    ("news", _("News"), "portal:form_list", ContentForm.NEWS),
    ("press_release", _("Press releases"), "portal:form_list", ContentForm.PRESS_RELEASE),
    ("gallery", _("Gallery"), "portal:gallery", None),
    ("video", _("Videos"), "portal:form_list", ContentForm.VIDEO),
    ("podcast", _("Podcasts"), "portal:form_list", ContentForm.PODCAST),
    (
        "hoax_clarification",
        _("Hoax clarifications"),
        "portal:form_list",
        ContentForm.HOAX_CLARIFICATION,
    ),
    ("agenda", _("Agenda"), "portal:agenda", None),
]


def _paginate(request: HttpRequest, queryset: Any, per_page: int) -> Page:
    return CappedPaginator(queryset, per_page).get_page(request.GET.get("page"))


def _menu(unit: WorkUnit, active: str) -> list[dict[str, Any]]:
    entries = []
    for key, label, name, form in MENU:
        args = [unit.code, FORM_SLUGS[form]] if form else [unit.code]
        entries.append({"label": label, "url": reverse(name, args=args), "active": key == active})
    return entries


def _feeds(unit: WorkUnit | None = None, form: str | None = None) -> list[tuple[str, str, str]]:
    """Feed autodiscovery links: the narrowest feed of the page, then the whole site's."""
    feeds: list[tuple[str, str, str]] = []
    if unit is not None and form is not None:
        slug = FORM_SLUGS[form]
        title = f"{unit.name}: {FORM_TITLES[form]}"
        feeds += [
            (
                "application/rss+xml",
                f"{title} (RSS)",
                reverse("portal:form_feed", args=[unit.code, slug]),
            ),
            (
                "application/atom+xml",
                f"{title} (Atom)",
                reverse("portal:form_feed_atom", args=[unit.code, slug]),
            ),
        ]
    elif unit is not None:
        feeds += [
            (
                "application/rss+xml",
                f"{unit.name} (RSS)",
                reverse("portal:unit_feed", args=[unit.code]),
            ),
            (
                "application/atom+xml",
                f"{unit.name} (Atom)",
                reverse("portal:unit_feed_atom", args=[unit.code]),
            ),
        ]
    site = gettext("All work units")
    feeds += [
        ("application/rss+xml", f"{site} (RSS)", reverse("portal:feed")),
        ("application/atom+xml", f"{site} (Atom)", reverse("portal:feed_atom")),
    ]
    return feeds


def _context(unit: WorkUnit | None, active: str, meta: PageMeta, **extra: Any) -> dict[str, Any]:
    return {
        "unit": unit,
        "menu": _menu(unit, active) if unit is not None else [],
        "meta": meta,
        "search_unit": unit,
        **extra,
    }


# --- home and unit pages ----------------------------------------------------------------------


@public_page
def home(request: HttpRequest) -> HttpResponse:
    """``/``: the front page of the default unit (``settings.PORTAL_HOME_UNIT``)."""
    unit = selectors.home_unit()
    if unit is None:
        meta = PageMeta(title=gettext("Public information"), path="/", feeds=_feeds())
        return render_public(request, "portal/empty.html", _context(None, "home", meta))
    return _unit_home(request, unit, path="/")


@public_page
def unit_home(request: HttpRequest, code: str) -> HttpResponse:
    unit = selectors.get_unit(code)
    return _unit_home(request, unit, path=request.path)


def _unit_home(request: HttpRequest, unit: WorkUnit, *, path: str) -> HttpResponse:
    ids = selectors.unit_tree_ids(unit)
    own_sections = [ContentForm.PRESS_RELEASE, ContentForm.HOAX_CLARIFICATION]
    latest = selectors.latest(
        selectors.public_items(ids).exclude(form__in=own_sections), HOME_LATEST, media=True
    )
    press = selectors.latest(selectors.public_items(ids, [ContentForm.PRESS_RELEASE]), HOME_SECTION)
    hoaxes = selectors.latest(
        selectors.public_items(ids, [ContentForm.HOAX_CLARIFICATION]), HOME_SECTION
    )
    events = list(selectors.upcoming_events(ids)[:HOME_EVENTS])
    lead_image = next((i for i in (selectors.first_image(x) for x in latest) if i), None)
    meta = PageMeta(
        title=unit.name,
        description=gettext(
            "News, press releases, infographics, hoax clarifications and the agenda of %(unit)s."
        )
        % {"unit": unit.name},
        path=path,
        image=image_url(lead_image),
        image_alt=getattr(lead_image, "alt_text", ""),
        feeds=_feeds(unit),
    )
    return render_public(
        request,
        "portal/home.html",
        _context(
            unit,
            "home",
            meta,
            latest=latest,
            press_releases=press,
            hoaxes=hoaxes,
            events=events,
            is_tree=len(ids) > 1,
        ),
    )


@public_page
def unit_list(request: HttpRequest) -> HttpResponse:
    """``/satker/``: every work unit with a link to its portal."""
    meta = PageMeta(
        title=gettext("Work units"),
        description=gettext("The portals of KPU RI, the KPU Provinsi and the KPU Kabupaten/Kota."),
        path=request.path,
        feeds=_feeds(),
    )
    return render_public(
        request,
        "portal/unit_list.html",
        _context(None, "", meta, groups=selectors.units_for_directory()),
    )


@public_page
def form_list(request: HttpRequest, code: str, form_slug: str) -> HttpResponse:
    """``/satker/<code>/<form>/``: a unit's items of one form, newest first."""
    unit = selectors.get_unit(code)
    form = selectors.form_from_slug(form_slug)
    ids = selectors.unit_tree_ids(unit)
    page = _paginate(request, selectors.with_media(selectors.public_items(ids, [form])), PER_PAGE)
    title = str(FORM_TITLES[form])
    meta = PageMeta(
        title=f"{title} · {unit.name}",
        description=gettext("%(form)s of %(unit)s.") % {"form": title, "unit": unit.name},
        path=request.path + (f"?page={page.number}" if page.number > 1 else ""),
        feeds=_feeds(unit, form),
    )
    active = next((key for key, _l, _n, f in MENU if f == form), "")
    return render_public(
        request,
        "portal/item_list.html",
        _context(
            unit, active, meta, heading=title, form=form, page_obj=page, items=page.object_list
        ),
    )


@public_page
def gallery(request: HttpRequest, code: str) -> HttpResponse:
    """``/satker/<code>/galeri/``: photos and infographics as a grid."""
    unit = selectors.get_unit(code)
    ids = selectors.unit_tree_ids(unit)
    qs = selectors.with_media(selectors.public_items(ids, selectors.GALLERY_FORMS))
    page = _paginate(request, qs, GALLERY_PER_PAGE)
    meta = PageMeta(
        title=f"{gettext('Gallery')} · {unit.name}",
        description=gettext("Photos and infographics of %(unit)s.") % {"unit": unit.name},
        path=request.path + (f"?page={page.number}" if page.number > 1 else ""),
        feeds=_feeds(unit),
    )
    return render_public(
        request,
        "portal/gallery.html",
        _context(unit, "gallery", meta, page_obj=page, items=page.object_list),
    )


@public_page
def agenda(request: HttpRequest, code: str) -> HttpResponse:
    """``/satker/<code>/agenda/``: upcoming public events."""
    unit = selectors.get_unit(code)
    page = _paginate(
        request, selectors.upcoming_events(selectors.unit_tree_ids(unit)), AGENDA_PER_PAGE
    )
    meta = PageMeta(
        title=f"{gettext('Agenda')} · {unit.name}",
        description=gettext("Upcoming public events of %(unit)s.") % {"unit": unit.name},
        path=request.path,
        feeds=_feeds(unit),
    )
    return render_public(
        request,
        "portal/agenda.html",
        _context(unit, "agenda", meta, page_obj=page, events=page.object_list),
    )


# --- one item ---------------------------------------------------------------------------------


def _item_state(item: ContentItem) -> tuple[str, Any]:
    """ETag and Last-Modified of an item page from its data (before rendering)."""
    assets = [link.asset for link in item.media_links.all()]
    stamps = [item.updated_at, item.unit.updated_at, *(a.updated_at for a in assets)]
    last_modified = max(s for s in stamps if s is not None)
    etag = data_etag(
        "item",
        item.pk,
        item.status,
        *(s.isoformat() for s in stamps if s is not None),
        *(a.pk for a in assets),
        *(t.pk for t in item.tags.all()),
    )
    return etag, last_modified


def _withdrawn(request: HttpRequest, item: ContentItem) -> HttpResponse:
    unit = item.unit
    meta = PageMeta(
        title=gettext("Withdrawn"),
        description=gettext("This content has been withdrawn by %(unit)s.") % {"unit": unit.name},
        path=request.path,
        noindex=True,
        feeds=_feeds(unit),
    )
    return render_public(
        request,
        "portal/withdrawn.html",
        _context(unit, "", meta, notice=item.correction_notice, withdrawn_at=item.withdrawn_at),
        status=410,
    )


@public_page
def item_detail(request: HttpRequest, code: str, slug: str) -> HttpResponseBase:
    """``/satker/<code>/konten/<slug>/``: one published item (410 when withdrawn)."""
    unit = selectors.get_unit(code)
    try:
        item = selectors.get_public_item(unit, slug)
    except selectors.ItemWithdrawn as withdrawn:
        return _withdrawn(request, withdrawn.item)
    etag, last_modified = _item_state(item)
    if (not_modified := conditional_response(request, etag, last_modified)) is not None:
        return not_modified
    links = list(item.media_links.all())
    images = [link.asset for link in links if link.asset.kind == "image"]
    videos = [link.asset for link in links if link.asset.kind == "video"]
    audios = [link.asset for link in links if link.asset.kind == "audio"]
    documents = [link.asset for link in links if link.asset.kind in ("pdf", "slides")]
    is_hoax = item.form == ContentForm.HOAX_CLARIFICATION
    meta = PageMeta(
        title=item.title,
        description=description_of(item),
        path=request.path,
        og_type="article",
        image=image_url(images[0]) if images else "",
        image_alt=images[0].alt_text if images else "",
        published=item.published_at,
        modified=item.updated_at,
        feeds=_feeds(unit, item.form),
    )
    active = next((key for key, _l, _n, f in MENU if f == item.form), "")
    if item.form in selectors.GALLERY_FORMS:
        active = "gallery"
    response = render_public(
        request,
        "portal/item_detail.html",
        _context(
            unit,
            active,
            meta,
            item=item,
            form_title=FORM_TITLES[item.form],
            form_slug=FORM_SLUGS[item.form],
            images=images,
            videos=videos,
            audios=audios,
            documents=documents,
            tags=list(item.tags.all()),
            is_hoax=is_hoax,
            is_press_release=item.form == ContentForm.PRESS_RELEASE,
            structured=structured_data(item, images),
        ),
    )
    stamp(response, etag, last_modified)
    return response


@public_page
def item_pdf(request: HttpRequest, code: str, slug: str) -> HttpResponseBase:
    """``/satker/<code>/konten/<slug>/pdf/``: the press release as PDF, generated on request
    and revalidated by ETag (a 304 costs no PDF generation)."""
    unit = selectors.get_unit(code)
    try:
        item = selectors.get_public_item(unit, slug)
    except selectors.ItemWithdrawn as withdrawn:
        return _withdrawn(request, withdrawn.item)
    if item.form != ContentForm.PRESS_RELEASE:
        raise Http404("Only press releases have a PDF.")
    etag, last_modified = _item_state(item)
    etag = data_etag("pdf", etag)
    if (not_modified := conditional_response(request, etag, last_modified)) is not None:
        return not_modified
    pdf = press_release_pdf(item, url=absolute(reverse("portal:item", args=[unit.code, item.slug])))
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = (
        f"siaran-pers-{item.slug}.pdf".encode("ascii", "ignore").decode() or "siaran-pers.pdf"
    )
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    stamp(response, etag, last_modified)
    return response


# --- search -----------------------------------------------------------------------------------


@public_page(cached=False)  # every query is measured as it is (bench/): no page cache
def search(request: HttpRequest) -> HttpResponse:
    """``/cari/?q=&satker=<code>&bentuk=<form>``: full-text search of public items."""
    query = request.GET.get("q", "")[:MAX_QUERY_LENGTH]
    code = request.GET.get("satker", "").strip()
    form_slug = request.GET.get("bentuk", "").strip()
    errors: list[str] = []
    unit = None
    if code:
        unit = selectors.active_units().filter(code=code).first()
        if unit is None:
            errors.append(
                gettext("There is no work unit with the code “%(code)s”.") % {"code": code[:20]}
            )
    form = None
    if form_slug:
        form = FORMS_BY_SLUG.get(form_slug)
        if form is None:
            errors.append(
                gettext("“%(form)s” is not a kind of content.") % {"form": form_slug[:40]}
            )
    page = None
    if not errors and not is_blank(query):
        qs = selectors.public_items(
            selectors.unit_tree_ids(unit) if unit else None, [form] if form else None
        )
        page = _paginate(request, selectors.with_media(search_items(qs, query)), PER_PAGE)
    home = unit or selectors.home_unit()
    unit_choices = (
        list(
            selectors.active_units()
            .filter(pk__in=selectors.unit_tree_ids(home))
            .order_by("code")
            .only("id", "code", "name")
        )
        if home is not None
        else []
    )
    meta = PageMeta(
        title=gettext("Search") + (f": {query.strip()}" if query.strip() else ""),
        path=request.path,
        noindex=True,
        feeds=_feeds(unit),
    )
    return render_public(
        request,
        "portal/search.html",
        _context(
            home,
            "",
            meta,
            query=query,
            errors=errors,
            candidates=search_module.CANDIDATES,
            page_obj=page,
            items=page.object_list if page is not None else [],
            selected_unit=unit,
            selected_form=form_slug if form else "",
            unit_choices=unit_choices,
            form_choices=[(FORM_SLUGS[f], FORM_TITLES[f]) for f in FORM_TITLES],
        ),
        status=400 if errors else 200,
    )


# --- machine-readable and helpers -------------------------------------------------------------


@public_page
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /app/",
        "Disallow: /admin/",
        "Disallow: /api/",
        "Disallow: /login/",
        "Disallow: /cari/",
        "Disallow: /bahasa/",
        "",
        f"Sitemap: {absolute(reverse('portal:sitemap'))}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


def set_language(request: HttpRequest) -> HttpResponseBase:
    """``/bahasa/?language=en&next=/…``: the portal's language switch.

    A link, not a form: a form posting to ``/i18n/setlang/`` needs a CSRF token, and a
    token (with its cookie) in a public page would make every page private to one
    visitor. Setting a display-language cookie is harmless to do on GET. Sets the same
    cookie as Django's ``set_language`` and returns to ``next`` (a local URL only).
    """
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    next_url = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    language = request.GET.get("language", "")
    if language and check_for_language(language):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    response["Cache-Control"] = "no-store"
    return response
