"""The loan endpoints: list, lend, change and return through the loan service; unknown
fields (a pupil's name) and broken rules answer 4xx JSON and write nothing; another
school's devices and loans answer 404."""

import datetime as dt

import pytest
import sqlalchemy as sa

from app.extensions import db
from inventory.loan_models import Loan


@pytest.fixture
def school(make_school, make_school_year):
    make_school_year(2026, dt.date(2026, 9, 2))
    make_school_year(2027, dt.date(2027, 9, 1))
    return make_school()


@pytest.fixture
def admin(token_for, school):
    return token_for("school_admin", schools=[school])[1]


def _count() -> int:
    return db.session.scalar(sa.select(sa.func.count(Loan.id)))


def test_lend_list_and_return_a_device(api, admin, school, make_device):
    make_device(school, inventory_number="API-1")
    body = {"loan_number": "LV-7", "issued_on": "2026-10-01", "condition_out": "neu"}
    created = api.post("/devices/API-1/loans", token=admin, json=body)
    assert created.status_code == 201, created.get_json()
    loan = created.get_json()
    assert loan["due_on"] == "2027-07-16" and loan["inventory_number"] == "API-1"
    assert loan["school_number"] == school.school_number and loan["returned_on"] is None
    again = api.post("/devices/API-1/loans", token=admin, json=body)
    assert again.status_code == 409 and "inventory_number" in again.get_json()["error"]["fields"]

    listed = api.get(f"/schools/{school.school_number}/loans?open=true", token=admin).get_json()
    assert listed["total"] == 1 and listed["items"][0]["loan_number"] == "LV-7"
    back = api.post(
        f"/loans/{loan['id']}/return",
        token=admin,
        json={"returned_on": "2027-07-10", "condition_in": "Kratzer", "damaged": True},
    )
    assert back.status_code == 200 and back.get_json()["damaged"] is True
    assert (
        api.post(
            f"/loans/{loan['id']}/return", token=admin, json={"returned_on": "2027-07-11"}
        ).status_code
        == 409
    )
    damaged = api.get(f"/schools/{school.school_number}/loans?damaged=true", token=admin)
    assert damaged.get_json()["total"] == 1


def test_a_pupil_name_is_refused_and_nothing_written(api, admin, school, make_device):
    make_device(school, inventory_number="API-1")
    body = {"loan_number": "LV-7", "issued_on": "2026-10-01", "pupil_name": "Max Mustermann"}
    response = api.post("/devices/API-1/loans", token=admin, json=body)
    assert response.status_code == 422
    assert "pupil_name" in response.get_json()["error"]["fields"]
    assert _count() == 0
    loan = api.post(
        "/devices/API-1/loans", token=admin, json={"loan_number": "1", "issued_on": "2026-10-01"}
    ).get_json()
    patch = api.patch(f"/loans/{loan['id']}", token=admin, json={"pupil_class": "7b"})
    assert patch.status_code == 422 and "pupil_class" in patch.get_json()["error"]["fields"]


def test_bad_dates_answer_422(api, admin, school, make_device):
    make_device(school, inventory_number="API-1")
    early = {"loan_number": "1", "issued_on": "2026-10-01", "due_on": "2026-09-01"}
    response = api.post("/devices/API-1/loans", token=admin, json=early)
    assert response.status_code == 422 and "due_on" in response.get_json()["error"]["fields"]
    assert (
        api.post("/devices/API-1/loans", token=admin, json={"loan_number": "1"}).status_code == 422
    )
    loan = api.post(
        "/devices/API-1/loans", token=admin, json={"loan_number": "1", "issued_on": "2026-10-01"}
    ).get_json()
    back = api.patch(f"/loans/{loan['id']}", token=admin, json={"returned_on": "2026-01-01"})
    assert back.status_code == 422 and "returned_on" in back.get_json()["error"]["fields"]
    assert db.session.get(Loan, loan["id"]).is_open


def test_another_schools_devices_and_loans_answer_404(
    api, admin, token_for, school, make_school, make_device
):
    other = make_school()
    make_device(other, inventory_number="B-1")
    theirs = token_for("school_admin", schools=[other])[1]
    body = {"loan_number": "1", "issued_on": "2026-10-01"}
    loan = api.post("/devices/B-1/loans", token=theirs, json=body).get_json()
    assert api.post("/devices/B-1/loans", token=admin, json=body).status_code == 404
    assert api.get("/devices/B-1/loans", token=admin).status_code == 404
    assert api.get(f"/loans/{loan['id']}", token=admin).status_code == 404
    assert (
        api.patch(f"/loans/{loan['id']}", token=admin, json={"due_on": "2027-01-01"}).status_code
        == 404
    )
    assert api.get(f"/schools/{other.school_number}/loans", token=admin).status_code == 404
    assert db.session.get(Loan, loan["id"]).due_on == dt.date(2027, 7, 16)
