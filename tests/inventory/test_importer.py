"""The import service: parsing, validation, all-or-nothing, updates by key, scoping."""

import datetime as dt
import io
from decimal import Decimal

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.audit import AuditEntry
from app.extensions import db
from inventory.import_workbooks import errors_workbook
from inventory.importer import ImportRefusedError, ImportScope, analyse, apply, import_file
from inventory.models import Device, NetworkLink, Offering
from schools.models import School, Site
from tests.inventory.test_import_helpers import (
    csv_bytes,
    device_rows,
    german_headers,
    table,
    xlsx_bytes,
)

DEVICE_FIELDS = [
    "school_number",
    "inventory_number",
    "category",
    "manufacturer",
    "model",
    "status",
    "room",
    "purchase_date",
    "price",
]


def devices_count() -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count(Device.id)))


def device(number: str) -> Device:
    db.session.expire_all()
    return db.session.scalar(sa.select(Device).where(Device.inventory_number == number))


def audit_entries(object_type: str) -> list[AuditEntry]:
    return db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.object_type == object_type)
    ).all()


@pytest.fixture
def school(make_school):
    return make_school("123456")


def test_german_workbook_creates_devices_with_labels_dates_and_decimal_commas(app, school):
    rows = table(DEVICE_FIELDS, device_rows("123456", 3, price="1.299,00"), german=True)
    report = import_file("devices", xlsx_bytes(rows), "geraete.xlsx")

    assert report.ok and report.written
    assert report.counts == {"created": 3, "updated": 0, "unchanged": 0, "bad": 0}
    imported = device("IMP-000001")
    assert imported.school_id == school.id
    assert imported.category == "tablet"
    assert imported.status == "in_use"
    assert imported.purchase_date == dt.date(2024, 8, 26)
    assert imported.price == Decimal("1299.00")


def test_real_excel_dates_and_numbers_are_read(app, school):
    rows = [
        ["school_number", "inventory_number", "category", "purchase_date", "price", "status"],
        [123456, 4711, "laptop", dt.datetime(2023, 2, 1), 899.5, "spare"],
    ]
    report = import_file("devices", xlsx_bytes(rows), "zahlen.xlsx")

    assert report.ok, report.errors
    imported = device("4711")
    assert imported.purchase_date == dt.date(2023, 2, 1)
    assert imported.price == Decimal("899.50")
    assert imported.status == "spare"


def test_one_bad_row_is_reported_with_sheet_row_and_column_and_nothing_is_written(app, school):
    rows = list(device_rows("123456", 4))
    rows[1]["category"] = "Toaster"
    data = xlsx_bytes(table(DEVICE_FIELDS, rows, german=True))

    report = import_file("devices", data, "geraete.xlsx")

    assert not report.written
    assert devices_count() == 0
    [error] = report.errors
    assert (error.sheet, error.row, error.letter) == ("Geräte", 3, "C")
    assert error.column == german_headers("devices", ["category"])[0]
    assert "„Toaster“" in error.message and "Tablet" in error.message
    with pytest.raises(ImportRefusedError):
        apply(report)
    assert devices_count() == 0


def test_form_rules_apply_to_each_row(app, school):
    rows = list(device_rows("123456", 2))
    rows[0]["purchase_date"] = "2024-05-01"
    rows[0]["warranty_until"] = "2023-05-01"  # before the purchase: DeviceForm refuses it
    rows[1]["price"] = "-5"
    report = analyse(
        "devices", xlsx_bytes(table([*DEVICE_FIELDS, "warranty_until"], rows)), "a.xlsx"
    )

    messages = {(e.row, e.column): e.message for e in report.errors}
    assert (2, "warranty_until") in messages
    assert (3, "price") in messages
    assert report.counts["bad"] == 2


def test_only_valid_rows_imports_the_good_rows(app, school):
    rows = list(device_rows("123456", 3))
    rows[2]["purchase_date"] = "31.02.2024"
    data = xlsx_bytes(table(DEVICE_FIELDS, rows))

    report = import_file("devices", data, "a.xlsx", only_valid=True)

    assert report.written
    assert report.counts == {"created": 2, "updated": 0, "unchanged": 0, "bad": 1}
    assert "31.02.2024" in report.errors[0].message
    assert devices_count() == 2
    assert device("IMP-000002") is None


def test_rows_update_devices_by_inventory_number(app, school, make_device):
    existing = make_device(school, inventory_number="IMP-000000", category="laptop", room="B1")
    rows = list(device_rows("123456", 2))
    report = import_file("devices", xlsx_bytes(table(DEVICE_FIELDS, rows)), "a.xlsx")

    assert report.counts == {"created": 1, "updated": 1, "unchanged": 0, "bad": 0}
    updated = device("IMP-000000")
    assert updated.id == existing.id
    assert (updated.category, updated.room, updated.version) == ("tablet", "A0", 2)
    [update] = [e for e in audit_entries("devices") if e.action == "update"]
    assert update.object_id == "IMP-000000"
    assert update.changes["category"] == ["laptop", "tablet"]


def test_missing_optional_columns_keep_the_stored_values(app, school, make_device):
    make_device(school, inventory_number="K-1", category="laptop", room="B1", notes="bleibt")
    rows = [["inventory_number", "category", "school_number"], ["K-1", "Tablet", "123456"]]
    import_file("devices", xlsx_bytes(rows), "a.xlsx")

    updated = device("K-1")
    assert (updated.category, updated.room, updated.notes) == ("tablet", "B1", "bleibt")


def test_importing_the_same_file_twice_changes_nothing_the_second_time(app, school):
    data = xlsx_bytes(table(DEVICE_FIELDS, device_rows("123456", 5), german=True))
    import_file("devices", data, "a.xlsx")
    db.session.expire_all()
    versions = dict(db.session.execute(sa.select(Device.inventory_number, Device.version)).all())
    entries_before = db.session.scalar(sa.select(sa.func.count(AuditEntry.id)))

    second = import_file("devices", data, "a.xlsx")

    assert second.counts == {"created": 0, "updated": 0, "unchanged": 5, "bad": 0}
    db.session.expire_all()
    assert dict(db.session.execute(sa.select(Device.inventory_number, Device.version)).all()) == (
        versions
    )
    # only the import event itself is logged, no row changes
    new_entries = db.session.scalars(
        sa.select(AuditEntry).order_by(AuditEntry.id).offset(entries_before)
    ).all()
    assert [(e.action, e.object_type) for e in new_entries] == [("import", "imports")]


def test_duplicate_keys_in_the_file_name_both_rows(app, school):
    rows = list(device_rows("123456", 3))
    rows[2]["inventory_number"] = rows[0]["inventory_number"]
    report = analyse("devices", xlsx_bytes(table(DEVICE_FIELDS, rows)), "a.xlsx")

    bad_rows = sorted(e.row for e in report.errors)
    assert bad_rows == [2, 4]
    assert all("Zeilen 2 und 4" in e.message for e in report.errors)


def test_a_duplicate_key_keeps_both_rows_cells_for_the_errors_workbook(app, school):
    rows = list(device_rows("123456", 3))
    rows[2]["inventory_number"] = rows[0]["inventory_number"]
    data = xlsx_bytes(table(DEVICE_FIELDS, rows))
    report = analyse("devices", data, "a.xlsx")

    # a good row keeps no cells as read; the earlier row of the duplicate keeps them
    assert [row.values == () for row in report.rows] == [False, True, False]
    sheet = load_workbook(io.BytesIO(errors_workbook(report)), read_only=True).worksheets[0]
    written = [row[:2] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert written == [("123456", "IMP-000000"), ("123456", "IMP-000000")]


def test_the_import_is_logged_with_its_counts(app, school):
    import_file("devices", xlsx_bytes(table(DEVICE_FIELDS, device_rows("123456", 2))), "x.xlsx")

    [event] = audit_entries("imports")
    assert event.action == "import" and event.object_id == "x.xlsx"
    assert event.changes["kind"] == "devices"
    assert (event.changes["created"], event.changes["updated"]) == (2, 0)
    created = [e for e in audit_entries("devices") if e.action == "create"]
    assert sorted(e.object_id for e in created) == ["IMP-000000", "IMP-000001"]
    assert {e.school_number for e in created} == {"123456"}


def test_site_is_read_by_id_or_name_and_blank_is_the_main_site(app, school, make_site):
    annex = make_site(school, name="Nebenstelle Nord")
    rows = [
        ["school_number", "inventory_number", "category", "site"],
        ["123456", "S-1", "laptop", str(annex.id)],
        ["123456", "S-2", "laptop", "nebenstelle nord"],
        ["123456", "S-3", "laptop", ""],
        ["123456", "S-4", "laptop", "Turnhalle"],
        # look-alike digits and a number beyond any id are no site id
        [
            "123456",
            "S-5",
            "laptop",
            str(annex.id).translate(str.maketrans("0123456789", "０１２３４５６７８９")),
        ],
        ["123456", "S-6", "laptop", "9" * 30],
    ]
    report = analyse("devices", xlsx_bytes(rows), "a.xlsx")

    assert [(error.row, error.column) for error in report.errors] == [
        (5, "site"),
        (6, "site"),
        (7, "site"),
    ]
    assert "Turnhalle" in report.errors[0].message
    values = {row.number: row.new_values["site"] for row in report.rows if not row.errors}
    assert values == {2: annex.id, 3: annex.id, 4: school.main_site.id}


def test_csv_from_german_excel_is_read(app, school):
    header = german_headers(
        "links", ["school_number", "technology", "down_mbps", "up_mbps", "status", "planned_date"]
    )
    rows = [header, ["123456", "Glasfaser (FTTB/FTTH)", "1.000", "1.000", "Geplant", "01.08.2027"]]
    data = csv_bytes(rows, delimiter=";", encoding="cp1252")

    report = import_file("links", data, "Anbindungen.csv")

    assert report.ok, report.errors
    db.session.expire_all()
    link = db.session.scalar(sa.select(NetworkLink))
    assert (link.technology, link.down_mbps, link.status) == ("fibre", 1000, "planned")
    assert link.planned_date == dt.date(2027, 8, 1)


def test_csv_errors_name_the_file_as_sheet(app, school):
    rows = [["school_number", "inventory_number", "category"], ["123456", "C-1", "Kühlschrank"]]
    report = analyse("devices", csv_bytes(rows, delimiter=","), "Liste.csv")

    [error] = report.errors
    assert (error.sheet, error.row, error.letter, error.column) == (
        "Liste.csv",
        2,
        "C",
        "category",
    )
    assert "„Kühlschrank“" in error.message


def test_school_admin_cannot_import_rows_of_another_school(app, school, make_school, make_user):
    other = make_school("654321")
    admin = make_user("school_admin", schools=[school])
    rows = [
        ["school_number", "inventory_number", "category"],
        ["123456", "A-1", "laptop"],
        ["654321", "A-2", "laptop"],
        ["999999", "A-3", "laptop"],
    ]
    report = import_file("devices", xlsx_bytes(rows), "a.xlsx", ImportScope(user=admin))

    assert not report.written and devices_count() == 0
    messages = {e.row: e.message for e in report.errors}
    assert set(messages) == {3, 4}
    # the same words whether the school exists or not
    assert messages[3] == "Schule 654321 gehört nicht zu Ihren Schulen oder existiert nicht."
    assert messages[4] == "Schule 999999 gehört nicht zu Ihren Schulen oder existiert nicht."
    assert other.id is not None


def test_school_admin_cannot_update_another_schools_record_by_id(
    app, school, make_school, make_user, make_link
):
    other = make_school("654321")
    foreign = make_link(other, provider="Fremd")
    admin = make_user("school_admin", schools=[school])
    rows = [
        ["id", "school_number", "technology", "down_mbps", "up_mbps", "status"],
        [foreign.id, "123456", "fibre", 1000, 1000, "active"],
    ]
    report = import_file("links", xlsx_bytes(rows), "a.xlsx", ImportScope(user=admin))

    [error] = report.errors
    assert error.column == "id"
    assert "existiert nicht oder gehört nicht zu Ihren Schulen" in error.message
    db.session.expire_all()
    assert db.session.get(NetworkLink, foreign.id).provider == "Fremd"


def test_inventory_number_of_another_school_is_refused(app, school, make_school, make_device):
    make_device(make_school("654321"), inventory_number="TAKEN-1")
    rows = [["school_number", "inventory_number", "category"], ["123456", "TAKEN-1", "laptop"]]
    report = analyse("devices", xlsx_bytes(rows), "a.xlsx")

    [error] = report.errors
    assert "TAKEN-1" in error.message and "anderen Schule" in error.message


def test_only_the_department_may_import_schools(app, school, make_user):
    rows = [["school_number", "name", "school_form"], ["123456", "Neu", "gymnasium"]]
    admin = make_user("school_admin", schools=[school])
    report = import_file("schools", xlsx_bytes(rows), "s.xlsx", ImportScope(user=admin))
    assert report.file_errors == ["Schulen darf nur das Schulverwaltungsamt importieren."]

    department = make_user("department")
    report = import_file("schools", xlsx_bytes(rows), "s.xlsx", ImportScope(user=department))
    assert report.counts["updated"] == 1
    db.session.expire_all()
    assert db.session.get(School, school.id).name == "Neu"


def test_schools_import_creates_schools_with_their_main_site(app):
    rows = [
        german_headers(
            "schools",
            ["school_number", "name", "school_form", "learning_levels", "street", "postcode"],
        ),
        ["111111", "Neue Schule", "Gesamtschule", "Sekundarstufe I, sek2", "Weg 1", 44787],
    ]
    report = import_file("schools", xlsx_bytes(rows, title="Schulen"), "s.xlsx")

    assert report.ok, report.errors + report.file_errors
    db.session.expire_all()
    created = db.session.scalar(sa.select(School).where(School.school_number == "111111"))
    assert created.school_form == "gesamtschule"
    assert created.learning_levels == ["sek1", "sek2"]
    assert created.postcode == "44787"
    assert [(s.name, s.is_main) for s in created.sites] == [("Hauptstandort", True)]


def test_a_new_main_site_replaces_the_old_one(app, school):
    old_main = school.main_site
    rows = [
        ["school_number", "name", "is_main"],
        ["123456", "Neubau", "ja"],
    ]
    report = import_file("sites", xlsx_bytes(rows, title="Standorte"), "s.xlsx")

    assert report.ok, report.errors
    db.session.expire_all()
    sites = db.session.scalars(sa.select(Site).where(Site.school_id == school.id)).all()
    assert {(s.name, s.is_main) for s in sites} == {("Neubau", True), (old_main.name, False)}


def test_two_main_sites_in_a_file_are_an_error(app, school):
    rows = [["school_number", "name", "is_main"], ["123456", "A", "x"], ["123456", "B", "1"]]
    report = analyse("sites", xlsx_bytes(rows), "s.xlsx")
    assert sorted(e.row for e in report.errors) == [2, 3]


def test_links_without_id_are_not_created_twice(app, school):
    rows = [
        ["school_number", "technology", "down_mbps", "up_mbps", "status"],
        ["123456", "fibre", 1000, 1000, "active"],
        ["123456", "vdsl", 250, 40, "terminated"],
    ]
    data = xlsx_bytes(rows)
    assert import_file("links", data, "l.xlsx").counts["created"] == 2

    second = import_file("links", data, "l.xlsx")

    assert second.counts == {"created": 0, "updated": 0, "unchanged": 2, "bad": 0}
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(NetworkLink.id))) == 2


def test_offerings_update_by_id(app, school, make_offering):
    offering = make_offering(school, kind="lms", status="planned")
    rows = [
        german_headers("offerings", ["id", "school_number", "learning_level", "kind", "status"]),
        [offering.id, "123456", "Sekundarstufe I", "Lernplattform", "available"],
        ["", "123456", "sek2", "classroom_wifi", ""],
    ]
    report = import_file("offerings", xlsx_bytes(rows), "o.xlsx")

    assert report.counts == {"created": 1, "updated": 1, "unchanged": 0, "bad": 0}
    db.session.expire_all()
    assert db.session.get(Offering, offering.id).status == "available"
    new = db.session.scalar(sa.select(Offering).where(Offering.kind == "classroom_wifi"))
    assert new.status == "available"  # the form's default for a blank status


def test_dry_run_analysis_writes_nothing(app, school):
    data = xlsx_bytes(table(DEVICE_FIELDS, device_rows("123456", 3)))
    report = import_file("devices", data, "a.xlsx", dry_run=True)
    assert report.counts["created"] == 3 and not report.written
    assert devices_count() == 0
    assert audit_entries("imports") == []


def test_export_devices_sheet_reimports_unchanged(
    app, school, make_site, make_device, make_link, make_offering
):
    from reports.exports import write_workbook

    annex = make_site(school, name="Turnhalle")
    make_device(
        school,
        inventory_number="RT-1",
        category="interactive_display",
        manufacturer="Promethean",
        model='ActivPanel 75"',
        serial_number="=SUM(A1)",
        room="A 1.02",
        learning_level="sek1",
        purchase_date=dt.date(2022, 3, 4),
        price=Decimal("3499.99"),
        funding="digitalpakt",
        warranty_until=dt.date(2027, 3, 4),
        notes="mit Wandhalterung\nzweite Zeile",
    )
    make_device(school, inventory_number="RT-2", category="laptop", site=annex)
    make_device(school, inventory_number="RT-3", category="tablet", site=None)
    make_link(school, provider="Stadtwerke", planned_date=dt.date(2026, 1, 1))
    make_offering(school, description="Moodle")
    buffer = io.BytesIO()
    write_workbook(buffer)
    data = buffer.getvalue()
    db.session.expire_all()
    versions = dict(db.session.execute(sa.select(Device.inventory_number, Device.version)).all())

    for kind in ("devices", "links", "offerings", "sites", "schools"):
        report = import_file(kind, data, "export.xlsx")
        assert report.ok, (kind, report.errors, report.file_errors)
        assert report.counts["created"] == report.counts["updated"] == 0, (kind, report.counts)
        assert report.counts["unchanged"] > 0

    db.session.expire_all()
    assert dict(db.session.execute(sa.select(Device.inventory_number, Device.version)).all()) == (
        versions
    )


def test_statement_count_does_not_grow_per_row(app, school, count_queries):
    def statements(start: int, count: int) -> int:
        rows = table(DEVICE_FIELDS, device_rows("123456", count, start=start))
        data = xlsx_bytes(rows)
        with count_queries() as counter:
            report = import_file("devices", data, f"{count}.xlsx")
        assert report.written and report.counts["created"] == count
        return counter.count

    small = statements(0, 100)
    large = statements(100, 1000)
    assert large <= small + 2, (small, large)
    # a second import of the same rows (all unchanged) is as cheap
    rows = table(DEVICE_FIELDS, device_rows("123456", 1000, start=100))
    with count_queries() as counter:
        report = import_file("devices", xlsx_bytes(rows), "again.xlsx")
    assert report.counts["unchanged"] == 1000
    assert counter.count <= small + 2


def test_updates_are_written_in_bulk_with_versions_and_audit(app, school, count_queries):
    def file(model: str, count: int) -> bytes:
        return xlsx_bytes(table(DEVICE_FIELDS, device_rows("123456", count, model=model)))

    import_file("devices", file("alt", 1000), "a.xlsx")
    with count_queries() as small:
        report = import_file("devices", file("neu", 100), "b.xlsx")
    assert report.counts["updated"] == 100
    with count_queries() as large:
        report = import_file("devices", file("neuer", 1000), "c.xlsx")
    assert report.counts == {"created": 0, "updated": 1000, "unchanged": 0, "bad": 0}
    assert large.count <= small.count + 2, (small.count, large.count)

    changed = device("IMP-000050")
    assert (changed.model, changed.version) == ("neuer", 3)
    assert device("IMP-000500").version == 2
    entries = db.session.scalars(
        sa.select(AuditEntry)
        .where(AuditEntry.object_id == "IMP-000050", AuditEntry.action == "update")
        .order_by(AuditEntry.id)
    ).all()
    assert [e.changes for e in entries] == [
        {"model": ["alt", "neu"]},
        {"model": ["neu", "neuer"]},
    ]
    assert {e.school_number for e in entries} == {"123456"}


def test_a_record_changed_meanwhile_stops_the_whole_import(app, school, make_device):
    make_device(school, inventory_number="IMP-000000", model="alt")
    rows = table(DEVICE_FIELDS, device_rows("123456", 3))
    report = analyse("devices", xlsx_bytes(rows), "a.xlsx")
    assert report.counts["updated"] == 1
    # someone saves the device between the preview and the confirmation
    with db.engine.begin() as connection:
        connection.execute(
            sa.update(Device)
            .where(Device.inventory_number == "IMP-000000")
            .values(room="anders", version=Device.version + 1)
        )

    with pytest.raises(ImportRefusedError, match="inzwischen"):
        apply(report)

    assert devices_count() == 1
    assert device("IMP-000000").room == "anders"


def test_device_csv_from_german_excel_with_umlauts_and_decimal_commas(app, school):
    fields = ["inventory_number", "category", "manufacturer", "room", "price", "purchase_date"]
    rows = [
        german_headers("devices", fields),
        ["BÜ-001", "Dokumentenkamera", "Größenwahn GmbH", "Aula", "1.299,00", "01.09.2025"],
        ["BÜ-002", "Drucker", "Brother", "Sekretariat", "89,5", "1.9.25"],
    ]
    data = csv_bytes(rows, delimiter=";", encoding="cp1252")
    report = import_file("devices", data, "Geräte.csv", ImportScope(default_school="123456"))

    assert report.ok, report.errors + report.file_errors
    camera, printer = device("BÜ-001"), device("BÜ-002")
    assert (camera.category, camera.manufacturer) == ("document_camera", "Größenwahn GmbH")
    assert (camera.price, camera.purchase_date) == (Decimal("1299.00"), dt.date(2025, 9, 1))
    assert (printer.price, printer.purchase_date) == (Decimal("89.50"), dt.date(2025, 9, 1))


def test_sites_without_id_are_not_created_twice(app, school):
    rows = [["school_number", "name", "street"], ["123456", "Turnhalle", "Sportweg 2"]]
    assert import_file("sites", xlsx_bytes(rows), "s.xlsx").counts["created"] == 1
    again = import_file("sites", xlsx_bytes(rows), "s.xlsx")
    assert again.counts == {"created": 0, "updated": 0, "unchanged": 1, "bad": 0}
