"""Reading district spreadsheets: CSV in whatever encoding, and Excel (.xlsx).

What comes in from district offices is rarely tidy: a title above the table, headers
merged over two rows ("Orang Tua" over "Ayah" and "Ibu"), a row of column numbers under
the headers, blank rows, formulas, CSV saved by an Indonesian Excel with semicolons and
Windows-1252. The reader finds the header row itself and streams the data rows, each
with the row number the person sees in their spreadsheet, so a 50 MB file never sits
in memory at once.
"""

from __future__ import annotations

import abc
import codecs
import csv
import itertools
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from . import archive
from .columns import CONTENT_SAMPLE, LEVEL_SEPARATOR, header_score, recognise

HEADER_SEARCH_ROWS = 30
# A longer cell is not a name, a date or an address: its field is set aside as an error
# (the row comes back in the rejected-rows file, nothing lost).
MAX_CELL_CHARS = 10_000
# Column labels are shown on the mapping page and name the column of each problem.
MAX_LABEL_CHARS = 200
CHUNK = 1 << 20
EXCEL_TYPES = ("xlsx", "xlsm")
TEXT_TYPES = ("csv", "txt")
ACCEPTED = EXCEL_TYPES + TEXT_TYPES
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"


class UnreadableCell(abc.ABC):
    """A cell whose value is not taken: a mapped field holding one is an error, with
    ``reason()``; ``str()`` gives the cell as it was, for the rejected-rows file."""

    @abc.abstractmethod
    def reason(self) -> str:
        """Why the cell was set aside, in the user's language."""


class FormulaWithoutValue(UnreadableCell):
    """A formula cell the file carries no computed value for (never opened in Excel)."""

    def __init__(self, formula: str):
        self.formula = formula

    def __repr__(self) -> str:
        return f"FormulaWithoutValue({self.formula!r})"

    def __str__(self) -> str:
        return self.formula

    def reason(self) -> str:
        return _(
            "This cell holds a formula (%(f)s) whose result the file does not "
            "carry. Open the file in Excel, save it, and upload it again."
        ) % {"f": self.formula[:60]}


class OverlongCell(UnreadableCell):
    """A cell longer than any field of a person (``MAX_CELL_CHARS``)."""

    def __init__(self, text: str):
        self.text = text

    def __repr__(self) -> str:
        return f"OverlongCell({len(self.text)} characters)"

    def __str__(self) -> str:
        return self.text

    def reason(self) -> str:
        return _(
            "This cell holds %(n)s characters; at most %(max)s are read. Shorten it "
            "and upload the row again."
        ) % {"n": _thousands(len(self.text)), "max": _thousands(MAX_CELL_CHARS)}


_thousands = archive.thousands


def _bounded(value):
    if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
        return OverlongCell(value)
    return value


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
    # The first data rows' cells (up to ``CONTENT_SAMPLE``), also in ``rows``: columns
    # whose header is unclear are recognised by what they hold.
    sample: list[list] = field(default_factory=list)
    # The first row of a multi-row header (``header_row`` is its last).
    header_top_row: int = 0


def file_type_of(path: Path, name: str) -> str:
    """'xlsx' or 'csv', from the first bytes as much as the name (no trusting names)."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    with open(path, "rb") as handle:
        head = handle.read(8)
    if head.startswith(ZIP_MAGIC):
        if extension not in EXCEL_TYPES:
            raise ValidationError(_("This file is an Excel workbook: save it with .xlsx."))
        return "xlsx"
    if extension in EXCEL_TYPES and head.startswith(OLE_MAGIC):
        # Excel saves a workbook with a password inside an OLE container, as .xls was.
        raise ValidationError(
            _(
                "This workbook is protected with a password, or is an old .xls file "
                "renamed. Remove the password (or save it as Excel Workbook .xlsx) and "
                "upload again."
            )
        )
    if extension in EXCEL_TYPES:
        raise ValidationError(
            _("This file is named .%(ext)s but is not an Excel workbook; is it damaged?")
            % {"ext": extension}
        )
    if extension in TEXT_TYPES and head.startswith(b"PK"):
        raise ValidationError(
            _("This file is a zip archive, not a CSV file; is it an Excel workbook (.xlsx)?")
        )
    if extension == "xls" or head.startswith(OLE_MAGIC):
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


def check_file(path: Path, name: str) -> str:
    """What the upload request checks: the type, and for a workbook its zip's table of
    contents. Cheap, whatever the file holds; the reading itself is the worker's."""
    kind = file_type_of(path, name)
    if kind == "xlsx":
        archive.check_archive(path)
    return kind


def _utf16_kind(head: bytes) -> str:
    """'utf-16' with a byte order mark (Excel's "Unicode Text"), 'utf-16-le'/'-be' for
    text whose every other byte is zero, or ''."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if len(head) < 4:
        return ""
    even, odd = head[0::2], head[1::2]
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return ""


def _decodes(handle, encoding: str) -> bool:
    handle.seek(0)
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        while chunk := handle.read(CHUNK):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) when every byte decodes as UTF-8; UTF-16 when it
    starts with its byte order mark or looks like it; otherwise the Windows code page
    Indonesian Excel writes (cp1252), or Latin-1 as the last resort, which decodes any
    byte."""
    with open(path, "rb") as handle:
        head = handle.read(4096)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        utf16 = _utf16_kind(head)
        if utf16:
            if _decodes(handle, utf16):
                return utf16
            raise ValidationError(
                _(
                    "This file looks like UTF-16 text but cannot be read as such. In Excel "
                    "choose File → Save As → CSV UTF-8, then upload again."
                )
            )
        if b"\0" in head:
            raise ValidationError(_("This file holds binary data, not text: it is not a CSV file."))
        if _decodes(handle, "utf-8"):
            return "utf-8"
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
    "utf-16": "UTF-16",
    "utf-16-le": "UTF-16 LE",
    "utf-16-be": "UTF-16 BE",
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


def _label(value) -> str:
    # A header cell longer than any label is cut, not refused: it only names a column.
    return str(value)[: MAX_LABEL_CHARS * 2].strip()[:MAX_LABEL_CHARS] if value is not None else ""


def _combine_band(band: list[list]) -> list[str]:
    """Two or three header rows into one label per column, the levels joined as
    "Kelahiran / Tanggal" (``columns.LEVEL_SEPARATOR``).

    A merged cell's text sits in its first cell only. A label with a label under it is a
    group ("Kelahiran" over "Tempat" and "Tanggal"): it is carried to the right over the
    blank cells beside it, within the group above it. A label with nothing under it was
    merged down over the rows below ("Nama" over two rows) and stands alone; it is not
    carried, so a column beside it is not glued to it.
    """
    width = max(len(row) for row in band)
    texts = [[_label(row[i]) if i < len(row) else "" for i in range(width)] for row in band]
    filled: list[list[str]] = []
    # owner[i]: the column whose label covers column i at the level above (-1: none), so
    # a group is never carried past the end of the group holding it.
    owner = [-1] * width
    for level, row in enumerate(texts):
        below = texts[level + 1] if level + 1 < len(texts) else [""] * width
        labels, owners, carry, carry_from = list(row), [-1] * width, "", -1
        for i in range(width):
            if i and owner[i] != owner[i - 1]:
                carry, carry_from = "", -1
            if row[i]:
                carry, carry_from = (row[i], i) if below[i] else ("", -1)
                owners[i] = i
            elif carry:
                labels[i], owners[i] = carry, carry_from
        filled.append(labels)
        owner = [o if o >= 0 else owner[i] for i, o in enumerate(owners)]
    combined = []
    for i in range(width):
        parts: list[str] = []
        for labels in filled:
            if labels[i] and (not parts or parts[-1] != labels[i]):
                parts.append(labels[i])
        combined.append(LEVEL_SEPARATOR.join(parts))
    return combined


def _find_header(rows: list[tuple[int, list]]) -> tuple[list[str], int, int]:
    """(labels, index in ``rows`` of the first data row, rows in the header). Tries
    each row alone and each band of two or three rows as a multi-level header, keeping
    the one naming most known fields."""
    bands: dict[tuple[int, int], tuple[int, list[str]]] = {}
    for i, (_number, values) in enumerate(rows):
        single = [_label(v) for v in values]
        bands[i, 1] = (header_score(single), single)
        for size in (2, 3):
            if i + size <= len(rows):
                combined = _combine_band([v for _n, v in rows[i : i + size]])
                bands[i, size] = (header_score(combined), combined)

    def stands(i: int, size: int) -> bool:
        # A band only when it names more than any row or smaller band inside it, so a
        # title line above the header is not glued onto the column names.
        inside = [bands[j, s][0] for s in range(1, size) for j in range(i, i + size - s + 1)]
        return size == 1 or bands[i, size][0] > max(inside)

    chosen = max(
        (key for key in bands if stands(*key)),
        key=lambda key: (bands[key][0], -key[0], -key[1]),
        default=None,
    )
    best = (0, None, 0, 1)
    if chosen is not None:
        i, size = chosen
        # A deeper level that names nothing new ("Ibu" over "Nama" / "NIK") is still
        # the header, not a first data row.
        while (
            size < 3
            and (i, size + 1) in bands
            and bands[i, size + 1][0] >= bands[i, size][0]
            and _continues_header(rows[i + size][1], bands[i, size][1])
        ):
            size += 1
        best = (bands[i, size][0], bands[i, size][1], i + size, size)
    if best[1] is None or best[0] < 1:
        raise ValidationError(
            _(
                "No header row was found in the first %(n)d rows. The table needs a row of "
                "column names such as Nama, NIK, Tgl Lahir."
            )
            % {"n": HEADER_SEARCH_ROWS}
        )
    labels = [label[:MAX_LABEL_CHARS] for label in best[1]]
    # Give unnamed columns a name so the mapping page can still show them.
    labels = [label or _("Column %(n)d") % {"n": i + 1} for i, label in enumerate(labels)]
    return _distinct(labels), best[2], best[3]


def _continues_header(values: list, labels: list[str]) -> bool:
    """Whether the row under a header band is one more level of it: it leaves the name
    column blank, as a data row never does, and holds short words only (no numbers,
    dates or NIKs)."""
    names = [i for i, label in enumerate(labels) if recognise(label) == "full_name"]
    if not names:
        return False
    name = names[0]
    if name < len(values) and _label(values[name]):
        return False
    filled = [_label(v) for v in values if _label(v)]
    return bool(filled) and all(
        isinstance(v, str) and len(v) <= 60 and not any(c.isdigit() for c in v) for v in filled
    )


def _distinct(labels: list[str]) -> list[str]:
    """Column labels are keys of the mapping: a repeated one ("Nama" twice) is numbered."""
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return out


# What the read-ahead sample may hold in all: rows may be up to
# ``archive.MAX_ROW_CHARS`` each, and two hundred of those would not be small.
SAMPLE_MAX_CHARS = 4_000_000


def _read_ahead(data: Iterator[tuple[int, list]]) -> list[tuple[int, list]]:
    sample, chars = [], 0
    while len(sample) < CONTENT_SAMPLE and chars < SAMPLE_MAX_CHARS:
        row = next(data, None)
        if row is None:
            break
        sample.append(row)
        chars += sum(len(str(v)) for v in row[1] if v is not None)
    return sample


def _sheet_from_rows(numbered: Iterator[tuple[int, list]], file_type: str, **extra) -> Sheet:
    non_blank = ((n, v) for n, v in numbered if not _blank(v))
    head = list(itertools.islice(non_blank, HEADER_SEARCH_ROWS))
    labels, first_data, band = _find_header(head)
    header_row = head[first_data - 1][0] if first_data else 0
    rest = itertools.chain(head[first_data:], non_blank)
    data = ((n, v) for n, v in rest if not _is_column_numbering(v))
    # The first rows are read ahead for recognising columns by content, then handed on.
    sample = _read_ahead(data)
    sheet = Sheet(labels, itertools.chain(sample, data), file_type, header_row=header_row, **extra)
    sheet.sample = [values for _n, values in sample]
    sheet.header_top_row = head[first_data - band][0] if first_data else 0
    if band > 1:
        sheet.notes = [
            *sheet.notes,
            _(
                "The header spans rows %(top)d to %(bottom)d; their labels were combined "
                "(“%(example)s”). The data starts in row %(first)d."
            )
            % {
                "top": sheet.header_top_row,
                "bottom": header_row,
                "example": next((x for x in labels if LEVEL_SEPARATOR in x), labels[0]),
                "first": sample[0][0] if sample else header_row + 1,
            },
        ]
    return sheet


class _Lines:
    """The CSV's lines, counted: ``chars`` is what the record being read has taken so
    far, so one record (however its quoted cells span lines) never outgrows the cap."""

    def __init__(self, handle):
        self.handle = handle
        self.chars = 0

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = self.handle.readline(archive.MAX_ROW_CHARS + 1)
        if not line:
            raise StopIteration
        self.chars += len(line)
        if self.chars > archive.MAX_ROW_CHARS:
            raise ValidationError(
                _("A row of the file holds more than %(n)s characters; it cannot be read.")
                % {"n": _thousands(archive.MAX_ROW_CHARS)}
            )
        return line


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
    lines = _Lines(handle)
    reader = csv.reader(lines, delimiter=delimiter)

    def numbered():
        number = 0
        try:
            # Records, not physical lines: a quoted cell may hold a line break.
            for number, values in enumerate(reader, start=1):  # noqa: B007 - read in except
                lines.chars = 0
                if len(values) > archive.MAX_COLUMNS:
                    raise ValidationError(
                        _("Row %(row)d has more than %(n)d columns; it cannot be read.")
                        % {"row": number, "n": archive.MAX_COLUMNS}
                    )
                yield number, [_bounded(v) for v in values]
        except csv.Error as exc:
            raise ValidationError(
                _("The CSV file cannot be read after row %(row)d: %(why)s")
                % {"row": number, "why": exc}
            ) from exc
        finally:
            handle.close()

    notes = []
    if encoding not in ("utf-8", "utf-8-sig"):
        notes.append(
            _("The file is not UTF-8; it was read as %(enc)s.") % {"enc": ENCODING_NAMES[encoding]}
        )
    try:
        return _sheet_from_rows(numbered(), "csv", encoding=encoding, notes=notes)
    except ValidationError:
        handle.close()
        raise


# What openpyxl and zipfile raise on a damaged workbook: the officer hears "damaged",
# never a server error.
DAMAGED_WORKBOOK = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    ValueError,
    KeyError,
    IndexError,
    TypeError,
    AttributeError,
    SyntaxError,  # xml.etree's ParseError
)


def _load_guarded(path: Path, *, data_only: bool, watched: set[str], on_read=None):
    """openpyxl's read-only workbook, reading its zip through ``archive.GuardedZipFile``."""
    from openpyxl.reader.excel import ExcelReader

    reader = ExcelReader(str(path), read_only=True, data_only=data_only)
    reader.archive.close()
    reader.archive = archive.GuardedZipFile(path, watched=watched, on_read=on_read)
    reader.valid_files = reader.archive.namelist()
    try:
        reader.read()
    except BaseException:
        reader.archive.close()
        raise
    book = reader.wb
    for sheet in book.worksheets:
        # The declared size only pads rows out to it (a forged A1:XFD1048576 is a
        # thousand million empty cells); the cells actually there are what counts.
        sheet.reset_dimensions()
    return book


def read_xlsx(path: Path, on_read=None) -> Sheet:
    """Values as Excel last computed them; formulas with no computed value are marked.

    Two read-only passes run side by side: one for cached values, one for the formulas
    themselves, since openpyxl gives one or the other. ``on_read`` is called as the
    zip is read (a worker renews its lease there).
    """
    from openpyxl.utils.exceptions import InvalidFileException

    archive.check_archive(path)
    books, watched = [], set()
    try:
        for data_only in (True, False):
            books.append(_load_guarded(path, data_only=data_only, watched=watched, on_read=on_read))
        values_book, formula_book = books
        sheet_name = _pick_sheet(values_book)
    except (InvalidFileException, *DAMAGED_WORKBOOK) as exc:
        for book in books:
            book.close()
        raise ValidationError(_("The Excel file cannot be opened; is it damaged?")) from exc
    except ValidationError:
        for book in books:
            book.close()
        raise
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
                row = [_bounded(v) for v in values]
                for i, formula in enumerate(formulas[: len(row)]):
                    if row[i] is None and isinstance(formula, str) and formula.startswith("="):
                        row[i] = FormulaWithoutValue(formula)
                yield number, row
        except DAMAGED_WORKBOOK as exc:
            raise archive.damaged() from exc
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
        labels = ([_label(c) for c in row if isinstance(c, str)] for row in top)
        if any(header_score(row) >= 1 for row in labels):
            return sheet.title
    if not book.worksheets:
        raise ValidationError(_("The Excel file has no sheet to read."))
    return book.worksheets[0].title


def open_sheet(path: Path, name: str, on_read=None) -> Sheet:
    kind = file_type_of(path, name)
    return read_xlsx(path, on_read) if kind == "xlsx" else read_csv(path)
