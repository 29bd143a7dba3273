"""The workbooks around an import: the empty template per kind and the bad rows to fix."""

import io
import re

from flask_babel import force_locale
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from inventory.columns import header_labels
from inventory.importer import ImportReport
from inventory.kinds import FILE_KINDS as KINDS

MIME_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEMPLATE_ROWS = 2000  # how far down the drop-downs reach
YES_NO = ("ja", "nein")
_UNWRITABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def _save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_workbook(kind: str) -> bytes:
    """German headers, a Codes sheet with the valid values, drop-downs on code columns;
    id, number and serial columns formatted as text (Excel keeps "004711"), dates as
    TT.MM.JJJJ. Everything about the columns is read from the registry of kinds."""
    spec = KINDS[kind]
    with force_locale("de"):
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = spec.sheet
        headers = header_labels(kind, "de")
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"

        code_sheet = workbook.create_sheet("Codes")
        code_sheet.append([_("Column"), _("Code"), _("Label")])
        for cell in code_sheet[1]:
            cell.font = Font(bold=True)
        code_sheet.column_dimensions["A"].width = 28
        code_sheet.column_dimensions["B"].width = 22
        code_sheet.column_dimensions["C"].width = 36

        for index, (field, header) in enumerate(zip(spec.fields, headers, strict=True)):
            letter = get_column_letter(index + 1)
            column = sheet.column_dimensions[letter]
            column.width = max(field.width, len(header) + 4)
            if field.text_cell:
                column.number_format = "@"
            elif field.type == "date":
                column.number_format = "DD.MM.YYYY"
            if field.type == "bool":
                values = list(YES_NO)
                for value in values:
                    code_sheet.append([header, value, value])
            elif field.vocabulary is not None:
                values = [str(label) for label in field.vocabulary.values()]
                for value, label in field.vocabulary.items():
                    code_sheet.append([header, value, str(label)])
            else:
                continue
            if field.type == "codes":
                continue  # a list of several values: no drop-down
            first = code_sheet.max_row - len(values) + 1
            validation = DataValidation(
                type="list",
                formula1=f"=Codes!$C${first}:$C${code_sheet.max_row}",
                allow_blank=True,
                showErrorMessage=True,
                errorTitle=_("Invalid value"),
                error=_("Please choose a value from the list (sheet Codes)."),
            )
            validation.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
            sheet.add_data_validation(validation)
        return _save(workbook)


def errors_workbook(report: ImportReport) -> bytes:
    """The bad rows as read, with an extra column Fehler naming the row and what is wrong."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(re.sub(r"[\[\]:*?/\\]", "_", report.sheet)[:31] or "Fehler")
    sheet.append([*(_as_cell(sheet, header) for header in report.headers), _("Errors")])
    width = len(report.headers)
    for row in report.rows:
        if not row.errors:
            continue
        values = list(row.values[:width]) + [None] * max(0, width - len(row.values))
        problems = "; ".join(
            f"{error.letter} ({error.column}): {error.message}" if error.column else error.message
            for error in row.errors
        )
        message = _("Row %(row)s: %(problems)s", row=row.number, problems=problems)
        sheet.append([*(_as_cell(sheet, value) for value in values), _as_cell(sheet, message)])
    return _save(workbook)


def _as_cell(sheet, value):
    """User text stays text: never a formula, no control characters."""
    if not isinstance(value, str):
        return value
    cell = WriteOnlyCell(sheet, _UNWRITABLE.sub("", value))
    cell.data_type = "s"
    return cell
