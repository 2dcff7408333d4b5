"""Which column holds what, in the files district offices really make: headers over two or
three rows (merged cells in Excel, blanks in a CSV), columns recognised by what they hold
when their header is unclear or misleading, and the columns nothing reads, listed on the
job, the page and the API so no data is lost unseen."""

import datetime

import pytest
from django.core.files import File
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook

from jejaring.accounts.models import User
from jejaring.imports import actions, columns, pipeline, readers
from jejaring.imports.cleaning import RowCleaner
from jejaring.imports.models import ColumnMapping, JobStatus

ORG = "dinsos-kota-pekanbaru"
OFFICER = "data.pekanbaru"
# Villages of Sukajadi (14.71.01), Kota Pekanbaru, in the demo's regions.
KAMPUNG_TENGAH, HARJOSARI, SUKAJADI = "14.71.01.1003", "14.71.01.1006", "14.71.01.1007"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def officer():
    return User.objects.get(username=OFFICER)


def upload(path, org):
    with open(path, "rb") as handle:
        return actions.upload_file(
            File(handle, name=path.name), organisation=org(ORG), acting_user=officer()
        )


def cleaned(job, org):
    """The rows of the job's file as the check cleans them, by spreadsheet row number."""
    sheet = readers.open_sheet(job.file.path, job.original_name)
    cleaner = RowCleaner(sheet.headers, job.mapping, pipeline.load_lookups(org(ORG)))
    return {number: cleaner.clean(number, values) for number, values in sheet.rows}


def district_workbook(path):
    """As offices make them: a title, then "Kelahiran" merged over "Tempat" / "Tanggal"
    and "Alamat" over "Jalan/RT/RW" / "Desa", the other labels merged down two rows."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Data PPKS"
    ws.append(["DATA PPKS KECAMATAN SUKAJADI 2026"])
    ws.merge_cells("A1:I1")
    ws.append(["No", "Nama", "NIK", "Jenis Kelamin", "Kelahiran", None, "Alamat", None,
               "Pekerjaan"])  # fmt: skip
    ws.append([None, None, None, None, "Tempat", "Tanggal", "Jalan/RT/RW", "Desa", None])
    for cells in ("A2:A3", "B2:B3", "C2:C3", "D2:D3", "E2:F2", "G2:H2", "I2:I3"):
        ws.merge_cells(cells)
    ws.append([1, "Dedi Kurniawan", "1471010101150005", "L", "Pekanbaru",
               datetime.date(2015, 1, 1), "Jl. Kartini 3 RT 01/RW 02", "Kampung Tengah",
               "Pelajar"])  # fmt: skip
    ws.append([2, "Lina Marlina", None, "P", "Pekanbaru", "12/12/2013", "Gg. Mawar",
               "Harjosari", None])  # fmt: skip
    wb.save(path)
    return path


# --- multi-row headers ---------------------------------------------------------------------


def test_merged_two_level_xlsx_header_keeps_birth_date_and_village(org, tmp_path):
    job = upload(district_workbook(tmp_path / "ppks.xlsx"), org)
    assert job.headers == [
        "No",
        "Nama",
        "NIK",
        "Jenis Kelamin",
        "Kelahiran / Tempat",
        "Kelahiran / Tanggal",
        "Alamat / Jalan/RT/RW",
        "Alamat / Desa",
        "Pekerjaan",
    ]
    assert job.mapping == {
        "No": columns.IGNORE,
        "Nama": "full_name",
        "NIK": "nik",
        "Jenis Kelamin": "sex",
        "Kelahiran / Tempat": "birthplace",
        "Kelahiran / Tanggal": "birth_date",
        "Alamat / Jalan/RT/RW": "address",
        "Alamat / Desa": "village",
    }
    # The data starts after the band; row numbers stay the spreadsheet's own.
    assert job.header_row == 3
    assert "The header spans rows 2 to 3" in job.notes[0]
    rows = cleaned(job, org)
    assert sorted(rows) == [4, 5]
    dedi, lina = rows[4], rows[5]
    assert (dedi.birth_date, dedi.birthplace, dedi.region_code) == (
        datetime.date(2015, 1, 1),
        "Pekanbaru",
        KAMPUNG_TENGAH,
    )
    assert dedi.address.startswith("Jl. Kartini")
    assert (lina.birth_date, lina.region_code) == (datetime.date(2013, 12, 12), HARJOSARI)


def test_csv_with_a_two_row_header(tmp_path):
    path = tmp_path / "rekap.csv"
    path.write_text(
        "Nama;NIK;Kelahiran;;Alamat;\n"
        ";;Tempat;Tanggal;Jalan;Desa\n"
        "Andi Saputra;;Pekanbaru;12/03/2014;Jl. Melati;Sukajadi\n"
        "Rina Wati;;Dumai;01/02/2012;Jl. Mawar;Harjosari\n",
        encoding="utf-8",
    )
    sheet = readers.open_sheet(path, path.name)
    assert sheet.headers == [
        "Nama",
        "NIK",
        "Kelahiran / Tempat",
        "Kelahiran / Tanggal",
        "Alamat / Jalan",
        "Alamat / Desa",
    ]
    assert columns.guess_mapping(sheet.headers) == {
        "Nama": "full_name",
        "NIK": "nik",
        "Kelahiran / Tempat": "birthplace",
        "Kelahiran / Tanggal": "birth_date",
        "Alamat / Jalan": "address",
        "Alamat / Desa": "village",
    }
    assert (sheet.header_top_row, sheet.header_row) == (1, 2)
    assert [number for number, _values in sheet.rows] == [3, 4]


def test_three_row_header_whose_last_level_names_nothing_new(tmp_path):
    # "Orang Tua" over "Ibu" / "Ayah" over "Nama" / "NIK": the third row adds no field
    # (a parent's NIK is not the person's), yet it is header, not a first data row.
    path = tmp_path / "tiga.csv"
    path.write_text(
        "DATA ANAK TERLANTAR\n"
        "Nama,Kelahiran,,Orang Tua,,,\n"
        ",Tempat,Tanggal,Ibu,,Ayah,\n"
        ",,,Nama,NIK,Nama,NIK\n"
        "Putri Ayu,Pekanbaru,05/05/2016,Sulastri,1471014101800001,Joko,1471010101780001\n",
        encoding="utf-8",
    )
    sheet = readers.open_sheet(path, path.name)
    assert sheet.headers == [
        "Nama",
        "Kelahiran / Tempat",
        "Kelahiran / Tanggal",
        "Orang Tua / Ibu / Nama",
        "Orang Tua / Ibu / NIK",
        "Orang Tua / Ayah / Nama",
        "Orang Tua / Ayah / NIK",
    ]
    assert columns.guess_mapping(sheet.headers) == {
        "Nama": "full_name",
        "Kelahiran / Tempat": "birthplace",
        "Kelahiran / Tanggal": "birth_date",
        "Orang Tua / Ibu / Nama": "mother_name",
        "Orang Tua / Ayah / Nama": "father_name",
    }
    assert (sheet.header_top_row, sheet.header_row) == (2, 4)
    assert [number for number, _values in sheet.rows] == [5]


def test_a_title_line_is_not_glued_onto_a_two_row_header(tmp_path):
    path = tmp_path / "judul.csv"
    path.write_text(
        "DATA ANAK TERLANTAR\n"
        "No,Nama,Kelahiran,,Jenis Kelamin\n"
        ",,Tempat,Tanggal,\n"
        "1,Putri Ayu,Pekanbaru,05/05/2016,P\n",
        encoding="utf-8",
    )
    sheet = readers.open_sheet(path, path.name)
    assert sheet.headers == [
        "No",
        "Nama",
        "Kelahiran / Tempat",
        "Kelahiran / Tanggal",
        "Jenis Kelamin",
    ]
    assert [number for number, _values in sheet.rows] == [4]


@pytest.mark.parametrize(
    ("label", "field"),
    [
        ("Kelahiran / Tanggal", "birth_date"),
        ("Kelahiran / Tempat", "birthplace"),
        ("Kelahiran / Tgl Lahir", "birth_date"),
        ("TTL / Tempat", "birthplace"),
        ("Alamat / Desa", "village"),
        ("Alamat / Kelurahan", "village"),
        ("Alamat / Kecamatan", "district"),
        ("Alamat / RT/RW", "rt_rw"),
        ("Alamat / Jalan/RT/RW", "address"),
        ("Orang Tua / Ibu", "mother_name"),
        ("Orang Tua / Ayah", "father_name"),
        ("Ibu Kandung / Nama", "mother_name"),
        ("Kartu Keluarga / Nomor", "kk_number"),
        ("Desa / Kode", "region_code"),
        # Another person's number is not the person's own.
        ("Ibu / NIK", None),
        ("Ayah / Tanggal Lahir", None),
    ],
)
def test_recognise_combined_labels(label, field):
    assert columns.recognise(label) == field


# --- columns recognised by what they hold ---------------------------------------------------


def test_a_desa_column_of_codes_is_read_as_region_codes(org, tmp_path):
    path = tmp_path / "kode.csv"
    path.write_text(
        "Nama,JK,Tgl Lahir,Desa\n"
        f"Andi,L,12/03/2014,{SUKAJADI}\n"
        f"Budi,L,01/02/2013,{HARJOSARI}\n"
        f"Citra,P,03/04/2012,{KAMPUNG_TENGAH.replace('.', '')}\n",
        encoding="utf-8",
    )
    job = upload(path, org)
    assert job.mapping["Desa"] == "region_code"
    assert any("“Desa”" in note and "Region code" in note for note in job.notes)
    rows = cleaned(job, org)
    assert [r.region_code for r in rows.values()] == [SUKAJADI, HARJOSARI, KAMPUNG_TENGAH]
    assert all(not r.problems for r in rows.values())
    # A "Desa" column of names stays names.
    names = tmp_path / "nama.csv"
    names.write_text("Nama,JK,Desa\nAndi,L,Sukajadi\nBudi,L,Harjosari\nCitra,P,Jadirejo\n")
    assert upload(names, org).mapping["Desa"] == "village"
    # The officer's saved mapping for a layout is not second-guessed by content.
    ColumnMapping.objects.filter(organisation=org(ORG)).delete()
    ColumnMapping.objects.create(
        organisation=org(ORG),
        layout_key=actions.layout_key(job.headers),
        headers=job.headers,
        mapping={"Nama": "full_name", "Desa": "village"},
    )
    assert upload(path, org).mapping == {"Nama": "full_name", "Desa": "village"}


def test_unknown_headers_are_recognised_by_their_content(org, tmp_path):
    path = tmp_path / "tanpa_judul.csv"
    path.write_text(
        "Nama,Identitas,Kartu KK 16 digit,Lhr,Kel,Kode\n"
        "Andi,1471011203140001,1471010101010001,12/03/2014,L,x\n"
        "Budi,1471010102130002,1471010101010002,01/02/2013,L,y\n"
        "Citra,1471014304120003,1471010101010003,03/04/2012,P,z\n",
        encoding="utf-8",
    )
    assert columns.recognise("Identitas") is None  # the header names nothing we know
    job = upload(path, org)
    assert job.mapping["Identitas"] == "nik"
    assert job.mapping["Kartu KK 16 digit"] == "kk_number"  # the header says KK
    assert job.mapping["Lhr"] == "birth_date"
    assert job.mapping["Kel"] == "sex"
    assert "Kode" not in job.mapping
    assert any("“Identitas” was read as NIK" in note for note in job.notes)


def test_content_kinds():
    codes = {SUKAJADI, HARJOSARI}
    assert (
        columns.content_kind([1471010101150005, "1471 0101 0115 0006", None, ""], codes)[0] == ""
    )  # two values are too few to decide on
    assert columns.content_kind(["3273011203140001"] * 3, codes)[0] == "nik"
    assert columns.content_kind([SUKAJADI, "1471011006", HARJOSARI], codes)[0] == "region_code"
    assert columns.content_kind(["99.99.99.9999"] * 3, codes)[0] == ""  # not in the table
    assert columns.content_kind(["L", "P", "Laki-laki", "-"], codes)[0] == "sex"
    assert (
        columns.content_kind([datetime.date(2014, 3, 12), "1/2/2013", "2012-04-03"], codes)[0]
        == "birth_date"
    )
    assert columns.content_kind(["Andi", "Budi", "1471011203140001"], codes)[0] == ""


# --- columns nothing reads -----------------------------------------------------------------


def test_unused_columns_are_listed_on_the_job_the_page_and_the_api(
    org, tmp_path, as_user, client, bearer
):
    job = upload(district_workbook(tmp_path / "ppks.xlsx"), org)
    assert job.unused_columns == ["No", "Pekerjaan"]
    page = as_user(OFFICER).get(reverse("imports:detail", args=[job.pk])).content.decode()
    assert 'id="unused-columns"' in page and "Pekerjaan" in page
    data = client.get(f"/api/v1/imports/{job.pk}", **bearer(OFFICER)).json()
    assert data["unused_columns"] == ["No", "Pekerjaan"]
    assert data["column_report"] == []
    assert data["counts"]["rows"] == 0
    # Mapping the column through the API takes it off the list.
    response = client.put(
        f"/api/v1/imports/{job.pk}/mapping",
        {"mapping": {**job.mapping, "Pekerjaan": "case_summary"}, "check": False},
        content_type="application/json",
        **bearer(OFFICER),
    )
    assert response.status_code == 200, response.content
    assert response.json()["unused_columns"] == ["No"]


def test_an_unused_column_is_mapped_from_the_page_after_the_check(org, tmp_path, as_user):
    job = upload(district_workbook(tmp_path / "ppks.xlsx"), org)
    actions.start_check(job, acting_user=officer(), background=False)
    job = actions.run_check(job, acting_user=officer())
    assert job.status == JobStatus.CHECKED
    client = as_user(OFFICER)
    page = client.get(reverse("imports:detail", args=[job.pk])).content.decode()
    assert reverse("imports:unused_columns", args=[job.pk]) in page
    index = job.unused_columns.index("Pekerjaan")
    response = client.post(
        reverse("imports:unused_columns", args=[job.pk]), {f"unused_{index}": "case_summary"}
    )
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.mapping["Pekerjaan"] == "case_summary"
    assert job.unused_columns == ["No"]
    assert job.status == JobStatus.CHECKING  # checked again with it
    # A field another column already holds is refused with the reason, not a 500.
    job.status = JobStatus.CHECKED
    job.save(update_fields=["status"])
    response = client.post(
        reverse("imports:unused_columns", args=[job.pk]), {"unused_0": "full_name"}, follow=True
    )
    assert response.status_code == 200
    assert "sama-sama dipetakan ke" in response.content.decode()  # the page speaks Indonesian
    job.refresh_from_db()
    assert "No" not in job.mapping and job.mapping["Nama"] == "full_name"
