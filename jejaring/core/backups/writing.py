"""`jejaring backup`: one archive of a consistent database snapshot, then the media."""

import hashlib
import io
import json
import os
import re
import sqlite3
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import connection as default_connection
from django.db import transaction
from django.utils.translation import gettext as _

import jejaring
from jejaring.core.backups.checksums import database_summary
from jejaring.core.backups.common import (
    ARCHIVE_FORMAT,
    CHUNK,
    DATABASE_MEMBER,
    MANIFEST,
    MEDIA_PREFIX,
    SAFE_NAME,
    BackupError,
    copy_connection,
    media_files,
    pg_environment,
    pg_program,
    run_pg,
    sha256_file,
)

# --- backup ---------------------------------------------------------------------------------


def _dump_postgresql(conn, target: Path) -> dict:
    """pg_dump of one snapshot, and the summary of that same snapshot."""
    pg_dump = pg_program("pg_dump")
    conn.ensure_connection()
    with transaction.atomic(using=conn.alias), conn.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        (snapshot,) = cursor.fetchone()
        run_pg(
            [pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={target}"],
            pg_environment(conn.settings_dict),
        )
        return database_summary(conn)


def _dump_sqlite(conn, target: Path) -> dict:
    """A copy through the online backup API (consistent while the server writes), and the
    summary computed on the copy."""
    name = Path(conn.settings_dict["NAME"])
    if not name.is_file():  # sqlite3 would create an empty one and back that up
        raise BackupError(_("The database %(path)s does not exist.") % {"path": name})
    source = sqlite3.connect(f"file:{name}?mode=ro", uri=True)
    copy = sqlite3.connect(str(target))
    try:
        source.backup(copy)
    finally:
        copy.close()
        source.close()
    with copy_connection(conn, target) as probe:
        return database_summary(probe)


def _add_media(archive: tarfile.TarFile, root: Path, work: Path) -> dict:
    """Each file read once into a spool while hashed, so a file that grows meanwhile is
    archived as read, with its own size and digest."""
    hashes, total = {}, 0
    for name, path in media_files(root):
        digest = hashlib.sha256()
        with tempfile.SpooledTemporaryFile(max_size=8 * CHUNK, dir=work) as spool:
            try:
                with path.open("rb") as stream:
                    while chunk := stream.read(CHUNK):
                        digest.update(chunk)
                        spool.write(chunk)
            except FileNotFoundError:
                continue  # removed since the walk: no row of the dump names it (see above)
            size = spool.tell()
            spool.seek(0)
            info = tarfile.TarInfo(MEDIA_PREFIX + name)
            info.size, info.mode, info.mtime = size, 0o600, int(path.stat().st_mtime)
            archive.addfile(info, spool)
        hashes[name] = digest.hexdigest()
        total += size
    return {"files": len(hashes), "bytes": total, "sha256": hashes}


def _record_backup(conn, name: str) -> None:
    """An audit row saying the whole registry was copied, written before the snapshot so
    that the backup carries the record of itself (the command line has no user)."""
    from jejaring.audit import log as audit
    from jejaring.audit.models import AuditAction

    if "audit_auditentry" in conn.introspection.table_names():
        audit.record(
            AuditAction.READ,
            acting_user=None,
            object_type="core.backup",
            object_repr=name,
            message="backup: the database and the media files",
        )


def default_name(moment: datetime | None = None) -> str:
    moment = moment or datetime.now(UTC)
    return f"jejaring-backup-{moment:%Y%m%d-%H%M%S}.tar"


def create_backup(output: Path, name: str = "", *, conn=default_connection) -> tuple[Path, dict]:
    """Write one archive into ``output``; return its path and manifest."""
    vendor = conn.vendor
    if vendor not in DATABASE_MEMBER:
        raise BackupError(_("Backups support PostgreSQL and SQLite only."))
    created = datetime.now(UTC)
    name = name or default_name(created)
    if not SAFE_NAME.match(name) or name.startswith("."):
        raise BackupError(_("The backup name must be a plain file name."))
    if output.resolve().is_relative_to(Path(settings.MEDIA_ROOT).resolve()):
        # Each backup would carry the previous ones, and the media would be served by the app.
        raise BackupError(
            _("Write backups outside the media folder %(folder)s.")
            % {"folder": settings.MEDIA_ROOT}
        )
    output.mkdir(parents=True, exist_ok=True)
    final = output / name
    if final.exists():
        raise BackupError(_("%(path)s already exists.") % {"path": final})
    with tempfile.TemporaryDirectory(dir=output, prefix=".jejaring-backup-") as work:
        dump = Path(work, DATABASE_MEMBER[vendor])
        _record_backup(conn, name)
        summary = (_dump_postgresql if vendor == "postgresql" else _dump_sqlite)(conn, dump)
        partial = Path(work, name)
        # 0600 from its creation: the archive holds the whole registry.
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as stream:
            with tarfile.open(fileobj=stream, mode="w", format=tarfile.PAX_FORMAT) as archive:
                info = archive.gettarinfo(str(dump), arcname=dump.name)
                info.mode, info.uname, info.gname = 0o600, "", ""
                with dump.open("rb") as data:
                    archive.addfile(info, data)
                media = _add_media(archive, Path(settings.MEDIA_ROOT), Path(work))
                manifest = {
                    "format": ARCHIVE_FORMAT,
                    "product": "jejaring",
                    "version": jejaring.__version__,
                    "engine": vendor,
                    "created_at": created.isoformat(),
                    "database": {
                        "member": dump.name,
                        "bytes": dump.stat().st_size,
                        "sha256": sha256_file(dump),
                    },
                    **summary,
                    "media": media,
                }
                body = json.dumps(manifest, indent=1, sort_keys=True).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mode, info.mtime = len(body), 0o600, int(created.timestamp())
                archive.addfile(info, io.BytesIO(body))
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(partial, final)
    return final, manifest


ARCHIVE_NAME = re.compile(r"^jejaring-backup-(\d{8})-(\d{6})\.tar$")


def prune(output: Path, *, daily: int = 7, weekly: int = 4, monthly: int = 12) -> list[Path]:
    """Delete the archives `jejaring backup` named in ``output`` that no rule keeps: the
    newest of each of the last ``daily`` days, ``weekly`` ISO weeks and ``monthly`` months
    that have a backup (the rules of restic's and borg's `forget`). Archives named by hand
    (``--name``) are never touched. Returns the deleted paths."""
    dated = []
    for path in output.glob("jejaring-backup-*.tar"):
        match = ARCHIVE_NAME.match(path.name)
        if match:
            moment = datetime.strptime("".join(match.groups()), "%Y%m%d%H%M%S")  # noqa: DTZ007 — UTC by name
            dated.append((moment, path))
    dated.sort(reverse=True)
    keep: set[Path] = set()
    for count, period in (
        (daily, lambda m: m.date()),
        (weekly, lambda m: m.isocalendar()[:2]),
        (monthly, lambda m: (m.year, m.month)),
    ):
        seen = []
        for moment, path in dated:
            key = period(moment)
            if key not in seen:
                if len(seen) == count:
                    break
                seen.append(key)
                keep.add(path)
    deleted = [path for _moment, path in dated if path not in keep]
    for path in deleted:
        path.unlink()
    return deleted
