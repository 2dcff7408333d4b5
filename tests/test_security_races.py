"""Races under a multi-process server (issue 12, finding 6).

The concurrent tests send real requests at the same moment from threads, each with its
own database connection, as gunicorn's workers would. They need PostgreSQL: SQLite lets
one writer in at a time and ignores row locks, so the race cannot happen there. They
are left out of a SQLite run (marker ``postgresql``) and run in the PostgreSQL pass of
``.ci/run``. The tests after them pin the same promises on every database: the constraint exists, a
stale version answers 409 and overwrites nothing.
"""

import contextlib
import datetime
import json
import threading

import pytest
from django.db import IntegrityError, connections, transaction
from django.test import Client
from django.urls import reverse

from jejaring.accounts.actions import issue_token
from jejaring.accounts.models import User
from jejaring.cases import actions as case_actions
from jejaring.cases.models import Case, Referral, ReferralState, ServiceType
from jejaring.core.api_helpers import Inputs
from jejaring.network.models import Organisation
from jejaring.reference.models import PmksCategory
from jejaring.regions.models import Region
from jejaring.registry import actions as registry_actions

SENDER = "petugas.pekanbaru"  # case worker at Dinas Sosial Kota Pekanbaru
RECEIVER = "dukcapil-pekanbaru"  # a government office: no consent needed
MANAGER = "admin"  # may change any organisation
DUPLICATE = "Rujukan ke Dinas Kependudukan dan Pencatatan Sipil Kota Pekanbaru masih menunggu"


def headers(username: str) -> dict:
    token = issue_token(User.objects.get(username=username), acting_user=None)
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def send(method: str, url: str, auth: dict, body: dict):
    return getattr(Client(), method)(
        url, data=json.dumps(body), content_type="application/json", **auth
    )


def open_case(name: str = "Rangga Saputra") -> Case:
    user = User.objects.get(username=SENDER)
    person = registry_actions.create_person(
        {
            "full_name": name,
            "sex": "M",
            "birth_date": datetime.date(2014, 3, 9),
            "region": Region.objects.get(code="14.71.01.1002"),
            "nik": "",
        },
        organisation=user.organisation,
        acting_user=user,
        confirmed_new=True,
    )
    return case_actions.open_case(
        person,
        PmksCategory.objects.get(code="anak_jalanan"),
        organisation=user.organisation,
        acting_user=user,
    )


def at_once(calls):
    """Run each call in its own thread, all released together; each thread's database
    connection is closed when it ends. Returns the results in the calls' order."""
    start = threading.Barrier(len(calls), timeout=30)
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            start.wait()
            results[index] = call()
        except Exception as exc:  # noqa: BLE001 - reported to the test below
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not any(t.is_alive() for t in threads), "a request never finished"
    for result in results:
        if isinstance(result, Exception):
            raise result
    return results


# SQLite serialises writers, so these races run in the PostgreSQL pass of CI only
# (tests/conftest.py leaves them out of a SQLite run instead of skipping them).
postgresql_only = pytest.mark.postgresql


@pytest.fixture
def committed_network(transactional_db):
    """The demo network, committed so that every thread's connection sees it (a
    transactional test starts from whatever the previous one left: maybe nothing)."""
    if not Organisation.objects.filter(code=RECEIVER).exists():
        from tests.conftest import build_network

        build_network()


# --- real concurrent requests (PostgreSQL) -----------------------------------------


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_referrals_make_one(committed_network, monkeypatch):
    case = open_case()
    receiver = Organisation.objects.get(code=RECEIVER)
    auth = [headers(SENDER), headers(SENDER)]
    # Both requests pass the duplicate check before either inserts: the moment at which
    # a multi-process server let both through. Only the unique index can stop this.
    inside = threading.Barrier(2, timeout=5)
    warnings = case_actions.referral_warnings

    def checked_then_wait(*args):
        # A broken barrier: the other request was refused early, nothing to wait for.
        with contextlib.suppress(threading.BrokenBarrierError):
            inside.wait()
        return warnings(*args)

    monkeypatch.setattr(case_actions, "referral_warnings", checked_then_wait)
    body = {"case": case.pk, "to_organisation": receiver.pk, "reason": "Perlu NIK"}
    responses = at_once([lambda a=a: send("post", "/api/v1/referrals/", a, body) for a in auth])
    assert sorted(r.status_code for r in responses) == [201, 422]
    refused = next(r for r in responses if r.status_code == 422).json()["detail"]
    assert refused[0]["field"] == "to_organisation"
    assert refused[0]["msg"].startswith(DUPLICATE)
    assert Referral.objects.filter(from_case=case, to_organisation=receiver).count() == 1


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_organisation_edits_lose_nothing(committed_network):
    target = Organisation.objects.get(code="dinsos-kab-bandung")
    read = target.version
    auth = [headers(MANAGER), headers(MANAGER)]
    url = f"/api/v1/organisations/{target.pk}"
    edits = [{"volunteers": 11, "version": read}, {"beds": 22, "version": read}]
    responses = at_once(
        [lambda a=a, e=e: send("patch", url, a, e) for a, e in zip(auth, edits, strict=True)]
    )
    assert sorted(r.status_code for r in responses) == [200, 409]
    saved = edits[[r.status_code for r in responses].index(200)]
    stale = next(r for r in responses if r.status_code == 409).json()
    assert stale["detail"].startswith("Orang lain sudah lebih dulu menyimpan organisasi ini")
    assert stale["current_version"] == read + 1
    target.refresh_from_db()
    assert target.version == read + 1
    # The refused edit changed nothing; the accepted one is whole.
    assert (target.volunteers == 11) == ("volunteers" in saved)
    assert (target.beds == 22) == ("beds" in saved)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_simultaneous_needs_end_as_one_of_the_lists_sent(committed_network, monkeypatch):
    case = open_case()
    codes = list(ServiceType.objects.order_by("code").values_list("code", flat=True)[:4])
    user = User.objects.get(username=SENDER)
    # Assessed once, so that each round is a plain replacement of the list.
    case_actions.set_needs(case, ServiceType.objects.filter(code=codes[0]), acting_user=user)
    lists = [codes[:2], codes[2:4]]
    # Both requests have read their input and enter the replacement together.
    resolve = Inputs.service_types
    rendezvous = {}

    def resolved_then_wait(self, wanted, field):
        found = resolve(self, wanted, field)
        with contextlib.suppress(threading.BrokenBarrierError):
            rendezvous["barrier"].wait()
        return found

    monkeypatch.setattr(Inputs, "service_types", resolved_then_wait)
    auth = [headers(SENDER), headers(SENDER)]
    url = f"/api/v1/cases/{case.pk}/needs"
    for _round in range(5):
        rendezvous["barrier"] = threading.Barrier(2, timeout=5)
        responses = at_once(
            [
                lambda a=a, w=w: send("put", url, a, {"services": w})
                for a, w in zip(auth, lists, strict=True)
            ]
        )
        assert [r.status_code for r in responses] == [200, 200]
        needs = sorted(Case.objects.get(pk=case.pk).needs.values_list("code", flat=True))
        assert needs in lists, f"a union nobody sent: {needs}"


# --- the same promises on every database --------------------------------------------


@pytest.mark.django_db
def test_open_referrals_are_unique_per_case_and_receiver_in_the_database():
    case = open_case()
    receiver = Organisation.objects.get(code=RECEIVER)
    user = User.objects.get(username=SENDER)
    first = case_actions.send_referral(case, receiver, acting_user=user, reason="Perlu NIK")
    with pytest.raises(IntegrityError), transaction.atomic():
        # Written behind the action's back on purpose: the index alone must refuse it.
        Referral.objects.create(
            person=case.person,
            from_case=case,
            from_organisation=case.organisation,
            to_organisation=receiver,
            direction=first.direction,
            reason="lagi",
        )
    # A closed referral does not count: after a decline the case may refer again.
    case_actions.decline_referral(
        first, "Berkas belum lengkap", acting_user=User.objects.get(username="dukcapil.pekanbaru")
    )
    again = case_actions.send_referral(case, receiver, acting_user=user, reason="Berkas lengkap")
    assert again.state == ReferralState.SENT


@pytest.mark.django_db
def test_a_referral_refused_by_the_index_gets_the_duplicate_message(monkeypatch):
    case = open_case()
    receiver = Organisation.objects.get(code=RECEIVER)
    auth = headers(SENDER)
    body = {"case": case.pk, "to_organisation": receiver.pk, "reason": "Perlu NIK"}
    assert send("post", "/api/v1/referrals/", auth, body).status_code == 201
    # As if a simultaneous request had passed the check: only the index stops it now.
    monkeypatch.setattr(case_actions, "OPEN_REFERRAL_STATES", ())
    refused = send("post", "/api/v1/referrals/", auth, body)
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["msg"].startswith(DUPLICATE)
    assert Referral.objects.filter(from_case=case).count() == 1


@pytest.mark.django_db
def test_accepted_referral_blocks_a_second_one_to_the_same_receiver():
    case = open_case()
    receiver = Organisation.objects.get(code=RECEIVER)
    auth = headers(SENDER)
    body = {"case": case.pk, "to_organisation": receiver.pk, "reason": "Perlu NIK"}
    referral = send("post", "/api/v1/referrals/", auth, body).json()
    accepted = send(
        "post", f"/api/v1/referrals/{referral['id']}/accept", headers("dukcapil.pekanbaru"), {}
    )
    assert accepted.status_code == 200
    refused = send("post", "/api/v1/referrals/", auth, body)
    assert refused.status_code == 422
    assert "sudah menerima rujukan dari kasus ini" in refused.json()["detail"][0]["msg"]


@pytest.mark.django_db
def test_stale_organisation_patch_answers_409_and_overwrites_nothing():
    target = Organisation.objects.get(code="dinsos-kab-bandung")
    auth = headers(MANAGER)
    url = f"/api/v1/organisations/{target.pk}"
    first = send("patch", url, auth, {"volunteers": 41, "version": target.version})
    assert first.status_code == 200 and first.json()["version"] == target.version + 1
    stale = send("patch", url, auth, {"volunteers": 99, "version": target.version})
    assert stale.status_code == 409
    assert stale.json()["detail"].startswith("Orang lain sudah lebih dulu menyimpan organisasi")
    assert stale.json()["current_version"] == target.version + 1
    target.refresh_from_db()
    assert target.volunteers == 41


@pytest.mark.django_db
def test_organisation_patch_without_version_is_refused_clearly():
    target = Organisation.objects.get(code="dinsos-kab-bandung")
    response = send("patch", f"/api/v1/organisations/{target.pk}", headers(MANAGER), {"beds": 3})
    assert response.status_code == 422
    detail = response.json()["detail"][0]
    assert detail["field"] == "version"
    assert detail["msg"].startswith("Kirim versi organisasi yang Anda baca")
    target.refresh_from_db()
    assert target.beds != 3


@pytest.mark.django_db
def test_organisation_edit_page_carries_the_version_and_refuses_a_stale_save(as_user):
    target = Organisation.objects.get(code="dinsos-kab-bandung")
    client = as_user(MANAGER)
    page = client.get(reverse("network:edit", args=[target.pk]))
    form = page.context["form"]
    assert f'name="version" value="{target.version}"' in page.content.decode()
    data = {name: form[name].value() for name in form.fields}
    data = {k: v for k, v in data.items() if v is not None}
    data["service_area"] = ", ".join(r.code for r in target.service_area.all())
    data["pmks_categories"] = [c.pk for c in target.pmks_categories.all()]
    # A colleague saves first.
    send(
        "patch",
        f"/api/v1/organisations/{target.pk}",
        headers(MANAGER),
        {"beds": 7, "version": target.version},
    )
    data["volunteers"] = 123
    response = client.post(reverse("network:edit", args=[target.pk]), data)
    assert response.status_code == 200
    shown = response.content.decode()
    assert "Orang lain menyimpan organisasi ini saat Anda sedang mengubahnya" in shown
    assert f'name="version" value="{target.version + 1}"' in shown
    target.refresh_from_db()
    assert target.beds == 7 and target.volunteers != 123
    # Saving again after comparing goes over the version saved meanwhile.
    data["version"] = target.version
    again = client.post(reverse("network:edit", args=[target.pk]), data)
    assert again.status_code == 302
    target.refresh_from_db()
    assert target.volunteers == 123


@pytest.mark.django_db
def test_stale_case_edits_answer_409():
    case = open_case()
    auth = headers(SENDER)
    code = ServiceType.objects.order_by("code").values_list("code", flat=True).first()
    read = case.version
    first = send(
        "put", f"/api/v1/cases/{case.pk}/needs", auth, {"services": [code], "version": read}
    )
    assert first.status_code == 200 and first.json()["version"] == read + 1
    stale = send("put", f"/api/v1/cases/{case.pk}/needs", auth, {"services": [], "version": read})
    assert stale.status_code == 409
    assert (
        stale.json()["detail"] == "Kasus telah berubah sejak Anda membacanya; baca ulang kasus ini."
    )
    me = User.objects.get(username=SENDER)
    worker = send(
        "put", f"/api/v1/cases/{case.pk}/worker", auth, {"worker": me.pk, "version": read}
    )
    assert worker.status_code == 409
    case.refresh_from_db()
    assert list(case.needs.values_list("code", flat=True)) == [code]
    assert case.assigned_worker is None
