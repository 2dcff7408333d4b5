"""Issue 12, finding 2: an .xlsx decompression bomb, and bad files that gave a 500.

The bombs are made at test time with zipfile (never committed): a workbook whose one
inline-string cell unpacks to 100 MB, a member lying about its size, a cell under the
ratio cap but over Excel's own cell limit, a forged sheet size. Each is answered fast,
with little memory (``tracemalloc`` peak), and a clear Indonesian message: the upload
request only stores the file, the worker reads it through the caps of
``jejaring/imports/archive.py``. A corrupt ``PK…`` file, a truncated workbook and a
UTF-16 CSV never give a 500 either.
"""

import codecs
import io
import itertools
import os
import random
import string
import time
import tracemalloc
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from jejaring.accounts.models import User
from jejaring.core.files import check_upload
from jejaring.imports import actions, archive, readers
from jejaring.imports.leases import Lease, recover_stale_jobs
from jejaring.imports.models import ImportJob, ImportProblem, JobStatus
from jejaring.imports.pipeline import rejected_rows
from tests.helpers import run_queued_tasks

FIXTURES = Path(__file__).parent / "fixtures" / "imports"
OWNER = "data.pekanbaru"
MB = 1024 * 1024
# What reading one bad file may cost at most; the old reader took 903 MB on 22 KB.
MEMORY_CEILING = 60 * MB

pytestmark = pytest.mark.django_db

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
    ),
    "_rels/.rels": (
        f'<Relationships xmlns="{RELS}"><Relationship Id="rId1" '
        f'Type="{OFFICE}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        f'<workbook xmlns="{MAIN}" xmlns:r="{OFFICE}"><sheets>'
        '<sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        f'<Relationships xmlns="{RELS}"><Relationship Id="rId1" '
        f'Type="{OFFICE}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
    ),
}
HEADER = ["Nama", "NIK", "Jenis Kelamin", "Tgl Lahir", "Kode Wilayah", "Keterangan"]
ROW = ["Sari Wulandari", "1471015203140009", "P", "12/03/2014", "14.71.01.1002"]


def user():
    return User.objects.get(username=OWNER)


def cells(number: int, values) -> bytes:
    xml = "".join(
        f'<c r="{chr(65 + i)}{number}" t="inlineStr"><is><t>{v}</t></is></c>'
        for i, v in enumerate(values)
    )
    return f'<row r="{number}">{xml}</row>'.encode()


def workbook(path: Path, rows, *, prologue: bytes = b"", dimension: str = "") -> Path:
    """A minimal .xlsx whose sheet XML is written from ``rows`` (bytes, streamed, so a
    100 MB cell is never held whole by the test either)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        for name, text in PARTS.items():
            book.writestr(name, text)
        with book.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(prologue + f'<worksheet xmlns="{MAIN}">'.encode())
            if dimension:
                sheet.write(f'<dimension ref="{dimension}"/>'.encode())
            sheet.write(b"<sheetData>")
            for chunk in rows:
                sheet.write(chunk)
            sheet.write(b"</sheetData></worksheet>")
    return path


def huge_cell_rows(size: int, letters=b"A"):
    yield cells(1, HEADER)
    yield b'<row r="2"><c r="A2" t="inlineStr"><is><t>'
    block = (letters * (MB // len(letters) + 1))[:MB]
    for _ in range(size // MB):
        yield block
    yield b"</t></is></c></row>"


class Measured:
    """Seconds and the peak of Python memory allocated inside the block."""

    def __enter__(self):
        tracemalloc.start()
        self.started = time.monotonic()
        return self

    def __exit__(self, *exc_info):
        self.seconds = time.monotonic() - self.started
        self.peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()


def post(client, headers, path: Path, name: str | None = None):
    with path.open("rb") as handle:
        upload = SimpleUploadedFile(name or path.name, handle.read())
    return client.post("/api/v1/imports/", {"file": upload}, **headers)


def message(response) -> str:
    return response.json()["detail"][0]["msg"]


def test_openpyxl_parses_through_defusedxml():
    # Entity declarations (billion laughs) are refused by openpyxl's parser too.
    assert openpyxl.DEFUSEDXML is True


def test_inline_string_bomb_is_refused_in_the_request_fast_and_small(client, bearer, tmp_path):
    bomb = workbook(tmp_path / "bom.xlsx", huge_cell_rows(100 * MB))
    assert bomb.stat().st_size < 1 * MB  # 100 MB of cell in a small upload
    with Measured() as cost:
        response = post(client, bearer(OWNER), bomb)
    assert response.status_code == 422, response.content
    assert "terlalu besar setelah dibuka" in message(response)
    assert "banding 1" in message(response)  # the compression ratio gave it away
    assert cost.seconds < 5
    assert cost.peak < MEMORY_CEILING
    assert not ImportJob.objects.exists()


def test_request_only_stores_and_the_worker_reads_the_file(client, bearer):
    with Measured() as cost:
        response = post(client, bearer(OWNER), FIXTURES / "district.xlsx")
    assert response.status_code == 201
    job = response.json()
    assert job["status"] == "reading" and job["headers"] == []
    assert cost.seconds < 5
    run_queued_tasks()
    job = ImportJob.objects.get(pk=job["id"])
    assert job.status == JobStatus.MAPPING
    assert job.header_row == 4 and job.mapping["Orang Tua / Nama Ibu"] == "mother_name"


def test_cell_over_excels_limit_is_stopped_while_streaming(client, bearer, tmp_path):
    # Random letters barely compress: no ratio gives this one away, the stream cap does.
    letters = "".join(random.choices(string.ascii_letters, k=MB)).encode()  # noqa: S311
    bomb = workbook(tmp_path / "acak.xlsx", huge_cell_rows(8 * MB, letters))
    response = post(client, bearer(OWNER), bomb)
    assert response.status_code == 201, response.content
    with Measured() as cost:
        run_queued_tasks()
    job = ImportJob.objects.get()
    assert job.status == JobStatus.FAILED
    assert "melebihi batas Excel" in job.failure and "A2" in job.failure
    assert cost.peak < MEMORY_CEILING
    assert cost.seconds < 10


def _lie_about_size(path: Path, member: str, declared: int) -> None:
    """Rewrite the member's uncompressed size in its local and central headers."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    for signature, size_at, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        start = 0
        while (start := data.find(signature, start)) >= 0:
            if data[start + name_at : start + name_at + len(name)] == name:
                data[start + size_at : start + size_at + 4] = declared.to_bytes(4, "little")
            start += 4
    path.write_bytes(bytes(data))


def test_member_lying_about_its_size_is_stopped(client, bearer, tmp_path):
    # 20 MB of ordinary rows, declared as 200 KB: the header is read, the check stops.
    rows = itertools.chain([cells(1, HEADER)], (cells(n, ROW) for n in range(2, 60_002)))
    liar = workbook(tmp_path / "bohong.xlsx", rows, dimension="A1:F60001")
    _lie_about_size(liar, "xl/worksheets/sheet1.xml", 200_000)
    info = zipfile.ZipFile(liar).getinfo("xl/worksheets/sheet1.xml")
    assert info.file_size == 200_000  # the ratio looks harmless now
    headers = bearer(OWNER)
    with Measured() as request_cost:
        response = post(client, headers, liar)
    assert response.status_code == 201, response.content
    run_queued_tasks()
    job = client.get(f"/api/v1/imports/{response.json()['id']}", **headers).json()
    assert job["status"] == "mapping", job["failure"]
    response = client.put(
        f"/api/v1/imports/{job['id']}/mapping",
        {"mapping": job["mapping"]},
        content_type="application/json",
        **headers,
    )
    assert response.json()["status"] == "checking"
    with Measured() as cost:
        run_queued_tasks()
    job = ImportJob.objects.get()
    assert job.status == JobStatus.MAPPING  # nothing was written: check again once fixed
    assert "rusak atau tidak lengkap" in job.failure
    assert max(request_cost.peak, cost.peak) < MEMORY_CEILING
    assert cost.seconds < 10


def test_counting_reader_never_gives_more_than_declared():
    # Whatever zipfile does with a lying header, the counter stops one byte past it.
    member = archive.CappedMember(io.BytesIO(b"<a>" + b"x" * 5000), "sheet1.xml", 1000, None)
    with pytest.raises(ValidationError, match="lebih besar daripada ukuran"):
        member.read()


def test_forged_sheet_size_is_not_padded_out(tmp_path):
    rows = [cells(1, HEADER), cells(2, ROW)]
    # Padded to the declared size the old reader went through 17 thousand million cells.
    book = workbook(tmp_path / "ukuran.xlsx", rows, dimension="A1:XFD1048576")
    with Measured() as cost:
        sheet = readers.open_sheet(book, book.name)
        data = list(sheet.rows)
    assert sheet.headers[:2] == ["Nama", "NIK"]
    assert data == [(2, ROW)]
    assert cost.seconds < 5
    impossible = workbook(tmp_path / "mustahil.xlsx", rows, dimension="A1:ZZZZ99999999")
    with pytest.raises(ValidationError, match="menyatakan ukuran A1:ZZZZ99999999"):
        readers.open_sheet(impossible, impossible.name)


def test_too_many_columns_and_rows_past_excels_are_refused(tmp_path):
    wide = workbook(tmp_path / "lebar.xlsx", [cells(1, HEADER), b'<row r="2"><c r="AZZ2"/></row>'])
    with pytest.raises(ValidationError, match="lebih dari 1.000 kolom"):
        list(readers.open_sheet(wide, wide.name).rows)
    tall = workbook(tmp_path / "tinggi.xlsx", [cells(1, HEADER), b'<row r="2000000"/>'])
    with pytest.raises(ValidationError, match="baris 2.000.000"):
        list(readers.open_sheet(tall, tall.name).rows)


def test_giant_tag_is_refused_before_a_parser_buffers_it(tmp_path):
    # A parser holds a whole start tag before it hands over its attributes.
    noise = "".join(random.choices(string.ascii_letters, k=MB)).encode()  # noqa: S311
    tag = b'<row r="2"><c r="A2" t="' + noise + b'"/></row>'
    book = workbook(tmp_path / "tag.xlsx", [cells(1, HEADER), tag])
    with Measured() as cost, pytest.raises(ValidationError, match="teks atau tag lebih dari"):
        readers.open_sheet(book, book.name)
    assert cost.peak < MEMORY_CEILING


def test_entity_expansion_is_refused(tmp_path):
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    )
    book = workbook(tmp_path / "tawa.xlsx", [cells(1, HEADER)], prologue=laughs)
    with pytest.raises(ValidationError, match="DTD"):
        readers.open_sheet(book, book.name)


def test_odd_member_names_and_too_many_members_are_refused(tmp_path):
    book = workbook(tmp_path / "nama.xlsx", [cells(1, HEADER)])
    with zipfile.ZipFile(book, "a") as extra:
        extra.writestr("../../etc/cron.d/x", "x")
    with pytest.raises(ValidationError, match="nama yang tidak wajar"):
        archive.check_archive(book)
    many = workbook(tmp_path / "banyak.xlsx", [cells(1, HEADER)])
    with zipfile.ZipFile(many, "a") as extra:
        for i in range(archive.MAX_MEMBERS):
            extra.writestr(f"xl/media/image{i}.png", "")
    with pytest.raises(ValidationError, match="berisi 2.005 berkas"):
        archive.check_archive(many)


def test_long_cell_is_set_aside_with_its_reason_and_the_row_kept(tmp_path, org):
    address = "Jl. Sudirman " * 1000  # 13,000 characters: no address is that long
    rows = [
        cells(1, ["Nama", "NIK", "Jenis Kelamin", "Tgl Lahir", "Kode Wilayah", "Alamat"]),
        cells(2, [*ROW, address]),
        cells(3, ["Budi Santoso", "", "L", "01/02/2015", "14.71.01.1002", "Jl. Riau"]),
    ]
    book = workbook(tmp_path / "alamat.xlsx", rows)
    job = actions.upload_file(
        SimpleUploadedFile(book.name, book.read_bytes()),
        organisation=org("dinsos-kota-pekanbaru"),
        acting_user=user(),
    )
    actions.start_check(job, acting_user=user(), background=False)
    job = actions.run_check(job, acting_user=user())
    # The over-long address is set aside with its reason; the person is kept.
    assert job.counts["rows"] == 2 and job.error_rows == 0
    problem = ImportProblem.objects.get(job=job, severity="warning")
    assert problem.row == 2 and problem.column == "Alamat"
    assert "13.000 karakter" in problem.message and "10.000" in problem.message
    # Nothing lost: the row comes back whole in the rejected-rows file.
    ((number, values, reasons),) = list(rejected_rows(job))
    assert number == 2 and values[-1] == address and reasons


def test_long_header_cell_is_cut_not_refused(tmp_path):
    label = "Nama " + "x" * 50_000
    path = tmp_path / "judul.csv"
    path.write_text(f"{label},NIK,Tgl Lahir\nSari,1471015203140009,12/03/2014\n")
    sheet = readers.open_sheet(path, path.name)
    assert len(sheet.headers[0]) == readers.MAX_LABEL_CHARS


def test_corrupt_pk_file_gets_a_clear_message(client, bearer, tmp_path):
    path = tmp_path / "rusak.xlsx"
    path.write_bytes(b"PK\x03\x04" + os.urandom(4000))
    response = post(client, bearer(OWNER), path)
    assert response.status_code == 422
    assert "rusak atau tidak lengkap" in message(response)


def test_truncated_xlsx_gets_a_clear_message(client, bearer, tmp_path):
    whole = (FIXTURES / "district.xlsx").read_bytes()
    path = tmp_path / "terpotong.xlsx"
    path.write_bytes(whole[: len(whole) // 2])
    response = post(client, bearer(OWNER), path)
    assert response.status_code == 422
    assert "rusak atau tidak lengkap" in message(response)


def test_damaged_sheet_inside_a_sound_zip_stops_the_job_with_a_message(client, bearer, tmp_path):
    path = tmp_path / "cacat.xlsx"
    data = bytearray((FIXTURES / "district.xlsx").read_bytes())
    info = zipfile.ZipFile(FIXTURES / "district.xlsx").getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    data[start + 10 : start + 60] = b"\xff" * 50  # the table of contents stays intact
    path.write_bytes(bytes(data))
    response = post(client, bearer(OWNER), path)
    assert response.status_code == 201
    run_queued_tasks()
    job = ImportJob.objects.get()
    assert job.status == JobStatus.FAILED
    assert "rusak" in job.failure
    page = client.get(f"/api/v1/imports/{job.pk}", **bearer(OWNER))
    assert page.status_code == 200 and page.json()["status"] == "failed"


def test_zip_named_csv_and_text_named_xlsx_are_told_apart(client, bearer, tmp_path):
    text = tmp_path / "data.xlsx"
    text.write_text("Nama,NIK\nSari,1471015203140009\n")
    response = post(client, bearer(OWNER), text)
    assert response.status_code == 422
    assert message(response) == (
        "Berkas ini bernama .xlsx tetapi bukan buku kerja Excel; apakah berkasnya rusak?"
    )
    protected = tmp_path / "sandi.xlsx"
    protected.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4000))
    response = post(client, bearer(OWNER), protected)
    assert response.status_code == 422
    assert "dilindungi kata sandi" in message(response)
    response = post(client, bearer(OWNER), FIXTURES / "district.xlsx", name="district.csv")
    assert response.status_code == 422
    assert "Excel" in message(response)


UTF16_TABLE = (
    "Nama\tNIK\tJenis Kelamin\tTgl Lahir\tKode Wilayah\n"
    "Siti Aisyah Nasution\t1471015203140009\tP\t12/03/2014\t14.71.01.1002\n"
)


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE), ("utf-16-le", b"")],
)
def test_utf16_csv_is_read(client, bearer, tmp_path, encoding, bom):
    # Excel's "Unicode Text" is UTF-16 with tabs.
    path = tmp_path / "unicode.txt"
    path.write_bytes(bom + UTF16_TABLE.encode(encoding))
    response = post(client, bearer(OWNER), path)
    assert response.status_code == 201, response.content
    run_queued_tasks()
    job = ImportJob.objects.get()
    assert job.status == JobStatus.MAPPING, job.failure
    assert job.headers == ["Nama", "NIK", "Jenis Kelamin", "Tgl Lahir", "Kode Wilayah"]
    assert job.encoding.startswith("utf-16")
    sheet = readers.open_sheet(Path(job.file.path), job.original_name)
    assert list(sheet.rows)[0][1][0] == "Siti Aisyah Nasution"


def test_binary_named_csv_gets_a_clear_message(client, bearer, tmp_path):
    path = tmp_path / "biner.csv"
    path.write_bytes(b"Nama,NIK\n\x00\x01\x02\x03" * 50)
    response = post(client, bearer(OWNER), path)
    assert response.status_code == 201
    run_queued_tasks()
    assert "data biner" in ImportJob.objects.get().failure


def test_csv_row_too_wide_is_refused_with_its_row_number(tmp_path):
    path = tmp_path / "lebar.csv"
    path.write_text("Nama,NIK,Tgl Lahir\nSari,1471015203140009,12/03/2014\n" + "x," * 5000 + "\n")
    with pytest.raises(ValidationError, match="Baris 3 memiliki lebih dari 1000 kolom"):
        readers.open_sheet(path, path.name)


def test_size_message_never_shows_two_equal_numbers():
    upload = SimpleUploadedFile("surat.pdf", b"%PDF" + b"0" * (5 * MB - 3))
    with pytest.raises(ValidationError) as refused:
        check_upload(upload, allowed=("pdf",), max_bytes=5 * MB)
    text = refused.value.messages[0]
    assert "5.242.881 bita" in text and "5.242.880 bita" in text
    upload = SimpleUploadedFile("surat.pdf", b"%PDF" + b"0" * (6 * MB))
    with pytest.raises(ValidationError) as refused:
        check_upload(upload, allowed=("pdf",), max_bytes=5 * MB)
    assert refused.value.messages[0] == "Ukuran berkas 6,0\xa0MB; batasnya 5,0\xa0MB."


def test_import_size_message_never_shows_two_equal_numbers(client, bearer, settings):
    settings.IMPORT_MAX_BYTES = 1 * MB
    upload = SimpleUploadedFile("besar.csv", b"Nama,NIK\n" + b"x" * MB)
    response = client.post("/api/v1/imports/", {"file": upload}, **bearer(OWNER))
    assert response.status_code == 422
    assert "1.048.585 bita" in message(response) and "1.048.576 bita" in message(response)


def test_failed_read_shows_the_reason_on_the_page_never_a_500(as_user, tmp_path):
    client = as_user(OWNER)
    text = tmp_path / "kosong.csv"
    text.write_text("a,b\n1,2\n")  # no header row
    with text.open("rb") as handle:
        response = client.post(reverse("imports:list"), {"file": handle})
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "Memeriksa berkas…" in page and 'hx-trigger="every 2s"' in page
    run_queued_tasks()
    job = ImportJob.objects.get()
    assert job.status == JobStatus.FAILED
    page = client.get(response.url).content.decode()
    assert "Baris judul kolom tidak ditemukan" in page
    assert "Unggah berkas yang sudah diperbaiki" in page
    rejected = client.get(reverse("imports:rejected", args=[job.pk]))
    assert rejected.status_code == 302


def test_reading_job_whose_worker_died_is_stopped_with_upload_again(org, settings):
    settings.IMPORT_LEASE_SECONDS = 1
    job = actions.upload_file(
        SimpleUploadedFile("district.xlsx", (FIXTURES / "district.xlsx").read_bytes()),
        organisation=org("dinsos-kota-pekanbaru"),
        acting_user=user(),
        background=True,
    )
    assert job.status == JobStatus.READING
    Lease.take(job, JobStatus.READING)  # a worker took it, then was killed
    time.sleep(1.1)
    assert recover_stale_jobs(job_ids=[job.pk]) == 1
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "Unggah berkasnya lagi" in job.failure


def test_command_refuses_a_bomb_with_the_message(org, tmp_path):
    bomb = workbook(tmp_path / "bom.xlsx", huge_cell_rows(20 * MB))
    with pytest.raises(CommandError, match="banding 1"):
        call_command("import", str(bomb), organisation="dinsos-kota-pekanbaru")
    assert not ImportJob.objects.exists()
