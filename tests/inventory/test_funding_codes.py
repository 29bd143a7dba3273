"""A device's funding code is kept as its funding shares by the inventory's write service
(inventory/funding_service.py), on the single and the bulk path alike."""

import datetime as dt
import re
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.errors import InvalidFieldsError
from app.extensions import db
from inventory import service
from inventory.funding_models import FundingProgramme, FundingShare
from tests.inventory.test_device_views import device_data


@pytest.fixture(autouse=True)
def _request(app):
    with app.test_request_context():
        yield


def _shares(device_id: int) -> list[tuple[str, Decimal | None, str]]:
    rows = db.session.execute(
        sa.select(FundingProgramme.code, FundingShare.amount, FundingShare.grant_reference)
        .join(FundingShare.programme)
        .where(FundingShare.device_id == device_id)
        .order_by(FundingProgramme.code)
    )
    return [tuple(row) for row in rows]


def _device(school, number="FUND-1", **values):
    return service.create(
        "devices", school, {"inventory_number": number, "category": "laptop", **values}
    )


def test_a_new_device_with_a_code_gets_a_whole_price_share(make_school):
    device = _device(make_school("400001"), funding="digitalpakt", price=Decimal("450"))
    assert _shares(device.id) == [("digitalpakt", None, "")]
    assert [share.programme.code for share in device.funding_shares] == ["digitalpakt"]


def test_a_new_device_without_a_code_has_no_share(make_school):
    device = _device(make_school("400001"))
    assert _shares(device.id) == []


def test_a_changed_code_moves_the_share_and_no_code_removes_it(make_school):
    device = _device(make_school("400001"), funding="digitalpakt")
    service.update(device, {"funding": "foerderverein"})
    assert _shares(device.id) == [("foerderverein", None, "")]
    assert [share.programme.code for share in device.funding_shares] == ["foerderverein"]
    service.update(device, {"funding": None})
    assert _shares(device.id) == []


def test_an_unchanged_code_keeps_the_share_and_its_grant_reference(make_school):
    device = _device(make_school("400001"), funding="digitalpakt")
    db.session.execute(
        sa.update(FundingShare)
        .where(FundingShare.device_id == device.id)
        .values(grant_reference="DP-2021-17")
    )
    # a web form sends every field again, the code unchanged
    service.update(device, {"funding": "digitalpakt", "room": "B 12"})
    assert _shares(device.id) == [("digitalpakt", None, "DP-2021-17")]


def test_setting_the_code_makes_a_partial_share_of_it_the_whole_price(make_school):
    device = _device(make_school("400001"), funding="schultraeger")
    other = db.session.scalar(sa.select(FundingProgramme).filter_by(code="digitalpakt"))
    db.session.add(FundingShare(device_id=device.id, programme_id=other.id, amount=Decimal("90")))
    db.session.flush()
    service.update(device, {"funding": "digitalpakt"})
    assert _shares(device.id) == [("digitalpakt", None, "")]


def test_a_code_without_a_programme_is_refused_naming_the_field(make_school):
    school = make_school("400001")
    db.session.execute(sa.delete(FundingProgramme).where(FundingProgramme.code == "other"))
    with pytest.raises(InvalidFieldsError) as refused:
        _device(school, funding="other")
    assert list(refused.value.fields) == ["funding"]


def test_the_bulk_path_keeps_the_shares_like_the_single_path(make_school):
    school = make_school("400001")
    codes = ["digitalpakt", None, "foerderverein"]
    rows = [
        (
            school,
            service.clean_record(
                "devices",
                school,
                {"inventory_number": f"BULK-{i}", "category": "laptop", "funding": code},
            ),
        )
        for i, code in enumerate(codes)
    ]
    ids = service.bulk_create("devices", rows)
    assert [_shares(i) for i in ids] == [
        [("digitalpakt", None, "")],
        [],
        [("foerderverein", None, "")],
    ]

    devices = [db.session.get(service.MODELS["devices"], i) for i in ids]
    changes = [
        (devices[0], {"funding": None}),
        (devices[1], {"funding": "other"}),
        (devices[2], {"room": "A 1"}),  # code unchanged
    ]
    service.bulk_update("devices", changes)
    assert [_shares(i) for i in ids] == [[], [("other", None, "")], [("foerderverein", None, "")]]


def test_the_device_page_shows_its_shares_and_how_long_it_is_bound(client, login_as, make_school):
    school = make_school("400001")
    programme = db.session.scalar(sa.select(FundingProgramme).filter_by(code="digitalpakt"))
    programme.period_end = dt.date(2024, 12, 31)  # bound to the end of 2029 (5 years)
    db.session.commit()
    login_as("school_admin", school=school)
    data = {**device_data(), "inventory_number": "FUND-WEB", "funding": "digitalpakt"}
    assert client.post(f"/schools/{school.school_number}/devices/new", data=data).status_code == 302

    html = client.get("/devices/FUND-WEB").get_data(True)
    assert re.search(r"Zweckgebunden bis</th><td>31\.12\.2029</td>", html)
    shares = html[html.index("Förderanteile") :]
    assert "DigitalPakt Schule" in shares and "ganzer Preis" in shares and "31.12.2029" in shares


# --- the cap per device ------------------------------------------------------------------


def test_a_price_above_the_programme_cap_is_refused_at_the_funding_field(make_school):
    school = make_school("400001")
    with pytest.raises(InvalidFieldsError) as refused:
        _device(school, funding="react_eu", price=Decimal("1299.00"))
    assert list(refused.value.fields) == ["funding"]
    assert "500,00" in refused.value.fields["funding"][0]
    # without a cap (DigitalPakt) or without a price there is nothing to exceed
    _device(school, "FUND-2", funding="digitalpakt", price=Decimal("1299.00"))
    _device(school, "FUND-3", funding="react_eu")


def test_raising_the_price_of_a_capped_device_is_refused_too(make_school):
    device = _device(make_school("400001"), funding="react_eu", price=Decimal("480.00"))
    with pytest.raises(InvalidFieldsError) as refused:
        service.update(device, {"price": Decimal("520.00")})
    assert list(refused.value.fields) == ["funding"]
    db.session.refresh(device)
    assert device.price == Decimal("480.00")


# --- retiring a device still bound to its purpose ----------------------------------------


def test_retiring_a_bound_device_asks_for_the_reason(make_school):
    device = _device(make_school("400001"), funding="digitalpakt")  # bound to 31.12.2029
    with pytest.raises(InvalidFieldsError) as refused:
        service.update(device, {"status": "retired"})
    assert list(refused.value.fields) == ["retired_reason"]
    assert "31.12.2029" in refused.value.fields["retired_reason"][0]
    with pytest.raises(InvalidFieldsError):
        service.update(device, {"status": "retired", "retired_reason": "   "})

    service.update(device, {"status": "retired", "retired_reason": "Wasserschaden"})
    assert (device.status, device.retired_reason) == ("retired", "Wasserschaden")


def test_a_new_bound_device_cannot_start_retired_without_a_reason(make_school):
    with pytest.raises(InvalidFieldsError) as refused:
        _device(make_school("400001"), funding="digitalpakt", status="retired")
    assert list(refused.value.fields) == ["retired_reason"]


def test_devices_retired_before_the_rule_stay_editable(make_school, make_device):
    school = make_school("400001")
    device = make_device(school, funding="digitalpakt", status="retired")
    service.update(device, {"room": "Keller"})
    assert device.room == "Keller"


def test_no_reason_needed_without_a_binding_or_once_it_has_ended(make_school):
    school = make_school("400001")
    programme = db.session.scalar(sa.select(FundingProgramme).filter_by(code="digitalpakt"))
    programme.period_start = dt.date(2014, 1, 1)
    programme.period_end = dt.date(2015, 12, 31)  # bound to the end of 2020: over
    db.session.flush()
    _device(school, "FUND-A", funding="digitalpakt", status="retired")
    _device(school, "FUND-B", funding="schultraeger", status="retired")  # no binding
    _device(school, "FUND-C", status="retired")  # no funding
