"""The dashboard's loans and stock-taking per school: devices lent, overdue, returned
damaged, the last stock-take; a school admin sees only their own schools'."""

import datetime as dt

import pytest
from lxml import html

from app.extensions import db
from app.saving import saving
from inventory import loan_service as loans
from inventory.stocktake_models import StockTake
from schools.school_years import today_in_berlin

TODAY = today_in_berlin()


@pytest.fixture
def year(make_school_year):
    return make_school_year(TODAY.year - 1, TODAY - dt.timedelta(days=60))


def _lend(app, school, device, due_on, returned=None, damaged=False):
    with app.test_request_context(), saving():
        loan = loans.issue(
            school,
            {
                "inventory_number": device.inventory_number,
                "loan_number": "LV",
                "issued_on": TODAY - dt.timedelta(days=30),
                "due_on": due_on,
            },
        )
        if returned:
            loans.return_loan(loan, {"returned_on": returned, "damaged": damaged})


@pytest.fixture
def city(app, make_school, make_device, year):
    lending = make_school(name="Leihschule")
    other = make_school(name="Andere Schule")
    quiet = make_school(name="Ruhige Schule")
    late = TODAY - dt.timedelta(days=2)
    later = TODAY + dt.timedelta(days=20)
    _lend(app, lending, make_device(lending), late)
    _lend(app, lending, make_device(lending), later)
    _lend(app, lending, make_device(lending), later, returned=TODAY, damaged=True)
    _lend(app, other, make_device(other), later)
    db.session.add(
        StockTake(
            school_id=other.id,
            school_year_id=year.id,
            site_id=other.main_site.id,
            status="confirmed",
            confirmed_at=dt.datetime(2026, 11, 3, 9, 30),
        )
    )
    db.session.commit()
    return lending, other, quiet


def _rows(response):
    doc = html.fromstring(response.get_data(as_text=True))
    return {
        row.get("data-school"): [" ".join(td.text_content().split()) for td in row.findall("td")]
        for row in doc.get_element_by_id("loan-figures").findall(".//tbody/tr")
    }


def test_department_sees_loans_and_last_stock_take_per_school(client, login_as, city):
    lending, other, quiet = city
    login_as("department")
    rows = _rows(client.get("/"))
    assert set(rows) == {lending.school_number, other.school_number}
    assert rows[lending.school_number][1:4] == ["2", "1", "1"]
    assert rows[other.school_number][1:4] == ["1", "0", "0"]
    assert "03.11.2026" in rows[other.school_number][4]


def test_school_admin_sees_their_schools_loan_figures_only(client, login_as, city):
    lending, other, _quiet = city
    login_as("school_admin", school=lending)
    page = client.get("/").get_data(as_text=True)
    doc = html.fromstring(page)
    figures = [" ".join(p.text_content().split()) for p in doc.xpath("//*[@data-loans]")]
    assert len(figures) == 1 and figures[0].startswith("Verliehene Geräte: 2, überfällig: 1")
    assert "Andere Schule" not in page
