"""Inbox search: the threads whose subject, sender name, address or any message contains
every word of the query.

How it works
------------

Each thread has one search **document**: its subject, name and address, then the body of
each of its messages (from the public, replies and internal notes), one per line. The
documents live in a table of their own, created by migration ``inbox/0002_search`` and
kept in step by database triggers on ``inbox_thread`` and ``inbox_message`` (a new message
is appended; an edited, purged, moved or deleted message, or a renamed thread, rebuilds
the thread's document), so every write path (the services, the webhooks, bulk loads,
the PII purge, raw SQL) keeps the index right and purged text leaves it.

* **PostgreSQL**: ``inbox_thread_search(thread_id, document)`` with a pg_trgm GIN index on
  ``UPPER(document)``, the same kind of index as the stakeholder search (``stakeholders``
  migration 0003). A query becomes ``thread.id IN (SELECT thread_id FROM
  inbox_thread_search WHERE UPPER(document) LIKE '%WORD1%' AND UPPER(document) LIKE
  '%WORD2%')``: one bitmap scan of the index for all the words, then a recheck of the
  candidate documents. The planner chooses between that and walking the list's own
  order (``-last_message_at``) checking each thread's document by primary key, which is
  what a common word on a paginated list needs.
* **SQLite**: an FTS5 table ``inbox_thread_fts`` with the trigram tokenizer (as the
  stakeholder tables of ``stakeholders`` migration 0005), rowid = thread id; each word is
  a quoted trigram phrase, ``"word1" AND "word2"``. Words shorter than three characters
  (which trigrams cannot index) are checked with ``LIKE`` on the candidate documents.

A word matches as a substring, case-insensitively (letters with accents are compared as
they are: ``é`` does not find ``e``), anywhere in the thread: ``budi dpt`` finds the
thread of Budi asking about the DPT even when his name is only in the thread's header.
The result is the given queryset filtered (``pk IN (…)``): its ordering, its scoping and
any other filter stay, and it composes with further filters and pagination.

On other databases (not supported in production) the same words are matched with
``icontains`` on the thread and its messages, without an index.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from django.db import connections
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL

MAX_WORDS = 8
MAX_WORD_LENGTH = 100
TRIGRAM = 3  # trigram indexes need words of at least three characters

PG_TABLE = "inbox_thread_search"
SQLITE_TABLE = "inbox_thread_fts"
TRIGGER_PREFIX = "inbox_search_"

M = TypeVar("M", bound=Model)


def words_of(query: str) -> list[str]:
    """The distinct words of ``query`` (whitespace-separated), at most ``MAX_WORDS``."""
    found: list[str] = []
    for word in (query or "").replace("\x00", "").split():
        word = word[:MAX_WORD_LENGTH]
        if word.casefold() not in {w.casefold() for w in found}:
            found.append(word)
    return found[:MAX_WORDS]


def _like(word: str) -> str:
    """``%word%`` with LIKE's wildcards in ``word`` escaped (escape character ``\\``)."""
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _fts_phrase(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def search_threads(queryset: QuerySet[M], query: str) -> QuerySet[M]:
    """The threads of ``queryset`` that contain every word of ``query`` (see the module
    docstring); ``queryset`` itself when the query has no word."""
    words = words_of(query)
    if not words:
        return queryset
    vendor = connections[queryset.db].vendor
    if vendor == "postgresql":
        where = " AND ".join(["UPPER(document) LIKE UPPER(%s)"] * len(words))
        # The table and the conditions are constants; the words are bound parameters.
        return queryset.filter(
            pk__in=RawSQL(  # noqa: S611
                f"SELECT thread_id FROM {PG_TABLE} WHERE {where}",  # noqa: S608
                [_like(w) for w in words],
            )
        )
    if vendor == "sqlite":
        long_words = [w for w in words if len(w) >= TRIGRAM]
        short_words = [w for w in words if len(w) < TRIGRAM]
        conditions: list[str] = []
        params: list[str] = []
        if long_words:
            conditions.append(f"{SQLITE_TABLE} MATCH %s")
            params.append(" AND ".join(_fts_phrase(w) for w in long_words))
        for word in short_words:
            conditions.append("document LIKE %s ESCAPE '\\'")
            params.append(_like(word))
        return queryset.filter(
            pk__in=RawSQL(  # noqa: S611
                f"SELECT rowid FROM {SQLITE_TABLE} WHERE {' AND '.join(conditions)}",  # noqa: S608
                params,
            )
        )
    return _search_without_index(queryset, words)


def _search_without_index(queryset: QuerySet[M], words: list[str]) -> QuerySet[M]:
    from bakohumas.inbox.models import Message

    for word in words:
        in_messages = Message.objects.filter(thread_id=OuterRef("pk"), body__icontains=word)
        queryset = queryset.filter(
            Q(subject__icontains=word)
            | Q(name__icontains=word)
            | Q(handle__icontains=word)
            | Exists(in_messages)
        )
    return queryset


# --- maintenance (bulk loads) -------------------------------------------------------------


def rebuild(using: str = "default") -> int:
    """Rebuild every thread's document from the tables (after a load with the triggers
    paused); returns the number of documents."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {PG_TABLE}")
            cursor.execute(
                f"INSERT INTO {PG_TABLE} (thread_id, document) "  # noqa: S608 - constant
                "SELECT t.id, btrim(concat_ws(' ', t.subject, t.name, t.handle)) "
                "|| coalesce(E'\\n' || m.bodies, '') FROM inbox_thread t LEFT JOIN "
                "(SELECT thread_id, string_agg(body, E'\\n' ORDER BY id) AS bodies "
                "FROM inbox_message GROUP BY thread_id) m ON m.thread_id = t.id"
            )
            cursor.execute(f"SELECT COUNT(*) FROM {PG_TABLE}")  # noqa: S608 - constant
        elif connection.vendor == "sqlite":
            cursor.execute(f"DELETE FROM {SQLITE_TABLE}")  # noqa: S608 - constant
            cursor.execute(
                f"INSERT INTO {SQLITE_TABLE}(rowid, document) "  # noqa: S608 - constant
                "SELECT t.id, trim(t.subject || ' ' || t.name || ' ' || t.handle) "
                "|| coalesce(char(10) || m.bodies, '') FROM inbox_thread t LEFT JOIN "
                "(SELECT thread_id, group_concat(body, char(10)) AS bodies FROM "
                "(SELECT thread_id, body FROM inbox_message ORDER BY thread_id, id) "
                "GROUP BY thread_id) m ON m.thread_id = t.id"
            )
            cursor.execute(f"SELECT COUNT(*) FROM {SQLITE_TABLE}")  # noqa: S608 - constant
        else:
            return 0
        row = cursor.fetchone()
    return int(row[0]) if row else 0


@contextmanager
def triggers_paused(using: str = "default") -> Iterator[None]:
    """Load threads and messages without the per-row search triggers, then rebuild the
    documents once (what ``generate_dataset`` does). The triggers are dropped and
    re-created from their own definitions; on PostgreSQL the GIN index is also dropped
    and re-created. Must run inside a transaction (DDL is transactional on both
    databases: an error restores everything)."""
    connection = connections[using]
    triggers: list[tuple[str, str, str]] = []  # (name, table, definition)
    indexes: list[tuple[str, str]] = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT t.tgname, c.relname, pg_get_triggerdef(t.oid) FROM pg_trigger t "
                "JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal "
                "AND t.tgname LIKE %s AND c.relnamespace = current_schema()::regnamespace",
                [TRIGGER_PREFIX + "%"],
            )
            triggers = list(cursor.fetchall())
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
                "AND schemaname = current_schema() AND indexdef ILIKE %s",
                [PG_TABLE, "% USING gin %"],
            )
            indexes = list(cursor.fetchall())
            for name, table, _definition in triggers:
                cursor.execute(f'DROP TRIGGER "{name}" ON "{table}"')
            for name, _definition in indexes:
                cursor.execute(f'DROP INDEX "{name}"')
        elif connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger' "
                "AND name LIKE %s",
                [TRIGGER_PREFIX + "%"],
            )
            triggers = list(cursor.fetchall())
            for name, _table, _definition in triggers:
                cursor.execute(f'DROP TRIGGER "{name}"')
    yield
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    rebuild(using)
    with connection.cursor() as cursor:
        for _name, definition in indexes:
            cursor.execute(definition)
        for _name, _table, definition in triggers:
            cursor.execute(definition)
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def document_of(thread_id: int, using: str = "default") -> str | None:
    """The stored search document of a thread (for tests and diagnostics)."""
    connection = connections[using]
    table, key = (
        (PG_TABLE, "thread_id") if connection.vendor == "postgresql" else (SQLITE_TABLE, "rowid")
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT document FROM {table} WHERE {key} = %s", [thread_id])  # noqa: S608
        row: Any = cursor.fetchone()
    return str(row[0]) if row else None
