"""Browser, at 390 px: a school admin issues devices on the phone page by typing their
numbers (as a keyboard scanner does: number, Enter), then takes them back with a
condition and a damage; another school's number is unknown. The page works without
JavaScript too."""

import datetime as dt

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.extensions import db
from inventory.loan_models import Loan
from schools.school_years import today_in_berlin
from tests.browser.conftest import TIMEOUT_MS, sign_in

PHONE = {"width": 390, "height": 844}
TODAY = today_in_berlin()


@pytest.fixture
def school(make_school, make_school_year, make_device):
    make_school_year(TODAY.year, TODAY + dt.timedelta(days=200))
    school = make_school(name="Lessing-Gymnasium")
    for number in ("LG-1", "LG-2", "LG-3"):
        make_device(school, inventory_number=number, use="pupil_loan")
    return school


def _loans() -> dict:
    db.session.expire_all()
    rows = db.session.scalars(sa.select(Loan).order_by(Loan.id))
    return {
        loan.device.inventory_number: (
            loan.loan_number,
            loan.is_open,
            loan.condition_in,
            loan.damaged,
        )
        for loan in rows
    }


def _scan(page, number: str, expected: str) -> None:
    field = page.get_by_label("Inventarnummer")
    expect(field).to_be_focused()
    page.keyboard.type(number)
    page.keyboard.press("Enter")
    expect(page.locator("#scan-result")).to_have_text(expected)


@pytest.mark.browser
def test_school_admin_issues_and_takes_back_by_typing_numbers(
    page, live_server, school, make_school, make_device, make_user
):
    other = make_school(name="Andere Schule")
    make_device(other, inventory_number="FREMD-7")
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, make_user("school_admin", schools=[school]))
    page.goto(f"{live_server}/schools/{school.school_number}/loans/")
    page.get_by_role("link", name="Geräte ausgeben").first.click()
    page.get_by_label("Leihvertragsnummer").fill("LV-2026-17")
    page.get_by_label("Zustand bei Ausgabe").fill("neu, mit Hülle")
    page.get_by_label("Inventarnummer").focus()
    due = page.get_by_label("Fällig am")
    expect(due).to_have_value("")
    _scan(page, "LG-1", re_due("LG-1"))
    _scan(page, "LG-2", re_due("LG-2"))
    _scan(page, "FREMD-7", "FREMD-7: Unbekannt – keine Inventarnummer dieser Schule.")
    page.keyboard.type("LG-1")
    page.keyboard.press("Enter")
    expect(page.locator("#scan-result")).to_contain_text("LG-1: bereits verliehen")
    expect(page.locator("#scan-count")).to_have_text("2")
    expect(page.get_by_label("Leihvertragsnummer")).to_have_value("LV-2026-17")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.get_by_role("link", name="Geräte zurücknehmen").click()
    page.get_by_label("Zustand bei Rückgabe").fill("Display gesprungen")
    page.get_by_label("Beschädigt zurück").check()
    page.get_by_label("Inventarnummer").focus()
    _scan(page, "LG-2", "LG-2: zurück (Laptop), als beschädigt erfasst.")
    # the condition and the damage held for that one number only
    expect(page.get_by_label("Zustand bei Rückgabe")).to_have_value("")
    expect(page.get_by_label("Beschädigt zurück")).not_to_be_checked()
    _scan(page, "LG-3", "LG-3: nicht verliehen.")
    _scan(page, "FREMD-7", "FREMD-7: Unbekannt – keine Inventarnummer dieser Schule.")
    expect(page.locator("#scan-count")).to_have_text("1")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.get_by_role("link", name="Alle Leihen").click()
    expect(page.locator("#damaged-title")).to_have_text("Beschädigt zurück (1)")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert _loans() == {
        "LG-1": ("LV-2026-17", True, "", False),
        "LG-2": ("LV-2026-17", False, "Display gesprungen", True),
    }


def re_due(number: str):
    import re

    return re.compile(rf"{number}: verliehen \(Laptop\), fällig am \d\d\.\d\d\.\d{{4}}\.")


@pytest.mark.browser
def test_the_loan_page_works_without_javascript(browser, live_server, school, make_user):
    context = browser.new_context(locale="de-DE", viewport=PHONE, java_script_enabled=False)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        sign_in(page, live_server, make_user("school_admin", schools=[school]))
        page.goto(f"{live_server}/schools/{school.school_number}/loans/issue")
        page.get_by_label("Leihvertragsnummer").fill("LV-9")
        page.get_by_label("Inventarnummer").fill("LG-3")
        with page.expect_navigation():
            page.get_by_label("Inventarnummer").press("Enter")
        expect(page.locator("#scan-result")).to_have_text(re_due("LG-3"))
        expect(page.locator("#scan-count")).to_have_text("1")
    finally:
        context.close()
    assert _loans() == {"LG-3": ("LV-9", True, "", False)}
