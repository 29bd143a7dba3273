"""flask import KIND FILE [--school N] [--dry-run]."""

import pytest
import sqlalchemy as sa

from app.audit import AuditEntry
from app.extensions import db
from inventory.models import Device
from tests.inventory.test_import_helpers import csv_bytes, german_headers, xlsx_bytes


@pytest.fixture
def school(make_school):
    return make_school("123456")


def count_devices() -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count(Device.id)))


def write(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_import_writes_the_file_and_logs_the_cli_as_actor(runner, school, tmp_path):
    rows = [
        ["school_number", "inventory_number", "category"],
        ["123456", "CLI-1", "laptop"],
        ["123456", "CLI-2", "Tablet"],
    ]
    result = runner.invoke(args=["import", "devices", write(tmp_path, "g.xlsx", xlsx_bytes(rows))])

    assert result.exit_code == 0, result.output
    assert "2 neu, 0 geändert, 0 unverändert, 0 fehlerhaft" in result.output
    assert count_devices() == 2
    stmt = sa.select(AuditEntry.actor).where(AuditEntry.object_type.in_(["devices", "imports"]))
    actors = db.session.scalars(stmt).all()
    assert len(actors) == 3 and set(actors) == {"cli"}


def test_bad_rows_are_printed_and_nothing_is_written(runner, school, tmp_path):
    header = german_headers("devices", ["school_number", "inventory_number", "category"])
    rows = [header, ["123456", "CLI-1", "laptop"], ["123456", "CLI-2", "Waschmaschine"]]
    result = runner.invoke(args=["import", "devices", write(tmp_path, "g.xlsx", xlsx_bytes(rows))])

    assert result.exit_code == 1
    assert f"Geräte, 3, C ({header[2]}): „Waschmaschine“ ist kein gültiger Wert." in result.output
    assert "Es wurde nichts importiert." in result.output
    assert count_devices() == 0


def test_dry_run_reports_and_writes_nothing(runner, school, tmp_path):
    rows = [["school_number", "inventory_number", "category"], ["123456", "CLI-1", "laptop"]]
    path = write(tmp_path, "g.csv", csv_bytes(rows))
    entries = db.session.scalar(sa.select(sa.func.count(AuditEntry.id)))
    result = runner.invoke(args=["import", "devices", path, "--dry-run"])

    assert result.exit_code == 0, result.output
    assert "1 neu" in result.output and "Probelauf" in result.output
    assert count_devices() == 0
    assert db.session.scalar(sa.select(sa.func.count(AuditEntry.id))) == entries


def test_school_option_fills_and_restricts_the_school(runner, school, make_school, tmp_path):
    make_school("654321")
    rows = [
        ["school_number", "inventory_number", "category"],
        ["", "CLI-1", "laptop"],
        ["654321", "CLI-2", "laptop"],
    ]
    path = write(tmp_path, "g.xlsx", xlsx_bytes(rows))
    result = runner.invoke(args=["import", "devices", path, "--school", "123456"])

    assert result.exit_code == 1
    assert "Geräte, 3, A (school_number): Die Zeile gehört zu Schule 654321" in result.output
    assert "Geräte, 2" not in result.output

    rows.pop()
    path = write(tmp_path, "g2.xlsx", xlsx_bytes(rows))
    result = runner.invoke(args=["import", "devices", path, "--school", "123456"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    device = db.session.scalar(sa.select(Device))
    assert device.school_id == school.id


def test_unknown_school_option_and_missing_file_fail(runner, school, tmp_path):
    result = runner.invoke(args=["import", "devices", str(tmp_path / "fehlt.xlsx")])
    assert result.exit_code == 1 and "gibt es nicht" in result.output
    path = write(tmp_path, "g.xlsx", xlsx_bytes([["inventory_number", "category"]]))
    result = runner.invoke(args=["import", "devices", path, "--school", "999999"])
    assert result.exit_code == 1 and "Es gibt keine Schule 999999." in result.output


def test_bad_file_is_named_with_a_german_message(runner, school, tmp_path):
    result = runner.invoke(args=["import", "devices", write(tmp_path, "x.xlsx", b"kaputt")])
    assert result.exit_code == 1
    assert "x.xlsx: Die Datei ist keine Excel-Arbeitsmappe (.xlsx)." in result.output


def test_file_over_the_size_limit_is_refused(make_app, make_school, tmp_path):
    app = make_app(MAX_CONTENT_LENGTH=1_000)
    with app.app_context():
        make_school("123456")
        path = write(tmp_path, "gross.csv", b"inventory_number;category\n" + b"X;laptop\n" * 200)
        result = app.test_cli_runner().invoke(args=["import", "devices", path])
        assert result.exit_code == 1
        assert "Die Datei ist zu groß" in result.output
