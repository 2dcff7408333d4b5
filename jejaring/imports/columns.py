"""Which column of a district spreadsheet holds which field.

District and village offices name their columns in many ways ("Nama", "NAMA LENGKAP",
"Tgl. Lahir", "TTL", "L/P", "Desa/Kel."). Headers are normalised (lower case, letters
and digits only) and looked up among the synonyms below; a near miss ("Tangal Lahir")
is accepted by similarity. The data officer can correct any guess on the mapping page,
and the corrected mapping is saved for the organisation's next file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from rapidfuzz import fuzz, process

IGNORE = "ignore"


@dataclass(frozen=True)
class Field:
    code: str
    label: str
    synonyms: tuple[str, ...]


FIELDS = (
    Field(
        "full_name",
        _("Full name"),
        (
            "nama",
            "nama lengkap",
            "nama pmks",
            "nama ppks",
            "nama penerima",
            "nama penerima manfaat",
            "nama anak",
            "nama klien",
            "nama sesuai ktp",
            "nama kpm",
            "name",
            "full name",
        ),
    ),
    Field(
        "nik",
        _("NIK"),
        (
            "nik",
            "no nik",
            "nomor nik",
            "nik ktp",
            "no ktp",
            "nomor ktp",
            "nomor induk kependudukan",
            "nik penerima",
        ),
    ),
    Field(
        "kk_number",
        _("Family card number (No. KK)"),
        ("no kk", "nomor kk", "kk", "nkk", "no kartu keluarga", "nomor kartu keluarga"),
    ),
    Field("sex", _("Sex"), ("jenis kelamin", "jk", "l p", "kelamin", "jenis kel", "gender", "sex")),
    Field("birthplace", _("Birthplace"), ("tempat lahir", "tmp lahir", "tmpt lahir", "birthplace")),
    Field(
        "birth_date",
        _("Birth date"),
        (
            "tgl lahir",
            "tanggal lahir",
            "tgl lhr",
            "tanggal lhr",
            "tgl bln thn lahir",
            "birth date",
            "date of birth",
            "dob",
        ),
    ),
    Field(
        "birth_place_date",
        _("Place and date of birth (TTL)"),
        ("ttl", "tempat tanggal lahir", "tempat tgl lahir", "tempat dan tanggal lahir"),
    ),
    Field(
        "address",
        _("Address"),
        ("alamat", "alamat lengkap", "alamat rumah", "alamat domisili", "jalan", "address"),
    ),
    Field("rt_rw", _("RT/RW"), ("rt rw", "rt", "rw")),
    Field(
        "region_code",
        _("Region code (Kemendagri)"),
        ("kode wilayah", "kode desa", "kode kelurahan", "kode kemendagri", "kode desa kelurahan"),
    ),
    Field(
        "village",
        _("Village / kelurahan"),
        (
            "desa",
            "kelurahan",
            "desa kelurahan",
            "kelurahan desa",
            "desa kel",
            "kel desa",
            "nama desa",
            "village",
        ),
    ),
    Field("district", _("District (kecamatan)"), ("kecamatan", "kec", "district")),
    Field("regency", _("Regency / city"), ("kabupaten", "kota", "kabupaten kota", "kab kota")),
    Field(
        "mother_name",
        _("Mother's name"),
        ("nama ibu", "nama ibu kandung", "ibu kandung", "ibu", "mother", "mother s name"),
    ),
    Field(
        "father_name",
        _("Father's name"),
        ("nama ayah", "nama ayah kandung", "ayah", "ayah kandung", "nama bapak", "father"),
    ),
    Field("guardian_name", _("Guardian's name"), ("nama wali", "wali", "guardian")),
    Field(
        "phone",
        _("Phone"),
        ("no hp", "nomor hp", "hp", "telepon", "no telp", "no telepon", "no wa", "phone"),
    ),
    Field(
        "disability",
        _("Disability details"),
        ("jenis disabilitas", "ragam disabilitas", "disabilitas", "kecacatan"),
    ),
    Field(
        "category",
        _("PMKS category"),
        (
            "kategori",
            "kategori pmks",
            "jenis pmks",
            "pmks",
            "ppks",
            "jenis ppks",
            "kategori ppks",
            "jenis masalah",
            "category",
        ),
    ),
    Field(
        "case_summary",
        _("Case notes"),
        ("keterangan", "keterangan kasus", "catatan", "catatan kasus", "ringkasan kasus"),
    ),
    Field(
        "service_type",
        _("Service"),
        ("jenis layanan", "layanan", "jenis bantuan", "bantuan", "pelayanan", "service"),
    ),
    Field(
        "service_date",
        _("Service date"),
        (
            "tgl layanan",
            "tanggal layanan",
            "tanggal pelayanan",
            "tgl bantuan",
            "tanggal bantuan",
            "tanggal penyaluran",
            "service date",
        ),
    ),
    Field("quantity", _("Quantity"), ("jumlah", "qty", "banyaknya", "quantity")),
    Field(IGNORE, _("(not imported)"), ("no", "no urut", "nomor", "nomor urut", "nourut")),
)

FIELDS_BY_CODE = {f.code: f for f in FIELDS}
REQUIRED = ("full_name",)
_SYNONYMS = {syn: f.code for f in FIELDS for syn in f.synonyms}
_COMPACT = {syn.replace(" ", ""): code for syn, code in _SYNONYMS.items()}
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
SIMILARITY = 88


def normalise(label) -> str:
    """'Tgl. Lahir (dd/mm/yyyy)' → 'tgl lahir': hints in brackets are dropped."""
    text = re.sub(r"\([^)]*\)", " ", str(label or "").lower().replace("\n", " "))
    return " ".join(_NOT_ALNUM.sub(" ", text).split())


def recognise(label) -> str | None:
    """The field a header names, or None when it names none we know."""
    text = normalise(label)
    if not text:
        return None
    if text in _SYNONYMS:
        return _SYNONYMS[text]
    compact = text.replace(" ", "")
    if compact in _COMPACT:
        return _COMPACT[compact]
    # Format hints without brackets ("Tgl Lahir dd mm yyyy") and numbering ("1. Nama").
    stripped = " ".join(re.sub(r"\b(dd|mm|yyyy|yy)\b", " ", text).split())
    stripped = re.sub(r"^\d+ ", "", stripped)
    if stripped in _SYNONYMS:
        return _SYNONYMS[stripped]
    best = process.extractOne(text, list(_SYNONYMS), scorer=fuzz.ratio)
    if best and best[1] >= SIMILARITY:
        return _SYNONYMS[best[0]]
    return None


def guess_mapping(headers: list[str]) -> dict[str, str]:
    """column label → field code. A field is given to its first column only."""
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for header in headers:
        code = recognise(header)
        if code is None:
            continue
        if code != IGNORE and code in taken:
            continue
        mapping[header] = code
        taken.add(code)
    return mapping


def header_score(cells) -> int:
    """How many cells of a row look like headers we know: finds the header row."""
    codes = {recognise(c) for c in cells if isinstance(c, str) and c.strip()}
    codes.discard(None)
    codes.discard(IGNORE)
    return len(codes)


def missing_required(mapping: dict[str, str]) -> list[str]:
    chosen = set(mapping.values())
    return [str(FIELDS_BY_CODE[code].label) for code in REQUIRED if code not in chosen]


def field_choices():
    return [("", _("(not imported)"))] + [(f.code, f.label) for f in FIELDS if f.code != IGNORE]
