"""Browser: the department's dashboard renders its charts in Chromium without console or
CSP errors; a school admin confirms the inventory from their school's box."""

import datetime as dt

import pytest

from schools.school_years import today_in_berlin
from tests.browser.conftest import sign_in


@pytest.fixture
def city(make_school, make_link, make_school_year):
    today = today_in_berlin()
    make_school_year(today.year - 1, today - dt.timedelta(days=30))
    make_school_year(today.year, today + dt.timedelta(days=90))
    ready = make_school(name="Gigabit-Gymnasium", district="Bochum-Mitte")
    make_link(ready)
    planned = make_school(
        name="Plan-Grundschule", school_form="grundschule", district="Wattenscheid"
    )
    make_link(planned, status="ordered", planned_date=today + dt.timedelta(days=30))
    late = make_school(name="Späte <Schule> & Co", school_form="realschule", district="Bochum-Süd")
    make_link(late, down_mbps=100, up_mbps=40)
    return ready, planned, late


@pytest.mark.browser
def test_department_dashboard_shows_the_charts(page, live_server, city, make_user):
    sign_in(page, live_server, make_user("department"))
    page.goto(live_server + "/")

    assert page.locator("#share-schools .big").inner_text().startswith("33")
    for chart_id in ("chart-district", "chart-school-form"):
        svg = page.locator(f"#{chart_id} svg")
        svg.wait_for(state="visible")
        box = svg.bounding_box()
        assert box is not None and box["width"] > 100 and box["height"] > 50
        bars = svg.locator("rect.bar")
        assert bars.count() == 3
        bar_box = bars.first.bounding_box()
        assert bar_box is not None and bar_box["width"] > 0 and bar_box["height"] > 0
    # Colours come from SVG attributes, which the CSP allows.
    fill = page.locator("#chart-district rect.bar.ready").evaluate(
        "el => getComputedStyle(el).fill"
    )
    assert fill == "rgb(27, 127, 59)"
    assert page.locator("#at-risk-list").get_by_text("Späte <Schule> & Co").count() == 1


@pytest.mark.browser
def test_school_admin_confirms_the_inventory(page, live_server, city, make_user):
    school = city[0]
    sign_in(page, live_server, make_user("school_admin", schools=[school]))
    page.goto(live_server + "/")
    box = page.locator(f"#school-{school.school_number}")
    assert "Plan-Grundschule" not in page.content()

    with page.expect_navigation():
        box.locator("form.confirm-inventory button").click()

    assert page.locator(".flash-success").count() == 1
    assert box.locator("p.confirmed").count() == 1
    assert box.locator("form.confirm-inventory").count() == 0
