"""Regression tests from the security review: protected identities stay protected."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from jejaring.audit.models import AuditEntry
from jejaring.cases import actions as case_actions
from jejaring.cases.models import Case
from jejaring.network.models import Organisation
from jejaring.registry.models import Person


def putri():
    """The demo's protected child (a child victim of violence), handled by Dinsos Pekanbaru."""
    return Person.objects.get(full_name="Putri Ayu Lestari")


def api_post(url, headers, body):
    return Client().post(url, data=json.dumps(body), content_type="application/json", **headers)


def test_a_governing_office_cannot_unmask_by_opening_a_case(bearer):
    headers = bearer("dukcapil.pekanbaru")
    response = api_post(
        "/api/v1/cases/", headers, {"person": putri().pk, "category": "anak_terlantar"}
    )
    assert response.status_code == 403
    seen = Client().get(f"/api/v1/persons/{putri().pk}", **headers).json()
    assert seen["identity_protected"] is True


def test_edit_form_is_not_a_back_door_to_the_identity(as_user):
    response = as_user("admin").get(reverse("registry:edit", args=[putri().pk]))
    assert response.status_code == 403
    assert "Putri Ayu" not in response.content.decode()


def test_duplicate_guard_does_not_reveal_protected_people(bearer):
    # Issue 12, finding 5: a hidden match used to answer 409 with `elsewhere: 1`. Now it
    # answers as a wrong guess does (tests/test_security_oracles.py compares the pairs).
    body = {"full_name": "Putri Ayu Lestari", "sex": "F", "birth_date": "2012-07-05"}
    protected = putri()
    response = api_post("/api/v1/persons/", bearer("petugas.bandung"), body)
    assert response.status_code == 201
    payload = response.json()
    assert "elsewhere" not in payload and "candidates" not in payload
    assert "Sukajadi" not in json.dumps(payload)
    probe = AuditEntry.objects.filter(message__startswith="matches").latest("id")
    assert probe.actor_name == "petugas.bandung" and probe.parent_id == str(protected.pk)


def test_nik_clash_does_not_name_the_record(bearer):
    # Issue 12, finding 5: a NIK held by a record the user cannot see used to answer
    # "NIK ini sudah terdaftar"; now only a NIK held by a record the user sees does.
    body = {
        "full_name": "Rizki",
        "sex": "M",
        "birth_date": "2014-03-12",
        "nik": "1471011203140001",
        "confirmed_new": True,
    }
    hidden = api_post("/api/v1/persons/", bearer("petugas.bandung"), body)
    assert hidden.status_code == 201
    seen = api_post("/api/v1/persons/", bearer("dukcapil.pekanbaru"), body)
    message = seen.json()["detail"][0]["msg"]
    assert seen.status_code == 422 and "#" not in message


def test_case_text_is_hidden_where_the_person_is_masked(bearer):
    case = Case.objects.get(person=putri())
    Case.objects.filter(pk=case.pk).update(summary="dipukul ayah tiri")
    dukcapil = bearer("dukcapil.pekanbaru")
    seen = Client().get(f"/api/v1/cases/{case.pk}", **dukcapil).json()
    assert seen["summary"] == ""
    assert Client().get(f"/api/v1/persons/{putri().pk}/timeline", **dukcapil).status_code == 403
    assert Client().get(f"/api/v1/persons/{putri().pk}/consents", **dukcapil).status_code == 403
    own = Client().get(f"/api/v1/cases/{case.pk}", **bearer("petugas.pekanbaru")).json()
    assert own["summary"] == "dipukul ayah tiri"


def test_referral_reason_is_hidden_where_the_person_is_masked(bearer):
    case = Case.objects.get(person=putri())
    referral = case_actions.send_referral(
        case,
        Organisation.objects.get(code="dp3a-pekanbaru"),
        acting_user=None,
        reason="Putri Ayu, korban kekerasan",
    )
    seen = Client().get("/api/v1/referrals/", **bearer("dukcapil.pekanbaru")).json()
    shown = next(r for r in seen["items"] if r["id"] == referral.pk)
    assert shown["reason"] == ""
    receiver = (
        Client().get("/api/v1/referrals/", {"box": "incoming"}, **bearer_for_dp3a(bearer)).json()
    )
    assert receiver["items"][0]["reason"] == "Putri Ayu, korban kekerasan"


def bearer_for_dp3a(bearer):
    from jejaring.accounts.actions import create_user

    create_user(
        username="petugas.dp3a",
        roles=["petugas"],
        password=None,
        acting_user=None,
        organisation=Organisation.objects.get(code="dp3a-pekanbaru"),
    )
    return bearer("petugas.dp3a")


def test_case_and_referral_pages_audit_the_read(as_user):
    case = Case.objects.get(person=putri())
    as_user("dukcapil.pekanbaru").get(reverse("cases:detail", args=[case.pk]))
    entry = AuditEntry.objects.filter(action="read", object_id=str(putri().pk)).latest("id")
    assert entry.actor_name == "dukcapil.pekanbaru" and entry.message == "masked"


def test_export_audit_keeps_no_search_terms(as_user):
    as_user("petugas.pekanbaru").get(reverse("registry:export"), {"q": "Putri Ayu"})
    entry = AuditEntry.objects.filter(message__startswith="export of").latest("id")
    assert "Putri" not in entry.message and "filters: q" in entry.message


@pytest.mark.parametrize("nik", ["147101²203140001", "１４７１０１１２０３１４０００１"])
def test_unicode_digits_in_a_nik_are_a_clear_error(bearer, nik):
    body = {
        "full_name": "Anak",
        "sex": "M",
        "birth_date": "2014-03-12",
        "nik": nik,
        "confirmed_new": True,
    }
    response = api_post("/api/v1/persons/", bearer("petugas.pekanbaru"), body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "nik"


def test_only_offices_ask_for_an_overlap_refresh(bearer):
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.all().delete()  # refreshes queued while the demo was built
    assert api_post("/api/v1/overlaps/refresh", bearer("mitra.lksa"), {}).status_code == 403
    first = api_post("/api/v1/overlaps/refresh", bearer("petugas.pekanbaru"), {})
    assert first.status_code == 202 and first.json()["task"]
    # While one refresh waits for the worker, asking again queues nothing more.
    again = api_post("/api/v1/overlaps/refresh", bearer("petugas.pekanbaru"), {})
    assert again.json()["task"] is None


def test_relatives_outside_scope_are_not_listed(as_user):
    from jejaring.registry import actions

    # The village office governs Kampung Tengah, where Rizky lives, not Putri's village.
    rizky = Person.objects.get(full_name="Mohamad Rizky Saputra")
    actions.link_relative(rizky, putri(), "sibling", acting_user=None)
    page = as_user("kelurahan.kampungtengah").get(reverse("registry:detail", args=[rizky.pk]))
    assert page.status_code == 200
    assert page.context["relatives"] == []
    assert "P. A. L." not in page.content.decode()
