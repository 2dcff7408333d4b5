"""Every row of an import is traceable: `GET /api/v1/imports/{id}/rows` and the rows page
list each data row with the number the spreadsheet shows, what became of it, the person
it went to and its problems — paged, filterable by outcome, and only for the importer."""

import pytest
from django.core.files import File
from django.urls import reverse

from jejaring.accounts.models import User
from jejaring.imports import actions
from jejaring.imports.models import ImportedRow, RowOutcome

ORG = "dinsos-kota-pekanbaru"
OFFICER = "data.pekanbaru"

pytestmark = pytest.mark.django_db

# Header in row 1: the first data row is row 2. Row 4 repeats row 2; row 5 names nobody
# usable (a name and nothing else), so it is refused, and stored all the same.
FLAT = (
    "Nama,JK,Tgl Lahir,Desa\n"
    "Yohanes Pardede,L,12/03/2014,Sukajadi\n"
    "Sumarni Lestari,P,01/02/2012,Harjosari\n"
    "Yohanes Pardede,L,12/03/2014,Sukajadi\n"
    "Siapa Saja,,,\n"
)
# The same rows under a title and a two-row header: the data starts in row 4.
BANDED = (
    "DATA PPKS 2026\n"
    "Nama,Jenis Kelamin,Kelahiran,Alamat\n"
    ",,Tanggal,Desa\n"
    "Yohanes Pardede,L,12/03/2014,Sukajadi\n"
    "Sumarni Lestari,P,01/02/2012,Harjosari\n"
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def officer():
    return User.objects.get(username=OFFICER)


def imported(tmp_path, org, text, name="data.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with open(path, "rb") as handle:
        job = actions.upload_file(
            File(handle, name=name), organisation=org(ORG), acting_user=officer()
        )
    actions.start_check(job, acting_user=officer(), background=False)
    actions.run_check(job, acting_user=officer())
    actions.start_import(job, acting_user=officer(), background=False)
    return actions.run_import(job, acting_user=officer())


def test_every_row_with_its_spreadsheet_number_outcome_and_person(tmp_path, org, client, bearer):
    job = imported(tmp_path, org, FLAT)
    response = client.get(f"/api/v1/imports/{job.pk}/rows", **bearer(OFFICER))
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["count"] == 4
    items = {item["row"]: item for item in data["items"]}
    assert sorted(items) == [2, 3, 4, 5]
    assert items[2]["outcome"] == RowOutcome.CREATED
    assert items[3]["outcome"] == RowOutcome.CREATED
    assert items[4]["outcome"] == RowOutcome.SAME_IN_FILE
    # The repeated row went to the same person as the row it repeats.
    assert items[4]["person"] == items[2]["person"] is not None
    assert items[5]["outcome"] == RowOutcome.REFUSED
    assert items[5]["person"] is None
    assert items[5]["problems"], "a refused row says why"
    assert set(items[5]["problems"][0]) == {"column", "message", "severity"}
    stored = dict(ImportedRow.objects.filter(job=job).values_list("row", "person_id"))
    assert {row: item["person"] for row, item in items.items()} == stored


def test_rows_are_filtered_by_outcome_and_paged(tmp_path, org, client, bearer):
    job = imported(tmp_path, org, FLAT)
    headers = bearer(OFFICER)
    url = f"/api/v1/imports/{job.pk}/rows"
    created = client.get(url, {"outcome": "created"}, **headers).json()
    assert [item["row"] for item in created["items"]] == [2, 3]
    refused = client.get(url, {"outcome": "refused"}, **headers).json()
    assert [item["row"] for item in refused["items"]] == [5]
    assert client.get(url, {"outcome": "linked"}, **headers).json() == {"items": [], "count": 0}
    second = client.get(url, {"page": 2, "page_size": 3}, **headers).json()
    assert (second["count"], [item["row"] for item in second["items"]]) == (4, [5])
    # A bad outcome is a clear 422, never a 500.
    assert client.get(url, {"outcome": "lost"}, **headers).status_code == 422


def test_a_multi_row_header_shifts_the_numbers(tmp_path, org, client, bearer):
    job = imported(tmp_path, org, BANDED)
    data = client.get(f"/api/v1/imports/{job.pk}/rows", **bearer(OFFICER)).json()
    assert [item["row"] for item in data["items"]] == [4, 5]
    assert job.mapping["Kelahiran / Tanggal"] == "birth_date"


@pytest.mark.parametrize("username", ["pimpinan.jabar", "admin"])
def test_another_organisations_job_is_not_found(tmp_path, org, client, bearer, username):
    job = imported(tmp_path, org, FLAT)
    response = client.get(f"/api/v1/imports/{job.pk}/rows", **bearer(username))
    assert response.status_code == 404
    colleague = client.get(f"/api/v1/imports/{job.pk}/rows", **bearer("petugas.pekanbaru"))
    assert colleague.status_code in (403, 404)


def test_job_counts_are_exact(tmp_path, org, client, bearer):
    job = imported(tmp_path, org, FLAT)
    counts = client.get(f"/api/v1/imports/{job.pk}", **bearer(OFFICER)).json()["counts"]
    assert {k: counts[k] for k in ("rows", "created", "same_in_file", "refused")} == {
        "rows": 4,
        "created": 2,
        "same_in_file": 1,
        "refused": 1,
    }
    assert counts["problems"] == job.problem_count
    assert counts["review"] == job.reviews.count()


def test_the_rows_page_lists_and_filters_the_rows(tmp_path, org, as_user):
    job = imported(tmp_path, org, FLAT)
    client = as_user(OFFICER)
    detail = client.get(reverse("imports:detail", args=[job.pk])).content.decode()
    assert reverse("imports:rows", args=[job.pk]) in detail
    page = client.get(reverse("imports:rows", args=[job.pk])).content.decode()
    assert page.count("<tr data-row=") == 4
    # Each cell keeps its label for the stacked phone layout.
    assert 'data-label="Baris"' in page
    refused = client.get(reverse("imports:rows", args=[job.pk]), {"outcome": "refused"})
    assert refused.content.decode().count("<tr data-row=") == 1
    # An unknown outcome shows every row rather than failing.
    assert client.get(reverse("imports:rows", args=[job.pk]), {"outcome": "x"}).status_code == 200
    assert as_user("pimpinan.jabar").get(reverse("imports:rows", args=[job.pk])).status_code == 404
