"""Browser: a school admin uploads a device list with one bad row, sees the row in the
preview, fixes the file, uploads it again, confirms, and finds the devices in the list."""

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.extensions import db
from inventory.models import Device
from tests.browser.conftest import sign_in
from tests.inventory.test_import_helpers import german_headers, xlsx_bytes

FIELDS = ["inventory_number", "category", "manufacturer", "model", "room", "price"]


def device_workbook(category_of_second: str) -> bytes:
    return xlsx_bytes(
        [
            german_headers("devices", FIELDS),
            ["BO-IMP-0001", "Laptop", "Lenovo", "ThinkPad E14", "A 101", "899,00"],
            ["BO-IMP-0002", category_of_second, "Apple", "iPad 10", "A 102", "429,00"],
            ["BO-IMP-0003", "Drucker", "Brother", "HL-L5100", "Sekretariat", ""],
        ]
    )


@pytest.mark.browser
def test_school_admin_fixes_a_bad_row_and_imports_devices(
    page, live_server, make_school, make_user, tmp_path
):
    school = make_school(name="Goethe-Schule")
    user = make_user("school_admin", schools=[school])
    sign_in(page, live_server, user)

    bad_file = tmp_path / "geraete.xlsx"
    bad_file.write_bytes(device_workbook("Tablett"))
    page.goto(f"{live_server}/imports/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Import aus Excel oder CSV")
    page.get_by_label("Was wird importiert?").select_option("devices")
    page.get_by_label("Datei (.xlsx oder .csv)").set_input_files(str(bad_file))
    page.get_by_role("button", name="Hochladen und prüfen").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Importvorschau")
    expect(page.locator("[data-count=created]")).to_have_text("2")
    expect(page.locator("[data-count=bad]")).to_have_text("1")
    error_row = page.locator("#import-errors tbody tr")
    expect(error_row).to_have_count(1)
    expect(error_row).to_contain_text("Geräte")
    expect(error_row).to_contain_text("3")
    expect(error_row).to_contain_text("„Tablett“ ist kein gültiger Wert.")
    expect(page.get_by_role("button", name="Importieren", exact=True)).to_have_count(0)

    # fix the file and upload it again
    fixed_file = tmp_path / "geraete-korrigiert.xlsx"
    fixed_file.write_bytes(device_workbook("Tablet"))
    page.get_by_role("link", name="Andere Datei hochladen").click()
    expect(page.get_by_label("Was wird importiert?")).to_have_value("devices")
    page.get_by_label("Datei (.xlsx oder .csv)").set_input_files(str(fixed_file))
    page.get_by_role("button", name="Hochladen und prüfen").click()

    expect(page.locator("[data-count=created]")).to_have_text("3")
    expect(page.locator("[data-count=bad]")).to_have_text("0")
    expect(page.locator("#import-errors")).to_have_count(0)
    page.get_by_role("button", name="Importieren", exact=True).click()

    expect(page).to_have_url(re.compile(rf"/schools/{school.school_number}/devices/$"))
    expect(page.get_by_role("status")).to_contain_text("3 neu")
    for number, text in (
        ("BO-IMP-0001", "ThinkPad E14"),
        ("BO-IMP-0002", "iPad 10"),
        ("BO-IMP-0003", "HL-L5100"),
    ):
        expect(page.get_by_role("row").filter(has_text=number)).to_contain_text(text)
    with db.engine.connect() as connection:
        stored = connection.scalar(
            sa.select(sa.func.count(Device.id)).where(Device.school_id == school.id)
        )
    assert stored == 3
