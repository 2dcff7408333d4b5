"""Row counts and checksums of every table, the triggers and the migration state: what the
manifest records, the restore verifies and the tests compare."""

import hashlib

from django.db import connection as default_connection

from jejaring.core.backups.common import quote


def _pg_checksum(conn, cursor, table: str, keys: list[str]) -> tuple[int, str]:
    """Row count and sha256 over the md5 of each row's text form, in primary-key order
    (the whole row's text when there is no key), computed by PostgreSQL."""
    order = ", ".join(f"t.{quote(conn, k)}" for k in keys) if keys else "t::text"
    cursor.execute(
        "SELECT count(*), encode(sha256(coalesce(string_agg(decode(md5(t::text), 'hex'), "  # noqa: S608 — names from introspection
        f"''::bytea ORDER BY {order}), ''::bytea)), 'hex') FROM {quote(conn, table)} AS t"
    )
    rows, digest = cursor.fetchone()
    return rows, digest


def _sqlite_checksum(conn, cursor, table: str, keys: list[str]) -> tuple[int, str]:
    """Row count and sha256 over each row's repr, in primary-key order (all columns when
    there is no key)."""
    cursor.execute(f"SELECT * FROM {quote(conn, table)} LIMIT 0")  # noqa: S608
    width = len(cursor.description)
    order = ", ".join(quote(conn, k) for k in keys) or ", ".join(str(i + 1) for i in range(width))
    cursor.execute(f"SELECT * FROM {quote(conn, table)} ORDER BY {order}")  # noqa: S608
    digest, rows = hashlib.sha256(), 0
    while batch := cursor.fetchmany(2000):
        for row in batch:
            digest.update(repr(tuple(row)).encode() + b"\n")
        rows += len(batch)
    return rows, digest.hexdigest()


def table_checksums(conn=default_connection) -> dict[str, dict]:
    """{table: {"rows": n, "sha256": hex}} for every table of the database."""
    checksum = _pg_checksum if conn.vendor == "postgresql" else _sqlite_checksum
    result = {}
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            # The row texts hashed must not depend on the session's settings (inside the
            # backup's transaction these last only until it ends).
            cursor.execute("SET TIME ZONE 'UTC'")
            cursor.execute("SET DateStyle = 'ISO, YMD'")
            cursor.execute("SET extra_float_digits = 1")
        for table in sorted(conn.introspection.table_names(cursor)):
            keys = conn.introspection.get_primary_key_columns(cursor, table) or []
            rows, digest = checksum(conn, cursor, table, keys)
            result[table] = {"rows": rows, "sha256": digest}
    return result


def trigger_names(conn=default_connection) -> list[str]:
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal "
                "AND tgrelid::regclass::text NOT LIKE 'pg\\_%%'"
            )
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        return sorted(row[0] for row in cursor.fetchall())


def migration_state(conn=default_connection) -> dict[str, str]:
    """The last migration applied per app, as django_migrations records it."""
    if "django_migrations" not in conn.introspection.table_names():
        return {}
    with conn.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
        return {app: name for app, name in cursor.fetchall()}


def database_summary(conn=default_connection) -> dict:
    return {
        "migrations": migration_state(conn),
        "tables": table_checksums(conn),
        "triggers": trigger_names(conn),
    }
