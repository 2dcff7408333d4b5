"""Issue 12, finding 5: no answer differs because a record the user cannot see exists.

Each test sends pairs of requests from an outsider — one that matches a record hidden
from them, one wrong guess — and compares what comes back. The hidden record's
handling organisation is told instead, in the background.
"""

import datetime
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from jejaring.accounts.actions import create_user
from jejaring.accounts.models import User
from jejaring.audit.models import AuditEntry
from jejaring.core.models import Notification
from jejaring.core.notifications import render
from jejaring.network.models import Organisation
from jejaring.reference.models import PmksCategory
from jejaring.regions.models import Region
from jejaring.registry import actions
from jejaring.registry.models import Person
from tests.helpers import run_queued_tasks

pytestmark = pytest.mark.django_db

OUTSIDERS = ["petugas.bandung", "mitra.lksa", "dukcapil.pekanbaru"]
# A protected girl registered by Dinsos Kota Pekanbaru, with a NIK (female: day + 40).
SARI_NIK = "1471014904130002"
FRESH_NIK = "1471014904130003"  # the same birth data, a serial nobody holds
RIZKI_NIK = "1471011203140001"  # the demo's boy: not sensitive


def api_post(url, headers, body):
    return Client().post(url, data=json.dumps(body), content_type="application/json", **headers)


def api_patch(url, headers, body):
    return Client().patch(url, data=json.dumps(body), content_type="application/json", **headers)


def putri():
    return Person.objects.get(
        full_name="Putri Ayu Lestari", registered_by__code="dinsos-kota-pekanbaru"
    )


def rizki():
    return Person.objects.get(nik=RIZKI_NIK, nik_shared_with=None)


@pytest.fixture
def sari(db):
    user = User.objects.get(username="petugas.pekanbaru")
    return actions.create_person(
        {
            "full_name": "Sari Wulandari",
            "sex": "F",
            "birth_date": datetime.date(2013, 4, 9),
            "region": Region.objects.get(code="14.71.01.1002"),
            "nik": SARI_NIK,
        },
        organisation=user.organisation,
        acting_user=user,
        categories=list(PmksCategory.objects.filter(code="anak_korban_tindak_kekerasan")),
    )


def hidden_match_entry(person):
    return AuditEntry.objects.get(
        parent_type="registry.person", parent_id=str(person.pk), message__startswith="matches"
    )


def comparable(response, *echoed):
    """Status and body without the new record's id and the fields the pair typed
    differently."""
    body = response.json()
    return response.status_code, {k: v for k, v in body.items() if k not in {"id", *echoed}}


# --- the duplicate guard: name and birth date -----------------------------------------------


@pytest.mark.parametrize("username", OUTSIDERS)
def test_guessing_a_protected_childs_name_and_birth_date_tells_nothing(bearer, username):
    headers = bearer(username)
    body = {"full_name": "Putri Ayu Lestari", "sex": "F", "region": None}
    hit = api_post("/api/v1/persons/", headers, {**body, "birth_date": "2012-07-05"})
    miss = api_post("/api/v1/persons/", headers, {**body, "birth_date": "2008-07-05"})
    assert hit.status_code == miss.status_code == 201, hit.content
    assert comparable(hit, "birth", "birth_date") == comparable(miss, "birth", "birth_date")
    assert "elsewhere" not in hit.json()
    assert Person.objects.get(pk=hit.json()["id"]).nik_shared_with is None  # no NIK involved
    # The probe is audited against the hidden record, for its handlers and legal requests.
    probe = hidden_match_entry(putri())
    assert probe.actor_name == username and probe.object_id == str(hit.json()["id"])


def test_the_guard_lists_and_counts_only_records_the_user_sees(bearer):
    headers = bearer("petugas.bandung")
    body = {"full_name": "Putri Ayu Lestari", "sex": "F", "birth_date": "2012-07-05"}
    own = api_post("/api/v1/persons/", headers, body).json()["id"]
    again = api_post("/api/v1/persons/", headers, body)
    assert again.status_code == 409
    payload = again.json()
    assert set(payload) == {"detail", "candidates"}
    assert [c["id"] for c in payload["candidates"]] == [own]


@pytest.mark.parametrize("username", ["petugas.bandung", "dukcapil.pekanbaru"])
def test_the_registration_page_answers_alike(as_user, username):
    client = as_user(username)
    form = {
        "full_name": "Putri Ayu Lestari",
        "sex": "F",
        "birth_date_precision": "exact",
    }
    hit = client.post(reverse("registry:create"), {**form, "birth_date": "2012-07-05"})
    miss = client.post(reverse("registry:create"), {**form, "birth_date": "2008-07-05"})
    assert hit.status_code == miss.status_code == 302
    for response in (hit, miss):
        page = client.get(response.url)
        assert page.status_code == 200
        assert "Putri Ayu Lestari" in page.content.decode()


# --- NIK uniqueness ---------------------------------------------------------------------------


@pytest.mark.parametrize("username", OUTSIDERS)
def test_a_protected_nik_answers_like_a_fresh_one(sari, bearer, username):
    headers = bearer(username)
    # Confirmed: the first of the pair becomes a candidate the user sees for the second.
    body = {"full_name": "Wulan", "sex": "F", "birth_date": "2013-04-09", "confirmed_new": True}
    hit = api_post("/api/v1/persons/", headers, {**body, "nik": SARI_NIK})
    miss = api_post("/api/v1/persons/", headers, {**body, "nik": FRESH_NIK})
    assert hit.status_code == miss.status_code == 201, hit.content
    assert comparable(hit, "nik") == comparable(miss, "nik")
    created = Person.objects.get(pk=hit.json()["id"])
    assert created.nik == SARI_NIK and created.nik_shared_with == sari
    assert Person.objects.get(pk=miss.json()["id"]).nik_shared_with is None


@pytest.mark.parametrize("username", ["petugas.bandung", "mitra.lksa"])
def test_a_non_sensitive_nik_hidden_from_the_user_answers_like_a_fresh_one(bearer, username):
    headers = bearer(username)
    body = {"full_name": "Rizki", "sex": "M", "birth_date": "2014-03-12", "confirmed_new": True}
    hit = api_post("/api/v1/persons/", headers, {**body, "nik": RIZKI_NIK})
    miss = api_post("/api/v1/persons/", headers, {**body, "nik": "1471011203140009"})
    assert hit.status_code == miss.status_code == 201, hit.content
    assert comparable(hit, "nik") == comparable(miss, "nik")


def test_a_nik_the_user_sees_is_still_refused(bearer):
    # Dukcapil Pekanbaru governs the boy's village and sees his record in full.
    body = {"full_name": "Rizki", "sex": "M", "birth_date": "2014-03-12", "nik": RIZKI_NIK}
    response = api_post("/api/v1/persons/", bearer("dukcapil.pekanbaru"), body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "nik"


def test_editing_in_a_hidden_nik_answers_like_a_fresh_one(sari, bearer):
    headers = bearer("petugas.bandung")
    body = {"full_name": "Wulan", "sex": "F", "birth_date": "2013-04-09"}
    first = api_post("/api/v1/persons/", headers, body).json()["id"]
    second = api_post("/api/v1/persons/", headers, {**body, "confirmed_new": True}).json()["id"]
    hit = api_patch(f"/api/v1/persons/{first}", headers, {"version": 1, "nik": SARI_NIK})
    miss = api_patch(f"/api/v1/persons/{second}", headers, {"version": 1, "nik": FRESH_NIK})
    assert hit.status_code == miss.status_code == 200, hit.content
    assert comparable(hit, "nik") == comparable(miss, "nik")
    assert Person.objects.get(pk=first).nik_shared_with == sari
    # Editing a NIK the user does see is refused, as before.
    clash = api_patch(f"/api/v1/persons/{second}", headers, {"version": 2, "nik": SARI_NIK})
    assert clash.status_code == 422


# --- the handling organisation is told ----------------------------------------------------


def test_the_handling_organisation_is_told_in_the_background(
    sari, bearer, as_user, mailoutbox, django_capture_on_commit_callbacks
):
    handler = create_user(
        username="kasus.pekanbaru",
        organisation=Organisation.objects.get(code="dinsos-kota-pekanbaru"),
        roles=["petugas"],
        password=None,
        acting_user=None,
        email="kasus@example.org",
    )
    body = {"full_name": "Wulan", "sex": "F", "birth_date": "2013-04-09", "nik": SARI_NIK}
    with django_capture_on_commit_callbacks(execute=True):
        response = api_post("/api/v1/persons/", bearer("petugas.bandung"), body)
    assert response.status_code == 201
    # Nothing slow happens in the request: no mail, no notification yet.
    assert mailoutbox == [] and not Notification.objects.filter(kind="registration_match")
    run_queued_tasks()
    told = Notification.objects.filter(kind="registration_match")
    users = {n.user.username for n in told}
    assert {"petugas.pekanbaru", "data.pekanbaru", "kasus.pekanbaru"} <= users
    assert "petugas.bandung" not in users
    notice = told.get(user=handler)
    bandung = Organisation.objects.get(code="dinsos-kab-bandung")
    assert notice.params == {"organisation": bandung.name, "person": sari.pk}
    assert notice.url == reverse("registry:detail", args=[sari.pk])
    title, text = render(notice)
    # The e-mail reading is neutral: no name of the person, the organisation named.
    assert sari.full_name not in title and bandung.name in text
    # Only the handling organisation's own record is named: not what was typed.
    shown = json.dumps(notice.params) + notice.url + title + text
    assert SARI_NIK not in shown and "Wulan" not in shown
    assert str(response.json()["id"]) not in shown
    assert [m.to for m in mailoutbox] == [["kasus@example.org"]]
    entry = hidden_match_entry(sari)
    assert entry.actor_name == "petugas.bandung" and "same NIK" in entry.message
    page = as_user("kasus.pekanbaru").get(reverse("core:notifications")).content.decode()
    assert f"Data {sari.full_name} milik Anda mungkin didaftarkan lagi" in page


def test_nobody_is_told_when_the_new_record_is_itself_protected(bearer):
    body = {
        "full_name": "Rizki",
        "sex": "M",
        "birth_date": "2014-03-12",
        "nik": RIZKI_NIK,
        "categories": ["anak_korban_tindak_kekerasan"],
    }
    response = api_post("/api/v1/persons/", bearer("petugas.bandung"), body)
    assert response.status_code == 201
    run_queued_tasks()
    # Telling Dinsos Pekanbaru would reveal that Bandung serves a protected child.
    assert not Notification.objects.filter(kind="registration_match").exists()
    entry = hidden_match_entry(rizki())
    assert "nobody told" in entry.message


# --- merging a shared NIK -------------------------------------------------------------------


def test_merge_and_undo_keep_both_niks(sari, bearer):
    body = {"full_name": "Wulan", "sex": "F", "birth_date": "2013-04-09", "nik": SARI_NIK}
    other = Person.objects.get(
        pk=api_post("/api/v1/persons/", bearer("petugas.bandung"), body).json()["id"]
    )
    record = actions.merge_persons(other, sari, acting_user=None)
    actions.undo_merge(record, acting_user=None)
    sari.refresh_from_db()
    other.refresh_from_db()
    assert (sari.nik, other.nik) == (SARI_NIK, SARI_NIK)
    assert (sari.nik_shared_with, other.nik_shared_with) == (None, sari)


# --- imports ----------------------------------------------------------------------------


def test_an_import_does_not_reveal_a_hidden_nik(sari, org):
    from jejaring.imports import actions as imports

    importer = create_user(
        username="data.bandung",
        organisation=org("dinsos-kab-bandung"),
        roles=["operator"],
        password=None,
        acting_user=None,
    )
    content = (
        "Nama,NIK,Jenis Kelamin,Tgl Lahir\n"
        f"Wulan Sari,{SARI_NIK},P,09/04/2013\n"
        f"Wulan Dewi,{FRESH_NIK},P,09/04/2013\n"
    ).encode()
    job = imports.upload_file(
        SimpleUploadedFile("wulan.csv", content),
        organisation=importer.organisation,
        acting_user=importer,
    )
    imports.start_check(job, acting_user=importer, background=False)
    job = imports.run_check(job, acting_user=importer)
    assert job.error_rows == 0
    assert not job.problems.filter(column="NIK").exists()
    imports.start_import(job, acting_user=importer, background=False)
    job = imports.run_import(job, acting_user=importer)
    assert job.counts["created"] == 2
    hidden = Person.objects.get(full_name="Wulan Sari")
    assert hidden.nik == SARI_NIK and hidden.nik_shared_with == sari
    assert Person.objects.get(full_name="Wulan Dewi").nik_shared_with is None
    run_queued_tasks()
    notice = Notification.objects.get(kind="registration_match", user__username="petugas.pekanbaru")
    assert notice.params["person"] == sari.pk


def test_the_audit_log_does_not_link_a_probe_to_the_hidden_record(bearer):
    """A network administrator sees the protected record masked; registering its name and
    then reading the audit log must not confirm "the name I typed is record N"."""
    headers = bearer("admin")
    body = {"full_name": "Putri Ayu Lestari", "sex": "F", "birth_date": "2012-07-05"}
    created = api_post("/api/v1/persons/", headers, {**body, "region": None})
    assert created.status_code == 201, created.content
    hidden_pk = str(putri().pk)
    assert hidden_match_entry(putri()).object_id == str(created.json()["id"])  # stored whole

    read = Client().get(
        "/api/v1/audit/",
        {"object_type": "registry.person", "object_id": created.json()["id"]},
        **headers,
    )
    assert read.status_code == 200
    rows = read.json()["items"]
    assert rows, "the registration itself is in the log"
    for row in rows:
        assert row["parent_id"] != hidden_pk
        # "#27" must not be read inside "#275": a whole number.
        assert not re.search(rf"#{hidden_pk}(?!\d)", row["message"] + row["object_repr"])
