"""The read stage: .xlsx and .ods through python-calamine behind the guards, .csv.

Typed values come through; hostile workbooks (forged dimensions, sparse corner cells,
blank rows, shared strings copied into many cells, .ods repeats, entity bombs, lying
zip headers) are refused before calamine builds anything, with a German message.
"""

import datetime as dt
import io
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.extensions import db
from inventory.import_readers import ImportFileError, read_sheets
from inventory.importer import analyse, import_file
from inventory.models import Device
from tests.inventory.test_import_files import (
    BILLION_LAUGHS,
    VALID_ROWS,
    file_error,
    rewrite_zip,
    with_shared_strings,
)
from tests.inventory.test_import_helpers import ods_bytes, xlsx_bytes

ROOT = Path(__file__).resolve().parents[2]
SHEET = "xl/worksheets/sheet1.xml"
MAX_RSS_KIB = 200 * 1024


@pytest.fixture
def school(make_school):
    return make_school("123456")


def sheet_xml(data: bytes) -> bytes:
    return zipfile.ZipFile(io.BytesIO(data)).read(SHEET)


def with_sheet(data: bytes, change) -> bytes:
    """The workbook with its first sheet's XML passed through change()."""
    return rewrite_zip(data, replace={SHEET: change(sheet_xml(data))})


def add_rows(data: bytes, rows: bytes) -> bytes:
    return with_sheet(data, lambda xml: xml.replace(b"</sheetData>", rows + b"</sheetData>"))


def prefixed(xml: bytes) -> bytes:
    """The same sheet with a namespace prefix on every element (read by expat, not the
    byte count)."""
    xml = xml.replace(b'<worksheet xmlns="', b'<x:worksheet xmlns:x="')
    for tag in (b"worksheet", b"sheetData", b"row", b"c", b"is", b"t", b"v", b"dimension"):
        xml = xml.replace(b"<" + tag + b" ", b"<x:" + tag + b" ")
        xml = xml.replace(b"<" + tag + b">", b"<x:" + tag + b">")
        xml = xml.replace(b"</" + tag + b">", b"</x:" + tag + b">")
    return xml


def read_in_child(tmp_path, data: bytes, filename: str) -> tuple[str, int]:
    """read_sheets() in a process of its own: (outcome, peak RSS in KiB, VmHWM: ru_maxrss
    would carry this process's over exec). A child that calamine aborted (it does when
    an allocation fails) fails the test."""
    path = tmp_path / filename
    path.write_bytes(data)
    code = (
        "import sys\n"
        "from inventory.import_readers import ImportFileError, read_sheets\n"
        "with open(sys.argv[1], 'rb') as handle:\n"
        "    data = handle.read()\n"
        "try:\n"
        "    sheets = read_sheets(data, sys.argv[1], 100_000)\n"
        "    outcome = 'rows %d' % sum(len(sheet.rows) for sheet in sheets)\n"
        "except ImportFileError as exc:\n"
        "    outcome = 'refused: %s' % exc\n"
        "print(outcome)\n"
        "with open('/proc/self/status') as status:\n"
        "    print([l.split()[1] for l in status if l.startswith('VmHWM:')][0])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    outcome, rss = result.stdout.strip().splitlines()[-2:]
    return outcome, int(rss)


# --------------------------------------------------------------------------- typed values

TYPED_ROW = [
    123456,
    356.881,
    1299.0,
    dt.date(2024, 8, 26),
    dt.datetime(2027, 1, 31, 0, 0),
    dt.datetime(2026, 3, 4, 14, 30),
    "  Raum 1  ",
    True,
    None,
    "letzte",
]
TYPED_VALUES = [
    123456,
    356.881,
    1299,
    dt.date(2024, 8, 26),
    dt.date(2027, 1, 31),
    dt.datetime(2026, 3, 4, 14, 30),
    "Raum 1",
    True,
    None,
    "letzte",
]
HEADERS = [f"h{index}" for index in range(len(TYPED_ROW))]


def test_xlsx_cells_keep_their_type(app):
    (sheet,) = read_sheets(xlsx_bytes([HEADERS, TYPED_ROW]), "typen.xlsx", 10)
    assert sheet.headers == HEADERS
    assert sheet.rows == [(2, TYPED_VALUES)]
    assert type(sheet.rows[0][1][2]) is int


def test_ods_cells_keep_their_type(app):
    (sheet,) = read_sheets(ods_bytes([HEADERS, TYPED_ROW]), "typen.ods", 10)
    assert sheet.name == "Geräte"
    assert sheet.headers == HEADERS
    assert sheet.rows == [(2, TYPED_VALUES)]


def test_blank_rows_are_left_out_and_rows_keep_their_numbers(app):
    rows = [VALID_ROWS[0], VALID_ROWS[1], [None, None, "  "], [], VALID_ROWS[2]]
    for data, name in ((xlsx_bytes(rows), "l.xlsx"), (ods_bytes(rows), "l.ods")):
        (sheet,) = read_sheets(data, name, 10)
        assert [number for number, _values in sheet.rows] == [2, 5], name


def test_a_table_starting_further_right_keeps_its_column_letters(app):
    rows = [[None, None, *row] for row in VALID_ROWS]
    (sheet,) = read_sheets(xlsx_bytes(rows), "rechts.xlsx", 10)
    assert sheet.headers == ["", "", *VALID_ROWS[0]]
    assert sheet.rows[0] == (2, [None, None, *VALID_ROWS[1]])
    assert sheet.column_letter(2) == "C"


def test_float_price_from_a_workbook_is_not_read_as_thousands(app, school):
    rows = [
        ["school_number", "inventory_number", "category", "price"],
        ["123456", "P-1", "laptop", 356.881],
        ["123456", "P-2", "laptop", 0.125],
        ["123456", "P-3", "laptop", 1299],
    ]
    for data, name in ((xlsx_bytes(rows), "preise.xlsx"), (ods_bytes(rows), "preise.ods")):
        report = import_file("devices", data, name)
        assert report.written, report.errors + report.file_errors
        db.session.expire_all()
        prices = dict(db.session.execute(sa.select(Device.inventory_number, Device.price)).all())
        assert prices == {"P-1": Decimal("356.88"), "P-2": Decimal("0.13"), "P-3": Decimal("1299")}
        db.session.execute(sa.delete(Device))
        db.session.commit()


def test_ods_file_imports_devices(app, school):
    rows = [*VALID_ROWS, ["123456", "F-3", "Drucker"]]
    report = import_file("devices", ods_bytes(rows), "geraete.ods")
    assert report.written, report.errors + report.file_errors
    assert db.session.scalar(sa.select(sa.func.count(Device.id))) == 3


# --------------------------------------------------------------------------- dimensions


def test_inflated_dimension_is_ignored_and_memory_stays_small(app, tmp_path):
    data = with_sheet(
        xlsx_bytes(VALID_ROWS),
        lambda xml: xml.replace(b'<dimension ref="A1:C3"/>', b'<dimension ref="A1:XFD1048576"/>'),
    )
    outcome, rss = read_in_child(tmp_path, data, "aufgeblaeht.xlsx")
    assert outcome == "rows 2"
    assert rss < MAX_RSS_KIB


def test_deflated_dimension_does_not_drop_rows(app):
    rows = [VALID_ROWS[0]] + [["123456", f"D-{n}", "laptop"] for n in range(50)]
    data = with_sheet(
        xlsx_bytes(rows),
        lambda xml: xml.replace(b'<dimension ref="A1:C51"/>', b'<dimension ref="A1:A1"/>'),
    )
    assert b'<dimension ref="A1:A1"/>' in sheet_xml(data)
    (sheet,) = read_sheets(data, "geschrumpft.xlsx", 100)
    assert [values[1] for _number, values in sheet.rows] == [f"D-{n}" for n in range(50)]


@pytest.mark.parametrize("shape", ["plain", "prefixed"])
def test_cells_in_far_corners_are_refused_before_calamine_builds_the_grid(app, tmp_path, shape):
    # calamine would build one grid from A1 to XFD1048576 (500 GB) and abort the process.
    corner = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    data = add_rows(xlsx_bytes(VALID_ROWS), corner)
    if shape == "prefixed":
        data = with_sheet(data, prefixed)
    outcome, rss = read_in_child(tmp_path, data, "ecken.xlsx")
    assert outcome.startswith("refused: The file has more than 100.000 rows.")
    assert rss < MAX_RSS_KIB


def test_a_far_column_is_refused(app):
    far = b'<row r="4"><c r="ZZ4" t="inlineStr"><is><t>x</t></is></c></row>'
    message = file_error(add_rows(xlsx_bytes(VALID_ROWS), far), "breit.xlsx")
    assert message == "Ein Blatt der Arbeitsmappe hat mehr als 256 Spalten."


@pytest.mark.parametrize("shape", ["plain", "prefixed"])
def test_the_prefixed_sheet_reads_like_the_plain_one(app, shape):
    data = xlsx_bytes([*VALID_ROWS, ["123456", "F-3", 42.5]])
    if shape == "prefixed":
        data = with_sheet(data, prefixed)
        assert b"<x:c " in sheet_xml(data)
    (sheet,) = read_sheets(data, "mappe.xlsx", 10)
    assert sheet.rows[-1] == (4, ["123456", "F-3", 42.5])


# --------------------------------------------------------------------------- blank rows


def million_blank_rows() -> bytes:
    """A header, one data row, and a million rows of one empty text cell each (calamine
    would keep every one of them)."""
    blank = b"".join(
        b'<row r="%d"><c r="A%d" t="inlineStr"><is><t></t></is></c></row>' % (n, n)
        for n in range(3, 1_000_003)
    )
    return add_rows(xlsx_bytes(VALID_ROWS[:2]), blank)


def test_a_million_blank_rows_are_refused(make_app, make_school):
    app = make_app(IMPORT_MAX_ROWS=100_000)
    with app.app_context():
        make_school("123456")
        message = file_error(million_blank_rows(), "leer.xlsx")
    assert message.startswith("Die Datei hat mehr als 100.000 Zeilen.")


def test_blank_rows_count_toward_the_row_limit(make_app, make_school):
    app = make_app(IMPORT_MAX_ROWS=5)
    with app.app_context():
        make_school("123456")
        blank = b"".join(b'<row r="%d"/>' % n for n in range(4, 10))
        message = file_error(add_rows(xlsx_bytes(VALID_ROWS), blank), "luecken.xlsx")
        assert message.startswith("Die Datei hat mehr als 5 Zeilen.")


# --------------------------------------------------------------------------- shared text


def test_a_long_shared_string_copied_into_many_cells_is_refused(app, school):
    # 300 cells referring to one 1 MB string: calamine would copy it 300 times.
    strings = (
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<si><t>" + b"x" * 1_000_000 + b"</t></si></sst>"
    )
    cells = b"".join(
        b'<row r="%d"><c r="A%d" t="s"><v>0</v></c></row>' % (n, n) for n in range(4, 304)
    )
    data = with_shared_strings(add_rows(xlsx_bytes(VALID_ROWS), cells), strings)
    assert len(data) < 50_000
    assert file_error(data, "kopien.xlsx") == (
        "Die Arbeitsmappe enthält mehr als 50 MB Text und wurde abgelehnt."
    )


# --------------------------------------------------------------------------- .ods


def ods_with(rows_xml: str) -> bytes:
    """A hand-made .ods whose table holds the header row, one device and rows_xml."""
    return ods_bytes(VALID_ROWS[:2], extra_rows_xml=rows_xml)


def test_libreoffice_trailing_empty_rows_are_fine(app):
    trailing = (
        '<table:table-row table:number-rows-repeated="1048574">'
        '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
    )
    (sheet,) = read_sheets(ods_with(trailing), "lo.ods", 10)
    assert sheet.rows == [(2, VALID_ROWS[1])]


@pytest.mark.parametrize(
    ("rows_xml", "expected"),
    [
        (  # a million blank rows, then one more device
            '<table:table-row table:number-rows-repeated="1000000"><table:table-cell/>'
            '</table:table-row><table:table-row><table:table-cell office:value-type="string">'
            "<text:p>spät</text:p></table:table-cell></table:table-row>",
            "Die Datei hat mehr als 100.000 Zeilen.",
        ),
        (  # one text cell repeated over 2,000 columns and 2,000 rows
            '<table:table-row table:number-rows-repeated="2000"><table:table-cell '
            'office:value-type="string" table:number-columns-repeated="2000"><text:p>y</text:p>'
            "</table:table-cell></table:table-row>",
            "Ein Blatt der Arbeitsmappe hat mehr als 256 Spalten.",
        ),
        (  # 100 text cells repeated over 60,000 rows: 6 million cells
            '<table:table-row table:number-rows-repeated="60000"><table:table-cell '
            'office:value-type="string" table:number-columns-repeated="100"><text:p>y</text:p>'
            "</table:table-cell></table:table-row>",
            "Die Arbeitsmappe hat mehr als 3.000.000 Zellen.",
        ),
        (  # one space repeated 100 million times
            '<table:table-row><table:table-cell office:value-type="string"><text:p>a'
            '<text:s text:c="100000000"/>b</text:p></table:table-cell></table:table-row>',
            "Die Arbeitsmappe enthält mehr als 50 MB Text",
        ),
        (  # 40 empty paragraphs (39 line breaks for calamine) in 1.8 million copies
            '<table:table-row table:number-rows-repeated="90000"><table:table-cell '
            'office:value-type="string" table:number-columns-repeated="20">'
            + "<text:p></text:p>" * 40
            + "</table:table-cell></table:table-row>",
            "Die Arbeitsmappe enthält mehr als 50 MB Text",
        ),
    ],
    ids=["blank-rows", "wide-repeat", "many-cells", "spaces", "paragraphs"],
)
def test_ods_repeats_are_counted_before_calamine_expands_them(
    make_app, make_school, rows_xml, expected
):
    app = make_app(IMPORT_MAX_ROWS=100_000)
    with app.app_context():
        make_school("123456")
        assert file_error(ods_with(rows_xml), "wiederholt.ods").startswith(expected)


def test_random_bytes_named_ods_are_not_a_spreadsheet(app, school):
    assert (
        file_error(b"\x13\x37" * 500, "x.ods") == "Die Datei ist keine OpenDocument-Tabelle (.ods)."
    )
    assert file_error(xlsx_bytes(VALID_ROWS), "mappe.ods") == (
        "Die Datei ist keine OpenDocument-Tabelle (.ods)."
    )


def test_ods_named_xlsx_is_not_a_workbook(app, school):
    assert file_error(ods_bytes(VALID_ROWS), "tabelle.xlsx") == (
        "Die Datei ist keine Excel-Arbeitsmappe (.xlsx)."
    )


# --------------------------------------------------------------------------- XML and zip


def test_xml_bomb_in_the_workbook_part_is_refused(app, school):
    workbook = zipfile.ZipFile(io.BytesIO(xlsx_bytes(VALID_ROWS))).read("xl/workbook.xml")
    bomb = BILLION_LAUGHS.split(b"<sst")[0] + workbook.split(b"?>", 1)[-1].replace(
        b"<sheets>", b"<sheets>&lol9;"
    )
    data = rewrite_zip(xlsx_bytes(VALID_ROWS), replace={"xl/workbook.xml": bomb})
    assert file_error(data, "mappe-bombe.xlsx") == (
        "Die Arbeitsmappe enthält unzulässiges XML und wurde abgelehnt."
    )


def test_xml_bomb_in_a_sheet_with_an_unusual_name_is_refused(app, school):
    # calamine follows the workbook's relationships, whatever the part is called.
    source = xlsx_bytes(VALID_ROWS)
    rels = zipfile.ZipFile(io.BytesIO(source)).read("xl/_rels/workbook.xml.rels")
    sheet_bomb = BILLION_LAUGHS.replace(b"<sst", b"<worksheet").replace(b"</sst>", b"</worksheet>")
    data = rewrite_zip(
        source,
        replace={"xl/_rels/workbook.xml.rels": rels.replace(b"sheet1.xml", b"blatt.dat")},
        add={"xl/worksheets/blatt.dat": sheet_bomb},
    )
    assert file_error(data, "versteckt.xlsx") == (
        "Die Arbeitsmappe enthält unzulässiges XML und wurde abgelehnt."
    )


def test_xml_bomb_in_ods_content_is_refused(app, school):
    data = ods_bytes(VALID_ROWS)
    content = zipfile.ZipFile(io.BytesIO(data)).read("content.xml")
    bomb = BILLION_LAUGHS.split(b"<sst")[0] + content.split(b"?>", 1)[-1].replace(
        b"<text:p>laptop</text:p>", b"<text:p>&lol9;</text:p>"
    )
    assert file_error(rewrite_zip(data, replace={"content.xml": bomb}), "bombe.ods") == (
        "Die Arbeitsmappe enthält unzulässiges XML und wurde abgelehnt."
    )


def lie_about_size(data: bytes, name: str, declared: int) -> bytes:
    """The archive with one member's uncompressed size changed in its local header and
    in the central directory (its data and checksum left as they are)."""
    member = zipfile.ZipFile(io.BytesIO(data)).getinfo(name)
    buffer = bytearray(data)
    size = declared.to_bytes(4, "little")
    buffer[member.header_offset + 22 : member.header_offset + 26] = size
    position = buffer.find(b"PK\x01\x02")
    while position >= 0:
        length = int.from_bytes(buffer[position + 28 : position + 30], "little")
        if buffer[position + 46 : position + 46 + length] == name.encode():
            buffer[position + 24 : position + 28] = size
        position = buffer.find(b"PK\x01\x02", position + 4)
    return bytes(buffer)


def test_a_member_that_unpacks_larger_than_declared_is_refused(app, school):
    rows = [VALID_ROWS[0]] + [["123456", f"Z-{n}", "laptop"] for n in range(2000)]
    data = xlsx_bytes(rows)
    declared = 1000
    lying = lie_about_size(data, SHEET, declared)
    assert zipfile.ZipFile(io.BytesIO(lying)).getinfo(SHEET).file_size == declared
    assert file_error(lying, "gelogen.xlsx") == (
        "Die Arbeitsmappe wäre entpackt ungewöhnlich groß und wurde abgelehnt."
    )


def test_password_protected_ods_is_refused(app, school):
    data = ods_bytes(VALID_ROWS)
    manifest = zipfile.ZipFile(io.BytesIO(data)).read("META-INF/manifest.xml")
    encrypted = manifest.replace(
        b"</manifest:manifest>",
        b'<manifest:file-entry manifest:full-path="x"><manifest:encryption-data/>'
        b"</manifest:file-entry></manifest:manifest>",
    )
    data = rewrite_zip(data, replace={"META-INF/manifest.xml": encrypted})
    assert file_error(data, "geheim.ods") == (
        "Die Datei ist mit einem Kennwort geschützt. Bitte speichern Sie sie ohne Kennwort."
    )


# --------------------------------------------------------------------------- CSV


def test_a_late_nul_in_a_csv_is_a_clear_error_at_preview(app, school):
    lines = ["school_number;inventory_number;category"]
    lines += [f"123456;N-{n};laptop" for n in range(400)]
    text = "\r\n".join(lines).encode("cp1252")
    data = text[:6000] + b"\x00" + text[6000:]
    assert data.index(b"\x00") > 4096
    line = text[:6000].count(b"\n") + 1
    report = analyse("devices", data, "nul.csv")
    assert report.file_errors == [
        f"Die CSV-Datei enthält ein NUL-Zeichen (in Zeile {line}) und kann nicht gelesen "
        "werden. Bitte speichern Sie sie erneut als CSV."
    ]
    assert not import_file("devices", data, "nul.csv").written
    assert db.session.scalar(sa.select(sa.func.count(Device.id))) == 0


def test_read_sheets_raises_for_a_nul_in_a_csv(app):
    with app.test_request_context(), pytest.raises(ImportFileError):
        read_sheets(b"a;b\r\n1;2\x00\r\n", "x.csv", 10)
