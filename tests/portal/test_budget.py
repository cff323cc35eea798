"""An article's first load stays under 150 KB (HTML + CSS + JS, images excluded), and
no page asks anything of a third party."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from bakohumas.content.models import ContentForm

pytestmark = pytest.mark.django_db
BUDGET = 150 * 1024
STATIC_URL = "/static/"


def referenced_assets(page: str) -> list[str]:
    """Stylesheets, scripts and preloads the page makes the browser fetch (not images)."""
    links = re.findall(r"<link\b[^>]*>", page)
    urls = []
    for link in links:
        rel = re.search(r'rel="([^"]+)"', link)
        href = re.search(r'href="([^"]+)"', link)
        if rel and href and rel.group(1) in ("stylesheet", "preload", "modulepreload", "icon"):
            urls.append(href.group(1))
    urls += re.findall(r'<script\b[^>]*\bsrc="([^"]+)"', page)
    return urls


def static_size(url: str) -> int:
    assert url.startswith(STATIC_URL), f"{url} is not a local static file"
    path = finders.find(url[len(STATIC_URL) :])
    assert path, url
    with open(path, "rb") as fh:
        return len(fh.read())


def test_article_first_load_under_150_kb(
    client: Client,
    make_item: Callable[..., Any],
    make_image: Callable[..., Any],
    attach: Callable[..., Any],
) -> None:
    long_body = "".join(
        f"<p>Paragraf {i}: pemutakhiran data pemilih berkelanjutan di Samarinda.</p>"
        for i in range(60)
    )
    item = make_item("64.72", "Artikel panjang", summary="Ringkasan.", body=long_body)
    attach(item, *(make_image() for _ in range(3)))
    press = make_item("64.72", "Siaran pers", form=ContentForm.PRESS_RELEASE, body=long_body)
    for url in (f"/satker/64.72/konten/{item.slug}/", f"/satker/64.72/konten/{press.slug}/", "/"):
        response = client.get(url)
        page = response.content.decode()
        assets = referenced_assets(page)
        assert assets, "the stylesheet must be referenced"
        total = len(response.content) + sum(static_size(a) for a in set(assets))
        assert total < BUDGET, (url, total)
        assert not any("bootstrap" in a for a in assets)  # the portal's own stylesheet only


def test_no_third_party_requests(
    client: Client,
    make_item: Callable[..., Any],
    make_image: Callable[..., Any],
    attach: Callable[..., Any],
) -> None:
    item = make_item(
        "64.72", "Berita", embed_url="https://video.example.com/v/1", form=ContentForm.VIDEO
    )
    attach(item, make_image())
    for url in ("/", f"/satker/64.72/konten/{item.slug}/", "/satker/64.72/galeri/"):
        page = client.get(url).content.decode()
        fetched = re.findall(
            r'<(?:img|script|iframe|video|audio|source)\b[^>]*\b(?:src|srcset)="([^"]+)"', page
        )
        fetched += [href for href in referenced_assets(page)]
        for ref in fetched:
            for part in ref.split(","):
                assert not part.strip().startswith(("http://", "https://", "//")), (url, ref)
        assert "@import" not in page and "fonts.googleapis" not in page
    css = open(finders.find("portal/portal.css"), encoding="utf-8").read()
    assert "url(" not in css and "@import" not in css
