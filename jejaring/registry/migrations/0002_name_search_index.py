"""Fast name search on PostgreSQL: a full-text GIN index on the folded names.

Person search runs ``to_tsvector('simple', search_key) @@ to_tsquery(...)`` with prefix
terms (``registry.search``); this expression index answers it without scanning a
million rows. SQLite has no such index and scans, which is fine at its scale.
"""

from django.db import migrations

POSTGRES = [
    "CREATE INDEX IF NOT EXISTS registry_person_search_key_fts ON registry_person "
    "USING gin (to_tsvector('simple'::regconfig, search_key))",
]
POSTGRES_REVERSE = ["DROP INDEX IF EXISTS registry_person_search_key_fts"]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_people_categories_merges")]

    operations = [migrations.RunPython(_run(POSTGRES), _run(POSTGRES_REVERSE))]
