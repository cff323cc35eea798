"""``search_items`` on both databases and the ``/cari/`` page: relevance, filters, odd input."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from bakohumas.content.models import ContentForm, ContentItem, Status
from bakohumas.portal.search import fts5_match, query_words, search_items

pytestmark = pytest.mark.django_db

ODD_QUERIES = [
    "",
    "   ",
    "\t\n",
    '"',
    '""',
    '"pemilu',
    "pemilu*",
    "*",
    "NEAR(pemilu kpu)",
    "pemilu NEAR kpu",
    "AND",
    "OR OR OR",
    "NOT pemilu",
    "-pemilu",
    "pemilu:",
    "title:pemilu",
    "^pemilu",
    "(pemilu",
    "pemilu)",
    "{pemilu}",
    "pemilu & kpu | !x",
    "'; DROP TABLE content_contentitem; --",
    "%_%",
    "\\",
    "\x00pemilu\x00",
    "pemilu\ud800",
    "🎉🗳️",
    "pemilu 🗳️",
    "انتخابات",
    "בחירות",
    "\uff50\uff45\uff4d\uff49\uff4c\uff55",  # full-width "pemilu"
    "pemilu " * 500,
    "x" * 5000,
    "a",
    "é",
]


@pytest.fixture
def corpus(make_item: Callable[..., Any]) -> dict[str, ContentItem]:
    return {
        "title": make_item(
            "64.72",
            "Pemutakhiran data pemilih berkelanjutan",
            summary="Coklit oleh pantarlih.",
            body="<p>Petugas datang ke rumah.</p>",
            minutes_ago=300,
        ),
        "summary": make_item(
            "64.72",
            "Rapat koordinasi",
            summary="Membahas pemutakhiran data pemilih.",
            body="<p>Rapat di kantor.</p>",
            minutes_ago=200,
        ),
        "body": make_item(
            "64.03",
            "Kegiatan hari ini",
            summary="Agenda KPU Berau.",
            body="<p>Salah satu topik: pemutakhiran data pemilih di desa.</p>",
            minutes_ago=100,
        ),
        "other": make_item("64.72", "Debat calon kepala daerah", body="<p>Debat publik.</p>"),
        "draft": make_item("64.72", "Pemutakhiran data pemilih (draf)", status=Status.DRAFT),
        "accents": make_item("64.72", "Café démocratie à Samarinda", body="<p>Diskusi.</p>"),
    }


def public() -> Any:
    return ContentItem.objects.public()


def test_ranking_title_over_summary_over_body(corpus: dict[str, ContentItem]) -> None:
    found = list(search_items(public(), "pemutakhiran data pemilih"))
    assert [i.pk for i in found] == [corpus["title"].pk, corpus["summary"].pk, corpus["body"].pk]
    assert found[0].search_rank > found[1].search_rank > found[2].search_rank


def test_every_word_must_match_and_scope_is_kept(corpus: dict[str, ContentItem]) -> None:
    assert list(search_items(public(), "pemilih debat")) == []
    assert [i.pk for i in search_items(public(), "debat")] == [corpus["other"].pk]
    # the draft matches the words but is not in the queryset searched
    assert corpus["draft"].pk not in {i.pk for i in search_items(public(), "pemutakhiran")}
    narrowed = search_items(public().filter(unit__code="64.03"), "pemutakhiran")
    assert [i.pk for i in narrowed] == [corpus["body"].pk]
    # any ContentItem queryset works (the staff list passes its scoped one)
    everything = search_items(ContentItem.objects.all(), "pemutakhiran")
    assert corpus["draft"].pk in {i.pk for i in everything}


def test_case_and_diacritics(corpus: dict[str, ContentItem]) -> None:
    assert [i.pk for i in search_items(public(), "DEBAT")] == [corpus["other"].pk]
    found = {i.pk for i in search_items(public(), "démocratie")}
    assert corpus["accents"].pk in found


def test_index_follows_edits_and_deletes(corpus: dict[str, ContentItem]) -> None:
    item = corpus["other"]
    item.title = "Kampanye damai"
    item.save()
    assert [i.pk for i in search_items(public(), "kampanye")] == [item.pk]
    assert list(search_items(public(), "debat calon")) == []
    item.status = Status.WITHDRAWN  # a status change alone keeps the index as it is
    item.save(update_fields=["status"])
    assert list(search_items(public(), "kampanye")) == []
    assert [i.pk for i in search_items(ContentItem.objects.all(), "kampanye")] == [item.pk]
    item.delete()
    assert list(search_items(ContentItem.objects.all(), "kampanye")) == []


@pytest.mark.parametrize("query", ODD_QUERIES)
def test_odd_queries_never_fail(corpus: dict[str, ContentItem], query: str) -> None:
    results = list(search_items(public(), query))
    if not query.strip():
        assert len(results) == public().count()  # no search: the queryset unchanged


def test_odd_queries_still_find_their_words(corpus: dict[str, ContentItem]) -> None:
    for query in ('"debat', "debat*", "(debat)", "{debat}:", "debat 🗳️", "\x00debat"):
        assert [i.pk for i in search_items(public(), query)] == [corpus["other"].pk], query
    assert list(search_items(public(), "🎉🗳️")) == []  # words none: nothing, not everything


def test_query_words_and_fts5_expression() -> None:
    assert query_words('Pemilu "2024" NEAR(kpu) pemilu') == ["pemilu", "2024", "near", "kpu"]
    assert query_words("\x00a\ud800b") == ["a", "b"]
    assert len(query_words("w " * 100)) == 1
    assert len(query_words(" ".join(f"w{i}" for i in range(100)))) == 12
    assert fts5_match(["near", "kpu"]) == '"near"* AND "kpu"*'


def test_prefix_or_stemmed_forms_match(make_item: Callable[..., Any]) -> None:
    item = make_item("64.72", "Pemilihan kepala daerah", body="<p>Para pemilihnya hadir.</p>")
    found = {i.pk for i in search_items(public(), "pemilih")}
    assert item.pk in found


def test_the_database_answers_from_its_full_text_index(
    corpus: dict[str, ContentItem],
) -> None:
    """PostgreSQL: the GIN index serves the query; SQLite: the FTS5 table is in step."""
    if connection.vendor == "postgresql":
        # Without other filters the GIN index is the only index that can serve the query:
        # it is used only if the query's document expression matches the index's.
        qs = search_items(ContentItem.objects.all(), "pemutakhiran")
        with connection.cursor() as cursor:
            cursor.execute("SET enable_seqscan = off")
            try:
                plan = qs.explain()
            finally:
                cursor.execute("SET enable_seqscan = on")
        assert "content_item_fts_idx" in plan
    else:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM content_fts WHERE content_fts MATCH 'pemutakhiran'"
            )
            assert cursor.fetchone()[0] == 4  # three public items and the draft


# --- the search page --------------------------------------------------------------------------


def test_search_page(
    client: Client, corpus: dict[str, ContentItem], django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(10):
        response = client.get("/cari/", {"q": "pemutakhiran data pemilih"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "3 items found" in page
    assert page.index("Pemutakhiran data pemilih berkelanjutan") < page.index("Rapat koordinasi")
    assert "(draf)" not in page
    assert '<meta name="robots" content="noindex">' in page


def test_search_filters(
    client: Client, corpus: dict[str, ContentItem], make_item: Callable[..., Any]
) -> None:
    make_item("64.72", "Siaran pers pemutakhiran", form=ContentForm.PRESS_RELEASE)
    page = client.get("/cari/", {"q": "pemutakhiran", "satker": "64.03"}).content.decode()
    assert "1 item found" in page and "Kegiatan hari ini" in page
    page = client.get("/cari/", {"q": "pemutakhiran", "satker": "64"}).content.decode()
    assert "4 items found" in page  # the province with its kab/kota
    page = client.get("/cari/", {"q": "pemutakhiran", "bentuk": "siaran-pers"}).content.decode()
    assert "1 item found" in page and "Siaran pers pemutakhiran" in page


def test_search_bad_filters_are_explained(client: Client, corpus: dict[str, ContentItem]) -> None:
    response = client.get("/cari/", {"q": "pemilih", "satker": "99.99"})
    assert response.status_code == 400
    assert "There is no work unit with the code “99.99”." in response.content.decode()
    response = client.get("/cari/", {"q": "pemilih", "bentuk": "<script>"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "is not a kind of content." in page and "<script>" not in page


@pytest.mark.parametrize("query", ODD_QUERIES)
def test_search_page_odd_queries(
    client: Client, corpus: dict[str, ContentItem], query: str
) -> None:
    response = client.get("/cari/", {"q": query.replace("\x00", "").replace("\ud800", "")})
    assert response.status_code == 200


def test_search_page_empty_query_asks_for_words(
    client: Client, corpus: dict[str, ContentItem]
) -> None:
    page = client.get("/cari/").content.decode()
    assert "Type one or more words" in page


def test_only_the_newest_matches_are_ranked_and_they_are_the_matching_ones(
    make_item: Any, monkeypatch: Any
) -> None:
    """The candidates are the newest items *that match* (not the newest items): with a
    cap of 2, the two newest matching items come back even when newer items don't
    match; the oldest match is left out."""
    from bakohumas.portal import search as search_module

    monkeypatch.setattr(search_module, "CANDIDATES", 2)
    old = make_item("64.72", "Sosialisasi coklit lama", minutes_ago=300)
    middle = make_item("64.72", "Sosialisasi coklit", minutes_ago=200)
    new = make_item("64.72", "Coklit terbaru", minutes_ago=100)
    for i in range(3):
        make_item("64.72", f"Berita lain {i}", minutes_ago=10 + i)
    found = [i.pk for i in search_items(ContentItem.objects.public(), "coklit")]
    assert sorted(found) == sorted([middle.pk, new.pk])
    assert old.pk not in found
