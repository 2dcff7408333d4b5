"""What the backup and the restore share: the archive's layout, the error, the PostgreSQL
client programs, a second connection, the media files."""

import contextlib
import hashlib
import os
import re
import shutil
import subprocess
from pathlib import Path

from django.utils.translation import gettext as _

ARCHIVE_FORMAT = 1
MANIFEST = "manifest.json"
DATABASE_MEMBER = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}
MEDIA_PREFIX = "media/"
CHUNK = 1024 * 1024
SAFE_NAME = re.compile(r"^[A-Za-z0-9._-]+$")


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is translated, for the user."""


def quote(conn, name: str) -> str:
    return conn.ops.quote_name(name)


# --- the connection as the PostgreSQL client programs want it -----------------------------


def pg_environment(settings_dict: dict) -> dict[str, str]:
    """libpq's PG* variables for the connection: the password never goes on a command line,
    where `ps` would show it."""
    env = {**os.environ}
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if settings_dict.get(key):
            env[var] = str(settings_dict[key])
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    env["PGDATABASE"] = str(settings_dict["NAME"])
    options = settings_dict.get("OPTIONS") or {}
    for option in ("sslmode", "sslrootcert", "sslcert", "sslkey", "passfile"):
        if options.get(option):
            env[f"PG{option.upper()}"] = str(options[option])
    return env


def pg_program(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(
            _("%(program)s was not found on PATH. Install the PostgreSQL client programs.")
            % {"program": name}
        )
    return found


def run_pg(args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        reason = " ".join(done.stderr.split())[-600:] or str(done.returncode)
        raise BackupError(
            _("%(program)s failed: %(reason)s") % {"program": Path(args[0]).name, "reason": reason}
        )


@contextlib.contextmanager
def copy_connection(conn, name):
    """A Django connection like ``conn`` to another database (a SQLite file, or a
    PostgreSQL database by name)."""
    from django.db.utils import load_backend

    backend = load_backend(conn.settings_dict["ENGINE"])
    probe = backend.DatabaseWrapper({**conn.settings_dict, "NAME": str(name)}, "backup_probe")
    try:
        yield probe
    finally:
        probe.close()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def media_files(root: Path):
    """(relative posix name, path) of every regular file under MEDIA_ROOT, sorted."""
    if not root.is_dir():
        return []
    found = []
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            path = Path(folder, name)
            if path.is_file() and not path.is_symlink():
                found.append((path.relative_to(root).as_posix(), path))
    return found


def manifest_rows(manifest: dict) -> int:
    return sum(t["rows"] for t in manifest["tables"].values())


def describe(manifest: dict) -> dict:
    """The figures a person reads about a backup (no names, no identities)."""
    return {
        "created": manifest["created_at"],
        "version": manifest["version"],
        "engine": manifest["engine"],
        "tables": len(manifest["tables"]),
        "rows": manifest_rows(manifest),
        "files": manifest["media"]["files"],
    }
