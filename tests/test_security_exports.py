"""Formula injection (issue 12, finding 4): text that a spreadsheet would run as a
formula comes out of every CSV and XLSX as plain text, through one shared writer."""

import csv
import datetime
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from jejaring.accounts.models import User
from jejaring.core.exports import csv_writer, safe_cell, workbook_bytes
from jejaring.imports import actions as import_actions
from jejaring.regions.models import Region
from jejaring.registry import actions as registry_actions

HYPERLINK = '=HYPERLINK("http://x","y")'
COMMAND = "+cmd|' /C calc'!A0"
SUM = "@SUM(1)"
PLANTED = (HYPERLINK, COMMAND, SUM)


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def cells(rows) -> list[str]:
    return [cell for row in rows for cell in row]


# --- the rule itself ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (HYPERLINK, "'" + HYPERLINK),
        (COMMAND, "'" + COMMAND),
        (SUM, "'" + SUM),
        ("-1+2", "'-1+2"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("＝1+1", "'＝1+1"),  # noqa: RUF001 - the full-width sign is the point
        ("Ahmad Fauzan", "Ahmad Fauzan"),
        ("a=b", "a=b"),
        ("", ""),
        (-1, -1),
        (2.5, 2.5),
        (None, None),
        (True, True),
        (datetime.date(2025, 1, 2), datetime.date(2025, 1, 2)),
    ],
)
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_csv_writer_neutralises_every_row_and_returns_what_write_returns():
    class Echo:
        def write(self, value):
            return value

    line = csv_writer(Echo()).writerow([1, -3, HYPERLINK, "ok"])
    assert csv_rows(line) == [["1", "-3", "'" + HYPERLINK, "ok"]]


def test_workbook_bytes_leaves_no_formula_and_keeps_numbers():
    book = Workbook()
    sheet = book.active
    sheet["A1"] = HYPERLINK
    sheet["A2"] = SUM
    sheet["A3"] = -5
    sheet["A4"] = "Kurang pekerja sosial"
    content = workbook_bytes(book)
    xml = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml
    loaded = load_workbook(io.BytesIO(content)).active
    assert loaded["A1"].value == HYPERLINK and loaded["A1"].data_type == "s"
    assert loaded["A1"].quotePrefix and loaded["A2"].quotePrefix
    assert loaded["A3"].value == -5 and loaded["A3"].data_type == "n"
    assert not loaded["A4"].quotePrefix


# --- every export, with values planted through the real actions ---------------------


@pytest.mark.django_db
def test_person_export_neutralises_formulas(as_user):
    user = User.objects.get(username="petugas.pekanbaru")
    for name in PLANTED:
        registry_actions.create_person(
            {
                "full_name": name,
                "sex": "M",
                "birth_date": datetime.date(2015, 6, 11),
                "region": Region.objects.get(code="14.71.01.1002"),
                "nik": "",
                "address": COMMAND,
            },
            organisation=user.organisation,
            acting_user=user,
            confirmed_new=True,
        )
    response = as_user("petugas.pekanbaru").get(reverse("registry:export"))
    exported = cells(csv_rows(response.content.decode("utf-8")))
    for name in PLANTED:
        assert "'" + name in exported
        assert name not in exported


@pytest.mark.django_db
def test_rejected_rows_csv_neutralises_formulas(as_user):
    owner = User.objects.get(username="data.pekanbaru")
    content = (
        "No,Nama,NIK,No KK,Jenis Kelamin,Tempat Lahir,Tgl Lahir,Alamat,Desa/Kelurahan,"
        "Kecamatan,Nama Ibu,Kategori PMKS\n"
        f'1,"{HYPERLINK.replace(chr(34), chr(34) * 2)}",,,L,Pekanbaru,31/02/2010,'
        f'"{COMMAND}",Kampung Tengah,Sukajadi,{SUM},\n'
    ).encode()
    job = import_actions.upload_file(
        SimpleUploadedFile("planted.csv", content, content_type="text/csv"),
        organisation=owner.organisation,
        acting_user=owner,
    )
    import_actions.start_check(job, acting_user=owner, background=False)
    job = import_actions.run_check(job, acting_user=owner)
    # The impossible date is set aside and the person kept: the row is one "to fix".
    assert job.error_rows == 0 and job.counts["to_fix"] == 1
    response = as_user("data.pekanbaru").get(reverse("imports:rejected", args=[job.pk]))
    body = b"".join(response.streaming_content).decode("utf-8")
    exported = cells(csv_rows(body))
    for value in PLANTED:
        assert "'" + value in exported
        assert value not in exported


@pytest.mark.django_db
def test_spm_report_xlsx_neutralises_problems_and_head_name(as_user):
    client = as_user("pimpinan.jabar")
    saved = client.post(
        reverse("spm:report", args=["32.04", 2025]),
        {"office_name": SUM, "head_name": HYPERLINK, "problems": COMMAND, "follow_up": "-1+2"},
    )
    assert saved.status_code == 200
    response = client.get(reverse("spm:report_xlsx", args=["32.04", 2025]))
    xml = zipfile.ZipFile(io.BytesIO(response.content)).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in xml
    sheet = load_workbook(io.BytesIO(response.content)).active
    planted = {
        cell.value: cell
        for row in sheet.iter_rows()
        for cell in row
        if cell.value in (*PLANTED, "-1+2")
    }
    assert set(planted) == {*PLANTED, "-1+2"}
    for cell in planted.values():
        assert cell.data_type == "s" and cell.quotePrefix, cell.coordinate


@pytest.mark.django_db
def test_spm_csv_goes_through_the_shared_writer(as_user, monkeypatch):
    # The SPM CSV holds region names and figures, which no user types; the test plants
    # a name in the figures it reads to show that its writer neutralises all the same.
    from jejaring.spm import figures

    real = figures.breakdown

    def planted(*args, **kwargs):
        total, rows = real(*args, **kwargs)
        if rows:
            rows[0].name = HYPERLINK
        else:
            total.name = HYPERLINK
        return total, rows

    monkeypatch.setattr(figures, "breakdown", planted)
    response = as_user("pimpinan.jabar").get(reverse("spm:export"), {"region": "32.04"})
    assert response.status_code == 200
    exported = cells(csv_rows(response.content.decode("utf-8")))
    assert "'" + HYPERLINK in exported and HYPERLINK not in exported


def test_no_producer_writes_spreadsheets_around_the_shared_writer():
    # Stays fixed: a new export that calls csv.writer or saves a workbook itself would
    # skip the rule. Only jejaring/core/exports.py may.
    from pathlib import Path

    import jejaring

    root = Path(jejaring.__file__).parent
    around = []
    for path in root.rglob("*.py"):
        if "migrations" in path.parts or path == root / "core" / "exports.py":
            continue
        text = path.read_text(encoding="utf-8")
        if "csv.writer(" in text or "csv.DictWriter(" in text:
            around.append(str(path.relative_to(root)))
        if "Workbook(" in text and "workbook_bytes" not in text:
            around.append(str(path.relative_to(root)))
    assert around == []


@pytest.mark.parametrize("typed", ["=HYPERLINK(1)", "+62 812", "-", "@SUM(1)", "Ahmad", "'quoted"])
def test_a_fixed_rejected_row_imports_what_was_typed(typed):
    """The rejected-rows CSV adds an apostrophe before formula-like text; reading the
    fixed file back must drop exactly that apostrophe and nothing else."""
    from jejaring.imports.cleaning import text

    assert text(safe_cell(typed)) == typed
