"""Backups that restore: one archive holding the database and the media, and its restore.

An archive (``jejaring-backup-YYYYmmdd-HHMMSS.tar``, mode 0600) holds:

- ``database.pgdump`` (PostgreSQL, ``pg_dump --format=custom``) or ``database.sqlite3``
  (SQLite, a copy made with the online backup API);
- ``media/…``: every file under MEDIA_ROOT;
- ``manifest.json``, written last: product version, engine, time, the last migration applied
  per app, every table's row count and checksum, the database's triggers, and the size and
  sha256 of the database member and of every media file.

Consistency: the database is copied first, as one snapshot (PostgreSQL: the checksums are
computed in the transaction whose snapshot ``pg_dump --snapshot`` dumps; SQLite: they are
computed on the copy). The media are read afterwards. Uploads write their file before the
row that names it (``collaboration/actions/_common.py``), and no path deletes a file that a
committed row names (an import's file is only deleted when it was refused, before its row
exists), so every file a row in the dump names is in the archive; files uploaded after the
snapshot are extra, never missing.

A restore goes into an empty instance only (``check_target_empty``), verifies the archive
before it touches anything, and afterwards recomputes the checksums and compares them with
the manifest.
"""

from jejaring.core.backups.checksums import (
    database_summary,
    migration_state,
    table_checksums,
    trigger_names,
)
from jejaring.core.backups.common import (
    MANIFEST,
    BackupError,
    copy_connection,
    describe,
    manifest_rows,
)
from jejaring.core.backups.restoring import (
    check_media_member,
    check_target_empty,
    check_versions,
    restore_backup,
    setup_seeded_tables,
    tables_with_data,
)
from jejaring.core.backups.writing import create_backup, prune

__all__ = [
    "MANIFEST",
    "BackupError",
    "check_media_member",
    "check_target_empty",
    "check_versions",
    "copy_connection",
    "create_backup",
    "database_summary",
    "describe",
    "manifest_rows",
    "migration_state",
    "prune",
    "restore_backup",
    "setup_seeded_tables",
    "table_checksums",
    "tables_with_data",
    "trigger_names",
]
