"""Reading import files (.xlsx and .csv) into plain rows, refusing bad and hostile files.

A reader never trusts the file: the size was capped by MAX_CONTENT_LENGTH, the zip
members' declared sizes are checked before anything is unpacked (zip bombs),
openpyxl parses with defusedxml (entity bombs), and rows stop at IMPORT_MAX_ROWS.
"""

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from defusedxml import DefusedXmlException
from flask_babel import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

ALLOWED_EXTENSIONS = (".xlsx", ".csv")
# Unpacked size of all zip members; a 10 MB workbook of 100,000 rows stays far below it.
DEFAULT_MAX_UNCOMPRESSED = 300 * 1024 * 1024
# A worksheet compresses by about 10-30x; far more than this is a crafted file.
MAX_COMPRESSION_RATIO = 200
MAX_ZIP_MEMBERS = 2000
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls (and encrypted .xlsx)


class ImportFileError(Exception):
    """The file as a whole cannot be imported; the message is for the user."""


@dataclass
class Sheet:
    """One table of an import file: its name, the header row and the data rows."""

    name: str
    headers: list[str]
    # (row number as Excel shows it, cell values); empty rows are left out.
    rows: list[tuple[int, list]] = field(default_factory=list)

    def column_letter(self, index: int) -> str:
        return get_column_letter(index + 1)


def _german_thousands(number: int) -> str:
    return format(number, ",").replace(",", ".")


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
        raise ImportFileError(_("Please upload an Excel workbook (.xlsx) or a CSV file (.csv)."))
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
    return read_workbook(data, max_rows, max_uncompressed)


def _check_zip(data: bytes, max_uncompressed: int) -> None:
    if data.startswith(OLE2_MAGIC):
        raise ImportFileError(
            _(
                "This is an old Excel file (.xls) or a password-protected workbook. "
                "Please save it in Excel as “Excel workbook (.xlsx)” without a password."
            )
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise ImportFileError(_("The file is not an Excel workbook (.xlsx).")) from exc
    with archive:
        members = archive.infolist()
        names = {member.filename for member in members}
        if len(members) > MAX_ZIP_MEMBERS:
            raise ImportFileError(_("The workbook has an unusual structure and was refused."))
        total = 0
        for member in members:
            total += member.file_size
            ratio = member.file_size / max(member.compress_size, 1)
            if total > max_uncompressed or (
                member.file_size > 1024 * 1024 and ratio > MAX_COMPRESSION_RATIO
            ):
                raise ImportFileError(
                    _("The workbook unpacks to an unusually large size and was refused.")
                )
        if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
            raise ImportFileError(_("The file is not an Excel workbook (.xlsx)."))
        if "xl/vbaProject.bin" in names:
            raise ImportFileError(
                _(
                    "Workbooks with macros cannot be imported. Please save the file in Excel as "
                    "“Excel workbook (.xlsx)”."
                )
            )


def read_workbook(data: bytes, max_rows: int, max_uncompressed: int) -> list[Sheet]:
    _check_zip(data, max_uncompressed)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for broken files
        raise _unreadable(exc) from exc
    try:
        sheets = []
        for worksheet in workbook.worksheets:
            if getattr(worksheet, "sheet_state", "visible") != "visible":
                continue
            sheets.append(
                _read_rows(worksheet.title, worksheet.iter_rows(values_only=True), max_rows)
            )
        return sheets
    except ImportFileError:
        raise
    except Exception as exc:
        raise _unreadable(exc) from exc
    finally:
        workbook.close()


def _unreadable(exc: BaseException) -> ImportFileError:
    """The message for a workbook openpyxl could not read; defusedxml's refusal may be
    wrapped (openpyxl re-raises it as ValueError)."""
    seen = exc
    while seen is not None:
        if isinstance(seen, DefusedXmlException):
            return ImportFileError(_("The workbook contains forbidden XML and was refused."))
        seen = seen.__cause__ or seen.__context__
    return ImportFileError(_("The workbook could not be read. Is it damaged?"))


def _read_rows(name: str, rows: Iterator, max_rows: int) -> Sheet:
    headers: list[str] | None = None
    sheet = Sheet(name=name, headers=[])
    for number, values in enumerate(rows, start=1):
        values = list(values or ())
        if headers is None:
            headers = ["" if value is None else str(value).strip() for value in values]
            while headers and not headers[-1]:
                headers.pop()
            sheet.headers = headers
            continue
        if all(value is None or (isinstance(value, str) and not value.strip()) for value in values):
            continue
        if len(sheet.rows) >= max_rows:
            raise ImportFileError(
                _(
                    "The file has more than %(max)s rows. Please split it into several files.",
                    max=_german_thousands(max_rows),
                )
            )
        sheet.rows.append((number, values))
    return sheet


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
                raise ImportFileError(
                    _(
                        "The file has more than %(max)s rows. Please split it into several files.",
                        max=_german_thousands(max_rows),
                    )
                )
            sheet.rows.append((line, values))
    except csv.Error as exc:
        raise ImportFileError(
            _("The CSV file could not be read: %(error)s", error=str(exc))
        ) from exc
    return sheet
