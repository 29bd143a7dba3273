"""The stock-taking pages: start, scan without JavaScript (POST-redirect-GET) and by fetch
(JSON), the result and the confirmation; another school's stock-take answers 404."""

import datetime as dt

import pytest
import sqlalchemy as sa

from app.extensions import db
from inventory.models import Device
from inventory.stocktake_models import StockTake
from schools.models import InventoryConfirmation


@pytest.fixture
def school(make_school, make_school_year):
    make_school_year(2026, dt.date(2026, 8, 26))
    return make_school(name="Hildegardis-Schule")


def _start(client, school, room=""):
    response = client.post(
        f"/schools/{school.school_number}/stock-takes/",
        data={"site": school.main_site.id, "room": room},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def test_school_admin_starts_scans_and_sees_the_result_after_the_redirect(
    client, login_as, school, make_device
):
    make_device(school, inventory_number="HIL-1", room="A 1", manufacturer="Dell")
    login_as("school_admin", school=school)
    scan_page = _start(client, school, room="A 1")
    page = client.get(scan_page).get_data(as_text=True)
    assert "autofocus" in page and 'inputmode="text"' in page and 'aria-live="polite"' in page

    response = client.post(scan_page + "scans", data={"inventory_number": "HIL-1"})
    assert response.status_code == 302 and response.headers["Location"] == scan_page
    page = client.get(scan_page).get_data(as_text=True)
    assert "HIL-1: gefunden (Laptop, Dell)." in page
    # shown once: a reload shows no stale result
    assert "HIL-1: gefunden" not in client.get(scan_page).get_data(as_text=True)


def test_a_fetch_scan_answers_json(client, login_as, school, make_device, make_school):
    make_device(make_school(), inventory_number="FREMD-1")
    login_as("school_admin", school=school)
    scan_page = _start(client, school)
    answer = client.post(
        scan_page + "scans",
        data={"inventory_number": "FREMD-1"},
        headers={"Accept": "application/json"},
    ).get_json()
    assert answer["outcome"] == "unknown" and answer["count"] == 1
    assert "keine Inventarnummer dieser Schule" in answer["message"]
    again = client.post(
        scan_page + "scans",
        data={"inventory_number": "FREMD-1"},
        headers={"Accept": "application/json"},
    ).get_json()
    assert again["outcome"] == "already_seen" and again["count"] == 1


def test_a_bad_number_is_shown_at_the_field_and_stores_nothing(client, login_as, school):
    login_as("school_admin", school=school)
    scan_page = _start(client, school)
    response = client.post(scan_page + "scans", data={"inventory_number": "a b"})
    assert response.status_code == 422
    assert "Das ist keine Inventarnummer" in response.get_data(as_text=True)
    answer = client.post(
        scan_page + "scans", data={"inventory_number": ""}, headers={"Accept": "application/json"}
    )
    assert answer.status_code == 422 and answer.get_json()["error"]


def test_confirm_moves_and_marks_and_the_result_shows_the_figures(
    client, login_as, school, make_device
):
    make_device(school, inventory_number="HIL-1", room="A 1")
    make_device(school, inventory_number="HIL-2", room="A 1")
    make_device(school, inventory_number="HIL-3", room="B 2")
    login_as("school_admin", school=school)
    scan_page = _start(client, school, room="A 1")
    for number in ("HIL-1", "HIL-3", "NEU-9"):
        client.post(scan_page + "scans", data={"inventory_number": number})
    result = client.get(scan_page + "result").get_data(as_text=True)
    assert "Vermisst (1)" in result and "HIL-2" in result and "NEU-9" in result

    taken = db.session.scalar(sa.select(StockTake))
    response = client.post(
        scan_page + "confirm",
        data={"move_found_devices": "y", "mark_missing": "y", "version": taken.version},
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 gefunden, 1 vermisst, 1 anderswo gefunden, 1 unbekannt" in page
    db.session.expire_all()
    devices = dict(db.session.execute(sa.select(Device.inventory_number, Device.status)).all())
    assert devices == {"HIL-1": "in_use", "HIL-2": "missing", "HIL-3": "in_use"}
    rooms = set(db.session.scalars(sa.select(Device.room)))
    assert rooms == {"A 1"}
    # a confirmed stock-take takes no more numbers
    late = client.post(scan_page + "scans", data={"inventory_number": "HIL-2"})
    assert late.status_code == 302 and late.headers["Location"].endswith("/result")


def test_school_admin_gets_404_for_another_schools_stock_take(
    client, login_as, school, make_school, make_user, login, app
):
    other = make_school()
    login(make_user("school_admin", schools=[other]), client=(other_client := app.test_client()))
    other_scan = _start(other_client, other)
    login_as("school_admin", school=school)
    assert client.get(other_scan).status_code == 404
    assert client.post(other_scan + "scans", data={"inventory_number": "X"}).status_code == 404
    # the stock-take's id under one's own school number is no way in either
    own_path = other_scan.replace(other.school_number, school.school_number)
    assert client.get(own_path).status_code == 404


def test_the_dashboard_shows_the_last_stock_take_and_the_confirmation_stores_its_figures(
    client, login_as, school, make_device
):
    make_device(school, inventory_number="HIL-1", room="A 1")
    make_device(school, inventory_number="HIL-2", room="A 1")
    login_as("school_admin", school=school)
    assert "Letzte Inventur: noch keine" in client.get("/").get_data(as_text=True)
    scan_page = _start(client, school, room="A 1")
    client.post(scan_page + "scans", data={"inventory_number": "HIL-1"})
    client.post(scan_page + "confirm", data={"move_found_devices": "y", "version": 1})

    page = client.get("/").get_data(as_text=True)
    assert "Letzte Inventur: " in page and "noch keine" not in page
    assert "1 gefunden, 1 vermisst, 0 anderswo gefunden, 0 unbekannte Nummern" in page
    client.post(f"/schools/{school.school_number}/inventory-confirmation")
    confirmation = db.session.scalar(sa.select(InventoryConfirmation))
    assert (confirmation.stock_takes, confirmation.found, confirmation.missing) == (1, 1, 1)
    assert "1 gefunden, 1 vermisst" in client.get("/").get_data(as_text=True)
