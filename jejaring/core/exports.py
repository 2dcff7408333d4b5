"""The one way the product writes spreadsheets: CSV rows and Excel workbooks.

Text typed into Jejaring (a name, an address, an import's cell, an SPM report's notes)
ends up in files that people open in Excel or LibreOffice. A text starting with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return is read there as a formula, so
``=HYPERLINK(…)`` becomes a live link and ``+cmd|…`` can run a program (CSV or formula
injection). Every CSV and XLSX producer goes through this module, so the rule is kept in
one place (OWASP's rule):

- CSV: such a text cell gets a leading apostrophe, which spreadsheets show as text;
- XLSX: such a cell is stored as a string with Excel's "quote prefix" (what typing an
  apostrophe in Excel records), so it shows unchanged and stays text when edited. The
  product writes no formulas, so any formula cell is turned into text too.

Numbers, dates and booleans stay what they are: a negative number written as a number is
not a formula, while the text ``"-1+2"`` is neutralised.
"""

from __future__ import annotations

import csv
import io

from django.utils.functional import Promise

# OWASP's list, plus the full-width forms some spreadsheet locales also accept as a
# formula start.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def unquote_cell(text: str) -> str:
    """The inverse of ``safe_cell`` for a file coming back: an officer who fixes the
    rejected-rows CSV and uploads it again must not import the apostrophe we added."""
    if text.startswith("'") and is_formula_like(text[1:]):
        return text[1:]
    return text


def safe_cell(value):
    """A CSV cell that a spreadsheet shows as written: formula-like text gets an ``'``."""
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str) and is_formula_like(value):
        return "'" + value
    return value


class SafeWriter:
    """``csv.writer`` whose every row goes through ``safe_cell``."""

    def __init__(self, fileobj, **kwargs):
        self._writer = csv.writer(fileobj, **kwargs)

    def writerow(self, row):
        # Returns what the file's write() returned, so a streaming "echo" file works.
        return self._writer.writerow([safe_cell(v) for v in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)

    @property
    def dialect(self):
        return self._writer.dialect


def csv_writer(fileobj, **kwargs) -> SafeWriter:
    return SafeWriter(fileobj, **kwargs)


def neutralise_xlsx_cell(cell) -> None:
    """Make an openpyxl cell holding formula-like text (or a formula) plain text."""
    value = cell.value
    if isinstance(value, Promise):
        cell.value = value = str(value)
    if cell.data_type == "f" or (isinstance(value, str) and is_formula_like(value)):
        cell.data_type = "s"
        cell.quotePrefix = True


def neutralise_workbook(book) -> None:
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                neutralise_xlsx_cell(cell)


def workbook_bytes(book) -> bytes:
    """The .xlsx file of an openpyxl workbook, every cell neutralised first."""
    neutralise_workbook(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
