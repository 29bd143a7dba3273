"""A network link's monthly cost and notice period: registry fields, so the service and
the import (and the API, tests/api/test_link_contract_fields.py) take them with the same
rules and refuse bad values by field."""

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.errors import InvalidFieldsError
from app.extensions import db
from inventory import service
from inventory.importer import import_file
from inventory.models import NetworkLink
from tests.inventory.test_import_helpers import german_headers, xlsx_bytes

BASE = {"technology": "fibre", "down_mbps": 1000, "up_mbps": 1000, "status": "active"}


@pytest.fixture
def school(make_school):
    return make_school("654321")


def test_service_stores_monthly_cost_and_notice_period(app, school):
    link = service.create(
        "links",
        school,
        BASE
        | {
            "contract_end": dt.date(2027, 12, 31),
            "monthly_cost": Decimal("1249.90"),
            "notice_period_months": 3,
        },
    )
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(NetworkLink, link.id)
    assert stored.monthly_cost == Decimal("1249.90") and stored.notice_period_months == 3
    service.update(stored, {"monthly_cost": None, "notice_period_months": None})
    assert (stored.monthly_cost, stored.notice_period_months) == (None, None)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"monthly_cost": "-1"}, "monthly_cost"),
        ({"monthly_cost": "teuer"}, "monthly_cost"),
        ({"monthly_cost": Decimal("100000000")}, "monthly_cost"),
        ({"notice_period_months": -1}, "notice_period_months"),
        ({"notice_period_months": 121}, "notice_period_months"),
        ({"notice_period_months": "drei"}, "notice_period_months"),
        ({"notice_period_months": 2.5}, "notice_period_months"),
    ],
)
def test_service_refuses_bad_values_naming_the_field(app, school, values, field):
    with pytest.raises(InvalidFieldsError) as refused:
        service.create("links", school, BASE | values)
    assert set(refused.value.fields) == {field}
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(NetworkLink.id))) == 0


def test_import_names_the_column_of_a_bad_notice_period(app, school):
    fields = ["school_number", "technology", "down_mbps", "up_mbps", "status", "contract_end"]
    fields += ["monthly_cost", "notice_period_months"]
    header = german_headers("links", fields)
    rows = [
        header,
        ["654321", "fibre", 1000, 1000, "active", "31.12.2027", "99,50", 3],
        ["654321", "fibre", 1000, 1000, "active", "31.12.2027", "99,50", "sechs"],
    ]

    report = import_file("links", xlsx_bytes(rows, title="Netzanbindungen"), "links.xlsx")

    assert not report.written
    [error] = report.errors
    assert error.row == 3 and error.column == "Kündigungsfrist (Monate)"
    assert db.session.scalar(sa.select(sa.func.count(NetworkLink.id))) == 0
