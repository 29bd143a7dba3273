"""The API takes a link's monthly cost and notice period and refuses bad ones by field."""

import sqlalchemy as sa

from app.extensions import db
from inventory.models import NetworkLink

BASE = {"technology": "fibre", "down_mbps": 1000, "up_mbps": 1000, "status": "active"}


def test_api_takes_the_monthly_cost_and_notice_period(api, token_for, make_school):
    school = make_school()
    _user, token = token_for("department")
    response = api.post(
        f"/schools/{school.school_number}/links",
        token=token,
        json=BASE | {"contract_end": "2027-12-31", "monthly_cost": 49.9, "notice_period_months": 3},
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["notice_period_months"] == 3 and float(body["monthly_cost"]) == 49.9
    db.session.expire_all()
    link = db.session.get(NetworkLink, body["id"])
    assert str(link.monthly_cost) == "49.90" and link.notice_period_months == 3


def test_api_refuses_a_bad_notice_period_and_cost_naming_the_fields(api, token_for, make_school):
    school = make_school()
    _user, token = token_for("department")
    response = api.post(
        f"/schools/{school.school_number}/links",
        token=token,
        json=BASE | {"monthly_cost": -5, "notice_period_months": 500},
    )
    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) == {"monthly_cost", "notice_period_months"}
    assert db.session.scalar(sa.select(sa.func.count(NetworkLink.id))) == 0
