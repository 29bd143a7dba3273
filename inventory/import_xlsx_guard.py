"""The .xlsx guard: every part calamine may parse is counted before it runs.

Worksheets by the byte count of inventory.import_fast_scan where they are plainly
written, otherwise with expat; shared strings by their length, so that a long string
copied into many cells is refused (see inventory.import_guards).
"""

import posixpath
from array import array

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as parse_small_xml
from flask_babel import gettext as _

from inventory.import_fast_scan import FastCount, FullParseNeededError, count_part
from inventory.import_guards import (
    COLUMN_NUMBERS,
    MAX_RELS_BYTES,
    MAX_SHEET_ROWS,
    Budget,
    ImportFileError,
    Limits,
    SheetExtent,
    attribute,
    column_number,
    damaged,
    forbidden_xml,
    inflate,
    local_name,
    open_zip,
    positive,
    scan_xml,
    too_many_cells,
    too_many_columns,
    too_many_rows,
    unusual,
)

# Relationships to parts that are not XML (never parsed by calamine).
BINARY_RELATIONSHIPS = ("/image", "/thumbnail", "/printerSettings", "/oleObject", "/package")
# Inline-string and value tags: replaced before expat sees them, so a cell costs one
# callback instead of three (their text stays; a value tag becomes a space).
STRIPPED_TAGS = ((b"<is>", b""), (b"</is>", b""), (b"<t>", b""), (b"</t>", b""))
VALUE_TAGS = ((b"<v>", b" "), (b"</v>", b" "))


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
        columns = COLUMN_NUMBERS
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
                name = local_name(name)
            if pending and name != "v" and name != "f":
                take_shared_ref()  # the shared-string cell ended
            if name == "c":
                state["cells"] = cells = state["cells"] + 1
                if cells > max_cells:
                    raise too_many_cells(limits)
                if attributes and attributes[0] == "r":
                    ref = attributes[1]
                else:
                    ref = attribute(attributes, "r")
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
                        raise too_many_columns(limits)
                    state["last_column"] = column
                if "s" in attributes and attribute(attributes, "t") == "s":
                    text: list[str] = []
                    pending.append(text)
                    parser.CharacterDataHandler = text.append
            elif name == "row":
                extent.count_row_element()
                r = attribute(attributes, "r")
                state["row"] = positive(r, MAX_SHEET_ROWS) if r is not None else state["row"] + 1
                state["column"] = 0
            elif name == "si":
                string_starts.append(parser.CurrentByteIndex)
                if len(string_starts) > max_cells:
                    raise too_many_cells(limits)
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
        raise unusual()
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


def inspect_xlsx(data: bytes, limits: Limits) -> frozenset[str]:
    """Refuse an .xlsx that is not one, has macros, or would make calamine build too much.

    Returns the parts that have the plain shape the byte count follows and whose every
    row names its number: a worksheet among them can be cut between its rows
    (inventory.import_slices)."""
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
            raise unusual()
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
        scans = {}
        for member in archive.infolist():
            name = member.filename
            if not (name.lower().endswith((".xml", ".rels", ".vml")) or name in targets):
                continue
            scans[name] = _scan_xlsx_part(data, member, limits, budget)
        _check_shared_text(list(scans.values()), budget)
    return frozenset(
        name
        for name, scan in scans.items()
        if isinstance(scan, FastCount) and scan.numbered_rows == scan.row_elements
    )


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
        raise too_many_cells(limits)
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
