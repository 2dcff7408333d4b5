"""Issue 12, findings 8-10: reads that show people are audited, masked views reveal
nothing a protected category implies, and names or NIKs never travel in a URL."""

import json
import logging
import re

import pytest
from django.test import Client
from django.urls import reverse

from jejaring.audit.models import AuditEntry
from jejaring.cases.models import Case
from jejaring.registry.models import Person
from tests.helpers import register_person
from tests.test_spm import YEAR, bandung  # noqa: F401 (a fixture)

PUTRI_VILLAGE = "14.71.01.1004"  # the demo's protected child lives here (Sukajadi)
PUTRI_CATEGORY = "Anak korban tindak kekerasan"


def putri():
    """The demo's protected child (a child victim of violence), handled by Dinsos Pekanbaru."""
    return Person.objects.get(full_name="Putri Ayu Lestari")


def register(full_name, username="petugas.pekanbaru"):
    return register_person(username, full_name=full_name)


def reads_after(last_id):
    return list(AuditEntry.objects.filter(pk__gt=last_id, action="read").order_by("pk"))


def last_audit_id():
    return AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


# --- finding 8: every read that shows a person is one audit row naming them ----------------


def test_api_list_is_one_audit_row_naming_the_people_shown(bearer):
    headers = bearer("dukcapil.pekanbaru")
    for i in range(3):
        register(f"Anak Daftar {i}")
    start = last_audit_id()
    body = Client().get("/api/v1/persons/", {"limit": 500}, **headers).json()
    shown = [p["id"] for p in body["items"]]
    (row,) = reads_after(start)
    assert row.object_type == "registry.person" and row.actor_name == "dukcapil.pekanbaru"
    assert row.after["person_ids"] == shown and row.after["count"] == len(shown) >= 4
    assert row.after["masked_ids"] == [putri().pk]


def test_api_search_by_query_string_and_by_body_are_audited_without_the_term(bearer):
    headers = bearer("petugas.pekanbaru")
    start = last_audit_id()
    by_get = Client().get("/api/v1/persons/", {"q": "Putri Ayu"}, **headers).json()
    by_post = (
        Client()
        .post(
            "/api/v1/persons/search",
            data=json.dumps({"q": "Putri Ayu"}),
            content_type="application/json",
            **headers,
        )
        .json()
    )
    assert [p["id"] for p in by_get["items"]] == [p["id"] for p in by_post["items"]] == [putri().pk]
    rows = reads_after(start)
    assert [r.after["person_ids"] for r in rows] == [[putri().pk], [putri().pk]]
    assert all("Putri" not in r.message and "filters: q" in r.message for r in rows)


def test_page_list_and_search_are_audited(as_user):
    client = as_user("petugas.pekanbaru")
    start = last_audit_id()
    listed = client.get(reverse("registry:list"))
    searched = client.post(reverse("registry:list"), {"q": "Putri Ayu"})
    assert searched.status_code == 200 and "Putri Ayu Lestari" in searched.content.decode()
    listing, search = reads_after(start)
    assert listing.after["person_ids"] == [v.pk for v in listed.context["people"]]
    assert search.after == {"person_ids": [putri().pk], "count": 1}
    assert "Putri" not in search.message


def test_export_names_every_exported_record(as_user):
    start = last_audit_id()
    response = as_user("dukcapil.pekanbaru").post(reverse("registry:export"), {"region": "14.71"})
    lines = response.content.decode("utf-8-sig").splitlines()[1:]
    ids = [int(line.split(",")[0]) for line in lines]
    (row,) = reads_after(start)
    assert row.after["person_ids"] == ids and putri().pk in ids
    assert row.after["masked_ids"] == [putri().pk]
    assert row.message.startswith(f"export of {len(ids)} records")


def test_spm_gap_list_is_audited(bandung, as_user):  # noqa: F811
    start = last_audit_id()
    page = as_user("petugas.bandung").get(
        reverse("spm:dashboard"), {"year": YEAR, "type": bandung.code, "region": "32.04"}
    )
    shown = sorted(view.pk for view, *_rest in page.context["gap_people"])
    (row,) = [r for r in reads_after(start) if "spm gap list" in r.message]
    assert sorted(row.after["person_ids"]) == shown and len(shown) == 2


def test_case_reads_through_the_api_are_audited(bearer):
    case = Case.objects.get(person=putri())
    headers = bearer("dukcapil.pekanbaru")
    start = last_audit_id()
    assert Client().get(f"/api/v1/cases/{case.pk}", **headers).status_code == 200
    listed = Client().get("/api/v1/cases/", {"person": putri().pk}, **headers).json()
    assert [c["id"] for c in listed["items"]] == [case.pk]
    detail, listing = reads_after(start)
    assert detail.object_id == str(putri().pk) and detail.message == "masked"
    assert listing.after == {"person_ids": [putri().pk], "count": 1, "masked_ids": [putri().pk]}


# --- finding 9: a masked record shows nothing its protected category implies ---------------


def test_masked_record_shows_no_category_and_no_sex_in_the_api(bearer):
    headers = bearer("dukcapil.pekanbaru")
    one = Client().get(f"/api/v1/persons/{putri().pk}", **headers).json()
    listed = Client().get("/api/v1/persons/", {"limit": 500}, **headers).json()["items"]
    in_list = next(p for p in listed if p["id"] == putri().pk)
    for seen in (one, in_list):
        assert seen["identity_protected"] is True
        assert seen["categories"] is None and seen["sex"] is None
        assert "anak_korban_tindak_kekerasan" not in json.dumps(seen)
    case = Client().get(f"/api/v1/cases/{Case.objects.get(person=putri()).pk}", **headers).json()
    assert case["category"] is None and case["needs"] is None
    own = Client().get(f"/api/v1/persons/{putri().pk}", **bearer("petugas.pekanbaru")).json()
    assert own["categories"] == ["anak_korban_tindak_kekerasan"] and own["sex"] == "F"


def without_choices(html: str) -> str:
    """The page minus its drop-downs, which list every category to choose from."""
    return re.sub(r"<select.*?</select>", "", html, flags=re.S)


def test_masked_record_shows_no_category_and_no_sex_on_pages_and_export(as_user):
    client = as_user("dukcapil.pekanbaru")
    page = client.get(reverse("registry:detail", args=[putri().pk]))
    detail = without_choices(page.content.decode())
    assert PUTRI_CATEGORY not in detail and "Perempuan" not in detail
    assert "dilindungi" in detail
    case = client.get(reverse("cases:detail", args=[Case.objects.get(person=putri()).pk]))
    assert PUTRI_CATEGORY not in without_choices(case.content.decode())
    listed = client.get(reverse("registry:list"), {"region": "14.71.01"}).content.decode()
    listed = without_choices(listed)
    assert "P. A. L." in listed and PUTRI_CATEGORY not in listed
    export = client.post(reverse("registry:export"), {"region": "14.71.01"})
    row = next(r for r in export.content.decode("utf-8-sig").splitlines() if "P. A. L." in r)
    assert PUTRI_CATEGORY not in row and "Perempuan" not in row


@pytest.mark.parametrize(
    "filters",
    [{"region": PUTRI_VILLAGE}, {"category": "anak_korban_tindak_kekerasan"}],
    ids=["village", "category"],
)
def test_filters_do_not_narrow_a_masked_record_below_its_district(bearer, as_user, filters):
    headers = bearer("dukcapil.pekanbaru")

    def ids(query):
        items = Client().get("/api/v1/persons/", {**query, "limit": 500}, **headers).json()
        return {p["id"] for p in items["items"]}

    assert putri().pk in ids({"region": "14.71.01"})  # the district: what the view shows
    assert putri().pk not in ids(filters)
    page = as_user("dukcapil.pekanbaru").get(reverse("registry:list"), filters)
    assert putri().pk not in {v.pk for v in page.context["people"]}
    handler = Client().get("/api/v1/persons/", filters, **bearer("petugas.pekanbaru")).json()
    assert putri().pk in {p["id"] for p in handler["items"]}  # the handler still finds her


# --- finding 10: names and NIKs never travel in a URL --------------------------------------

URL_ATTRIBUTES = re.compile(r'(?:href|action|hx-get|hx-post|hx-push-url|formaction)="([^"]*)"')


def test_the_search_form_posts_and_pushes_no_url(as_user):
    html = as_user("petugas.pekanbaru").get(reverse("registry:list")).content.decode()
    form = re.search(r'<form[^>]*id="person-search"[^>]*>', html).group(0)
    assert 'method="post"' in form and "hx-post" in form
    assert "hx-push-url" not in html and "hx-get" not in form


def test_search_results_and_their_pages_carry_no_query_in_any_url(as_user):
    for i in range(26):
        register(f"Zainal Uji {i:02d}")
    client = as_user("petugas.pekanbaru")
    first = client.post(reverse("registry:list"), {"q": "zainal"}, HTTP_HX_REQUEST="true")
    html = first.content.decode()
    assert first.context["page_obj"].paginator.count == 26
    urls = URL_ATTRIBUTES.findall(html)
    assert urls and not [u for u in urls if "zainal" in u.lower() or "q=" in u]
    assert 'name="page" value="2"' in html  # the next page is asked for by posting again
    second = client.post(reverse("registry:list"), {"q": "zainal", "page": "2"})
    assert [v.name for v in second.context["people"]] == ["Zainal Uji 25"]
    export = client.post(reverse("registry:export"), {"q": "zainal"})
    assert export.content.decode("utf-8-sig").count("Zainal Uji") == 26


def test_a_name_in_a_query_string_is_not_logged(as_user, caplog):
    client = as_user("petugas.pekanbaru")
    with caplog.at_level(logging.DEBUG):
        client.get(reverse("registry:list"), {"q": "Putri Ayu"})
        client.get("/registri/999999/", {"q": "Putri Ayu"})  # a 404 is logged
    assert caplog.records and not [r for r in caplog.records if "Putri" in r.getMessage()]
