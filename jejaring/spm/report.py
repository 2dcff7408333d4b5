"""The yearly SPM implementation report of a region: data, letterhead and signature
block, Excel workbook (openpyxl).

The report is a letter from the social office that answers for the region (its
``Organisation`` with ``is_social_office`` at that home region; Kementerian Sosial for
the whole country): its letterhead (kop surat) carries the government line, the office
and its address; the signature block names the head of office — what the office typed
into the report, else its member holding the office-head role (``pimpinan``), seen
through the reader's scope — and leaves a blank line to sign on when neither is known.
Only the service types of the region's own level are listed: a regency reports no
province-only (inside-institution) type.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from jejaring.core import clock
from jejaring.core.exports import workbook_bytes
from jejaring.regions.models import RegionLevel

from . import figures
from .models import ReportNotes

# A letter's date writes the month out ("2 Desember 2026"): Django's Indonesian
# DATE_FORMAT abbreviates it ("2 Des 2026"), which official letters do not.
LETTER_DATE = "j F Y"

STEPS = [
    ("step_data_collection", "1. Pengumpulan data"),
    ("step_needs_calculation", "2. Penghitungan kebutuhan"),
    ("step_planning", "3. Penyusunan rencana pemenuhan"),
    ("step_fulfilment", "4. Pelaksanaan pemenuhan"),
]


@dataclass
class Letterhead:
    """The report's kop surat and signature block."""

    government: str  # "Pemerintah Kota Pekanbaru"; '' for the ministry
    emblem: str  # the logo's place, as text: the office's initials ("DSKP")
    office: str
    address: str
    date: str  # the day the report is printed, in long form
    place: str  # where it is signed ("Pekanbaru"), '' when not known
    head_title: str  # "Kepala Dinas Sosial Kota Pekanbaru"
    head_name: str  # '' leaves a blank line to sign on
    head_nip: str


def social_office(region, user):
    """The social office answering for the region (the ministry for the whole country),
    as far as ``user`` may see it; ``user=None`` is the system."""
    from jejaring.network.models import Organisation, OrganisationLevel, OrganisationStatus

    offices = Organisation.objects.all() if user is None else Organisation.objects.restrict(user)
    offices = offices.filter(type__is_social_office=True, status=OrganisationStatus.ACTIVE)
    if region is None:
        offices = offices.filter(level=OrganisationLevel.CENTRAL)
    else:
        offices = offices.filter(home_region=region)
    return offices.order_by("name").first()


def head_of(office, user) -> str:
    """The name of the office's head (its member holding the office-head role), if
    ``user`` may see that account."""
    from jejaring.accounts.models import User
    from jejaring.accounts.roles import Role

    if office is None:
        return ""
    people = User.objects.all() if user is None else User.objects.restrict(user)
    head = (
        people.filter(organisation=office, is_active=True, roles__role=Role.OFFICE_HEAD)
        .order_by("date_joined", "pk")
        .first()
    )
    return head.display_name if head else ""


def letterhead(region, notes, user) -> Letterhead:
    office = social_office(region, user)
    if notes and notes.office_name:
        name = notes.office_name
    elif office is not None:
        name = office.name
    elif region is not None:
        name = _("Social Affairs Office of %(region)s") % {"region": region.name}
    else:
        name = _("Ministry of Social Affairs of the Republic of Indonesia")
    address = (notes.office_address if notes else "") or (office.address if office else "")
    contact = [v for v in ((office.phone, office.email) if office else ()) if v]
    if region is None:
        government, place = "", ""
        title = _("Minister of Social Affairs of the Republic of Indonesia")
    else:
        if region.level == RegionLevel.PROVINCE:
            government = _("Government of the Province of %(name)s") % {"name": region.name}
            place = ""
        else:
            government = _("Government of %(name)s") % {"name": region.name}
            place = region.name.removeprefix("Kota ").removeprefix("Kabupaten ")
        title = _("Head of %(office)s") % {"office": name}
    return Letterhead(
        government=government,
        emblem="".join(w[0] for w in name.split() if w[:1].isupper())[:5],
        office=name,
        address=" · ".join([address, *contact]) if address or contact else "",
        date=date_format(clock.localdate(), LETTER_DATE),
        place=place,
        head_title=title,
        head_name=(notes.head_name if notes else "") or head_of(office, user),
        head_nip=notes.head_nip if notes else "",
    )


def report_data(region, year: int, user=None) -> dict:
    """``region=None`` is the national report (read-only: no office writes it here)."""
    notes = (
        ReportNotes.objects.filter(region=region, year=year).first() if region is not None else None
    )
    return {
        "region": region,
        "year": year,
        "notes": notes,
        "rows": figures.region_summary(region, year, own_level=True),
        "letterhead": letterhead(region, notes, user),
    }


def workbook(region, year: int, user=None) -> bytes:
    data = report_data(region, year, user)
    notes = data["notes"]
    head = data["letterhead"]
    book = Workbook()
    sheet = book.active
    sheet.title = "Laporan SPM"
    bold = Font(bold=True)
    if head.government:
        sheet.oddHeader.center.text = head.government.upper()
    sheet["A1"] = head.office
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = head.address
    sheet["A4"] = f"LAPORAN PENERAPAN SPM BIDANG SOSIAL TAHUN {year}"
    sheet["A4"].font = bold
    sheet["A5"] = (
        f"Wilayah: {region.name} ({region.code})" if region is not None else "Wilayah: Indonesia"
    )
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
    sheet.cell(row, 2, ", ".join(v for v in (head.place, head.date) if v))
    sheet.cell(row + 1, 2, head.head_title)
    sheet.cell(row + 4, 2, head.head_name or "(" + "." * 40 + ")")
    sheet.cell(row + 5, 2, f"NIP {head.head_nip}" if head.head_nip else "")
    sheet.column_dimensions["A"].width = 60
    for column in "BCDE":
        sheet.column_dimensions[column].width = 22
    return workbook_bytes(book)
