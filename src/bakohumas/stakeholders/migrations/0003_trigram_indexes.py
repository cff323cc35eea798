"""Search indexes for the stakeholder lists, on PostgreSQL only.

The selectors search with ``search_expression`` (``stakeholders/selectors.py``): each
word of the query must be in ``UPPER(name || ' ' || …)``, which compiles to
``UPPER(("name" || ' ' || "position"))::text LIKE '%WORD%'``. A trigram GIN index on that
same expression serves every word of a multi-word search in one index scan. Email
searches (text with "@") use ``icontains`` on the email column
(``UPPER("email"::text) LIKE …``) and number searches a prefix ``LIKE '+62812%'``, served
by pattern-ops B-tree indexes. Other databases skip this migration.
"""

from django.db import migrations

INDEXES = [
    # (index name, table, method, expression)
    (
        "stk_org_search_trgm",
        "stakeholders_organisation",
        "gin",
        """(UPPER(("name" || ' ' || "city" || ' ' || "email"))) gin_trgm_ops""",
    ),
    ("stk_org_email_trgm", "stakeholders_organisation", "gin",
     """(UPPER("email"::text)) gin_trgm_ops"""),
    (
        "stk_contact_search_trgm",
        "stakeholders_contact",
        "gin",
        """(UPPER(("name" || ' ' || "position"))) gin_trgm_ops""",
    ),
    ("stk_contact_email_trgm", "stakeholders_contact", "gin",
     """(UPPER("email"::text)) gin_trgm_ops"""),
    ("stk_contact_phone_prefix", "stakeholders_contact", "btree",
     """"phone" varchar_pattern_ops"""),
    ("stk_contact_whatsapp_prefix", "stakeholders_contact", "btree",
     """"whatsapp" varchar_pattern_ops"""),
    ("stk_group_search_trgm", "stakeholders_communicationgroup", "gin",
     """(UPPER("name"::text)) gin_trgm_ops"""),
]


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, method, expression in INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" USING {method} ({expression})'
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _method, _expression in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')
    # The pg_trgm extension stays: other objects may use it.


class Migration(migrations.Migration):

    dependencies = [
        ("stakeholders", "0002_search_indexes"),
    ]

    operations = [
        migrations.RunPython(create_indexes, drop_indexes),
    ]
