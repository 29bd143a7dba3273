"""The pages that list a school's inventory run the same number of queries with a little
and with a lot of it: the device list, the school page and both dashboards, each
measured once with a small and once with a large inventory (more devices, links,
offerings, sites, schools and history), so a lazy load per row would show."""

import datetime as dt
import itertools

import pytest

from app.extensions import db
from inventory.models import Device, NetworkLink, Offering
from schools.models import Site

_numbers = itertools.count(1)

SMALL = {"sites": 2, "devices": 3, "links": 1, "offerings": 1}
LARGE = {"sites": 5, "devices": 40, "links": 8, "offerings": 10}
LEVELS = ("sek1", "sek2")
KINDS = ("lms", "classroom_wifi", "tablet_class_set", "presentation", "computer_science")


def stock(school, sites: int, devices: int, links: int, offerings: int) -> None:
    """Give a school `sites` sites in all and spread the records over them."""
    buildings = [school.main_site] + [
        Site(school=school, name=f"Gebäude {next(_numbers)}", is_main=False)
        for _ in range(sites - 1)
    ]
    db.session.add_all(buildings)
    for i in range(devices):
        db.session.add(
            Device(
                school=school,
                site=buildings[i % sites],
                inventory_number=f"QC-{next(_numbers):06d}",
                category=("laptop", "tablet", "projector")[i % 3],
                status=("in_use", "in_use", "spare")[i % 3],
                room=f"R{i % 7}",
                learning_level="sek1",
                purchase_date=dt.date(2024, 1, 1) + dt.timedelta(days=i),
            )
        )
    for i in range(links):
        db.session.add(
            NetworkLink(
                school=school,
                site=buildings[i % sites],
                technology="fibre" if i % 2 else "vdsl",
                down_mbps=1000 if i % 2 else 100,
                up_mbps=1000 if i % 2 else 40,
                status=("active", "planned")[i % 2],
                planned_date=dt.date(2027, 3, 1) if i % 2 else None,
            )
        )
    for i in range(offerings):
        db.session.add(
            Offering(
                school=school,
                learning_level=LEVELS[i % 2],
                kind=KINDS[i % len(KINDS)],
                status=("available", "planned")[i % 2],
            )
        )
    db.session.commit()


@pytest.fixture
def city(make_school, make_school_year):
    """city(size) -> a school stocked with that size (SMALL or LARGE), plus the school years
    the dashboards judge against."""
    make_school_year(2025, dt.date(2025, 8, 27))
    make_school_year(2026, dt.date(2026, 8, 26))
    make_school_year(2027, dt.date(2027, 8, 25))

    def build(size: dict):
        school = make_school()
        stock(school, **size)
        return school

    return build


def statements(client, count_queries, path: str) -> int:
    client.get(path)  # warm up: caches and the session's first touches are not the page's
    with count_queries() as counter:
        response = client.get(path)
    assert response.status_code == 200, path
    return counter.count


@pytest.mark.parametrize("role", ["school_admin", "department"])
@pytest.mark.parametrize(
    "page", ["/schools/{number}/devices/", "/schools/{number}", "/schools/{number}/history"]
)
def test_school_pages_take_as_many_queries_for_a_large_inventory(
    client, login_as, city, count_queries, role, page
):
    small, large = city(SMALL), city(LARGE)
    login_as(role, schools=[small, large] if role == "school_admin" else ())
    few = statements(client, count_queries, page.format(number=small.school_number))
    many = statements(client, count_queries, page.format(number=large.school_number))
    assert few == many


def test_device_list_page_two_takes_as_many_queries_as_page_one(
    client, login_as, city, count_queries, app
):
    app.config["PER_PAGE"] = 15
    school = city(LARGE)
    login_as("school_admin", school=school)
    path = f"/schools/{school.school_number}/devices/"
    assert statements(client, count_queries, path) == statements(
        client, count_queries, path + "?page=3&sort=purchase_date&dir=desc"
    )


@pytest.mark.parametrize("role", ["school_admin", "department"])
def test_dashboard_takes_as_many_queries_for_a_large_city(
    client, login_as, city, count_queries, role
):
    """The city grows from one small school to that plus three large ones."""
    first = city(SMALL)
    user = login_as(role, schools=[first] if role == "school_admin" else ())
    few = statements(client, count_queries, "/")
    more = [city(LARGE) for _ in range(3)]
    if role == "school_admin":
        user.schools.extend(more)
        db.session.commit()
    assert statements(client, count_queries, "/") == few
