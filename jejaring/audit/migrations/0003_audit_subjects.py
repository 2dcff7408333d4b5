"""The objects each audit row concerns, one indexed row per object (AuditSubject).

A bulk read names the people it showed in ``after`` (JSON), which neither SQLite nor an
index can search; a duplicate check names several in ``object_id``. Both are split into
subjects here, and existing rows are backfilled, so the administrator's "who looked at
person 27" filter finds them. The table is append-only like the log (migration 0002).
"""

import django.db.models.deletion
from django.db import migrations, models

SQLITE = [
    """CREATE TRIGGER audit_auditsubject_no_update BEFORE UPDATE ON audit_auditsubject
       BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END""",
    """CREATE TRIGGER audit_auditsubject_no_delete BEFORE DELETE ON audit_auditsubject
       BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_auditsubject_no_update",
    "DROP TRIGGER IF EXISTS audit_auditsubject_no_delete",
]
# The function from migration 0002 only raises; it serves this table as well.
POSTGRES = [
    """CREATE TRIGGER audit_auditsubject_append_only BEFORE UPDATE OR DELETE
       ON audit_auditsubject
       FOR EACH ROW EXECUTE FUNCTION audit_auditentry_append_only()""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_auditsubject_append_only ON audit_auditsubject",
]

# Rows naming one object: copied in one statement, however long the log.
PLAIN_ROWS = """
    INSERT INTO audit_auditsubject (entry_id, object_type, object_id)
    SELECT id, object_type, object_id FROM audit_auditentry
    WHERE object_id <> '' AND object_id NOT LIKE %s
"""


def _triggers(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


def _ids(value) -> list[str]:
    if not isinstance(value, list):
        return []
    return [str(pk) for pk in value if isinstance(pk, int | str) and str(pk).strip()]


def backfill(apps, schema_editor):
    AuditEntry = apps.get_model("audit", "AuditEntry")
    AuditSubject = apps.get_model("audit", "AuditSubject")
    schema_editor.execute(PLAIN_ROWS, ['%,%'])
    # Several ids in object_id (a duplicate check), or none and a list in ``after``
    # (a bulk read): few rows, split here.
    rows = AuditEntry.objects.filter(
        models.Q(object_id__contains=",") | models.Q(object_id="", after__isnull=False)
    ).only("pk", "object_type", "object_id", "after")
    for entry in rows.iterator(chunk_size=500):
        if entry.object_id:
            ids = entry.object_id.split(",")
        else:
            key = f"{entry.object_type.rsplit('.', 1)[-1]}_ids"
            ids = _ids(entry.after.get(key)) if isinstance(entry.after, dict) else []
        AuditSubject.objects.bulk_create(
            [
                AuditSubject(entry_id=entry.pk, object_type=entry.object_type, object_id=pk[:64])
                for pk in dict.fromkeys(part.strip() for part in ids)
                if pk
            ],
            batch_size=1000,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_append_only_triggers"),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditSubject",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("object_type", models.CharField(max_length=100, verbose_name="object type")),
                ("object_id", models.CharField(max_length=64, verbose_name="object id")),
                (
                    "entry",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="subjects",
                        to="audit.auditentry",
                        verbose_name="audit entry",
                    ),
                ),
            ],
            options={
                "verbose_name": "audit subject",
                "verbose_name_plural": "audit subjects",
                "indexes": [
                    models.Index(
                        fields=["object_type", "object_id"], name="audit_subject_object_idx"
                    )
                ],
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.RunPython(
            _triggers({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _triggers({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}),
        ),
    ]
