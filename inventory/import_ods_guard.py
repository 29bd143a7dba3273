"""The .ods guard: content.xml is counted as calamine reads it, repeats expanded
(`number-rows-repeated`, `number-columns-repeated`, `<text:s text:c="…">`), before it
runs (see inventory.import_guards).
"""

from flask_babel import gettext as _

from inventory.import_guards import (
    MAX_RELS_BYTES,
    MAX_SHEET_COLUMNS,
    MAX_SHEET_ROWS,
    Budget,
    ImportFileError,
    Limits,
    SheetExtent,
    attribute,
    damaged,
    inflate,
    local_name,
    open_zip,
    positive,
    scan_xml,
    too_many_cells,
    unusual,
)

# An .ods paragraph becomes one space: its text stays, it still counts for the line
# break calamine puts between paragraphs, and a cell costs two callbacks, not four.
PARAGRAPH_TAGS = ((b"<text:p>", b" "), (b"</text:p>", b""))


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
        local = local_name(name)
        if local == "table":
            if self.table is not None:
                raise unusual()  # a table inside a table
            self.table = SheetExtent(self.limits, self.budget)
            self.row_start, self.row_repeat = 0, 1
        elif self.table is None:
            return
        elif local == "table-row":
            self.table.count_row_element()
            repeat = attribute(attributes, "number-rows-repeated")
            self.row_start += self.row_repeat
            self.row_repeat = positive(repeat, MAX_SHEET_ROWS) if repeat else 1
            self.column = 0
        elif local in self.CELLS:
            repeat = attribute(attributes, "number-columns-repeated")
            repeat = positive(repeat, MAX_SHEET_COLUMNS) if repeat else 1
            has_value = attribute(attributes, "value-type") is not None
            self.cell = [self.column + 1, repeat, self.parser.CurrentByteIndex, has_value, 0]
            self.column += repeat
            if not has_value:  # text in the cell (its paragraphs are spaces now) is content
                self.parser.CharacterDataHandler = self._text
        elif self.cell is not None:
            self.cell[3] = True  # any element inside a cell (text:p, ...) is content
            if local == "s":
                spaces = attribute(attributes, "c")
                self.cell[4] += positive(spaces, 2**31) if spaces else 1

    def end(self, name: str) -> None:
        local = local_name(name)
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
                raise too_many_cells(self.limits)
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
                    raise unusual()
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
