"""Reading district spreadsheets: CSV in whatever encoding, and Excel (.xlsx).

What comes in from district offices is rarely tidy: a title above the table, headers
merged over two rows ("Orang Tua" over "Ayah" and "Ibu"), a row of column numbers under
the headers, blank rows, formulas, CSV saved by an Indonesian Excel with semicolons and
Windows-1252. The reader finds the header row itself and streams the data rows, each
with the row number the person sees in their spreadsheet, so a 50 MB file never sits
in memory at once.
"""

from __future__ import annotations

import codecs
import csv
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .columns import header_score

HEADER_SEARCH_ROWS = 30
CHUNK = 1 << 20
EXCEL_TYPES = ("xlsx", "xlsm")
TEXT_TYPES = ("csv", "txt")
ACCEPTED = EXCEL_TYPES + TEXT_TYPES
ZIP_MAGIC = b"PK\x03\x04"


class FormulaWithoutValue:
    """A formula cell the file carries no computed value for (never opened in Excel)."""

    def __init__(self, formula: str):
        self.formula = formula

    def __repr__(self) -> str:
        return f"FormulaWithoutValue({self.formula!r})"

    def __str__(self) -> str:
        return self.formula


@dataclass
class Sheet:
    headers: list[str]
    # (row number in the spreadsheet, cell values): blank rows are already skipped.
    rows: Iterator[tuple[int, list]]
    file_type: str
    encoding: str = ""
    sheet_name: str = ""
    header_row: int = 0
    notes: list[str] = field(default_factory=list)


def file_type_of(path: Path, name: str) -> str:
    """'xlsx' or 'csv', from the first bytes as much as the name (no trusting names)."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    with open(path, "rb") as handle:
        head = handle.read(8)
    if head.startswith(ZIP_MAGIC):
        if extension not in EXCEL_TYPES:
            raise ValidationError(_("This file is an Excel workbook: save it with .xlsx."))
        return "xlsx"
    if extension in EXCEL_TYPES:
        raise ValidationError(
            _("This file is named .%(ext)s but is not an Excel workbook; is it damaged?")
            % {"ext": extension}
        )
    if extension == "xls" or head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ValidationError(
            _(
                "The old Excel format (.xls) cannot be read. In Excel choose "
                "File → Save As → Excel Workbook (.xlsx) or CSV, then upload again."
            )
        )
    if extension not in TEXT_TYPES:
        raise ValidationError(
            _("Only CSV and Excel (.xlsx) files can be imported; this file is .%(ext)s.")
            % {"ext": extension or "?"}
        )
    return "csv"


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) when every byte decodes as UTF-8; otherwise the
    Windows code page Indonesian Excel writes (cp1252), or Latin-1 as the last resort,
    which decodes any byte."""
    with open(path, "rb") as handle:
        head = handle.read(3)
        if head == codecs.BOM_UTF8:
            return "utf-8-sig"
        handle.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := handle.read(CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
            return "utf-8"
        except UnicodeDecodeError:
            pass
        handle.seek(0)
        decoder = codecs.getincrementaldecoder("cp1252")()
        try:
            while chunk := handle.read(CHUNK):
                decoder.decode(chunk)
            return "cp1252"
        except UnicodeDecodeError:
            return "latin-1"


ENCODING_NAMES = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8",
    "cp1252": "Windows-1252 (Latin-1)",
    "latin-1": "Latin-1 (ISO-8859-1)",
}


def _blank(values) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def _is_column_numbering(values) -> bool:
    """Government forms often number the columns under the header: 1, 2, 3, …"""
    filled = [v for v in values if not (v is None or (isinstance(v, str) and not v.strip()))]
    if len(filled) < 3:
        return False
    try:
        numbers = [int(str(v).strip().strip("()")) for v in filled]
    except ValueError:
        return False
    return numbers == list(range(numbers[0], numbers[0] + len(numbers)))


def _forward_fill(values) -> list:
    """A merged cell's text sits in its first cell only; carry it over the span."""
    filled, last = [], None
    for value in values:
        if value is not None and str(value).strip():
            last = value
        filled.append(last)
    return filled


def _combine_headers(parent, child) -> list[str]:
    """Two header rows into one: the lower label where there is one ("Ibu" under
    "Orang Tua"), the upper one where a label was merged down over both rows."""
    parent = _forward_fill(parent)
    width = max(len(parent), len(child))
    labels = []
    for i in range(width):
        upper = parent[i] if i < len(parent) else None
        lower = child[i] if i < len(child) else None
        lower_text = str(lower).strip() if lower is not None else ""
        upper_text = str(upper).strip() if upper is not None else ""
        if lower_text and upper_text and header_score([lower_text]) == 0:
            labels.append(f"{upper_text} {lower_text}")
        else:
            labels.append(lower_text or upper_text)
    return labels


def _find_header(rows: list[tuple[int, list]]) -> tuple[list[str], int]:
    """(labels, index in ``rows`` of the first data row). Tries each row alone and each
    pair of rows as a two-level header, keeping the one naming most known fields."""
    singles = [[str(v).strip() if v is not None else "" for v in values] for _n, values in rows]
    scores = [header_score(labels) for labels in singles]
    best = (0, None, 0)
    for i, (_number, values) in enumerate(rows):
        if scores[i] > best[0]:
            best = (scores[i], singles[i], i + 1)
        if i + 1 < len(rows):
            # A two-level header only when it names more than either row alone, so a
            # title line above the header is not glued onto the column names.
            combined = _combine_headers(values, rows[i + 1][1])
            pair_score = header_score(combined)
            if pair_score > max(best[0], scores[i], scores[i + 1]):
                best = (pair_score, combined, i + 2)
    if best[1] is None or best[0] < 1:
        raise ValidationError(
            _(
                "No header row was found in the first %(n)d rows. The table needs a row of "
                "column names such as Nama, NIK, Tgl Lahir."
            )
            % {"n": HEADER_SEARCH_ROWS}
        )
    labels = best[1]
    # Give unnamed columns a name so the mapping page can still show them.
    labels = [label or _("Column %(n)d") % {"n": i + 1} for i, label in enumerate(labels)]
    return labels, best[2]


def _sheet_from_rows(numbered: Iterator[tuple[int, list]], file_type: str, **extra) -> Sheet:
    non_blank = ((n, v) for n, v in numbered if not _blank(v))
    head = list(itertools.islice(non_blank, HEADER_SEARCH_ROWS))
    labels, first_data = _find_header(head)
    header_row = head[first_data - 1][0] if first_data else 0
    rest = itertools.chain(head[first_data:], non_blank)
    data = ((n, v) for n, v in rest if not _is_column_numbering(v))
    return Sheet(labels, data, file_type, header_row=header_row, **extra)


def read_csv(path: Path) -> Sheet:
    encoding = detect_encoding(path)
    handle = open(path, encoding=encoding, newline="")  # noqa: SIM115 - closed by the generator
    sample = handle.read(64 * 1024)
    handle.seek(0)
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.reader(handle, delimiter=delimiter)

    def numbered():
        try:
            # Records, not physical lines: a quoted cell may hold a line break.
            yield from enumerate(reader, start=1)
        finally:
            handle.close()

    notes = []
    if encoding in ("cp1252", "latin-1"):
        notes.append(
            _("The file is not UTF-8; it was read as %(enc)s.") % {"enc": ENCODING_NAMES[encoding]}
        )
    try:
        return _sheet_from_rows(numbered(), "csv", encoding=encoding, notes=notes)
    except csv.Error as exc:
        handle.close()
        raise ValidationError(_("The CSV file cannot be read: %(why)s") % {"why": exc}) from exc


def read_xlsx(path: Path) -> Sheet:
    """Values as Excel last computed them; formulas with no computed value are marked.

    Two read-only passes run side by side: one for cached values, one for the formulas
    themselves, since openpyxl gives one or the other.
    """
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        values_book = load_workbook(path, read_only=True, data_only=True)
        formula_book = load_workbook(path, read_only=True, data_only=False)
    except (InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise ValidationError(_("The Excel file cannot be opened; is it damaged?")) from exc
    sheet_name = _pick_sheet(values_book)
    values_sheet = values_book[sheet_name]
    formula_sheet = formula_book[sheet_name]

    def numbered():
        try:
            pairs = zip(
                values_sheet.iter_rows(values_only=True),
                formula_sheet.iter_rows(values_only=True),
                strict=False,
            )
            for number, (values, formulas) in enumerate(pairs, start=1):
                row = list(values)
                for i, formula in enumerate(formulas):
                    if row[i] is None and isinstance(formula, str) and formula.startswith("="):
                        row[i] = FormulaWithoutValue(formula)
                yield number, row
        finally:
            values_book.close()
            formula_book.close()

    return _sheet_from_rows(numbered(), "xlsx", sheet_name=sheet_name)


def _pick_sheet(book) -> str:
    """The first sheet whose top rows look like a table of people."""
    for sheet in book.worksheets:
        if sheet.sheet_state != "visible":
            continue
        top = itertools.islice(sheet.iter_rows(values_only=True), HEADER_SEARCH_ROWS)
        if any(header_score([c for c in row if isinstance(c, str)]) >= 1 for row in top):
            return sheet.title
    return book.worksheets[0].title


def open_sheet(path: Path, name: str) -> Sheet:
    kind = file_type_of(path, name)
    return read_xlsx(path) if kind == "xlsx" else read_csv(path)
