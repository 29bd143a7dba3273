"""The map of the sites: one linked, titled point per site with a position, shaped and
coloured by the readiness rule, over the outline; the table as its text alternative."""

import datetime as dt
from decimal import Decimal

import pytest
from lxml import etree, html

from reports import site_map
from reports.readiness import STATUS_AT_RISK, STATUS_PLANNED, STATUS_READY
from schools.school_years import today_in_berlin

SVG = "{http://www.w3.org/2000/svg}"
SHAPES = {"circle": STATUS_READY, "rect": STATUS_PLANNED, "polygon": STATUS_AT_RISK}


@pytest.fixture
def city(make_school, make_site, make_link, make_school_year):
    """Three schools: ready (main site at the school's position, an annex with its own),
    planned in time, at risk; and one school without any coordinates."""
    make_school_year(today_in_berlin().year, today_in_berlin() + dt.timedelta(days=90))
    ready = make_school("100001", "Gymnasium am Park", lat=Decimal("51.48"), lon=Decimal("7.21"))
    annex = make_site(ready, "Turnhalle", lat=Decimal("51.47"), lon=Decimal("7.22"))
    make_link(ready)
    make_link(ready, site=annex)
    planned = make_school("100002", "Grundschule Nord", lat=Decimal("51.52"), lon=Decimal("7.25"))
    make_link(planned, status="planned", planned_date=today_in_berlin() + dt.timedelta(days=30))
    risky = make_school("100003", "Realschule <Ost>", lat=Decimal("51.45"), lon=Decimal("7.3"))
    nowhere = make_school("100004", "Schule ohne Ort")
    return {"ready": ready, "annex": annex, "planned": planned, "risky": risky, "nowhere": nowhere}


def _svg(doc, css_id):
    (svg,) = doc.xpath(f'//*[local-name()="svg"][@id="{css_id}"]')
    return svg


def _points(svg):
    return svg.xpath('.//*[local-name()="a"][@class="map-point"]')


def _dashboard(client, login_as):
    login_as("department")
    response = client.get("/")
    assert response.status_code == 200
    return html.fromstring(response.get_data(as_text=True))


def test_dashboard_map_has_one_point_per_site_with_a_position(client, login_as, city):
    doc = _dashboard(client, login_as)
    points = _points(_svg(doc, "city-map"))
    sites = sorted(int(point.get("data-site")) for point in points)
    expected = sorted(
        [city["ready"].main_site.id, city["annex"].id]
        + [city[name].main_site.id for name in ("planned", "risky")]
    )
    assert sites == expected  # the school without coordinates is not drawn


def test_each_point_links_to_its_school_and_has_a_title(client, login_as, city):
    doc = _dashboard(client, login_as)
    by_site = {int(p.get("data-site")): p for p in _points(_svg(doc, "city-map"))}
    annex = by_site[city["annex"].id]
    assert annex.get("href") == "/schools/100001"
    title = annex.xpath('./*[local-name()="title"]')[0].text
    assert title == "Gymnasium am Park, Turnhalle: Bereit"
    assert annex.get("aria-label") == title
    risky = by_site[city["risky"].main_site.id]
    assert risky.get("href") == "/schools/100003"
    assert "Realschule <Ost>" in risky.xpath('./*[local-name()="title"]')[0].text  # escaped


def test_shape_and_colour_follow_the_readiness_rule(client, login_as, city):
    doc = _dashboard(client, login_as)
    by_site = {int(p.get("data-site")): p for p in _points(_svg(doc, "city-map"))}
    wanted = {
        city["ready"].main_site.id: STATUS_READY,
        city["annex"].id: STATUS_READY,
        city["planned"].main_site.id: STATUS_PLANNED,
        city["risky"].main_site.id: STATUS_AT_RISK,
    }
    for site_id, status in wanted.items():
        (drawn,) = [child for child in by_site[site_id] if etree.QName(child).localname != "title"]
        assert SHAPES[etree.QName(drawn).localname] == status
        assert drawn.get("fill") == site_map.STYLES[status][1]


def test_the_map_parses_as_svg_with_an_outline_and_no_style_attributes(client, login_as, city):
    login_as("department")
    page = client.get("/").get_data(as_text=True)
    start, end = page.index('<svg class="site-map"'), page.index("</svg>", page.index("city-map"))
    svg = etree.fromstring((page[start:end] + "</svg>").encode())
    assert svg.tag == f"{SVG}svg"
    assert svg.find(f"{SVG}title").text
    (outline,) = svg.findall(f"{SVG}polygon[@class='outline']")
    assert len(outline.get("points").split()) >= 3
    assert not svg.xpath("//*[@style]")


def test_the_table_lists_every_site_with_its_status_and_link(client, login_as, city):
    doc = _dashboard(client, login_as)
    rows = doc.get_element_by_id("city-map-sites").xpath("./tbody/tr")
    assert len(rows) == 5  # four sites with a position, one without
    by_site = {int(row.get("data-site")): row for row in rows}
    nowhere = by_site[city["nowhere"].main_site.id]
    assert "nicht erfasst" in nowhere.text_content()
    planned = by_site[city["planned"].main_site.id]
    assert "Anbindung rechtzeitig geplant" in planned.text_content()
    assert planned.xpath(".//a/@href") == ["/schools/100002"]
    assert "51,520000; 7,250000" in planned.text_content()
    assert (
        "1 Standort hat keine Koordinaten" in doc.get_element_by_id("map-unplaced").text_content()
    )


def test_school_page_shows_only_its_own_sites(client, login_as, city):
    login_as("school_admin", school=city["ready"])
    doc = html.fromstring(client.get("/schools/100001").get_data(as_text=True))
    points = _points(_svg(doc, "school-map"))
    assert sorted(int(p.get("data-site")) for p in points) == sorted(
        [city["ready"].main_site.id, city["annex"].id]
    )
    assert {p.get("href") for p in points} == {"/schools/100001"}
    rows = doc.get_element_by_id("school-map-sites").xpath("./tbody/tr")
    assert len(rows) == 2


def test_school_page_without_coordinates_says_so(client, login_as, city):
    login_as("department")
    doc = html.fromstring(client.get("/schools/100004").get_data(as_text=True))
    assert not doc.xpath('//*[local-name()="svg"][@id="school-map"]')
    assert "Koordinaten" in doc.get_element_by_id("site-map-none").text_content()


def test_a_main_site_without_coordinates_stands_where_its_school_does(app, city):
    positions = site_map.site_positions([city["ready"].main_site.id, city["annex"].id])
    assert positions[city["ready"].main_site.id] == (Decimal("51.48"), Decimal("7.21"))
    assert positions[city["annex"].id] == (Decimal("51.47"), Decimal("7.22"))


def test_convex_hull_keeps_the_outer_corners_only():
    square = [(0, 0), (2, 0), (2, 2), (0, 2), (1, 1), (1, 0)]
    assert site_map.convex_hull(square) == [(0, 0), (2, 0), (2, 2), (0, 2)]


def test_the_outline_is_drawn_from_the_shipped_data_and_holds_every_school(app):
    import csv

    outline = site_map.city_outline()
    assert len(outline) >= 3
    lons, lats = [x for x, _y in outline], [y for _x, y in outline]
    with open(site_map.DATA_DIR / "bochum_schools.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            assert min(lats) < float(row["lat"]) < max(lats)
            assert min(lons) < float(row["lon"]) < max(lons)
