"""The product served by its real server (`jejaring serve`, gunicorn) on the test database,
in a child process: benchmarks/_serving.py's ``production_server`` with the test database,
the test settings' secret key (so a session made in the test process is valid there) and
temporary static and media folders. The ``served`` fixture (tests/conftest.py) uses it.
"""

import contextlib
import os
import sys
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from _serving import make_run_environment, production_server  # noqa: E402

__all__ = ["database_url", "make_run_environment", "serve_test_database"]


def database_url() -> str:
    """The test database, for a server in another process."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        name = str(db["NAME"])
        if "memory" in name or not Path(name).exists():
            # Another local session holds the file database (tests/conftest.py): skipped on
            # a developer's machine, a failure in CI, where nothing may be skipped.
            reason = "the SQLite test database is in memory: another session holds the file"
            pytest.fail(reason) if os.environ.get("CI") == "true" else pytest.skip(reason)
        return f"sqlite:///{Path(name).resolve()}"
    password = urllib.parse.quote(db.get("PASSWORD") or "", safe="")
    auth = f"{db.get('USER') or ''}{':' + password if password else ''}"
    return (
        f"postgres://{auth}@{db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}/{db['NAME']}"
    )


@contextlib.contextmanager
def serve_test_database(
    tmp: Path, *, workers: int = 2, log: Path | None = None, **overrides: str
) -> Iterator[str]:
    """`jejaring serve` on the test database; yields the base URL. ``tmp`` holds the key
    file and the static and media folders; ``overrides`` go into the server's environment."""
    key_file = tmp / "secret_key"
    key_file.write_text(settings.SECRET_KEY)
    environment = {
        "DATABASE_URL": database_url(),
        "SECRET_KEY_FILE": str(key_file),
        "STATIC_ROOT": str(tmp / "static"),
        "MEDIA_ROOT": str(tmp / "media"),
        **overrides,
    }
    with production_server(workers=workers, log=log, **environment) as url:
        yield url
