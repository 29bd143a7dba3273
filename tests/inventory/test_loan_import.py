"""The "Leihen" sheet: the export writes the loans (re-importable), the import creates and
changes loans through the loan service, and refuses a whole file with a pupil column or a
broken rule (sheet, row and column named, nothing written)."""

import datetime as dt
import io

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.extensions import db
from app.saving import saving
from inventory import loan_service as loans
from inventory.columns import header_labels
from inventory.importer import ImportScope, import_file
from inventory.loan_models import Loan
from reports.exports import write_workbook
from tests.inventory.test_import_helpers import xlsx_bytes


@pytest.fixture(autouse=True)
def _request(app):
    with app.test_request_context():
        yield


@pytest.fixture
def school(make_school, make_school_year):
    make_school_year(2026, dt.date(2026, 9, 2))
    make_school_year(2027, dt.date(2027, 9, 1))
    return make_school(school_number="654320")


def _count() -> int:
    return db.session.scalar(sa.select(sa.func.count(Loan.id)))


def _import(rows, school, **scope):
    scope = ImportScope(default_school=school.school_number, **scope)
    return import_file("loans", xlsx_bytes(rows, title="Leihen"), "leihen.xlsx", scope)


HEADER = ["Inventarnummer", "Leihvertragsnummer", "Ausgegeben am", "Zustand bei Ausgabe"]


def test_the_import_creates_loans_through_the_service(school, make_device):
    make_device(school, inventory_number="L-1")
    make_device(school, inventory_number="L-2")
    rows = [HEADER, ["L-1", "LV-1", "01.10.2026", "neu"], ["L-2", "LV-2", dt.date(2026, 10, 2), ""]]
    report = _import(rows, school)
    assert report.ok and report.written, [str(e) for e in report.errors] + report.file_errors
    stored = db.session.scalars(sa.select(Loan).order_by(Loan.id)).all()
    assert [(loan.loan_number, loan.due_on) for loan in stored] == [
        ("LV-1", dt.date(2027, 7, 16)),
        ("LV-2", dt.date(2027, 7, 16)),
    ]


def test_a_pupil_column_refuses_the_whole_file(school, make_device):
    make_device(school, inventory_number="L-1")
    rows = [[*HEADER, "Name des Schülers"], ["L-1", "LV-1", "01.10.2026", "neu", "Max"]]
    report = _import(rows, school)
    assert not report.written and any("Name des Schülers" in e for e in report.file_errors)
    rows = [[*HEADER, "pupil_name"], ["L-1", "LV-1", "01.10.2026", "neu", "Max"]]
    assert not _import(rows, school).written
    assert _count() == 0


def test_bad_rows_are_named_and_nothing_is_written(school, make_school, make_device):
    make_device(school, inventory_number="L-1")
    make_device(school, inventory_number="L-2")
    make_device(make_school(), inventory_number="OTHER-1")
    rows = [
        HEADER,
        ["L-1", "LV-1", "01.10.2026", ""],
        ["OTHER-1", "LV-2", "01.10.2026", ""],
        ["L-1", "LV-3", "01.10.2026", ""],
    ]
    report = _import(rows, school)
    assert not report.written and _count() == 0
    errors = {(e.row, e.letter) for e in report.errors}
    assert errors == {(3, "A"), (4, "A")}  # the second lending of L-1 is the bad one
    unknown = [e for e in report.errors if e.row == 3][0]
    assert unknown.message == str(loans.UNKNOWN_DEVICE)


def test_the_export_sheet_reimports_unchanged(school, make_device):
    make_device(school, inventory_number="L-1")
    make_device(school, inventory_number="L-2")
    with saving():
        loans.issue(
            school,
            {"inventory_number": "L-1", "loan_number": "LV-1", "issued_on": dt.date(2026, 10, 1)},
        )
        back = loans.issue(
            school,
            {"inventory_number": "L-2", "loan_number": "LV-2", "issued_on": dt.date(2026, 10, 1)},
        )
        loans.return_loan(
            back, {"returned_on": dt.date(2026, 12, 1), "condition_in": "Riss", "damaged": True}
        )
    buffer = io.BytesIO()
    write_workbook(buffer, school_ids=[school.id])
    sheet = load_workbook(io.BytesIO(buffer.getvalue()))["Leihen"]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == header_labels("loans", "de")
    assert [row[3] for row in rows[1:]] == ["LV-1", "LV-2"]
    assert rows[2][-1] is True and rows[2][-2] == "Riss"
    versions = dict(db.session.execute(sa.select(Loan.id, Loan.version)).all())
    report = import_file("loans", buffer.getvalue(), "export.xlsx", ImportScope())
    assert report.ok and report.counts["unchanged"] == 2, [str(e) for e in report.errors]
    assert dict(db.session.execute(sa.select(Loan.id, Loan.version)).all()) == versions
