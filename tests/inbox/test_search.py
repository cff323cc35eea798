"""``inbox.search.search_threads``: every word anywhere in the thread, through the search
table the triggers keep (PostgreSQL pg_trgm, SQLite FTS5)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction

from bakohumas.core.models import WorkUnit
from bakohumas.inbox import search
from bakohumas.inbox.models import (
    Channel,
    Direction,
    Message,
    Thread,
    ThreadKind,
    ThreadStatus,
)
from bakohumas.inbox.search import search_threads, words_of

pytestmark = pytest.mark.django_db


def thread(unit: WorkUnit, *bodies: str, **fields: Any) -> Thread:
    values = {
        "kind": ThreadKind.MESSAGE,
        "channel": Channel.WHATSAPP,
        "subject": "",
        "name": "",
        "handle": "",
    }
    values.update(fields)
    made = Thread.objects.create(unit=unit, **values)
    for body in bodies:
        Message.objects.create(thread=made, direction=Direction.INBOUND, body=body)
    return made


METHOD: dict[str, str | None] = {"value": None}


@pytest.fixture(autouse=True, params=["index", "scan"])
def method(request: Any) -> Any:
    """Every test runs with both ways of answering (the index, a scan of the scope)."""
    METHOD["value"] = request.param
    yield request.param
    METHOD["value"] = None


def found(query: str, qs: Any = None) -> set[int]:
    queryset = qs if qs is not None else Thread.objects.all()
    return set(search_threads(queryset, query, method=METHOD["value"]).values_list("pk", flat=True))


@pytest.fixture
def samarinda(units: dict[str, WorkUnit]) -> WorkUnit:
    return units["64.72"]


def test_words_anywhere_in_the_thread_case_insensitive(samarinda: WorkUnit) -> None:
    budi = thread(
        samarinda,
        "Selamat pagi, nama saya belum ada di DPT.",
        "Saya pindah domisili ke Kelurahan Sungai Pinang.",
        name="Budi Santoso",
        handle="6281234567890",
    )
    siti = thread(
        samarinda,
        "Di mana lokasi TPS 12?",
        name="Siti Rahmawati",
        channel=Channel.EMAIL,
        handle="siti@example.id",
        subject="Lokasi TPS",
    )
    assert found("budi") == {budi.pk}
    # Words from the header and from two different messages, in any case.
    assert found("BUDI dpt pinang") == {budi.pk}
    assert found("tps") == {siti.pk}
    assert found("lokasi tps") == {siti.pk}
    # The address and a part of a number.
    assert found("siti@example") == {siti.pk}
    assert found("81234567") == {budi.pk}
    # Every word must be somewhere: no thread has both.
    assert found("budi tps") == set()
    assert found("rahmawati") == {siti.pk}
    # No word: everything.
    assert found("   ") == {budi.pk, siti.pk}


def test_short_words_and_wildcards_are_matched_literally(samarinda: WorkUnit) -> None:
    a = thread(samarinda, "Diskon 50% untuk peserta? Bukan dari KPU.", name="Adi")
    b = thread(samarinda, "Nomor antrean 5_0 di loket", name="Ayu")
    c = thread(samarinda, "Informasi PPID tahun 2024", name="Ika")
    assert found("50%") == {a.pk}
    assert found("5_0") == {b.pk}
    # Two-letter words (below the trigram length) still count.
    assert found("di") == {a.pk, b.pk}
    assert found("ppid di") == set()
    assert found("ppid ik") == {c.pk}
    assert found('"KPU"') == set()  # quotes are part of the word, not syntax
    assert found("kpu.") == {a.pk}
    assert found("AND") == set()  # not an operator either
    assert found("NOT kpu") == set()
    assert found("NEAR(kpu)") == set()


def test_accents_are_kept_and_emoji_and_quotes_do_not_break_the_query(
    samarinda: WorkUnit,
) -> None:
    cafe = thread(samarinda, 'Rapat di Café Mahakam 🙏 "besok" pukul 9', name="Réza")
    plain = thread(samarinda, "Rapat di Cafe Mahakam", name="Reza")
    assert found("café") == {cafe.pk}
    assert found("CAFÉ") == {cafe.pk}
    assert found("cafe") == {plain.pk}
    assert found("🙏") == {cafe.pk}
    assert found('"besok"') == {cafe.pk}
    assert found("réza rapat") == {cafe.pk}


def test_keeps_ordering_scoping_and_composes_with_filters(
    units: dict[str, WorkUnit], make_user: Any
) -> None:
    samarinda, berau = units["64.72"], units["64.03"]
    old = thread(samarinda, "Pertanyaan soal logistik pemilu")
    new = thread(samarinda, "Logistik pemilu sudah tiba?", status=ThreadStatus.OPEN)
    other = thread(berau, "Logistik pemilu di Berau")
    Thread.objects.filter(pk=old.pk).update(last_message_at=new.last_message_at.replace(year=2020))
    how = METHOD["value"]
    ordered = search_threads(Thread.objects.all(), "logistik", method=how)
    assert list(ordered.values_list("pk", flat=True)) == [other.pk, new.pk, old.pk]
    mine = Thread.objects.filter(unit=samarinda).order_by("last_message_at")
    searched = search_threads(mine, "pemilu", method=how)
    assert list(searched.values_list("pk", flat=True)) == [old.pk, new.pk]
    assert list(searched.filter(status=ThreadStatus.OPEN).values_list("pk", flat=True)) == [new.pk]
    # With the list's own select_related and the paginator's count.
    listed = searched.select_related("unit", "assignee").prefetch_related("tags")
    assert [t.unit.code for t in listed] == ["64.72", "64.72"]
    # Scoping by the user's units stays: a Samarinda editor does not see Berau's thread.
    editor = make_user("64.72")
    assert found("berau", Thread.objects.for_user(editor)) == set()
    assert found("berau") == {other.pk}
    assert searched.count() == 2


def test_triggers_follow_every_change(samarinda: WorkUnit) -> None:
    t = thread(samarinda, "Pertama", name="Warga", subject="Soal DPT")
    assert found("pertama") == {t.pk}
    reply = Message.objects.create(thread=t, direction=Direction.OUTBOUND, body="Balasan petugas")
    note = Message.objects.create(thread=t, direction=Direction.NOTE, body="catatan internal")
    assert found("balasan catatan dpt warga") == {t.pk}
    # Rename, then edit (the PII purge), then delete a message.
    Thread.objects.filter(pk=t.pk).update(name="[dihapus]", handle="")
    assert found("warga") == set() and found("dihapus") == {t.pk}
    Message.objects.filter(pk=reply.pk).update(body="[isi dihapus]")
    assert found("balasan") == set() and found("isi dihapus") == {t.pk}
    note.delete()
    assert found("catatan") == set()
    # Move a message to another thread.
    other = thread(samarinda, "Kedua")
    Message.objects.filter(thread=t, body="Pertama").update(thread=other)
    assert found("pertama") == {other.pk}
    assert "pertama" in (search.document_of(other.pk) or "").lower()
    # Deleting the thread removes its document.
    pk = t.pk
    t.delete()
    assert search.document_of(pk) is None
    assert found("dihapus") == set()


def test_rebuild_and_paused_triggers_give_the_same_documents(samarinda: WorkUnit) -> None:
    first = thread(samarinda, "Satu", "Dua", name="Ani", handle="ani@example.id", subject="Tiga")
    expected = search.document_of(first.pk)
    assert (expected or "").lower() == "tiga ani ani@example.id\nsatu\ndua"
    with transaction.atomic(), search.triggers_paused():
        loaded = thread(samarinda, "Empat lima", name="Bayu")
        assert search.document_of(loaded.pk) is None  # not maintained during the load
    # After the load: rebuilt once, triggers back.
    assert (search.document_of(loaded.pk) or "").lower() == "bayu\nempat lima"
    assert search.document_of(first.pk) == expected
    Message.objects.create(thread=loaded, direction=Direction.INBOUND, body="enam")
    assert found("enam bayu") == {loaded.pk}
    assert search.rebuild() == 2
    assert (search.document_of(loaded.pk) or "").lower() == "bayu\nempat lima\nenam"


def test_words_of_splits_dedupes_and_caps() -> None:
    assert words_of("  Budi  budi DPT\tx ") == ["Budi", "DPT", "x"]
    assert len(words_of(" ".join(f"w{i}" for i in range(20)))) == search.MAX_WORDS
    assert words_of("a" * 500) == ["a" * search.MAX_WORD_LENGTH]
    assert words_of("") == []


def test_the_search_table_of_this_database_exists() -> None:
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    if connection.vendor == "postgresql":
        assert search.PG_TABLE in tables
    else:
        assert search.SQLITE_TABLE in tables


def test_the_scope_and_the_matches_decide_how_to_answer(
    samarinda: WorkUnit, monkeypatch: Any, django_assert_max_num_queries: Any
) -> None:
    a = thread(samarinda, "Pemilih pemula")
    thread(samarinda, "Logistik")
    threads = Thread.objects.all()
    # Counting queries to choose (the scope, the matches), then the search itself.
    with django_assert_max_num_queries(3):
        assert list(search_threads(threads, "pemilih").values_list("pk", flat=True)) == [a.pk]
    assert search.method_for(threads, "") == ""
    assert search.method_for(threads, "di") == "scan"  # too short for the index

    matches = {"n": 0}
    monkeypatch.setattr(search, "estimate_matches", lambda using, query, limit: matches["n"])
    # A small scope (2 threads): the index when fewer documents match than it has threads.
    matches["n"] = 1
    assert search.method_for(threads, "pemilih") == "index"
    matches["n"] = 3
    assert search.method_for(threads, "pemilih") == "scan"
    # A large scope: the index, unless (SQLite) the word is common and the threads have an
    # index in the list's order.
    monkeypatch.setattr(search, "SCAN_LIMIT", 1)
    order_index = {"value": True}
    monkeypatch.setattr(search, "has_order_index", lambda using="default": order_index["value"])
    common = "scan" if connection.vendor == "sqlite" else "index"
    assert search.method_for(threads, "pemilih") == common
    assert search.method_for(threads, "di") == "scan"
    matches["n"] = 1
    assert search.method_for(threads, "pemilih") == "index"
    matches["n"] = 3
    order_index["value"] = False
    assert search.method_for(threads, "pemilih") == "index"
    assert search.method_for(threads, "di") == "index"


def test_the_order_index_is_detected() -> None:
    from bakohumas.inbox.models import Thread as Model

    declared = any(
        index.fields and index.fields[0].lstrip("-") == "last_message_at"
        for index in Model._meta.indexes
    )
    search._ORDER_INDEX.clear()
    try:
        assert search.has_order_index() is declared
        if not declared:
            with connection.cursor() as cursor:
                cursor.execute(
                    "CREATE INDEX test_inbox_last ON inbox_thread (last_message_at DESC, id DESC)"
                )
            search._ORDER_INDEX.clear()
            assert search.has_order_index() is True
    finally:
        search._ORDER_INDEX.clear()
