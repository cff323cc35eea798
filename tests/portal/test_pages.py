"""Every public page: 200 / 404 / 410, what it shows and what it must not show."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from bakohumas.content.models import ClaimRating, ContentForm, Status
from bakohumas.core.models import WorkUnit
from tests.portal.conftest import SITE

Units = dict[str, WorkUnit]
pytestmark = pytest.mark.django_db


def html(response: Any) -> str:
    return response.content.decode()


class _Meta(HTMLParser):
    """Collects <meta>, <link> and ld+json scripts of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, str] = {}
        self.links: list[dict[str, str]] = []
        self.jsonld: list[str] = []
        self._in_ld = False
        self.ld_nonces: list[str | None] = []
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "meta":
            key = a.get("property") or a.get("name")
            if key:
                self.meta[key] = a.get("content", "")
        elif tag == "link":
            self.links.append(a)
        elif tag == "script":
            self.scripts += 1
            if a.get("type") == "application/ld+json":
                self._in_ld = True
                self.ld_nonces.append(a.get("nonce"))
                self.jsonld.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_ld = False

    def handle_data(self, data: str) -> None:
        if self._in_ld:
            self.jsonld[-1] += data


def parse(response: Any) -> _Meta:
    parser = _Meta()
    parser.feed(html(response))
    return parser


# --- home and unit pages ----------------------------------------------------------------------


def test_home_shows_default_unit_with_its_kabkota(
    client: Client, make_item: Callable[..., Any], make_event: Callable[..., Any]
) -> None:
    make_item("64", "Rapat pleno provinsi")
    make_item("64.72", "Coklit di Samarinda")
    make_item("64.03", "Sosialisasi di Berau")
    make_item("64.72", "Draf rahasia", status=Status.DRAFT)
    make_item("64.72", "Menunggu validasi", status=Status.SUBMITTED)
    make_item("64.72", "Terjadwal", status=Status.SCHEDULED, publish_at=timezone.now())
    make_item("64.72", "Belum waktunya", minutes_ago=-30)  # published_at in the future
    make_item("00", "Berita KPU RI")
    make_item("64.72", "Siaran pers coklit", form=ContentForm.PRESS_RELEASE)
    make_item(
        "64.72",
        "Hoaks surat suara",
        form=ContentForm.HOAX_CLARIFICATION,
        claim_rating=ClaimRating.FALSE,
    )
    make_event("64.72", "Debat kandidat")
    make_event("64.72", "Rapat internal", is_public=False)
    make_event("64.72", "Acara kemarin", days=-1)

    response = client.get("/")
    assert response.status_code == 200
    page = html(response)
    assert "KPU Provinsi Kalimantan Timur" in page
    for shown in (
        "Rapat pleno provinsi",
        "Coklit di Samarinda",
        "Sosialisasi di Berau",
        "Siaran pers coklit",
        "Hoaks surat suara",
        "Debat kandidat",
    ):
        assert shown in page, shown
    for hidden in (
        "Draf rahasia",
        "Menunggu validasi",
        "Terjadwal",
        "Belum waktunya",
        "Berita KPU RI",
        "Rapat internal",
        "Acara kemarin",
    ):
        assert hidden not in page, hidden
    assert re.search(r'<html lang="en">', page)


def test_home_unit_setting_and_fallback(
    client: Client, settings: Any, make_item: Callable[..., Any]
) -> None:
    make_item("64.03", "Kabar Berau")
    settings.PORTAL_HOME_UNIT = "64.03"
    assert "Kabar Berau" in html(client.get("/"))
    assert "KPU Kabupaten Berau" in html(client.get("/"))
    settings.PORTAL_HOME_UNIT = "99"  # no such unit: the first province
    page = html(client.get("/"))
    assert '<h1 class="page-title">KPU Provinsi Kalimantan Timur</h1>' in page


def test_home_without_units(client: Client, db: Any) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert "No work unit has been set up yet." in html(response)


def test_unit_directory_lists_every_unit(client: Client, units: Units) -> None:
    page = html(client.get("/satker/"))
    for unit in units.values():
        assert f'href="/satker/{unit.code}/"' in page
        assert unit.name in page


def test_kabkota_home_shows_only_its_own_items(
    client: Client, make_item: Callable[..., Any]
) -> None:
    make_item("64.72", "Coklit di Samarinda")
    make_item("64.03", "Sosialisasi di Berau")
    make_item("64", "Rapat pleno provinsi")
    page = html(client.get("/satker/64.72/"))
    assert "Coklit di Samarinda" in page
    assert "Sosialisasi di Berau" not in page
    assert "Rapat pleno provinsi" not in page


def test_unknown_and_inactive_units_are_404(client: Client, units: Units) -> None:
    assert client.get("/satker/99.99/").status_code == 404
    WorkUnit.objects.filter(code="64.11").update(is_active=False)
    assert client.get("/satker/64.11/").status_code == 404
    assert client.get("/satker/64.11/berita/").status_code == 404


def test_form_list_paginates_and_filters_by_form(
    client: Client, make_item: Callable[..., Any]
) -> None:
    for i in range(14):
        make_item("64.72", f"Berita ke-{i:02d}", minutes_ago=100 - i)
    make_item("64.72", "Infografis tahapan", form=ContentForm.INFOGRAPHIC)
    first = client.get("/satker/64.72/berita/")
    assert first.status_code == 200
    page = html(first)
    assert "Berita ke-13" in page and "Berita ke-02" in page  # newest first, 12 per page
    assert "Berita ke-01" not in page
    assert "Infografis tahapan" not in page
    assert "Page 1 of 2" in page
    second = html(client.get("/satker/64.72/berita/?page=2"))
    assert "Berita ke-01" in second and "Berita ke-00" in second
    assert client.get("/satker/64.72/berita/?page=abc").status_code == 200
    assert client.get("/satker/64.72/berita/?page=999").status_code == 200
    assert client.get("/satker/64.72/tidak-ada/").status_code == 404


@pytest.mark.parametrize(
    "slug",
    [
        "berita",
        "siaran-pers",
        "infografis",
        "foto",
        "video",
        "podcast",
        "klarifikasi-hoaks",
        "meme",
        "iklan",
        "film",
        "presentasi",
    ],
)
def test_every_form_list_answers(client: Client, units: Units, slug: str) -> None:
    assert client.get(f"/satker/64/{slug}/").status_code == 200


def test_gallery_shows_photos_and_infographics_with_alt_text(
    client: Client,
    make_item: Callable[..., Any],
    make_image: Callable[..., Any],
    attach: Callable[..., Any],
) -> None:
    photo = make_item("64.72", "Foto rekapitulasi", form=ContentForm.PHOTO)
    attach(photo, make_image(alt_text="Petugas membaca formulir C1"))
    make_item("64.72", "Infografis DPT", form=ContentForm.INFOGRAPHIC)
    make_item("64.72", "Berita biasa")
    page = html(client.get("/satker/64.72/galeri/"))
    assert "Foto rekapitulasi" in page and "Infografis DPT" in page
    assert "Berita biasa" not in page
    assert 'alt="Petugas membaca formulir C1"' in page
    assert "srcset=" in page and 'loading="lazy"' in page


def test_agenda_lists_upcoming_public_events_in_unit_time(
    client: Client, make_event: Callable[..., Any]
) -> None:
    make_event("64.72", "Debat kandidat", days=3)
    make_event("64.03", "Sosialisasi Berau", days=4)
    make_event("64.72", "Rapat internal", is_public=False)
    make_event("64.72", "Acara lalu", days=-2)
    page = html(client.get("/satker/64/agenda/"))
    assert "Debat kandidat" in page and "Sosialisasi Berau" in page
    assert "Rapat internal" not in page and "Acara lalu" not in page
    assert "WITA" in page
    assert "Sosialisasi Berau" not in html(client.get("/satker/64.72/agenda/"))


# --- the item page ----------------------------------------------------------------------------


def test_article_page(
    client: Client,
    make_item: Callable[..., Any],
    make_image: Callable[..., Any],
    attach: Callable[..., Any],
) -> None:
    item = make_item(
        "64.72",
        "Pemutakhiran data pemilih dimulai",
        summary="KPU Kota Samarinda memulai coklit.",
        body="<p>Petugas <strong>pantarlih</strong> mendatangi rumah warga.</p>",
    )
    attach(item, make_image(alt_text="Pantarlih mendatangi rumah warga"))
    response = client.get(f"/satker/64.72/konten/{item.slug}/")
    assert response.status_code == 200
    page = html(response)
    assert "<h1>Pemutakhiran data pemilih dimulai</h1>" in page
    assert (
        "<p>Petugas <strong>pantarlih</strong> mendatangi rumah warga.</p>" in page
    )  # body as HTML
    assert 'alt="Pantarlih mendatangi rumah warga"' in page
    assert "WITA" in page
    meta = parse(response)
    assert meta.meta["og:title"] == "Pemutakhiran data pemilih dimulai"
    assert meta.meta["og:description"] == "KPU Kota Samarinda memulai coklit."
    assert meta.meta["og:type"] == "article"
    assert meta.meta["og:locale"] == "en_US"
    assert meta.meta["og:url"] == f"{SITE}/satker/64.72/konten/{item.slug}/"
    assert meta.meta["og:image"].startswith(f"{SITE}/media/") and meta.meta["og:image"].endswith(
        "-w1600.webp"
    )
    assert meta.meta["og:image:alt"] == "Pantarlih mendatangi rumah warga"
    assert meta.meta["twitter:card"] == "summary_large_image"
    assert meta.meta["twitter:image"] == meta.meta["og:image"]
    canonical = [link for link in meta.links if link.get("rel") == "canonical"]
    assert canonical == [{"rel": "canonical", "href": f"{SITE}/satker/64.72/konten/{item.slug}/"}]
    feeds = {link["href"] for link in meta.links if link.get("rel") == "alternate"}
    assert {
        "/satker/64.72/berita/feed/",
        "/satker/64.72/berita/feed/atom/",
        "/feed/",
        "/feed/atom/",
    } <= feeds
    # NewsArticle JSON-LD, with the request's CSP nonce
    assert len(meta.jsonld) == 1
    data = json.loads(meta.jsonld[0])
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == item.title
    assert data["author"]["name"] == "KPU Kota Samarinda"
    assert data["image"][0] == meta.meta["og:image"]
    nonce = meta.ld_nonces[0]
    assert nonce and f"'nonce-{nonce}'" in response["Content-Security-Policy"]
    # Only the JSON-LD data block: no executable script at all on the portal.
    assert meta.scripts == 1


def test_article_title_summary_and_tags_are_escaped(
    client: Client, make_item: Callable[..., Any]
) -> None:
    payload = '<script>alert("x")</script>'
    item = make_item("64.72", f"Judul {payload}", summary=f"Ringkas {payload}", slug="xss")
    page = html(client.get("/satker/64.72/konten/xss/"))
    assert payload not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    parsed = parse(client.get("/satker/64.72/konten/xss/"))
    data = json.loads(parsed.jsonld[0])
    assert data["headline"] == item.title  # intact as data …
    assert "</script>" not in parsed.jsonld[0]  # … inert inside the script element
    assert "\\u003C/script\\u003E" in parsed.jsonld[0]


@pytest.mark.parametrize(
    "status", [Status.DRAFT, Status.SUBMITTED, Status.RETURNED, Status.APPROVED, Status.SCHEDULED]
)
def test_unpublished_items_are_404(
    client: Client, make_item: Callable[..., Any], status: str
) -> None:
    item = make_item("64.72", "Belum terbit", status=status)
    assert client.get(f"/satker/64.72/konten/{item.slug}/").status_code == 404


def test_future_and_foreign_items_are_404(client: Client, make_item: Callable[..., Any]) -> None:
    future = make_item("64.72", "Nanti", minutes_ago=-10)
    assert client.get(f"/satker/64.72/konten/{future.slug}/").status_code == 404
    berau = make_item("64.03", "Punya Berau")
    assert client.get(f"/satker/64.72/konten/{berau.slug}/").status_code == 404  # wrong unit
    assert client.get(f"/satker/64.03/konten/{berau.slug}/").status_code == 200
    assert client.get("/satker/64.72/konten/tidak-ada/").status_code == 404


def test_archived_items_stay_public(client: Client, make_item: Callable[..., Any]) -> None:
    item = make_item("64.72", "Arsip lama", status=Status.ARCHIVED)
    assert client.get(f"/satker/64.72/konten/{item.slug}/").status_code == 200


def test_withdrawn_item_is_410_with_notice_only(
    client: Client,
    make_item: Callable[..., Any],
    make_image: Callable[..., Any],
    attach: Callable[..., Any],
) -> None:
    item = make_item(
        "64.72",
        "Jadwal yang keliru",
        summary="Ringkasan keliru",
        body="<p>Isi yang salah</p>",
        status=Status.WITHDRAWN,
        withdrawn_at=timezone.now(),
        correction_notice="Jadwal rapat pleno yang benar adalah 12 Februari.",
    )
    attach(item, make_image(alt_text="Foto jadwal keliru"))
    response = client.get(f"/satker/64.72/konten/{item.slug}/")
    assert response.status_code == 410
    page = html(response)
    assert "Jadwal rapat pleno yang benar adalah 12 Februari." in page
    assert "This content has been withdrawn" in page
    for gone in ("Jadwal yang keliru", "Ringkasan keliru", "Isi yang salah", "Foto jadwal keliru"):
        assert gone not in page
    assert parse(response).meta["robots"] == "noindex"
    assert "application/ld+json" not in page


def test_archived_after_withdrawal_stays_410(client: Client, make_item: Callable[..., Any]) -> None:
    item = make_item(
        "64.72",
        "Rilis keliru",
        status=Status.ARCHIVED,
        withdrawn_at=timezone.now(),
        correction_notice="Rilis ini ditarik karena data keliru.",
    )
    response = client.get(f"/satker/64.72/konten/{item.slug}/")
    assert response.status_code == 410
    assert "Rilis ini ditarik karena data keliru." in html(response)
    assert "Rilis keliru" not in html(response)
    assert "Rilis keliru" not in html(client.get("/satker/64.72/"))


def test_press_release_page_and_pdf(client: Client, make_item: Callable[..., Any]) -> None:
    item = make_item(
        "64.72",
        "Penetapan DPT Kota Samarinda",
        form=ContentForm.PRESS_RELEASE,
        release_number="SP-012/HM.03/6472/2026",
        contact_name="Ahmad Humas",
        contact_phone="+6281234567890",
        contact_email="humas@kpu-samarinda.example.id",
        body=(
            "<h2>Rapat pleno</h2><p>DPT ditetapkan 1.234 pemilih.</p>"
            "<ul><li>Kecamatan A</li><li>Kecamatan B</li></ul>"
        ),
    )
    page = html(client.get(f"/satker/64.72/konten/{item.slug}/"))
    for text in (
        "SP-012/HM.03/6472/2026",
        "Ahmad Humas",
        "+6281234567890",
        "humas@kpu-samarinda.example.id",
    ):
        assert text in page
    pdf_url = f"/satker/64.72/konten/{item.slug}/pdf/"
    assert f'href="{pdf_url}"' in page
    response = client.get(pdf_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert response.has_header("ETag") and response.has_header("Last-Modified")
    assert "public" in response["Cache-Control"]
    again = client.get(pdf_url, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    assert again.content == b""


def test_pdf_text_is_extractable(make_item: Callable[..., Any]) -> None:
    from bakohumas.portal.pdf import html_blocks, press_release_pdf

    item = make_item(
        "64.72",
        "Rilis <b>tebal</b> & emoji 🎉 عربى",
        form=ContentForm.PRESS_RELEASE,
        body="<p>Satu</p><script>x</script><p>Dua <em>miring</em></p>",
    )
    data = press_release_pdf(item)
    assert data.startswith(b"%PDF-") and len(data) > 1000
    assert press_release_pdf(item) == data  # invariant: same item, same bytes
    assert html_blocks("<p>Satu</p><ul><li>a</li></ul><h2>H</h2>") == [
        ("p", "Satu"),
        ("li", "a"),
        ("h", "H"),
    ]


def test_pdf_only_for_press_releases(client: Client, make_item: Callable[..., Any]) -> None:
    news = make_item("64.72", "Berita biasa")
    assert client.get(f"/satker/64.72/konten/{news.slug}/pdf/").status_code == 404
    draft = make_item("64.72", "Rilis draf", form=ContentForm.PRESS_RELEASE, status=Status.DRAFT)
    assert client.get(f"/satker/64.72/konten/{draft.slug}/pdf/").status_code == 404
    gone = make_item(
        "64.72",
        "Rilis ditarik",
        form=ContentForm.PRESS_RELEASE,
        status=Status.WITHDRAWN,
        correction_notice="Ditarik.",
    )
    assert client.get(f"/satker/64.72/konten/{gone.slug}/pdf/").status_code == 410


def test_hoax_clarification_claim_review(client: Client, make_item: Callable[..., Any]) -> None:
    item = make_item(
        "64.72",
        "[HOAKS] Surat suara sudah dicoblos",
        form=ContentForm.HOAX_CLARIFICATION,
        claim_text="Beredar video surat suara sudah dicoblos </script><script>alert(1)</script>",
        claim_source_url="https://medsos.example.com/post/123",
        claim_author="Akun anonim",
        claim_date=timezone.now().date(),
        claim_rating=ClaimRating.FALSE,
        body="<p>Faktanya surat suara belum dicetak.</p>",
    )
    response = client.get(f"/satker/64.72/konten/{item.slug}/")
    assert response.status_code == 200
    page = html(response)
    assert "False" in page  # the verdict
    assert "Akun anonim" in page
    assert "<script>alert(1)</script>" not in page
    parsed = parse(response)
    assert len(parsed.jsonld) == 1
    data = json.loads(parsed.jsonld[0])
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "ClaimReview"
    assert data["url"] == f"{SITE}/satker/64.72/konten/{item.slug}/"
    assert data["claimReviewed"] == item.claim_text
    assert data["reviewRating"] == {
        "@type": "Rating",
        "ratingValue": 1,
        "bestRating": 5,
        "worstRating": 1,
        "alternateName": "False",
    }
    assert data["itemReviewed"]["appearance"]["url"] == "https://medsos.example.com/post/123"
    assert data["itemReviewed"]["author"]["name"] == "Akun anonim"
    assert data["author"]["name"] == "KPU Kota Samarinda"
    assert data["datePublished"].startswith(str(item.published_at.year))
    assert parsed.scripts == 1


def test_video_and_podcast_pages(client: Client, make_item: Callable[..., Any]) -> None:
    video = make_item(
        "64.72",
        "Video tahapan",
        form=ContentForm.VIDEO,
        embed_url="https://video.example.com/watch?v=1",
    )
    page = html(client.get(f"/satker/64.72/konten/{video.slug}/"))
    assert "Watch on the original platform" in page
    assert "<iframe" not in page  # no third-party request
    podcast = make_item(
        "64.72",
        "Podcast pemilu",
        form=ContentForm.PODCAST,
        embed_url="https://audio.example.com/ep/1",
    )
    assert "Listen on the original platform" in html(
        client.get(f"/satker/64.72/konten/{podcast.slug}/")
    )


def test_unicode_slug(client: Client, make_item: Callable[..., Any]) -> None:
    item = make_item("64.72", "Pemilu di Ñ", slug="pemilu-ñ")
    response = client.get("/satker/64.72/konten/pemilu-%C3%B1/")
    assert response.status_code == 200
    assert item.title in html(response)


# --- page quality -----------------------------------------------------------------------------


def test_landmarks_skip_link_and_language(client: Client, make_item: Callable[..., Any]) -> None:
    item = make_item("64.72", "Berita")
    for url in (
        "/",
        "/satker/",
        "/satker/64.72/berita/",
        f"/satker/64.72/konten/{item.slug}/",
        "/cari/?q=berita",
    ):
        page = html(client.get(url))
        assert re.search(r'<html lang="en">', page), url
        for landmark in ("<header", "<nav", '<main id="main"', "<footer"):
            assert landmark in page, (url, landmark)
        body = page.split("<body>", 1)[1]
        first_link = re.search(r"<a [^>]*>", body)
        assert first_link and 'href="#main"' in first_link.group(0), url


def test_indonesian_by_default(
    client: Client, settings: Any, make_item: Callable[..., Any]
) -> None:
    settings.LANGUAGE_CODE = "id"
    item = make_item("64.72", "Berita")
    response = client.get(f"/satker/64.72/konten/{item.slug}/")
    page = html(response)
    assert '<html lang="id">' in page
    assert parse(response).meta["og:locale"] == "id_ID"


def test_language_switch(client: Client, units: Units) -> None:
    response = client.get("/bahasa/?language=id&next=/satker/64/")
    assert response.status_code == 302
    assert response["Location"] == "/satker/64/"
    assert response.cookies["django_language"].value == "id"
    assert '<html lang="id">' in html(client.get("/satker/64/"))
    client.get("/bahasa/?language=en&next=/")
    assert '<html lang="en">' in html(client.get("/satker/64/"))
    # an external "next" is refused; an unknown language changes nothing
    evil = client.get("/bahasa/?language=xx&next=https://evil.example.com/")
    assert evil["Location"] == "/"
    assert "django_language" not in evil.cookies
    assert client.post("/bahasa/", {"language": "id"}).status_code == 405


def test_public_pages_refuse_writes(client: Client, units: Units) -> None:
    response = client.post("/satker/64/")
    assert response.status_code in (403, 405)  # CSRF or method: never a write
    assert client.put("/").status_code == 405


def test_robots_txt(client: Client, db: Any) -> None:
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert f"Sitemap: {SITE}/sitemap.xml" in body
    assert "Disallow: /app/" in body
