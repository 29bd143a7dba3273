"""Browser: a school admin adds a device through the form, finds it in the list, and a
second device with the same inventory number is refused with the German error at the field."""

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.extensions import db
from inventory.models import Device
from tests.browser.conftest import sign_in


@pytest.mark.browser
def test_sign_in_reaches_the_dashboard(page, live_server, make_school, make_user):
    user = make_user("school_admin", schools=[make_school()])
    sign_in(page, live_server, user)
    assert page.url.rstrip("/") == live_server


@pytest.mark.browser
def test_school_admin_adds_device_and_duplicate_is_refused(
    page, live_server, make_school, make_user
):
    school = make_school(name="Goethe-Schule")
    user = make_user("school_admin", schools=[school])
    sign_in(page, live_server, user)

    page.goto(f"{live_server}/schools/{school.school_number}/devices/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Geräte")
    expect(page.get_by_text("Für diese Schule sind noch keine Geräte erfasst.")).to_be_visible()

    page.get_by_role("link", name="Gerät hinzufügen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gerät hinzufügen")
    page.get_by_label("Inventarnummer").fill("BO-GOE-0001")
    page.get_by_label("Kategorie").select_option(label="Tablet")
    page.get_by_label("Hersteller").fill("Apple")
    page.get_by_label("Modell").fill("iPad 10")
    page.get_by_label("Raum").fill("A 104")
    page.get_by_label("Preis (EUR)").fill("1.299,00")
    page.get_by_label("Kaufdatum").fill("2025-08-01")
    page.get_by_role("button", name="Speichern").click()

    expect(page).to_have_url(re.compile(rf"/schools/{school.school_number}/devices/$"))
    expect(page.get_by_role("status")).to_have_text("Gerät BO-GOE-0001 wurde hinzugefügt.")
    row = page.get_by_role("row").filter(has_text="BO-GOE-0001")
    expect(row).to_contain_text("Tablet")
    expect(row).to_contain_text("Apple iPad 10")
    expect(row).to_contain_text("Hauptstandort")
    expect(row).to_contain_text("1.299,00\u00a0€")
    expect(page.get_by_text("Gefundene Geräte: 1")).to_be_visible()

    # The same inventory number a second time: the error sits at the field, nothing is saved.
    page.get_by_role("link", name="Gerät hinzufügen").click()
    page.get_by_label("Inventarnummer").fill("BO-GOE-0001")
    page.get_by_label("Kategorie").select_option(label="Laptop")
    page.get_by_role("button", name="Speichern").click()
    error = page.locator("#inventory_number-error")
    expect(error).to_have_text("Ein Gerät mit dieser Inventarnummer gibt es bereits.")
    expect(page.get_by_label("Inventarnummer")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Kategorie")).to_have_value("laptop")  # the input is kept

    db.session.expire_all()
    assert db.session.scalars(sa.select(Device.category)).all() == ["tablet"]
