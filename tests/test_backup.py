"""`jejaring backup` and `jejaring restore`: a populated instance backed up, restored into
another one, and found the same — every table's rows and checksum, the media byte for
byte, the audit log's append-only triggers still refusing (issue 18, point 3).

Both commands run as real child processes of .venv/bin/jejaring on the committed test
database; the same file runs on SQLite (`make test`) and on PostgreSQL (the PG pass), where
the other instance is a database created here and dropped afterwards.
"""

import hashlib
import io
import json
import os
import stat
import subprocess
import tarfile
import urllib.parse
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection

from jejaring.accounts.models import User
from jejaring.audit.models import AuditEntry
from jejaring.core import backups
from jejaring.registry.actions import set_photo
from jejaring.registry.models import Person
from tests.conftest import IN_CI, build_network

ROOT = Path(__file__).resolve().parents[1]
JEJARING = ROOT / ".venv" / "bin" / "jejaring"
AUDIT_TABLES = ("audit_auditentry", "audit_auditsubject")


def database_url(name: str | None = None) -> str:
    """The test database (or another on the same server) for a command in another process."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        path = Path(name or db["NAME"])
        if name is None and ("memory" in str(path) or not path.exists()):
            # Another session holds the file (tests/conftest.py); CI runs one session.
            reason = "the SQLite test database is in memory: another session holds the file"
            pytest.fail(reason) if IN_CI else pytest.skip(reason)
        return f"sqlite:///{path.resolve()}"
    password = urllib.parse.quote(db.get("PASSWORD") or "", safe="")
    auth = f"{db.get('USER') or ''}{':' + password if password else ''}"
    host = f"{db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}"
    return f"postgres://{auth}@{host}/{name or db['NAME']}"


def jejaring(*args: str, database: str, media: Path) -> subprocess.CompletedProcess:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(ROOT),
        "SECRET_KEY": "backup-test-secret",
        "DATABASE_URL": database,
        "MEDIA_ROOT": str(media),
    }
    return subprocess.run(  # noqa: S603 — the product's own entry point
        [str(JEJARING), *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300
    )


def media_contents(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def populated(transactional_db, media):
    """The demo network, committed, with a photo set through the real action (a media file
    and audit rows) and a binary file under a nested folder."""
    build_network()
    worker = User.objects.get(username="petugas.pekanbaru")
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40
    for person in Person.objects.order_by("pk")[:2]:
        set_photo(person, SimpleUploadedFile("foto.png", png), acting_user=worker)
    nested = media / "imports" / "2026" / "12"
    nested.mkdir(parents=True)
    (nested / "data.bin").write_bytes(bytes(range(256)) * 3 + b"\x00\xff")
    return media


@pytest.fixture
def archive(populated, tmp_path) -> Path:
    done = jejaring(
        "backup", "--output", str(tmp_path / "out"), database=database_url(), media=populated
    )
    assert done.returncode == 0, done.stderr
    (path,) = (tmp_path / "out").glob("jejaring-backup-*.tar")
    assert str(path) in done.stdout
    return path


@pytest.fixture
def other_instance(tmp_path, transactional_db):
    """(DATABASE_URL, name) of an empty instance: a new SQLite file, or a new database on
    the same PostgreSQL server, dropped afterwards."""
    if connection.vendor == "sqlite":
        name = str(tmp_path / "restored.sqlite3")
        yield database_url(name), name
        return
    name = f"test_restore_{os.getpid()}"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        cursor.execute(f"CREATE DATABASE {name}")
    yield database_url(name), name
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def read_manifest(path: Path) -> dict:
    with tarfile.open(path) as tar:
        return json.loads(tar.extractfile(backups.MANIFEST).read())


def rebuilt(archive: Path, target: Path, change_manifest) -> Path:
    """The archive with its manifest changed by ``change_manifest`` (the members' own
    checksums left as they are, so only the check after the restore can tell)."""
    with tarfile.open(archive) as source, tarfile.open(target, "w") as out:
        manifest = json.loads(source.extractfile(backups.MANIFEST).read())
        for member in source.getmembers():
            if member.name != backups.MANIFEST:
                out.addfile(member, source.extractfile(member))
        change_manifest(manifest)
        body = json.dumps(manifest).encode()
        info = tarfile.TarInfo(backups.MANIFEST)
        info.size = len(body)
        out.addfile(info, io.BytesIO(body))
    return target


def test_backup_restores_every_table_the_media_and_the_audit_triggers(
    archive, other_instance, tmp_path
):
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    source = backups.table_checksums(connection)
    assert source["registry_person"]["rows"] > 0
    assert all(source[table]["rows"] > 0 for table in AUDIT_TABLES)
    manifest = read_manifest(archive)
    assert manifest["engine"] == connection.vendor
    assert manifest["tables"] == source
    assert manifest["media"]["files"] == 3
    assert manifest["migrations"]["audit"].startswith("0003")
    backed_up = AuditEntry.objects.get(object_type="core.backup", object_repr=archive.name)
    assert backed_up.actor_id is None  # the command line, in the backup itself

    url, name = other_instance
    restored_media = tmp_path / "restored-media"
    done = jejaring("restore", str(archive), "--yes", database=url, media=restored_media)
    assert done.returncode == 0, done.stderr
    assert "Terverifikasi" in done.stdout

    with backups.copy_connection(connection, name) as restored:
        assert backups.table_checksums(restored) == source
        assert set(source) == set(connection.introspection.table_names())
        triggers = backups.trigger_names(restored)
        assert triggers == backups.trigger_names(connection) == manifest["triggers"]
        for table in AUDIT_TABLES:
            assert any(name.startswith(table) for name in triggers), table
        for table in AUDIT_TABLES:
            with restored.cursor() as cursor:
                cursor.execute(f"SELECT min(id) FROM {table}")  # noqa: S608
                (first,) = cursor.fetchone()
                with pytest.raises(DatabaseError, match="append-only"):
                    cursor.execute(f"UPDATE {table} SET object_id = 'x' WHERE id = %s", [first])  # noqa: S608
            with restored.cursor() as cursor, pytest.raises(DatabaseError, match="append-only"):
                cursor.execute(f"DELETE FROM {table} WHERE id = %s", [first])  # noqa: S608
        assert backups.table_checksums(restored) == source
    assert media_contents(restored_media) == media_contents(Path(settings.MEDIA_ROOT))
    assert len(media_contents(restored_media)) == 3


def test_restore_into_a_database_with_data_is_refused_and_changes_nothing(archive, tmp_path):
    before = backups.table_checksums(connection)
    done = jejaring(
        "restore", str(archive), "--yes", database=database_url(), media=tmp_path / "empty"
    )
    assert done.returncode != 0
    assert "sudah berisi data" in done.stderr
    assert "Traceback" not in done.stderr
    assert backups.table_checksums(connection) == before
    assert not (tmp_path / "empty").exists()


def test_restore_into_a_media_folder_with_files_is_refused(archive, other_instance):
    url, name = other_instance
    done = jejaring("restore", str(archive), "--yes", database=url, media=settings.MEDIA_ROOT)
    assert done.returncode != 0
    assert "folder media" in done.stderr
    assert "Traceback" not in done.stderr
    with backups.copy_connection(connection, name) as target:
        assert target.introspection.table_names() == []


def test_a_truncated_or_corrupted_archive_is_refused_clearly(archive, tmp_path):
    before = backups.table_checksums(connection)
    data = archive.read_bytes()
    truncated = tmp_path / "truncated.tar"
    truncated.write_bytes(data[: len(data) // 2])
    flipped = bytearray(data)
    flipped[2048] ^= 0xFF  # inside the database member, which comes first
    corrupted = tmp_path / "corrupted.tar"
    corrupted.write_bytes(bytes(flipped))
    garbage = tmp_path / "garbage.tar"
    garbage.write_bytes(b"not a backup at all\n" * 10)
    for path, reason in (
        (truncated, ""),
        (corrupted, "checksum"),
        (garbage, ""),
        (tmp_path / "missing.tar", ""),
    ):
        done = jejaring(
            "restore", str(path), "--yes", database=database_url(), media=tmp_path / "m"
        )
        assert done.returncode != 0, path
        assert "bukan cadangan Jejaring yang dapat dibaca" in done.stderr, done.stderr
        assert reason in done.stderr
        assert "Traceback" not in done.stderr
    assert backups.table_checksums(connection) == before


def test_a_media_member_outside_the_media_folder_is_refused(archive, other_instance, tmp_path):
    """An archive rebuilt with a `media/../…` member and a manifest that vouches for it."""
    payload = b"outside"

    def smuggle(manifest):
        manifest["media"]["sha256"]["../escaped.txt"] = hashlib.sha256(payload).hexdigest()

    evil = rebuilt(archive, tmp_path / "evil.tar", smuggle)
    with tarfile.open(evil, "a") as out:
        info = tarfile.TarInfo("media/../escaped.txt")
        info.size = len(payload)
        out.addfile(info, io.BytesIO(payload))
    url, name = other_instance
    restored_media = tmp_path / "restored-media"
    done = jejaring("restore", str(evil), "--yes", database=url, media=restored_media)
    assert done.returncode != 0
    assert "di luar folder media" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "escaped.txt").exists()
    assert not restored_media.exists()


def test_what_migrate_and_setup_seed_is_not_data(transactional_db, media):
    build_network()
    assert "registry_person" in backups.tables_with_data(connection)
    seeded = backups.setup_seeded_tables()
    assert {"django_migrations", "regions_region", "reference_pmkscategory"} <= seeded
    assert not seeded & {"registry_person", "network_organisation", "audit_auditentry"}


@pytest.mark.slow
def test_restore_over_a_database_that_jejaring_migrate_made(archive, other_instance, tmp_path):
    url, name = other_instance
    migrated = jejaring("migrate", database=url, media=tmp_path / "m")
    assert migrated.returncode == 0, migrated.stderr
    done = jejaring("restore", str(archive), "--yes", database=url, media=tmp_path / "m")
    assert done.returncode == 0, done.stderr
    with backups.copy_connection(connection, name) as restored:
        assert backups.table_checksums(restored) == backups.table_checksums(connection)


def test_prune_keeps_7_daily_4_weekly_12_monthly_and_names_given_by_hand(tmp_path):
    start = datetime(2026, 12, 2, 1, 30)
    names = [f"jejaring-backup-{start - timedelta(days=d):%Y%m%d-%H%M%S}.tar" for d in range(400)]
    names.append(f"jejaring-backup-{start:%Y%m%d}-120000.tar")  # a second one today
    for name in [*names, "before-upgrade.tar"]:
        (tmp_path / name).write_bytes(b"")
    deleted = backups.prune(tmp_path)
    kept = sorted(p.name for p in tmp_path.iterdir())
    assert len(deleted) + len(kept) == len(names) + 1
    assert "before-upgrade.tar" in kept
    assert "jejaring-backup-20261202-120000.tar" in kept  # the newest of today
    assert "jejaring-backup-20261202-013000.tar" not in kept
    daily = [f"jejaring-backup-{start - timedelta(days=d):%Y%m%d-%H%M%S}.tar" for d in range(1, 7)]
    assert set(daily) <= set(kept)
    # Newest of each of 4 weeks and 12 months, some already kept as daily ones.
    assert "jejaring-backup-20261122-013000.tar" in kept  # Sunday ending ISO week 47
    assert "jejaring-backup-20260131-013000.tar" in kept  # January's newest
    assert "jejaring-backup-20251231-013000.tar" not in kept  # a 13th month
    assert len(kept) <= 1 + 7 + 4 + 12
    assert backups.prune(tmp_path) == []


def test_a_restore_that_does_not_match_its_manifest_fails_loudly(archive, other_instance, tmp_path):
    def claim_another_person(manifest):
        manifest["tables"]["registry_person"]["rows"] += 1

    wrong = rebuilt(archive, tmp_path / "wrong.tar", claim_another_person)
    url, _name = other_instance
    done = jejaring("restore", str(wrong), "--yes", database=url, media=tmp_path / "restored")
    assert done.returncode != 0
    assert "DATA YANG DIPULIHKAN TIDAK SAMA DENGAN CADANGAN" in done.stderr
    assert "registry_person" in done.stderr
    assert "Terverifikasi" not in done.stdout
    assert "Traceback" not in done.stderr


def test_a_backup_from_a_newer_jejaring_is_refused():
    with pytest.raises(backups.BackupError, match="0999_from_the_future"):
        backups.check_versions({"version": "9.0", "migrations": {"audit": "0999_from_the_future"}})
    backups.check_versions({"migrations": {"audit": "0003_audit_subjects"}})
