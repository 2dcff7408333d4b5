"""What district offices really send: each bad-input case of the committed fixture files
(``tests/fixtures/imports``, made by ``make_fixtures.py``) through the real reader, the
real cleaner and the real dry run, plus the pure functions that read dates, NIKs and
column headers. The 50 MB file is made at test time, never committed."""

import csv
import datetime
import tracemalloc
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files import File
from django.utils import translation

from jejaring.accounts.models import User
from jejaring.imports import actions, columns, pipeline, readers
from jejaring.imports.cleaning import WARNING, RowCleaner, clean_nik, parse_date
from jejaring.imports.models import ImportJob, ImportProblem, RowOutcome
from jejaring.reference.models import PmksCategory
from jejaring.registry.models import BirthDatePrecision

FIXTURES = Path(__file__).parent / "fixtures" / "imports"
ORG = "dinsos-kota-pekanbaru"
OFFICER = "data.pekanbaru"  # the demo's data officer of Dinas Sosial Kota Pekanbaru
TODAY = datetime.date(2026, 6, 1)
MB = 1024 * 1024

# Villages of Sukajadi (14.71.01), Kota Pekanbaru.
JADIREJO, KAMPUNG_TENGAH, HARJOSARI, SUKAJADI = (
    "14.71.01.1002",
    "14.71.01.1003",
    "14.71.01.1006",
    "14.71.01.1007",
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    # Messages are asserted in the source language; one test reads the Indonesian ones.
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def officer():
    return User.objects.get(username=OFFICER)


def upload(path, org, name=None):
    with open(path, "rb") as handle:
        return actions.upload_file(
            File(handle, name=name or path.name), organisation=org(ORG), acting_user=officer()
        )


def dry_run(name, org):
    job = upload(FIXTURES / name, org)
    actions.start_check(job, acting_user=officer(), background=False)
    return actions.run_check(job, acting_user=officer())


def problems(job):
    return [(p.row, p.column, p.severity, p.message) for p in ImportProblem.objects.filter(job=job)]


def plan_of(job):
    """The dry run's plan again (deterministic, writes nothing): cleaned records by their
    spreadsheet row number, and what the import would do with each."""
    plan = pipeline.build_plan(job, officer())
    records = {r.row: r for r in plan.records}
    outcomes = {r.row: plan.outcome[i] for i, r in enumerate(plan.records)}
    targets = {
        r.row: plan.records[plan.target[i]].row
        for i, r in enumerate(plan.records)
        if plan.outcome[i] == RowOutcome.SAME_IN_FILE
    }
    return records, outcomes, targets


def assert_counts(job, **expected):
    assert {key: job.counts[key] for key in expected} == expected


def stored_files(media):
    return [p for p in Path(media).rglob("*") if p.is_file()]


# --- encodings and layouts ------------------------------------------------------------------


def test_windows_1252_csv_with_semicolons(org):
    job = dry_run("latin1_semicolon.csv", org)
    assert (job.file_type, job.encoding) == ("csv", "cp1252")
    assert job.notes == ["The file is not UTF-8; it was read as Windows-1252 (Latin-1)."]
    # Split on the semicolons: twelve columns, not one.
    assert len(job.headers) == 12 and job.headers[1] == "Nama"
    assert_counts(job, rows=2, error_rows=0, created=2)
    assert problems(job) == []
    records, _outcomes, _targets = plan_of(job)
    assert records[3].full_name == "Cut Nyak Dhién"
    # 0x96 is an en dash in Windows-1252 (a control character in ISO Latin-1).
    assert records[2].address == "Jl. Kartini – Gg. Mawar"
    assert records[3].address == "Jl. Hang Tuah Nº 5"
    assert (records[2].region_code, records[3].region_code) == (KAMPUNG_TENGAH, JADIREJO)
    # A category by its code and one by its name.
    assert records[2].category_id == PmksCategory.objects.get(code="anak_jalanan").pk
    assert records[3].category_id == PmksCategory.objects.get(code="anak_terlantar").pk


def test_utf8_csv_with_a_byte_order_mark(org):
    job = dry_run("utf8_bom.csv", org)
    assert job.encoding == "utf-8-sig"
    assert job.notes == []
    # The BOM is not glued to the first header.
    assert job.headers[0] == "No"
    assert job.mapping["No"] == columns.IGNORE and job.mapping["Nama"] == "full_name"
    assert_counts(job, rows=1, error_rows=0, created=1)
    records, _outcomes, _targets = plan_of(job)
    siti = records[2]
    assert siti.full_name == "Siti Aminah"
    assert (siti.birth_date, siti.birth_date_precision) == (
        datetime.date(1951, 7, 1),
        BirthDatePrecision.YEAR,
    )


def test_merged_two_row_header_under_a_title_with_column_numbers_and_blank_rows(org):
    job = dry_run("merged_header.xlsx", org)
    assert job.sheet_name == "Data PMKS"
    # Row 1 title, row 2 blank, rows 3-4 the header, row 5 the column numbers.
    assert job.header_row == 4
    assert job.headers == [
        "No",
        "Nama",
        "NIK",
        "Jenis Kelamin",
        # The levels of the merged header are combined.
        "Kelahiran / Tempat Lahir",
        "Kelahiran / Tgl Lahir",
        "Orang Tua / Ayah",
        "Orang Tua / Ibu",
        "Desa/Kelurahan",
        "Kecamatan",
    ]
    assert job.mapping["Orang Tua / Ibu"] == "mother_name"
    assert job.mapping["Orang Tua / Ayah"] == "father_name"
    assert job.mapping["Kelahiran / Tgl Lahir"] == "birth_date"
    assert job.mapping["Kelahiran / Tempat Lahir"] == "birthplace"
    # The numbering row and the blank rows are not data rows.
    assert_counts(job, rows=2, error_rows=0)
    records, _outcomes, _targets = plan_of(job)
    assert sorted(records) == [6, 9]  # rows 7 and 8 are blank
    dedi, lina = records[6], records[9]
    assert (dedi.full_name, dedi.nik, dedi.mother_name, dedi.father_name) == (
        "Dedi Kurniawan",
        "1471010101150005",
        "Sulastri",
        "Joko",
    )
    assert (lina.full_name, lina.birth_date, lina.birthplace) == (
        "Lina Marlina",
        datetime.date(2013, 12, 12),
        "Pekanbaru",
    )
    assert dedi.region_code == lina.region_code == SUKAJADI


def test_problems_name_the_row_the_officer_sees_in_the_district_file(org):
    # Title, merged two-row header, column numbers and a blank row in the middle.
    job = dry_run("district.xlsx", org)
    assert job.header_row == 4
    found = [(row, column, severity) for row, column, severity, _m in problems(job)]
    # Every problem is a warning: each of these rows names a person with a sex and a
    # village, so each person is imported and only the bad value is set aside.
    assert found == [
        (8, "NIK", WARNING),  # scientific notation: the NIK set aside
        (11, "Tgl Lahir", WARNING),  # 07/25/2015 read as 25/07/2015
        (12, "", WARNING),  # the same as row 7
        (13, "Tgl Lahir", WARNING),  # 30/02/2012: the date set aside
    ]
    records, outcomes, targets = plan_of(job)
    assert sorted(records) == [6, 7, 8, 10, 11, 12, 13, 14]  # row 9 is blank
    assert (records[8].full_name, records[8].nik, records[8].nik_unverified) == (
        "Candra Wijaya",
        "",
        "",  # the digits are gone: nothing to keep, nothing made up
    )
    assert (records[13].full_name, records[13].birth_date) == ("Eka Putri", None)
    assert RowOutcome.REFUSED not in outcomes.values()
    assert records[10].birth_date == datetime.date(2016, 1, 1)  # Excel serial 42370
    assert records[14].birth_date == datetime.date(2011, 4, 4)  # a computed formula
    assert targets == {11: 6, 12: 7}  # Andhika is Andika; row 12 repeats row 7
    assert outcomes[6] == outcomes[7] == RowOutcome.CREATED


# --- formulas and dates ---------------------------------------------------------------------


def test_formula_with_a_cached_value_is_read_and_one_without_is_set_aside(org):
    job = dry_run("formulas.xlsx", org)
    assert_counts(job, rows=2, error_rows=0, refused=0, created=2)
    assert problems(job) == [
        (
            3,
            "Tgl Lahir",
            WARNING,
            "This cell holds a formula (=DATE(2013,6,18)) whose result the file does not "
            "carry. Open the file in Excel, save it, and upload it again. "
            "Set aside: the person is imported without it.",
        )
    ]
    records, _outcomes, _targets = plan_of(job)
    assert records[2].full_name == "Taufik Hidayat"
    assert records[2].birth_date == datetime.date(2012, 5, 17)  # Excel's cached 41046
    # Wulan Sari is kept (a sex and a village), without the date the file does not carry.
    assert (records[3].full_name, records[3].birth_date) == ("Wulan Sari", None)


def test_dates_as_dates_text_serial_numbers_years_and_words(org):
    job = dry_run("dates.xlsx", org)
    assert_counts(job, rows=6, error_rows=0, warnings=1)
    assert problems(job) == [
        (
            7,
            "Tgl Lahir",
            WARNING,
            "31/02/2014 is not a real date. Set aside: the person is imported without it.",
        )
    ]
    records, _outcomes, _targets = plan_of(job)
    exact, year = BirthDatePrecision.EXACT, BirthDatePrecision.YEAR
    read = {row: (r.birth_date, r.birth_date_precision) for row, r in records.items()}
    assert read == {
        2: (datetime.date(2011, 5, 17), exact),  # a real Excel date
        3: (datetime.date(2012, 5, 17), exact),  # "17/05/2012"
        4: (datetime.date(2012, 5, 17), exact),  # serial number 41046
        5: (datetime.date(1950, 7, 1), year),  # "1950"
        6: (datetime.date(2014, 3, 12), exact),  # "12 Maret 2014"
        7: (None, exact),  # "31/02/2014": Rudi is kept, the date set aside
    }


# --- NIKs -----------------------------------------------------------------------------------


def test_nik_in_scientific_notation_is_set_aside_never_truncated(org):
    job = dry_run("nik_problems.csv", org)
    found = {row: (column, severity, message) for row, column, severity, message in problems(job)}
    for row, shown in ((2, "3.2E+15"), (3, "1,47101E+15")):
        column, severity, message = found[row]
        assert (column, severity) == ("NIK", WARNING)
        assert f"“{shown}” is a number Excel turned into scientific notation" in message
        assert "the digits of the NIK are lost" in message
        assert message.endswith("Set aside: the person is imported without it.")
    records, outcomes, _targets = plan_of(job)
    # The people are kept; the NIK is not, not even as unverified digits.
    assert outcomes[2] != RowOutcome.REFUSED and outcomes[3] != RowOutcome.REFUSED
    assert records[2].nik == records[3].nik == records[2].nik_unverified == ""
    assert records[3].nik_unverified == ""
    # No digits were made up from the mantissa.
    assert all(len(r.nik) == 16 for r in records.values() if r.nik)
    assert {r.nik for r in records.values() if r.nik} == {"1471011506900002", "1471012008850003"}


def test_nik_typed_with_spaces_or_dots_is_cleaned_and_accepted(org):
    job = dry_run("nik_problems.csv", org)
    assert not [p for p in problems(job) if p[0] in (4, 5)]
    records, outcomes, _targets = plan_of(job)
    assert records[4].nik == "1471011506900002"  # "1471 0115 0690 0002"
    assert records[5].nik == "1471012008850003"  # "1471.0120.0885.0003"
    assert outcomes[4] == outcomes[5] == RowOutcome.CREATED


def test_nik_contradicting_the_sex_is_kept_unverified(org):
    job = dry_run("nik_problems.csv", org)
    assert_counts(job, rows=5, error_rows=0, refused=0, nik_unverified=1)
    rule = (
        "The NIK's day of birth is 55, which means female, but the person is recorded "
        "as male (women add 40 to the day)."
    )
    assert [p for p in problems(job) if p[0] == 6] == [
        (6, "NIK", WARNING, f"{rule} The NIK is kept on the person as an unverified NIK.")
    ]
    records, _outcomes, _targets = plan_of(job)
    agus = records[6]
    assert (agus.nik, agus.nik_unverified, agus.nik_unverified_reason) == (
        "",
        "1471015506900004",
        rule,
    )
    assert agus.sex == "M"  # as the row says: never read from an unverified NIK


def test_numeric_nik_that_lost_its_last_digit_is_kept_unverified(org):
    job = dry_run("numeric_nik.xlsx", org)
    assert_counts(job, rows=2, error_rows=0, created=2, nik_unverified=1)
    [(row, column, severity, message)] = problems(job)
    assert (row, column, severity) == (2, "NIK", WARNING)
    assert "kept only 15 digits: the last digit is lost" in message
    assert "Format the NIK column as Text" in message
    records, _outcomes, _targets = plan_of(job)
    # What Excel left, kept as it is: unverified, never the NIK, never "corrected".
    assert (records[2].nik, records[2].nik_unverified) == ("", "1471015506900000")
    assert records[2].nik_unverified_reason
    assert records[3].nik == "1471010306880001"  # the NIK typed as text


def test_officer_reads_the_problems_in_indonesian(org):
    with translation.override("id"):
        job = dry_run("nik_problems.csv", org)
    messages = {row: message for row, _c, _s, message in problems(job)}
    assert "notasi ilmiah" in messages[2]
    assert "scientific" not in messages[2]


# --- duplicates inside one file -------------------------------------------------------------


def test_duplicate_rows_in_one_file(org):
    job = dry_run("duplicate_rows.csv", org)
    assert_counts(job, rows=4, created=2, same_in_file=2, warnings=1, file_reviews=0)
    # Only the exact repeat is worth a warning; it names the earlier row.
    assert problems(job) == [(3, "", WARNING, "The same as row 2: imported once.")]
    _records, outcomes, targets = plan_of(job)
    assert outcomes == {
        2: RowOutcome.CREATED,
        3: RowOutcome.SAME_IN_FILE,  # the very same row
        4: RowOutcome.SAME_IN_FILE,  # Mohamad Fauzy, 04/03/2015: the same boy
        5: RowOutcome.CREATED,
    }
    assert targets == {3: 2, 4: 2}


# --- files that cannot be imported ----------------------------------------------------------

XLS_BYTES = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
OLD_EXCEL = (
    "The old Excel format (.xls) cannot be read. In Excel choose File → Save As → Excel "
    "Workbook (.xlsx) or CSV, then upload again."
)


def _xlsx_bytes():
    return (FIXTURES / "dates.xlsx").read_bytes()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "laporan.pdf",
            lambda: b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n",
            "Only CSV and Excel (.xlsx) files can be imported; this file is .pdf.",
        ),
        ("data_pmks.xls", lambda: XLS_BYTES, OLD_EXCEL),
        # An .xls renamed to .csv is still an .xls: the first bytes decide.
        ("data_pmks.csv", lambda: XLS_BYTES, OLD_EXCEL),
        ("data_pmks.csv", _xlsx_bytes, "This file is an Excel workbook: save it with .xlsx."),
        (
            "data_pmks",
            lambda: b"Nama,NIK\n",
            "Only CSV and Excel (.xlsx) files can be imported; this file is .?.",
        ),
        ("kosong.csv", lambda: b"", "The file is empty."),
        (
            "catatan.csv",
            lambda: b"Rapat koordinasi tanggal 5\nhadir 12 orang\n",
            "No header row was found in the first 30 rows. The table needs a row of column "
            "names such as Nama, NIK, Tgl Lahir.",
        ),
    ],
)
def test_file_that_cannot_be_imported_gets_a_clear_message(
    org, tmp_path, media, name, content, message
):
    path = tmp_path / "upload"
    path.write_bytes(content())
    with pytest.raises(ValidationError) as exc_info:
        upload(path, org, name=name)
    assert exc_info.value.messages == [message]
    assert not ImportJob.objects.exists()
    # A refused file is not left behind in storage.
    assert stored_files(media) == []


def test_readers_refuse_the_same_files_by_themselves(tmp_path):
    pdf = tmp_path / "laporan.pdf"
    pdf.write_bytes(b"%PDF-1.4\n")
    with pytest.raises(ValidationError, match=r"this file is \.pdf"):
        readers.open_sheet(pdf, pdf.name)
    xls = tmp_path / "data.xls"
    xls.write_bytes(XLS_BYTES)
    with pytest.raises(ValidationError, match=r"old Excel format \(\.xls\)"):
        readers.open_sheet(xls, xls.name)


# --- size -----------------------------------------------------------------------------------

BIG_HEADER = [
    "No",
    "Nama",
    "NIK",
    "Jenis Kelamin",
    "Tgl Lahir",
    "Alamat",
    "Desa/Kelurahan",
    "Kecamatan",
    "Nama Ibu",
    "Kategori PMKS",
    "Riwayat Asesmen",  # a long narrative column the import does not read
]
GIVEN = ["Ahmad", "Siti", "Budi", "Dewi", "Rizki", "Putri", "Agus", "Nurul", "Joko", "Rina"]
FAMILY = ["Saputra", "Lestari", "Hidayat", "Aminah", "Pratama", "Wahyuni", "Santoso"]
PLACES = [("Kampung Tengah", "Sukajadi"), ("Jadirejo", "Sukajadi"), ("Harjosari", "Sukajadi")]
ASSESSMENT = (
    "Ditemukan di persimpangan jalan oleh petugas Satpol PP; tinggal bersama nenek, orang "
    "tua bekerja di luar kota; perlu pendampingan pekerja sosial dan bantuan permakanan; "
    "sekolah terputus sejak kelas empat. "
) * 6


def write_big_csv(path: Path, size: int) -> int:
    """Valid rows without NIK, names and dates varying, until the file reaches ``size``
    bytes. Returns the number of data rows."""
    rows = 0
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(BIG_HEADER)
        while handle.tell() < size:
            batch = []
            for i in range(rows + 1, rows + 1001):
                village, district = PLACES[i % 3]
                batch.append(
                    [
                        i,
                        f"{GIVEN[i % 10]} {FAMILY[i % 7]}",
                        "",
                        "LP"[i % 2],
                        f"{1 + i % 28:02d}/{1 + i % 12:02d}/{1950 + i % 70}",
                        f"Jl. Jenderal Sudirman Gg. Mawar No. {i % 300}",
                        village,
                        district,
                        "Rosmawati",
                        "anak_jalanan",
                        ASSESSMENT,
                    ]
                )
            writer.writerows(batch)
            rows += len(batch)
    return rows


@pytest.mark.slow  # ~15 s: writes and imports 50 MB
def test_a_50_mb_csv_is_streamed_and_accepted(org, tmp_path):
    path = tmp_path / "rekap_pmks_provinsi.csv"
    written = write_big_csv(path, 50 * MB)
    size = path.stat().st_size
    assert size >= 50 * MB

    lookups = pipeline.load_lookups(org(ORG))
    tracemalloc.start()
    try:
        sheet = readers.open_sheet(path, path.name)
        mapping = columns.guess_mapping(sheet.headers)
        cleaner = RowCleaner(sheet.headers, mapping, lookups)
        seen = rejected = last = 0
        for number, values in sheet.rows:
            record = cleaner.clean(number, values)
            seen += 1
            rejected += record.has_errors
            last = number
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "Riwayat Asesmen" not in mapping
    assert (seen, rejected, last) == (written, 0, written + 1)
    # Streamed: the whole file never sits in memory.
    assert peak < size / 5, f"peak {peak / MB:.1f} MB for a {size / MB:.0f} MB file"

    job = upload(path, org)
    assert job.file_size == size
    assert job.headers == BIG_HEADER
    assert job.mapping["Nama"] == "full_name"


def test_default_upload_limit_is_100_mb():
    assert actions.max_upload_bytes() == 100 * MB


def test_file_over_the_limit_is_refused(org, settings, media):
    path = FIXTURES / "duplicate_rows.csv"
    size = path.stat().st_size
    settings.IMPORT_MAX_BYTES = size - 1
    with pytest.raises(ValidationError) as exc_info:
        upload(path, org)
    [message] = exc_info.value.messages
    assert message.startswith(f"The file is {size}\xa0bytes; the limit is {size - 1}\xa0bytes.")
    assert message.endswith("Split it into smaller files.")
    assert not ImportJob.objects.exists()
    assert stored_files(media) == []
    # A file of exactly the limit is accepted.
    settings.IMPORT_MAX_BYTES = size
    assert upload(path, org).file_size == size


# --- pure functions -------------------------------------------------------------------------

EXACT, YEAR = BirthDatePrecision.EXACT, BirthDatePrecision.YEAR


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime.datetime(2011, 5, 17, 0, 0), (datetime.date(2011, 5, 17), EXACT)),
        (datetime.date(2011, 5, 17), (datetime.date(2011, 5, 17), EXACT)),
        ("17/05/2012", (datetime.date(2012, 5, 17), EXACT)),
        ("17-05-2012", (datetime.date(2012, 5, 17), EXACT)),
        ("17.05.2012", (datetime.date(2012, 5, 17), EXACT)),
        ("2012-05-17", (datetime.date(2012, 5, 17), EXACT)),
        ("12/03/14", (datetime.date(2014, 3, 12), EXACT)),  # two digits: not in the future
        ("12/03/85", (datetime.date(1985, 3, 12), EXACT)),
        ("29/02/2016", (datetime.date(2016, 2, 29), EXACT)),
        (41046, (datetime.date(2012, 5, 17), EXACT)),  # Excel serial number
        (41046.0, (datetime.date(2012, 5, 17), EXACT)),
        ("1950", (datetime.date(1950, 7, 1), YEAR)),
        (1950, (datetime.date(1950, 7, 1), YEAR)),
        ("12 Maret 2014", (datetime.date(2014, 3, 12), EXACT)),
        ("5 Agustus 1999", (datetime.date(1999, 8, 5), EXACT)),
        ("5 Agt. 1999", (datetime.date(1999, 8, 5), EXACT)),
        ("17 Desember 2010", (datetime.date(2010, 12, 17), EXACT)),
    ],
)
def test_parse_date_reads_indonesian_dates(value, expected):
    date, precision, error, warning = parse_date(value, TODAY)
    assert (date, precision) == expected
    assert (error, warning) == ("", "")


@pytest.mark.parametrize(
    ("value", "expected", "warning"),
    [
        (
            "41046",
            datetime.date(2012, 5, 17),
            "41046 was read as an Excel date number: 17/05/2012.",
        ),
        (
            "05/25/2015",
            datetime.date(2015, 5, 25),
            "05/25/2015 looks like month/day; read as 25/05/2015.",
        ),
    ],
)
def test_parse_date_says_what_it_assumed(value, expected, warning):
    assert parse_date(value, TODAY) == (expected, EXACT, "", warning)


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("31/02/2014", "31/02/2014 is not a real date."),
        ("29/02/2015", "29/02/2015 is not a real date."),
        ("13/13/2014", "13/13/2014 is not a real date."),
        ("kemarin", "“kemarin” is not a date; write it as dd/mm/yyyy."),
        (0, "0 is not a date."),
    ],
)
def test_parse_date_errors(value, error):
    assert parse_date(value, TODAY) == (None, "", error, "")


@pytest.mark.parametrize("value", [None, "", " ", "-", "0"])
def test_parse_date_empty_cell_is_no_date(value):
    assert parse_date(value, TODAY) == (None, EXACT, "", "")


@pytest.mark.parametrize(
    ("value", "digits"),
    [
        ("1471 0115 0690 0002", "1471011506900002"),
        ("1471.0120.0885.0003", "1471012008850003"),
        ("1471-0115-0690-0002", "1471011506900002"),
        ("'1471011506900002", "1471011506900002"),  # Excel's text prefix, exported literally
        (" 1471011506900002 ", "1471011506900002"),
    ],
)
def test_clean_nik_strips_what_people_type(value, digits):
    assert clean_nik(value, "NIK") == (digits, "", "")


@pytest.mark.parametrize("value", ["3.2E+15", "1,47101E+15", "1.47101e15", "1.47101E+15"])
def test_clean_nik_refuses_scientific_notation(value):
    digits, error, warning = clean_nik(value, "NIK")
    assert digits == "" and warning == ""
    assert error == (
        f"“{value}” is a number Excel turned into scientific notation: the digits of the NIK "
        "are lost. Format the NIK column as Text, type the number again and re-export."
    )


@pytest.mark.parametrize("value", [1471015506900000, 1471015506900000.0])
def test_clean_nik_distrusts_a_number_that_lost_its_sixteenth_digit(value):
    digits, error, warning = clean_nik(value, "No KK")
    # The digits Excel left are returned to be kept as unverified, with the reason.
    assert (digits, warning) == ("1471015506900000", "")
    assert "kept only 15 digits: the last digit is lost" in error
    assert "Format the No KK column as Text" in error


@pytest.mark.parametrize("value", [1471011506900002, 1471011506900002.0])
def test_clean_nik_keeps_a_whole_number_with_a_warning(value):
    assert clean_nik(value, "NIK") == (
        "1471011506900002",
        "",
        "The NIK was stored as a number; format the column as Text in Excel.",
    )


@pytest.mark.parametrize("value", [None, ""])
def test_clean_nik_empty(value):
    assert clean_nik(value, "NIK") == ("", "", "")


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Nama Lengkap", "full_name"),
        ("NAMA PENERIMA MANFAAT", "full_name"),
        ("1. Nama", "full_name"),
        ("NIK", "nik"),
        ("No. KK", "kk_number"),
        ("Tgl. Lahir", "birth_date"),
        ("Tangal Lahir", "birth_date"),  # a typo, accepted by similarity
        ("Tempat Lahir", "birthplace"),
        ("JK", "sex"),
        ("L/P", "sex"),
        ("Desa/Kel.", "village"),
        ("Kecamatan", "district"),
        ("Kab/Kota", "regency"),
        ("Nama Ibu Kandung", "mother_name"),
        ("TTL", "birth_place_date"),
        ("Tempat/Tanggal Lahir", "birth_place_date"),
        ("RT/RW", "rt_rw"),
        ("No. HP", "phone"),
        ("No", columns.IGNORE),
        ("Tgl Lahir (dd/mm/yyyy)", "birth_date"),
        ("Jenis Kelamin (L/P)", "sex"),
        ("Nama Ayah Kandung", "father_name"),
    ],
)
def test_recognise_real_headers(header, field):
    assert columns.recognise(header) == field


@pytest.mark.parametrize("header", ["Pekerjaan", "Riwayat Asesmen", "Foto", "", None])
def test_recognise_unknown_headers(header):
    assert columns.recognise(header) is None


def test_guess_mapping_gives_each_field_to_its_first_column():
    headers = [
        "No",
        "Nama Lengkap",
        "NIK",
        "No. KK",
        "JK",
        "L/P",
        "TTL",
        "Desa/Kel.",
        "Kecamatan",
        "Nama Ibu Kandung",
        "Pekerjaan",
    ]
    assert columns.guess_mapping(headers) == {
        "No": columns.IGNORE,
        "Nama Lengkap": "full_name",
        "NIK": "nik",
        "No. KK": "kk_number",
        "JK": "sex",  # "L/P" names the sex too: the first column keeps it
        "TTL": "birth_place_date",
        "Desa/Kel.": "village",
        "Kecamatan": "district",
        "Nama Ibu Kandung": "mother_name",
    }
    assert columns.missing_required(columns.guess_mapping(headers)) == []
    assert columns.missing_required(columns.guess_mapping(["NIK", "JK"])) == ["Full name"]


def test_place_and_date_of_birth_in_one_column(org):
    cleaner = RowCleaner(
        ["Nama", "TTL", "JK"],
        columns.guess_mapping(["Nama", "TTL", "JK"]),
        pipeline.load_lookups(org(ORG)),
    )
    record = cleaner.clean(2, ["Andi Saputra", "Pekanbaru, 12-03-2014", "L"])
    assert record.problems == []
    assert (record.birthplace, record.birth_date) == ("Pekanbaru", datetime.date(2014, 3, 12))


def test_header_is_found_below_a_title_in_a_csv(tmp_path):
    path = tmp_path / "rekap.csv"
    path.write_text(
        "REKAP DATA PPKS KECAMATAN SUKAJADI\n\nNama,NIK,Tgl Lahir\nAndi,,12/03/2014\n",
        encoding="utf-8",
    )
    sheet = readers.open_sheet(path, path.name)
    assert (sheet.header_row, sheet.headers) == (3, ["Nama", "NIK", "Tgl Lahir"])
    assert list(sheet.rows) == [(4, ["Andi", "", "12/03/2014"])]
