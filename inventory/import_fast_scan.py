"""The byte-level count of an .xlsx part as Excel, LibreOffice and openpyxl write it.

expat with a Python callback per cell costs several seconds for 100,000 rows, longer
than calamine takes to read them. The writers we meet produce one plain shape,
`<c r="B7" s="1" t="s"><v>12</v></c>`, so for such a part the cells, rows, shared
strings and references are counted with bytes.count and regular expressions in C.

The count is only trusted when the part cannot hide a cell from it: no comment, CDATA,
DTD or processing instruction (`<!`, `<?`), no NUL (UTF-16), no single-quoted or spaced
attributes, no prefixed element names, every `<c` tag starting with a plain
`r="…"`, every ` r="` and ` t="s"` accounted for. Anything else raises FullParseNeededError
and the caller reads the part with expat instead (inventory.import_guards).
"""

import re
from array import array
from collections.abc import Iterator

CELL_STARTS = (b"<c ", b"<c>", b"<c/")
ROW_STARTS = (b"<row ", b"<row>", b"<row/")
CELL_ROWS = re.compile(rb'<c r="[A-Z]{1,3}([0-9]{1,7})"')
CELL_COLUMNS = re.compile(rb'<c r="([A-Z]{1,3})[0-9]')
ROW_NUMBERS = re.compile(rb'<row r="[0-9]{1,7}"')
SHARED_VALUES = re.compile(
    rb'<c r="[A-Z]{1,3}[0-9]{1,7}"(?: s="[0-9]{1,5}")? t="s"><v>([0-9]{1,10})</v></c>'
)
STRING_STARTS = re.compile(rb"<si>")
PREFIXED = re.compile(rb":(?:(?:c|row|si|v|is|t)[ />]|[rt]=)")
# Shapes the count cannot follow: markup it does not know, whitespace other than a
# space (attributes could then be split in ways its patterns miss), or attributes
# written in a way its patterns would miss (spaced or prefixed `r` and `t`, escaped values).
UNFOLLOWED_BYTES = (b"\t", b"\n", b"\r")
UNFOLLOWED = (b"<!", b"<?", b' ="', b'="&', b"<si ", b"<si/")
MAX_CARRY = 8 * 1024 * 1024


class FullParseNeededError(Exception):
    """The part has a shape the byte count does not follow."""


class FastCount:
    """What a part holds, as counted from its bytes (interface of XlsxPartScan)."""

    def __init__(self):
        self.row_elements = 0
        self.numbered_rows = 0  # row elements with their r="..." number
        self.cells = 0
        self.last_row = 0
        self.columns: set[bytes] = set()
        self.shared_refs = array("I")
        self.string_starts = array("Q")
        self.end = 0

    def string_lengths(self) -> list[int]:
        starts = list(self.string_starts) + [self.end]
        return [starts[i + 1] - starts[i] for i in range(len(starts) - 1)]


def part_body(first: bytes) -> bytes:
    """The part without its XML declaration (the one `<?` allowed) and the line break
    after it; a part in UTF-16 (NUL bytes) is left to expat."""
    if b"\x00" in first[:4]:
        raise FullParseNeededError
    text = first[3:] if first.startswith(b"\xef\xbb\xbf") else first
    if text.startswith(b"<?xml"):
        end = text.find(b"?>")
        if end < 0:
            raise FullParseNeededError
        return text[end + 2 :].lstrip(b"\r\n")
    return text


def count_part(chunks: Iterator[bytes], max_row_elements: int, on_too_many_rows) -> FastCount:
    """Count a part; raises FullParseNeededError, or what on_too_many_rows returns."""
    count = FastCount()
    carry = b""
    offset = 0  # bytes of the part before `data`
    first = True
    for chunk in chunks:
        data = carry + chunk
        if first:
            body = part_body(data)
            offset += len(data) - len(body)
            data, first = body, False
        cut = data.rfind(b">") + 1  # no counted pattern holds a ">" before its end
        if cut == 0:
            if len(data) > MAX_CARRY:
                raise FullParseNeededError
            carry = data
            continue
        piece, carry = data[:cut], data[cut:]
        _count_piece(piece, offset, count)
        offset += cut
        if count.row_elements > max_row_elements:
            raise on_too_many_rows()
    if carry:
        _count_piece(carry, offset, count)
        offset += len(carry)
    count.end = offset
    return count


def _count_piece(piece: bytes, offset: int, count: FastCount) -> None:
    # Each check is one pass in C; every "=" must open a double-quoted value.
    if any(piece.count(byte) for byte in UNFOLLOWED_BYTES) or piece.count(b"=") != piece.count(
        b'="'
    ):
        raise FullParseNeededError
    if any(pattern in piece for pattern in UNFOLLOWED) or PREFIXED.search(piece):
        raise FullParseNeededError
    cells = sum(piece.count(start) for start in CELL_STARTS)
    refs = CELL_ROWS.findall(piece)
    rows = sum(piece.count(start) for start in ROW_STARTS)
    rows_with_number = len(ROW_NUMBERS.findall(piece))
    if len(refs) != cells or piece.count(b' r="') != cells + rows_with_number:
        raise FullParseNeededError
    shared = SHARED_VALUES.findall(piece)
    if len(shared) != piece.count(b' t="s"'):
        raise FullParseNeededError
    count.cells += cells
    count.row_elements += rows
    count.numbered_rows += rows_with_number
    if refs:
        count.last_row = max(count.last_row, max(map(int, refs)))
        count.columns.update(CELL_COLUMNS.findall(piece))
    if shared:
        count.shared_refs.extend(min(int(index), 2**32 - 1) for index in shared)
    if b"<si>" in piece:
        count.string_starts.extend(offset + m.start() for m in STRING_STARTS.finditer(piece))
