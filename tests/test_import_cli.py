"""`jejaring import`: the job id and exact counts, `--json` for scripts, and `--mapping`
for columns the header names do not give away — a bad mapping stops with a clear
Indonesian message and exit code 2, and nothing is imported."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from jejaring.imports.models import ImportJob, JobStatus, LinkReview
from jejaring.registry.models import Person

ORG = "dinsos-kota-pekanbaru"

pytestmark = pytest.mark.django_db

# Row 4 repeats row 2; row 5 names nobody usable and is refused.
PEOPLE = (
    "Nama,JK,Tgl Lahir,Desa,Pekerjaan\n"
    "Andi Saputra,L,12/03/2014,Sukajadi,Pelajar\n"
    "Rina Wati,P,01/02/2012,Harjosari,\n"
    "Andi Saputra,L,12/03/2014,Sukajadi,Pelajar\n"
    "Siapa Saja,,,,\n"
)
# The names sit under a header nothing recognises.
UNNAMED = "Penerima,JK,Tgl Lahir\nSumarni Lestari,P,05/06/1970\nTigor Siregar,L,07/08/1965\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def run(*args, **options):
    out = io.StringIO()
    call_command("import", *args, organisation=ORG, stdout=out, **options)
    return out.getvalue()


def test_json_summary_is_one_object_with_exact_counts(tmp_path, org):
    people_before = Person.objects.count()
    out = run(write(tmp_path, "data.csv", PEOPLE), json=True)
    summary = json.loads(out)  # nothing else on stdout
    job = ImportJob.objects.get(pk=summary["job"])
    assert summary["status"] == JobStatus.DONE == job.status
    counts = summary["counts"]
    assert set(counts) == {
        "rows",
        "created",
        "linked",
        "review",
        "same_in_file",
        "already",
        "refused",
        "problems",
    }
    assert counts["rows"] == 4
    assert (counts["same_in_file"], counts["refused"]) == (1, 1)
    # The review count is the pairs stored for review, not the rows' outcome alone.
    assert counts["review"] == LinkReview.objects.filter(job=job).count()
    assert counts["problems"] == job.problems.count()
    assert Person.objects.count() - people_before == counts["created"] + job.counts["review"]
    assert summary["unused_columns"] == ["Pekerjaan"]


def test_plain_report_names_the_job_and_its_counts(tmp_path, org):
    out = run(write(tmp_path, "data.csv", PEOPLE))
    job = ImportJob.objects.get()
    last = [line for line in out.splitlines() if line.startswith("impor #")][-1]
    assert last.startswith(f"impor #{job.pk} [")
    assert "4 baris" in last and "1 ditolak" in last and "1 berulang dalam berkas" in last
    assert f"{LinkReview.objects.filter(job=job).count()} pasangan untuk ditinjau" in last
    assert "Kolom yang tidak dibaca: “Pekerjaan”" in out


def test_mapping_file_names_a_column_the_header_does_not(tmp_path, org):
    data = write(tmp_path, "penerima.csv", UNNAMED)
    with pytest.raises(CommandError, match="--mapping"):
        run(data)
    mapping = write(tmp_path, "map.json", json.dumps({"Penerima": "full_name"}))
    summary = json.loads(run(data, mapping=mapping, json=True))
    assert summary["counts"]["created"] == 2
    assert Person.objects.filter(full_name__in=["Sumarni Lestari", "Tigor Siregar"]).count() == 2
    assert ImportJob.objects.get(pk=summary["job"]).mapping["Penerima"] == "full_name"


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"Nama Lengkap": "full_name"}, "Berkas ini tidak memiliki kolom “Nama Lengkap”"),
        ({"Penerima": "nama"}, "“nama” bukan isian yang dapat diimpor"),
        ("not json", "bukan JSON yang sah"),
        (["Penerima", "full_name"], "harus berisi satu objek"),
    ],
)
def test_a_bad_mapping_exits_2_and_imports_nothing(tmp_path, org, mapping, message):
    data = write(tmp_path, "penerima.csv", UNNAMED)
    text = mapping if isinstance(mapping, str) else json.dumps(mapping)
    people_before = Person.objects.count()
    with pytest.raises(CommandError) as error:
        run(data, mapping=write(tmp_path, "map.json", text))
    assert error.value.returncode == 2
    assert message in str(error.value)
    assert Person.objects.count() == people_before
    # A job whose mapping was refused stays, cancelled, for the audit trail.
    assert not ImportJob.objects.exclude(status=JobStatus.CANCELLED).exists()


def test_the_review_count_is_the_pairs_stored_not_the_rows_sent(
    tmp_path, org, client, bearer, as_user
):
    """The old command said "0 for review" with 705 pairs stored: pairs found inside the
    file are stored for review too, on rows whose own outcome is "created"."""
    summary = json.loads(run(write(tmp_path, "data.csv", PEOPLE), json=True))
    job = ImportJob.objects.get(pk=summary["job"])
    people = set(job.rows.exclude(person=None).values_list("person_id", flat=True))
    assert len(people) == 2
    # What the loader stores for a pair found inside the file (engine-independent here).
    LinkReview.objects.create(
        organisation=job.organisation, record_id=max(people), candidate_id=min(people),
        score=3.0, job=job,
    )  # fmt: skip
    assert job.counts["review"] == 0  # no row was sent for review as such
    counts = client.get(f"/api/v1/imports/{job.pk}", **bearer("data.pekanbaru")).json()["counts"]
    assert (counts["review"], counts["review_rows"]) == (1, 0)
    page = as_user("data.pekanbaru").get(reverse("imports:detail", args=[job.pk]))
    assert 'data-count="review_pairs">1<' in page.content.decode()
