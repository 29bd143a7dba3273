"""Replacement planning: devices due per year from purchase date and service life, the
cost from the latest price of the category, scoping, the page."""

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from lxml import html

from app import create_app
from reports import replacement
from reports.exports import write_workbook


@pytest.fixture
def city(make_school, make_device, monkeypatch, app):
    """Two schools with laptops and projectors bought in known years at known prices."""
    monkeypatch.setitem(app.config, "SERVICE_LIFE_YEARS", {"laptop": 4, "projector": 6})
    a = make_school(name="Schule A")
    b = make_school(name="Schule B")

    def bought(school, category, year, price=None, status="in_use"):
        return make_device(
            school,
            category=category,
            purchase_date=dt.date(year, 3, 1),
            price=None if price is None else Decimal(price),
            status=status,
        )

    bought(a, "laptop", 2020, "400.00")  # due 2024: overdue in a plan from 2026
    bought(a, "laptop", 2022, "450.00")  # due 2026
    bought(a, "laptop", 2022)  # due 2026, no price of its own
    bought(a, "laptop", 2023, "500.00")  # due 2027; the latest laptop price
    bought(a, "laptop", 2019, "300.00", status="retired")  # retired: never replaced
    bought(b, "laptop", 2023)  # due 2027
    bought(b, "projector", 2021, "800.00")  # due 2027
    bought(b, "projector", 2028)  # due 2034: beyond the plan
    make_device(b, category="laptop")  # no purchase date: not planned
    make_device(b, category="server", purchase_date=dt.date(2020, 1, 1))  # no service life
    return a, b


def _rows(plan):
    return {(row.year, row.school_number, row.category): row for row in plan.rows}


def test_devices_fall_due_in_purchase_year_plus_service_life(app, city):
    a, b = city
    plan = replacement.plan(first_year=2026, years=3)
    rows = _rows(plan)

    assert set(rows) == {
        (2026, a.school_number, "laptop"),
        (2027, a.school_number, "laptop"),
        (2027, b.school_number, "laptop"),
        (2027, b.school_number, "projector"),
    }
    now = rows[(2026, a.school_number, "laptop")]
    assert (now.count, now.overdue) == (3, 1)  # 2022 twice and the overdue one of 2020
    assert rows[(2027, b.school_number, "projector")].count == 1
    assert plan.undated == 1
    assert plan.no_service_life == {"server": 1}


def test_cost_is_the_latest_price_of_the_category(app, city):
    a, b = city
    plan = replacement.plan(first_year=2026, years=3)
    rows = _rows(plan)

    assert plan.prices == {"laptop": Decimal("500.00"), "projector": Decimal("800.00")}
    assert rows[(2026, a.school_number, "laptop")].cost == Decimal("1500.00")
    assert rows[(2027, b.school_number, "projector")].cost == Decimal("800.00")
    totals = {year: (count, cost) for year, count, cost, _complete in plan.totals_by_year()}
    assert totals == {
        2026: (3, Decimal("1500.00")),
        2027: (3, Decimal("1800.00")),
        2028: (0, Decimal("0")),
    }


def test_the_plan_is_limited_to_the_given_schools(app, city):
    a, _b = city
    plan = replacement.plan([a.id], first_year=2026, years=3)
    assert {row.school_number for row in plan.rows} == {a.school_number}


@pytest.mark.parametrize(
    ("lives", "named"),
    [({"laptop": 0}, "laptop"), ({"laptop": True}, "laptop"), ({"toaster": 3}, "toaster")],
)
def test_a_bad_service_life_stops_the_app_from_starting(app, lives, named):
    with pytest.raises(ValueError, match=named):
        create_app({**app.config, "SERVICE_LIFE_YEARS": lives})


def test_department_sees_every_school_on_the_page(client, login_as, city):
    a, b = city
    login_as("department")
    response = client.get("/reports/replacement?first_year=2026&years=3")
    assert response.status_code == 200
    doc = html.fromstring(response.get_data(as_text=True))
    schools = {row.get("data-school") for row in doc.xpath("//table[@id='plan-rows']/tbody/tr")}
    assert schools == {a.school_number, b.school_number}
    total_2027 = doc.xpath("//table[@id='plan-totals']//tr[@data-year='2027']")[0]
    assert "1.800,00" in total_2027.text_content()


def test_school_admin_sees_only_own_schools(client, login_as, city):
    a, b = city
    login_as("school_admin", schools=[a])
    doc = html.fromstring(client.get("/reports/replacement?first_year=2026").get_data(as_text=True))
    schools = {row.get("data-school") for row in doc.xpath("//table[@id='plan-rows']/tbody/tr")}
    assert schools == {a.school_number}


@pytest.mark.parametrize("query", ["years=0", "years=11", "first_year=abc", "years=99999999999"])
def test_bad_period_shows_the_error_at_the_field(client, login_as, query):
    login_as("department")
    response = client.get(f"/reports/replacement?{query}")
    assert response.status_code == 400
    doc = html.fromstring(response.get_data(as_text=True))
    assert doc.xpath("//*[@aria-invalid='true']")


def test_a_nul_byte_in_the_period_is_refused(client, login_as):
    login_as("department")
    assert client.get("/reports/replacement?years=%00").status_code == 400


def test_the_department_workbook_has_the_plan_as_a_sheet(app, city):
    a, b = city
    target = io.BytesIO()
    write_workbook(target, today=dt.date(2026, 12, 3))
    sheet = openpyxl.load_workbook(io.BytesIO(target.getvalue()))["Ersatzbeschaffung"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (
        "Jahr",
        "Schulnummer",
        "Schule",
        "Kategorie",
        "Geräte",
        "davon überfällig",
        "Letzter Preis",
        "Kostenprognose",
    )
    plan = replacement.plan(first_year=2026)
    assert [row[:2] + row[3:6] for row in rows[1:]] == [
        (row.year, row.school_number, label, row.count, row.overdue)
        for row, label in (
            (row, "Laptop" if row.category == "laptop" else "Beamer") for row in plan.rows
        )
    ]
    costs = [Decimal(str(row[7])) for row in rows[1:] if row[7] is not None]
    assert (
        sum(costs)
        == sum(row.cost for row in plan.rows if row.cost is not None)
        == Decimal("3300.00")
    )
