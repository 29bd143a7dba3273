"""Helpers for the import tests: real .xlsx (openpyxl) and .csv (csv module) files.

(A module of helpers, named test_import_* so it stays with the import tests; it holds
no tests itself.)
"""

import csv
import datetime as dt
import io
import zipfile

from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import Table, TableCell, TableRow
from odf.text import P
from openpyxl import Workbook

from inventory.columns import header_labels


def xlsx_bytes(rows, title="Geräte", extra_sheets=()) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    for extra_title, extra_rows in extra_sheets:
        extra = workbook.create_sheet(extra_title)
        for row in extra_rows:
            extra.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _ods_cell(value) -> TableCell:
    if value is None:
        return TableCell()
    if isinstance(value, bool):
        cell = TableCell(valuetype="boolean", booleanvalue="true" if value else "false")
    elif isinstance(value, int | float):
        cell = TableCell(valuetype="float", value=repr(value))
    elif isinstance(value, dt.date):
        cell = TableCell(valuetype="date", datevalue=value.isoformat())
    else:
        cell = TableCell(valuetype="string")
    cell.addElement(P(text=str(value)))
    return cell


def ods_bytes(rows, title="Geräte", extra_rows_xml: str = "") -> bytes:
    """A real OpenDocument spreadsheet (odfpy), as LibreOffice users send them;
    extra_rows_xml is appended to the table as written (for hand-made hostile rows)."""
    document = OpenDocumentSpreadsheet()
    table = Table(name=title)
    for values in rows:
        row = TableRow()
        for value in values:
            row.addElement(_ods_cell(value))
        table.addElement(row)
    document.spreadsheet.addElement(table)
    buffer = io.BytesIO()
    document.write(buffer)
    data = buffer.getvalue()
    if not extra_rows_xml:
        return data
    source = zipfile.ZipFile(io.BytesIO(data))
    target = io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "content.xml":
                content = content.replace(
                    b"</table:table>", extra_rows_xml.encode() + b"</table:table>"
                )
            kind = zipfile.ZIP_STORED if item.filename == "mimetype" else zipfile.ZIP_DEFLATED
            archive.writestr(item.filename, content, kind)
    return target.getvalue()


def csv_bytes(rows, delimiter=";", encoding="utf-8-sig") -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if value is None else value for value in row])
    return buffer.getvalue().encode(encoding)


def german_headers(kind: str, fields: list[str]) -> list[str]:
    """The German header of each field code (as our templates write them)."""
    from inventory.columns import field_codes

    labels = dict(zip(field_codes(kind), header_labels(kind, "de"), strict=True))
    return [labels[field] for field in fields]


def device_rows(school_number: str, count: int, start: int = 0, **overrides):
    """Rows (as dicts) of valid devices for one school."""
    for number in range(start, start + count):
        row = {
            "school_number": school_number,
            "inventory_number": f"IMP-{number:06d}",
            "category": "Tablet",
            "manufacturer": "Apple",
            "model": "iPad 10",
            "status": "In Betrieb",
            "room": f"A{number % 40}",
            "purchase_date": "26.08.2024",
            "price": "429,00",
        }
        row.update(overrides)
        yield row


def table(fields: list[str], rows, german: bool = False, kind: str = "devices"):
    """Header row (field codes or German labels) and value rows for the given fields."""
    header = german_headers(kind, fields) if german else list(fields)
    return [header, *([row.get(field, "") for field in fields] for row in rows)]
