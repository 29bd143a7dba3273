"""The list pages dump their items with api.schemas.RecordList, a faster dump than
marshmallow's own: every item must come out exactly as the item schema dumps it."""

import datetime as dt
from decimal import Decimal

import pytest
from marshmallow import fields

from api import schemas
from app.extensions import db
from inventory.models import Device, NetworkLink, Offering
from schools.models import School, Site


@pytest.fixture
def records(make_school, make_site, make_device, make_link, make_offering):
    school = make_school(street="Hauptstraße 1", postcode="44787", students=None)
    annex = make_site(school, name="Nebenstelle", city="Wattenscheid")
    make_device(
        school,
        site=annex,
        manufacturer="Lenovo",
        room="A1",
        learning_level="sek1",
        purchase_date=dt.date(2025, 9, 1),
        price=Decimal("356.88"),
        funding="digitalpakt",
        warranty_until=dt.date(2028, 9, 1),
        notes="Ä ö ü ß",
    )
    make_device(school, price=Decimal("0.00"), learning_level=None, funding=None)
    make_device(school, price=Decimal("1299"))
    make_link(school, planned_date=dt.date(2027, 3, 1), status="planned")
    make_link(school, site=annex, active_since=dt.date(2022, 1, 1), contract_end=None)
    make_offering(school, since=dt.date(2021, 8, 1))
    make_offering(school, since=None, status="planned", description="")
    db.session.expire_all()
    return school


@pytest.mark.parametrize(
    ("model", "schema"),
    [
        (School, schemas.SchoolSchema),
        (Site, schemas.SiteSchema),
        (Device, schemas.DeviceSchema),
        (NetworkLink, schemas.LinkSchema),
        (Offering, schemas.OfferingSchema),
    ],
)
def test_record_list_dumps_as_the_item_schema_does(records, model, schema):
    items = db.session.scalars(db.select(model)).all()
    assert items
    fast = schemas.RecordList(schema)._serialize(items, "items", None)
    plain = fields.List(fields.Nested(schema))._serialize(items, "items", None)
    assert fast == plain
    assert [list(item) for item in fast] == [list(item) for item in plain]  # key order too
    assert all(
        type(a) is type(b)
        for f, p in zip(fast, plain, strict=True)
        for a, b in zip(f.values(), p.values(), strict=True)
    )


@pytest.mark.parametrize(
    ("path", "model", "schema", "order"),
    [
        ("devices", Device, schemas.DeviceSchema, Device.inventory_number),
        ("links", NetworkLink, schemas.LinkSchema, NetworkLink.id),
        ("offerings", Offering, schemas.OfferingSchema, Offering.id),
        ("sites", Site, schemas.SiteSchema, (Site.is_main.desc(), Site.name, Site.id)),
    ],
)
def test_list_pages_answer_what_the_item_schema_dumps_of_the_records(
    api, token_for, records, path, model, schema, order
):
    """A school's lists read plain rows (api.service.ListedRecord), not ORM objects."""
    token = token_for("department")[1]
    body = api.get(f"/schools/{records.school_number}/{path}", token=token).get_json()
    order = order if isinstance(order, tuple) else (order,)
    stored = db.session.scalars(
        db.select(model).where(model.school_id == records.id).order_by(*order)
    ).all()
    assert body["items"] == schema(many=True).dump(stored)
    assert body["total"] == len(stored)
