"""The device list: search, filters, whitelisted sort, pagination that keeps the filters,
and a constant number of queries however many devices a school has."""

import datetime as dt
import re
from decimal import Decimal

import pytest

from app.extensions import db
from inventory.models import Device


@pytest.fixture
def school(make_school):
    return make_school()


@pytest.fixture
def admin_client(client, login_as, school):
    login_as("school_admin", school=school)
    return client


def listed(client, school, query="") -> list[str]:
    """The inventory numbers in the list's table, in order."""
    response = client.get(f"/schools/{school.school_number}/devices/{query}")
    assert response.status_code == 200
    return re.findall(r'<a href="/devices/([^"/]+)">', response.get_data(True))


def add_devices(school, count: int, prefix: str = "N", sites=None) -> None:
    sites = sites or [school.main_site]
    db.session.add_all(
        Device(
            school=school,
            site=sites[i % len(sites)],
            inventory_number=f"{prefix}-{i:04d}",
            category="laptop",
            status="in_use",
        )
        for i in range(count)
    )
    db.session.commit()


def test_list_shows_only_the_schools_devices_with_site_and_total(
    admin_client, school, make_school, make_device, make_site
):
    annex = make_site(school, name="Nebengebäude Süd")
    make_device(school, inventory_number="OWN-1", site=annex, price=Decimal("1299"))
    make_device(make_school(), inventory_number="FOREIGN-1")
    html = admin_client.get(f"/schools/{school.school_number}/devices/").get_data(True)
    assert "OWN-1" in html
    assert "FOREIGN-1" not in html
    assert "Nebengebäude Süd" in html
    assert "1.299,00\u00a0€" in html
    assert "Gefundene Geräte: 1" in html
    assert "Gerät hinzufügen" in html
    assert f"/schools/{school.school_number}/devices/new" in html
    assert "/devices/OWN-1/edit" in html


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("lenovo", ["A"]),
        ("THINK", ["A"]),
        ("sn-b", ["B"]),
        ("r 2", ["B"]),
        ("koffer", ["C"]),
        ("A", ["A"]),  # the inventory number itself
        ("100%", []),  # LIKE wildcards are searched literally
    ],
)
def test_search_covers_number_manufacturer_model_serial_room_notes(
    admin_client, school, make_device, term, expected
):
    make_device(school, inventory_number="A", manufacturer="Lenovo", model="ThinkPad")
    make_device(school, inventory_number="B", serial_number="SN-B7", room="R 2")
    make_device(school, inventory_number="C", notes="im Koffer")
    assert listed(admin_client, school, f"?q={term.replace('%', '%25')}") == expected


def test_filters_by_category_status_room_level_and_site(
    admin_client, school, make_device, make_site
):
    annex = make_site(school, name="Annex")
    make_device(school, inventory_number="L1", category="laptop", room="R1", learning_level="sek1")
    make_device(school, inventory_number="T1", category="tablet", status="spare", room="R2")
    make_device(school, inventory_number="T2", category="tablet", site=annex, learning_level="sek2")
    assert listed(admin_client, school, "?category=tablet") == ["T1", "T2"]
    assert listed(admin_client, school, "?status=spare") == ["T1"]
    assert listed(admin_client, school, "?room=R1") == ["L1"]
    assert listed(admin_client, school, "?learning_level=sek2") == ["T2"]
    assert listed(admin_client, school, f"?site={annex.id}") == ["T2"]
    assert listed(admin_client, school, "?category=tablet&status=in_use") == ["T2"]


def test_room_filter_offers_the_schools_rooms(admin_client, school, make_school, make_device):
    make_device(school, room="Raum 12")
    make_device(make_school(), room="Fremdraum")
    html = admin_client.get(f"/schools/{school.school_number}/devices/").get_data(True)
    assert '<option value="Raum 12">Raum 12</option>' in html
    assert "Fremdraum" not in html


def test_unknown_filter_values_are_ignored_not_errors(admin_client, school, make_device):
    make_device(school, inventory_number="X1")
    query = "?category=toaster&site=abc&page=-3&sort=notes;drop&dir=sideways"
    assert listed(admin_client, school, query) == ["X1"]


@pytest.mark.parametrize(
    ("sort", "direction", "expected"),
    [
        ("inventory_number", "asc", ["A", "B", "C"]),
        ("inventory_number", "desc", ["C", "B", "A"]),
        ("price", "asc", ["B", "C", "A"]),  # no price last
        ("price", "desc", ["C", "B", "A"]),
        ("purchase_date", "asc", ["C", "A", "B"]),
        ("warranty_until", "desc", ["A", "B", "C"]),
        ("category", "asc", ["B", "A", "C"]),
        ("room", "desc", ["C", "A", "B"]),
        ("status", "asc", ["A", "C", "B"]),
    ],
)
def test_sort_by_whitelisted_columns(admin_client, school, make_device, sort, direction, expected):
    make_device(
        school,
        inventory_number="A",
        category="laptop",
        status="in_use",
        room="B",
        purchase_date=dt.date(2024, 5, 1),
        warranty_until=dt.date(2029, 1, 1),
    )
    make_device(
        school,
        inventory_number="B",
        category="desktop",
        status="spare",
        room="A",
        price=Decimal("10"),
        purchase_date=dt.date(2025, 1, 1),
        warranty_until=dt.date(2028, 1, 1),
    )
    make_device(
        school,
        inventory_number="C",
        category="tablet",
        status="ordered",
        room="C",
        price=Decimal("200"),
        purchase_date=dt.date(2023, 1, 1),
    )
    assert listed(admin_client, school, f"?sort={sort}&dir={direction}") == expected


def test_pages_of_fifty_with_links_that_keep_filters(admin_client, school, make_device):
    add_devices(school, 120)
    make_device(school, inventory_number="TAB-1", category="tablet")
    first = listed(admin_client, school, "?category=laptop")
    assert len(first) == 50
    assert first[0] == "N-0000"
    html = admin_client.get(
        f"/schools/{school.school_number}/devices/?category=laptop&sort=inventory_number&dir=desc"
    ).get_data(True)
    assert "Gefundene Geräte: 120" in html
    assert "Seite 1 von 3" in html
    next_link = re.search(r'href="([^"]+)" rel="next"', html).group(1).replace("&amp;", "&")
    assert "category=laptop" in next_link
    assert "dir=desc" in next_link
    assert "page=2" in next_link
    third = listed(admin_client, school, "?category=laptop&page=3")
    assert third == [f"N-{i:04d}" for i in range(100, 120)]
    # A page beyond the end shows the last page.
    assert listed(admin_client, school, "?category=laptop&page=99") == third


def test_list_needs_the_same_number_of_queries_for_5_and_120_devices(
    client, login_as, make_school, make_site, count_queries
):
    """Devices spread over several sites, so loading each row's site lazily would show."""
    small, large = make_school(), make_school()
    add_devices(small, 5, prefix="S", sites=[make_site(small, name=f"S{i}") for i in range(5)])
    add_devices(large, 120, prefix="L", sites=[make_site(large, name=f"L{i}") for i in range(10)])
    login_as("school_admin", schools=[small, large])

    def statements(school):
        with count_queries() as counter:
            response = client.get(f"/schools/{school.school_number}/devices/")
        assert response.status_code == 200
        return counter.count

    assert statements(small) == statements(large)


@pytest.fixture
def department_client(client, login_as):
    login_as("department")
    return client


def test_query_count_is_constant_for_a_department_user(
    department_client, make_school, count_queries, make_site
):
    def statements(count):
        school = make_school()
        annex = make_site(school, name="Annex")
        db.session.add_all(
            Device(
                school=school,
                site=annex if i % 2 else school.main_site,
                inventory_number=f"Q{count}-{i:04d}",
                category="tablet",
                status="in_use",
                room=f"R{i % 7}",
            )
            for i in range(count)
        )
        db.session.commit()
        with count_queries() as counter:
            html = department_client.get(f"/schools/{school.school_number}/devices/").get_data(True)
        assert "Annex" in html
        return counter.count

    assert statements(5) == statements(120)
