"""The field page's sync (issue 16): every draft a phone sends is applied exactly once
through the online forms' actions, whatever the signal does; a likely duplicate waits
for the worker's choice; refusals say why, in Indonesian."""

from __future__ import annotations

import json
import uuid

import pytest
from django.test import Client

from jejaring.accounts.models import User
from jejaring.audit.models import AuditEntry
from jejaring.cases.models import Case, Service
from jejaring.field.models import SyncedDraft
from jejaring.registry.models import Person

pytestmark = pytest.mark.django_db

OFFICER = "kelurahan.kampungtengah"
KAMPUNG_TENGAH = "14.71.01.1003"


def sync(headers, *drafts):
    response = Client().post(
        "/api/v1/field/sync",
        json.dumps({"drafts": list(drafts)}),
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 200, response.content
    return response.json()["results"]


def registration(name="Wak Samsudin", **changes):
    payload = {
        "full_name": name,
        "sex": "M",
        "birth_date": "1956-08-17",
        "region": KAMPUNG_TENGAH,
        "rt": "2",
        "rw": "1",
    }
    return {"key": str(uuid.uuid4()), "kind": "register_person", "payload": {**payload, **changes}}


def test_a_registration_is_applied_once_however_often_it_is_sent(bearer):
    headers = bearer(OFFICER)
    draft = registration()
    first = sync(headers, draft)[0]
    assert first["state"] == "applied" and not first["same_person"]
    person = Person.objects.get(pk=first["person"])
    assert (person.full_name, person.rt, person.registered_by.code) == (
        "Wak Samsudin",
        "002",
        "kelurahan-kampung-tengah",
    )
    # The phone never saw the answer and sends it again, twice.
    again = sync(headers, draft, draft)
    assert [r["person"] for r in again] == [person.pk, person.pk]
    assert all(r["repeated"] for r in again)
    assert Person.objects.filter(full_name="Wak Samsudin").count() == 1
    created = AuditEntry.objects.filter(
        object_type="registry.person", object_id=str(person.pk), action="create"
    )
    assert created.count() == 1


def test_a_likely_duplicate_waits_for_the_workers_choice(bearer):
    headers = bearer(OFFICER)
    variant = registration(
        "Mohamad Risky Saputra", birth_date="2014-03-12", rt="", rw=""
    )  # the demo's Mohamad Rizky Saputra
    before = Person.objects.count()
    waiting = sync(headers, variant)[0]
    assert waiting["state"] == "needs_choice"
    candidate = next(c for c in waiting["candidates"] if c["name"] == "Mohamad Rizky Saputra")
    assert Person.objects.count() == before
    # The worker recognises him: nothing is created, the draft is that person.
    same = sync(headers, {**variant, "choice": {"same": candidate["id"]}})[0]
    assert same == {
        "state": "applied",
        "person": candidate["id"],
        "same_person": True,
        "key": variant["key"],
    }
    assert Person.objects.count() == before
    assert sync(headers, {**variant, "choice": "new"})[0]["repeated"]  # final: no second person
    assert Person.objects.count() == before


def test_a_worker_who_says_new_person_registers_one(bearer):
    headers = bearer(OFFICER)
    variant = registration("Mohamad Risky Saputra", birth_date="2014-03-12")
    assert sync(headers, variant)[0]["state"] == "needs_choice"
    made = sync(headers, {**variant, "choice": "new"})[0]
    assert made["state"] == "applied"
    assert Person.objects.filter(full_name="Mohamad Risky Saputra").count() == 1


def test_a_service_is_recorded_once_on_a_case_opened_for_it(bearer):
    headers = bearer(OFFICER)
    person = Person.objects.get(full_name="Mohamad Rizky Saputra")
    draft = {
        "key": str(uuid.uuid4()),
        "kind": "record_service",
        "payload": {
            "person": person.pk,
            "service_type": "permakanan",
            "delivered_on": "2026-12-01",
        },
    }
    refused = sync(headers, draft)[0]
    assert refused["state"] == "refused"
    assert "pilih kategori" in refused["errors"]["category"][0]
    # Refused is final for that key: the phone saves the corrected draft under a new one.
    assert sync(headers, draft)[0]["repeated"]
    fixed = {**draft, "key": str(uuid.uuid4())}
    fixed["payload"] = {**draft["payload"], "category": "anak_jalanan", "quantity": 2}
    done = sync(headers, fixed)[0]
    assert done["state"] == "applied"
    service = Service.objects.get(pk=done["service"])
    assert (service.quantity, service.case.organisation.code) == (2, "kelurahan-kampung-tengah")
    sync(headers, fixed)
    assert Service.objects.filter(case__pk=done["case"]).count() == 1
    # The next service goes on the same open case.
    second = {**fixed, "key": str(uuid.uuid4())}
    assert sync(headers, second)[0]["case"] == done["case"]
    assert (
        Case.objects.filter(person=person, organisation__code="kelurahan-kampung-tengah").count()
        == 1
    )


def test_bad_drafts_are_refused_field_by_field_and_never_a_500(bearer):
    headers = bearer(OFFICER)
    results = sync(
        headers,
        registration(sex="X"),
        registration(rt="tiga"),
        registration(region="99.99.99.9999"),
        {"key": "not-a-uuid", "kind": "register_person", "payload": {}},
        {"key": str(uuid.uuid4()), "kind": "delete_everything", "payload": {}},
        {
            "key": str(uuid.uuid4()),
            "kind": "record_service",
            "payload": {
                "person": 10**9,
                "service_type": "permakanan",
                "delivered_on": "2026-12-01",
            },
        },
    )
    assert [r["state"] for r in results] == ["refused"] * 6
    assert "sex" in results[0]["errors"]
    assert "RT harus berupa angka" in results[1]["errors"]["rt"][0]
    assert "region" in results[2]["errors"]
    too_many = Client().post(
        "/api/v1/field/sync",
        json.dumps({"drafts": [registration() for _ in range(11)]}),
        content_type="application/json",
        **headers,
    )
    assert too_many.status_code == 422


def test_a_person_out_of_sight_is_refused_like_a_missing_one(bearer):
    protected = Person.objects.get(full_name="Putri Ayu Lestari")
    draft = {
        "key": str(uuid.uuid4()),
        "kind": "record_service",
        "payload": {
            "person": protected.pk,
            "service_type": "permakanan",
            "delivered_on": "2026-12-01",
        },
    }
    missing = {**draft, "key": str(uuid.uuid4())}
    missing["payload"] = {**draft["payload"], "person": 10**9}
    hidden, absent = sync(bearer(OFFICER), draft, missing)
    assert hidden["errors"] == absent["errors"]


def test_keys_are_each_users_own(bearer):
    draft = registration("Siti Aminah")
    sync(bearer(OFFICER), draft)
    other = sync(bearer("petugas.pekanbaru"), draft)[0]
    # Another user's draft of its own (here the guard sees the officer's new record).
    assert other["state"] == "needs_choice" and "repeated" not in other
    assert SyncedDraft.objects.filter(key=draft["key"]).count() == 2


def test_the_draft_key_is_the_users_alone_and_never_cached(bearer):
    first = Client().get("/api/v1/field/key", **bearer(OFFICER))
    again = Client().get("/api/v1/field/key", **bearer(OFFICER))
    other = Client().get("/api/v1/field/key", **bearer("petugas.pekanbaru"))
    assert first["Cache-Control"] == "no-store"
    assert first.json() == again.json() != other.json()
    assert Client().get("/api/v1/field/key").status_code == 401


def test_the_area_people_are_the_village_and_audited(bearer):
    body = Client().get("/api/v1/field/people", **bearer(OFFICER))
    assert body["Cache-Control"] == "no-store"
    names = [p["name"] for p in body.json()["people"]]
    assert "Mohamad Rizky Saputra" in names
    assert "Muhammad Rizki" not in names  # another village
    assert all("(dilindungi)" not in n for n in names)
    officer = User.objects.get(username=OFFICER)
    row = AuditEntry.objects.filter(actor=officer, message__startswith="field page").latest("pk")
    assert row.action == "read"


def test_the_field_page_its_worker_and_manifest(as_user):
    client = as_user(OFFICER)
    page = client.get("/lapangan/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'rel="manifest"' in html and "Kerja lapangan" in html
    worker = client.get("/lapangan/sw.js")
    assert worker["Content-Type"].startswith("text/javascript")
    assert worker["Service-Worker-Allowed"] == "/lapangan/"
    body = worker.content.decode()
    assert "const VERSION" in body and "/api/v1/field/reference" in body
    assert "/api/v1/field/people" not in body and "/api/v1/field/key" not in body
    manifest = Client().get("/lapangan/manifest.webmanifest").json()
    assert manifest["start_url"] == "/lapangan/" and manifest["display"] == "standalone"
    assert {i["sizes"] for i in manifest["icons"]} >= {"192x192", "512x512"}
    assert Client().get("/lapangan/").status_code == 302  # to the login page


def test_a_change_made_offline_waits_with_both_versions_when_the_record_moved_on(bearer):
    from jejaring.registry import actions as registry_actions

    headers = bearer(OFFICER)
    person = Person.objects.get(full_name="Mohamad Rizky Saputra")
    read_version = person.version
    # Meanwhile, at the office, someone changes the phone number.
    registry_actions.update_person(
        person,
        {"phone": "0811 1111 2222"},
        expected_version=read_version,
        acting_user=User.objects.get(username="petugas.pekanbaru"),
    )
    draft = {
        "key": str(uuid.uuid4()),
        "kind": "update_person",
        "payload": {
            "person": person.pk,
            "version": read_version,
            "phone": "0812 3333 4444",
            "rt": "4",
        },
    }
    waiting = sync(headers, draft)[0]
    assert waiting["state"] == "conflict"
    assert {f["field"]: (f["mine"], f["theirs"]) for f in waiting["fields"]} == {
        "phone": ("0812 3333 4444", "0811 1111 2222"),
        "rt": ("4", ""),
    }
    person.refresh_from_db()
    assert person.phone == "0811 1111 2222"  # nothing overwritten
    kept = sync(headers, {**draft, "choice": {"overwrite": waiting["current_version"]}})[0]
    assert kept["state"] == "applied"
    person.refresh_from_db()
    assert (person.phone, person.rt) == ("0812 3333 4444", "004")
    assert sync(headers, draft)[0]["repeated"]


def test_attendance_taken_offline_is_recorded_by_whoever_runs_the_meeting(bearer):
    from jejaring.collaboration.models import Meeting

    meeting = Meeting.objects.filter(participants__isnull=False).order_by("pk").first()
    runners = [
        u
        for u in User.objects.filter(is_active=True)
        if Meeting.objects.restrict(u, "change").filter(pk=meeting.pk).exists()
    ]
    assert runners, "the demo has a meeting someone runs"
    invited = list(meeting.participants.values_list("organisation_id", flat=True))
    draft = {
        "key": str(uuid.uuid4()),
        "kind": "attendance",
        "payload": {
            "meeting": meeting.pk,
            "attendance": [{"organisation": invited[0], "names": "Bu Sari, Pak Darto"}],
        },
    }
    from jejaring.core import clock

    if meeting.starts_at > clock.now():
        Meeting.objects.filter(pk=meeting.pk).update(starts_at=clock.now())
    done = sync(bearer(runners[0].username), draft)[0]
    assert done["state"] == "applied", done
    row = meeting.participants.get(organisation_id=invited[0])
    assert (row.attended, row.attendee_names) == (True, "Bu Sari, Pak Darto")
    outsider = sync(bearer("petugas.bandung"), {**draft, "key": str(uuid.uuid4())})[0]
    assert outsider["state"] == "refused"
    stranger = {**draft, "key": str(uuid.uuid4())}
    stranger["payload"] = {"meeting": meeting.pk, "attendance": [{"organisation": 10**9}]}
    assert "attendance" in sync(bearer(runners[0].username), stranger)[0]["errors"]


def test_a_service_for_a_person_registered_in_a_draft_waits_for_that_registration(bearer):
    headers = bearer(OFFICER)
    child = registration("Mohamad Risky Saputra", birth_date="2014-03-12")  # a likely duplicate
    food = {
        "key": str(uuid.uuid4()),
        "kind": "record_service",
        "payload": {
            "person_draft": child["key"],
            "service_type": "permakanan",
            "delivered_on": "2026-12-01",
            "category": "anak_jalanan",
        },
    }
    # The service alone first (the phone sent it before the registration): it waits.
    assert sync(headers, food)[0]["state"] == "waiting"
    registered, served = sync(headers, child, food)
    assert registered["state"] == "needs_choice"
    assert served["state"] == "waiting"  # the worker has not chosen yet
    assert Service.objects.filter(case__organisation__code="kelurahan-kampung-tengah").count() == 0
    chosen = registered["candidates"][0]["id"]
    settled, served = sync(headers, {**child, "choice": {"same": chosen}}, food)
    assert (settled["state"], settled["person"]) == ("applied", chosen)
    assert served["state"] == "applied"
    assert Service.objects.get(pk=served["service"]).person_id == chosen
    again = sync(headers, food)[0]
    assert again["repeated"] and again["service"] == served["service"]


def test_a_service_for_a_refused_registration_is_refused_and_one_needs_a_person(bearer):
    headers = bearer(OFFICER)
    bad = registration(sex="X")
    assert sync(headers, bad)[0]["state"] == "refused"
    food = {
        "key": str(uuid.uuid4()),
        "kind": "record_service",
        "payload": {
            "person_draft": bad["key"],
            "service_type": "permakanan",
            "delivered_on": "2026-12-01",
        },
    }
    refused = sync(headers, food)[0]
    assert refused["state"] == "refused" and "person_draft" in refused["errors"]
    nobody = {**food, "key": str(uuid.uuid4())}
    nobody["payload"] = {"service_type": "permakanan", "delivered_on": "2026-12-01"}
    assert sync(headers, nobody)[0]["state"] == "refused"
