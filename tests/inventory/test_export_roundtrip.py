"""Export -> import of the whole demo city: the department workbook's record sheets, as
they are (.xlsx), saved as German CSV by Excel (cp1252, ";", decimal comma, TT.MM.JJJJ)
and saved as .ods by LibreOffice (typed cells), import with nothing created or changed,
and no record's version moves."""

import datetime as dt
import io
import itertools

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.audit import acting_as
from app.demo import seed_demo
from app.extensions import db
from inventory.importer import import_file
from inventory.models import Device, NetworkLink, Offering
from reports.exports import (
    SHEET_DEVICES,
    SHEET_LINKS,
    SHEET_OFFERINGS,
    SHEET_SCHOOLS,
    SHEET_SITES,
    write_workbook,
)
from schools.models import School, Site
from tests.inventory.test_import_helpers import csv_bytes, ods_bytes

CHANNELS = ("xlsx", "csv", "ods")
SHEETS = {
    "schools": (SHEET_SCHOOLS, School),
    "sites": (SHEET_SITES, Site),
    "devices": (SHEET_DEVICES, Device),
    "links": (SHEET_LINKS, NetworkLink),
    "offerings": (SHEET_OFFERINGS, Offering),
}


@pytest.fixture
def exported(app):
    """The demo city and its department workbook."""
    with acting_as("test"):
        seed_demo()
    buffer = io.BytesIO()
    write_workbook(buffer)
    return buffer.getvalue()


def _versions() -> dict:
    return {
        kind: dict(db.session.execute(sa.select(model.id, model.version)).all())
        for kind, (_sheet, model) in SHEETS.items()
        if hasattr(model, "version")
    }


def _sheet_cells(data: bytes, title: str) -> list[list]:
    """(value, number format) of every cell."""
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    try:
        return [
            [(cell.value, cell.number_format) for cell in row]
            for row in workbook[title].iter_rows()
        ]
    finally:
        workbook.close()


def _german_csv_cell(value, number_format: str = "General") -> str:
    """A cell as German Excel writes it into a CSV (what the user sees in the cell: a
    number with as many decimals as its format shows, e.g. 1.299,50 or 51,481845)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time():
            return value.strftime("%d.%m.%Y")
        return value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, float):
        places = len(number_format.split(".")[1].split(" ")[0]) if "." in number_format else 2
        return f"{value:,.{places}f}".replace(",", "_").replace(".", ",").replace("_", ".")
    return str(value)


def _ods_cell(value):
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date()  # LibreOffice keeps a date cell a date
    return value


def _encode(channel: str, rows: list[list], title: str) -> bytes:
    if channel == "xlsx":
        raise AssertionError("the workbook is imported as exported")
    if channel == "csv":
        text_rows = [[_german_csv_cell(*cell) for cell in row] for row in rows]
        return csv_bytes(text_rows, delimiter=";", encoding="cp1252")
    return ods_bytes([[_ods_cell(value) for value, _format in row] for row in rows], title=title)


def test_the_exported_demo_city_reimports_with_nothing_changed(exported):
    before = _versions()
    assert sum(len(ids) for ids in before.values()) > 500  # the whole demo city, not a sample
    for channel, (kind, (title, _model)) in itertools.product(CHANNELS, SHEETS.items()):
        if channel == "xlsx":
            data, filename = exported, "export.xlsx"
        else:
            data = _encode(channel, _sheet_cells(exported, title), title)
            filename = f"{kind}.{channel}"
        report = import_file(kind, data, filename)
        assert report.ok, (channel, kind, [str(e) for e in report.errors[:5]], report.file_errors)
        counts = report.counts
        assert counts["created"] == counts["updated"] == counts["bad"] == 0, (channel, kind, counts)
        assert counts["unchanged"] == len(before.get(kind) or [None] * counts["unchanged"])
    db.session.expire_all()
    assert _versions() == before
