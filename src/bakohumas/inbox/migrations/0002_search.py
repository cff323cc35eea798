"""The inbox's search table: one document per thread, kept by triggers.

A thread's document is its subject, name and address, then the body of every message
(inbound, replies and notes, one per line). ``inbox/search.py`` searches it: each word of
the query must be in the document.

* PostgreSQL: a plain table ``inbox_thread_search(thread_id, document)``, the document in
  upper case, with a pg_trgm GIN index on it (the kind of index of ``stakeholders``
  migration 0003): ``document LIKE '%WORD%'`` for several words is one index scan, and a
  scan of a few thousand documents by primary key needs no ``UPPER()`` per row.
* SQLite: an FTS5 table ``inbox_thread_fts(document)`` with the trigram tokenizer (as
  ``stakeholders`` migration 0005), rowid = thread id. It stores its text (it is not
  contentless): a new message is appended to the document, which FTS5 can only do when
  it has the old text, and the search reads documents by rowid.

Triggers on ``inbox_thread`` and ``inbox_message`` keep the documents in step on every
write path (services, bulk loads, raw SQL, the PII purge): a new thread gets its document,
a new message is appended, and any other change of a thread's searchable columns or of a
message (edit, purge, delete, move) rebuilds that thread's document from the tables.
Deleting a thread deletes its document (no foreign key, so that Django's test flush can
truncate the inbox tables; PostgreSQL empties the table on ``TRUNCATE inbox_thread``).
The existing threads are indexed here.
"""

from django.db import migrations

# --- PostgreSQL -----------------------------------------------------------------------------

PG_CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """
    CREATE TABLE IF NOT EXISTS inbox_thread_search (
        thread_id bigint PRIMARY KEY,
        document text NOT NULL
    )
    """,
    """
    CREATE OR REPLACE FUNCTION inbox_search_rebuild(tid bigint) RETURNS void AS $$
    BEGIN
        DELETE FROM inbox_thread_search WHERE thread_id = tid;
        INSERT INTO inbox_thread_search (thread_id, document)
        SELECT t.id,
               upper(btrim(concat_ws(' ', t.subject, t.name, t.handle))
                     || coalesce(E'\\n' || (SELECT string_agg(m.body, E'\\n' ORDER BY m.id)
                                            FROM inbox_message m WHERE m.thread_id = t.id), ''))
        FROM inbox_thread t WHERE t.id = tid;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE OR REPLACE FUNCTION inbox_search_thread_changed() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            DELETE FROM inbox_thread_search WHERE thread_id = OLD.id;
            RETURN NULL;
        END IF;
        PERFORM inbox_search_rebuild(NEW.id);
        IF TG_OP = 'UPDATE' AND OLD.id <> NEW.id THEN
            DELETE FROM inbox_thread_search WHERE thread_id = OLD.id;
        END IF;
        RETURN NULL;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE OR REPLACE FUNCTION inbox_search_message_added() RETURNS trigger AS $$
    BEGIN
        UPDATE inbox_thread_search SET document = document || E'\\n' || upper(NEW.body)
        WHERE thread_id = NEW.thread_id;
        IF NOT FOUND THEN
            PERFORM inbox_search_rebuild(NEW.thread_id);
        END IF;
        RETURN NULL;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE OR REPLACE FUNCTION inbox_search_message_changed() RETURNS trigger AS $$
    BEGIN
        PERFORM inbox_search_rebuild(OLD.thread_id);
        IF TG_OP = 'UPDATE' AND NEW.thread_id <> OLD.thread_id THEN
            PERFORM inbox_search_rebuild(NEW.thread_id);
        END IF;
        RETURN NULL;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE OR REPLACE FUNCTION inbox_search_truncated() RETURNS trigger AS $$
    BEGIN
        TRUNCATE inbox_thread_search;
        RETURN NULL;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER inbox_search_thread_ins AFTER INSERT ON inbox_thread
    FOR EACH ROW EXECUTE FUNCTION inbox_search_thread_changed()
    """,
    """
    CREATE TRIGGER inbox_search_thread_upd AFTER UPDATE OF id, subject, name, handle
    ON inbox_thread FOR EACH ROW
    WHEN (OLD.id <> NEW.id OR OLD.subject <> NEW.subject OR OLD.name <> NEW.name
          OR OLD.handle <> NEW.handle)
    EXECUTE FUNCTION inbox_search_thread_changed()
    """,
    """
    CREATE TRIGGER inbox_search_thread_del AFTER DELETE ON inbox_thread
    FOR EACH ROW EXECUTE FUNCTION inbox_search_thread_changed()
    """,
    """
    CREATE TRIGGER inbox_search_thread_trunc AFTER TRUNCATE ON inbox_thread
    FOR EACH STATEMENT EXECUTE FUNCTION inbox_search_truncated()
    """,
    """
    CREATE TRIGGER inbox_search_message_ins AFTER INSERT ON inbox_message
    FOR EACH ROW EXECUTE FUNCTION inbox_search_message_added()
    """,
    """
    CREATE TRIGGER inbox_search_message_upd AFTER UPDATE OF body, thread_id ON inbox_message
    FOR EACH ROW WHEN (OLD.body <> NEW.body OR OLD.thread_id <> NEW.thread_id)
    EXECUTE FUNCTION inbox_search_message_changed()
    """,
    """
    CREATE TRIGGER inbox_search_message_del AFTER DELETE ON inbox_message
    FOR EACH ROW EXECUTE FUNCTION inbox_search_message_changed()
    """,
    """
    INSERT INTO inbox_thread_search (thread_id, document)
    SELECT t.id,
           upper(btrim(concat_ws(' ', t.subject, t.name, t.handle))
                 || coalesce(E'\\n' || (SELECT string_agg(m.body, E'\\n' ORDER BY m.id)
                                        FROM inbox_message m WHERE m.thread_id = t.id), ''))
    FROM inbox_thread t
    """,
    """
    CREATE INDEX IF NOT EXISTS inbox_thread_search_trgm ON inbox_thread_search
    USING gin (document gin_trgm_ops)
    """,
]

PG_DROP = [
    "DROP TRIGGER IF EXISTS inbox_search_message_del ON inbox_message",
    "DROP TRIGGER IF EXISTS inbox_search_message_upd ON inbox_message",
    "DROP TRIGGER IF EXISTS inbox_search_message_ins ON inbox_message",
    "DROP TRIGGER IF EXISTS inbox_search_thread_trunc ON inbox_thread",
    "DROP TRIGGER IF EXISTS inbox_search_thread_del ON inbox_thread",
    "DROP TRIGGER IF EXISTS inbox_search_thread_upd ON inbox_thread",
    "DROP TRIGGER IF EXISTS inbox_search_thread_ins ON inbox_thread",
    "DROP FUNCTION IF EXISTS inbox_search_truncated()",
    "DROP FUNCTION IF EXISTS inbox_search_message_changed()",
    "DROP FUNCTION IF EXISTS inbox_search_message_added()",
    "DROP FUNCTION IF EXISTS inbox_search_thread_changed()",
    "DROP FUNCTION IF EXISTS inbox_search_rebuild(bigint)",
    "DROP TABLE IF EXISTS inbox_thread_search",
    # The pg_trgm extension stays: other objects use it.
]

# --- SQLite ---------------------------------------------------------------------------------

# The document of thread ``{t}`` (an expression over the thread's id), built from the tables.
SQLITE_DOCUMENT = (
    "(SELECT trim(t.subject || ' ' || t.name || ' ' || t.handle) || coalesce(char(10) || "
    "(SELECT group_concat(body, char(10)) FROM (SELECT body FROM inbox_message "
    "WHERE thread_id = t.id ORDER BY id)), '') FROM inbox_thread t WHERE t.id = {t})"
)


def _sqlite_rebuild(tid: str) -> str:
    return (
        f"DELETE FROM inbox_thread_fts WHERE rowid = {tid}; "
        f"INSERT INTO inbox_thread_fts(rowid, document) SELECT {tid}, "
        f"{SQLITE_DOCUMENT.format(t=tid)} WHERE EXISTS "
        f"(SELECT 1 FROM inbox_thread WHERE id = {tid}); "
    )


SQLITE_CREATE = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS inbox_thread_fts USING fts5(document, "
    "tokenize='trigram')",
    "CREATE TRIGGER inbox_search_thread_ins AFTER INSERT ON inbox_thread BEGIN "
    + _sqlite_rebuild("new.id")
    + "END",
    "CREATE TRIGGER inbox_search_thread_upd AFTER UPDATE OF id, subject, name, handle "
    "ON inbox_thread WHEN old.id IS NOT new.id OR old.subject IS NOT new.subject "
    "OR old.name IS NOT new.name OR old.handle IS NOT new.handle BEGIN "
    "DELETE FROM inbox_thread_fts WHERE rowid = old.id; " + _sqlite_rebuild("new.id") + "END",
    "CREATE TRIGGER inbox_search_thread_del AFTER DELETE ON inbox_thread BEGIN "
    "DELETE FROM inbox_thread_fts WHERE rowid = old.id; END",
    "CREATE TRIGGER inbox_search_message_ins AFTER INSERT ON inbox_message BEGIN "
    "UPDATE inbox_thread_fts SET document = document || char(10) || new.body "
    "WHERE rowid = new.thread_id; "
    "INSERT INTO inbox_thread_fts(rowid, document) SELECT new.thread_id, "
    + SQLITE_DOCUMENT.format(t="new.thread_id")
    + " WHERE EXISTS (SELECT 1 FROM inbox_thread WHERE id = new.thread_id) "
    "AND NOT EXISTS (SELECT 1 FROM inbox_thread_fts WHERE rowid = new.thread_id); END",
    "CREATE TRIGGER inbox_search_message_upd AFTER UPDATE OF body, thread_id ON inbox_message "
    "WHEN old.body IS NOT new.body OR old.thread_id IS NOT new.thread_id BEGIN "
    + _sqlite_rebuild("old.thread_id")
    + _sqlite_rebuild("new.thread_id")
    + "END",
    "CREATE TRIGGER inbox_search_message_del AFTER DELETE ON inbox_message BEGIN "
    + _sqlite_rebuild("old.thread_id")
    + "END",
    "INSERT INTO inbox_thread_fts(rowid, document) SELECT id, "
    + SQLITE_DOCUMENT.format(t="inbox_thread.id")
    + " FROM inbox_thread",
]

SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS inbox_search_message_del",
    "DROP TRIGGER IF EXISTS inbox_search_message_upd",
    "DROP TRIGGER IF EXISTS inbox_search_message_ins",
    "DROP TRIGGER IF EXISTS inbox_search_thread_del",
    "DROP TRIGGER IF EXISTS inbox_search_thread_upd",
    "DROP TRIGGER IF EXISTS inbox_search_thread_ins",
    "DROP TABLE IF EXISTS inbox_thread_fts",
]


def create(apps, schema_editor):
    statements = {"postgresql": PG_CREATE, "sqlite": SQLITE_CREATE}.get(
        schema_editor.connection.vendor, []
    )
    for sql in statements:
        schema_editor.execute(sql)


def drop(apps, schema_editor):
    statements = {"postgresql": PG_DROP, "sqlite": SQLITE_DROP}.get(
        schema_editor.connection.vendor, []
    )
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("inbox", "0001_initial")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
