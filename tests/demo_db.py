"""The test database's demo network, built once and then restored instead of rebuilt.

Building the demo (regions of three provinces, reference data, the demo command's
actions) is the most expensive part of starting the suite. So, once built, every Django
table is copied into a snapshot table beside it (``_demo_snapshot_<n>``, plain tables that
no model owns, so a transactional test's flush leaves them alone), with a fingerprint of
what the demo is made from in ``_demo_snapshot``. Then:

- a session on a reused database restores the snapshot (a few ``INSERT … SELECT``) when
  the fingerprint still matches, and asks pytest-django for a new database when it does
  not (migrations, models, actions, the demo code or its data changed);
- a transactional test, whose database the previous one flushed, gets the demo back the
  same way (``tests.conftest.build_network``).

Everything here runs on the test database only; nothing is a migration.
"""

import hashlib
import importlib
import json
from pathlib import Path

from django.apps import apps
from django.core.management.color import no_style
from django.db import DatabaseError, connection, transaction
from django.db.utils import load_backend

PROJECT_DIR = Path(__file__).resolve().parents[1]

# What the demo is made from: a change to any of these files makes the stored demo stale.
# The demo is created through the real actions, so their modules count, and the models and
# migrations (the schema). If the demo comes to depend on another module, add it here;
# `--create-db` always builds afresh.
DEMO_SOURCES = (
    "jejaring/**/migrations/*.py",
    "jejaring/**/models.py",
    "jejaring/**/models/*.py",
    "jejaring/**/actions.py",
    "jejaring/**/actions/*.py",
    "jejaring/**/demo.py",
    "jejaring/**/fixtures/*",
    "jejaring/core/management/commands/*.py",
    "jejaring/regions/data/*",
    "jejaring/regions/loader.py",
    "jejaring/reference/loading.py",
    "jejaring/audit/log.py",
    "jejaring/registry/names.py",
    "jejaring/registry/name_rules.toml",
)

META_TABLE = "_demo_snapshot"
SNAPSHOT_PREFIX = "_demo_snapshot_"

# The audit table's append-only triggers (audit migrations 0002 and 0003): on SQLite they
# refuse the DELETE with which a table is emptied, so they are lifted around it.
_TRIGGERS = [
    importlib.import_module(f"jejaring.audit.migrations.{name}")
    for name in ("0002_append_only_triggers", "0003_audit_subjects")
]


def fingerprint(extra: str = "", root: Path = PROJECT_DIR) -> str:
    """A hash of the files the demo is made from (their paths and contents), plus ``extra``
    (the test set-up's own recipe: which provinces, which steps)."""
    digest = hashlib.sha256(extra.encode())
    paths = sorted({path for pattern in DEMO_SOURCES for path in root.glob(pattern)})
    for path in paths:
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def set_audit_triggers(*, on: bool) -> None:
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for triggers in _TRIGGERS:
            for statement in triggers.SQLITE_REVERSE + (triggers.SQLITE if on else []):
                cursor.execute(statement)


def _audit_triggers_on() -> bool:
    if connection.vendor != "sqlite":
        return True
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'audit_%'"
        )
        return cursor.fetchone()[0] > 0


def _django_tables() -> list[str]:
    return sorted(connection.introspection.django_table_names(only_existing=True))


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def stored_snapshot() -> dict | None:
    """The meta row of the test database's snapshot: fingerprint and tables, or None."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SELECT fingerprint, tables FROM {_q(META_TABLE)}")  # noqa: S608
            row = cursor.fetchone()
    except DatabaseError:
        return None
    return {"fingerprint": row[0], "tables": json.loads(row[1])} if row else None


def stored_fingerprint_before_setup(alias: str = "default") -> str | None:
    """The fingerprint stored in the test database that pytest-django is about to reuse,
    read before it sets the database up (so a stale one can be recreated instead), or
    None when there is no such database or no snapshot in it."""
    from django.db import connections

    wrapper = connections[alias]
    test_name = wrapper.creation._get_test_db_name()
    if wrapper.vendor == "sqlite" and (
        wrapper.creation.is_in_memory_db(test_name) or not Path(test_name).exists()
    ):
        return None
    backend = load_backend(wrapper.settings_dict["ENGINE"])
    probe = backend.DatabaseWrapper({**wrapper.settings_dict, "NAME": test_name}, alias)
    try:
        with probe.cursor() as cursor:
            cursor.execute(f"SELECT fingerprint FROM {probe.ops.quote_name(META_TABLE)}")  # noqa: S608
            row = cursor.fetchone()
    except DatabaseError:  # no such database, or no snapshot in it
        return None
    finally:
        probe.close()
    return row[0] if row else None


def _settle_pending_checks(cursor) -> None:
    """PostgreSQL refuses to TRUNCATE a table with deferred foreign-key checks pending in
    the transaction (a test's own writes): run them now."""
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def take_snapshot(current: str) -> None:
    """Copy every Django table into its snapshot table and record ``current``."""
    tables = _django_tables()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {_q(META_TABLE)}")
        for number, table in enumerate(tables):
            snapshot = _q(f"{SNAPSHOT_PREFIX}{number}")
            cursor.execute(f"DROP TABLE IF EXISTS {snapshot}")
            cursor.execute(f"CREATE TABLE {snapshot} AS SELECT * FROM {_q(table)}")  # noqa: S608
        # Written last, in the same transaction: a snapshot is complete or absent.
        cursor.execute(f"CREATE TABLE {_q(META_TABLE)} (fingerprint TEXT, tables TEXT)")
        cursor.execute(
            f"INSERT INTO {_q(META_TABLE)} (fingerprint, tables) VALUES (%s, %s)",  # noqa: S608
            [current, json.dumps(tables)],
        )


def restore_snapshot(current: str) -> bool:
    """Put every Django table back as the snapshot holds it, if the snapshot was taken
    of the demo ``current`` names and of the same tables. False when it cannot."""
    stored = stored_snapshot()
    if stored is None or stored["fingerprint"] != current:
        return False
    tables = stored["tables"]
    if tables != _django_tables():
        return False
    triggers_on = _audit_triggers_on()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _settle_pending_checks(cursor)
            cursor.execute("TRUNCATE " + ", ".join(_q(t) for t in tables))
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # rows go back in any order
        else:
            set_audit_triggers(on=False)
            for table in tables:
                cursor.execute(f"DELETE FROM {_q(table)}")  # noqa: S608
        for number, table in enumerate(tables):
            snapshot = _q(f"{SNAPSHOT_PREFIX}{number}")
            cursor.execute(f"INSERT INTO {_q(table)} SELECT * FROM {snapshot}")  # noqa: S608
        # Sequences past every restored id, whatever a flush did to them.
        models = apps.get_models(include_auto_created=True)
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)
        if triggers_on:
            set_audit_triggers(on=True)
    # Cached content types would point at the rows a flush's post_migrate recreated.
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
    return True


def needs_new_database(*, create_db: bool, stored: str | None, current: str) -> bool:
    """Whether pytest-django must create the test database afresh: asked to, or the one
    it would reuse holds no demo or a demo of other sources."""
    return create_db or stored != current


def prepare_demo(current: str, *, build) -> str:
    """Give the session's test database the demo ``current`` names: restored from its
    snapshot when that is the same demo ("restored"), else built by ``build`` on emptied
    tables and snapshotted ("built")."""
    if restore_snapshot(current):
        set_audit_triggers(on=True)
        return "restored"
    from django.core.management import call_command

    set_audit_triggers(on=False)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            _settle_pending_checks(cursor)
    call_command("flush", interactive=False, verbosity=0)
    set_audit_triggers(on=True)
    build()
    take_snapshot(current)
    return "built"
