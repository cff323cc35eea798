"""Full-text search of content items: one service, two databases.

:func:`search_items` narrows any ``ContentItem`` queryset (the portal's public items, a
staff list scoped with ``for_user`` …) to the rows matching a free-text query and orders
them by relevance (best first, then newest). Only the newest :data:`CANDIDATES` matches
are ranked (see there). It picks the engine by database vendor:

* **PostgreSQL**: full-text search with the ``indonesian`` configuration (Snowball
  stemming: *pemilihan*, *memilih* and *pemilih* all match ``pilih``) over the title
  (weight A), the summary (B) and the plain-text body (C), stored per row by a trigger
  and indexed with GIN (migration ``portal/0002_search``); ranked with ``ts_rank``.
* **SQLite**: the FTS5 table ``content_fts`` of the same migration (``unicode61``
  tokenizer without diacritics, kept in step by triggers on ``content_contentitem``); each
  word matches as a prefix (*pemilu* finds *pemilunya*); ranked by where the words occur
  with the same weights (title 10, summary 4, body 1).

The user's text is never passed to either engine as query syntax: it is reduced to its
words (letters and digits of any script), at most :data:`MAX_WORDS` of them, each quoted,
so quotes, ``*``, ``NEAR``, ``OR``, brackets, emoji, right-to-left text or a NUL byte can
only ever be words or nothing. An empty or blank query returns the queryset unchanged (no
filter); a query without any word (only punctuation or emoji) matches nothing.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, TypeVar

from django.db import connections
from django.db.models import BooleanField, FloatField, QuerySet
from django.db.models.expressions import RawSQL

M = TypeVar("M")

MAX_QUERY_LENGTH = 200  # characters of the query considered; the rest is ignored
MAX_WORDS = 12
MAX_WORD_LENGTH = 60
RANK_FIELD = "search_rank"
# How many of the newest matches are ranked: a search answers from the newest CANDIDATES
# items that contain every word (a news portal's readers want recent items; the cap keeps
# a common word as fast as a rare one).
CANDIDATES = 500

# The searchable document on PostgreSQL: a tsvector column kept by a trigger (migration
# portal/0002_search) and indexed with GIN; unknown to the Django model.
PG_DOCUMENT = '"content_contentitem"."search_document"'
PG_QUERY = "plainto_tsquery('indonesian'::regconfig, %s)"

SQLITE_TABLE = "content_fts"

_WORD = re.compile(r"\w+", re.UNICODE)


def query_words(query: Any) -> list[str]:
    """The words of ``query`` that the search engines see (lower-cased, deduplicated).

    Control characters, lone surrogates and NUL bytes are dropped first; a "word" is a run
    of letters, digits or underscores in any script, so every FTS5/tsquery operator and
    punctuation mark disappears.
    """
    text = str(query or "")[:MAX_QUERY_LENGTH]
    text = "".join(
        ch if unicodedata.category(ch)[0] != "C" else " "
        for ch in unicodedata.normalize("NFC", text)
    )
    words: list[str] = []
    for match in _WORD.finditer(text):
        word = match.group(0).strip("_").lower()[:MAX_WORD_LENGTH]
        if word and word not in words:
            words.append(word)
        if len(words) >= MAX_WORDS:
            break
    return words


def is_blank(query: Any) -> bool:
    """True when ``query`` is empty or only white space (no search at all)."""
    return not str(query or "").strip()


def search_items(queryset: QuerySet[Any], query: Any) -> QuerySet[Any]:
    """``queryset`` narrowed to the items matching ``query``, most relevant first.

    The result carries the relevance as ``search_rank`` (higher is better) and is ordered by
    it, then by ``-published_at`` and ``-id``; apply further filters before or after, but
    an ``order_by`` afterwards replaces the relevance order.
    """
    if is_blank(query):
        return queryset
    words = query_words(query)
    if not words:
        return queryset.none()
    vendor = connections[queryset.db].vendor
    if vendor == "postgresql":
        return _search_postgresql(queryset, words)
    if vendor == "sqlite":
        return _search_sqlite(queryset, words)
    return _search_fallback(queryset, words)


def _search_postgresql(queryset: QuerySet[Any], words: list[str]) -> QuerySet[Any]:
    # plainto_tsquery ANDs the lexemes of its text and ignores every operator: the words
    # are passed as plain text, as a bound parameter.
    text = " ".join(words)
    matching = queryset.filter(
        RawSQL(f"{PG_DOCUMENT} @@ {PG_QUERY}", [text], output_field=BooleanField())  # noqa: S611
    )
    # Rank only the newest CANDIDATES matches: walking the public items by date (partial
    # index content_public_recent_idx) stops after them, where ranking every match of a
    # common word ("pemilu": 160,000 items) reads them all (bench/results).
    newest = matching.order_by("-published_at", "-id").values("pk")[:CANDIDATES]
    # Compiled on its own, so that the document column it names is its own row's: as a
    # Django subquery its table would be aliased and PG_DOCUMENT would name the outer row.
    sql, params = newest.query.sql_with_params()
    return (
        queryset.filter(pk__in=RawSQL(sql, params))  # noqa: S611
        .annotate(
            **{
                RANK_FIELD: RawSQL(  # noqa: S611
                    f"ts_rank({PG_DOCUMENT}, {PG_QUERY})", [text], output_field=FloatField()
                )
            }
        )
        .order_by(f"-{RANK_FIELD}", "-published_at", "-id")
    )


def fts5_match(words: list[str]) -> str:
    """An FTS5 MATCH expression requiring every word as a prefix: ``"a"* AND "b"*``.

    Each word is a quoted FTS5 string (a double quote inside is doubled), so no operator
    of the user's text survives.
    """
    return " AND ".join('"' + w.replace('"', '""') + '"*' for w in words)


def _search_sqlite(queryset: QuerySet[Any], words: list[str]) -> QuerySet[Any]:
    match = fts5_match(words)
    # The newest CANDIDATES matches (FTS5 walks its doclist in rowid order and stops), then
    # those with the words in their title, then in their summary, first (the weights of
    # the PostgreSQL ranking: title 10, summary 4, body 1): bm25 over every match of a word
    # costs hundreds of milliseconds at national scale (bench/results).
    title_hits = " + ".join(
        "10 * (instr(lower(content_contentitem.title), %s) > 0)"
        " + 4 * (instr(lower(content_contentitem.summary), %s) > 0)"
        for _ in words
    )
    return queryset.extra(  # noqa: S610
        where=[
            f"content_contentitem.id IN (SELECT rowid FROM {SQLITE_TABLE} "  # noqa: S608
            f"WHERE {SQLITE_TABLE} MATCH %s ORDER BY rowid DESC LIMIT %s)"
        ],
        params=[match, int(CANDIDATES)],
        select={RANK_FIELD: f"({title_hits}) * 1.0"},
        select_params=[w for w in words for _ in (0, 1)],
        order_by=[f"-{RANK_FIELD}", "-published_at", "-id"],
    )


def _search_fallback(queryset: QuerySet[Any], words: list[str]) -> QuerySet[Any]:
    """Other databases (not supported in production): every word somewhere, unranked."""
    from django.db.models import Q, Value

    for word in words:
        queryset = queryset.filter(
            Q(title__icontains=word) | Q(summary__icontains=word) | Q(body_text__icontains=word)
        )
    return queryset.annotate(**{RANK_FIELD: Value(0.0, output_field=FloatField())}).order_by(
        "-published_at", "-id"
    )
