"""The checks in front of calamine: a workbook is inspected before anything parses it.

calamine reads .xlsx and .ods fast and ignores a sheet's declared <dimension>, but it
builds each sheet as one dense grid from the first to the last cell it finds (a cell
at A1 and one at XFD1048576 ask for 500 GB and abort the process), copies a shared
string into every cell that refers to it, and expands the repeats of an .ods file
(`number-rows-repeated`, `number-columns-repeated`, `<text:s text:c="…">`). So here:

* the zip's central directory is checked first: member count, declared sizes and
  compression ratio, no encryption, only stored or deflated members;
* every member calamine may parse is inflated here (it must unpack to exactly its
  declared size and checksum) and streamed through expat with DTDs and entities
  forbidden (defusedxml's exceptions), whatever its name or role;
* while streaming, the sheets' real extent (the last row and column of any cell),
  their cells, the rows in the file (blank ones included) and the text calamine would
  build are counted and stopped at the limits, so a hostile file is refused early
  and memory stays bounded by what is really in the file.
"""

import io
import posixpath
import struct
import xml.parsers.expat
import zipfile
import zlib
from array import array
from collections.abc import Iterator
from dataclasses import dataclass

from defusedxml import (
    DefusedXmlException,
    DTDForbidden,
    EntitiesForbidden,
    ExternalReferenceForbidden,
)
from defusedxml.ElementTree import fromstring as parse_small_xml
from flask_babel import gettext as _

from inventory.import_fast_scan import FullParseNeededError, count_part

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
# Relationships to parts that are not XML (never parsed by calamine).
BINARY_RELATIONSHIPS = ("/image", "/thumbnail", "/printerSettings", "/oleObject", "/package")
# Inline-string and value tags: replaced before expat sees them, so a cell costs one
# callback instead of three (their text stays; a value tag becomes a space).
STRIPPED_TAGS = ((b"<is>", b""), (b"</is>", b""), (b"<t>", b""), (b"</t>", b""))
VALUE_TAGS = ((b"<v>", b" "), (b"</v>", b" "))
# An .ods paragraph becomes one space: its text stays, it still counts for the line
# break calamine puts between paragraphs, and a cell costs two callbacks, not four.
PARAGRAPH_TAGS = ((b"<text:p>", b" "), (b"</text:p>", b""))


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


def _unusual() -> ImportFileError:
    return ImportFileError(_("The workbook has an unusual structure and was refused."))


def _too_large() -> ImportFileError:
    return ImportFileError(_("The workbook unpacks to an unusually large size and was refused."))


def damaged() -> ImportFileError:
    return ImportFileError(_("The workbook could not be read. Is it damaged?"))


def forbidden_xml() -> ImportFileError:
    return ImportFileError(_("The workbook contains forbidden XML and was refused."))


def _too_many_columns(limits: Limits) -> ImportFileError:
    return ImportFileError(
        _("A sheet of the workbook has more than %(max)s columns.", max=limits.max_columns)
    )


def _too_many_cells(limits: Limits) -> ImportFileError:
    return ImportFileError(
        _(
            "The workbook has more than %(max)s cells. Please split it into several files.",
            max=german_thousands(limits.max_cells),
        )
    )


def _too_much_text(limits: Limits) -> ImportFileError:
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
        raise _unusual()
    total = 0
    for member in members:
        if member.flag_bits & 0x1:
            raise ImportFileError(
                _("The file is password-protected. Please save it without a password.")
            )
        if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _unusual()
        total += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if total > limits.max_uncompressed or (
            member.file_size > 1024 * 1024 and ratio > MAX_COMPRESSION_RATIO
        ):
            raise _too_large()
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
                    raise _too_large()
                crc = zlib.crc32(out, crc)
                if out:
                    yield out
        while inflater and not inflater.eof:
            out = inflater.decompress(b"", CHUNK)
            if not out:
                break
            produced += len(out)
            if produced > member.file_size:
                raise _too_large()
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


def _attribute(attributes: list, name: str) -> str | None:
    for index in range(0, len(attributes), 2):
        key = attributes[index]
        if key == name or key.endswith(":" + name):
            return attributes[index + 1]
    return None


def _local(name: str) -> str:
    return name.rpartition(":")[2]


def _positive(text: str, largest: int) -> int:
    if not text.isdigit() or not text.isascii():
        raise damaged()
    number = int(text)
    if number < 1 or number > largest:
        raise _unusual()
    return number


_COLUMN_NUMBERS: dict[str, int] = {}


def column_number(letters: str | bytes) -> int:
    """1 for A, 27 for AA; caches what it computed."""
    if isinstance(letters, bytes):
        letters = letters.decode("ascii", "replace")
    number = _COLUMN_NUMBERS.get(letters)
    if number is None:
        if not letters.isalpha() or not letters.isascii() or len(letters) > 3:
            raise damaged()
        number = 0
        for letter in letters.upper():
            number = number * 26 + ord(letter) - 64
        _COLUMN_NUMBERS[letters] = number
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
            raise _too_many_cells(self.limits)

    def add_text(self, size: int) -> None:
        self.text += size
        if self.text > self.limits.max_text_bytes:
            raise _too_much_text(self.limits)


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
                raise _too_many_columns(self.limits)
            self.last_column = column

    def finish(self) -> None:
        self.budget.add_cells(self.last_row * self.last_column)


# --------------------------------------------------------------------------- .xlsx


class XlsxPartScan:
    """Counts one part of an .xlsx as calamine would read it, whatever the part's name:
    its cells and rows (as a worksheet) and the length of each shared string.

    The cell handler runs once per cell of a 100,000-row file, so it is one closure
    over local state with the common attribute layouts first."""

    def __init__(self, limits: Limits, budget: Budget):
        self.extent = SheetExtent(limits, budget)
        self.budget = budget
        self.shared_refs = array("I")
        self.string_starts = array("Q")
        self.parser = None
        self.end = 0
        self._flush = None

    def attach(self, parser) -> None:
        self.parser = parser
        extent, limits = self.extent, self.budget.limits
        max_row, max_column, max_cells = limits.max_rows + 1, limits.max_columns, limits.max_cells
        shared_refs, string_starts = self.shared_refs, self.string_starts
        columns = _COLUMN_NUMBERS
        state = {"row": 0, "column": 0, "cells": 0, "last_row": 0, "last_column": 0}
        pending: list[list[str]] = []  # the text of the shared-string cell being read

        def take_shared_ref() -> None:
            text = "".join(pending.pop()).split()
            parser.CharacterDataHandler = None
            for index in text:
                if not index.isdigit() or not index.isascii():
                    raise damaged()
                shared_refs.append(min(int(index), 2**32 - 1))

        def start(name: str, attributes: list) -> None:
            if ":" in name:
                name = _local(name)
            if pending and name != "v" and name != "f":
                take_shared_ref()  # the shared-string cell ended
            if name == "c":
                state["cells"] = cells = state["cells"] + 1
                if cells > max_cells:
                    raise _too_many_cells(limits)
                if attributes and attributes[0] == "r":
                    ref = attributes[1]
                else:
                    ref = _attribute(attributes, "r")
                if ref is None:
                    state["column"] = column = state["column"] + 1
                    row = state["row"] or 1
                else:
                    letters = ref.rstrip("0123456789")
                    column = columns.get(letters) or column_number(letters)
                    state["column"] = column
                    digits = ref[len(letters) :]
                    if not digits:
                        raise damaged()
                    row = int(digits)
                if row > state["last_row"]:
                    if row > max_row:
                        raise too_many_rows(limits.max_rows)
                    state["last_row"] = row
                if column > state["last_column"]:
                    if column > max_column:
                        raise _too_many_columns(limits)
                    state["last_column"] = column
                if "s" in attributes and _attribute(attributes, "t") == "s":
                    text: list[str] = []
                    pending.append(text)
                    parser.CharacterDataHandler = text.append
            elif name == "row":
                extent.count_row_element()
                r = _attribute(attributes, "r")
                state["row"] = _positive(r, MAX_SHEET_ROWS) if r is not None else state["row"] + 1
                state["column"] = 0
            elif name == "si":
                string_starts.append(parser.CurrentByteIndex)
                if len(string_starts) > max_cells:
                    raise _too_many_cells(limits)
            elif name == "v" and pending:
                pending[-1].append(" ")  # two values in one cell stay two numbers

        def flush() -> None:
            if pending:
                take_shared_ref()
            extent.last_row, extent.last_column = state["last_row"], state["last_column"]

        self._flush = flush
        parser.StartElementHandler = start

    def finish(self) -> None:
        self._flush()
        self.end = self.parser.CurrentByteIndex
        self.extent.finish()

    def string_lengths(self) -> list[int]:
        """An upper bound of each shared string's length: the bytes of its <si>."""
        starts = list(self.string_starts) + [self.end]
        return [starts[i + 1] - starts[i] for i in range(len(starts) - 1)]


def _relationship_targets(archive, data: bytes, rels_name: str) -> set[str]:
    """The parts a .rels file points to (resolved to member names), binary ones left out."""
    try:
        member = archive.getinfo(rels_name)
    except KeyError:
        return set()
    if member.file_size > MAX_RELS_BYTES:
        raise _unusual()
    try:
        root = parse_small_xml(b"".join(inflate(data, member)), forbid_dtd=True)
    except DefusedXmlException as exc:
        raise forbidden_xml() from exc
    except Exception as exc:  # ElementTree.ParseError and friends
        raise damaged() from exc
    source_dir = posixpath.dirname(posixpath.dirname(rels_name))
    targets = set()
    for relationship in root:
        kind = relationship.get("Type") or ""
        target = relationship.get("Target") or ""
        if "vbaProject" in kind or "macro" in kind.lower():
            raise _macros()
        if relationship.get("TargetMode") == "External" or kind.endswith(BINARY_RELATIONSHIPS):
            continue
        path = target[1:] if target.startswith("/") else posixpath.join(source_dir, target)
        targets.add(posixpath.normpath(path))
    return targets


def _macros() -> ImportFileError:
    return ImportFileError(
        _(
            "Workbooks with macros cannot be imported. Please save the file in Excel as "
            "“Excel workbook (.xlsx)”."
        )
    )


def not_xlsx() -> ImportFileError:
    return ImportFileError(_("The file is not an Excel workbook (.xlsx)."))


def inspect_xlsx(data: bytes, limits: Limits) -> None:
    """Refuse an .xlsx that is not one, has macros, or would make calamine build too much."""
    archive = open_zip(data, limits, not_xlsx)
    with archive:
        names = {member.filename for member in archive.infolist()}
        if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
            raise not_xlsx()
        if "xl/workbook.bin" in names or "content.xml" in names:
            raise not_xlsx()
        lowered = [name.lower() for name in names]
        if any(n.endswith("vbaproject.bin") or "macrosheets/" in n for n in lowered):
            raise _macros()
        content_types = archive.getinfo("[Content_Types].xml")
        if content_types.file_size > MAX_RELS_BYTES:
            raise _unusual()
        if b"macroEnabled" in b"".join(inflate(data, content_types)):
            raise _macros()
        # calamine finds the workbook through _rels/.rels and its sheets through the
        # workbook's relationships: those parts are XML whatever they are called.
        targets = _relationship_targets(archive, data, "_rels/.rels")
        for workbook in {"xl/workbook.xml", *targets}:
            rels = posixpath.join(posixpath.dirname(workbook), "_rels", "")
            targets |= _relationship_targets(
                archive, data, rels + posixpath.basename(workbook) + ".rels"
            )
        budget = Budget(limits)
        scans = []
        for member in archive.infolist():
            name = member.filename
            if not (name.lower().endswith((".xml", ".rels", ".vml")) or name in targets):
                continue
            scans.append(_scan_xlsx_part(data, member, limits, budget))
        _check_shared_text(scans, budget)


def _scan_xlsx_part(data: bytes, member, limits: Limits, budget: Budget):
    """The byte count where the part has the plain shape, else expat with a callback."""
    try:
        count = count_part(
            inflate(data, member), limits.max_rows + 1, lambda: too_many_rows(limits.max_rows)
        )
    except FullParseNeededError:
        scan = XlsxPartScan(limits, budget)
        scan_xml(inflate(data, member), scan, STRIPPED_TAGS + VALUE_TAGS)
        return scan
    if count.cells > limits.max_cells or len(count.string_starts) > limits.max_cells:
        raise _too_many_cells(limits)
    extent = SheetExtent(limits, budget)
    extent.reach(count.last_row, max(map(column_number, count.columns), default=0))
    extent.finish()
    return count


def _check_shared_text(scans: list[XlsxPartScan], budget: Budget) -> None:
    """calamine copies a shared string into every cell that refers to it."""
    lengths: list[int] = []
    for scan in scans:
        for index, length in enumerate(scan.string_lengths()):
            if index < len(lengths):
                lengths[index] = max(lengths[index], length)
            else:
                lengths.append(length)
    longest = max(lengths, default=0)
    count = len(lengths)
    for scan in scans:
        budget.add_text(sum(lengths[i] if i < count else longest for i in scan.shared_refs))


# --------------------------------------------------------------------------- .ods


class OdsContentScan:
    """Counts content.xml as calamine reads it: repeats expanded, per table."""

    CELLS = ("table-cell", "covered-table-cell")

    def __init__(self, limits: Limits, budget: Budget):
        self.limits, self.budget = limits, budget
        self.parser = None
        self.table: SheetExtent | None = None
        self.row_start = 0  # the first row of the current row element
        self.row_repeat = 1
        self.column = 0
        self.cell: list | None = None  # [first column, repeat, start byte, content, spaces]
        self.content_cells = 0

    def attach(self, parser) -> None:
        self.parser = parser
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end

    def start(self, name: str, attributes: list) -> None:
        local = _local(name)
        if local == "table":
            if self.table is not None:
                raise _unusual()  # a table inside a table
            self.table = SheetExtent(self.limits, self.budget)
            self.row_start, self.row_repeat = 0, 1
        elif self.table is None:
            return
        elif local == "table-row":
            self.table.count_row_element()
            repeat = _attribute(attributes, "number-rows-repeated")
            self.row_start += self.row_repeat
            self.row_repeat = _positive(repeat, MAX_SHEET_ROWS) if repeat else 1
            self.column = 0
        elif local in self.CELLS:
            repeat = _attribute(attributes, "number-columns-repeated")
            repeat = _positive(repeat, MAX_SHEET_COLUMNS) if repeat else 1
            has_value = _attribute(attributes, "value-type") is not None
            self.cell = [self.column + 1, repeat, self.parser.CurrentByteIndex, has_value, 0]
            self.column += repeat
            if not has_value:  # text in the cell (its paragraphs are spaces now) is content
                self.parser.CharacterDataHandler = self._text
        elif self.cell is not None:
            self.cell[3] = True  # any element inside a cell (text:p, ...) is content
            if local == "s":
                spaces = _attribute(attributes, "c")
                self.cell[4] += _positive(spaces, 2**31) if spaces else 1

    def end(self, name: str) -> None:
        local = _local(name)
        if local == "table":
            if self.table is not None:
                self.table.finish()
            self.table = None
        elif local in self.CELLS and self.cell is not None:
            first, repeat, start, content, spaces = self.cell
            self.cell = None
            self.parser.CharacterDataHandler = None
            if not content:
                return  # blank cells, however many, are not stored by calamine
            copies = repeat * self.row_repeat
            self.table.reach(self.row_start + self.row_repeat - 1, first + repeat - 1)
            self.content_cells += copies
            if self.content_cells > self.limits.max_cells:
                raise _too_many_cells(self.limits)
            size = self.parser.CurrentByteIndex - start + spaces
            self.budget.add_text(size * copies)

    def _text(self, _data: str) -> None:
        if self.cell is not None:
            self.cell[3] = True

    def finish(self) -> None:
        if self.table is not None:
            raise damaged()


def not_ods() -> ImportFileError:
    return ImportFileError(_("The file is not an OpenDocument spreadsheet (.ods)."))


ODS_MIMETYPES = (
    b"application/vnd.oasis.opendocument.spreadsheet",
    b"application/vnd.oasis.opendocument.spreadsheet-template",
)


def inspect_ods(data: bytes, limits: Limits) -> None:
    """Refuse an .ods that is not one, is encrypted, or would make calamine build too much."""
    archive = open_zip(data, limits, not_ods)
    with archive:
        names = {member.filename for member in archive.infolist()}
        if "content.xml" not in names or "mimetype" not in names or "xl/workbook.xml" in names:
            raise not_ods()
        mimetype = archive.getinfo("mimetype")
        if mimetype.file_size > 200 or b"".join(inflate(data, mimetype)).strip() not in (
            ODS_MIMETYPES
        ):
            raise not_ods()
        budget = Budget(limits)
        for member in archive.infolist():
            name = member.filename
            if name == "META-INF/manifest.xml":
                if member.file_size > MAX_RELS_BYTES:
                    raise _unusual()
                manifest = b"".join(inflate(data, member))
                if b"encryption-data" in manifest:
                    raise ImportFileError(
                        _("The file is password-protected. Please save it without a password.")
                    )
                scan_xml(iter([manifest]))
            elif name == "content.xml":
                scan_xml(inflate(data, member), OdsContentScan(limits, budget), PARAGRAPH_TAGS)
            elif name.lower().endswith((".xml", ".rdf")):
                scan_xml(inflate(data, member))
