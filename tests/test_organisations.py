"""Organisations: directory filters, registration and editing through page and API."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from jejaring.audit.models import AuditEntry
from jejaring.network.models import Organisation


def api(client_method, url, headers, body=None):
    kwargs = dict(headers)
    if body is not None:
        kwargs.update(
            data=json.dumps(body) if not isinstance(body, str) else body,
            content_type="application/json",
        )
    return client_method(url, **kwargs)


NEW_ORG = {
    "code": "lksa-pelita-hati",
    "name": "LKSA Pelita Hati",
    "type": "lksa",
    "sector": "civil_society",
    "level": "kabupaten_kota",
    "home_region": "14.71.01",
    "service_area": ["14.71"],
    "pmks_categories": ["anak_terlantar"],
    "beds": 25,
}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"type": "lksa"}, {"lksa-harapan-bunda"}),
        ({"sector": "academia"}, {"fpsi-umr"}),
        (
            {"category": "korban_bencana_alam", "region": "32"},
            {"bpbd-kab-bandung", "dinsos-prov-jabar", "dinsos-kab-bandung"},
        ),
        ({"q": "harapan"}, {"lksa-harapan-bunda"}),
        ({"region": "31.74"}, {"rumah-singgah-anak-mandiri"}),
    ],
)
def test_directory_filters_in_api(bearer, params, expected):
    body = Client().get("/api/v1/organisations/", params, **bearer("mitra.lksa")).json()
    assert {o["code"] for o in body["items"]} == expected


def test_directory_region_filter_includes_service_area(bearer):
    # The provincial panti is based in Pekanbaru but serves all of Riau, incl. Kampar (14.01).
    body = Client().get("/api/v1/organisations/", {"region": "14.01"}, **bearer("mitra.lksa"))
    assert "upt-psaa-riau" in {o["code"] for o in body.json()["items"]}


def test_directory_page_filters(as_user):
    html = as_user("petugas.bandung").get(reverse("network:list"), {"sector": "private"})
    text = html.content.decode()
    assert "PT Lancang Kuning Energi" in text
    assert "Dinas Sosial Kabupaten Bandung" not in text


def _more_organisations(n):
    from jejaring.network import actions
    from jejaring.network.models import OrganisationType
    from jejaring.reference.models import PmksCategory
    from jejaring.regions.models import Region

    for i in range(n):
        actions.create_organisation(
            {
                "code": f"yayasan-{i}",
                "name": f"Yayasan Uji {i}",
                "sector": "civil_society",
                "type": OrganisationType.objects.get(code="yayasan"),
                "level": "kabupaten_kota",
                "home_region": Region.objects.get(code="14.71"),
                "status": "active",
                "service_area": [Region.objects.get(code="14")],
                "pmks_categories": list(PmksCategory.objects.all()[:3]),
            },
            acting_user=None,
        )


# Session, user with its roles and organisation+type (scope), count, the filter form's two
# choice lists, the page, one prefetch of categories, and the unread-notifications
# count in the header — however many organisations.
PAGE_QUERIES = 8
# Token with its user, roles and organisation+type, the page, prefetches of service areas and
# categories; no count, since a page shorter than its limit is its own count
# (core.paging). (A token's first use also stamps last_used_at: warmed up below.)
API_QUERIES = 4


def test_directory_list_query_count_is_constant(as_user, bearer, django_assert_num_queries):
    client, headers = as_user("admin"), bearer("admin")
    Client().get("/api/v1/accounts/me", **headers)
    for extra in (0, 10):
        _more_organisations(extra)
        with django_assert_num_queries(PAGE_QUERIES):
            assert client.get(reverse("network:list")).status_code == 200
        with django_assert_num_queries(API_QUERIES):
            response = Client().get("/api/v1/organisations/", **headers)
        assert response.json()["count"] == Organisation.objects.count()


def test_social_office_registers_partner_through_api(bearer):
    response = api(
        Client().post,
        "/api/v1/organisations/",
        bearer("pimpinan.jabar"),
        {**NEW_ORG, "home_region": "32.04", "code": "lksa-pelita-hati-bdg"},
    )
    # pimpinan.jabar heads Dinas Sosial Jawa Barat: it may register inside 32 only.
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["status"] == "pending"
    assert created["service_area"] == ["14.71"]
    entry = AuditEntry.objects.filter(
        object_type="network.organisation", object_id=str(created["id"])
    ).get()
    assert entry.action == "create"
    assert entry.actor_name == "pimpinan.jabar"
    assert entry.after["name"] == "LKSA Pelita Hati"


def test_registration_outside_own_region_is_refused(bearer):
    response = api(Client().post, "/api/v1/organisations/", bearer("pimpinan.jabar"), NEW_ORG)
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "home_region"


def test_duplicate_name_in_region_is_refused(bearer):
    body = {**NEW_ORG, "name": "lksa harapan bunda pekanbaru", "home_region": "14.71"}
    response = api(Client().post, "/api/v1/organisations/", bearer("admin"), body)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail[0]["field"] == "name"
    assert "sudah ada" in detail[0]["msg"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**NEW_ORG, "home_region": "99.99"}, "home_region"),
        ({**NEW_ORG, "type": "spaceship"}, "type"),
        ({**NEW_ORG, "beds": -1}, "beds"),
        ({**NEW_ORG, "sector": "mafia"}, "sector"),
        ({k: v for k, v in NEW_ORG.items() if k != "name"}, "name"),
        ({**NEW_ORG, "pmks_categories": ["nope"]}, "pmks_categories"),
        ({**NEW_ORG, "email": "not-an-address"}, "email"),
    ],
)
def test_malformed_payloads_get_field_messages(bearer, body, field):
    response = api(Client().post, "/api/v1/organisations/", bearer("admin"), body)
    assert response.status_code == 422, response.content
    fields = [e["field"] for e in response.json()["detail"]]
    assert fields == [field]
    assert all(e["msg"] for e in response.json()["detail"])


def test_invalid_json_body_is_400_not_500(bearer):
    response = api(Client().post, "/api/v1/organisations/", bearer("admin"), "{not json")
    assert response.status_code == 400
    assert response.json()["detail"] == "Isi permintaan bukan JSON yang valid."


def test_page_registration_shows_errors_and_keeps_input(as_user):
    client = as_user("admin")
    form = {
        **NEW_ORG,
        "home_region": "99.99",
        "service_area": "14.71",
        "type": Organisation._meta.get_field("type").related_model.objects.get(code="lksa").pk,
        "status": "pending",
        "pmks_categories": [],
    }
    response = client.post(reverse("network:create"), form)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Kode wilayah tidak dikenal: 99.99." in html
    assert 'value="LKSA Pelita Hati"' in html  # nothing typed is lost
    form["home_region"] = "14.71.01"
    response = client.post(reverse("network:create"), form)
    assert response.status_code == 302, response.context["form"].errors
    created = Organisation.objects.get(code="lksa-pelita-hati")
    assert created.home_region_id == "14.71.01"


def test_page_edit_writes_audit_with_changes(as_user):
    target = Organisation.objects.get(code="lksa-harapan-bunda")
    client = as_user("mitra.lksa")  # partner staff cannot manage their profile…
    assert client.get(reverse("network:edit", args=[target.pk])).status_code == 403
    client = as_user("admin")
    page = client.get(reverse("network:edit", args=[target.pk]))
    form = page.context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {k: v for k, v in data.items() if v is not None}
    data["home_region"] = "14.71"
    data["service_area"] = ""
    data["pmks_categories"] = [c.pk for c in target.pmks_categories.all()]
    data["beds"] = 45
    response = client.post(reverse("network:edit", args=[target.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    target.refresh_from_db()
    assert target.beds == 45
    entry = AuditEntry.objects.filter(object_id=str(target.pk), action="update").latest("id")
    assert entry.changes["beds"] == (40, 45)


def test_partner_cannot_verify_itself(bearer):
    pending = Organisation.objects.get(code="lks-cahaya-madani")
    # The pending LKS is invisible to a partner in the same city: 404, not 403.
    response = api(
        Client().patch,
        f"/api/v1/organisations/{pending.pk}",
        bearer("mitra.lksa"),
        {"status": "active"},
    )
    assert response.status_code == 404


def test_social_office_verifies_pending_organisation(as_user, bearer):
    from jejaring.accounts.actions import create_user

    pending = Organisation.objects.get(code="lks-cahaya-madani")
    create_user(
        username="pimpinan.pekanbaru",
        organisation=Organisation.objects.get(code="dinsos-kota-pekanbaru"),
        roles=["pimpinan"],
        password=None,
        acting_user=None,
    )
    response = as_user("pimpinan.pekanbaru").post(reverse("network:verify", args=[pending.pk]))
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == "active"


def test_registration_is_offered_only_to_those_who_may(as_user):
    # A case worker at a social office does not manage the register; its head does.
    assert as_user("petugas.pekanbaru").get(reverse("network:create")).status_code == 403
    assert as_user("pimpinan.jabar").get(reverse("network:create")).status_code == 200
    listing = as_user("petugas.pekanbaru").get(reverse("network:list"))
    assert reverse("network:create") not in listing.content.decode()
