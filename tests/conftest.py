"""Shared fixtures: the demo network on three provinces' regions, and the personas.

The test database is set up once through the real set-up path (regions loader,
reference seeding, the demo command's actions), so tests meet the same data a person
meets after `make run`, limited to Riau (14), DKI Jakarta (31) and Jawa Barat (32).
It is built once and then restored from a snapshot while its sources are unchanged
(tests/demo_db.py), also after a transactional test flushed it.
"""

import fcntl
import inspect
import os
import time
from functools import cache

import pytest
from django.core.management import call_command
from django.test import Client

from jejaring.accounts.actions import issue_token
from jejaring.accounts.models import User
from jejaring.core.demo import DEMO_PASSWORD
from jejaring.network.models import Organisation
from tests import demo_db
from tests.demo_db import set_audit_triggers

TEST_PROVINCES = "14,31,32"
# SQLite keeps the test database in a file, so --reuse-db (the default) reuses it and its
# demo; pytest-xdist appends each worker's id (test.sqlite3_gw0 …).
SQLITE_TEST_DATABASE = demo_db.PROJECT_DIR / "var" / "test.sqlite3"
IN_CI = os.environ.get("CI") == "true"


def pytest_addoption(parser):
    parser.addoption(
        "--run-slow",
        action="store_true",
        help="also run the tests marked slow (left out by default; CI=true runs them)",
    )


def pytest_configure(config):
    _claim_sqlite_test_database(config)
    # Django may already have loaded (and cached) the catalogues while pytest-django set
    # it up; after compiling fresh ones, drop that cache as the dev server's reloader does.
    from jejaring.core.management.commands.setup import compile_messages

    if compile_messages():
        import gettext

        from django.utils.translation import trans_real

        gettext._translations = {}
        trans_real._translations = {}
        trans_real._default = None


# Held open (and locked) for the whole session: the lock is the file's, not the name's.
_database_lock = {}


def _claim_sqlite_test_database(config) -> None:
    """Put a SQLite test database in a file, unless another session holds that file: a
    second run started beside the first gets a database in memory instead of sharing (and
    clobbering) the first one's."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    test = database.setdefault("TEST", {})
    if not database["ENGINE"].endswith("sqlite3") or test.get("NAME"):
        return
    worker = getattr(config, "workerinput", {}).get("workerid")
    if not worker and getattr(config.option, "numprocesses", None):
        return  # pytest-xdist's controller: its workers hold the databases
    name = f"{SQLITE_TEST_DATABASE}_{worker}" if worker else str(SQLITE_TEST_DATABASE)
    SQLITE_TEST_DATABASE.parent.mkdir(parents=True, exist_ok=True)
    lock = open(f"{name}.lock", "w")  # noqa: SIM115 — kept open until the process ends
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.close()
        return
    _database_lock["file"] = lock
    # pytest-django's xdist suffix is appended to this name later.
    test["NAME"] = str(SQLITE_TEST_DATABASE)


def pytest_collection_modifyitems(config, items):
    """Tests marked ``postgresql`` (real concurrent writers, which SQLite serialises) are
    left out of a SQLite run rather than skipped: .ci/run's PostgreSQL pass runs them, so
    nothing that should run is ever reported as skipped in CI.

    Tests marked ``slow`` are left out too unless CI=true, ``--run-slow`` or a ``-m``
    expression that names them: CI runs every one of them."""
    from django.conf import settings

    left_out = set()
    if not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        left_out |= {item for item in items if item.get_closest_marker("postgresql")}
    run_slow = IN_CI or config.getoption("run_slow") or "slow" in config.getoption("markexpr")
    if not run_slow:
        left_out |= {item for item in items if item.get_closest_marker("slow")}
    if left_out:
        config.hook.pytest_deselected(items=[i for i in items if i in left_out])
        items[:] = [i for i in items if i not in left_out]


def _build_demo_from_scratch() -> None:
    from jejaring.core.management.commands.setup import seed_reference_data

    call_command("load_regions", provinces=TEST_PROVINCES, verbosity=0)
    seed_reference_data()
    call_command("demo", verbosity=0)


@cache
def demo_fingerprint() -> str:
    """What the test database's demo is made of: the demo's sources (tests/demo_db.py)
    and this recipe."""
    return demo_db.fingerprint(extra=TEST_PROVINCES + inspect.getsource(_build_demo_from_scratch))


def build_network() -> None:
    """The demo network in the test database: restored from the snapshot the session
    took (a transactional test before this one may have flushed it all), or built."""
    if not demo_db.restore_snapshot(demo_fingerprint()):
        _build_demo_from_scratch()


# Whether any test set the test database up: a run of database-free tests alone (the
# linkage engine's) has none to put the audit triggers back on.
_test_database = {"ready": False}


@pytest.fixture(scope="session")
def django_db_createdb(request, django_db_modify_db_settings, django_db_blocker):
    """A new test database for --create-db, and for a reused one whose demo is stale
    (or missing): the demo is then built on a freshly migrated database, as in CI."""
    with django_db_blocker.unblock():
        stored = demo_db.stored_fingerprint_before_setup()
    return demo_db.needs_new_database(
        create_db=request.config.getvalue("create_db"),
        stored=stored,
        current=demo_fingerprint(),
    )


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    started = time.monotonic()
    with django_db_blocker.unblock():
        how = demo_db.prepare_demo(demo_fingerprint(), build=_build_demo_from_scratch)
    _test_database["ready"] = True
    _test_database["demo"] = f"{how} in {time.monotonic() - started:.1f} s"


@pytest.fixture(scope="module")
def served(django_db_setup, tmp_path_factory):
    """The product served as `make run` serves it (`jejaring serve`, gunicorn, DEBUG off) on
    the test database, from another process; yields its base URL (tests/serving.py). It
    sees only committed data: build what it should show in a transactional test."""
    from tests.serving import serve_test_database

    with serve_test_database(tmp_path_factory.mktemp("served")) as url:
        yield url


def pytest_terminal_summary(terminalreporter):
    if "demo" in _test_database:  # not under xdist: each worker has its own database
        terminalreporter.write_line(f"Demo network: {_test_database['demo']}")


@pytest.fixture
def password(db):
    return DEMO_PASSWORD


def login_client(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


@pytest.fixture
def as_user(db):
    """as_user('petugas.bandung') → a logged-in test client."""
    return login_client


@pytest.fixture
def bearer(db):
    """bearer('petugas.bandung') → headers for an API call with a fresh personal token."""

    def make(username: str) -> dict:
        token = issue_token(User.objects.get(username=username), acting_user=None)
        return {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    return make


@pytest.fixture
def org(db):
    """org('lks-cahaya-rokan') → the demo organisation with that code."""
    return lambda code: Organisation.objects.get(code=code)


# The audit table's append-only triggers (audit migration 0002) make SQLite refuse the
# DELETE FROM with which pytest-django flushes a transactional test's database.
# PostgreSQL flushes with TRUNCATE, which row triggers do not see. So on SQLite the
# triggers are lifted just before each flush and put back before the next test
# (tests/demo_db.py set_audit_triggers: the entries' triggers, 0002, and their subjects', 0003).


def _is_transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    return bool(
        (marker and marker.kwargs.get("transaction"))
        or {"transactional_db", "live_server"} & set(request.fixturenames)
    )


@pytest.fixture(autouse=True)
def _flushable_audit_log(request):
    if not _is_transactional(request):
        yield
        return
    request.getfixturevalue("transactional_db")
    set_audit_triggers(on=True)
    yield
    set_audit_triggers(on=False)


@pytest.fixture(scope="session", autouse=True)
def _audit_log_append_only_at_the_end(django_db_blocker):
    yield
    if not _test_database["ready"]:
        return
    with django_db_blocker.unblock():
        set_audit_triggers(on=True)
