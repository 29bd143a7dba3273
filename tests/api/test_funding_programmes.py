"""GET /api/v1/funding-programmes: the programmes a device's funding can name."""

import sqlalchemy as sa

from app.codes import FUNDING_SOURCES
from app.extensions import db
from inventory.funding_models import FundingProgramme


def test_every_signed_in_token_reads_the_programmes_with_their_facts(api, token_for, make_school):
    token = token_for("school_admin", schools=[make_school()])[1]
    body = api.get("/funding-programmes", token=token).get_json()
    by_code = {item["code"]: item for item in body["items"]}
    assert set(by_code) == set(FUNDING_SOURCES)
    assert by_code["digitalpakt"]["bound_until"] == "2029-12-31"
    assert by_code["react_eu"]["cap_per_device"] == 500.0
    assert by_code["other"]["bound_until"] is None and by_code["other"]["rate"] is None


def test_an_edited_fact_is_what_the_api_answers(api, token_for):
    programme = db.session.scalar(sa.select(FundingProgramme).filter_by(code="gute_schule_2020"))
    programme.binding_years = 10
    db.session.commit()
    body = api.get("/funding-programmes", token=token_for("department")[1]).get_json()
    item = next(i for i in body["items"] if i["code"] == "gute_schule_2020")
    assert item["binding_years"] == 10 and item["bound_until"] == "2030-12-31"


def test_without_a_token_it_is_401(api):
    assert api.get("/funding-programmes").status_code == 401
