"""Bad and hostile files get a clear German message and write nothing."""

import io
import zipfile

import pytest
import sqlalchemy as sa

from app.extensions import db
from inventory.importer import analyse, import_file
from inventory.models import Device
from tests.inventory.test_import_helpers import csv_bytes, xlsx_bytes

VALID_ROWS = [
    ["school_number", "inventory_number", "category"],
    ["123456", "F-1", "laptop"],
    ["123456", "F-2", "tablet"],
]

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">
<si><t>&lol9;</t></si></sst>"""


@pytest.fixture
def school(make_school):
    return make_school("123456")


def rewrite_zip(data: bytes, replace: dict[str, bytes] | None = None, add=None) -> bytes:
    """A copy of a workbook with members replaced or added."""
    replace = replace or {}
    source = zipfile.ZipFile(io.BytesIO(data))
    target_buffer = io.BytesIO()
    with zipfile.ZipFile(target_buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item.filename, replace.get(item.filename, source.read(item.filename)))
        for name, content in (add or {}).items():
            target.writestr(name, content)
    return target_buffer.getvalue()


def file_error(data: bytes, filename: str, kind: str = "devices") -> str:
    report = import_file(kind, data, filename)
    assert not report.written
    assert db.session.scalar(sa.select(sa.func.count(Device.id))) == 0
    assert len(report.file_errors) == 1, report.file_errors
    return report.file_errors[0]


def test_random_bytes_named_xlsx_are_not_a_workbook(app, school):
    message = file_error(b"\x13\x37" * 500, "geraete.xlsx")
    assert message == "Die Datei ist keine Excel-Arbeitsmappe (.xlsx)."


def test_old_xls_is_refused_by_name(app, school):
    assert ".xls-Dateien können nicht importiert werden" in file_error(b"abc", "alt.xls")


def test_old_xls_content_named_xlsx_is_refused(app, school):
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600
    assert "alte Excel-Datei (.xls)" in file_error(ole2, "umbenannt.xlsx")


def test_xlsm_is_refused_by_name_and_by_content(app, school):
    assert ".xlsm-Dateien" in file_error(xlsx_bytes(VALID_ROWS), "makro.xlsm")
    with_macros = rewrite_zip(xlsx_bytes(VALID_ROWS), add={"xl/vbaProject.bin": b"\0" * 100})
    assert "Makros" in file_error(with_macros, "getarnt.xlsx")


def test_other_file_types_are_refused(app, school):
    assert (
        "Excel-Arbeitsmappe (.xlsx), eine OpenDocument-Tabelle (.ods) oder eine CSV-Datei"
        in file_error(b"%PDF", "liste.pdf")
    )


def test_empty_file_is_refused(app, school):
    assert file_error(b"", "leer.xlsx") == "Die Datei ist leer."
    assert file_error(b"", "leer.csv") == "Die Datei ist leer."


def test_workbook_without_rows_is_refused(app, school):
    message = file_error(xlsx_bytes([VALID_ROWS[0]]), "kopf.xlsx")
    assert message == "Die Datei hat unter der Kopfzeile keine Datenzeilen."


def test_missing_required_column_is_named(app, school):
    rows = [["school_number", "inventory_number"], ["123456", "X-1"]]
    message = file_error(xlsx_bytes(rows), "ohne-kategorie.xlsx")
    assert message.startswith("Es fehlen Pflichtspalten:")
    assert "(category)" in message and "inventory_number" not in message


def test_more_rows_than_allowed_is_refused(make_app, make_school):
    app = make_app(IMPORT_MAX_ROWS=5)
    with app.app_context():
        make_school("123456")
        rows = [VALID_ROWS[0]] + [["123456", f"R-{i}", "laptop"] for i in range(6)]
        for data, name in ((xlsx_bytes(rows), "viel.xlsx"), (csv_bytes(rows), "viel.csv")):
            message = file_error(data, name)
            assert message.startswith("Die Datei hat mehr als 5 Zeilen.")
        assert import_file("devices", xlsx_bytes(rows[:6]), "genau.xlsx").written


def with_shared_strings(data: bytes, shared_strings: bytes) -> bytes:
    """The workbook with an xl/sharedStrings.xml part (openpyxl writes inline strings)."""
    types = zipfile.ZipFile(io.BytesIO(data)).read("[Content_Types].xml")
    override = (
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
    )
    return rewrite_zip(
        data,
        replace={"[Content_Types].xml": types.replace(b"</Types>", override)},
        add={"xl/sharedStrings.xml": shared_strings},
    )


def test_xml_bomb_in_shared_strings_is_refused(app, school):
    data = with_shared_strings(xlsx_bytes(VALID_ROWS), BILLION_LAUGHS)
    message = file_error(data, "bombe.xlsx")
    assert message == "Die Arbeitsmappe enthält unzulässiges XML und wurde abgelehnt."


def test_xml_bomb_in_a_worksheet_is_refused(app, school):
    sheet_bomb = BILLION_LAUGHS.replace(b"<sst", b"<worksheet").replace(b"</sst>", b"</worksheet>")
    data = rewrite_zip(xlsx_bytes(VALID_ROWS), replace={"xl/worksheets/sheet1.xml": sheet_bomb})
    message = file_error(data, "blatt-bombe.xlsx")
    assert message == "Die Arbeitsmappe enthält unzulässiges XML und wurde abgelehnt."


def test_zip_bomb_is_refused_before_unpacking(app, school):
    # 20 MB of zeros pack into a few KB: the declared size gives it away.
    data = rewrite_zip(xlsx_bytes(VALID_ROWS), add={"xl/media/image1.png": b"\0" * 20_000_000})
    assert len(data) < 100_000
    message = file_error(data, "zip-bombe.xlsx")
    assert message == "Die Arbeitsmappe wäre entpackt ungewöhnlich groß und wurde abgelehnt."


def test_declared_unpacked_size_is_limited(make_app, make_school):
    app = make_app(IMPORT_MAX_UNCOMPRESSED=2_000)
    with app.app_context():
        make_school("123456")
        message = file_error(xlsx_bytes(VALID_ROWS), "normal.xlsx")
        assert "ungewöhnlich groß" in message


def test_damaged_zip_without_workbook_is_refused(app, school):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    assert file_error(buffer.getvalue(), "zip.xlsx") == (
        "Die Datei ist keine Excel-Arbeitsmappe (.xlsx)."
    )


def test_binary_file_named_csv_is_refused(app, school):
    assert file_error(b"\0\1\2\3" * 100, "binär.csv") == "Die Datei ist keine CSV-Textdatei."


@pytest.mark.parametrize(
    ("delimiter", "encoding"),
    [(";", "utf-8-sig"), (";", "utf-8"), (",", "utf-8"), (";", "cp1252"), (",", "cp1252")],
)
def test_csv_delimiter_and_encoding_are_detected(app, school, delimiter, encoding):
    rows = [*VALID_ROWS, ["123456", "Ä-3", "Drucker"]]
    report = import_file("devices", csv_bytes(rows, delimiter, encoding), "liste.csv")
    assert report.written, report.errors + report.file_errors
    db.session.expire_all()
    printer = db.session.scalar(sa.select(Device).where(Device.inventory_number == "Ä-3"))
    assert printer.category == "printer"


def test_unknown_columns_are_ignored_and_listed(app, school):
    rows = [[*VALID_ROWS[0], "Bemerkung intern"], [*VALID_ROWS[1], "egal"]]
    report = analyse("devices", xlsx_bytes(rows), "extra.xlsx")
    assert report.ok
    assert report.ignored_columns == ["Bemerkung intern"]


def test_the_sheet_with_the_kinds_columns_is_chosen(app, school):
    data = xlsx_bytes(
        [["Hinweis"], ["Diese Mappe hat mehrere Blätter"]],
        title="Info",
        extra_sheets=[("Geräte", VALID_ROWS)],
    )
    report = analyse("devices", data, "mappe.xlsx")
    assert report.sheet == "Geräte" and report.counts["created"] == 2
