"""RSS/Atom feeds and the sitemap: valid XML, the right items, inert payloads."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from bakohumas.content.models import ContentForm, Status
from tests.portal.conftest import SITE

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
PAYLOAD = '<script>alert("feed")</script>'


def rss_items(response: Any) -> list[ET.Element]:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/rss+xml")
    root = ET.fromstring(response.content)
    assert root.tag == "rss" and root.get("version") == "2.0"
    return root.findall("./channel/item")


def atom_entries(response: Any) -> list[ET.Element]:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    return root.findall(f"{ATOM}entry")


def titles(items: list[ET.Element], atom: bool = False) -> list[str]:
    tag = f"{ATOM}title" if atom else "title"
    return [i.findtext(tag) or "" for i in items]


@pytest.fixture
def content(make_item: Callable[..., Any]) -> dict[str, Any]:
    return {
        "samarinda": make_item("64.72", "Coklit Samarinda", minutes_ago=30),
        "berau": make_item("64.03", "Sosialisasi Berau", minutes_ago=20),
        "province": make_item("64", "Pleno provinsi", minutes_ago=10, status=Status.ARCHIVED),
        "press": make_item(
            "64.72", "Siaran pers DPT", form=ContentForm.PRESS_RELEASE, minutes_ago=40
        ),
        "national": make_item("00", "Berita nasional", minutes_ago=50),
        "draft": make_item("64.72", "Draf", status=Status.DRAFT),
        "withdrawn": make_item("64.72", "Ditarik", status=Status.WITHDRAWN),
    }


def test_site_feed_has_every_public_item_newest_first(
    client: Client, content: dict[str, Any]
) -> None:
    items = rss_items(client.get("/feed/"))
    assert titles(items) == [
        "Pleno provinsi",
        "Sosialisasi Berau",
        "Coklit Samarinda",
        "Siaran pers DPT",
        "Berita nasional",
    ]
    first = items[0]
    assert first.findtext("link") == f"{SITE}/satker/64/konten/{content['province'].slug}/"
    assert first.findtext("guid") == first.findtext("link")
    assert first.findtext("pubDate")
    entries = atom_entries(client.get("/feed/atom/"))
    assert titles(entries, atom=True)[0] == "Pleno provinsi"
    link = entries[0].find(f"{ATOM}link")
    assert link is not None and link.get("href", "").startswith(SITE)


def test_unit_and_form_feeds_are_scoped(client: Client, content: dict[str, Any]) -> None:
    province = titles(rss_items(client.get("/satker/64/feed/")))
    assert set(province) == {
        "Pleno provinsi",
        "Sosialisasi Berau",
        "Coklit Samarinda",
        "Siaran pers DPT",
    }
    samarinda = titles(rss_items(client.get("/satker/64.72/feed/")))
    assert set(samarinda) == {"Coklit Samarinda", "Siaran pers DPT"}
    press = titles(rss_items(client.get("/satker/64.72/siaran-pers/feed/")))
    assert press == ["Siaran pers DPT"]
    atom = titles(atom_entries(client.get("/satker/64.72/siaran-pers/feed/atom/")), atom=True)
    assert atom == ["Siaran pers DPT"]
    assert titles(atom_entries(client.get("/satker/64.72/feed/atom/")), atom=True)
    assert client.get("/satker/99/feed/").status_code == 404
    assert client.get("/satker/64.72/bukan-bentuk/feed/").status_code == 404


def test_feed_payloads_are_inert(client: Client, make_item: Callable[..., Any]) -> None:
    make_item("64.72", f"Judul {PAYLOAD}", summary=f"Ringkasan {PAYLOAD} & <b>tebal</b>")
    for url in ("/feed/", "/feed/atom/", "/satker/64.72/feed/"):
        response = client.get(url)
        raw = response.content.decode()
        assert "<script" not in raw, url  # no element: the XML parses and holds only text
        assert "<b>" not in raw
        ET.fromstring(response.content)  # well-formed
    item = rss_items(client.get("/feed/"))[0]
    # The title is plain text (the reader shows the characters) …
    assert item.findtext("title") == f"Judul {PAYLOAD}"
    # … and the description, which readers render as HTML, is HTML-escaped once more.
    description = item.findtext("description") or ""
    assert description.startswith("Ringkasan &lt;script&gt;")
    assert "<script" not in description and "<b>" not in description
    entry = atom_entries(client.get("/feed/atom/"))[0]
    summary = entry.find(f"{ATOM}summary")
    assert summary is not None and "<script" not in (summary.text or "")


def test_empty_feeds_are_valid(client: Client, units: Any) -> None:
    assert rss_items(client.get("/feed/")) == []
    assert atom_entries(client.get("/satker/64.03/berita/feed/atom/")) == []


def test_feed_query_count_is_bounded(
    client: Client, make_item: Callable[..., Any], django_assert_max_num_queries: Any
) -> None:
    for i in range(30):
        make_item("64.72" if i % 2 else "64.03", f"Berita {i}")
    with django_assert_max_num_queries(6):
        assert len(rss_items(client.get("/satker/64/feed/"))) == 30
    with django_assert_max_num_queries(4):
        assert len(rss_items(client.get("/feed/"))) == 30


# --- sitemap ----------------------------------------------------------------------------------


def locations(response: Any) -> list[str]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{SITEMAP}urlset"
    return [loc.text or "" for loc in root.iter(f"{SITEMAP}loc")]


def test_sitemap_lists_pages_and_public_items(
    client: Client, content: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(6):
        urls = locations(client.get("/sitemap.xml"))
    assert f"{SITE}/" in urls
    assert f"{SITE}/satker/" in urls
    assert f"{SITE}/satker/64.72/" in urls
    for key in ("samarinda", "berau", "province", "press", "national"):
        item = content[key]
        assert f"{SITE}/satker/{item.unit.code}/konten/{item.slug}/" in urls, key
    for key in ("draft", "withdrawn"):
        assert not any(content[key].slug + "/" in u for u in urls), key
    root = ET.fromstring(client.get("/sitemap.xml").content)
    assert any(el.text for el in root.iter(f"{SITEMAP}lastmod"))


def test_sitemap_becomes_an_index_beyond_the_limit(
    client: Client, settings: Any, content: dict[str, Any]
) -> None:
    settings.PORTAL_SITEMAP_LIMIT = 4
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    assert root.tag == f"{SITEMAP}sitemapindex"
    pages = [loc.text or "" for loc in root.iter(f"{SITEMAP}loc")]
    assert f"{SITE}/sitemap-items.xml" in pages and f"{SITE}/sitemap-items.xml?p=2" in pages
    assert f"{SITE}/sitemap-pages.xml" in pages
    collected: list[str] = []
    for page in pages:
        path = page.removeprefix(SITE)
        got = locations(client.get(path))
        assert 0 < len(got) <= 4
        collected += got
    assert len(collected) == len(set(collected))
    assert f"{SITE}/satker/64.72/konten/{content['samarinda'].slug}/" in collected
    assert client.get("/sitemap-items.xml?p=99").status_code == 404
    assert client.get("/sitemap-items.xml?p=x").status_code == 404
    assert client.get("/sitemap-nothing.xml").status_code == 404
