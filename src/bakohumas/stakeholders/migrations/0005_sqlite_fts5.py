"""Full-text search tables for the stakeholder lists, on SQLite only (FTS5, trigram).

The embedded default (SQLite) has no trigram GIN index; an FTS5 table with the trigram
tokenizer gives it the same substring search through an index. Each table is contentless
(the rowid is the stakeholder row's id; the text is the same searchable expression the
PostgreSQL index of migration 0003 covers) and kept in step by triggers, so every write
path (services, bulk loads, raw SQL) updates it. PostgreSQL skips this migration.
"""

from django.db import migrations

# (fts table, base table, searchable expression over NEW./OLD. columns)
TABLES = [
    (
        "stakeholders_organisation_fts",
        "stakeholders_organisation",
        "{p}name || ' ' || {p}city || ' ' || {p}email",
    ),
    ("stakeholders_contact_fts", "stakeholders_contact", "{p}name || ' ' || {p}position"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for fts, base, expression in TABLES:
        new, old, plain = (expression.format(p=p) for p in ("new.", "old.", ""))
        schema_editor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5("
            f"search, content='', tokenize='trigram')"
        )
        schema_editor.execute(f"INSERT INTO {fts}(rowid, search) SELECT id, {plain} FROM {base}")
        schema_editor.execute(
            f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {base} BEGIN "
            f"INSERT INTO {fts}(rowid, search) VALUES (new.id, {new}); END"
        )
        schema_editor.execute(
            f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {base} BEGIN "
            f"INSERT INTO {fts}({fts}, rowid, search) VALUES ('delete', old.id, {old}); END"
        )
        schema_editor.execute(
            f"CREATE TRIGGER {fts}_au AFTER UPDATE ON {base} BEGIN "
            f"INSERT INTO {fts}({fts}, rowid, search) VALUES ('delete', old.id, {old}); "
            f"INSERT INTO {fts}(rowid, search) VALUES (new.id, {new}); END"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for fts, _base, _expression in TABLES:
        for suffix in ("ai", "ad", "au"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {fts}_{suffix}")
        schema_editor.execute(f"DROP TABLE IF EXISTS {fts}")


class Migration(migrations.Migration):
    dependencies = [("stakeholders", "0004_list_indexes")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
