"""The public read-only API: only published items, no authentication, cacheable."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bakohumas.api.models import ApiToken
from bakohumas.content.models import ContentItem, ContentMedia, ContentTag, Status
from bakohumas.core.models import Role
from tests.api.test_content_support import (  # noqa: F401 - fixtures
    _dummy_tasks,
    asset_factory_fixture,
    published,
)

ITEMS = "/api/v1/public/items"
UNITS = "/api/v1/public/units"


@pytest.fixture
def author(make_user: Callable[..., Any]) -> Any:
    return make_user("64.72", Role.EDITOR)


@pytest.fixture
def world(units: dict[str, Any], author: Any, asset_factory: Any) -> dict[str, ContentItem]:
    samarinda, berau, province = units["64.72"], units["64.03"], units["64"]
    now = timezone.now()
    rows = {
        "news": published(samarinda, author, slug="berita", title="Berita pemilu"),
        "old": published(
            samarinda,
            author,
            slug="lama",
            title="Arsip",
            status=Status.ARCHIVED,
            published_at=now - timedelta(days=30),
        ),
        "berau": published(berau, author, slug="berau", title="Berita Berau"),
        "province": published(province, author, slug="prov", title="Berita provinsi"),
        "press": published(
            samarinda,
            author,
            slug="siaran",
            title="Siaran pers",
            form="press_release",
            release_number="7/HM/2026",
            contact_name="Humas",
            contact_email="humas@kpu.id",
        ),
        "hoax": published(
            samarinda,
            author,
            slug="hoaks",
            title="Klarifikasi",
            form="hoax_clarification",
            claim_text="Pemilu ditunda",
            claim_rating="salah",
        ),
        "draft": published(samarinda, author, slug="draf", status=Status.DRAFT, published_at=None),
        "submitted": published(
            samarinda, author, slug="ajuan", status=Status.SUBMITTED, published_at=None
        ),
        "scheduled": published(
            samarinda,
            author,
            slug="jadwal",
            status=Status.SCHEDULED,
            published_at=None,
            publish_at=now + timedelta(hours=1),
        ),
        "future": published(samarinda, author, slug="nanti", published_at=now + timedelta(hours=1)),
        "withdrawn": published(
            samarinda,
            author,
            slug="tarik",
            title="Judul yang ditarik",
            status=Status.WITHDRAWN,
            body="<p>Isi yang salah</p>",
            correction_notice="Data pada berita ini keliru.",
            withdrawn_at=now,
        ),
    }
    image = asset_factory("64.72", alt_text="Petugas KPPS")
    ContentMedia.objects.create(item=rows["news"], asset=image, position=0)
    tag = ContentTag.objects.create(name="Pemilu", slug="pemilu")
    rows["news"].tags.add(tag)
    return rows


def _slugs(response: Any) -> set[str]:
    assert response.status_code == 200, response.content
    return {r["slug"] for r in response.json()["results"]}


def test_lists_only_published_items(client: Client, world: dict[str, Any]) -> None:
    response = client.get(f"{ITEMS}?page_size=200")
    assert _slugs(response) == {"berita", "lama", "berau", "prov", "siaran", "hoaks"}
    first = response.json()["results"][0]
    assert set(first) == {
        "unit",
        "form",
        "topic",
        "title",
        "slug",
        "summary",
        "url",
        "published_at",
        "tags",
        "media",
    }


def test_list_filters(client: Client, world: dict[str, Any]) -> None:
    assert _slugs(client.get(f"{ITEMS}?unit=64.03")) == {"berau"}
    assert _slugs(client.get(f"{ITEMS}?unit=64")) == {"prov"}
    assert _slugs(client.get(f"{ITEMS}?unit=64&include_children=true")) == {
        "berita",
        "lama",
        "berau",
        "prov",
        "siaran",
        "hoaks",
    }
    assert _slugs(client.get(f"{ITEMS}?form=press_release")) == {"siaran"}
    assert _slugs(client.get(f"{ITEMS}?q=pemilu")) == {"berita"}
    since = (timezone.now() - timedelta(days=2)).isoformat().replace("+", "%2B")
    assert "lama" not in _slugs(client.get(f"{ITEMS}?since={since}"))
    naive = (timezone.now() - timedelta(days=2)).replace(tzinfo=None).isoformat()
    assert "lama" not in _slugs(client.get(f"{ITEMS}?since={naive}"))
    assert client.get(f"{ITEMS}?unit=99.99").status_code == 404
    assert client.get(f"{ITEMS}?form=poem").status_code == 422
    assert client.get(f"{ITEMS}?since=yesterday").status_code == 422


@pytest.mark.parametrize("q", ['"', "*", "NEAR(", "a OR", "🗳️", "انتخابات", "x" * 200, "  "])
def test_odd_queries_never_fail(client: Client, world: dict[str, Any], q: str) -> None:
    response = client.get(ITEMS, {"q": q})
    assert response.status_code == 200, response.content


def test_item_detail_shows_no_internals(client: Client, world: dict[str, Any]) -> None:
    response = client.get(f"{ITEMS}/64.72/berita")
    assert response.status_code == 200, response.content
    item = response.json()
    assert item["title"] == "Berita pemilu" and item["body"] == "<p>Isi</p>"
    assert item["unit"] == {"code": "64.72", "name": world["news"].unit.name}
    assert item["url"] == "http://testserver/satker/64.72/konten/berita/"
    assert item["tags"] == ["Pemilu"]
    assert item["media"][0]["alt_text"] == "Petugas KPPS"
    assert item["media"][0]["url"].startswith("http://testserver/")
    assert item["press_release"] is None and item["claim"] is None
    text = response.content.decode()
    for secret in ("status", "version", "approved", "author", "created_by", "@kpu.example.id"):
        assert secret not in text, secret


def test_press_release_and_hoax_clarification(client: Client, world: dict[str, Any]) -> None:
    press = client.get(f"{ITEMS}/64.72/siaran").json()
    assert press["press_release"] == {
        "release_number": "7/HM/2026",
        "name": "Humas",
        "phone": "",
        "email": "humas@kpu.id",
    }
    hoax = client.get(f"{ITEMS}/64.72/hoaks").json()
    assert hoax["claim"]["text"] == "Pemilu ditunda" and hoax["claim"]["rating"] == "salah"


@pytest.mark.parametrize("slug", ["draf", "ajuan", "jadwal", "nanti", "tidak-ada"])
def test_unpublished_items_are_404(client: Client, world: dict[str, Any], slug: str) -> None:
    response = client.get(f"{ITEMS}/64.72/{slug}")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_item_of_another_unit_path_is_404(client: Client, world: dict[str, Any]) -> None:
    assert client.get(f"{ITEMS}/64.03/berita").status_code == 404
    assert client.get(f"{ITEMS}/99/berita").status_code == 404


def test_withdrawn_item_is_410_with_only_the_notice(client: Client, world: dict[str, Any]) -> None:
    response = client.get(f"{ITEMS}/64.72/tarik")
    assert response.status_code == 410
    body = response.json()
    assert set(body) == {"detail", "correction_notice", "withdrawn_at"}
    assert body["correction_notice"] == "Data pada berita ini keliru."
    assert "Isi yang salah" not in response.content.decode()
    assert "ditarik" not in response.content.decode()
    assert response["Cache-Control"] == "public, max-age=60"


def test_cache_headers_and_no_cookie(client: Client, world: dict[str, Any]) -> None:
    for path in (ITEMS, f"{ITEMS}/64.72/berita", UNITS, f"{ITEMS}/64.72/draf"):
        response = client.get(path)
        assert response["Cache-Control"] == "public, max-age=60", path
        # Only the language varies (its cookie or Accept-Language); no cookie is set.
        assert response["Vary"] == "Accept-Language, Cookie", path
        assert not response.cookies, path


def test_no_authentication_needed_nor_checked(
    client: Client, world: dict[str, Any], make_user: Callable[..., Any]
) -> None:
    token, plain = ApiToken.issue(make_user("64.72", Role.VIEWER), "t")
    token.revoked_at = timezone.now()
    token.save()
    revoked = Client(headers={"Authorization": f"Bearer {plain}"})
    assert revoked.get(ITEMS).status_code == 200
    assert Client(headers={"Authorization": "Basic x"}).get(ITEMS).status_code == 200


def test_public_api_is_read_only(client: Client, world: dict[str, Any]) -> None:
    for method in ("post", "put", "patch", "delete"):
        response = getattr(client, method)(f"{ITEMS}/64.72/berita")
        assert response.status_code in {404, 405}, method
    assert ContentItem.objects.get(slug="berita").title == "Berita pemilu"


def test_script_titles_come_back_as_plain_text(
    client: Client, units: dict[str, Any], author: Any
) -> None:
    published(units["64.72"], author, slug="xss", title='<script>alert("x")</script>')
    item = client.get(f"{ITEMS}/64.72/xss")
    assert item["Content-Type"].startswith("application/json")
    assert item.json()["title"] == '<script>alert("x")</script>'


def test_units(client: Client, units: dict[str, Any]) -> None:
    response = client.get(f"{UNITS}?page_size=200")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [r["code"] for r in rows] == sorted(units)
    samarinda = next(r for r in rows if r["code"] == "64.72")
    assert samarinda["parent_code"] == "64" and samarinda["zone_abbreviation"] == "WITA"
    kabkota = client.get(f"{UNITS}?parent=64&page_size=200").json()
    assert kabkota["count"] == 10
    assert client.get(f"{UNITS}?level=province").json()["count"] == 1
    assert client.get(f"{UNITS}?level=planet").status_code == 422


def test_list_queries_do_not_grow(
    client: Client, units: dict[str, Any], author: Any, asset_factory: Any
) -> None:
    counter = {"n": 0}

    def count(n: int) -> tuple[int, int]:
        for _ in range(n):
            counter["n"] += 1
            item = published(units["64.72"], author, slug=f"b{counter['n']}")
            ContentMedia.objects.create(item=item, asset=asset_factory("64.72"))
            item.tags.add(ContentTag.objects.get_or_create(name="t", slug="t")[0])
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(f"{ITEMS}?page_size=200&unit=64.72")
        assert response.status_code == 200
        return len(ctx.captured_queries), response.json()["count"]

    few, few_rows = count(3)
    many, many_rows = count(25)
    assert many_rows == few_rows + 25
    assert many == few and few <= 8, (few, many)
