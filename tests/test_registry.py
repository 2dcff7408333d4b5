"""The registry: registration with the duplicate guard, scoping and masking, merges."""

import datetime
import json

import pytest
from django.test import Client
from django.urls import reverse

from jejaring.audit.models import AuditEntry
from jejaring.reference.models import PmksCategory
from jejaring.regions.models import Region
from jejaring.registry import actions
from jejaring.registry.models import Person
from tests.helpers import register_person

BOY_NIK = "1471011106150007"  # male, born 11-06-2015, Sukajadi (Kota Pekanbaru)


def register(username="petugas.pekanbaru", *, categories=("anak_jalanan",), confirmed=True, **data):
    return register_person(username, categories=categories, confirmed=confirmed, **data)


def api_post(url, headers, body):
    return Client().post(url, data=json.dumps(body), content_type="application/json", **headers)


@pytest.fixture
def child(db):
    return register(nik=BOY_NIK)


@pytest.fixture
def victim(db):
    return register(
        full_name="Putri Ayu Lestari",
        sex="F",
        nik="",
        birth_date=datetime.date(2014, 5, 2),
        categories=("anak_korban_tindak_kekerasan",),
    )


# --- scoping ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("petugas.pekanbaru", 200),  # registered the child
        ("dukcapil.pekanbaru", 200),  # governs Kota Pekanbaru
        ("mitra.lksa", 404),  # a partner with no case for the child
        ("petugas.bandung", 404),  # another province
    ],
)
def test_person_reach(child, as_user, bearer, username, status):
    assert as_user(username).get(reverse("registry:detail", args=[child.pk])).status_code == status
    assert Client().get(f"/api/v1/persons/{child.pk}", **bearer(username)).status_code == status


def test_search_lists_only_reachable_people(child, bearer):
    bandung = Client().get("/api/v1/persons/", {"q": "fauzan"}, **bearer("petugas.bandung"))
    assert bandung.json() == {"items": [], "count": 0}
    own = Client().get("/api/v1/persons/", {"q": "Achmad Fauzan"}, **bearer("petugas.pekanbaru"))
    assert [p["id"] for p in own.json()["items"]] == [child.pk]
    by_nik = Client().get("/api/v1/persons/", {"q": "14710111061"}, **bearer("petugas.pekanbaru"))
    assert [p["id"] for p in by_nik.json()["items"]] == [child.pk]


def test_nik_is_masked_in_lists_and_for_partners(child, bearer):
    listed = (
        Client()
        .get("/api/v1/persons/", {"q": "fauzan"}, **bearer("petugas.pekanbaru"))
        .json()["items"]
    )
    assert listed[0]["nik"] == "147101••••••0007"
    detail = Client().get(f"/api/v1/persons/{child.pk}", **bearer("petugas.pekanbaru")).json()
    assert detail["nik"] == BOY_NIK


# --- sensitive records --------------------------------------------------------------------


def test_sensitive_identity_only_for_handling_organisation(victim, bearer):
    own = Client().get(f"/api/v1/persons/{victim.pk}", **bearer("petugas.pekanbaru")).json()
    assert own["name"] == "Putri Ayu Lestari" and not own["identity_protected"]
    for outsider in ("dukcapil.pekanbaru", "admin"):
        seen = Client().get(f"/api/v1/persons/{victim.pk}", **bearer(outsider)).json()
        assert seen["identity_protected"] is True
        assert seen["name"] == "P. A. L. (dilindungi)"
        assert "full_name" not in seen and "address" not in seen
        assert seen["birth"] == "2014"


def test_masked_records_cannot_be_found_by_name(victim, bearer):
    found = Client().get("/api/v1/persons/", {"q": "Putri"}, **bearer("dukcapil.pekanbaru"))
    assert found.json()["count"] == 0
    by_place = (
        Client()
        .get("/api/v1/persons/", {"region": "14.71", "limit": 100}, **bearer("dukcapil.pekanbaru"))
        .json()
    )
    shown = next(p for p in by_place["items"] if p["id"] == victim.pk)
    assert shown["name"] == "P. A. L. (dilindungi)"


def test_every_read_is_audited(victim, as_user):
    as_user("dukcapil.pekanbaru").get(reverse("registry:detail", args=[victim.pk]))
    entry = AuditEntry.objects.filter(action="read", object_id=str(victim.pk)).latest("id")
    assert entry.actor_name == "dukcapil.pekanbaru"
    assert entry.message == "masked"
    assert "Putri" not in entry.object_repr


# --- the duplicate guard ------------------------------------------------------------------


def test_spelling_variant_is_caught_before_creation(child, bearer):
    body = {
        "full_name": "Achmad Fauzan",
        "sex": "M",
        "birth_date": "2015-11-06",
        "region": "14.71.01.1002",
        "categories": ["anak_jalanan"],
    }
    first = api_post("/api/v1/persons/", bearer("petugas.pekanbaru"), body)
    assert first.status_code == 409
    candidate = first.json()["candidates"][0]
    assert candidate["id"] == child.pk
    assert "tertukar" in " ".join(candidate["reasons"])  # day and month swapped
    confirmed = api_post(
        "/api/v1/persons/", bearer("petugas.pekanbaru"), {**body, "confirmed_new": True}
    )
    assert confirmed.status_code == 201


def test_same_nik_is_never_created_twice(child, bearer):
    body = {
        "full_name": "Fauzan",
        "sex": "M",
        "birth_date": "2015-06-11",
        "nik": BOY_NIK,
        "confirmed_new": True,
    }
    response = api_post("/api/v1/persons/", bearer("petugas.pekanbaru"), body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "nik"


def test_guard_on_the_page_keeps_the_input(child, as_user):
    form = {
        "full_name": "Akhmad Fauzan",
        "sex": "M",
        "birth_date": "2015-06-11",
        "birth_date_precision": "exact",
        "region": "14.71.01.1002",
    }
    page = as_user("petugas.pekanbaru").post(reverse("registry:create"), form)
    html = page.content.decode()
    assert page.status_code == 200
    assert "mungkin sudah terdaftar" in html
    assert 'value="Akhmad Fauzan"' in html
    confirmed = as_user("petugas.pekanbaru").post(
        reverse("registry:create"), {**form, "confirmed_new": "1"}
    )
    assert confirmed.status_code == 302


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        ({"nik": "14710112031400"}, "nik", "16 digit"),
        ({"nik": "1471011203140001", "sex": "F"}, "nik", "40"),
        ({"nik": "1471011303140001"}, "nik", "13-03-14"),
        ({"birth_date": "2999-01-01", "nik": ""}, "birth_date", "masa depan"),
    ],
)
def test_bad_identity_gets_precise_reason(bearer, change, field, reason):
    body = {
        "full_name": "Anak Baru",
        "sex": "M",
        "birth_date": "2014-03-12",
        "confirmed_new": True,
        **change,
    }
    response = api_post("/api/v1/persons/", bearer("petugas.pekanbaru"), body)
    assert response.status_code == 422, response.content
    detail = response.json()["detail"]
    assert detail[0]["field"] == field
    assert reason in detail[0]["msg"]


# --- merge and un-merge -------------------------------------------------------------------


def test_merge_moves_everything_and_can_be_undone(child, bearer):
    duplicate = register(
        full_name="Achmad Fauzan", nik="", categories=("anak_jalanan", "anak_terlantar")
    )
    actions.add_alias(duplicate, "Iki", "street", acting_user=None)
    headers = bearer("petugas.pekanbaru")
    merged = api_post(f"/api/v1/persons/{child.pk}/merge", headers, {"duplicate_id": duplicate.pk})
    assert merged.status_code == 201
    child.refresh_from_db()
    assert {c.category.code for c in child.categories.all()} == {"anak_jalanan", "anak_terlantar"}
    assert [a.name for a in child.aliases.all()] == ["Iki"]
    # The merged record disappears from search; its page points at the survivor.
    listed = Client().get("/api/v1/persons/", {"q": "fauzan"}, **headers).json()
    assert [p["id"] for p in listed["items"]] == [child.pk]
    undo = api_post(f"/api/v1/persons/merges/{merged.json()['id']}/undo", headers, {})
    assert undo.status_code == 200
    duplicate.refresh_from_db()
    assert duplicate.merged_into is None
    # anak_jalanan stayed with the duplicate (the survivor held it already); both are back.
    assert {c.category.code for c in duplicate.categories.all()} == {
        "anak_jalanan",
        "anak_terlantar",
    }
    assert [a.name for a in duplicate.aliases.all()] == ["Iki"]
    assert {c.category.code for c in child.categories.all()} == {"anak_jalanan"}


def test_merge_needs_change_rights_on_both(child, bearer):
    other = register("petugas.bandung", full_name="Fauzan", region=Region.objects.get(code="32.04"))
    response = api_post(
        f"/api/v1/persons/{child.pk}/merge", bearer("petugas.pekanbaru"), {"duplicate_id": other.pk}
    )
    assert response.status_code == 404


# --- concurrency --------------------------------------------------------------------------


def test_second_save_gets_a_conflict_and_loses_nothing(child, bearer):
    headers = bearer("petugas.pekanbaru")
    url = f"/api/v1/persons/{child.pk}"
    first = Client().patch(
        url,
        data=json.dumps({"version": 1, "phone": "0812"}),
        content_type="application/json",
        **headers,
    )
    assert first.status_code == 200
    second = Client().patch(
        url,
        data=json.dumps({"version": 1, "address": "Jl. Lain"}),
        content_type="application/json",
        **headers,
    )
    assert second.status_code == 409
    assert second.json()["current_version"] == 2
    child.refresh_from_db()
    assert (child.phone, child.address) == ("0812", "")


def test_conflict_on_the_page_keeps_the_typed_values(child, as_user):
    client = as_user("petugas.pekanbaru")
    form = client.get(reverse("registry:edit", args=[child.pk])).context["form"]
    data = {k: v for k, v in ((n, form[n].value()) for n in form.fields) if v is not None}
    actions.update_person(child, {"phone": "0812"}, expected_version=1, acting_user=None)
    data["address"] = "Jl. Sudirman 1"
    response = client.post(reverse("registry:edit", args=[child.pk]), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "menyimpan data ini" in html
    assert "Jl. Sudirman 1" in html
    assert Person.objects.get(pk=child.pk).address == ""


def test_family_links_are_masked_like_any_person(child, victim, bearer):
    mother = register(
        full_name="Sri Wahyuni",
        sex="F",
        nik="",
        birth_date=datetime.date(1988, 1, 1),
        categories=(),
    )
    headers = bearer("petugas.pekanbaru")
    linked = api_post(
        f"/api/v1/persons/{child.pk}/relatives", headers, {"relative": mother.pk, "kind": "mother"}
    )
    assert linked.status_code == 201
    again = api_post(
        f"/api/v1/persons/{child.pk}/relatives", headers, {"relative": mother.pk, "kind": "mother"}
    )
    assert again.status_code == 422
    own_self = api_post(
        f"/api/v1/persons/{child.pk}/relatives", headers, {"relative": child.pk, "kind": "sibling"}
    )
    assert own_self.status_code == 422
    api_post(
        f"/api/v1/persons/{child.pk}/relatives", headers, {"relative": victim.pk, "kind": "sibling"}
    )
    seen = (
        Client().get(f"/api/v1/persons/{child.pk}/relatives", **bearer("dukcapil.pekanbaru")).json()
    )
    names = {r["kind"]: r["relative"]["name"] for r in seen}
    assert names == {"mother": "Sri Wahyuni", "sibling": "P. A. L. (dilindungi)"}


def test_merge_moves_cases_and_undo_moves_them_back(child, bearer):
    from jejaring.cases.actions import open_case

    duplicate = register(full_name="Achmad Fauzan", nik="")
    case = open_case(
        duplicate,
        PmksCategory.objects.get(code="anak_jalanan"),
        organisation=duplicate.registered_by,
        acting_user=None,
    )
    record = actions.merge_persons(child, duplicate, acting_user=None)
    case.refresh_from_db()
    assert case.person_id == child.pk
    actions.undo_merge(record, acting_user=None)
    case.refresh_from_db()
    assert case.person_id == duplicate.pk


def test_export_masks_nik_unless_the_role_reconciles_data(child, victim, as_user):
    from jejaring.accounts.actions import create_user
    from jejaring.network.models import Organisation

    export = as_user("petugas.pekanbaru").get(reverse("registry:export"), {"q": "fauzan"})
    text = b"".join([export.content]).decode("utf-8-sig")
    assert "147101••••••0007" in text and BOY_NIK not in text
    create_user(
        username="operator.pekanbaru",
        roles=["operator"],
        password=None,
        organisation=Organisation.objects.get(code="dinsos-kota-pekanbaru"),
        acting_user=None,
    )
    officer = as_user("operator.pekanbaru").get(reverse("registry:export"), {"q": "fauzan"})
    assert BOY_NIK in officer.content.decode("utf-8-sig")
    governed = (
        as_user("dukcapil.pekanbaru")
        .get(reverse("registry:export"), {"region": "14.71"})
        .content.decode("utf-8-sig")
    )
    assert "Putri Ayu Lestari" not in governed and "P. A. L." in governed
    assert AuditEntry.objects.filter(action="read", message__startswith="export of").exists()


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_photo_is_identity(child, victim, bearer, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    headers = bearer("petugas.pekanbaru")
    for person in (child, victim):
        uploaded = Client().post(
            f"/api/v1/persons/{person.pk}/photo",
            {"photo": SimpleUploadedFile("foto.png", PNG)},
            **headers,
        )
        assert uploaded.status_code == 200, uploaded.content
    own = Client().get(f"/api/v1/persons/{victim.pk}/photo", **headers)
    assert b"".join(own.streaming_content) == PNG
    # The governing office sees the child's photo, not the protected girl's.
    dukcapil = bearer("dukcapil.pekanbaru")
    assert Client().get(f"/api/v1/persons/{child.pk}/photo", **dukcapil).status_code == 200
    assert Client().get(f"/api/v1/persons/{victim.pk}/photo", **dukcapil).status_code == 404
    fake = Client().post(
        f"/api/v1/persons/{child.pk}/photo",
        {"photo": SimpleUploadedFile("foto.png", b"GIF89a....")},
        **headers,
    )
    assert fake.status_code == 422
    assert fake.json()["detail"][0]["field"] == "photo"


def test_categories_are_added_verified_and_drive_sensitivity(child, bearer):
    headers = bearer("petugas.pekanbaru")
    url = f"/api/v1/persons/{child.pk}/categories/anak_berhadapan_dengan_hukum"
    added = (
        Client()
        .put(
            url, data=json.dumps({"status": "verified"}), content_type="application/json", **headers
        )
        .json()
    )
    assert added == {
        "category": "anak_berhadapan_dengan_hukum",
        "status": "verified",
        "spm_group": None,
        "is_sensitive": True,
    }
    # A child in conflict with the law: now masked for the governing office.
    seen = Client().get(f"/api/v1/persons/{child.pk}", **bearer("dukcapil.pekanbaru")).json()
    assert seen["identity_protected"] is True
    terlantar = (
        Client()
        .put(
            f"/api/v1/persons/{child.pk}/categories/anak_terlantar",
            data="{}",
            content_type="application/json",
            **headers,
        )
        .json()
    )
    assert terlantar["spm_group"] == "anak_terlantar"


def test_sensitive_identity_is_for_named_roles_only(victim, bearer):
    from jejaring.accounts.actions import create_user
    from jejaring.network.models import Organisation

    create_user(
        username="fasilitator.pekanbaru",
        roles=["fasilitator"],
        password=None,
        organisation=Organisation.objects.get(code="dinsos-kota-pekanbaru"),
        acting_user=None,
    )
    seen = Client().get(f"/api/v1/persons/{victim.pk}", **bearer("fasilitator.pekanbaru")).json()
    assert seen["identity_protected"] is True


def test_search_by_case_status_and_street_name(child, as_user, bearer):
    from jejaring.cases.actions import open_case

    headers = bearer("petugas.pekanbaru")
    none = Client().get("/api/v1/persons/", {"q": "fauzan", "case_state": "none"}, **headers)
    assert [p["id"] for p in none.json()["items"]] == [child.pk]
    open_case(
        child,
        PmksCategory.objects.get(code="anak_jalanan"),
        organisation=child.registered_by,
        acting_user=None,
    )
    opened = Client().get("/api/v1/persons/", {"q": "fauzan", "case_state": "open"}, **headers)
    assert [p["id"] for p in opened.json()["items"]] == [child.pk]
    as_user("petugas.pekanbaru").post(
        reverse("registry:alias_add", args=[child.pk]), {"name": "Ucok Terminal", "kind": "street"}
    )
    by_street = Client().get("/api/v1/persons/", {"q": "ucok"}, **headers)
    assert [p["id"] for p in by_street.json()["items"]] == [child.pk]


def test_person_lists_do_not_grow_queries_with_rows(as_user, bearer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client, headers = as_user("petugas.pekanbaru"), bearer("petugas.pekanbaru")
    Client().get("/api/v1/accounts/me", **headers)  # the token's first use is stamped once

    def count(fetch):
        with CaptureQueriesContext(connection) as ctx:
            assert fetch().status_code == 200
        return len(ctx.captured_queries)

    page = lambda: client.get(reverse("registry:list"))  # noqa: E731
    api = lambda: Client().get("/api/v1/persons/", **headers)  # noqa: E731
    before = (count(page), count(api))
    for i in range(8):
        register(full_name=f"Anak Uji {i}", nik="", categories=("anak_terlantar",))
    assert (count(page), count(api)) == before
