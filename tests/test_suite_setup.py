"""The suite's own set-up: the demo network is reused while its fingerprint holds and
rebuilt when it is stale (tests/demo_db.py)."""

import pytest

from jejaring.network.models import Organisation
from jejaring.regions.models import Region
from tests import demo_db
from tests.conftest import demo_fingerprint

DEMO_ORGANISATION = "dinsos-kab-bandung"


def never_built():
    pytest.fail("the demo was rebuilt although its snapshot is current")


def test_a_current_fingerprint_restores_the_demo_without_building(db):
    Organisation.objects.filter(code=DEMO_ORGANISATION).update(name="Changed by a test")

    assert demo_db.prepare_demo(demo_fingerprint(), build=never_built) == "restored"

    assert Organisation.objects.get(code=DEMO_ORGANISATION).name != "Changed by a test"


def test_a_stale_fingerprint_builds_afresh_and_then_reuses(db):
    built = []
    demo_db.take_snapshot("made from older sources")

    def build():
        built.append(True)
        Region.objects.create(code="99", name="Rebuilt", level="province")

    assert demo_db.prepare_demo(demo_fingerprint(), build=build) == "built"
    assert built == [True]
    # The stale demo was emptied before the build: only what the build made is left.
    assert list(Region.objects.values_list("code", flat=True)) == ["99"]
    assert not Organisation.objects.exists()
    assert demo_db.stored_snapshot()["fingerprint"] == demo_fingerprint()

    Region.objects.all().delete()
    assert demo_db.prepare_demo(demo_fingerprint(), build=never_built) == "restored"
    assert list(Region.objects.values_list("code", flat=True)) == ["99"]


def test_a_stale_or_missing_fingerprint_asks_for_a_new_database():
    assert demo_db.needs_new_database(create_db=False, stored="abc", current="abc") is False
    assert demo_db.needs_new_database(create_db=False, stored="old", current="abc") is True
    assert demo_db.needs_new_database(create_db=False, stored=None, current="abc") is True
    assert demo_db.needs_new_database(create_db=True, stored="abc", current="abc") is True


def test_the_session_stored_the_current_fingerprint(db):
    # What the next session reads before deciding to reuse this database.
    from django.db import connection

    stored = demo_db.stored_fingerprint_before_setup()
    in_memory = connection.vendor == "sqlite" and connection.creation.is_in_memory_db(
        connection.settings_dict["NAME"]
    )
    if in_memory:
        assert stored is None  # nothing outlives an in-memory database
    else:
        assert stored == demo_fingerprint()
    assert demo_db.stored_snapshot()["fingerprint"] == demo_fingerprint()


def write(root, relative, text):
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_the_fingerprint_follows_the_demo_sources_and_nothing_else(tmp_path):
    write(tmp_path, "jejaring/core/demo.py", "USERS = []\n")
    write(tmp_path, "jejaring/cases/migrations/0001_initial.py", "")
    write(tmp_path, "jejaring/cases/views.py", "")
    first = demo_db.fingerprint(root=tmp_path)

    write(tmp_path, "jejaring/cases/views.py", "# a page changed: the demo did not\n")
    assert demo_db.fingerprint(root=tmp_path) == first

    write(tmp_path, "jejaring/cases/migrations/0002_more.py", "")
    with_migration = demo_db.fingerprint(root=tmp_path)
    assert with_migration != first

    write(tmp_path, "jejaring/core/demo.py", "USERS = ['someone']\n")
    assert demo_db.fingerprint(root=tmp_path) != with_migration
    assert demo_db.fingerprint(extra="other provinces", root=tmp_path) != demo_db.fingerprint(
        root=tmp_path
    )


@pytest.mark.django_db(transaction=True)
def test_a_flushed_database_gets_the_demo_back():
    # A transactional test starts from whatever the previous one left: maybe nothing,
    # as after the flush with which pytest-django ends every transactional test.
    from django.core.management import call_command

    from jejaring.accounts.models import User
    from tests.conftest import build_network

    demo_db.set_audit_triggers(on=False)
    call_command("flush", interactive=False, verbosity=0)
    assert not Organisation.objects.exists()

    build_network()

    assert Organisation.objects.filter(code=DEMO_ORGANISATION).exists()
    assert User.objects.filter(username="petugas.bandung").exists()
