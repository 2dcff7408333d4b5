"""The import never loses a person: a row that names someone and carries anything else
to know them by is imported, each bad value judged on its own (a NIK that fails a rule
kept as an unverified NIK with its reason, a bad date set aside), and only a row with no
usable identity is refused — stored all the same, so every row is traceable. Through the
real actions, the real cleaner and the registry."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from jejaring.accounts.models import User
from jejaring.audit.models import AuditEntry
from jejaring.cases.models import Service
from jejaring.imports import actions
from jejaring.imports.models import ImportedRow, ImportProblem, RowOutcome
from jejaring.registry.models import Person

ORG = "dinsos-kota-pekanbaru"
OFFICER = "data.pekanbaru"
JADIREJO = "14.71.01.1002"  # a village of Sukajadi, Kota Pekanbaru

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings, tmp_path):
    # Messages are asserted in the source language.
    settings.MEDIA_ROOT = tmp_path / "media"
    with translation.override("en"):
        yield


def officer():
    return User.objects.get(username=OFFICER)


def csv_bytes(header, rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode()


def run(name, content, org, *, load=True):
    job = actions.upload_file(
        SimpleUploadedFile(name, content), organisation=org(ORG), acting_user=officer()
    )
    actions.start_check(job, acting_user=officer(), background=False)
    job = actions.run_check(job, acting_user=officer())
    if load:
        actions.start_import(job, acting_user=officer(), background=False)
        job = actions.run_import(job, acting_user=officer())
    return job


def row(job, number) -> ImportedRow:
    return ImportedRow.objects.get(job=job, row=number)


# Each kind of NIK damage offices' files carry, on a person who is otherwise clear: name,
# sex, birth date, village. (name, NIK cell, sex, birth date, kept digits, reason part)
DAMAGED = [
    ("Adi Wibowo", "147101120314000", "L", "12/03/2014", "147101120314000", "16 digits"),
    ("Bayu Anggara", "14710112O3140002", "L", "12/03/2014", "14710112O3140002", "digits only"),
    ("Cahya Ningsih", "1471017203140003", "P", "12/03/2014", "1471017203140003", "7 to 12"),
    ("Dani Prakoso", "1471011203150004", "L", "12/03/2014", "1471011203150004", "birth date"),
    ("Erni Susanti", "1471011203140005", "P", "12/03/2014", "1471011203140005", "female"),
    ("Fikri Hakim", "9971011203140006", "L", "12/03/2014", "9971011203140006", "province"),
    ("Gita Permata", "1471015203140000", "P", "12/03/2014", "1471015203140000", "0000"),
    # A 16-digit number Excel stored as a number: its last digit became 0.
    ("Hadi Saputro", 1471011203140000, "L", "12/03/2014", "1471011203140000", "15 digits"),
]


def test_every_kind_of_damaged_nik_keeps_the_person_with_the_nik_unverified(org, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Nama", "NIK", "Jenis Kelamin", "Tgl Lahir", "Kode Wilayah"])
    for name, nik, sex, born, _digits, _reason in DAMAGED:
        sheet.append([name, nik, sex, born, JADIREJO])
    # Scientific notation: the digits are gone; the person is kept, the NIK set aside.
    sheet.append(["Indah Lestari", "1.47101E+15", "P", "09/09/2013", JADIREJO])
    path = tmp_path / "nik_rusak.xlsx"
    book.save(path)
    job = run("nik_rusak.xlsx", path.read_bytes(), org)
    assert job.counts["refused"] == 0 and job.error_rows == 0
    assert job.counts["rows"] == len(DAMAGED) + 1
    for number, (name, _nik, sex, born, digits, reason) in enumerate(DAMAGED, start=2):
        person = Person.objects.get(full_name=name)
        assert person.nik == "", name  # never the NIK: it failed a rule
        assert person.nik_unverified == digits, name  # as given, never "corrected"
        assert reason in person.nik_unverified_reason, (name, person.nik_unverified_reason)
        assert person.sex == {"L": "M", "P": "F"}[sex]
        assert person.birth_date == datetime.datetime.strptime(born, "%d/%m/%Y").date()
        assert person.region_id == JADIREJO
        imported = row(job, number)
        assert imported.person == person
        [problem] = [p for p in imported.problems if p["column"] == "NIK"]
        assert problem["kept"] and problem["severity"] == "warning"
        assert "kept on the person as an unverified NIK" in problem["message"]
    indah = Person.objects.get(full_name="Indah Lestari")
    assert (indah.nik, indah.nik_unverified) == ("", "")
    [problem] = row(job, len(DAMAGED) + 2).problems
    assert not problem["kept"] and "scientific notation" in problem["message"]


def test_sex_is_not_read_from_an_unverified_nik(org):
    # The NIK's day field says female (52), but its birth date disagrees with the row's:
    # the NIK is unverified, so it says nothing about the sex either.
    content = csv_bytes(
        ["Nama", "NIK", "Tgl Lahir", "Kode Wilayah"],
        [["Juwita Sari", "1471015203140009", "13/03/2014", JADIREJO]],
    )
    job = run("jk.csv", content, org)
    person = Person.objects.get(full_name="Juwita Sari")
    assert (person.nik, person.nik_unverified, person.sex) == ("", "1471015203140009", "")
    assert job.counts["created"] == 1


def test_only_a_row_with_no_usable_identity_is_refused(org):
    content = csv_bytes(
        ["Nama", "Tgl Lahir", "Jenis Kelamin", "Kode Wilayah"],
        [
            ["Sutrisno", "", "", ""],  # a name alone: refused
            ["Sutarno", "1970", "", ""],  # a name and a year: kept
            ["Sumarni", "", "P", ""],  # a name and a sex: kept
            ["Suparmi", "", "", JADIREJO],  # a name and a village: kept
            ["", "1980", "L", JADIREJO],  # no name: refused
            ["12345", "1980", "L", JADIREJO],  # a name without letters: refused
        ],
    )
    job = run("identitas.csv", content, org)
    assert job.counts["refused"] == 3 and job.error_rows == 3
    assert job.counts["created"] == 3
    assert Person.objects.get(full_name="Sutarno").birth_year == 1970
    assert Person.objects.get(full_name="Sumarni").sex == "F"
    assert Person.objects.get(full_name="Suparmi").region_id == JADIREJO
    assert not Person.objects.filter(full_name="Sutrisno").exists()
    # Every row is traceable, the refused ones too: no person, and the reason.
    assert ImportedRow.objects.filter(job=job).count() == 6
    for number in (2, 6, 7):
        refused = row(job, number)
        assert refused.outcome == RowOutcome.REFUSED and refused.person is None
        assert refused.problems and all(p["severity"] == "error" for p in refused.problems)
    messages = " ".join(p["message"] for p in row(job, 2).problems)
    assert "no birth date or year, no sex and no village" in messages
    assert row(job, 3).outcome == RowOutcome.CREATED


def test_a_bad_date_is_set_aside_and_the_person_kept(org):
    content = csv_bytes(
        ["Nama", "Tgl Lahir", "Jenis Kelamin", "Kategori PMKS"],
        [["Wati Handayani", "31/02/2014", "P", "bukan_kategori"]],
    )
    job = run("tanggal.csv", content, org)
    wati = Person.objects.get(full_name="Wati Handayani")
    assert (wati.birth_date, wati.sex) == (None, "F")
    problems = {p["column"]: p for p in row(job, 2).problems}
    assert problems["Tgl Lahir"]["severity"] == "warning" and not problems["Tgl Lahir"]["kept"]
    assert problems["Tgl Lahir"]["message"] == (
        "31/02/2014 is not a real date. Set aside: the person is imported without it."
    )
    assert not problems["Kategori PMKS"]["kept"]  # an unknown category, set aside too
    assert not wati.categories.exists()


def test_a_service_that_cannot_be_recorded_is_set_aside(org):
    content = csv_bytes(
        ["Nama", "Jenis Kelamin", "Tgl Lahir", "Kategori PMKS", "Jenis Layanan", "Tgl Layanan"],
        [["Rahmat Hidayat", "L", "01/01/2012", "anak_jalanan", "permakanan", "01/01/2099"]],
    )
    job = run("layanan.csv", content, org)
    person = Person.objects.get(full_name="Rahmat Hidayat")
    assert not Service.objects.filter(person=person).exists()
    [problem] = [p for p in row(job, 2).problems if p["column"] == "Tgl Layanan"]
    assert "The service is not recorded; the person is imported." in problem["message"]
    assert job.counts["created"] == 1


def test_problem_count_is_exact_past_five_thousand(org):
    given = ["Agus", "Budi", "Cici", "Dedi", "Euis", "Fajar", "Gilang", "Hesti", "Indra", "Joni"]
    middle = ["Arya", "Bima", "Candra", "Dwi", "Eka", "Fitri", "Galih", "Hari", "Ika", "Jaya"]
    family = [f"{a}{b}" for a in ("Su", "Wi", "Ha", "Pra", "Sa", "Ku") for b in "rtnmlk"]
    rows = []
    for i in range(6000):
        name = f"{given[i % 10]} {middle[i // 10 % 10]} {family[i // 100 % 36]}"
        born = datetime.date(1950, 1, 1) + datetime.timedelta(days=i * 3)
        # "X" is no sex: one warning per row, each person kept (name and birth date).
        rows.append([name, born.strftime("%d/%m/%Y"), "X"])
    content = csv_bytes(["Nama", "Tgl Lahir", "Jenis Kelamin"], rows)
    job = run("banyak.csv", content, org, load=False)
    assert job.problem_count == 6000 == ImportProblem.objects.filter(job=job).count()
    actions.start_import(job, acting_user=officer(), background=False)
    job = actions.run_import(job, acting_user=officer())
    assert job.problem_count == 6000 == ImportProblem.objects.filter(job=job).count()
    assert job.counts["problems"] == 6000 and job.counts["refused"] == 0
    assert ImportedRow.objects.filter(job=job).count() == 6000


def test_column_report_says_what_was_kept_and_set_aside(org, as_user):
    content = csv_bytes(
        ["Nama", "NIK", "Jenis Kelamin", "Tgl Lahir", "Catatan"],
        [
            ["Ani Lestari", "1471015203140009", "P", "12/03/2014", "x"],  # all kept
            ["Budi Santoso", "12345", "L", "kemarin", "x"],  # NIK unverified, date aside
            ["Citra Dewi", "", "X", "2010", ""],  # sex set aside
            ["Dodi", "", "", "", ""],  # refused: its name cell set aside
        ],
    )
    job = actions.upload_file(
        SimpleUploadedFile("laporan.csv", content), organisation=org(ORG), acting_user=officer()
    )
    actions.set_mapping(
        job,
        {"Nama": "full_name", "NIK": "nik", "Jenis Kelamin": "sex", "Tgl Lahir": "birth_date"},
        acting_user=officer(),
    )
    actions.start_check(job, acting_user=officer(), background=False)
    job = actions.run_check(job, acting_user=officer())
    report = {entry["column"]: entry for entry in job.column_report}
    assert set(report) == {"Nama", "NIK", "Jenis Kelamin", "Tgl Lahir"}  # mapped columns only
    assert report["Nama"] == {
        "column": "Nama",
        "field": "full_name",
        "kept": 3,
        "set_aside": 1,
        "reasons": {"The row was refused: no usable identity.": 1},
    }
    assert (report["NIK"]["kept"], report["NIK"]["set_aside"]) == (2, 0)
    assert report["NIK"]["reasons"] == {"Unverified: not 16 digits.": 1}
    assert (report["Jenis Kelamin"]["kept"], report["Jenis Kelamin"]["set_aside"]) == (2, 1)
    assert report["Jenis Kelamin"]["reasons"] == {"Not a sex (L or P).": 1}
    assert (report["Tgl Lahir"]["kept"], report["Tgl Lahir"]["set_aside"]) == (2, 1)
    assert report["Tgl Lahir"]["reasons"] == {"Not a date that can be read.": 1}
    # The import reports the same.
    actions.start_import(job, acting_user=officer(), background=False)
    job = actions.run_import(job, acting_user=officer())
    assert {e["column"]: e for e in job.column_report} == report
    assert job.counts["refused"] == 1 and job.counts["created"] == 3
    # On the page, and the rows worth fixing (refused, set aside, unverified) as a CSV.
    client = as_user(OFFICER)
    page = client.get(reverse("imports:detail", args=[job.pk])).content.decode()
    assert 'id="column-report"' in page
    assert '<tr data-field="birth_date">' in page
    response = client.get(reverse("imports:rejected", args=[job.pk]))
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "Budi Santoso" in body and "Citra Dewi" in body and "Dodi" in body
    assert "Ani Lestari" not in body


def test_a_nik_held_under_another_name_keeps_the_person_with_the_nik_unverified(org):
    # The demo registry holds Muhammad Rizki with NIK 1471011203140001, visible to the
    # officer. A row giving that NIK to somebody else entirely, and two rows sharing a
    # fresh NIK under two names.
    content = csv_bytes(
        ["Nama", "NIK", "Jenis Kelamin", "Tgl Lahir", "Kode Wilayah"],
        [
            ["Bambang Sutejo", "1471011203140001", "L", "12/03/2014", "14.71.01.1006"],
            ["Yuni Astuti", "1471014808110002", "P", "08/08/2011", JADIREJO],
            ["Rina Hartati", "1471014808110002", "P", "08/08/2011", JADIREJO],
        ],
    )
    job = run("bentrok.csv", content, org)
    assert job.counts["refused"] == 0
    bambang = Person.objects.get(full_name="Bambang Sutejo")
    assert (bambang.nik, bambang.nik_unverified) == ("", "1471011203140001")
    assert "already registered under another name" in bambang.nik_unverified_reason
    assert Person.objects.get(full_name="Muhammad Rizki").nik == "1471011203140001"
    assert Person.objects.get(full_name="Yuni Astuti").nik == "1471014808110002"
    rina = Person.objects.get(full_name="Rina Hartati")
    assert (rina.nik, rina.nik_unverified) == ("", "1471014808110002")
    assert "earlier row" in rina.nik_unverified_reason
    assert rina.sex == "F"


def test_a_row_linked_to_a_person_without_a_nik_gives_its_nik(org):
    # The same girl twice: first without a NIK, then with one. The second row goes to the
    # person the first created, and its NIK is not lost.
    content = csv_bytes(
        ["Nama", "NIK", "Jenis Kelamin", "Tgl Lahir", "Kode Wilayah", "Nama Ibu"],
        [
            ["Dewi Sartika", "", "P", "05/05/2012", JADIREJO, "Siti Aminah"],
            ["Dewi Sartika", "1471014505120003", "P", "05/05/2012", JADIREJO, "Siti Aminah"],
        ],
    )
    job = run("nik_susulan.csv", content, org)
    assert row(job, 3).outcome == RowOutcome.SAME_IN_FILE
    dewi = Person.objects.get(full_name="Dewi Sartika")
    assert row(job, 2).person == row(job, 3).person == dewi
    assert (dewi.nik, dewi.nik_unverified) == ("1471014505120003", "")
    assert AuditEntry.objects.filter(
        object_type="registry.person", object_id=str(dewi.pk), message__contains="nik"
    ).exists()


def test_the_officer_reads_what_was_kept_in_indonesian(org):
    content = csv_bytes(
        ["Nama", "NIK", "Jenis Kelamin", "Tgl Lahir"],
        [["Ujang Dadang", "1471011203140001", "L", "kemarin"]],
    )
    with translation.override("id"):
        job = run("bahasa.csv", content, org, load=False)
    messages = " ".join(ImportProblem.objects.filter(job=job).values_list("message", flat=True))
    assert "Disisihkan: orangnya tetap diimpor tanpa nilai ini." in messages
    assert "NIK ini sudah tercatat atas nama lain" in messages  # Muhammad Rizki's NIK
    report = {entry["field"]: entry for entry in job.column_report}
    assert report["birth_date"]["reasons"] == {"Bukan tanggal yang dapat dibaca.": 1}
    assert report["nik"]["reasons"] == {"Belum terverifikasi: terdaftar atas nama lain.": 1}


def test_an_unverified_nik_of_a_row_linked_to_a_person_with_a_nik_is_kept(org):
    content = csv_bytes(
        ["Nama", "NIK", "Jenis Kelamin", "Tgl Lahir", "Kode Wilayah", "Nama Ibu"],
        [
            ["Dewi Sartika", "1471014505120003", "P", "05/05/2012", JADIREJO, "Siti Aminah"],
            # The same girl, her NIK typed one digit short: it fails a rule.
            ["Dewi Sartika", "147101450512000", "P", "05/05/2012", JADIREJO, "Siti Aminah"],
        ],
    )
    job = run("nik_pendek.csv", content, org)
    assert row(job, 3).outcome == RowOutcome.SAME_IN_FILE
    dewi = Person.objects.get(full_name="Dewi Sartika")
    assert (dewi.nik, dewi.nik_unverified) == ("1471014505120003", "147101450512000")
    assert "16 digits" in dewi.nik_unverified_reason


def test_a_cluster_without_nik_on_its_first_row_still_keeps_two_niks_apart(org):
    # The registry holds Budi with one NIK; the file has a Budi without a NIK and, next,
    # a Budi with another valid NIK. The two rows are one person in the file; compared
    # with the registry through the first row alone, they would join a person holding a
    # different verified NIK. The cluster's NIK goes with it, so they do not.
    from tests.helpers import SUKAJADI_VILLAGE, register_person

    holder = register_person(
        full_name="Budi Santoso",
        nik="1471010101100001",
        birth_date=datetime.date(2010, 1, 1),
    )
    content = csv_bytes(
        ["Nama", "NIK", "Jenis Kelamin", "Tgl Lahir", "Kode Wilayah"],
        [
            ["Budi Santoso", "", "L", "01/01/2010", SUKAJADI_VILLAGE],
            ["Budi Santoso", "1471010101100002", "L", "01/01/2010", SUKAJADI_VILLAGE],
        ],
    )
    job = run("dua_nik.csv", content, org)
    rows = list(ImportedRow.objects.filter(job=job).order_by("row"))
    assert all(r.person_id != holder.pk for r in rows)
    holder.refresh_from_db()
    assert holder.nik == "1471010101100001" and holder.nik_unverified == ""
    assert Person.objects.filter(nik="1471010101100002").exists()
