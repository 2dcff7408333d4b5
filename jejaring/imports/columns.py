"""Which column of a district spreadsheet holds which field.

District and village offices name their columns in many ways ("Nama", "NAMA LENGKAP",
"Tgl. Lahir", "TTL", "L/P", "Desa/Kel."). Headers are normalised (lower case, letters
and digits only) and looked up among the synonyms below; a near miss ("Tangal Lahir")
is accepted by similarity. The data officer can correct any guess on the mapping page,
and the corrected mapping is saved for the organisation's next file.
"""

from __future__ import annotations

import datetime
import functools
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
    """The field a header names, or None when it names none we know.

    A label combined from a multi-row header ("Kelahiran / Tanggal", made by the reader
    with ``LEVEL_SEPARATOR``) is read level by level: the lower label in the light of
    the group above it (``_recognise_levels``)."""
    return _recognise_label(str(label)) if label is not None else None


# The header search asks about the same labels for every candidate header band.
@functools.lru_cache(maxsize=4096)
def _recognise_label(label: str) -> str | None:
    text = normalise(label)
    if not text:
        return None
    exact = _recognise_exact(text)
    if exact is not None:
        return exact
    levels = [part for part in label.split(LEVEL_SEPARATOR) if normalise(part)]
    if len(levels) > 1:
        return _recognise_levels(levels)
    best = process.extractOne(text, list(_SYNONYMS), scorer=fuzz.ratio)
    if best and best[1] >= SIMILARITY:
        return _SYNONYMS[best[0]]
    return None


def _recognise_exact(text: str) -> str | None:
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
    return None


# How the reader joins the levels of a multi-row header: "Kelahiran / Tanggal".
LEVEL_SEPARATOR = " / "

# Group labels over another person's columns: "Ayah / Nama" is the father's name, and
# "Ibu / NIK" is the mother's NIK, never the person's own.
_OTHER_PERSON = {
    "ayah": "father_name",
    "ayah kandung": "father_name",
    "bapak": "father_name",
    "ibu": "mother_name",
    "ibu kandung": "mother_name",
    "wali": "guardian_name",
    "orang tua": "",
    "orang tua wali": "",
    "data orang tua": "",
    "kepala keluarga": "",
    "suami": "",
    "istri": "",
    "pelapor": "",
    "pendamping": "",
}
_PARENT_FIELDS = ("mother_name", "father_name", "guardian_name")
# Group labels over the birth columns, and what their sub-columns are called.
_BIRTH_GROUPS = {
    "kelahiran",
    "lahir",
    "data kelahiran",
    "tempat tanggal lahir",
    "tempat tgl lahir",
    "tempat dan tanggal lahir",
    "ttl",
}
_BIRTH_PARTS = {
    "tempat": "birthplace",
    "tmp": "birthplace",
    "tmpt": "birthplace",
    "kota": "birthplace",
    "kota kabupaten": "birthplace",
    "kabupaten kota": "birthplace",
    "tanggal": "birth_date",
    "tgl": "birth_date",
    "tgl bln thn": "birth_date",
    "tanggal bulan tahun": "birth_date",
    "hari tanggal": "birth_date",
    "tahun": "birth_date",
    "thn": "birth_date",
}
# Group labels over the address columns, and the street-level sub-columns.
_ADDRESS_GROUPS = {
    "alamat",
    "alamat lengkap",
    "alamat rumah",
    "alamat domisili",
    "alamat ktp",
    "domisili",
    "tempat tinggal",
    "wilayah",
}
_STREET_PARTS = {"jalan", "jl", "jalan rt rw", "jalan gang", "dusun", "jalan dusun", "rumah"}
_REGION_FIELDS = ("village", "district", "regency", "rt_rw", "region_code")


def _recognise_levels(levels: list[str]) -> str | None:
    """The field of a combined multi-row label: the lowest level names the column, the
    levels above say whose and which ("Alamat / Desa" is the village of the address,
    "Orang Tua / Ibu" the mother's name, "Ibu / NIK" nobody's field of ours)."""
    groups = [normalise(level) for level in levels[:-1]]
    lower = normalise(levels[-1])
    below = recognise(levels[-1])
    # "Tanggal / Lahir", "Kartu Keluarga / Nomor": the levels read as one phrase.
    for phrase in (f"{lower} {groups[-1]}", f"{groups[-1]} {lower}"):
        joined = _recognise_exact(phrase)
        if joined is not None and joined != IGNORE:
            return joined
    for group in groups:
        if group in _OTHER_PERSON or recognise(group) in _PARENT_FIELDS:
            whose = _OTHER_PERSON.get(group) or recognise(group)
            if below in _PARENT_FIELDS:
                return below  # "Orang Tua / Ibu"
            if below == "full_name" and whose in _PARENT_FIELDS:
                return whose  # "Ibu Kandung / Nama"
            return None
    group_fields = {recognise(group) for group in groups}
    birth_group = set(groups) & _BIRTH_GROUPS or group_fields & {"birth_place_date", "birth_date"}
    if birth_group and lower in _BIRTH_PARTS:
        return _BIRTH_PARTS[lower]
    if set(groups) & _ADDRESS_GROUPS or "address" in group_fields:
        if below in _REGION_FIELDS or below == "address":
            return below
        if lower in _STREET_PARTS:
            return "address"
    if "village" in group_fields:
        # "Desa / Kode" and "Desa / Nama" under a village group.
        if lower in ("kode", "kode wilayah", "kode kemendagri"):
            return "region_code"
        if lower in ("nama", "nama desa"):
            return "village"
    if below is not None and below != IGNORE:
        return below
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


def unused_columns(headers: list[str], mapping: dict[str, str]) -> list[str]:
    """The columns no field reads, in file order: listed so nothing is lost unseen."""
    return [h for h in headers if mapping.get(h, "") in ("", IGNORE)]


# Recognising a column by what it holds ------------------------------------------------

# A column's kind is decided on its first values, and only when nearly all agree.
CONTENT_SAMPLE = 200
CONTENT_MIN_VALUES = 3
CONTENT_SHARE = 0.8
_DIGITS_ONLY = re.compile(r"^\d+$")
_DOTTED_REGION = re.compile(r"^\d{2}(?:\.\d{2}){1,2}(?:\.\d{4})?$")
_NUMERIC_DATE = re.compile(r"^\d{1,2}\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*(?:\d{2}|\d{4})$")
_ISO_DATE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}(?:[ T].*)?$")
_SEX_WORDS = {
    "l", "lk", "laki", "laki laki", "lakilaki", "pria", "p", "pr", "perempuan", "wanita",
}  # fmt: skip
_KK_WORDS = re.compile(r"\b(kk|nkk|kartu keluarga)\b")


def _cell_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split()).lstrip("'")


def _identity_digits(value) -> str:
    """A NIK or KK as typed: "1471 0101 0115 0005", "1471.0101.0115.0005", a number."""
    return re.sub(r"[\s.\-]", "", _cell_text(value))


def _region_code(value) -> str:
    raw = _cell_text(value)
    if _DIGITS_ONLY.match(raw) and len(raw) == 10:
        return f"{raw[:2]}.{raw[2:4]}.{raw[4:6]}.{raw[6:]}"
    return raw if _DOTTED_REGION.match(raw) else ""


def _is_date(value) -> bool:
    if isinstance(value, datetime.date):
        return True
    raw = _cell_text(value)
    return bool(_NUMERIC_DATE.match(raw) or _ISO_DATE.match(raw))


def region_code_candidates(rows: list[list]) -> set[str]:
    """The values of a sample that could be region codes (dotted, as the table holds them)."""
    return {code for row in rows for v in row if v is not None and (code := _region_code(v))}


def content_kind(values, region_codes) -> tuple[str, int, int]:
    """(kind, values agreeing, values looked at) of a column's sample: kind is "nik"
    (16 digits), "region_code" (a Kemendagri code the region table holds), "birth_date"
    (dates), "sex" (L/P words) or "" when its values do not agree enough."""
    filled = [v for v in values if v is not None and _cell_text(v) not in ("", "-")]
    filled = filled[:CONTENT_SAMPLE]
    if len(filled) < CONTENT_MIN_VALUES:
        return "", 0, len(filled)
    tests = (
        ("nik", lambda v: len(d := _identity_digits(v)) == 16 and d.isdigit()),
        ("region_code", lambda v: _region_code(v) in region_codes),
        ("birth_date", _is_date),
        ("sex", lambda v: normalise(v) in _SEX_WORDS),
    )
    for kind, test in tests:
        agreeing = sum(1 for v in filled if test(v))
        if agreeing >= CONTENT_SHARE * len(filled):
            return kind, agreeing, len(filled)
    return "", 0, len(filled)


# The fields a header may name that content of another kind overrides: a "Desa" column
# holding codes is read as codes, a "No" column holding NIKs as NIKs.
_OVERRIDDEN_BY = {
    # Never the name column: the one field a row cannot do without stays where it is.
    "nik": {None, IGNORE, "phone", "region_code", "case_summary"},
    "region_code": {None, IGNORE, "village", "district", "regency", "address"},
    "birth_date": {None},
    "sex": {None},
}


def recognise_by_content(
    headers: list[str], mapping: dict[str, str], rows: list[list], region_codes
) -> tuple[dict[str, str], list[str]]:
    """The mapping corrected by what the columns hold, and a note (in the user's language)
    for each column changed. Header names stay first: content decides only where the
    header names nothing we know, or names something the values plainly are not."""
    mapping = dict(mapping)
    notes: list[str] = []
    taken = {code for code in mapping.values() if code != IGNORE}
    for index, header in enumerate(headers):
        named = mapping.get(header) or None
        values = [row[index] if index < len(row) else None for row in rows]
        kind, agreeing, seen = content_kind(values, region_codes)
        if not kind:
            continue
        field = kind
        if kind == "nik" and (named == "kk_number" or _KK_WORDS.search(normalise(header))):
            field = "kk_number"
        if named == field or (kind == "nik" and named in ("nik", "kk_number")):
            continue
        if named not in _OVERRIDDEN_BY[kind] or field in taken:
            continue
        mapping[header] = field
        taken.add(field)
        taken.discard(named)
        share = {"column": header, "n": seen, "share": round(100 * agreeing / seen)}
        share["field"] = FIELDS_BY_CODE[field].label
        if named in (None, IGNORE):
            notes.append(
                _(
                    "The column “%(column)s” was read as %(field)s because of what it holds "
                    "(%(share)d%% of its first %(n)d values)."
                )
                % share
            )
        else:
            share["named"] = FIELDS_BY_CODE[named].label
            notes.append(
                _(
                    "The column “%(column)s” is named like %(named)s but holds %(field)s "
                    "(%(share)d%% of its first %(n)d values): it is read as %(field)s. "
                    "Change it below if this is wrong."
                )
                % share
            )
    return mapping, notes
