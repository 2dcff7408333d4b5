"""`jejaring restore`: check the archive and the target, load, compare with the manifest."""

import hashlib
import io
import json
import os
import sqlite3
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.db import connection as default_connection
from django.db import transaction
from django.utils.translation import gettext as _

from jejaring.core.backups.checksums import table_checksums, trigger_names
from jejaring.core.backups.common import (
    ARCHIVE_FORMAT,
    CHUNK,
    MANIFEST,
    MEDIA_PREFIX,
    BackupError,
    media_files,
    pg_environment,
    pg_program,
    quote,
    run_pg,
    sha256_file,
)

# Tables that `jejaring migrate` and `jejaring setup` fill by themselves: a database with rows
# in these only is still "empty" for a restore (its contents are replaced).
DJANGO_SEEDED = {"django_migrations", "django_content_type", "auth_permission"}
# What a running instance writes before anyone uses it (the worker's heartbeat and queue,
# sessions, sign-in attempts): replaced by the backup's too, and nothing of it is lost.
OPERATIONAL_APPS = ("django_tasks_database", "sessions", "axes")
OPERATIONAL_MODELS = ("core.WorkerHeartbeat",)


@dataclass
class Restored:
    manifest: dict
    media_files: int
    problems: list[str]


# --- reading an archive -----------------------------------------------------------------


def _unreadable(path: Path, reason: str) -> BackupError:
    return BackupError(
        _("%(path)s is not a readable Jejaring backup (%(reason)s). Nothing was changed.")
        % {"path": path, "reason": reason}
    )


def check_media_member(member: tarfile.TarInfo, root: Path) -> Path:
    """Where a media member goes: a regular file strictly inside MEDIA_ROOT, or a refusal
    (absolute names, ``..``, links and devices never leave the archive)."""
    name = member.name
    relative = PurePosixPath(name[len(MEDIA_PREFIX) :])
    if (
        not name.startswith(MEDIA_PREFIX)
        or not member.isfile()
        or relative.is_absolute()
        or not relative.parts
        or any(part in {"", ".", ".."} for part in relative.parts)
        or "\\" in name
        or "\x00" in name
    ):
        raise BackupError(
            _("The backup holds a file that would land outside the media folder: %(name)s")
            % {"name": name}
        )
    target = (root / Path(*relative.parts)).resolve()
    if not target.is_relative_to(root.resolve()):
        raise BackupError(
            _("The backup holds a file that would land outside the media folder: %(name)s")
            % {"name": name}
        )
    return target


def _copy_member(archive: tarfile.TarFile, member: tarfile.TarInfo, target) -> str:
    """Copy a member's bytes into ``target`` (a binary stream), returning their sha256."""
    digest = hashlib.sha256()
    source = archive.extractfile(member)
    while chunk := source.read(CHUNK):
        digest.update(chunk)
        target.write(chunk)
    return digest.hexdigest()


def open_archive(path: Path, work: Path) -> tuple[dict, Path, list[tarfile.TarInfo]]:
    """Read and verify the whole archive: the manifest, the database member (extracted into
    ``work``) and every media member against its digest. Raises BackupError for anything
    truncated, corrupted or out of place, before anything is restored."""
    if not path.is_file():
        raise _unreadable(path, _("no such file"))
    try:
        with tarfile.open(path, mode="r:") as archive:
            members = archive.getmembers()
            by_name = {m.name: m for m in members}
            if MANIFEST not in by_name:
                raise _unreadable(path, _("no manifest; the file may be truncated"))
            manifest = json.loads(archive.extractfile(by_name[MANIFEST]).read())
            if manifest.get("product") != "jejaring" or manifest.get("format") != ARCHIVE_FORMAT:
                raise _unreadable(path, _("unknown archive format"))
            database = manifest["database"]
            member = by_name.get(database["member"])
            if member is None:
                raise _unreadable(path, _("the database is missing"))
            dump = work / database["member"]
            with dump.open("wb") as target:
                digest = _copy_member(archive, member, target)
            if digest != database["sha256"]:
                raise _unreadable(path, _("the database does not match its checksum"))
            media = [m for m in members if m.name.startswith(MEDIA_PREFIX)]
            expected = manifest["media"]["sha256"]
            for item in media:
                check_media_member(item, Path(settings.MEDIA_ROOT))
                name = item.name[len(MEDIA_PREFIX) :]
                if _copy_member(archive, item, io.BytesIO()) != expected.get(name):
                    raise _unreadable(
                        path,
                        _("a media file does not match its checksum: %(name)s") % {"name": name},
                    )
            if {m.name[len(MEDIA_PREFIX) :] for m in media} != set(expected):
                raise _unreadable(path, _("media files are missing"))
            others = set(by_name) - {MANIFEST, database["member"]} - {m.name for m in media}
            if others:
                raise _unreadable(
                    path, _("unexpected members: %(names)s") % {"names": ", ".join(sorted(others))}
                )
    except BackupError:
        raise
    except (tarfile.TarError, EOFError, OSError, ValueError, KeyError, TypeError) as exc:
        raise _unreadable(path, " ".join(str(exc).split()) or exc.__class__.__name__) from exc
    return manifest, dump, media


# --- restore ------------------------------------------------------------------------------


def setup_seeded_tables() -> set[str]:
    """Tables whose rows `migrate` and `setup` create: Django's own, the regions, and the
    reference data seeded from fixtures (with their many-to-many tables); and what a
    running, unused instance writes (``OPERATIONAL_APPS``)."""
    from jejaring.core.management.commands.setup import REFERENCE_FIXTURES

    labels = set()
    for fixture in REFERENCE_FIXTURES:
        text = Path(settings.BASE_DIR, fixture).read_text(encoding="utf-8")
        labels |= {item["model"] for item in json.loads(text)}
    models = [apps.get_model(label) for label in labels]
    models += list(apps.get_app_config("regions").get_models())
    for label in OPERATIONAL_APPS:
        if label in apps.app_configs:
            models += list(apps.get_app_config(label).get_models())
    for label in OPERATIONAL_MODELS:
        try:
            models.append(apps.get_model(label))
        except LookupError:
            continue
    tables = set(DJANGO_SEEDED)
    for model in models:
        tables.add(model._meta.db_table)
        tables |= {f.remote_field.through._meta.db_table for f in model._meta.local_many_to_many}
    return tables


def tables_with_data(conn=default_connection) -> list[str]:
    """Tables holding rows that neither `migrate` nor `setup` put there."""
    seeded = setup_seeded_tables()
    found = []
    with conn.cursor() as cursor:
        for table in sorted(conn.introspection.table_names(cursor)):
            if table in seeded:
                continue
            cursor.execute(f"SELECT 1 FROM {quote(conn, table)} LIMIT 1")  # noqa: S608
            if cursor.fetchone():
                found.append(table)
    return found


def check_target_empty(conn=default_connection) -> None:
    """A restore goes only into a database that holds nothing but what `migrate`/`setup`
    create, and an empty media folder: it never merges into, or replaces, real data."""
    if conn.vendor == "sqlite" and not Path(conn.settings_dict["NAME"]).exists():
        full = []
    else:
        full = tables_with_data(conn)
    if full:
        raise BackupError(
            _(
                "The database already holds data (%(count)d tables with rows, e.g. %(tables)s). "
                "A backup is restored only into an empty database: a new one, or one that only "
                "`jejaring migrate` or `jejaring setup` has filled. Nothing was changed."
            )
            % {"count": len(full), "tables": ", ".join(full[:3])}
        )
    media = media_files(Path(settings.MEDIA_ROOT))
    if media:
        raise BackupError(
            _(
                "The media folder %(folder)s already holds %(count)d files. A backup is "
                "restored only into an empty media folder. Nothing was changed."
            )
            % {"folder": settings.MEDIA_ROOT, "count": len(media)}
        )


def check_versions(manifest: dict) -> None:
    """Refuse a backup made by a newer Jejaring (migrations this code does not know): the
    code would not match its tables. An older backup is fine; `jejaring migrate` upgrades it."""
    from django.db.migrations.loader import MigrationLoader

    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    unknown = sorted(
        f"{a}.{n}" for a, n in manifest.get("migrations", {}).items() if (a, n) not in known
    )
    if unknown:
        raise BackupError(
            _(
                "The backup was made by a newer Jejaring (%(version)s; migrations unknown here: "
                "%(migrations)s). Install that version, then restore. Nothing was changed."
            )
            % {"version": manifest.get("version"), "migrations": ", ".join(unknown[:5])}
        )


def _clear_postgresql(conn) -> None:
    """Drop what `migrate`/`setup` created (checked to hold no data) so the dump is restored
    into a bare schema, whatever migrations the two sides have."""
    with transaction.atomic(using=conn.alias), conn.cursor() as cursor:
        cursor.execute(
            "SELECT format('DROP %s IF EXISTS %I.%I CASCADE', "
            "CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' "
            "ELSE 'TABLE' END, n.nspname, c.relname) "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm')"
        )
        statements = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "SELECT format('DROP %s IF EXISTS %s CASCADE', "
            "CASE p.prokind WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END, p.oid::regprocedure) "
            "FROM pg_proc p WHERE p.pronamespace = current_schema()::regnamespace "
            "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')"
        )
        statements += [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "SELECT format('DROP SEQUENCE IF EXISTS %I.%I CASCADE', n.nspname, c.relname) "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind = 'S'"
        )
        statements += [row[0] for row in cursor.fetchall()]
        for statement in statements:
            cursor.execute(statement)


def _restore_postgresql(conn, dump: Path) -> None:
    pg_restore = pg_program("pg_restore")
    if conn.introspection.table_names():
        _clear_postgresql(conn)
    conn.close()
    env = pg_environment(conn.settings_dict)
    run_pg(
        [
            pg_restore,
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={conn.settings_dict['NAME']}",
            str(dump),
        ],
        env,
    )


def _restore_sqlite(conn, dump: Path) -> None:
    target = Path(conn.settings_dict["NAME"])
    target.parent.mkdir(parents=True, exist_ok=True)
    conn.close()
    source = sqlite3.connect(str(dump))
    destination = sqlite3.connect(str(target))
    try:
        source.backup(destination)
    finally:
        destination.close()
        source.close()


def _extract_media(archive_path: Path, media: list[tarfile.TarInfo]) -> int:
    root = Path(settings.MEDIA_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    names = {m.name for m in media}
    with tarfile.open(archive_path, mode="r:") as archive:
        for member in archive:
            if member.name not in names:
                continue
            target = check_media_member(member, root)
            target.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as stream:
                _copy_member(archive, member, stream)
    return len(media)


def compare(manifest: dict, conn=default_connection) -> list[str]:
    """What differs between the restored database and media and the manifest."""
    problems = []
    restored = table_checksums(conn)
    for table, expected in sorted(manifest["tables"].items()):
        got = restored.get(table)
        if got is None:
            problems.append(_("table %(table)s is missing") % {"table": table})
        elif got != expected:
            problems.append(
                _(
                    "table %(table)s: %(got)d rows (checksum %(got_sum)s), "
                    "backup %(rows)d rows (checksum %(sum)s)"
                )
                % {
                    "table": table,
                    "got": got["rows"],
                    "got_sum": got["sha256"][:12],
                    "rows": expected["rows"],
                    "sum": expected["sha256"][:12],
                }
            )
    missing = sorted(set(manifest["triggers"]) - set(trigger_names(conn)))
    if missing:
        problems.append(_("triggers missing: %(names)s") % {"names": ", ".join(missing)})
    root = Path(settings.MEDIA_ROOT)
    for name, digest in sorted(manifest["media"]["sha256"].items()):
        path = root / name
        if not path.is_file() or sha256_file(path) != digest:
            problems.append(_("media file %(name)s differs") % {"name": name})
    return problems


def restore_backup(path: Path, *, conn=default_connection, confirm=None) -> Restored:
    """Verify the archive, check the target is empty, restore, then compare with the
    manifest. ``confirm(manifest)`` may still say no after the checks."""
    # The work folder beside the target keeps a large SQLite copy off a small /tmp.
    work_parent = Path(conn.settings_dict["NAME"]).parent if conn.vendor == "sqlite" else None
    if work_parent:
        work_parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=work_parent, prefix=".jejaring-restore-") as work:
        manifest, dump, media = open_archive(path, Path(work))
        if manifest["engine"] != conn.vendor:
            raise BackupError(
                _(
                    "The backup is of a %(backup)s database and this instance uses %(here)s; "
                    "restore it into the same engine. Nothing was changed."
                )
                % {"backup": manifest["engine"], "here": conn.vendor}
            )
        check_versions(manifest)
        check_target_empty(conn)
        if confirm is not None and not confirm(manifest):
            raise BackupError(_("Restore cancelled. Nothing was changed."))
        if conn.vendor == "postgresql":
            _restore_postgresql(conn, dump)
        else:
            _restore_sqlite(conn, dump)
    extracted = _extract_media(path, media) if media else 0
    return Restored(manifest=manifest, media_files=extracted, problems=compare(manifest, conn))
