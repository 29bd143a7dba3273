"""Lists: pages, filters, and a constant number of queries per page."""

import pytest

from app.extensions import db
from inventory.models import Device


@pytest.fixture
def department(token_for):
    return token_for("department")[1]


@pytest.fixture
def school_with_devices(make_school, make_site):
    """A school with 30 devices: 12 tablets in use, 8 laptops in repair, 10 laptops in use."""
    school = make_school()
    annex = make_site(school, name="Annex")
    devices = []
    for index in range(30):
        if index < 12:
            category, status = "tablet", "in_use"
        elif index < 20:
            category, status = "laptop", "in_repair"
        else:
            category, status = "laptop", "in_use"
        devices.append(
            Device(
                school=school,
                site=annex if index % 3 == 0 else None,
                inventory_number=f"L-{index:04d}",
                category=category,
                status=status,
            )
        )
    db.session.add_all(devices)
    db.session.commit()
    return school, annex


def test_devices_are_paged(api, department, school_with_devices):
    school, _annex = school_with_devices
    path = f"/schools/{school.school_number}/devices"
    first = api.get(f"{path}?per_page=10", token=department).get_json()
    assert (first["page"], first["per_page"], first["total"]) == (1, 10, 30)
    assert [item["inventory_number"] for item in first["items"]] == [
        f"L-{index:04d}" for index in range(10)
    ]
    last = api.get(f"{path}?per_page=10&page=3", token=department).get_json()
    assert [item["inventory_number"] for item in last["items"]][-1] == "L-0029"
    beyond = api.get(f"{path}?per_page=10&page=4", token=department).get_json()
    assert beyond["items"] == [] and beyond["total"] == 30


def test_default_page_size_is_50(api, department, school_with_devices):
    school, _annex = school_with_devices
    body = api.get(f"/schools/{school.school_number}/devices", token=department).get_json()
    assert body["per_page"] == 50 and len(body["items"]) == 30


@pytest.mark.parametrize("query", ["per_page=501", "per_page=0", "page=0", "page=x"])
def test_page_arguments_out_of_range_are_422(api, department, school_with_devices, query):
    school, _annex = school_with_devices
    response = api.get(f"/schools/{school.school_number}/devices?{query}", token=department)
    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) <= {"page", "per_page"}


def test_devices_filter_by_fields(api, department, school_with_devices):
    school, _annex = school_with_devices
    path = f"/schools/{school.school_number}/devices"
    body = api.get(f"{path}?category=laptop&status=in_use", token=department).get_json()
    assert body["total"] == 10
    assert {(i["category"], i["status"]) for i in body["items"]} == {("laptop", "in_use")}
    assert api.get(f"{path}?category=tablet", token=department).get_json()["total"] == 12


def test_device_site_filter_counts_devices_without_site_as_main_site(
    api, department, school_with_devices
):
    school, annex = school_with_devices
    path = f"/schools/{school.school_number}/devices"
    assert api.get(f"{path}?site={annex.id}", token=department).get_json()["total"] == 10
    main = school.main_site.id
    assert api.get(f"{path}?site={main}", token=department).get_json()["total"] == 20


def test_unknown_filter_code_is_422(api, department, school_with_devices):
    school, _annex = school_with_devices
    response = api.get(
        f"/schools/{school.school_number}/devices?category=toaster", token=department
    )
    assert response.status_code == 422
    assert "category" in response.get_json()["error"]["fields"]


def test_schools_filter_by_form_district_and_level(api, department, make_school):
    make_school(school_form="grundschule", district="Wattenscheid", learning_levels_codes="primar")
    make_school(school_form="gymnasium", district="Wattenscheid")
    make_school(school_form="gymnasium", district="Bochum-Süd")
    assert api.get("/schools?district=Wattenscheid", token=department).get_json()["total"] == 2
    body = api.get("/schools?school_form=gymnasium&district=Wattenscheid", token=department)
    assert body.get_json()["total"] == 1
    assert api.get("/schools?learning_levels=primar", token=department).get_json()["total"] == 1


def test_school_admin_lists_only_own_schools(api, token_for, make_school):
    own, _other = make_school(), make_school()
    _user, token = token_for("school_admin", schools=[own])
    body = api.get("/schools", token=token).get_json()
    assert [item["school_number"] for item in body["items"]] == [own.school_number]
    assert body["total"] == 1


def test_links_and_offerings_filter(api, department, make_school, make_link, make_offering):
    school = make_school()
    make_link(school, status="active")
    make_link(school, status="planned", technology="fibre")
    make_link(school, status="active", technology="vdsl", down_mbps=100, up_mbps=40)
    make_offering(school, kind="lms")
    make_offering(school, kind="classroom_wifi", learning_level="sek2")
    number = school.school_number
    links = api.get(f"/schools/{number}/links?status=active", token=department).get_json()
    assert links["total"] == 2
    vdsl = api.get(f"/schools/{number}/links?technology=vdsl", token=department).get_json()
    assert [item["down_mbps"] for item in vdsl["items"]] == [100]
    offerings = api.get(f"/schools/{number}/offerings?learning_level=sek2", token=department)
    assert [item["kind"] for item in offerings.get_json()["items"]] == ["classroom_wifi"]


def test_device_list_takes_the_same_number_of_queries_for_any_page_size(
    api, department, school_with_devices, count_queries
):
    school, _annex = school_with_devices
    path = f"/schools/{school.school_number}/devices"
    api.get(f"{path}?per_page=1", token=department)  # warm up (last_used_at written once)
    with count_queries() as small:
        assert len(api.get(f"{path}?per_page=2", token=department).get_json()["items"]) == 2
    with count_queries() as large:
        assert len(api.get(f"{path}?per_page=30", token=department).get_json()["items"]) == 30
    assert small.count == large.count
    assert large.count <= 6, large.statements


def test_school_list_takes_the_same_number_of_queries_for_any_page_size(
    api, department, make_school, count_queries
):
    for _ in range(12):
        make_school()
    api.get("/schools?per_page=1", token=department)
    with count_queries() as small:
        api.get("/schools?per_page=2", token=department)
    with count_queries() as large:
        assert len(api.get("/schools?per_page=12", token=department).get_json()["items"]) == 12
    assert small.count == large.count


def test_schools_filter_by_operator_and_startchancen(api, department, make_school):
    make_school(operator="city", startchancen=True)
    make_school(operator="city")
    make_school(operator="private")
    assert api.get("/schools?operator=city", token=department).get_json()["total"] == 2
    assert api.get("/schools?operator=private", token=department).get_json()["total"] == 1
    assert api.get("/schools?startchancen=true", token=department).get_json()["total"] == 1
    assert api.get("/schools?operator=council", token=department).status_code == 422
