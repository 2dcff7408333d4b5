"""The yearly SPM implementation report of a region: data, Excel workbook (openpyxl)."""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from jejaring.core.exports import workbook_bytes

from . import figures
from .models import ReportNotes

STEPS = [
    ("step_data_collection", "1. Pengumpulan data"),
    ("step_needs_calculation", "2. Penghitungan kebutuhan"),
    ("step_planning", "3. Penyusunan rencana pemenuhan"),
    ("step_fulfilment", "4. Pelaksanaan pemenuhan"),
]


def report_data(region, year: int) -> dict:
    notes = ReportNotes.objects.filter(region=region, year=year).first()
    return {
        "region": region,
        "year": year,
        "notes": notes,
        "rows": figures.region_summary(region, year),
    }


def workbook(region, year: int) -> bytes:
    data = report_data(region, year)
    notes = data["notes"]
    book = Workbook()
    sheet = book.active
    sheet.title = "Laporan SPM"
    bold = Font(bold=True)
    sheet["A1"] = (
        notes.office_name if notes and notes.office_name else f"Dinas Sosial {region.name}"
    )
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = notes.office_address if notes else ""
    sheet["A4"] = f"LAPORAN PENERAPAN SPM BIDANG SOSIAL TAHUN {year}"
    sheet["A4"].font = bold
    sheet["A5"] = f"Wilayah: {region.name} ({region.code})"
    row = 7
    sheet.cell(row, 1, "Tahapan penerapan SPM").font = bold
    for field, label in STEPS:
        row += 1
        sheet.cell(row, 1, label)
        sheet.cell(row, 2, getattr(notes, field, "") if notes else "")
        sheet.cell(row, 2).alignment = Alignment(wrap_text=True, vertical="top")
    row += 2
    header = [
        "Jenis layanan SPM",
        "Target (orang)",
        "Terlayani sesuai standar",
        "Capaian (%)",
        "Belum terlayani",
    ]
    for column, title in enumerate(header, start=1):
        cell = sheet.cell(row, column, title)
        cell.font = bold
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for kind, cell in data["rows"]:
        row += 1
        sheet.cell(row, 1, kind.name)
        sheet.cell(row, 2, cell.target)
        sheet.cell(row, 3, cell.served)
        sheet.cell(row, 4, cell.percent if cell.percent is not None else "tidak ada target")
        sheet.cell(row, 5, cell.gap)
    row += 2
    sheet.cell(row, 1, "Permasalahan").font = bold
    sheet.cell(row, 2, notes.problems if notes else "")
    row += 1
    sheet.cell(row, 1, "Tindak lanjut").font = bold
    sheet.cell(row, 2, notes.follow_up if notes else "")
    row += 3
    sheet.cell(row, 2, "Kepala Dinas")
    sheet.cell(row + 3, 2, notes.head_name if notes else "")
    sheet.cell(row + 4, 2, f"NIP {notes.head_nip}" if notes and notes.head_nip else "")
    sheet.column_dimensions["A"].width = 60
    for column in "BCDE":
        sheet.column_dimensions[column].width = 22
    return workbook_bytes(book)
