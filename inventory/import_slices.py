"""A plain .xlsx cut into workbooks of a few thousand rows, so calamine never builds a
whole large sheet (about 1.3 KB per row of 15 cells while it reads, 100,000 rows: 133 MB).

Only for a file whose every part the guard counted by its bytes (inventory.import_fast_scan:
no comments, CDATA, DTD or processing instructions, no prefixed element names) and whose
every row names its number: there a `<row` in a worksheet's `<sheetData>` is always a row's
start tag, so the rows can be cut between them. Each slice is a stored (uncompressed) zip
with the file's other parts unchanged and each worksheet holding its next run of rows;
calamine reads it as it would the whole file, rows keep their numbers. Anything else
raises NotSliceableError and the caller reads the file whole.
"""

import io
import re
import tempfile
import zipfile
from collections.abc import Iterator

from inventory.import_fast_scan import part_body
from inventory.import_guards import inflate

ROWS_PER_SLICE = 10_000
MAX_PREFIX = 8 * 1024 * 1024  # a worksheet's bytes before <sheetData>
ROW_START = re.compile(rb"<row[ >/]")
ROW_START_LENGTH = 5
SHEET_DATA = b"<sheetData>"
SHEET_DATA_END = b"</sheetData>"
EMPTY_SHEET_DATA = b"<sheetData/>"
SUFFIX = b"</sheetData></worksheet>"
WORKSHEET_ROOT = re.compile(rb"<worksheet[ >]")
# calamine may size its grid by the declared extent; a slice declares none.
DIMENSION = re.compile(rb'<dimension ref="[^"<>]*"/>')


class NotSliceableError(Exception):
    """The file has a shape the cut does not follow."""


class _Worksheet:
    """One worksheet part: the bytes before its rows and its rows in runs."""

    def __init__(self, prefix: bytes, runs: Iterator[bytes]):
        self.prefix = DIMENSION.sub(b"", prefix)
        self.runs = runs

    def write(self, out: zipfile.ZipFile, name: str, run: bytes | None) -> None:
        with out.open(name, "w") as part:
            part.write(self.prefix)
            if run is not None:
                part.write(run)
            part.write(SUFFIX)


def _worksheet(pieces: Iterator[bytes], first: bytes, rows_per_slice: int) -> _Worksheet | None:
    """The worksheet cut into runs of rows; None for one without rows (`<sheetData/>`),
    which every slice holds as it is."""
    buffer = bytearray(first)
    while (start := buffer.find(SHEET_DATA)) < 0:
        if EMPTY_SHEET_DATA in buffer:
            return None
        if len(buffer) > MAX_PREFIX:
            raise NotSliceableError
        piece = next(pieces, None)
        if piece is None:
            raise NotSliceableError
        buffer += piece
    prefix = bytes(buffer[: start + len(SHEET_DATA)])
    return _Worksheet(prefix, _row_runs(pieces, buffer[start + len(SHEET_DATA) :], rows_per_slice))


def _row_runs(pieces: Iterator[bytes], buffer: bytearray, rows_per_slice: int):
    """The rows in runs of rows_per_slice, up to </sheetData>."""
    rows, searched = 0, 0  # rows counted in the buffer; where the next row start may be
    while True:
        end = buffer.find(SHEET_DATA_END, max(searched - len(SHEET_DATA_END), 0))
        limit = end if end >= 0 else len(buffer)
        cut = None
        for match in ROW_START.finditer(buffer, searched, limit):
            rows += 1
            if rows > rows_per_slice:
                cut = match.start()
                break
        if cut is not None:
            yield _take(buffer, cut)
            rows, searched = 1, ROW_START_LENGTH
            continue
        if end >= 0:
            if rows:
                yield _take(buffer, end)
            return
        # a row start cut off at the end of the buffer is found once the next piece is in
        searched = max(searched, len(buffer) - ROW_START_LENGTH + 1)
        piece = next(pieces, None)
        if piece is None:
            raise NotSliceableError  # no </sheetData>
        buffer += piece


def _take(buffer: bytearray, end: int) -> bytes:
    """The buffer's first bytes, cut off it (one copy; the generator keeps no reference)."""
    with memoryview(buffer) as view:
        run = bytes(view[:end])
    del buffer[:end]
    return run


def slices(
    data: bytes, plain_parts: frozenset[str], rows_per_slice: int = ROWS_PER_SLICE
) -> Iterator[str]:
    """Paths of the slice workbooks in turn (each deleted when the next is asked for).
    The first slice holds every worksheet's first rows (the headers); slices follow until
    every worksheet's rows are out. plain_parts: the parts the guard found plain
    (inventory.import_xlsx_guard.inspect_xlsx); a worksheet not among them is not cut."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    members = archive.infolist()
    worksheets: dict[str, _Worksheet] = {}
    for member in members:
        if not member.filename.lower().endswith(".xml"):
            continue
        pieces = inflate(data, member)
        first = part_body(next(pieces, b""))
        if WORKSHEET_ROOT.match(first):
            if member.filename not in plain_parts:
                raise NotSliceableError
            sheet = _worksheet(pieces, first, rows_per_slice)
            if sheet is not None:
                worksheets[member.filename] = sheet
    index = 0
    while True:
        runs = {name: next(sheet.runs, None) for name, sheet in worksheets.items()}
        if index and all(run is None for run in runs.values()):
            return
        with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
            with zipfile.ZipFile(handle, "w", zipfile.ZIP_STORED) as out:
                for member in members:
                    name = member.filename
                    if name in worksheets:
                        worksheets[name].write(out, name, runs.pop(name))
                    else:
                        out.writestr(name, b"".join(inflate(data, member)))
            handle.flush()
            yield handle.name
        index += 1
