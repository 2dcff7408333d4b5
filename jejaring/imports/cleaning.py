"""Turning one spreadsheet row into a clean record, or saying precisely what is wrong.

Every problem names the row, the column and the reason in the user's language, and
is either an *error* (the row is not imported: the record would be wrong) or a
*warning* (the row is imported, and the officer should know what was assumed). The
registry's own identity rules (``registry.nik``) decide what a valid NIK is, so a row
is judged the same whether it comes from a form, the API or a spreadsheet.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from jejaring.core.exports import unquote_cell
from jejaring.registry import nik as nik_rules
from jejaring.registry.models import BirthDatePrecision
from jejaring.registry.names import name_key

from .readers import UnreadableCell

ERROR = "error"
WARNING = "warning"

EXCEL_EPOCH = datetime.date(1899, 12, 30)
# Excel serial numbers of 1900-01-01 … 2099-12-31: a bare number in a date column in
# this range is a date Excel exported as its serial number.
SERIAL_RANGE = (1, 73050)

MONTHS = {
    "jan": 1, "januari": 1, "january": 1,
    "feb": 2, "peb": 2, "februari": 2, "pebruari": 2, "february": 2,
    "mar": 3, "mrt": 3, "maret": 3, "march": 3,
    "apr": 4, "april": 4,
    "mei": 5, "may": 5,
    "jun": 6, "juni": 6, "june": 6,
    "jul": 7, "juli": 7, "july": 7,
    "agu": 8, "agt": 8, "ags": 8, "agst": 8, "agustus": 8, "aug": 8, "august": 8,
    "sep": 9, "sept": 9, "september": 9,
    "okt": 10, "oktober": 10, "oct": 10, "october": 10,
    "nov": 11, "nop": 11, "nopember": 11, "november": 11,
    "des": 12, "desember": 12, "dec": 12, "december": 12,
}  # fmt: skip

SEXES = {
    "l": "M", "lk": "M", "laki": "M", "laki laki": "M", "lakilaki": "M", "pria": "M",
    "m": "M", "male": "M", "cowok": "M",
    "p": "F", "pr": "F", "perempuan": "F", "wanita": "F", "w": "F", "f": "F", "female": "F",
}  # fmt: skip

_NUMERIC_DATE = re.compile(r"^(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{2}|\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$")
_WORD_DATE = re.compile(r"^(\d{1,2})\s+([a-zA-Z]+)\.?\s+(\d{4})$")
_YEAR = re.compile(r"^(19|20)\d{2}$")
_SCIENTIFIC = re.compile(r"^\d+(?:[.,]\d+)?[eE][+]?\d+$")
_SPACES = re.compile(r"\s+")


@dataclass
class Problem:
    row: int
    column: str
    message: str
    severity: str = ERROR


@dataclass(slots=True)
class Record:
    """One cleaned row, ready for linkage and loading."""

    row: int
    full_name: str = ""
    name_key: str = ""
    nik: str = ""
    kk_number: str = ""
    sex: str = ""
    birth_date: datetime.date | None = None
    birth_date_precision: str = BirthDatePrecision.EXACT
    birthplace: str = ""
    address: str = ""
    region_code: str = ""
    mother_name: str = ""
    father_name: str = ""
    guardian_name: str = ""
    phone: str = ""
    disability: str = ""
    category_id: int | None = None
    case_summary: str = ""
    service_type_id: int | None = None
    service_date: datetime.date | None = None
    quantity: int = 1
    fingerprint: str = ""
    # A living registry person the importer may not see in full already holds this
    # NIK: the new record is linked to it (``Person.nik_shared_with``) rather than
    # refused, since a refusal would tell the importer that the hidden record exists.
    nik_shared_with: int | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return any(p.severity == ERROR for p in self.problems)

    @property
    def birth_year(self) -> int | None:
        return self.birth_date.year if self.birth_date else None


@dataclass
class Lookups:
    """Reference data a row is checked against, loaded once per import."""

    region_codes: set[str]  # every known province, regency, district and village code
    villages_by_name: dict[tuple[str, str], list[str]]  # (district key, village key) → codes
    villages_by_village: dict[str, list[str]]  # village key → codes
    categories: dict[str, int]  # code or folded name → id
    service_types: dict[str, int]
    today: datetime.date


def text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unquote_cell(" ".join(str(value).split()))


def lookup_key(value) -> str:
    """Folded text for matching names of places and categories."""
    return re.sub(r"[^a-z0-9]+", " ", text(value).lower()).strip()


def parse_date(value, today: datetime.date) -> tuple[datetime.date | None, str, str, str]:
    """(date, precision, error, warning). Day first, as Indonesians write dates."""
    if value is None or value == "":
        return None, BirthDatePrecision.EXACT, "", ""
    if isinstance(value, datetime.datetime):
        return value.date(), BirthDatePrecision.EXACT, "", ""
    if isinstance(value, datetime.date):
        return value, BirthDatePrecision.EXACT, "", ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = int(value)
        if _YEAR.match(str(number)):
            # A year, even a future one (then refused as such), never an 1905 serial date.
            return datetime.date(number, 7, 1), BirthDatePrecision.YEAR, "", ""
        if SERIAL_RANGE[0] <= number <= SERIAL_RANGE[1]:
            return EXCEL_EPOCH + datetime.timedelta(days=number), BirthDatePrecision.EXACT, "", ""
        return None, "", _("%(value)s is not a date.") % {"value": value}, ""
    raw = text(value)
    if not raw or raw in ("-", "0"):
        return None, BirthDatePrecision.EXACT, "", ""
    if _YEAR.match(raw):
        return datetime.date(int(raw), 7, 1), BirthDatePrecision.YEAR, "", ""
    if raw.isdigit() and SERIAL_RANGE[0] <= int(raw) <= SERIAL_RANGE[1]:
        day = EXCEL_EPOCH + datetime.timedelta(days=int(raw))
        warning = _("%(raw)s was read as an Excel date number: %(date)s.") % {
            "raw": raw,
            "date": day.strftime("%d/%m/%Y"),
        }
        return day, BirthDatePrecision.EXACT, "", warning
    warning = ""
    if match := _ISO_DATE.match(raw):
        year, month, day = (int(g) for g in match.groups())
    elif match := _NUMERIC_DATE.match(raw):
        day, month, year = (int(g) for g in match.groups())
        if len(match.group(3)) == 2:
            # A two-digit year is the most recent one not in the future.
            year += 2000 if 2000 + year <= today.year else 1900
        if month > 12 >= day:
            day, month = month, day
            warning = _("%(raw)s looks like month/day; read as %(d)02d/%(m)02d/%(y)d.") % {
                "raw": raw,
                "d": day,
                "m": month,
                "y": year,
            }
    elif (match := _WORD_DATE.match(raw)) and match.group(2).lower() in MONTHS:
        day, month, year = int(match.group(1)), MONTHS[match.group(2).lower()], int(match.group(3))
    else:
        return None, "", _("“%(raw)s” is not a date; write it as dd/mm/yyyy.") % {"raw": raw}, ""
    try:
        return datetime.date(year, month, day), BirthDatePrecision.EXACT, "", warning
    except ValueError:
        return None, "", _("%(raw)s is not a real date.") % {"raw": raw}, ""


def clean_nik(value, column: str) -> tuple[str, str, str]:
    """(digits, error, warning) for the NIK or KK cell as it came from the file."""
    if value is None or value == "":
        return "", "", ""
    if isinstance(value, float | int) and not isinstance(value, bool):
        digits = str(int(value))
        # Excel keeps 15 significant digits: the 16th is lost and shows as 0.
        if len(digits) == 16 and digits.endswith("0"):
            return (
                "",
                _(
                    "Excel stored this number as a number (%(shown)s) and kept only 15 digits: "
                    "the last digit is lost. Format the %(column)s column as Text, type the "
                    "number again and re-export."
                )
                % {"shown": f"{value:.5E}", "column": column},
                "",
            )
        return (
            digits,
            "",
            _("The %(column)s was stored as a number; format the column as Text in Excel.")
            % {"column": column},
        )
    raw = text(value)
    if _SCIENTIFIC.match(raw.replace(" ", "")):
        return (
            "",
            _(
                "“%(raw)s” is a number Excel turned into scientific notation: the digits of "
                "the %(column)s are lost. Format the %(column)s column as Text, type the "
                "number again and re-export."
            )
            % {"raw": raw, "column": column},
            "",
        )
    if raw.startswith("'"):  # Excel's own "this is text" prefix, exported literally
        raw = raw[1:]
    return nik_rules.clean_number(raw), "", ""


class RowCleaner:
    """Cleans rows of one file: ``mapping`` is column index → field code."""

    def __init__(self, headers: list[str], mapping: dict[str, str], lookups: Lookups):
        self.lookups = lookups
        self.columns = {code: i for i, h in enumerate(headers) if (code := mapping.get(h))}
        self.labels = {code: headers[i] for code, i in self.columns.items()}

    def _get(self, values: list, code: str):
        index = self.columns.get(code)
        if index is None or index >= len(values):
            return None
        return values[index]

    def clean(self, number: int, values: list) -> Record:
        record = Record(row=number)
        problems = record.problems

        def problem(code, message, severity=ERROR):
            problems.append(Problem(number, self.labels.get(code, code), message, severity))

        for code, index in self.columns.items():
            # A formula without its result, a cell longer than any field: the reader
            # says why it set the value aside.
            if index < len(values) and isinstance(values[index], UnreadableCell):
                problem(code, values[index].reason())
                values = list(values)
                values[index] = None

        record.full_name = text(self._get(values, "full_name"))
        if not record.full_name:
            problem("full_name", _("The name is empty."))
        elif len(record.full_name) > 200:
            problem("full_name", _("The name is longer than 200 characters."))
        record.name_key = name_key(record.full_name)
        if record.full_name and not record.name_key:
            problem("full_name", _("The name has no letters."))

        self._clean_birth(record, values, problem)
        self._clean_sex(record, values, problem)
        self._clean_identity_numbers(record, values, problem)
        self._clean_region(record, values, problem)
        for code in ("birthplace", "mother_name", "father_name", "guardian_name", "phone"):
            value = text(self._get(values, code))[: 200 if code != "phone" else 40]
            if value or code != "birthplace":  # keep a birthplace read from the TTL column
                setattr(record, code, value)
        record.disability = text(self._get(values, "disability"))
        address = text(self._get(values, "address"))
        rt_rw = text(self._get(values, "rt_rw"))
        record.address = f"{address} RT/RW {rt_rw}".strip() if rt_rw else address
        self._clean_case(record, values, problem)
        record.fingerprint = fingerprint(record)
        return record

    def _clean_birth(self, record, values, problem):
        raw = self._get(values, "birth_date")
        ttl = text(self._get(values, "birth_place_date"))
        if raw in (None, "") and ttl:
            # "Pekanbaru, 12-03-2014": place, then date.
            place, _sep, date_part = ttl.rpartition(",")
            raw = date_part.strip() or ttl
            record.birthplace = place.strip()
        date, precision, error, warning = parse_date(raw, self.lookups.today)
        column = "birth_date" if "birth_date" in self.columns else "birth_place_date"
        if error:
            problem(column, error)
        if warning:
            problem(column, warning, WARNING)
        if date and date > self.lookups.today:
            problem(column, _("A birth date cannot be in the future."))
            date = None
        if date and date < datetime.date(1900, 1, 1):
            problem(column, _("A birth date before 1900 is not possible."))
            date = None
        record.birth_date, record.birth_date_precision = date, precision or BirthDatePrecision.EXACT

    def _clean_sex(self, record, values, problem):
        raw = lookup_key(self._get(values, "sex"))
        record.sex = SEXES.get(raw, "")
        if raw and not record.sex:
            problem("sex", _("“%(raw)s” is not a sex; write L or P.") % {"raw": raw})

    def _clean_identity_numbers(self, record, values, problem):
        nik_label = self.labels.get("nik", "NIK")
        digits, error, warning = clean_nik(self._get(values, "nik"), nik_label)
        if error:
            problem("nik", error)
        if warning:
            problem("nik", warning, WARNING)
        if digits:
            try:
                parts = nik_rules.parse(digits)
                nik_rules.check_region(parts, self.lookups.region_codes)
                if not record.sex:
                    record.sex = "F" if parts.is_female else "M"
                nik_rules.check_agrees(
                    parts,
                    record.birth_date,
                    record.sex,
                    birth_date_exact=record.birth_date_precision == BirthDatePrecision.EXACT,
                )
                record.nik = parts.nik
            except ValidationError as exc:
                for message in exc.messages:
                    problem("nik", message)
        if not record.sex and "sex" not in {p.column for p in record.problems}:
            problem("sex", _("The sex is empty and there is no NIK to read it from."))
        kk_label = self.labels.get("kk_number", "No KK")
        digits, error, warning = clean_nik(self._get(values, "kk_number"), kk_label)
        if error:
            problem("kk_number", error)
        if warning:
            problem("kk_number", warning, WARNING)
        if digits:
            try:
                record.kk_number = nik_rules.validate_kk(digits)
            except ValidationError as exc:
                problem("kk_number", exc.messages[0])

    def _clean_region(self, record, values, problem):
        lookups = self.lookups
        raw_code = text(self._get(values, "region_code"))
        if raw_code:
            code = _dotted_village_code(raw_code)
            if code in lookups.region_codes:
                record.region_code = code
                return
            problem(
                "region_code",
                _("The region code %(code)s is not a known village code.") % {"code": raw_code},
                WARNING,
            )
        village = lookup_key(self._get(values, "village"))
        if not village:
            return
        district = lookup_key(self._get(values, "district"))
        codes = lookups.villages_by_name.get((district, village)) if district else None
        if codes is None:
            codes = lookups.villages_by_village.get(village, [])
        if len(codes) == 1:
            record.region_code = codes[0]
        elif not codes:
            problem(
                "village",
                _(
                    "No village “%(name)s” is known in your area; the person is imported "
                    "without a village."
                )
                % {"name": text(self._get(values, "village"))},
                WARNING,
            )
        else:
            problem(
                "village",
                _(
                    "“%(name)s” names %(n)d villages; add the Kecamatan column to choose one. "
                    "Imported without a village."
                )
                % {"name": text(self._get(values, "village")), "n": len(codes)},
                WARNING,
            )

    def _clean_case(self, record, values, problem):
        lookups = self.lookups
        category = lookup_key(self._get(values, "category"))
        if category:
            record.category_id = lookups.categories.get(category)
            if record.category_id is None:
                problem(
                    "category",
                    _("“%(raw)s” is not a PMKS category in the reference list.")
                    % {"raw": text(self._get(values, "category"))},
                )
        record.case_summary = text(self._get(values, "case_summary"))
        service = lookup_key(self._get(values, "service_type"))
        if not service:
            return
        record.service_type_id = lookups.service_types.get(service)
        if record.service_type_id is None:
            problem(
                "service_type",
                _("“%(raw)s” is not a service in the reference list.")
                % {"raw": text(self._get(values, "service_type"))},
            )
        if record.category_id is None and not category:
            problem("category", _("A service needs the PMKS category of the case it belongs to."))
        date, _precision, error, _warning = parse_date(
            self._get(values, "service_date"), lookups.today
        )
        if error:
            problem("service_date", error)
        elif date is None:
            problem("service_date", _("A service needs the date it was delivered."))
        elif date > lookups.today:
            problem("service_date", _("A service cannot be delivered in the future."))
        elif record.birth_date and date < record.birth_date:
            problem("service_date", _("The service date is before the person was born."))
        record.service_date = date
        raw_quantity = text(self._get(values, "quantity"))
        if raw_quantity:
            if raw_quantity.isdigit() and int(raw_quantity) >= 1:
                record.quantity = int(raw_quantity)
            else:
                problem("quantity", _("The quantity is a whole number, at least 1."))


def _dotted_village_code(raw: str) -> str:
    digits = re.sub(r"\D", "", raw)
    if len(digits) == 10:
        return f"{digits[:2]}.{digits[2:4]}.{digits[4:6]}.{digits[6:]}"
    return raw.strip()


def fingerprint(record: Record) -> str:
    """The same row imported twice has the same fingerprint: re-imports create nothing."""
    parts = (
        record.name_key,
        record.nik,
        record.kk_number,
        record.sex,
        record.birth_date.isoformat() if record.birth_date else "",
        record.region_code,
        record.mother_name.lower(),
        str(record.category_id or ""),
        str(record.service_type_id or ""),
        record.service_date.isoformat() if record.service_date else "",
        str(record.quantity),
    )
    return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=16).hexdigest()
