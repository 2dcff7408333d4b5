"""Fast name search on PostgreSQL: trigram GIN indexes on the folded name keys.

``search_key LIKE '%word%'`` (name and aliases, folded) is what person search runs; on PostgreSQL a pg_trgm GIN
index answers it without scanning a million rows. SQLite (the embedded default, for
small offices) has no such index and scans, which is fine at its scale.
"""

from django.db import migrations

POSTGRES = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS registry_person_search_key_trgm "
    "ON registry_person USING gin (search_key gin_trgm_ops)",
]
POSTGRES_REVERSE = ["DROP INDEX IF EXISTS registry_person_search_key_trgm"]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_people_categories_merges")]

    operations = [migrations.RunPython(_run(POSTGRES), _run(POSTGRES_REVERSE))]
