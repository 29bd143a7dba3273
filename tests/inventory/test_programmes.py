"""The funding programmes' facts: the service's rules, the department's pages, and that a
changed fact rules the next device write (the cap)."""

import datetime as dt
import re
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.audit import history_of
from app.errors import InvalidFieldsError, StaleVersionError
from app.extensions import db
from inventory.funding_models import FundingProgramme
from inventory.models import Device
from inventory.programmes import update_programme
from tests.inventory.test_device_views import device_data


def _programme(code: str) -> FundingProgramme:
    db.session.expire_all()
    return db.session.scalar(sa.select(FundingProgramme).filter_by(code=code))


# --- the service -------------------------------------------------------------------------


def test_the_service_changes_only_the_given_facts(app):
    programme = _programme("digitalpakt")
    update_programme(programme, {"cap_per_device": Decimal("750")}, version=programme.version)
    db.session.commit()
    stored = _programme("digitalpakt")
    assert stored.cap_per_device == Decimal("750.00")
    assert stored.name == "DigitalPakt Schule" and stored.binding_years == 5


def test_the_period_must_be_in_order_and_a_stale_version_is_refused(app):
    programme = _programme("react_eu")  # starts 18.03.2021
    with pytest.raises(InvalidFieldsError) as refused:
        update_programme(programme, {"period_end": dt.date(2020, 12, 31)})
    assert list(refused.value.fields) == ["period_end"]
    with pytest.raises(InvalidFieldsError) as refused:
        update_programme(programme, {"rate": Decimal("120")})
    assert list(refused.value.fields) == ["rate"]
    with pytest.raises(StaleVersionError):
        update_programme(programme, {"notes": "x"}, version=programme.version + 1)


# --- the pages ---------------------------------------------------------------------------


def test_the_department_sees_the_programmes_with_their_binding(client, login_as):
    login_as("department")
    html = client.get("/funding-programmes/").get_data(as_text=True)
    row = re.search(r"<tr>\s*<th scope=\"row\">NRW.BANK.Gute Schule 2020</th>.*?</tr>", html, re.S)
    assert row and "31.12.2040" in row.group(0)
    assert html.count("/edit") == db.session.scalar(sa.select(sa.func.count(FundingProgramme.id)))


def test_a_school_admin_cannot_reach_the_programmes(client, login_as, make_school):
    login_as("school_admin", school=make_school())
    assert client.get("/funding-programmes/").status_code in (403, 404)
    response = client.post("/funding-programmes/digitalpakt/edit", data={"name": "X"})
    assert response.status_code in (403, 404)
    assert _programme("digitalpakt").name == "DigitalPakt Schule"


def test_a_bad_fact_is_shown_at_its_field_and_nothing_is_written(client, login_as):
    login_as("department")
    programme = _programme("digitalpakt")
    data = {"version": programme.version, "name": "DigitalPakt Schule", "rate": "150"}
    response = client.post("/funding-programmes/digitalpakt/edit", data=data)
    assert response.status_code == 422
    assert 'id="rate-error"' in response.get_data(as_text=True)
    assert _programme("digitalpakt").rate == Decimal("90.00")


def test_a_cap_set_on_the_page_rules_the_next_device_and_is_in_the_history(
    client, login_as, make_school
):
    school = make_school()
    login_as("department")
    programme = _programme("digitalpakt")
    form = {
        "version": programme.version,
        "name": programme.name,
        "funder": programme.funder,
        "rate": "90",
        "cap_per_device": "1.000,00",
        "period_start": "2019-05-17",
        "period_end": "2024-12-31",
        "binding_years": "5",
        "notes": "",
    }
    response = client.post("/funding-programmes/digitalpakt/edit", data=form)
    assert response.status_code == 302
    assert _programme("digitalpakt").cap_per_device == Decimal("1000.00")
    assert history_of(_programme("digitalpakt"))[0].changes["cap_per_device"]

    new = f"/schools/{school.school_number}/devices/new"
    answer = client.post(new, data=device_data(price="1.299,00", funding="digitalpakt"))
    assert answer.status_code == 422 and 'id="funding-error"' in answer.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Device.id))) == 0
