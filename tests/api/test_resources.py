"""Create, read, change and delete every API resource; the result is in the database."""

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.extensions import db
from inventory.models import Device, NetworkLink, Offering
from schools.models import School, SchoolYear, Site


@pytest.fixture
def department(token_for):
    return token_for("department")[1]


def test_school_crud(api, department):
    body = {
        "school_number": "654321",
        "name": "Neue Gesamtschule",
        "school_form": "gesamtschule",
        "street": "Schulweg 5",
        "postcode": "44787",
        "district": "Bochum-Mitte",
        "students": 900,
        "classes": 36,
        "it_contact_email": "it@neue-gesamtschule.example.org",
        "learning_levels": ["sek2", "sek1"],
    }
    response = api.post("/schools", token=department, json=body)
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["learning_levels"] == ["sek1", "sek2"]
    assert created["city"] == "Bochum" and created["version"] == 1

    school = db.session.scalar(sa.select(School).where(School.school_number == "654321"))
    assert school.students == 900
    assert [(site.name, site.is_main, site.street) for site in school.sites] == [
        ("Hauptstandort", True, "Schulweg 5")
    ]

    assert api.get("/schools/654321", token=department).get_json() == created

    response = api.patch("/schools/654321", token=department, json={"name": "Gesamtschule Mitte"})
    assert response.status_code == 200
    assert response.get_json()["name"] == "Gesamtschule Mitte"
    assert response.get_json()["version"] == 2

    assert api.delete("/schools/654321", token=department).status_code == 204
    db.session.expire_all()
    assert db.session.scalar(sa.select(School).where(School.school_number == "654321")) is None
    assert api.get("/schools/654321", token=department).status_code == 404


def test_school_admin_changes_contact_fields_of_own_school(api, token_for, make_school):
    school = make_school()
    _user, token = token_for("school_admin", schools=[school])
    response = api.patch(
        f"/schools/{school.school_number}",
        token=token,
        json={"it_contact_email": "neu@schule.example.org", "students": 650},
    )
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(School, school.id).it_contact_email == "neu@schule.example.org"

    response = api.patch(
        f"/schools/{school.school_number}", token=token, json={"school_form": "realschule"}
    )
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(School, school.id).school_form == "gymnasium"


def test_site_crud_and_main_site_rules(api, department, make_school):
    school = make_school()
    main_id = school.main_site.id
    path = f"/schools/{school.school_number}/sites"
    response = api.post(path, token=department, json={"name": "Außenstelle", "street": "Weg 1"})
    assert response.status_code == 201
    site = response.get_json()
    assert site["is_main"] is False and site["school_number"] == school.school_number

    listed = api.get(path, token=department).get_json()
    assert [item["name"] for item in listed["items"]] == ["Hauptstandort", "Außenstelle"]

    # Making the new site main demotes the old main site.
    response = api.patch(f"/sites/{site['id']}", token=department, json={"is_main": True})
    assert response.status_code == 200 and response.get_json()["is_main"] is True
    db.session.expire_all()
    assert db.session.get(Site, main_id).is_main is False

    # A school keeps a main site: it cannot be unset or deleted.
    response = api.patch(f"/sites/{site['id']}", token=department, json={"is_main": False})
    assert response.status_code == 422
    assert "is_main" in response.get_json()["error"]["fields"]
    assert api.delete(f"/sites/{site['id']}", token=department).status_code == 409

    assert api.delete(f"/sites/{main_id}", token=department).status_code == 204
    db.session.expire_all()
    assert db.session.get(Site, main_id) is None


def test_device_crud(api, department, make_school, make_site):
    school = make_school()
    annex = make_site(school, name="Annex")
    body = {
        "inventory_number": "BO-2026-0001",
        "category": "tablet",
        "site": annex.id,
        "manufacturer": "Apple",
        "model": "iPad 10",
        "serial_number": "SN123",
        "room": "A 1.02",
        "learning_level": "sek1",
        "purchase_date": "2026-01-15",
        "price": 449.9,
        "funding": "digitalpakt",
        "warranty_until": "2029-01-15",
        "notes": "Klassensatz 5a",
        "use": "class_set",
    }
    response = api.post(f"/schools/{school.school_number}/devices", token=department, json=body)
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created == {
        **body,
        "status": "in_use",
        "retired_reason": "",
        "school_number": school.school_number,
        "version": 1,
    }

    device = db.session.scalar(sa.select(Device).where(Device.inventory_number == "BO-2026-0001"))
    assert device.price == Decimal("449.90") and device.site_id == annex.id
    assert device.purchase_date == dt.date(2026, 1, 15)

    response = api.patch(
        "/devices/BO-2026-0001",
        token=department,
        json={"status": "in_repair", "site": None, "learning_level": None, "version": 1},
    )
    assert response.status_code == 200
    changed = response.get_json()
    # no site is the main site, stored as such (as through the web form and the import)
    assert changed["status"] == "in_repair" and changed["site"] == school.main_site.id
    assert changed["learning_level"] is None and changed["version"] == 2
    assert changed["manufacturer"] == "Apple"  # untouched fields stay

    assert api.delete("/devices/BO-2026-0001", token=department).status_code == 204
    assert api.get("/devices/BO-2026-0001", token=department).status_code == 404


def test_device_site_must_belong_to_the_school(api, department, make_school, make_site):
    school, other = make_school(), make_school()
    foreign_site = make_site(other)
    response = api.post(
        f"/schools/{school.school_number}/devices",
        token=department,
        json={"inventory_number": "X-1", "category": "laptop", "site": foreign_site.id},
    )
    assert response.status_code == 422
    assert "site" in response.get_json()["error"]["fields"]
    assert db.session.scalar(sa.select(Device).where(Device.inventory_number == "X-1")) is None


def test_link_crud(api, department, make_school):
    school = make_school()
    body = {
        "provider": "Stadtwerke Bochum",
        "technology": "fibre",
        "down_mbps": 1000,
        "up_mbps": 1000,
        "status": "planned",
        "planned_date": "2026-07-01",
    }
    response = api.post(f"/schools/{school.school_number}/links", token=department, json=body)
    assert response.status_code == 201, response.get_json()
    link = response.get_json()
    assert link["site"] == school.main_site.id and link["planned_date"] == "2026-07-01"

    response = api.patch(
        f"/links/{link['id']}",
        token=department,
        json={"status": "active", "active_since": "2026-06-20"},
    )
    assert response.status_code == 200
    db.session.expire_all()
    stored = db.session.get(NetworkLink, link["id"])
    assert stored.status == "active" and stored.active_since == dt.date(2026, 6, 20)

    assert api.get(f"/links/{link['id']}", token=department).get_json()["version"] == 2
    assert api.delete(f"/links/{link['id']}", token=department).status_code == 204
    db.session.expire_all()
    assert db.session.get(NetworkLink, link["id"]) is None


def test_offering_crud(api, department, make_school):
    school = make_school()
    path = f"/schools/{school.school_number}/offerings"
    body = {"learning_level": "sek2", "kind": "computer_science", "since": "2024-08-01"}
    response = api.post(path, token=department, json=body)
    assert response.status_code == 201
    offering = response.get_json()
    assert offering["status"] == "available" and offering["description"] == ""

    response = api.patch(
        f"/offerings/{offering['id']}", token=department, json={"status": "planned"}
    )
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(Offering, offering["id"]).status == "planned"
    assert api.delete(f"/offerings/{offering['id']}", token=department).status_code == 204


def test_school_year_put_creates_then_changes(api, department):
    response = api.put(
        "/school-years/2027", token=department, json={"first_school_day": "2027-08-25"}
    )
    assert response.status_code == 201
    assert response.get_json() == {
        "start_year": 2027,
        "label": "2027/28",
        "first_school_day": "2027-08-25",
        "version": 1,
    }
    response = api.put(
        "/school-years/2027",
        token=department,
        json={"first_school_day": "2027-08-18", "version": 1},
    )
    assert response.status_code == 200 and response.get_json()["version"] == 2
    db.session.expire_all()
    year = db.session.scalar(sa.select(SchoolYear).where(SchoolYear.start_year == 2027))
    assert year.first_school_day == dt.date(2027, 8, 18)

    listed = api.get("/school-years", token=department).get_json()
    assert [item["label"] for item in listed["items"]] == ["2027/28"]
    assert api.get("/school-years/2027", token=department).get_json()["label"] == "2027/28"
    assert api.get("/school-years/2030", token=department).status_code == 404


def test_school_year_first_day_must_lie_in_its_start_year(api, department):
    response = api.put(
        "/school-years/2027", token=department, json={"first_school_day": "2028-08-25"}
    )
    assert response.status_code == 422
    assert "first_school_day" in response.get_json()["error"]["fields"]


def test_deleting_a_school_deletes_its_inventory(
    api, department, make_school, make_device, make_link, make_offering
):
    school = make_school()
    make_device(school, inventory_number="GONE-1")
    make_link(school)
    make_offering(school)
    assert api.delete(f"/schools/{school.school_number}", token=department).status_code == 204
    db.session.expire_all()
    for model in (Device, NetworkLink, Offering, Site):
        assert db.session.scalar(sa.select(sa.func.count(model.id))) == 0, model


def test_moving_a_device_to_another_site_of_its_school(
    api, department, make_school, make_site, make_device
):
    school = make_school()
    annex = make_site(school, name="Annex")
    make_device(school, inventory_number="MOVE-1")
    response = api.patch("/devices/MOVE-1", token=department, json={"site": annex.id})
    assert response.status_code == 200 and response.get_json()["site"] == annex.id
    db.session.expire_all()
    device = db.session.scalar(sa.select(Device).where(Device.inventory_number == "MOVE-1"))
    assert device.site_id == annex.id
