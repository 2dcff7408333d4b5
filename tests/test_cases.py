"""Cases, services and referrals along the tiered service — the Riau paper's path."""

import datetime
import json

import pytest
from django.test import Client
from django.utils import timezone

from jejaring.cases.models import Case
from jejaring.network.models import Organisation


class Api:
    """An API client acting as one demo user, with a personal token."""

    def __init__(self, headers):
        self.headers = headers

    def get(self, url, **params):
        return Client().get(url, params, **self.headers)

    def post(self, url, body=None):
        return Client().post(
            url, data=json.dumps(body or {}), content_type="application/json", **self.headers
        )

    def put(self, url, body):
        return Client().put(
            url, data=json.dumps(body), content_type="application/json", **self.headers
        )


@pytest.fixture
def api(bearer):
    return lambda username: Api(bearer(username))


def org_id(code):
    return Organisation.objects.get(code=code).pk


TODAY = timezone.localdate().isoformat()


def refer(sender, case_id, to_code, reason="rujukan"):
    response = sender.post(
        "/api/v1/referrals/",
        {"case": case_id, "to_organisation": org_id(to_code), "reason": reason},
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_street_child_path_from_village_to_panti_and_home(api):
    village, dinsos = api("kelurahan.kampungtengah"), api("petugas.pekanbaru")
    dukcapil, panti, bandung = api("dukcapil.pekanbaru"), api("panti.riau"), api("petugas.bandung")

    # 1. The village officer reports a street child found at a market.
    person = village.post(
        "/api/v1/persons/",
        {
            "full_name": "Dimas Arya",
            "sex": "M",
            "birth_date": "2013-05-04",
            "birth_date_precision": "estimated",
            "region": "14.71.01.1003",
            "categories": ["anak_jalanan"],
            "aliases": ["Ucok Pasar"],
            "confirmed_new": True,
        },
    ).json()
    report = village.post(
        "/api/v1/cases/", {"person": person["id"], "category": "anak_jalanan", "state": "reported"}
    ).json()
    up = refer(village, report["id"], "dinsos-kota-pekanbaru", "anak jalanan di pasar")
    assert up["direction"] == "up"

    # 2. Dinas Sosial Kota Pekanbaru accepts and registers the child.
    accepted = dinsos.post(f"/api/v1/referrals/{up['id']}/accept").json()
    case_id = accepted["receiver_case"]
    dinsos.put(f"/api/v1/cases/{case_id}/needs", {"services": ["fasilitasi_nik", "permakanan"]})

    # 3. Sideways to Dukcapil for a NIK: accepted, service recorded, completed.
    to_dukcapil = refer(dinsos, case_id, "dukcapil-pekanbaru", "belum punya NIK")
    assert to_dukcapil["direction"] == "sideways"
    dukcapil_case = dukcapil.post(f"/api/v1/referrals/{to_dukcapil['id']}/accept").json()
    service = dukcapil.post(
        f"/api/v1/cases/{dukcapil_case['receiver_case']}/services",
        {"service_type": "fasilitasi_nik", "delivered_on": TODAY},
    )
    assert service.status_code == 201, service.content
    assert dukcapil.post(f"/api/v1/referrals/{to_dukcapil['id']}/complete").json()["state"] == (
        "completed"
    )

    # 4. Up to the provincial panti, accepted; the panti records services, then closes.
    to_panti = refer(dinsos, case_id, "upt-psaa-riau", "perlu pengasuhan dalam panti")
    assert to_panti["direction"] == "up"
    panti_case = panti.post(f"/api/v1/referrals/{to_panti['id']}/accept").json()["receiver_case"]
    for code in ("permakanan", "bimbingan_sosial", "reunifikasi_keluarga"):
        done = panti.post(
            f"/api/v1/cases/{panti_case}/services", {"service_type": code, "delivered_on": TODAY}
        )
        assert done.status_code == 201, done.content
    version = panti.get(f"/api/v1/cases/{panti_case}").json()["version"]
    closed = panti.post(
        f"/api/v1/cases/{panti_case}/transition",
        {"state": "closed", "version": version, "closing_reason": "reunified"},
    )
    assert closed.json()["state"] == "closed"

    # 5. Each party sees the whole timeline; a Bandung user sees nothing of it.
    for party in (village, dinsos, dukcapil, panti):
        events = party.get(f"/api/v1/persons/{person['id']}/timeline").json()
        texts = " | ".join(e["text"] for e in events)
        assert "Fasilitasi pembuatan NIK" in texts
        assert "Reunifikasi keluarga" in texts
        assert "bersatu kembali dengan keluarga" in texts.lower() or "Reunified" in texts
    assert bandung.get(f"/api/v1/persons/{person['id']}/timeline").status_code == 404
    assert bandung.get(f"/api/v1/cases/{panti_case}").status_code == 404
    assert bandung.get("/api/v1/referrals/").json()["count"] == 0


def test_referral_receiver_sees_person_only_while_open(api):
    dinsos, lksa = api("petugas.pekanbaru"), api("mitra.lksa")
    person = dinsos.post(
        "/api/v1/persons/",
        {
            "full_name": "Rahma Sari",
            "sex": "F",
            "birth_date": "2016-02-02",
            "confirmed_new": True,
            "region": "14.71.01.1002",
        },
    ).json()
    case = dinsos.post(
        "/api/v1/cases/", {"person": person["id"], "category": "anak_terlantar"}
    ).json()
    assert lksa.get(f"/api/v1/persons/{person['id']}").status_code == 404
    # A partner needs recorded consent first (UU 27/2022).
    refused = dinsos.post(
        "/api/v1/referrals/",
        {
            "case": case["id"],
            "reason": "pengasuhan",
            "to_organisation": org_id("lksa-harapan-bunda"),
        },
    )
    assert refused.status_code == 422
    assert "persetujuan" in refused.json()["detail"][0]["msg"]
    consent = dinsos.post(
        f"/api/v1/persons/{person['id']}/consents",
        {
            "given_by_name": "Ibu Rahma",
            "given_by": "parent",
            "scope": "berbagi dengan LKSA",
            "given_on": TODAY,
        },
    )
    assert consent.status_code == 201
    referral = refer(dinsos, case["id"], "lksa-harapan-bunda", "pengasuhan")
    assert lksa.get(f"/api/v1/persons/{person['id']}").status_code == 200
    declined = lksa.post(f"/api/v1/referrals/{referral['id']}/decline", {"reason": "penuh"})
    assert declined.json()["state"] == "declined"
    assert lksa.get(f"/api/v1/persons/{person['id']}").status_code == 404


@pytest.mark.parametrize(
    ("body_change", "field"),
    [
        ({"to_organisation": "self"}, "to_organisation"),
        ({"reason": "   "}, "reason"),
        ({"deadline": "2000-01-01"}, "deadline"),
    ],
)
def test_bad_referrals_are_refused(api, body_change, field):
    dinsos = api("petugas.pekanbaru")
    case = Case.objects.filter(organisation__code="dinsos-kota-pekanbaru").first()
    body = {"case": case.pk, "to_organisation": org_id("dukcapil-pekanbaru"), "reason": "x x"}
    body.update(body_change)
    if body["to_organisation"] == "self":
        body["to_organisation"] = org_id("dinsos-kota-pekanbaru")
    response = dinsos.post("/api/v1/referrals/", body)
    assert response.status_code == 422, response.content
    assert response.json()["detail"][0]["field"] == field


def test_closed_case_receives_no_services_and_future_dates_are_refused(api):
    dinsos = api("petugas.pekanbaru")
    case = Case.objects.filter(organisation__code="dinsos-kota-pekanbaru").first()
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    response = dinsos.post(
        f"/api/v1/cases/{case.pk}/services", {"service_type": "permakanan", "delivered_on": future}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "delivered_on"
    dinsos.post(
        f"/api/v1/cases/{case.pk}/transition",
        {"state": "closed", "version": case.version, "closing_reason": "independent"},
    )
    response = dinsos.post(
        f"/api/v1/cases/{case.pk}/services", {"service_type": "permakanan", "delivered_on": TODAY}
    )
    assert response.status_code == 422
    assert "ditutup" in response.json()["detail"][0]["msg"]


def test_case_transition_rules_and_optimistic_locking(api):
    dinsos = api("petugas.pekanbaru")
    case = Case.objects.filter(organisation__code="dinsos-kota-pekanbaru").first()
    backwards = dinsos.post(
        f"/api/v1/cases/{case.pk}/transition", {"state": "reported", "version": case.version}
    )
    assert backwards.status_code == 422
    no_reason = dinsos.post(
        f"/api/v1/cases/{case.pk}/transition", {"state": "closed", "version": case.version}
    )
    assert no_reason.json()["detail"][0]["field"] == "closing_reason"
    stale = dinsos.post(
        f"/api/v1/cases/{case.pk}/transition", {"state": "assessed", "version": case.version + 5}
    )
    assert stale.status_code == 409


def test_suggested_receivers_follow_the_leading_sector_table(api):
    dinsos = api("petugas.pekanbaru")
    case = Case.objects.filter(
        organisation__code="dinsos-kota-pekanbaru", category__code="anak_jalanan"
    ).first()
    names = [s["name"] for s in dinsos.get(f"/api/v1/cases/{case.pk}/suggested-receivers").json()]
    assert "Satpol PP Kota Pekanbaru" in names
    assert "UPT Pelayanan Sosial Asuhan Anak Provinsi Riau" in names
    assert "Dinas Sosial Kota Pekanbaru" not in names


def test_referral_warns_when_skipping_a_level_or_category(api):
    village = api("kelurahan.kampungtengah")
    person = village.post(
        "/api/v1/persons/", {"full_name": "Joni", "sex": "M", "confirmed_new": True}
    ).json()
    case = village.post(
        "/api/v1/cases/", {"person": person["id"], "category": "pemulung", "state": "reported"}
    ).json()
    referral = refer(village, case["id"], "upt-psaa-riau")
    assert len(referral["warnings"]) == 2


def test_no_category_warning_for_a_supporting_office_in_the_sector_table(api, bearer):
    dinsos = api("petugas.pekanbaru")
    case = Case.objects.filter(
        organisation__code="dinsos-kota-pekanbaru", category__code="anak_jalanan"
    ).first()
    referral = refer(dinsos, case.pk, "dukcapil-pekanbaru", "NIK")
    assert referral["warnings"] == []
    village = api("kelurahan.kampungtengah")
    person = village.post(
        "/api/v1/persons/", {"full_name": "Joni", "sex": "M", "confirmed_new": True}
    ).json()
    other = village.post(
        "/api/v1/cases/", {"person": person["id"], "category": "pemulung", "state": "reported"}
    ).json()
    warned = refer(village, other["id"], "upt-psaa-riau")
    english = (
        Client()
        .get(
            "/api/v1/referrals/",
            {"box": "outgoing"},
            HTTP_ACCEPT_LANGUAGE="en",
            **bearer("kelurahan.kampungtengah"),
        )
        .json()["items"]
    )
    shown = next(r for r in english if r["id"] == warned["id"])
    assert "This referral skips a level of the tiered service." in shown["warnings"]


def test_leading_sector_table_api(api):
    admin, outsider = api("admin"), api("petugas.bandung")
    rows = admin.get("/api/v1/leading-sectors/", region="14.71", category="anak_jalanan").json()
    assert {r["organisation_name"]: r["role"] for r in rows["items"]} == {
        "Dinas Sosial Kota Pekanbaru": "lead",
        "Satpol PP Kota Pekanbaru": "support",
        "Dinas Kependudukan dan Pencatatan Sipil Kota Pekanbaru": "support",
    }
    body = {
        "region": "14.71",
        "category": "anak_jalanan",
        "organisation": org_id("lksa-harapan-bunda"),
        "role": "support",
    }
    assert outsider.post("/api/v1/leading-sectors/", body).status_code == 422
    assert admin.post("/api/v1/leading-sectors/", body).status_code == 201
    bad = admin.post("/api/v1/leading-sectors/", {**body, "region": "99", "category": "x"})
    assert {e["field"] for e in bad.json()["detail"]} == {"region", "category"}


def test_assign_worker_from_the_same_organisation_only(api):
    from jejaring.accounts.models import User

    dinsos = api("petugas.pekanbaru")
    case = Case.objects.filter(organisation__code="dinsos-kota-pekanbaru").first()
    me = User.objects.get(username="petugas.pekanbaru")
    assigned = dinsos.put(f"/api/v1/cases/{case.pk}/worker", {"worker": me.pk})
    assert assigned.json()["assigned_worker"] == me.pk
    other = User.objects.get(username="petugas.bandung")
    refused = dinsos.put(f"/api/v1/cases/{case.pk}/worker", {"worker": other.pk})
    assert refused.status_code == 422
    board = dinsos.get("/api/v1/cases/", mine="true").json()
    assert [c["id"] for c in board["items"]] == [case.pk]


def test_withdrawn_consent_blocks_new_partner_referrals(api):
    dinsos = api("petugas.pekanbaru")
    case = Case.objects.filter(organisation__code="dinsos-kota-pekanbaru").first()
    consent = dinsos.post(
        f"/api/v1/persons/{case.person_id}/consents",
        {"given_by_name": "Ibu", "given_by": "parent", "scope": "LKSA", "given_on": TODAY},
    ).json()
    withdrawn = dinsos.post(f"/api/v1/persons/{case.person_id}/consents/{consent['id']}/withdraw")
    assert withdrawn.json()["withdrawn_on"] == TODAY
    refused = dinsos.post(
        "/api/v1/referrals/",
        {"case": case.pk, "reason": "pengasuhan", "to_organisation": org_id("lksa-harapan-bunda")},
    )
    assert refused.status_code == 422


def test_child_consent_comes_from_a_parent_or_guardian(api):
    dinsos = api("petugas.pekanbaru")
    case = Case.objects.filter(organisation__code="dinsos-kota-pekanbaru").first()
    response = dinsos.post(
        f"/api/v1/persons/{case.person_id}/consents",
        {"given_by_name": "Rizki", "given_by": "self", "scope": "LKSA", "given_on": TODAY},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "given_by"
