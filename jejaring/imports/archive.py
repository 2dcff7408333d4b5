"""Guards around an .xlsx before and while openpyxl reads it.

An .xlsx is a zip of XML files, and zip compresses repetitive text about a thousand to
one: a 300 KB upload can hold a 300 MB cell. The upload limit counts compressed bytes
only, so the workbook is checked here on what it unpacks to:

* ``check_archive`` reads the zip's table of contents only (cheap, done in the upload
  request): member count, names, declared sizes and compression ratios;
* ``GuardedZipFile`` is the zip openpyxl reads through: every member is read through a
  counter that stops at the member's declared size (a member may lie about it), and the
  sheet XML is followed by a streaming parser that stops at an over-long cell, too many
  columns or rows, or a DTD, before openpyxl has built the value.

The memory of reading a workbook is bounded by these caps, not by a process-wide limit
(``RLIMIT_AS``) that would also hit the other tasks of the worker.
"""

from __future__ import annotations

import re
import zipfile
from xml.parsers import expat

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext as _

# Excel's own limits: no cell longer, no sheet larger was ever saved by Excel.
EXCEL_MAX_CELL_CHARS = 32_767
EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLUMNS = 16_384
# A table of people is far narrower; beyond this the rows would cost memory for nothing.
MAX_COLUMNS = 1_000
# All the text of one row (a row is held whole while it is read).
MAX_ROW_CHARS = 2_000_000
MAX_MEMBERS = 2_000
# Deflate reaches about 1,000:1 on repeated bytes; sheet XML is 5–50:1.
MAX_RATIO = 200
RATIO_CHECKED_ABOVE = 1 << 20  # small members (styles, themes) may compress very well
MAX_DEPTH = 64
# What the programs that write .xlsx put in member names; no backslash, colon or control
# character, which only a hand-made archive has.
_SAFE_NAME = re.compile(r"^[A-Za-z0-9_\-./\[\]() %+~,=@#&!$']+$")
_CELL_REF = re.compile(r"^\$?([A-Za-z]{1,4})\$?(\d{1,8})$")


def max_uncompressed_bytes() -> int:
    upload_limit = getattr(settings, "IMPORT_MAX_BYTES", 100 * 1024 * 1024)
    return getattr(settings, "IMPORT_MAX_UNCOMPRESSED_BYTES", 10 * upload_limit)


def thousands(number: int) -> str:
    return number_format(number, force_grouping=True)


def damaged(detail: str = "") -> ValidationError:
    message = _(
        "The Excel file is damaged or incomplete (perhaps the upload or a copy was cut "
        "off). Open it in Excel, save it again and upload it."
    )
    return ValidationError(f"{message} ({detail})" if detail else message, code="damaged")


def too_big(detail: str) -> ValidationError:
    return ValidationError(
        _(
            "This workbook unpacks to more than can be read: %(what)s. Save only the "
            "table of people (File → Save As → CSV) and upload that."
        )
        % {"what": detail},
        code="too_big",
    )


def _open_zip(path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise damaged() from exc


def check_archive(path) -> None:
    """Refuse a zip that is not a plausible workbook, from its table of contents only."""
    with _open_zip(path) as archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise too_big(_("%(n)s files inside") % {"n": thousands(len(members))})
        seen: set[str] = set()
        total = 0
        for info in members:
            name = info.filename
            parts = name.split("/")
            if (
                not name
                or len(name) > 255
                or not _SAFE_NAME.match(name)
                or name.startswith("/")
                or ".." in parts
                or name.lower() in seen
            ):
                raise damaged(_("a file inside has an odd name"))
            seen.add(name.lower())
            if info.flag_bits & 0x1:
                raise ValidationError(
                    _("The Excel file is protected with a password; remove it and upload again.")
                )
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise damaged(_("unknown compression"))
            total += info.file_size
            if info.file_size > RATIO_CHECKED_ABOVE and info.file_size > MAX_RATIO * max(
                info.compress_size, 1
            ):
                raise too_big(
                    _("%(name)s is compressed %(ratio)d to 1")
                    % {"name": name, "ratio": info.file_size // max(info.compress_size, 1)}
                )
        if total > max_uncompressed_bytes():
            raise too_big(_("%(n)s MB unpacked") % {"n": thousands(total // (1024 * 1024))})
        if "[content_types].xml" not in seen:
            raise ValidationError(
                _("This file is named .%(ext)s but is not an Excel workbook; is it damaged?")
                % {"ext": "xlsx"}
            )


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


# Text and tags hold no "<" (only a CDATA section may, and its text is counted as a
# cell's): a longer run without one is a giant tag or text, refused before any XML
# parser buffers it. Room for a 32,767-character cell written as character references.
MAX_RUN_BYTES = 8 * EXCEL_MAX_CELL_CHARS


class XmlWatch:
    """Follows a sheet's (or the shared strings') XML as it streams, keeping only
    counters, and raises as soon as a limit is passed."""

    def __init__(self, member: str):
        self.member = member
        self.parser = expat.ParserCreate()
        # Text comes in pieces of at most buffer_size characters, never whole.
        self.parser.buffer_text = True
        self.parser.StartElementHandler = self._start
        self.parser.EndElementHandler = self._end
        self.parser.CharacterDataHandler = self._text
        self.parser.StartDoctypeDeclHandler = self._doctype
        self.parser.EntityDeclHandler = self._doctype
        self.depth = self.cell = self.row_chars = 0
        self.rows = self.cells_in_row = 0
        self.cell_ref = ""
        self.run_bytes = 0  # bytes since the last "<"

    def feed(self, data: bytes, final: bool = False) -> None:
        self._check_runs(data)
        try:
            self.parser.Parse(data, final)
        except expat.ExpatError as exc:
            raise damaged(self.member) from exc

    def _check_runs(self, data: bytes) -> None:
        first = data.find(b"<")
        if first < 0:
            self.run_bytes += len(data)
        else:
            longest = max(self.run_bytes + first, max(map(len, data[first:].split(b"<"))))
            self.run_bytes = len(data) - 1 - data.rfind(b"<")
            if longest > MAX_RUN_BYTES:
                raise too_big(
                    _("%(part)s holds a text or tag of more than %(n)s bytes")
                    % {"part": self.member, "n": thousands(MAX_RUN_BYTES)}
                )
        if self.run_bytes > MAX_RUN_BYTES:
            raise too_big(
                _("%(part)s holds a text or tag of more than %(n)s bytes")
                % {"part": self.member, "n": thousands(MAX_RUN_BYTES)}
            )

    def _doctype(self, *args):
        raise damaged(_("%(part)s declares a DTD") % {"part": self.member})

    def _start(self, name, attrs):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise damaged(_("%(part)s is nested too deep") % {"part": self.member})
        if ":" in name:
            name = name.rsplit(":", 1)[1]
        if name == "c":
            self._cell(attrs.get("r", ""))
        elif name == "row":
            self._row(attrs.get("r"))
        elif name == "si":
            self.cell = 0
        elif name == "dimension":
            self._check_dimension(attrs.get("ref", ""))

    def _row(self, number: str | None) -> None:
        self.rows += 1
        self.cells_in_row = self.row_chars = 0
        row = int(number) if number and number.isdigit() else self.rows
        if row > EXCEL_MAX_ROWS:
            raise too_big(_("row %(n)s") % {"n": thousands(row)})
        self.rows = row

    def _cell(self, ref: str) -> None:
        self.cell = 0
        self.cell_ref = ref
        self.cells_in_row += 1
        match = _CELL_REF.match(ref)
        column = _column_number(match.group(1)) if match else self.cells_in_row
        if column > MAX_COLUMNS or self.cells_in_row > MAX_COLUMNS:
            raise too_big(_("a row with more than %(n)s columns") % {"n": thousands(MAX_COLUMNS)})

    def _check_dimension(self, ref: str) -> None:
        for corner in ref.split(":"):
            match = _CELL_REF.match(corner)
            if not match:
                continue
            if (
                _column_number(match.group(1)) > EXCEL_MAX_COLUMNS
                or int(match.group(2)) > EXCEL_MAX_ROWS
            ):
                raise too_big(_("the sheet declares the size %(ref)s") % {"ref": ref[:40]})

    def _end(self, name):
        self.depth -= 1

    def _text(self, data):
        size = len(data)
        self.cell += size
        self.row_chars += size
        if self.cell > EXCEL_MAX_CELL_CHARS:
            raise too_big(
                _("cell %(cell)s holds more than %(n)s characters, more than Excel allows")
                % {
                    "cell": (self.cell_ref or self.member)[:20],
                    "n": thousands(EXCEL_MAX_CELL_CHARS),
                }
            )
        if self.row_chars > MAX_ROW_CHARS:
            raise too_big(
                _("a row of more than %(n)s characters") % {"n": thousands(MAX_ROW_CHARS)}
            )


class CappedMember:
    """A zip member read through a counter: never more than ``limit`` bytes come out,
    whatever the member's header says."""

    def __init__(
        self, stream, name: str, limit: int, watch: XmlWatch | None, on_end=None, on_read=None
    ):
        self.stream, self.name, self.limit, self.watch = stream, name, limit, watch
        self.on_end, self.on_read = on_end, on_read
        self.count = 0

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            chunks = []
            while chunk := self.read(1 << 16):
                chunks.append(chunk)
            return b"".join(chunks)
        # One byte over the limit is enough to know the member lied.
        data = self.stream.read(min(size, self.limit - self.count + 1))
        self.count += len(data)
        if self.count > self.limit:
            raise too_big(_("%(name)s is larger than it declares") % {"name": self.name})
        if self.on_read is not None:
            self.on_read()
        if self.watch is not None:
            self.watch.feed(data, final=not data)
            if not data and self.on_end:
                self.on_end(self.name)
        return data

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self.stream.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def __iter__(self):
        return iter(lambda: self.read(1 << 16), b"")


class GuardedZipFile(zipfile.ZipFile):
    """The zip openpyxl reads a workbook through (see ``readers._load_guarded``).

    ``watched`` is shared by the zips opened on one file: a member whose XML was
    followed to its end within the limits is not followed again (openpyxl reads each
    sheet up to four times); the byte counter stays on every read. ``on_read`` is called
    after every chunk read (a worker's heartbeat: a large sheet takes minutes).
    """

    def __init__(self, *args, watched: set[str] | None = None, on_read=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.watched = watched if watched is not None else set()
        self.on_read = on_read

    def open(self, name, mode="r", pwd=None, *, force_zip64=False):
        stream = super().open(name, mode, pwd, force_zip64=force_zip64)
        if mode != "r":
            return stream
        info = name if isinstance(name, zipfile.ZipInfo) else self.getinfo(name)
        limit = min(info.file_size, max_uncompressed_bytes())
        member = info.filename
        xml = member.endswith((".xml", ".rels")) and member not in self.watched
        return CappedMember(
            stream,
            member,
            limit,
            XmlWatch(member) if xml else None,
            on_end=self.watched.add,
            on_read=self.on_read,
        )
