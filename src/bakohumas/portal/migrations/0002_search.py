"""Full-text search of content items (``bakohumas.portal.search``), per database vendor.

PostgreSQL: a ``search_document`` tsvector column on ``content_contentitem`` (a database
column only: the Django model does not know it), filled by a ``BEFORE INSERT OR UPDATE OF
title, summary, body_text`` trigger with the weighted ``indonesian`` document of title (A),
summary (B) and body_text (C), and a GIN index on it. A stored document instead of a GIN
*expression* index because ranking needs the vector of every matching row: recomputing
``to_tsvector`` for ranking made a common word over 200,000 items take seconds; the
stored vector makes ranking nearly free (measured in the portal report). A trigger rather
than a generated column so that later migrations may still change the three columns'
types (PostgreSQL refuses that for columns a generated column depends on).

SQLite: an external-content FTS5 table ``content_fts`` over the same three columns
(``unicode61`` tokenizer, diacritics removed, prefix indexes for 2 and 3 characters), kept
in step by triggers on ``content_contentitem``; the update trigger fires only when one of
the three columns changes, so workflow transitions cost nothing. Note: a later migration
that makes Django rebuild ``content_contentitem`` on SQLite (some ALTERs copy the table)
drops these triggers; such a migration must recreate them (the search tests would fail).

Each half is a no-op on the other vendor; both have a reverse.
"""

from django.db import migrations

PG_INDEX = "content_item_fts_idx"
PG_DOCUMENT = (
    "setweight(to_tsvector('indonesian'::regconfig, COALESCE({p}title, '')), 'A') || "
    "setweight(to_tsvector('indonesian'::regconfig, COALESCE({p}summary, '')), 'B') || "
    "setweight(to_tsvector('indonesian'::regconfig, COALESCE({p}body_text, '')), 'C')"
)
PG_CREATE = [
    "ALTER TABLE content_contentitem ADD COLUMN IF NOT EXISTS search_document tsvector",
    "CREATE OR REPLACE FUNCTION portal_content_search_document() RETURNS trigger "
    "LANGUAGE plpgsql AS $$ BEGIN NEW.search_document := "
    + PG_DOCUMENT.format(p="NEW.")
    + "; RETURN NEW; END $$",
    "DROP TRIGGER IF EXISTS portal_content_search_document ON content_contentitem",
    "CREATE TRIGGER portal_content_search_document "
    "BEFORE INSERT OR UPDATE OF title, summary, body_text ON content_contentitem "
    "FOR EACH ROW EXECUTE FUNCTION portal_content_search_document()",
    "UPDATE content_contentitem SET search_document = " + PG_DOCUMENT.format(p=""),
    f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON content_contentitem USING GIN (search_document)",
]
PG_DROP = [
    f"DROP INDEX IF EXISTS {PG_INDEX}",
    "DROP TRIGGER IF EXISTS portal_content_search_document ON content_contentitem",
    "DROP FUNCTION IF EXISTS portal_content_search_document()",
    "ALTER TABLE content_contentitem DROP COLUMN IF EXISTS search_document",
]

FTS = "content_fts"
BASE = "content_contentitem"
COLUMNS = "title, summary, body_text"
SQLITE_CREATE = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS} USING fts5({COLUMNS}, "
    f"content='{BASE}', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2', prefix='2 3')",
    f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')",
    f"CREATE TRIGGER IF NOT EXISTS {FTS}_ai AFTER INSERT ON {BASE} BEGIN "
    f"INSERT INTO {FTS}(rowid, {COLUMNS}) VALUES (new.id, new.title, new.summary, new.body_text); "
    "END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS}_ad AFTER DELETE ON {BASE} BEGIN "
    f"INSERT INTO {FTS}({FTS}, rowid, {COLUMNS}) "
    "VALUES ('delete', old.id, old.title, old.summary, old.body_text); END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS}_au AFTER UPDATE OF title, summary, body_text ON {BASE} "
    f"BEGIN INSERT INTO {FTS}({FTS}, rowid, {COLUMNS}) "
    "VALUES ('delete', old.id, old.title, old.summary, old.body_text); "
    f"INSERT INTO {FTS}(rowid, {COLUMNS}) VALUES (new.id, new.title, new.summary, new.body_text); "
    "END",
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {FTS}_ai",
    f"DROP TRIGGER IF EXISTS {FTS}_ad",
    f"DROP TRIGGER IF EXISTS {FTS}_au",
    f"DROP TABLE IF EXISTS {FTS}",
]


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for statement in PG_CREATE:
            schema_editor.execute(statement)
    elif vendor == "sqlite":
        for statement in SQLITE_CREATE:
            schema_editor.execute(statement)


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for statement in PG_DROP:
            schema_editor.execute(statement)
    elif vendor == "sqlite":
        for statement in SQLITE_DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0001_initial"),
        ("content", "0002_initial"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
