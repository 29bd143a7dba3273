"""A plain .xlsx is read in slices of rows (inventory.import_slices), with the same rows,
numbers and headers as read whole; a file the cut does not follow is read whole."""

import io
import zipfile

import pytest
from openpyxl import Workbook
from python_calamine import CalamineWorkbook

from inventory.import_guards import Limits
from inventory.import_readers import _read_slices, _read_whole, inspect_xlsx, read_sheets
from inventory.import_slices import NotSliceableError, slices
from tests.inventory.test_import_files import rewrite_zip
from tests.inventory.test_import_helpers import ods_bytes

LIMITS = Limits(max_rows=1000, max_uncompressed=50 * 1024 * 1024)
SHEET = "xl/worksheets/sheet1.xml"


def _workbook() -> bytes:
    """A table starting at C3 with a blank row, a shorter second sheet, a hidden one and
    an empty one (`<sheetData/>`)."""
    workbook = Workbook()
    devices = workbook.active
    devices.title = "Geräte"
    devices["C3"], devices["D3"], devices["E3"] = "Inventarnummer", "Kategorie", "Preis"
    for number in range(4, 20):
        if number != 9:
            for column, value in enumerate((f"INV-{number}", "laptop", number + 0.5), start=3):
                devices.cell(row=number, column=column, value=value)
    devices["F12"] = "rechts"
    links = workbook.create_sheet("Anbindungen")
    for row in (["id", "technology"], [1, "fibre"], [2, "dsl"]):
        links.append(row)
    hidden = workbook.create_sheet("Versteckt")
    hidden.append(["geheim"])
    hidden.sheet_state = "hidden"
    workbook.create_sheet("Leer")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _as_read(sheets) -> list:
    return [(sheet.name, sheet.headers, sheet.rows) for sheet in sheets]


def test_a_workbook_read_in_slices_is_the_workbook_read_whole(app):
    data = _workbook()
    plain = inspect_xlsx(data, LIMITS)
    assert SHEET in plain
    whole = _as_read(_read_whole(data, ".xlsx", LIMITS))
    for rows_per_slice in (1, 2, 5, 1000):
        assert _as_read(_read_slices(data, plain, LIMITS, rows_per_slice)) == whole
    devices = whole[0]
    assert devices[1] == ["", "", "Inventarnummer", "Kategorie", "Preis"]
    numbers = [number for number, _values in devices[2]]
    assert numbers == [n for n in range(4, 20) if n != 9]
    assert devices[2][0] == (4, [None, None, "INV-4", "laptop", 4.5])
    assert devices[2][7] == (12, [None, None, "INV-12", "laptop", 12.5, "rechts"])
    assert [name for name, _headers, _rows in whole] == ["Geräte", "Anbindungen", "Leer"]


def test_each_slice_holds_at_most_the_rows_asked_for(app):
    data = _workbook()
    heights = []
    for path in slices(data, inspect_xlsx(data, LIMITS), rows_per_slice=3):
        with CalamineWorkbook.from_path(path) as workbook:
            sheet = workbook.get_sheet_by_index(0)
            heights.append(sheet.height if sheet.start is not None else 0)
    assert len(heights) == 6  # the header and 15 devices, 3 rows a slice
    assert max(heights) <= 3
    assert sum(heights) == 16


def test_a_worksheet_the_byte_count_cannot_follow_is_read_whole(app):
    data = _workbook()
    sheet = zipfile.ZipFile(io.BytesIO(data)).read(SHEET)
    commented = rewrite_zip(
        data, replace={SHEET: sheet.replace(b"<sheetData>", b"<sheetData><!-- <row r='1'> -->")}
    )
    plain = inspect_xlsx(commented, LIMITS)
    assert SHEET not in plain
    with pytest.raises(NotSliceableError):
        next(slices(commented, plain))
    assert _as_read(read_sheets(commented, "kommentar.xlsx", 1000)) == _as_read(
        _read_whole(data, ".xlsx", LIMITS)
    )


def test_rows_without_their_number_are_not_cut(app):
    data = _workbook()
    sheet = zipfile.ZipFile(io.BytesIO(data)).read(SHEET)
    unnumbered = rewrite_zip(data, replace={SHEET: sheet.replace(b'<row r="5"', b"<row")})
    assert SHEET not in inspect_xlsx(unnumbered, LIMITS)


def test_a_header_below_the_first_row_is_the_header(app):
    rows = [[], [], ["inventory_number", "category"], ["A-1", "laptop"]]
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    for data, name in ((buffer.getvalue(), "unten.xlsx"), (ods_bytes(rows), "unten.ods")):
        (sheet,) = read_sheets(data, name, 10)
        assert sheet.headers == ["inventory_number", "category"], name
        assert sheet.rows == [(4, ["A-1", "laptop"])], name
