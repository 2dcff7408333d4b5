"""Shared fixtures: the demo network on three provinces' regions, and the personas.

The test database is set up once through the real set-up path (regions loader,
reference seeding, the demo command's actions), so tests meet the same data a person
meets after `make run`, limited to Riau (14), DKI Jakarta (31) and Jawa Barat (32).
"""

import importlib

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client

from jejaring.accounts.actions import issue_token
from jejaring.accounts.models import User
from jejaring.core.demo import DEMO_PASSWORD
from jejaring.network.models import Organisation

TEST_PROVINCES = "14,31,32"


def pytest_configure(config):
    # Django may already have loaded (and cached) the catalogues while pytest-django set
    # it up; after compiling fresh ones, drop that cache as the dev server's reloader does.
    from jejaring.core.management.commands.setup import compile_messages

    if compile_messages():
        import gettext

        from django.utils.translation import trans_real

        gettext._translations = {}
        trans_real._translations = {}
        trans_real._default = None


def pytest_collection_modifyitems(config, items):
    """Tests marked ``postgresql`` (real concurrent writers, which SQLite serialises) are
    left out of a SQLite run rather than skipped: .ci/run's PostgreSQL pass runs them, so
    nothing that should run is ever reported as skipped in CI."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    kept = [item for item in items if item.get_closest_marker("postgresql") is None]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[i for i in items if i not in kept])
        items[:] = kept


def build_network() -> None:
    from jejaring.core.management.commands.setup import seed_reference_data

    call_command("load_regions", provinces=TEST_PROVINCES, verbosity=0)
    seed_reference_data()
    call_command("demo", verbosity=0)


# Whether any test set the test database up: a run of database-free tests alone (the
# linkage engine's) has none to put the audit triggers back on.
_test_database = {"ready": False}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        build_network()
    _test_database["ready"] = True


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
# triggers are lifted just before each flush and put back before the next test.
# The entries' triggers (0002) and their subjects' (0003).
_TRIGGERS = [
    importlib.import_module(f"jejaring.audit.migrations.{name}")
    for name in ("0002_append_only_triggers", "0003_audit_subjects")
]


def set_audit_triggers(*, on: bool) -> None:
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for triggers in _TRIGGERS:
            for statement in triggers.SQLITE_REVERSE + (triggers.SQLITE if on else []):
                cursor.execute(statement)


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
