"""Regions: the national load, the public API and the browser page."""

import pytest
from django.test import Client
from django.urls import reverse

from jejaring.regions.loader import load_regions
from jejaring.regions.models import Region


@pytest.mark.slow
def test_full_national_load_counts_and_is_idempotent(db):
    result = load_regions(force=True)
    assert result.counts == {
        "province": 38,
        "regency": 514,
        "district": 7277,
        "village": 83763,
    }
    again = load_regions()
    assert again.skipped is True
    assert Region.objects.count() == 38 + 514 + 7277 + 83763


def test_subset_load_keeps_hierarchy(db):
    pekanbaru = Region.objects.get(code="14.71")
    assert pekanbaru.name == "Kota Pekanbaru"
    assert pekanbaru.level == "regency"
    assert pekanbaru.parent_id == "14"
    assert Region.objects.get(code="31").name == "DKI Jakarta"
    district = pekanbaru.children.first()
    assert district.level == "district"
    assert [a.code for a in district.ancestors()] == ["14", "14.71"]


def test_api_is_public_and_paginated(db):
    response = Client().get("/api/v1/regions/", {"level": "province"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3  # the test database holds Riau, DKI Jakarta, Jawa Barat
    assert {r["code"] for r in body["items"]} == {"14", "31", "32"}


def test_api_filters_by_parent_and_text(db):
    body = Client().get("/api/v1/regions/", {"parent": "14", "q": "pekan"}).json()
    assert body == {
        "count": 1,
        "items": [{"code": "14.71", "name": "Kota Pekanbaru", "level": "regency", "parent": "14"}],
    }
    by_code = Client().get("/api/v1/regions/", {"q": "14.71.01", "level": "district"}).json()
    assert [r["code"] for r in by_code["items"]] == ["14.71.01"]


def test_api_pagination_limits(db):
    body = Client().get("/api/v1/regions/", {"parent": "32", "limit": 5, "offset": 5}).json()
    assert len(body["items"]) == 5
    assert body["count"] == Region.objects.filter(parent="32").count()


@pytest.mark.parametrize(
    ("params", "field"),
    [({"level": "planet"}, "level"), ({"parent": "99.99"}, "parent")],
)
def test_api_bad_filters_answer_422_in_indonesian(db, params, field):
    response = Client().get("/api/v1/regions/", params, HTTP_ACCEPT_LANGUAGE="id")
    assert response.status_code == 422
    errors = response.json()["detail"]
    assert [e["field"] for e in errors] == [field]
    if field == "parent":
        assert errors[0]["msg"] == "Kode wilayah tidak dikenal: 99.99."


def test_api_region_detail_and_unknown_code(db):
    assert Client().get("/api/v1/regions/32.04").json()["name"] == "Kabupaten Bandung"
    missing = Client().get("/api/v1/regions/99")
    assert missing.status_code == 404
    assert missing.json()["detail"] == "Tidak ditemukan."


def test_browser_page_searches_and_drills_down(db):
    client = Client()
    results = client.get(reverse("regions:index"), {"q": "Pekanbaru"})
    assert results.status_code == 200
    assert "Kota Pekanbaru" in results.content.decode()
    detail = client.get(reverse("regions:detail", args=["14.71"]))
    html = detail.content.decode()
    assert "Sukajadi" in html  # a district of Kota Pekanbaru
    assert 'href="/wilayah/14/"' in html  # breadcrumb back to Riau


def test_browser_page_htmx_returns_only_results(db):
    response = Client().get(reverse("regions:index"), {"q": "Bandung"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html
    assert "Kabupaten Bandung" in html


def test_unknown_region_page_is_404(db):
    assert Client().get(reverse("regions:detail", args=["99.99"])).status_code == 404


def test_suggestions_for_region_inputs(db):
    html = Client().get(reverse("regions:suggest"), {"q": "Sukajadi"}).content.decode()
    assert '<option value="14.71.01">Sukajadi — Kota Pekanbaru</option>' in html
    assert Client().get(reverse("regions:suggest"), {"q": "S"}).content.decode().strip() == ""
