"""Browser, at 390 px: a school admin takes stock of a room on the phone page, typing the
numbers as a keyboard scanner does (number, Enter), confirms, and the missing and moved
devices are as expected; the same page works without JavaScript."""

import datetime as dt
import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.extensions import db
from inventory.models import Device
from tests.browser.conftest import TIMEOUT_MS, sign_in

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def school(make_school, make_school_year, make_device):
    make_school_year(2026, dt.date(2026, 8, 26))
    school = make_school(name="Lessing-Gymnasium")
    for number, room in [("LG-1", "A 101"), ("LG-2", "A 101"), ("LG-3", "A 101"), ("LG-4", "B 2")]:
        make_device(school, inventory_number=number, room=room)
    return school


def _devices() -> dict:
    db.session.expire_all()
    rows = db.session.execute(sa.select(Device.inventory_number, Device.room, Device.status))
    return {number: (room, status) for number, room, status in rows}


def _scan(page, number: str, expected: str) -> None:
    field = page.get_by_label("Inventarnummer")
    expect(field).to_be_focused()
    page.keyboard.type(number)
    page.keyboard.press("Enter")
    expect(page.locator("#scan-result")).to_have_text(expected)


def _start(page, live_server, school, room: str) -> None:
    page.goto(f"{live_server}/schools/{school.school_number}/stock-takes/")
    page.get_by_label("Raum (leer lassen für den ganzen Standort)").fill(room)
    page.get_by_role("button", name="Beginnen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Inventur: Hauptstandort, Raum {room}"
    )


@pytest.mark.browser
def test_school_admin_takes_stock_of_a_room_on_the_phone(
    page, live_server, school, make_school, make_device, make_user
):
    other = make_school(name="Andere Schule")
    make_device(other, inventory_number="FREMD-7", room="A 101")
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, make_user("school_admin", schools=[school]))
    _start(page, live_server, school, "A 101")

    result = page.locator("#scan-result")
    expect(result).to_have_attribute("aria-live", "polite")
    _scan(page, "LG-1", "LG-1: gefunden (Laptop).")
    _scan(page, "LG-4", "LG-4: gefunden, aber anderswo erfasst: Hauptstandort, Raum B 2.")
    _scan(page, "FREMD-7", "FREMD-7: unbekannt – keine Inventarnummer dieser Schule.")
    _scan(page, "LG-1", "LG-1: schon erfasst.")
    # a label's QR code read by a scanner types the device URL
    _scan(page, f"{live_server}/devices/LG-2", "LG-2: gefunden (Laptop).")
    expect(page.locator("#scan-count")).to_have_text("4")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.get_by_role("link", name="Ergebnis und Bestätigung").click()
    expect(page.locator("#found")).to_contain_text("LG-1")
    expect(page.locator("#found")).to_contain_text("LG-2")
    expect(page.locator("#missing")).to_have_text(re.compile(r"^\s*LG-3"))
    expect(page.locator("#moved")).to_contain_text("LG-4")
    expect(page.locator("#unknown")).to_have_text("FREMD-7")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.get_by_label("Die nicht gefundenen Geräte als „vermisst“ kennzeichnen").check()
    page.get_by_role("button", name="Bestätigen").click()
    expect(page.get_by_role("status").first).to_have_text(
        "Die Inventur ist bestätigt: 2 gefunden, 1 vermisst, 1 anderswo gefunden, 1 unbekannt."
    )
    expect(page.locator("#figure-missing")).to_have_text("1")

    devices = _devices()
    assert devices["LG-3"] == ("A 101", "missing")
    assert devices["LG-4"] == ("A 101", "in_use")  # moved into the room counted
    assert devices["LG-1"] == devices["LG-2"] == ("A 101", "in_use")
    assert devices["FREMD-7"] == ("A 101", "in_use")  # the other school's device is untouched


@pytest.mark.browser
def test_the_scan_page_works_without_javascript(browser, live_server, school, make_user):
    context = browser.new_context(locale="de-DE", viewport=PHONE, java_script_enabled=False)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        sign_in(page, live_server, make_user("school_admin", schools=[school]))
        _start(page, live_server, school, "A 101")
        page.get_by_label("Inventarnummer").fill("LG-3")
        with page.expect_navigation():
            page.get_by_label("Inventarnummer").press("Enter")
        expect(page.locator("#scan-result")).to_have_text("LG-3: gefunden (Laptop).")
        expect(page.get_by_label("Inventarnummer")).to_have_value("")
        page.get_by_role("link", name="Ergebnis und Bestätigung").click()
        page.get_by_role("button", name="Bestätigen").click()
        expect(page.locator("#figure-found")).to_have_text("1")
        expect(page.locator("#figure-missing")).to_have_text("2")
    finally:
        context.close()
    assert _devices()["LG-1"] == ("A 101", "in_use")  # not marked: the box was left unticked
