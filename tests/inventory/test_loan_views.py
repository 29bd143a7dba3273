"""The loan pages: issue and take back on the phone page without JavaScript
(POST-redirect-GET) and by fetch (JSON), the lists, and the school scope (another school's
number is unknown, its pages 404)."""

import datetime as dt

import pytest
import sqlalchemy as sa

from app.extensions import db
from inventory.loan_models import Loan
from schools.school_years import today_in_berlin

TODAY = today_in_berlin()  # the app's today (the date in Bochum), not the machine's


@pytest.fixture
def school(make_school, make_school_year):
    make_school_year(TODAY.year, TODAY + dt.timedelta(days=300))
    return make_school(name="Hildegardis-Schule")


def _issue(client, school, number, json=True, **values):
    data = {"inventory_number": number, "loan_number": "LV-1", "issued_on": TODAY.isoformat()}
    data.update(values)
    headers = {"Accept": "application/json"} if json else {}
    return client.post(f"/schools/{school.school_number}/loans/issue", data=data, headers=headers)


def _return(client, school, number, **values):
    data = {"inventory_number": number, "returned_on": TODAY.isoformat(), **values}
    return client.post(
        f"/schools/{school.school_number}/loans/return",
        data=data,
        headers={"Accept": "application/json"},
    )


def test_issue_without_javascript_shows_the_result_after_the_redirect(
    client, login_as, school, make_device
):
    make_device(school, inventory_number="HIL-1")
    login_as("school_admin", school=school)
    page_url = f"/schools/{school.school_number}/loans/issue"
    page = client.get(page_url).get_data(as_text=True)
    assert "data-scan-form" in page and "js/stocktake.js" in page and "<script>" not in page
    response = _issue(client, school, "HIL-1", json=False, condition_out="neu")
    assert response.status_code == 302 and response.headers["Location"] == page_url
    page = client.get(page_url).get_data(as_text=True)
    assert "HIL-1:" in page and "scan-ok" in page
    loan = db.session.scalar(sa.select(Loan))
    assert (loan.loan_number, loan.condition_out, loan.is_open) == ("LV-1", "neu", True)


def test_bulk_issue_and_return_by_fetch(client, login_as, school, make_device):
    for number in ("HIL-1", "HIL-2", "HIL-3"):
        make_device(school, inventory_number=number)
    login_as("school_admin", school=school)
    answers = [_issue(client, school, n).get_json() for n in ("HIL-1", "HIL-2", "HIL-3")]
    assert [a["tone"] for a in answers] == ["ok", "ok", "ok"] and answers[-1]["count"] == 3
    again = _issue(client, school, "HIL-1").get_json()
    assert again["tone"] == "warn" and not again["counted"]

    back = _return(client, school, "HIL-2", condition_in="Ecke abgestoßen", damaged="y")
    assert back.get_json()["count"] == 2 and back.get_json()["counted"]
    assert _return(client, school, "HIL-2").get_json()["tone"] == "warn"  # not out any more
    damaged = db.session.scalar(sa.select(Loan).where(Loan.returned_on.is_not(None)))
    assert damaged.damaged and damaged.condition_in == "Ecke abgestoßen"
    lists = client.get(f"/schools/{school.school_number}/loans/").get_data(as_text=True)
    assert "Ecke abgestoßen" in lists and "HIL-1" in lists and "HIL-3" in lists


def test_a_return_before_the_issue_is_refused_at_the_field(client, login_as, school, make_device):
    make_device(school, inventory_number="HIL-1")
    login_as("school_admin", school=school)
    _issue(client, school, "HIL-1")
    response = _return(client, school, "HIL-1", returned_on="2000-01-01")
    assert response.status_code == 422 and response.get_json()["tone"] == "bad"
    assert db.session.scalar(sa.select(Loan)).is_open


def test_school_a_cannot_see_or_scan_school_b_devices(
    client, login_as, school, make_school, make_device
):
    other = make_school(name="Andere Schule")
    make_device(other, inventory_number="B-1")
    login_as("school_admin", school=school)
    answer = _issue(client, school, "B-1").get_json()
    assert answer["tone"] == "bad" and answer["message"].startswith("B-1: ")
    assert "Andere Schule" not in answer["message"]
    assert _return(client, school, "B-1").get_json()["tone"] == "bad"
    assert db.session.scalar(sa.select(sa.func.count(Loan.id))) == 0
    for path in ("loans/", "loans/issue", "loans/return"):
        assert client.get(f"/schools/{other.school_number}/{path}").status_code == 404
    assert _issue(client, other, "B-1").status_code == 404
    assert db.session.scalar(sa.select(sa.func.count(Loan.id))) == 0
