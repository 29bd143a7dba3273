"""Every error the API answers: a JSON body with a 4xx status, never a 500, nothing half-written."""

import pytest
import sqlalchemy as sa

from app.extensions import db
from inventory.models import Device, NetworkLink
from schools.models import School


@pytest.fixture
def department(token_for):
    return token_for("department")[1]


@pytest.fixture
def school(make_school):
    return make_school()


def _error(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json
    return response.get_json()["error"]


def _device_count() -> int:
    return db.session.scalar(sa.select(sa.func.count(Device.id)))


def test_unknown_records_are_404(api, department):
    for path in ("/schools/999999", "/devices/NOPE", "/sites/123456", "/links/9", "/offerings/9"):
        assert _error(api.get(path, token=department), 404)["code"] == "not_found"
    assert _error(api.get("/no-such-resource", token=department), 404)["code"] == "not_found"


def test_huge_ids_in_paths_are_404(api, department):
    assert api.get("/sites/99999999999999999999999", token=department).status_code == 404
    assert api.get("/school-years/999999999999", token=department).status_code == 404


def test_wrong_method_is_405_json(api, department):
    assert _error(api.put("/schools", token=department, json={}), 405)["code"] == (
        "method_not_allowed"
    )


def test_duplicate_inventory_number_is_409(api, department, school, make_device, make_school):
    make_device(make_school(), inventory_number="DUP-1")  # in another school: unique city-wide
    response = api.post(
        f"/schools/{school.school_number}/devices",
        token=department,
        json={"inventory_number": "DUP-1", "category": "laptop"},
    )
    error = _error(response, 409)
    assert "inventory_number" in error["fields"]
    assert _device_count() == 1


def test_renaming_a_device_to_a_taken_number_is_409(api, department, school, make_device):
    make_device(school, inventory_number="TAKEN")
    make_device(school, inventory_number="MINE")
    response = api.patch("/devices/MINE", token=department, json={"inventory_number": "TAKEN"})
    _error(response, 409)


def test_duplicate_school_number_is_409(api, department, school):
    body = {"school_number": school.school_number, "name": "Doppelt", "school_form": "realschule"}
    _error(api.post("/schools", token=department, json=body), 409)
    assert db.session.scalar(sa.select(sa.func.count(School.id))) == 1


def test_stale_version_in_body_is_409_and_changes_nothing(api, department, school, make_device):
    make_device(school, inventory_number="V-1", room="A")
    assert api.patch("/devices/V-1", token=department, json={"room": "B"}).status_code == 200
    response = api.patch("/devices/V-1", token=department, json={"room": "C", "version": 1})
    assert _error(response, 409)["code"] == "conflict"
    db.session.expire_all()
    assert db.session.scalar(sa.select(Device.room).where(Device.inventory_number == "V-1")) == "B"


def test_stale_if_match_header_is_409(api, department, school, make_link):
    link = make_link(school)
    stale = {"If-Match": '"7"'}
    _error(
        api.patch(f"/links/{link.id}", token=department, json={"notes": "x"}, headers=stale), 409
    )
    current = {"If-Match": 'W/"1"'}
    response = api.patch(
        f"/links/{link.id}", token=department, json={"notes": "x"}, headers=current
    )
    assert response.status_code == 200 and response.get_json()["version"] == 2


def test_stale_if_match_on_delete_is_409(api, department, school, make_device):
    make_device(school, inventory_number="DEL-1")
    _error(api.delete("/devices/DEL-1", token=department, headers={"If-Match": '"5"'}), 409)
    assert _device_count() == 1


def test_patch_without_version_applies(api, department, school, make_device):
    make_device(school, inventory_number="NV-1")
    api.patch("/devices/NV-1", token=department, json={"room": "1"})
    response = api.patch("/devices/NV-1", token=department, json={"room": "2"})
    assert response.status_code == 200 and response.get_json()["room"] == "2"


def test_form_rules_answer_422_with_fields(api, department, school):
    response = api.post(
        f"/schools/{school.school_number}/devices",
        token=department,
        json={
            "inventory_number": "W-1",
            "category": "laptop",
            "purchase_date": "2026-05-01",
            "warranty_until": "2025-05-01",
        },
    )
    error = _error(response, 422)
    assert error["code"] == "validation_error"
    assert list(error["fields"]) == ["warranty_until"]
    assert _device_count() == 0


def test_missing_required_fields_are_422(api, department, school):
    response = api.post(f"/schools/{school.school_number}/links", token=department, json={})
    fields = _error(response, 422)["fields"]
    assert {"technology", "down_mbps", "up_mbps", "status"} <= set(fields)


def test_invalid_email_is_422(api, department, school):
    response = api.patch(
        f"/schools/{school.school_number}", token=department, json={"it_contact_email": "no-at"}
    )
    assert "it_contact_email" in _error(response, 422)["fields"]


def test_422_messages_follow_accept_language(api, department, school):
    path = f"/schools/{school.school_number}/devices"
    body = {"inventory_number": "", "category": "laptop"}
    german = _error(api.post(path, token=department, json=body), 422)
    english = _error(
        api.post(path, token=department, json=body, headers={"Accept-Language": "en"}), 422
    )
    assert english["message"] == "Some fields are not valid."
    assert german["message"] == "Einige Felder sind ungültig."
    assert english["fields"]["inventory_number"] != german["fields"]["inventory_number"]


def test_malformed_json_is_400(api, department, school):
    response = api.request(
        "POST",
        f"/schools/{school.school_number}/devices",
        token=department,
        data='{"inventory_number": "M-1", ',
        content_type="application/json",
    )
    assert _error(response, 400)["code"] == "bad_request"
    assert _device_count() == 0


def test_body_that_is_not_json_is_415(api, department, school):
    response = api.request(
        "PATCH",
        f"/schools/{school.school_number}",
        token=department,
        data="name=Hack",
        content_type="application/x-www-form-urlencoded",
    )
    _error(response, 415)


def test_json_that_is_not_an_object_is_422(api, department, school):
    response = api.post(f"/schools/{school.school_number}/devices", token=department, json=[1, 2])
    _error(response, 422)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("down_mbps", "1000"),  # a string, not a number
        ("down_mbps", 1000.5),
        ("down_mbps", True),
        ("status", 3),
        ("planned_date", "01.07.2026"),  # the API takes ISO dates
        ("planned_date", "2026-02-30"),
        ("notes", ["a", "b"]),
        ("site", "main"),
    ],
)
def test_wrong_types_are_422(api, department, school, field, value):
    body = {"technology": "fibre", "down_mbps": 1000, "up_mbps": 1000, "status": "active"}
    response = api.post(
        f"/schools/{school.school_number}/links", token=department, json={**body, field: value}
    )
    assert field in _error(response, 422)["fields"]
    assert db.session.scalar(sa.select(sa.func.count(NetworkLink.id))) == 0


@pytest.mark.parametrize(
    ("field", "raw"),
    [
        ("down_mbps", "100000000000000000000000000000"),
        ("down_mbps", "-5"),
        ("price", "1e400"),
        ("price", "123456789012.5"),
        ("price", "-1"),
        ("students", "99999999999999999999"),
    ],
)
def test_huge_or_negative_numbers_are_422(api, department, school, field, raw):
    if field == "students":
        path, body = f"/schools/{school.school_number}", f'{{"students": {raw}}}'
        method = "PATCH"
    elif field == "price":
        path = f"/schools/{school.school_number}/devices"
        body = f'{{"inventory_number": "H-1", "category": "laptop", "price": {raw}}}'
        method = "POST"
    else:
        path = f"/schools/{school.school_number}/links"
        body = f'{{"technology": "fibre", "up_mbps": 1000, "status": "active", "down_mbps": {raw}}}'
        method = "POST"
    response = api.request(
        method, path, token=department, data=body, content_type="application/json"
    )
    assert field in _error(response, 422)["fields"]


def test_number_with_thousands_of_digits_is_400(api, department, school):
    body = '{"technology": "fibre", "up_mbps": 1, "status": "active", "down_mbps": %s}' % (
        "9" * 5000
    )
    response = api.request(
        "POST",
        f"/schools/{school.school_number}/links",
        token=department,
        data=body,
        content_type="application/json",
    )
    _error(response, 400)


def test_nan_is_400(api, department, school):
    body = '{"inventory_number": "N-1", "category": "laptop", "price": NaN}'
    response = api.request(
        "POST",
        f"/schools/{school.school_number}/devices",
        token=department,
        data=body,
        content_type="application/json",
    )
    _error(response, 400)


def test_over_long_strings_are_422(api, department, school):
    response = api.post(
        f"/schools/{school.school_number}/devices",
        token=department,
        json={"inventory_number": "X" * 65, "category": "laptop", "notes": "n" * 5001},
    )
    assert {"inventory_number", "notes"} <= set(_error(response, 422)["fields"])
    assert _device_count() == 0


def test_unknown_and_read_only_fields_are_422(api, department, school, make_device):
    make_device(school, inventory_number="U-1")
    response = api.patch("/devices/U-1", token=department, json={"colour": "red"})
    assert "colour" in _error(response, 422)["fields"]
    response = api.patch("/devices/U-1", token=department, json={"school_number": "123456"})
    assert "school_number" in _error(response, 422)["fields"]


def test_nul_characters_are_refused(api, department, school):
    response = api.post(
        f"/schools/{school.school_number}/devices",
        token=department,
        json={"inventory_number": "NUL\x00", "category": "laptop"},
    )
    assert "inventory_number" in _error(response, 422)["fields"]
    assert api.get("/devices/A%00B", token=department).status_code == 400
    response = api.get(f"/schools/{school.school_number}/devices?room=%00", token=department)
    assert response.status_code in (400, 422)


def test_body_over_max_content_length_is_413_json(make_app, make_user, make_token, school):
    small = make_app(MAX_CONTENT_LENGTH=1000)
    token = make_token(make_user(role="department"))
    response = small.test_client().post(
        f"/api/v1/schools/{school.school_number}/devices",
        json={"inventory_number": "BIG", "category": "laptop", "notes": "x" * 2000},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too_large"
    assert _device_count() == 0


def test_unknown_school_year_for_readiness_is_404(api, department):
    _error(api.get("/readiness?school_year=2040", token=department), 404)


def test_etag_of_an_object_works_as_if_match(api, department, school, make_device):
    make_device(school, inventory_number="ET-1")
    etag = api.get("/devices/ET-1", token=department).headers["ETag"]
    assert etag == '"1"'
    response = api.patch(
        "/devices/ET-1", token=department, json={"room": "1"}, headers={"If-Match": etag}
    )
    assert response.status_code == 200 and response.headers["ETag"] == '"2"'
    _error(
        api.patch(
            "/devices/ET-1", token=department, json={"room": "2"}, headers={"If-Match": etag}
        ),
        409,
    )
