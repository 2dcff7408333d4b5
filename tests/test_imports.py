"""Importing district spreadsheets: the page flow, the API, scoping, resuming,
re-importing, and the review queue — through the real actions and the real worker."""

from pathlib import Path

import pytest
from django.core.files import File
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jejaring.accounts.models import User
from jejaring.audit.models import AuditEntry
from jejaring.cases.models import Service
from jejaring.imports import actions, loading
from jejaring.imports.models import (
    ImportedRow,
    ImportJob,
    JobStatus,
    LinkReview,
    ReviewStatus,
)
from jejaring.registry.actions import undo_merge
from jejaring.registry.models import Person, PersonMerge
from tests.helpers import run_queued_tasks

FIXTURES = Path(__file__).parent / "fixtures" / "imports"
OWNER = "data.pekanbaru"
ORG = "dinsos-kota-pekanbaru"

pytestmark = pytest.mark.django_db


def user(username=OWNER):
    return User.objects.get(username=username)


def upload(name, org):
    with (FIXTURES / name).open("rb") as handle:
        return actions.upload_file(
            File(handle, name=name), organisation=org(ORG), acting_user=user()
        )


def checked(name, org):
    job = upload(name, org)
    actions.start_check(job, acting_user=user(), background=False)
    return actions.run_check(job, acting_user=user())


def imported(name, org):
    job = checked(name, org)
    actions.start_import(job, acting_user=user(), background=False)
    return actions.run_import(job, acting_user=user())


def test_district_file_through_the_pages(as_user, org):
    client = as_user(OWNER)
    with (FIXTURES / "district.xlsx").open("rb") as handle:
        response = client.post(reverse("imports:list"), {"file": handle})
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("imports:detail", args=[job.pk])
    # The request only stored the file: the worker reads it.
    assert job.status == JobStatus.READING
    assert "Memeriksa berkas…" in client.get(response.url).content.decode()
    run_queued_tasks()
    job.refresh_from_db()
    page = client.get(response.url).content.decode()
    # The header was found under the title, across the merged two-row header.
    assert job.header_row == 4
    # The levels of the merged header are combined ("Orang Tua" over "Nama Ibu").
    assert job.mapping["Orang Tua / Nama Ibu"] == "mother_name"
    assert job.mapping["Orang Tua / Nama Ayah"] == "father_name"
    assert "Kolom mana berisi apa?" in page

    form = {
        f"col_{i}": "" if job.mapping.get(h) == "ignore" else job.mapping.get(h, "")
        for i, h in enumerate(job.headers)
    }
    response = client.post(reverse("imports:mapping", args=[job.pk]), form)
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == JobStatus.CHECKING
    assert (
        'hx-trigger="every 2s"'
        in client.get(reverse("imports:detail", args=[job.pk])).content.decode()
    )
    run_queued_tasks()
    job.refresh_from_db()
    assert job.status == JobStatus.CHECKED
    assert Person.objects.filter(full_name="Andika Pratama").count() == 0  # a dry run
    assert job.counts["rows"] == 8
    # The scientific-notation NIK and the impossible date are set aside; their people kept.
    assert job.error_rows == job.counts["refused"] == 0
    assert job.counts["same_in_file"] == 2  # an exact repeat and a spelling variant
    page = client.get(reverse("imports:detail", args=[job.pk])).content.decode()
    assert "notasi ilmiah" in page
    assert "bukan tanggal yang sebenarnya" in page

    response = client.post(reverse("imports:start", args=[job.pk]))
    assert response.status_code == 302
    run_queued_tasks()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.failure
    assert job.counts["created"] == 6
    andika = Person.objects.get(full_name="Andika Pratama")
    assert andika.nik == "1471012507150001"
    assert andika.mother_name == "Marlina"
    assert andika.region_id == "14.71.01.1003"
    # The spelling variant row went to the same boy; the service row was recorded.
    assert ImportedRow.objects.filter(job=job, person=andika).count() == 2
    assert Service.objects.filter(person=andika, service_type__code="permakanan").count() == 1
    bunga = Person.objects.get(full_name="Bunga Citra")
    assert bunga.nik == "1471015203140002"  # spaces and dots cleaned
    assert ImportedRow.objects.filter(job=job, person=bunga).count() == 2
    candra = Person.objects.get(full_name="Candra Wijaya")
    assert (candra.nik, candra.nik_unverified) == ("", "")  # Excel lost the digits
    assert Person.objects.get(full_name="Eka Putri").birth_date is None  # 30/02/2012
    # The rows with a value set aside come back as a CSV with the reasons, to fix.
    response = client.get(reverse("imports:rejected", args=[job.pk]))
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "Candra Wijaya" in body and "Eka Putri" in body and "Andika" not in body
    assert "notasi ilmiah" in body
    assert AuditEntry.objects.filter(
        object_type="registry.person", message__contains=f"import #{job.pk}"
    ).exists()


def test_reimporting_the_same_file_creates_nothing(org):
    first = imported("district.xlsx", org)
    people, services = Person.objects.count(), Service.objects.count()
    again = imported("district.xlsx", org)
    assert Person.objects.count() == people
    assert Service.objects.count() == services
    loaded = first.counts["rows"] - first.error_rows
    # The exact repeat inside the file is found first, as before; every other row is
    # recognised as imported before.
    assert again.counts["already"] + again.counts["same_in_file"] == loaded
    assert again.counts["already"] >= first.counts["created"]
    assert again.counts["created"] == again.counts["linked"] == again.counts["review"] == 0


def test_a_stopped_import_resumes_where_it_stopped(org, monkeypatch):
    monkeypatch.setattr(loading, "BATCH_SIZE", 2)
    job = checked("dates.xlsx", org)
    actions.start_import(job, acting_user=user(), background=False)
    original = loading.Loader._load_batch
    calls = {"n": 0}

    def crash_on_second(self, start, end):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("power cut")
        return original(self, start, end)

    monkeypatch.setattr(loading.Loader, "_load_batch", crash_on_second)
    with pytest.raises(RuntimeError):
        actions.run_phase(job.pk, "import")
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.next_index == 2  # the first batch committed whole, the second not at all
    assert ImportedRow.objects.filter(job=job).count() == 2
    assert "RuntimeError" in job.failure

    monkeypatch.setattr(loading.Loader, "_load_batch", original)
    actions.start_import(job, acting_user=user(), background=False)
    actions.run_import(job, acting_user=user())
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    # Every row, Rudi's too (his impossible date set aside), and each problem once.
    assert ImportedRow.objects.filter(job=job).count() == 6
    assert job.problem_count == job.problems.count() == 1
    names = ["Rahmat Hidayat", "Nurul Fitri", "Zulkifli", "Hasanah", "Salmah", "Rudi"]
    for name in names:
        assert Person.objects.filter(full_name=name).count() == 1, name


def test_linking_to_the_registry_and_the_review_queue(as_user, org):
    # The demo registry holds "Muhammad Rizki" (NIK 1471011203140001, 12-03-2014).
    content = (
        b"Nama,NIK,Jenis Kelamin,Tgl Lahir,Kode Wilayah,Nama Ibu\n"
        b"Mohamad Rizky,1471011203140001,L,12/03/2014,14.71.01.1002,\n"
        b"Mochamad Riski,,L,2014,14.71.01.1002,\n"
    )
    job = actions.upload_file(
        SimpleUploadedFile("rizki.csv", content), organisation=org(ORG), acting_user=user()
    )
    actions.start_check(job, acting_user=user(), background=False)
    actions.run_check(job, acting_user=user())
    actions.start_import(job, acting_user=user(), background=False)
    job = actions.run_import(job, acting_user=user())
    rizki = Person.objects.get(nik="1471011203140001")
    assert job.counts["linked"] == 1
    assert ImportedRow.objects.get(job=job, row=2).person == rizki
    review = LinkReview.objects.get(job=job)
    assert review.candidate == rizki
    assert review.record.full_name == "Mochamad Riski"

    client = as_user(OWNER)
    page = client.get(reverse("imports:review", args=[review.pk])).content.decode()
    assert "Mochamad Riski" in page and "Muhammad Rizki" in page
    reads = AuditEntry.objects.filter(action="read", object_type="registry.person")
    assert reads.filter(object_id=str(rizki.pk)).exists()
    response = client.post(reverse("imports:review", args=[review.pk]), {"decision": "merged"})
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == ReviewStatus.MERGED
    merged = Person.objects.get(pk=review.record_id)
    assert merged.merged_into_id == rizki.pk
    merge = PersonMerge.objects.get(pk=review.merge_id)
    # Reversible, and kept in history: the registry's own undo restores both records.
    undo_merge(merge, acting_user=user())
    merged.refresh_from_db()
    assert merged.merged_into_id is None


def test_find_duplicates_on_demand(as_user):
    client = as_user(OWNER)
    response = client.post(reverse("imports:review_scan"))
    assert response.status_code == 302
    # The demo's two records of one boy (spelling variants, one without NIK).
    pair = LinkReview.objects.get(status=ReviewStatus.PENDING, job=None)
    names = {pair.record.full_name, pair.candidate.full_name}
    assert names == {"Muhammad Rizki", "Mohamad Rizky Saputra"}


def test_api_flow(client, bearer, org):
    headers = bearer(OWNER)
    with (FIXTURES / "duplicate_rows.csv").open("rb") as handle:
        response = client.post("/api/v1/imports/", {"file": handle}, **headers)
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "reading"
    run_queued_tasks()
    job = client.get(f"/api/v1/imports/{response.json()['id']}", **headers).json()
    assert job["status"] == "mapping"
    assert job["mapping"]["Nama"] == "full_name"
    response = client.put(
        f"/api/v1/imports/{job['id']}/mapping",
        {"mapping": job["mapping"]},
        content_type="application/json",
        **headers,
    )
    assert response.json()["status"] == "checking"
    run_queued_tasks()
    job = client.get(f"/api/v1/imports/{job['id']}", **headers).json()
    assert job["status"] == "checked"
    assert job["counts"]["same_in_file"] == 2
    problems = client.get(f"/api/v1/imports/{job['id']}/problems", **headers).json()
    assert problems["items"][0]["row"] == 3
    assert client.post(f"/api/v1/imports/{job['id']}/import", **headers).json()["status"] == (
        "importing"
    )
    run_queued_tasks()
    job = client.get(f"/api/v1/imports/{job['id']}", **headers).json()
    assert job["status"] == "done"
    assert job["counts"]["created"] == 2


def test_api_bad_input_gives_clear_messages(client, bearer):
    headers = bearer(OWNER)
    response = client.post(
        "/api/v1/imports/", {"file": SimpleUploadedFile("laporan.pdf", b"%PDF-1.4")}, **headers
    )
    assert response.status_code == 422
    assert "CSV" in response.json()["detail"][0]["msg"]
    response = client.post(
        "/api/v1/imports/",
        {"file": SimpleUploadedFile("lama.xls", b"\xd0\xcf\x11\xe0" + b"\0" * 100)},
        **headers,
    )
    assert response.status_code == 422
    assert ".xlsx" in response.json()["detail"][0]["msg"]
    # No header row: found by the worker, which stops the job with the reason.
    response = client.post(
        "/api/v1/imports/", {"file": SimpleUploadedFile("kosong.csv", b"a,b\n1,2\n")}, **headers
    )
    assert response.status_code == 201
    run_queued_tasks()
    job = client.get(f"/api/v1/imports/{response.json()['id']}", **headers).json()
    assert job["status"] == "failed"
    assert "Nama, NIK" in job["failure"]
    job = ImportJob.objects.create(organisation=user().organisation, file_sha256="x")
    response = client.put(
        f"/api/v1/imports/{job.pk}/mapping",
        {"mapping": {"Nama": "not_a_field"}},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 422


@pytest.mark.parametrize(
    ("username", "list_status", "job_status"),
    [
        (OWNER, 200, 200),  # the data officer who imported
        ("petugas.pekanbaru", 403, 403),  # a colleague without an importing role
        ("pimpinan.jabar", 200, 404),  # an office head of another province
        ("admin", 200, 404),  # network admin: not another organisation's raw files
    ],
)
def test_scope_of_imports(as_user, org, username, list_status, job_status):
    job = checked("nik_problems.csv", org)
    client = as_user(username)
    assert client.get(reverse("imports:list")).status_code == list_status
    assert client.get(reverse("imports:detail", args=[job.pk])).status_code == job_status
    assert client.get(reverse("imports:rejected", args=[job.pk])).status_code == job_status
    reviews = client.get(reverse("imports:reviews"))
    assert reviews.status_code == list_status


def test_api_scope_of_jobs_and_reviews(client, bearer, org):
    job = upload("utf8_bom.csv", org)
    outsider = bearer("pimpinan.jabar")
    assert client.get(f"/api/v1/imports/{job.pk}", **outsider).status_code == 404
    assert client.post(f"/api/v1/imports/{job.pk}/check", **outsider).status_code == 404
    assert client.get("/api/v1/imports/", **outsider).json()["count"] == 0
    colleague = bearer("petugas.pekanbaru")
    assert client.post("/api/v1/imports/reviews/scan", **colleague).status_code == 403


def test_list_pages_do_not_query_per_row(as_user, org, django_assert_max_num_queries):
    client = as_user(OWNER)
    imported("duplicate_rows.csv", org)
    actions.find_duplicates(user().organisation, acting_user=user())  # the demo's pair
    client.get(reverse("imports:list"))  # warm the session and caches
    # The queue presents both records (one query), audits the read (entry and subjects).
    with django_assert_max_num_queries(18) as few:
        client.get(reverse("imports:list"))
        client.get(reverse("imports:reviews"))
    for name in ("utf8_bom.csv", "dates.xlsx", "nik_problems.csv", "district.xlsx"):
        imported(name, org)
    # A possible duplicate of the demo's boy, for a second row on the review list.
    job = actions.upload_file(
        SimpleUploadedFile(
            "riski.csv",
            b"Nama,Jenis Kelamin,Tgl Lahir,Kode Wilayah\nMochamad Riski,L,2014,14.71.01.1002\n",
        ),
        organisation=org(ORG),
        acting_user=user(),
    )
    actions.start_check(job, acting_user=user(), background=False)
    actions.run_check(job, acting_user=user())
    actions.start_import(job, acting_user=user(), background=False)
    actions.run_import(job, acting_user=user())
    actions.find_duplicates(user().organisation, acting_user=user())
    assert LinkReview.objects.count() > 1
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("imports:list"))
        client.get(reverse("imports:reviews"))
