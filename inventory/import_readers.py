"""Reading import files (.xlsx, .ods and .csv) into typed rows, refusing bad and hostile files.

A reader never trusts the file: the size was capped by MAX_CONTENT_LENGTH, a workbook
passes inventory.import_guards (zip bombs, entity bombs, forged dimensions, sparse or
repeated cells, blank rows) before python-calamine reads it, and rows stop at
IMPORT_MAX_ROWS. Cells keep their type: int, float, str (stripped), bool, date,
datetime (a midnight one as date), time; empty cells are None.

.xls is refused: calamine would build its sheets like the others, and an old binary
workbook cannot be inspected before that as the zip-based formats can.
"""

import codecs
import csv
import datetime as dt
import io
import itertools
import tempfile
from dataclasses import dataclass, field

from flask_babel import gettext as _
from openpyxl.utils import get_column_letter
from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from inventory.import_guards import (
    DEFAULT_MAX_UNCOMPRESSED,
    ImportFileError,
    Limits,
    damaged,
    too_many_rows,
)
from inventory.import_ods_guard import inspect_ods
from inventory.import_slices import ROWS_PER_SLICE, NotSliceableError, slices
from inventory.import_xlsx_guard import inspect_xlsx

__all__ = [
    "ALLOWED_EXTENSIONS",
    "DEFAULT_MAX_UNCOMPRESSED",
    "ImportFileError",
    "Sheet",
    "read_sheets",
]

ALLOWED_EXTENSIONS = (".xlsx", ".ods", ".csv")
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls (and encrypted .xlsx)
MIDNIGHT = dt.time(0, 0)


@dataclass
class Sheet:
    """One table of an import file: its name, the header row and the data rows."""

    name: str
    headers: list[str]
    # (row number as Excel shows it, typed cell values); empty rows are left out.
    rows: list[tuple[int, list]] = field(default_factory=list)

    def column_letter(self, index: int) -> str:
        return get_column_letter(index + 1)


def extension_of(filename: str) -> str:
    name = (filename or "").lower().strip()
    return name[name.rfind(".") :] if "." in name else ""


def check_extension(filename: str) -> str:
    ext = extension_of(filename)
    if ext in (".xls", ".xlsm", ".xlsb", ".xltm"):
        raise ImportFileError(
            _(
                "%(ext)s files cannot be imported. Please save the file in Excel as "
                "“Excel workbook (.xlsx)” or as CSV.",
                ext=ext,
            )
        )
    if ext not in ALLOWED_EXTENSIONS:
        raise ImportFileError(
            _(
                "Please upload an Excel workbook (.xlsx), an OpenDocument spreadsheet (.ods) "
                "or a CSV file (.csv)."
            )
        )
    return ext


def read_sheets(
    data: bytes, filename: str, max_rows: int, max_uncompressed: int = DEFAULT_MAX_UNCOMPRESSED
) -> list[Sheet]:
    """All candidate tables of the file (a CSV has one, named after the file)."""
    ext = check_extension(filename)
    if not data or not data.strip():
        raise ImportFileError(_("The file is empty."))
    if ext == ".csv":
        return [read_csv(data, filename, max_rows)]
    return read_workbook(data, ext, Limits(max_rows=max_rows, max_uncompressed=max_uncompressed))


def read_workbook(data: bytes, ext: str, limits: Limits) -> list[Sheet]:
    if data.startswith(OLE2_MAGIC):
        raise ImportFileError(
            _(
                "This is an old Excel file (.xls) or a password-protected workbook. "
                "Please save it in Excel as “Excel workbook (.xlsx)” without a password."
            )
        )
    if ext == ".ods":
        inspect_ods(data, limits)
    else:
        plain_parts = inspect_xlsx(data, limits)
        try:
            return _read_slices(data, plain_parts, limits)
        except NotSliceableError:
            pass
    return _read_whole(data, ext, limits)


def _worksheets(workbook: CalamineWorkbook) -> list[tuple[int, str]]:
    """(index, name) of the visible worksheets."""
    return [
        (index, meta.name)
        for index, meta in enumerate(workbook.sheets_metadata)
        if meta.visible == SheetVisibleEnum.Visible and meta.typ == SheetTypeEnum.WorkSheet
    ]


def _open(path: str) -> CalamineWorkbook:
    try:
        return CalamineWorkbook.from_path(path)
    except CalamineError as exc:
        raise damaged() from exc


def _read_into(workbook: CalamineWorkbook, readers: list["_SheetRows"] | None, limits: Limits):
    """The rows of each visible worksheet added to its reader (made on the first call)."""
    with workbook:
        visible = _worksheets(workbook)
        if readers is None:
            readers = [_SheetRows(name, limits.max_rows) for _index, name in visible]
        for (index, _name), reader in zip(visible, readers, strict=True):
            try:
                # calamine's grid of this sheet is freed before the next is built
                reader.add(workbook.get_sheet_by_index(index))
            except CalamineError as exc:
                raise damaged() from exc
    return readers


def _read_whole(data: bytes, ext: str, limits: Limits) -> list[Sheet]:
    # calamine picks its reader by the file's extension, so the one we inspected for.
    with tempfile.NamedTemporaryFile(suffix=ext) as handle:
        handle.write(data)
        handle.flush()
        workbook = _open(handle.name)
    return [reader.sheet for reader in _read_into(workbook, None, limits)]


def _read_slices(
    data: bytes, plain_parts: frozenset[str], limits: Limits, rows_per_slice: int = ROWS_PER_SLICE
) -> list[Sheet]:
    """A plain .xlsx slice by slice (inventory.import_slices): calamine holds a few
    thousand rows at a time, not the whole sheet."""
    readers = None
    for path in slices(data, plain_parts, rows_per_slice):
        readers = _read_into(_open(path), readers, limits)
    return [reader.sheet for reader in readers]


SHARED_TEXT_LENGTH = 40
MAX_SHARED = 20_000  # shared values kept from one slice to the next


def typed(value):
    """A calamine cell as the importer gets it."""
    kind = type(value)
    if kind is str:
        return value.strip() or None
    if kind is float:
        return int(value) if value.is_integer() else value
    if kind is dt.datetime and value.time() == MIDNIGHT and value.tzinfo is None:
        return value.date()
    return value


def header_text(value) -> str:
    value = typed(value)
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


class _SheetRows:
    """A sheet's rows as calamine hands them over, whole or in slices of rows."""

    def __init__(self, name: str, max_rows: int):
        self.sheet = Sheet(name=name, headers=[])
        self.max_rows = max_rows
        self.headers_read = False
        # Repeated short texts (categories, rooms, models) and dates are kept once, not
        # once per row.
        self.shared: dict[str, str] = {}

    def add(self, calamine_sheet) -> None:
        start = calamine_sheet.start
        if start is None:
            return
        first_row, first_column = start
        padding = [None] * first_column  # calamine starts at the first used column
        if len(self.shared) > MAX_SHARED:
            self.shared.clear()  # unique texts (inventory numbers) would fill it
        sheet, shared = self.sheet, self.shared
        # iter_rows() starts at the sheet's first row, with the rows above start empty
        rows = itertools.islice(calamine_sheet.iter_rows(), first_row, None)
        for offset, values in enumerate(rows, start=first_row):
            if not self.headers_read:
                self.headers_read = True
                headers = [header_text(value) for value in values]
                while headers and not headers[-1]:
                    headers.pop()
                sheet.headers = ([""] * first_column + headers) if headers else []
                continue
            row = [typed(value) for value in values]
            for index, value in enumerate(row):
                kind = type(value)
                if (kind is str and len(value) <= SHARED_TEXT_LENGTH) or kind is dt.date:
                    row[index] = shared.setdefault(value, value)
            while row and row[-1] is None:
                row.pop()
            if not row:
                continue
            if len(sheet.rows) >= self.max_rows:
                raise too_many_rows(self.max_rows)
            sheet.rows.append((offset + 1, padding + row if padding else row))


def decode_text(data: bytes) -> str:
    """UTF-8 with or without BOM; otherwise cp1252, which German Excel writes."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace").lstrip("\ufeff")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def detect_delimiter(header_line: str) -> str:
    return ";" if header_line.count(";") >= header_line.count(",") else ","


def read_csv(data: bytes, filename: str, max_rows: int) -> Sheet:
    if b"\x00" in data[:4096] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ImportFileError(_("The file is not a CSV text file."))
    text = decode_text(data)
    nul = text.find("\x00")
    if nul >= 0:
        raise ImportFileError(
            _(
                "The CSV file contains a NUL character (in line %(line)s) and cannot be read. "
                "Please save it again as CSV.",
                line=text.count("\n", 0, nul) + 1,
            )
        )
    first_line = text.split("\n", 1)[0]
    delimiter = detect_delimiter(first_line)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        sheet = Sheet(name=filename, headers=[])
        headers = None
        # Excel shows one row per record, even when a quoted cell spans lines.
        for line, values in enumerate(reader, start=1):
            if headers is None:
                headers = [value.strip() for value in values]
                while headers and not headers[-1]:
                    headers.pop()
                sheet.headers = headers
                continue
            if all(not value.strip() for value in values):
                continue
            if len(sheet.rows) >= max_rows:
                raise too_many_rows(max_rows)
            sheet.rows.append((line, values))
    except csv.Error as exc:
        raise ImportFileError(
            _("The CSV file could not be read: %(error)s", error=str(exc))
        ) from exc
    return sheet
