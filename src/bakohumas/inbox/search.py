"""Inbox search: the threads whose subject, sender name, address or any message contains
every word of the query.

The documents
-------------

Each thread has one search **document**: its subject, name and address, then the body of
each of its messages (from the public, replies and internal notes), one per line. The
documents live in a table of their own, created by migration ``inbox/0002_search`` and
kept in step by database triggers on ``inbox_thread`` and ``inbox_message`` (a new message
is appended; an edited, purged, moved or deleted message, or a changed subject, name or
address, rebuilds the thread's document), so every write path (the services, the
webhooks, bulk loads, the PII purge, raw SQL) keeps it right and purged text leaves it.

* **PostgreSQL**: ``inbox_thread_search(thread_id, document)``, the document stored in
  upper case, with a pg_trgm GIN index on it (the kind of index the stakeholder search
  uses, ``stakeholders`` migration 0003).
* **SQLite**: the FTS5 table ``inbox_thread_fts`` with the trigram tokenizer (as the
  stakeholder tables of ``stakeholders`` migration 0005), rowid = thread id.

A word matches as a substring, case-insensitively (letters with accents are compared as
they are: ``é`` does not find ``e``), anywhere in the thread: ``budi dpt`` finds Budi's
question about the DPT even when his name is only in the thread's header.

Two ways to answer, chosen per query
------------------------------------

The inbox list shows 50 threads of a scope (usually one unit: a few thousand threads)
newest first, and counts the matches up to 10,000. Neither way is fast for every query:

* **index**: ``thread.id IN (the documents matching every word)``, answered by the trigram
  index (PostgreSQL: ``document LIKE '%WORD%' AND …`` on the GIN index; SQLite:
  ``inbox_thread_fts MATCH '"word1" AND "word2"'``). Its cost grows with the number of
  matching documents in the whole country: a few milliseconds for a name or a rare word,
  hundreds for a word in a third of the threads ("pemilih"), because every match is
  read and rechecked.
* **scan**: walk the scope's threads (in the list's order, through its index) and test each
  thread's document, fetched by primary key in a scalar subquery (PostgreSQL ``strpos``;
  SQLite ``LIKE``, or for words with non-ASCII letters a small Python function,
  ``inbox_search_contains``, that folds case as the trigram tokenizer does). Its cost
  grows with the size of the scope, whatever the word: 50 matches of a common word are
  found after a few dozen threads, and counting a unit of 6,000 threads takes 15-20 ms.

``search_threads`` picks one per query with one or two small queries: the size of the
scope (counted up to ``SCAN_LIMIT`` threads); then, for a scope that small, how many
documents of the whole table match (PostgreSQL: the planner's estimate from its column
statistics, which reads no document; SQLite: counted through the FTS index, stopped once
it passes the scope's size). Fewer matches than the scope has threads → index; more →
scan. A scope over ``SCAN_LIMIT`` (national staff viewing every unit) takes the index;
on SQLite, when the word is that common (over ``SCAN_LIMIT`` matches) and
``inbox_thread`` has an index in the list's order (``last_message_at``), a scan, which
stops after a page where SQLite would sort every match (PostgreSQL walks such an index
itself, probing the hashed matches).

Words shorter than three characters, which trigrams cannot index, are checked on the
document (a query of only such words scans). On the national data set (250,000 threads,
1,000,000 messages) the search queries of a unit's list take 15-30 ms in all on either
database (``bench/README.md``, inbox section).

The result is the given queryset filtered: its ordering, its scoping and any other filter
stay, and it composes with further filters and pagination. On other databases (not
supported in production) the words are matched with ``icontains`` on the thread and its
messages, without an index.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created
from django.db.models import BooleanField, Exists, Model, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL

MAX_WORDS = 8
MAX_WORD_LENGTH = 100
TRIGRAM = 3  # trigram indexes need words of at least three characters
#: Scopes up to this many threads may be scanned; larger ones always use the index.
SCAN_LIMIT = 10_000

PG_TABLE = "inbox_thread_search"
SQLITE_TABLE = "inbox_thread_fts"
SQLITE_FUNCTION = "inbox_search_contains"
TRIGGER_PREFIX = "inbox_search_"

M = TypeVar("M", bound=Model)


def words_of(query: str) -> list[str]:
    """The distinct words of ``query`` (whitespace-separated), at most ``MAX_WORDS``."""
    found: list[str] = []
    seen: set[str] = set()
    for word in (query or "").replace("\x00", "").split():
        word = word[:MAX_WORD_LENGTH]
        if word.lower() not in seen:
            seen.add(word.lower())
            found.append(word)
    return found[:MAX_WORDS]


def _like(word: str) -> str:
    """``%word%`` with LIKE's wildcards in ``word`` escaped (escape character ``\\``)."""
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _fts_phrase(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def _contains(document: str | None, needles: str | None) -> bool:
    """The SQLite scan's test: every line of ``needles`` (lower case) is in ``document``
    (lower-cased like the FTS5 trigram tokenizer folds case, accents kept)."""
    if not document or needles is None:
        return False
    text = document.lower()
    return all(needle in text for needle in needles.split("\n"))


def _register(connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    if connection.vendor == "sqlite" and connection.connection is not None:
        connection.connection.create_function(SQLITE_FUNCTION, 2, _contains, deterministic=True)


connection_created.connect(_register, dispatch_uid="bakohumas.inbox.search")


class _Query:
    """The SQL pieces of one search on one database vendor."""

    def __init__(self, vendor: str, words: list[str]) -> None:
        self.vendor = vendor
        self.words = words
        self.long_words = [w for w in words if len(w) >= TRIGRAM]
        self.short_words = [w for w in words if len(w) < TRIGRAM]

    @property
    def indexed(self) -> bool:
        """Whether the index narrows the search (some word is long enough)."""
        return bool(self.long_words)

    def matching(self) -> tuple[str, list[str]]:
        """``SELECT <thread id> FROM <documents> WHERE <every word>`` through the index."""
        if self.vendor == "postgresql":
            where = " AND ".join(["document LIKE UPPER(%s)"] * len(self.words))
            return (
                f"SELECT thread_id FROM {PG_TABLE} WHERE {where}",  # noqa: S608 - constants
                [_like(w) for w in self.words],
            )
        conditions: list[str] = []
        params: list[str] = []
        if self.long_words:
            conditions.append(f"{SQLITE_TABLE} MATCH %s")
            params.append(" AND ".join(_fts_phrase(w) for w in self.long_words))
        for word in self.short_words:
            conditions.append("document LIKE %s ESCAPE '\\'")
            params.append(_like(word))
        return (
            f"SELECT rowid FROM {SQLITE_TABLE} WHERE {' AND '.join(conditions)}",  # noqa: S608
            params,
        )

    def scanned(self, thread_table: str) -> tuple[str, list[str]]:
        """A condition on one thread row: its document (fetched by primary key) has every
        word. A scalar subquery, evaluated row by row: as ``EXISTS`` PostgreSQL would turn
        it into a join and read every document of the table."""
        if self.vendor == "postgresql":
            found = " AND ".join(["strpos(s.document, UPPER(%s)) > 0"] * len(self.words))
            return (
                f"(SELECT {found} FROM {PG_TABLE} s "  # noqa: S608 - constants
                f'WHERE s.thread_id = "{thread_table}"."id")',
                list(self.words),
            )
        # ASCII words with LIKE (case-insensitive for ASCII, in C); others with the
        # Python function, which folds every letter's case as the trigram index does.
        ascii_words = [w for w in self.words if w.isascii()]
        other_words = [w for w in self.words if not w.isascii()]
        tests = ["f.document LIKE %s ESCAPE '\\'"] * len(ascii_words)
        params = [_like(w) for w in ascii_words]
        if other_words:
            tests.append(f"{SQLITE_FUNCTION}(f.document, %s)")
            params.append("\n".join(w.lower() for w in other_words))
        return (
            f"(SELECT {' AND '.join(tests)} FROM {SQLITE_TABLE} f "  # noqa: S608
            f'WHERE f.rowid = "{thread_table}"."id")',
            params,
        )


def estimate_matches(using: str, query: _Query, limit: int) -> int:
    """How many documents match, at most ``limit`` + 1: PostgreSQL's estimate from the
    planner statistics (the histogram of the documents; no document is read), SQLite's
    count through the FTS index stopped after ``limit`` + 1 (a few milliseconds)."""
    sql, params = query.matching()
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
            plan = cursor.fetchone()[0]
            if isinstance(plan, str):
                plan = json.loads(plan)
            return min(int(plan[0]["Plan"]["Plan Rows"]), limit + 1)
        cursor.execute(
            f"SELECT COUNT(*) FROM ({sql} LIMIT {int(limit) + 1}) AS probe",  # noqa: S608
            params,
        )
        row = cursor.fetchone()
    return int(row[0]) if row else 0


_ORDER_INDEX: dict[str, bool] = {}


def has_order_index(using: str = "default") -> bool:
    """Whether ``inbox_thread`` has an index led by ``last_message_at`` (the list's order
    over every unit), so that a scan of a large scope can stop after a page."""
    if using not in _ORDER_INDEX:
        connection = connections[using]
        with connection.cursor() as cursor:
            constraints = connection.introspection.get_constraints(cursor, "inbox_thread")
        _ORDER_INDEX[using] = any(
            c.get("index") and (c.get("columns") or [None])[0] == "last_message_at"
            for c in constraints.values()
        )
    return _ORDER_INDEX[using]


def choose(queryset: QuerySet[Any], query: _Query | None = None) -> str:
    """ "index" or "scan" (see the module docstring). A scope of at most ``SCAN_LIMIT``
    threads takes the index when fewer documents of the whole table match than the scope
    has threads, else a scan. A larger scope takes the index, unless (SQLite) more than
    ``SCAN_LIMIT`` documents match and the threads have an index in the list's order."""
    scope = queryset.order_by().values("pk")[: SCAN_LIMIT + 1].count()
    if query is None or not query.indexed:
        return "scan" if scope <= SCAN_LIMIT or has_order_index(queryset.db) else "index"
    if scope <= SCAN_LIMIT:
        return "index" if estimate_matches(queryset.db, query, scope) <= scope else "scan"
    # PostgreSQL walks such an index itself, probing the hashed matches; SQLite would
    # sort every match, so it scans instead.
    if (
        connections[queryset.db].vendor == "sqlite"
        and has_order_index(queryset.db)
        and estimate_matches(queryset.db, query, SCAN_LIMIT) > SCAN_LIMIT
    ):
        return "scan"
    return "index"


def method_for(queryset: QuerySet[Any], query: str) -> str:
    """How ``search_threads`` answers ``query`` on ``queryset``: "index" or "scan" (""
    when there is nothing to search or no search index on this database)."""
    words = words_of(query)
    vendor = connections[queryset.db].vendor
    if not words or vendor not in ("postgresql", "sqlite"):
        return ""
    return choose(queryset, _Query(vendor, words))


def search_threads(queryset: QuerySet[M], query: str, *, method: str | None = None) -> QuerySet[M]:
    """The threads of ``queryset`` that contain every word of ``query`` (see the module
    docstring); ``queryset`` itself when the query has no word. ``method`` ("index" or
    "scan") overrides the choice (tests, benchmarks)."""
    words = words_of(query)
    if not words:
        return queryset
    connection = connections[queryset.db]
    vendor = connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        return _search_without_index(queryset, words)
    if vendor == "sqlite":
        connection.ensure_connection()
        _register(connection)
    search = _Query(vendor, words)
    method = method or choose(queryset, search)
    if method == "index":
        sql, params = search.matching()
        # The table and the conditions are constants; the words are bound parameters.
        return queryset.filter(pk__in=RawSQL(sql, params))  # noqa: S611
    sql, params = search.scanned(queryset.model._meta.db_table)
    return queryset.filter(RawSQL(sql, params, output_field=BooleanField()))  # noqa: S611


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
                "SELECT t.id, upper(btrim(concat_ws(' ', t.subject, t.name, t.handle)) "
                "|| coalesce(E'\\n' || m.bodies, '')) FROM inbox_thread t LEFT JOIN "
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
            # Pending foreign-key checks of the load would block the DDL below.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    rebuild(using)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for _name, definition in indexes:
            cursor.execute(definition)
        for _name, _table, definition in triggers:
            cursor.execute(definition)
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def document_of(thread_id: int, using: str = "default") -> str | None:
    """The stored search document of a thread (upper case on PostgreSQL); for tests and
    diagnostics."""
    connection = connections[using]
    table, key = (
        (PG_TABLE, "thread_id") if connection.vendor == "postgresql" else (SQLITE_TABLE, "rowid")
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT document FROM {table} WHERE {key} = %s", [thread_id])  # noqa: S608
        row: Any = cursor.fetchone()
    return str(row[0]) if row else None
