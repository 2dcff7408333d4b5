"""Overlap detection: two agencies handling one person unaware of each other."""

import json

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from jejaring.accounts.models import User
from jejaring.cases import actions
from jejaring.cases.models import Case, OverlapAlert
from jejaring.cases.overlap import refresh_overlaps, refresh_overlaps_task
from jejaring.network.models import Organisation
from jejaring.reference.models import PmksCategory
from jejaring.registry.models import Person


def rizki():
    return Person.objects.get(full_name="Muhammad Rizki")


def second_case(org_code="satpol-pp-pekanbaru", username=None):
    """Satpol PP picks up the same boy in a raid and opens its own case."""
    organisation = Organisation.objects.get(code=org_code)
    user = User.objects.get(username=username) if username else None
    return actions.open_case(
        rizki(),
        PmksCategory.objects.get(code="anak_jalanan"),
        organisation=organisation,
        acting_user=user,
    )


def test_unconnected_cases_raise_an_overlap_and_a_referral_resolves_it(db):
    second_case()
    assert refresh_overlaps()["created"] == 1
    alert = OverlapAlert.objects.get(person=rizki(), resolved_at__isnull=True)
    assert {o.code for o in alert.organisations.all()} == {
        "dinsos-kota-pekanbaru",
        "satpol-pp-pekanbaru",
    }
    dinsos_case = Case.objects.get(person=rizki(), organisation__code="dinsos-kota-pekanbaru")
    actions.send_referral(
        dinsos_case,
        Organisation.objects.get(code="satpol-pp-pekanbaru"),
        acting_user=None,
        reason="koordinasi penjangkauan",
    )
    assert refresh_overlaps()["resolved"] == 1
    alert.refresh_from_db()
    assert alert.resolved_at is not None


def test_closed_cases_do_not_overlap(db):
    case = second_case()
    actions.transition_case(case, "closed", acting_user=None, closing_reason="moved_away")
    assert refresh_overlaps()["open"] == 0


def test_overlap_is_visible_to_the_involved_and_governing_only(db, bearer, as_user):
    second_case()
    refresh_overlaps()
    for username, count in [
        ("petugas.pekanbaru", 1),
        ("dukcapil.pekanbaru", 1),
        ("mitra.lksa", 0),
        ("petugas.bandung", 0),
    ]:
        body = Client().get("/api/v1/overlaps/", **bearer(username)).json()
        assert body["count"] == count, username
    page = as_user("petugas.pekanbaru").get(reverse("cases:overlaps"))
    assert len(page.context["alerts"]) == 1


def test_start_coordination_opens_a_shared_thread(db, bearer):
    second_case()
    refresh_overlaps()
    alert = OverlapAlert.objects.get(resolved_at__isnull=True)
    started = Client().post(
        f"/api/v1/overlaps/{alert.pk}/conference", **bearer("petugas.pekanbaru")
    )
    conference_id = started.json()["conference"]
    note = Client().post(
        f"/api/v1/conferences/{conference_id}/notes",
        data=json.dumps({"text": "Dinsos memimpin; Satpol PP merujuk."}),
        content_type="application/json",
        **bearer("petugas.pekanbaru"),
    )
    assert note.status_code == 201
    # Satpol PP, the other party, reads the thread; a Bandung office cannot.
    satpol = User.objects.create(
        username="satpol.pekanbaru",
        organisation=Organisation.objects.get(code="satpol-pp-pekanbaru"),
    )
    satpol.roles.create(role="petugas")
    seen = Client().get(f"/api/v1/conferences/{conference_id}", **bearer("satpol.pekanbaru"))
    assert seen.json()["notes"][0]["text"] == "Dinsos memimpin; Satpol PP merujuk."
    assert (
        Client()
        .get(f"/api/v1/conferences/{conference_id}", **bearer("petugas.bandung"))
        .status_code
        == 404
    )


@pytest.mark.django_db(transaction=True)
def test_background_worker_refreshes_after_a_change():
    from tests.conftest import build_network

    build_network()
    # Opening the case enqueues a refresh on commit; the database-backed worker runs it.
    second_case()
    assert not OverlapAlert.objects.exists()
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    assert OverlapAlert.objects.filter(person=rizki(), resolved_at__isnull=True).exists()
    result = refresh_overlaps_task.enqueue()
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    result.refresh()
    assert result.return_value == {"open": 1, "created": 0, "resolved": 0}
