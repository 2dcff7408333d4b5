"""The table of the shared ``throttle`` cache (settings.CACHES), created here so that
every ``migrate`` (set-up, deploy, the test database) has it without a separate
``createcachetable`` step."""

from django.core.management import call_command
from django.db import migrations

TABLE = "jejaring_throttle"


def create(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("public", "0004_exit_requests")]

    operations = [migrations.RunPython(create, drop)]
