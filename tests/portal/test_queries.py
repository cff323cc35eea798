"""Every public list answers in a fixed number of queries, however many rows it shows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bakohumas.content.models import ContentForm

pytestmark = pytest.mark.django_db

URLS = [
    "/",
    "/satker/",
    "/satker/64/",
    "/satker/64.72/",
    "/satker/64/berita/",
    "/satker/64/foto/",
    "/satker/64/galeri/",
    "/satker/64/agenda/",
    "/satker/64/klarifikasi-hoaks/",
    "/cari/?q=pemilu",
    "/cari/?q=pemilu&satker=64&bentuk=berita",
    "/feed/",
    "/satker/64/feed/atom/",
    "/sitemap.xml",
]
MAX_QUERIES = 16  # the page, its units (prefetched, see selectors.public_items), the generation


def populate(
    make_item: Callable[..., Any],
    make_image: Callable[..., Any],
    attach: Callable[..., Any],
    make_event: Callable[..., Any],
    n: int,
) -> None:
    for i in range(n):
        code = ("64", "64.72", "64.03")[i % 3]
        for form in (
            ContentForm.NEWS,
            ContentForm.PHOTO,
            ContentForm.PRESS_RELEASE,
            ContentForm.HOAX_CLARIFICATION,
        ):
            item = make_item(code, f"Pemilu {form} {i}", form=form, body="<p>Pemilu damai.</p>")
            attach(item, make_image(code), make_image(code))
        make_event(code, f"Acara {i}", days=i + 1)


def count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx)


def test_list_query_counts_do_not_grow(
    client: Client,
    make_item: Callable[..., Any],
    make_image: Callable[..., Any],
    attach: Callable[..., Any],
    make_event: Callable[..., Any],
) -> None:
    populate(make_item, make_image, attach, make_event, 3)
    few = {url: count(client, url) for url in URLS}
    populate(make_item, make_image, attach, make_event, 12)
    many = {url: count(client, url) for url in URLS}
    for url in URLS:
        assert many[url] == few[url], (url, few[url], many[url])
        assert many[url] <= MAX_QUERIES, (url, many[url])


def test_item_page_query_count(
    client: Client,
    make_item: Callable[..., Any],
    make_image: Callable[..., Any],
    attach: Callable[..., Any],
    django_assert_max_num_queries: Any,
) -> None:
    item = make_item("64.72", "Berita bergambar")
    attach(item, *(make_image() for _ in range(6)))
    with django_assert_max_num_queries(6):
        assert client.get(f"/satker/64.72/konten/{item.slug}/").status_code == 200
