"""Shared fixtures: the demo network on three provinces' regions, and the personas.

The test database is set up once through the real set-up path (regions loader,
reference seeding, the demo command's actions), so tests meet the same data a person
meets after `make run`, limited to Riau (14), DKI Jakarta (31) and Jawa Barat (32).
"""

import pytest
from django.core.management import call_command
from django.test import Client

from jejaring.accounts.actions import issue_token
from jejaring.accounts.models import User
from jejaring.core.demo import DEMO_PASSWORD
from jejaring.network.models import Organisation

TEST_PROVINCES = "14,31,32"


def pytest_configure(config):
    # Before any test loads a translation catalogue: catalogues are cached per process.
    from jejaring.core.management.commands.setup import compile_messages

    compile_messages()


def build_network() -> None:
    from jejaring.core.management.commands.setup import seed_reference_data

    call_command("load_regions", provinces=TEST_PROVINCES, verbosity=0)
    seed_reference_data()
    call_command("demo", verbosity=0)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        build_network()


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
