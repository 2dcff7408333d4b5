"""Turning one spreadsheet row into a clean record, judged field by field.

A row that names a person is imported as long as it also carries something else to
know them by: a birth date or year, a sex, or a village. Only a row with no usable
identity is refused (its problems are *errors*). On an imported row every problem is a
*warning* and says what happened to the value: kept as read, kept with an assumption,
kept as an unverified NIK, or set aside (the person is imported without it). Refusing a
row for one bad cell would remove the person from the registry and every duplicate pair
they belong to, which is worse than any single wrong field.

The registry's own identity rules (``registry.nik``) decide what a valid NIK is, so a
row is judged the same whether it comes from a form, the API or a spreadsheet. A NIK
that fails them is kept as ``nik_unverified`` with the rule's message, never as ``nik``
and never corrected.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jejaring.core.exports import unquote_cell
from jejaring.registry import nik as nik_rules
from jejaring.registry.addresses import parse_rt_rw
from jejaring.registry.models import BirthDatePrecision
from jejaring.registry.names import name_key

from .readers import UnreadableCell

ERROR = "error"
WARNING = "warning"

EXCEL_EPOCH = datetime.date(1899, 12, 30)
# Excel serial numbers of 1900-01-01 … 2099-12-31: a bare number in a date column in
# this range is a date Excel exported as its serial number.
SERIAL_RANGE = (1, 73050)
UNVERIFIED_NIK_MAX = 32  # Person.nik_unverified
UNVERIFIED_REASON_MAX = 300  # Person.nik_unverified_reason

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

# What happened to a value, appended to the row's message (the problem list has no
# other place to say it).
SET_ASIDE = gettext_lazy("Set aside: the person is imported without it.")
SERVICE_SET_ASIDE = gettext_lazy("The service is not recorded; the person is imported.")
KEPT_UNVERIFIED = gettext_lazy("The NIK is kept on the person as an unverified NIK.")

# The reasons the per-column report counts: one line per kind of problem, without the
# row's own values (a message naming each row's date would make every row its own reason).
REASONS = {
    "cell_unreadable": gettext_lazy("A formula without its result, or a cell too long to read."),
    "date_invalid": gettext_lazy("Not a date that can be read."),
    "date_serial": gettext_lazy("Read as an Excel date number."),
    "date_month_day": gettext_lazy("Read as month/day, day first."),
    "sex_unknown": gettext_lazy("Not a sex (L or P)."),
    "nik_number": gettext_lazy("Stored by Excel as a number; the digits are complete."),
    "nik_scientific": gettext_lazy("Scientific notation: the digits are lost."),
    "nik_excel15": gettext_lazy("Unverified: Excel kept only 15 digits."),
    "nik_not_a_nik": gettext_lazy("Not a NIK."),
    "nik_not_digits": gettext_lazy("Unverified: not digits only."),
    "nik_length": gettext_lazy("Unverified: not 16 digits."),
    "nik_impossible_date": gettext_lazy("Unverified: digits 7 to 12 are not a date."),
    "nik_serial": gettext_lazy("Unverified: ends in 0000 (digits lost by Excel)."),
    "nik_unknown_region": gettext_lazy("Unverified: unknown region code."),
    "nik_sex": gettext_lazy("Unverified: disagrees with the sex."),
    "nik_birth_date": gettext_lazy("Unverified: disagrees with the birth date."),
    "nik_conflict": gettext_lazy("Unverified: registered under another name."),
    "kk_invalid": gettext_lazy("Not a family card number."),
    "rt_rw_unreadable": gettext_lazy("Not an RT/RW pair such as 003/005."),
    "region_unknown": gettext_lazy("Not a known region code."),
    "village_unknown": gettext_lazy("No such village in the area."),
    "village_ambiguous": gettext_lazy("The village name fits several villages."),
    "category_unknown": gettext_lazy("Not a PMKS category in the reference list."),
    "service_unknown": gettext_lazy("Not a service in the reference list."),
    "service_date_invalid": gettext_lazy("Not a service date that can be read."),
    "refused": gettext_lazy("The row was refused: no usable identity."),
}


@dataclass(slots=True)
class Problem:
    row: int
    column: str  # the header as the officer sees it
    message: str
    severity: str = WARNING
    # The cell's value was kept (as read, with an assumption, or as an unverified NIK);
    # False: set aside, or the row refused.
    kept: bool = False
    field: str = ""  # the field code, for the per-column report
    reason: str = ""  # the kind of problem, for the per-column report (default: message)

    def as_json(self) -> dict:
        return {
            "column": self.column,
            "message": self.message,
            "severity": self.severity,
            "kept": self.kept,
        }


@dataclass(slots=True)
class Record:
    """One cleaned row, ready for linkage and loading."""

    row: int
    full_name: str = ""
    name_key: str = ""
    nik: str = ""  # passed every structure and consistency rule
    # The digits of a NIK that failed a rule, with the rule's message: kept, never a key.
    nik_unverified: str = ""
    nik_unverified_reason: str = ""
    # The NIK is held under another name (by a registry person or an earlier row): its
    # digits belong to someone else, so linkage must not take them as this row's.
    nik_conflict: bool = False
    kk_number: str = ""
    sex: str = ""
    sex_from_nik: bool = False  # read from the NIK's day field (the cell was empty)
    birth_date: datetime.date | None = None
    birth_date_precision: str = BirthDatePrecision.EXACT
    birthplace: str = ""
    address: str = ""
    rt: str = ""
    rw: str = ""
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
    # The fields whose cell held something (for the per-column report).
    given: tuple[str, ...] = ()
    problems: list[Problem] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        """The row is refused: it has no usable identity."""
        return any(p.severity == ERROR for p in self.problems)

    refused = has_errors

    @property
    def needs_fixing(self) -> bool:
        """Refused, something set aside, or a NIK kept unverified: worth a look in the file."""
        return bool(self.nik_unverified) or any(not p.kept for p in self.problems)

    @property
    def birth_year(self) -> int | None:
        return self.birth_date.year if self.birth_date else None

    def unverify_nik(self, reason: str) -> None:
        """Move the NIK to ``nik_unverified`` (a rule failed, or a conflict): the sex is
        no longer read from it."""
        if self.nik:
            self.nik_unverified, self.nik = self.nik, ""
        self.nik_unverified_reason = reason[:UNVERIFIED_REASON_MAX]
        if self.sex_from_nik:
            self.sex, self.sex_from_nik = "", False


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
    """(digits, error, warning) for the NIK or KK cell as it came from the file.

    ``error`` says why the digits cannot be trusted: with ``digits`` empty they are gone
    (scientific notation), with ``digits`` given they are what Excel left (a 16-digit
    number whose last digit Excel zeroed) and may be kept as unverified, never as valid.
    """
    if value is None or value == "":
        return "", "", ""
    if isinstance(value, float | int) and not isinstance(value, bool):
        digits = str(int(value))
        # Excel keeps 15 significant digits: the 16th is lost and shows as 0.
        if len(digits) == 16 and digits.endswith("0"):
            return (
                digits,
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


def has_identity(record: Record) -> bool:
    """A name with letters, and something else to know the person by."""
    return bool(record.name_key) and bool(record.birth_date or record.sex or record.region_code)


def refuse(record: Record) -> None:
    """The row has no usable identity: nothing of it is imported, every problem is an
    error and says so."""
    if not any(p.field == "full_name" for p in record.problems):
        record.problems.append(
            Problem(
                record.row,
                "",
                _(
                    "The row names a person but gives no birth date or year, no sex and no "
                    "village: it was not imported. Add one of them and import it again."
                ),
                ERROR,
                reason=str(REASONS["refused"]),
            )
        )
    notes = [f" {note}" for note in (SET_ASIDE, SERVICE_SET_ASIDE, KEPT_UNVERIFIED)]
    for problem in record.problems:
        problem.severity, problem.kept = ERROR, False
        # Refused after the row was judged (a NIK conflict took the sex read from it):
        # nothing was imported, so no message may say what was imported.
        for note in notes:
            problem.message = problem.message.removesuffix(note)


def column_report(columns: list[tuple[str, str]], records) -> list[dict]:
    """Per mapped column (header, field code): how many rows' cells were kept, how many
    set aside, and the reasons counted. A refused row's cells are all set aside."""
    report = {
        code: {"column": label, "field": code, "kept": 0, "set_aside": 0, "reasons": {}}
        for label, code in columns
    }
    refused = str(REASONS["refused"])
    for record in records:
        aside = set()
        for problem in record.problems:
            entry = report.get(problem.field)
            if entry is None or problem.field not in record.given:
                continue  # about an empty cell (no sex given): not a value kept or set aside
            reason = problem.reason or problem.message
            entry["reasons"][reason] = entry["reasons"].get(reason, 0) + 1
            if not problem.kept:
                aside.add(problem.field)
        for code in record.given:
            entry = report.get(code)
            if entry is None:
                continue
            if record.refused or code in aside:
                entry["set_aside"] += 1
                if code not in aside:
                    entry["reasons"][refused] = entry["reasons"].get(refused, 0) + 1
            else:
                entry["kept"] += 1
    return list(report.values())


class RowCleaner:
    """Cleans rows of one file: ``mapping`` is column index → field code."""

    def __init__(self, headers: list[str], mapping: dict[str, str], lookups: Lookups):
        self.lookups = lookups
        self.columns = {code: i for i, h in enumerate(headers) if (code := mapping.get(h))}
        self.labels = {code: headers[i] for code, i in self.columns.items()}
        # The columns the report covers, in file order (an ignored column is not one).
        self.report_columns = [
            (headers[i], code)
            for code, i in sorted(self.columns.items(), key=lambda item: item[1])
            if code != "ignore"
        ]

    def _get(self, values: list, code: str):
        index = self.columns.get(code)
        if index is None or index >= len(values):
            return None
        return values[index]

    def clean(self, number: int, values: list) -> Record:
        record = Record(row=number)
        problems = record.problems
        notes: list[str] = []  # what happened to the value, per problem (see SET_ASIDE)

        def problem(code, message, *, kept=False, reason="", note=""):
            """``note`` says what happened to the value (default: nothing for a kept
            value, SET_ASIDE for one set aside; None: the message says it already)."""
            problems.append(
                Problem(
                    number,
                    self.labels.get(code, code),
                    message,
                    WARNING,
                    kept,
                    code,
                    str(REASONS[reason]) if reason else message,
                )
            )
            if note == "":
                note = None if kept else SET_ASIDE
            notes.append("" if note is None else str(note))

        record.given = tuple(
            code
            for code, index in self.columns.items()
            if index < len(values) and values[index] not in (None, "") and text(values[index])
        )
        for code, index in self.columns.items():
            # A formula without its result, a cell longer than any field: the reader
            # says why it set the value aside.
            if index < len(values) and isinstance(values[index], UnreadableCell):
                problem(code, values[index].reason(), reason="cell_unreadable")
                values = list(values)
                values[index] = None

        record.full_name = text(self._get(values, "full_name"))
        if not record.full_name:
            problem("full_name", _("The name is empty."), note=None)
        elif len(record.full_name) > 200:
            problem("full_name", _("The name is longer than 200 characters."), note=None)
            record.full_name = ""
        elif not any(c.isalpha() for c in record.full_name):
            problem("full_name", _("The name has no letters."), note=None)
            record.full_name = ""
        record.name_key = name_key(record.full_name)
        if record.full_name and not record.name_key:
            # Letters that fold to nothing (a name made only of what reads as titles):
            # the name is still the person's, so it is compared as typed.
            record.name_key = lookup_key(record.full_name)

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
        # The address line keeps the cell as it was; the fields get it when it reads.
        record.address = f"{address} RT/RW {rt_rw}".strip() if rt_rw else address
        pair = parse_rt_rw(rt_rw) if rt_rw else None
        if pair:
            record.rt, record.rw = pair
        elif rt_rw:
            problem(
                "rt_rw",
                _("RT/RW %(value)s cannot be read as RT and RW; it is kept in the address.")
                % {"value": rt_rw[:20]},
                kept=True,
                reason="rt_rw_unreadable",
                note=None,
            )
        self._clean_case(record, values, problem)
        if has_identity(record):
            for item, note in zip(problems, notes, strict=True):
                if note:
                    item.message = f"{item.message} {note}"
        else:
            refuse(record)
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
            problem(column, error, reason="date_invalid")
        if warning:
            serial = text(raw).isdigit()
            problem(
                column, warning, kept=True, reason="date_serial" if serial else "date_month_day"
            )
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
            problem(
                "sex",
                _("“%(raw)s” is not a sex; write L or P.") % {"raw": raw},
                reason="sex_unknown",
            )

    def _clean_identity_numbers(self, record, values, problem):
        nik_label = self.labels.get("nik", "NIK")
        raw_nik = self._get(values, "nik")
        digits, error, warning = clean_nik(raw_nik, nik_label)
        if warning:
            problem("nik", warning, kept=True, reason="nik_number")
        if error and not digits:
            problem("nik", error, reason="nik_scientific")
        elif error:
            # What Excel left of the number: kept, never trusted.
            record.nik_unverified = digits
            record.nik_unverified_reason = str(REASONS["nik_excel15"])
            problem("nik", error, kept=True, reason="nik_excel15", note=KEPT_UNVERIFIED)
        elif digits and (not re.search(r"[1-9]", digits) or len(digits) > UNVERIFIED_NIK_MAX):
            # "belum ada", "0", a note typed in the NIK column: no NIK to keep.
            problem(
                "nik",
                _("“%(raw)s” is not a NIK.") % {"raw": text(raw_nik)[:40]},
                reason="nik_not_a_nik",
            )
        elif digits:
            self._judge_nik(record, digits, problem)
        if not record.sex and "sex" not in {p.field for p in record.problems}:
            problem(
                "sex",
                _("The sex is empty; it is not read from an unverified NIK.")
                if record.nik_unverified
                else _("The sex is empty and there is no NIK to read it from."),
                kept=True,  # nothing was set aside: the person has no sex recorded
            )
        kk_label = self.labels.get("kk_number", "No KK")
        digits, error, warning = clean_nik(self._get(values, "kk_number"), kk_label)
        if warning:
            problem("kk_number", warning, kept=True, reason="nik_number")
        if error:
            problem("kk_number", error, reason="kk_invalid")
        elif digits:
            try:
                record.kk_number = nik_rules.validate_kk(digits)
            except ValidationError as exc:
                problem("kk_number", exc.messages[0], reason="kk_invalid")

    def _judge_nik(self, record, digits, problem):
        """A NIK passing every rule is the NIK; one failing any is kept as unverified,
        with the rule's message, and says nothing about the sex."""
        try:
            parts = nik_rules.parse(digits)
            nik_rules.check_region(parts, self.lookups.region_codes)
            sex = record.sex or ("F" if parts.is_female else "M")
            nik_rules.check_agrees(
                parts,
                record.birth_date,
                sex,
                birth_date_exact=record.birth_date_precision == BirthDatePrecision.EXACT,
            )
        except ValidationError as exc:
            failures = exc.error_list
            messages = [m for failure in failures for m in failure.messages]
            record.nik_unverified = digits
            record.nik_unverified_reason = " ".join(messages)[:UNVERIFIED_REASON_MAX]
            for failure, message in zip(failures, messages, strict=False):
                code = failure.code if failure.code in REASONS else ""
                problem("nik", message, kept=True, reason=code, note=KEPT_UNVERIFIED)
            return
        record.nik = parts.nik
        if not record.sex:
            record.sex, record.sex_from_nik = sex, True

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
                reason="region_unknown",
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
                reason="village_unknown",
                note=None,
            )
        else:
            problem(
                "village",
                _(
                    "“%(name)s” names %(n)d villages; add the Kecamatan column to choose one. "
                    "Imported without a village."
                )
                % {"name": text(self._get(values, "village")), "n": len(codes)},
                reason="village_ambiguous",
                note=None,
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
                    reason="category_unknown",
                )
        record.case_summary = text(self._get(values, "case_summary"))
        if record.case_summary and record.category_id is None:
            # A case belongs to a category: notes without one have nowhere to go.
            problem(
                "case_summary",
                _("Case notes need the PMKS category of the case they belong to."),
            )
            record.case_summary = ""
        service = lookup_key(self._get(values, "service_type"))
        if not service:
            return
        found = len(record.problems)

        def service_problem(code, message, reason=""):
            problem(code, message, reason=reason, note=SERVICE_SET_ASIDE)

        record.service_type_id = lookups.service_types.get(service)
        if record.service_type_id is None:
            service_problem(
                "service_type",
                _("“%(raw)s” is not a service in the reference list.")
                % {"raw": text(self._get(values, "service_type"))},
                "service_unknown",
            )
        if record.category_id is None and not category:
            service_problem(
                "service_type", _("A service needs the PMKS category of the case it belongs to.")
            )
        date, _precision, error, _warning = parse_date(
            self._get(values, "service_date"), lookups.today
        )
        if error:
            service_problem("service_date", error, "service_date_invalid")
        elif date is None:
            service_problem("service_date", _("A service needs the date it was delivered."))
        elif date > lookups.today:
            service_problem("service_date", _("A service cannot be delivered in the future."))
        elif record.birth_date and date < record.birth_date:
            service_problem("service_date", _("The service date is before the person was born."))
        record.service_date = date
        raw_quantity = text(self._get(values, "quantity"))
        if raw_quantity:
            if raw_quantity.isdigit() and int(raw_quantity) >= 1:
                record.quantity = int(raw_quantity)
            else:
                service_problem("quantity", _("The quantity is a whole number, at least 1."))
        if len(record.problems) > found:
            # A service line that cannot be recorded as given is not recorded at all: a
            # guessed date or quantity would count in the SPM figures.
            record.service_type_id, record.service_date, record.quantity = None, None, 1


def _dotted_village_code(raw: str) -> str:
    digits = re.sub(r"\D", "", raw)
    if len(digits) == 10:
        return f"{digits[:2]}.{digits[2:4]}.{digits[4:6]}.{digits[6:]}"
    return raw.strip()


def fingerprint(record: Record) -> str:
    """The same row imported twice has the same fingerprint: re-imports create nothing."""
    parts = (
        record.name_key,
        # The digits as given: a NIK moved to unverified later (a conflict) is the same row.
        record.nik or record.nik_unverified,
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
