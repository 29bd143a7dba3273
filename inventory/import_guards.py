"""The checks in front of calamine: a workbook is inspected before anything parses it.

calamine reads .xlsx and .ods fast and ignores a sheet's declared <dimension>, but it
builds each sheet as one dense grid from the first to the last cell it finds (a cell
at A1 and one at XFD1048576 ask for 500 GB and abort the process), copies a shared
string into every cell that refers to it, and expands the repeats of an .ods file
(`number-rows-repeated`, `number-columns-repeated`, `<text:s text:c="…">`). So:

* the zip's central directory is checked first: member count, declared sizes and
  compression ratio, no encryption, only stored or deflated members;
* every member calamine may parse is inflated here (it must unpack to exactly its
  declared size and checksum) and parsed with DTDs and entities forbidden
  (defusedxml's exceptions), whatever its name or role;
* while parsing, the sheets' real extent (the last row and column of any cell), their
  cells, the rows in the file (blank ones included) and the text calamine would build
  are counted and stopped at the limits, so a hostile file is refused early and memory
  stays bounded by what is really in the file.

This module holds the limits, the messages, the zip and XML parts and the counters;
inventory.import_xlsx_guard and inventory.import_ods_guard apply them to each format.
"""

import io
import struct
import xml.parsers.expat
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from defusedxml import (
    DefusedXmlException,
    DTDForbidden,
    EntitiesForbidden,
    ExternalReferenceForbidden,
)
from flask_babel import gettext as _

# Unpacked size of all zip members; a 100,000-row workbook unpacks to about 70 MB.
DEFAULT_MAX_UNCOMPRESSED = 300 * 1024 * 1024
# A worksheet compresses by about 10-30x; far more than this is a crafted file.
MAX_COMPRESSION_RATIO = 200
MAX_ZIP_MEMBERS = 2000
# The widest sheet we read; our kinds have fewer than 30 columns.
MAX_COLUMNS = 256
# Cells (rows x columns of each sheet's grid, all sheets together) calamine may build:
# 100,000 rows of 30 columns. calamine holds 32 bytes a cell.
MAX_CELLS = 3_000_000
# Text calamine may build from shared strings and .ods repeats.
MAX_TEXT_BYTES = 50 * 1024 * 1024
MAX_SHEET_ROWS = 1_048_576  # the largest repeat a real sheet can hold
MAX_SHEET_COLUMNS = 16_384
MAX_RELS_BYTES = 1024 * 1024
CHUNK = 1024 * 1024
LOCAL_HEADER = b"PK\x03\x04"


class ImportFileError(Exception):
    """The file as a whole cannot be imported; the message is for the user."""


@dataclass(frozen=True)
class Limits:
    max_rows: int
    max_uncompressed: int = DEFAULT_MAX_UNCOMPRESSED
    max_columns: int = MAX_COLUMNS
    max_cells: int = MAX_CELLS
    max_text_bytes: int = MAX_TEXT_BYTES


def german_thousands(number: int) -> str:
    return format(number, ",").replace(",", ".")


def too_many_rows(max_rows: int) -> ImportFileError:
    return ImportFileError(
        _(
            "The file has more than %(max)s rows. Please split it into several files.",
            max=german_thousands(max_rows),
        )
    )


def unusual() -> ImportFileError:
    return ImportFileError(_("The workbook has an unusual structure and was refused."))


def too_large() -> ImportFileError:
    return ImportFileError(_("The workbook unpacks to an unusually large size and was refused."))


def damaged() -> ImportFileError:
    return ImportFileError(_("The workbook could not be read. Is it damaged?"))


def forbidden_xml() -> ImportFileError:
    return ImportFileError(_("The workbook contains forbidden XML and was refused."))


def too_many_columns(limits: Limits) -> ImportFileError:
    return ImportFileError(
        _("A sheet of the workbook has more than %(max)s columns.", max=limits.max_columns)
    )


def too_many_cells(limits: Limits) -> ImportFileError:
    return ImportFileError(
        _(
            "The workbook has more than %(max)s cells. Please split it into several files.",
            max=german_thousands(limits.max_cells),
        )
    )


def too_much_text(limits: Limits) -> ImportFileError:
    return ImportFileError(
        _(
            "The workbook holds more than %(max)s MB of text and was refused.",
            max=limits.max_text_bytes // (1024 * 1024),
        )
    )


# --------------------------------------------------------------------------- the zip


def open_zip(data: bytes, limits: Limits, not_this_kind) -> zipfile.ZipFile:
    """The archive, after its central directory passed the size checks."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise not_this_kind() from exc
    if len(members) > MAX_ZIP_MEMBERS or len({m.filename for m in members}) != len(members):
        raise unusual()
    total = 0
    for member in members:
        if member.flag_bits & 0x1:
            raise ImportFileError(
                _("The file is password-protected. Please save it without a password.")
            )
        if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise unusual()
        total += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if total > limits.max_uncompressed or (
            member.file_size > 1024 * 1024 and ratio > MAX_COMPRESSION_RATIO
        ):
            raise too_large()
    return archive


def inflate(data: bytes, member: zipfile.ZipInfo) -> Iterator[bytes]:
    """A member's bytes, inflated here from its raw data: it must unpack to exactly the
    declared size and checksum (zipfile would silently stop at the declared size)."""
    offset = member.header_offset
    header = data[offset : offset + 30]
    if len(header) < 30 or not header.startswith(LOCAL_HEADER):
        raise damaged()
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    start = offset + 30 + name_length + extra_length
    raw = memoryview(data)[start : start + member.compress_size]
    if len(raw) != member.compress_size:
        raise damaged()
    produced, crc = 0, 0
    inflater = zlib.decompressobj(-15) if member.compress_type == zipfile.ZIP_DEFLATED else None
    try:
        for position in range(0, len(raw), CHUNK):
            piece = bytes(raw[position : position + CHUNK])
            while piece:
                out = inflater.decompress(piece, CHUNK) if inflater else piece
                piece = inflater.unconsumed_tail if inflater else b""
                produced += len(out)
                if produced > member.file_size:
                    raise too_large()
                crc = zlib.crc32(out, crc)
                if out:
                    yield out
        while inflater and not inflater.eof:
            out = inflater.decompress(b"", CHUNK)
            if not out:
                break
            produced += len(out)
            if produced > member.file_size:
                raise too_large()
            crc = zlib.crc32(out, crc)
            yield out
    except zlib.error as exc:
        raise damaged() from exc
    if (inflater and not inflater.eof) or produced != member.file_size or crc != member.CRC:
        raise damaged()


# --------------------------------------------------------------------------- XML


def _forbid_dtd(name, sysid, pubid, has_internal_subset):
    raise DTDForbidden(name, sysid, pubid)


def _forbid_entity(name, is_parameter, value, base, sysid, pubid, notation_name):
    raise EntitiesForbidden(name, value, base, sysid, pubid, notation_name)


def _forbid_unparsed_entity(name, base, sysid, pubid, notation_name):
    raise EntitiesForbidden(name, None, base, sysid, pubid, notation_name)


def _forbid_external(context, base, sysid, pubid):
    raise ExternalReferenceForbidden(context, base, sysid, pubid)


def _expat_parser():
    """expat with what defusedxml forbids forbidden, and no DTD at all."""
    parser = xml.parsers.expat.ParserCreate()
    parser.buffer_text = True
    parser.ordered_attributes = True
    parser.StartDoctypeDeclHandler = _forbid_dtd
    parser.EntityDeclHandler = _forbid_entity
    parser.UnparsedEntityDeclHandler = _forbid_unparsed_entity
    parser.ExternalEntityRefHandler = _forbid_external
    parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)
    return parser


def scan_xml(chunks: Iterator[bytes], handler=None, replacements=()) -> None:
    """Parse a whole XML part; `handler` gets the element events and the parser."""
    parser = _expat_parser()
    if handler is not None:
        handler.attach(parser)
    carry = b""
    strip = None
    try:
        for chunk in chunks:
            data = carry + chunk if carry else chunk
            if strip is None:
                # Tags are only replaced in UTF-8 (and ASCII) parts.
                strip = bool(replacements) and not data.startswith((b"\xff\xfe", b"\xfe\xff"))
            if strip:
                # Cut after the last ">", so that no replaced tag straddles two pieces.
                cut = data.rfind(b">") + 1
                data, carry = (data[:cut], data[cut:]) if cut else (data, b"")
                for tag, replacement in replacements:
                    data = data.replace(tag, replacement)
            parser.Parse(data, False)
        parser.Parse(carry, True)
    except DefusedXmlException as exc:
        raise forbidden_xml() from exc
    except xml.parsers.expat.ExpatError as exc:
        raise damaged() from exc
    if handler is not None:
        handler.finish()


def attribute(attributes: list, name: str) -> str | None:
    for index in range(0, len(attributes), 2):
        key = attributes[index]
        if key == name or key.endswith(":" + name):
            return attributes[index + 1]
    return None


def local_name(name: str) -> str:
    return name.rpartition(":")[2]


def positive(text: str, largest: int) -> int:
    if not text.isdigit() or not text.isascii():
        raise damaged()
    number = int(text)
    if number < 1 or number > largest:
        raise unusual()
    return number


COLUMN_NUMBERS: dict[str, int] = {}


def column_number(letters: str | bytes) -> int:
    """1 for A, 27 for AA; caches what it computed."""
    if isinstance(letters, bytes):
        letters = letters.decode("ascii", "replace")
    number = COLUMN_NUMBERS.get(letters)
    if number is None:
        if not letters.isalpha() or not letters.isascii() or len(letters) > 3:
            raise damaged()
        number = 0
        for letter in letters.upper():
            number = number * 26 + ord(letter) - 64
        COLUMN_NUMBERS[letters] = number
    return number


class Budget:
    """What all sheets of one file together may make calamine build."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.cells = 0
        self.text = 0

    def add_cells(self, count: int) -> None:
        self.cells += count
        if self.cells > self.limits.max_cells:
            raise too_many_cells(self.limits)

    def add_text(self, size: int) -> None:
        self.text += size
        if self.text > self.limits.max_text_bytes:
            raise too_much_text(self.limits)


class SheetExtent:
    """The grid calamine will build for one sheet: rows and columns up to the last cell."""

    def __init__(self, limits: Limits, budget: Budget):
        self.limits, self.budget = limits, budget
        self.last_row = 0
        self.last_column = 0
        self.row_elements = 0

    def count_row_element(self) -> None:
        # Every row in the file counts, blank or not, so a file of blank rows stops early.
        self.row_elements += 1
        if self.row_elements > self.limits.max_rows + 1:
            raise too_many_rows(self.limits.max_rows)

    def reach(self, row: int, column: int) -> None:
        if row > self.last_row:
            if row > self.limits.max_rows + 1:  # the header row and max_rows data rows
                raise too_many_rows(self.limits.max_rows)
            self.last_row = row
        if column > self.last_column:
            if column > self.limits.max_columns:
                raise too_many_columns(self.limits)
            self.last_column = column

    def finish(self) -> None:
        self.budget.add_cells(self.last_row * self.last_column)


# --------------------------------------------------------------------------- .xlsx
