"""Devices per student by Sozialindex level: the figures, the dashboard's table with its
operator filter, and the workbook's Sozialindex sheet read back with openpyxl."""

import io

import pytest
from lxml import html
from openpyxl import load_workbook

from reports import exports
from reports.need import devices_by_sozialindex, parse_operator


@pytest.fixture
def schools(make_school, make_device):
    """Level 3: a city school (100 students, 2 devices in use, 1 spare, 1 printer) and a
    private one (50 students, 1 device); level 7: a city school; one school without index."""
    city3 = make_school("100001", students=100, sozialindex=3, operator="city")
    make_device(city3, category="laptop")
    make_device(city3, category="tablet")
    make_device(city3, category="tablet", status="spare")  # not in use
    make_device(city3, category="printer")  # not an end-user device
    private3 = make_school("100002", students=50, sozialindex=3, operator="private")
    make_device(private3, category="desktop")
    city7 = make_school("100003", students=200, sozialindex=7, operator="city")
    for _ in range(6):
        make_device(city7, category="tablet")
    make_school("100004", students=80, sozialindex=None, operator="other_public")
    return {"city3": city3, "private3": private3, "city7": city7}


def _as_tuples(rows):
    return [(row.level, row.schools, row.devices, row.students) for row in rows]


def test_levels_count_end_user_devices_in_use_and_students(app, schools):
    rows = devices_by_sozialindex()
    assert _as_tuples(rows) == [(3, 2, 3, 150), (7, 1, 6, 200), (None, 1, 0, 80)]
    assert rows[0].per_student == pytest.approx(0.02)
    assert rows[2].per_student == 0


def test_the_city_filter_keeps_only_the_citys_own_schools(app, schools):
    assert _as_tuples(devices_by_sozialindex(operator="city")) == [(3, 1, 2, 100), (7, 1, 6, 200)]
    assert _as_tuples(devices_by_sozialindex([schools["private3"].id])) == [(3, 1, 1, 50)]


def test_unknown_operator_filter_means_all_schools():
    assert parse_operator("city") == "city"
    assert parse_operator("council") is None
    assert parse_operator(None) is None


def _need_rows(doc):
    table = doc.get_element_by_id("devices-by-sozialindex")
    return [
        [" ".join(cell.text_content().split()) for cell in row.xpath("./th|./td")]
        for row in table.xpath("./tbody/tr")
    ]


def test_dashboard_shows_the_table_and_filters_by_operator(client, login_as, schools):
    login_as("department")
    doc = html.fromstring(client.get("/").get_data(as_text=True))
    assert _need_rows(doc) == [
        ["3", "2", "3", "150", "0,02"],
        ["7", "1", "6", "200", "0,03"],
        ["ohne Index", "1", "0", "80", "0,00"],
    ]
    doc = html.fromstring(client.get("/?operator=city").get_data(as_text=True))
    assert _need_rows(doc) == [["3", "1", "2", "100", "0,02"], ["7", "1", "6", "200", "0,03"]]
    assert doc.xpath('//select[@name="operator"]/option[@selected]/@value') == ["city"]
    # an unknown filter value shows every school, never an error
    response = client.get("/?operator=council")
    assert response.status_code == 200
    assert len(_need_rows(html.fromstring(response.get_data(as_text=True)))) == 3


def test_workbook_sheet_has_all_schools_and_the_city_schools(app, schools):
    target = io.BytesIO()
    exports.write_workbook(target)
    target.seek(0)
    sheet = load_workbook(target)["Sozialindex"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Sozialindex"
    assert rows[0][5] == "Schulen (städtische Schulen)"
    assert [row[:4] for row in rows[1:]] == [
        ("3", 2, 3, 150),
        ("7", 1, 6, 200),
        ("ohne Index", 1, 0, 80),
    ]
    assert [row[5:8] for row in rows[1:]] == [(1, 2, 100), (1, 6, 200), (0, 0, 0)]
    assert rows[1][4] == pytest.approx(0.02)
    assert rows[3][8] is None  # no city school without index: no ratio
