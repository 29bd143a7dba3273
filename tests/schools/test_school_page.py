"""One school's page: registry data, sites with readiness, links, device counts,
offerings, recent history; and who may see it."""

import datetime as dt

import pytest

from schools import pages


def _page(client, school):
    response = client.get(f"/schools/{school.school_number}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _table(html: str, css_class: str) -> str:
    start = html.index(f'<table class="{css_class}">')
    return html[start : html.index("</table>", start)]


def _row(html: str, text: str) -> str:
    start = html.rindex("<tr", 0, html.index(text))
    return html[start : html.index("</tr>", start)]


def test_page_shows_registry_data_and_learning_levels(client, login_as, make_school):
    school = make_school(name="Hildegardis-Schule", street="Klinikstraße 1", postcode="44791")
    login_as("department")
    html = _page(client, school)
    assert "Hildegardis-Schule" in html
    assert "Klinikstraße 1, 44791 Bochum" in html
    assert school.it_contact_email in html
    assert "Sekundarstufe I, Sekundarstufe II" in html


def test_sites_show_readiness_best_and_planned_link(
    client, login_as, make_school, make_site, make_link
):
    school = make_school()
    branch = make_site(school, name="Außenstelle Nord")
    slow = make_site(school, name="Außenstelle Süd")
    make_link(school, provider="Stadtwerke", down_mbps=1000, up_mbps=1000)
    make_link(school, site=slow, technology="vdsl", down_mbps=250, up_mbps=40)
    make_link(
        school,
        site=branch,
        status="planned",
        provider="Glasfaser Ruhr",
        planned_date=dt.date(2027, 3, 1),
    )
    login_as("department")
    html = _table(_page(client, school), "sites")

    main_row = _row(html, "Hauptstandort")
    assert 'class="badge ready"' in main_row and "1000/1000 Mbit/s (Stadtwerke)" in main_row
    branch_row = _row(html, "Außenstelle Nord")
    assert "Keine aktive Netzanbindung" in branch_row
    assert "01.03.2027" in branch_row and "Glasfaser Ruhr" not in branch_row
    slow_row = _row(html, "Außenstelle Süd")
    assert "Aktive Anbindung zu langsam" in slow_row and "250/40 Mbit/s" in slow_row


def test_links_table_marks_the_best_active_link_of_each_site(
    client, login_as, make_school, make_link
):
    school = make_school()
    fast = make_link(school, provider="Schnell AG", down_mbps=2000, up_mbps=2000)
    make_link(school, provider="Langsam GmbH", down_mbps=100, up_mbps=20)
    make_link(school, provider="Alt KG", status="terminated")
    login_as("department")
    page = _page(client, school)
    html = _table(page, "links")

    assert 'class="best-link"' in _row(html, "Schnell AG")
    assert 'class="best-link"' not in _row(html, "Langsam GmbH")
    assert 'class="best-link"' not in _row(html, "Alt KG")
    assert html.count('class="best-link"') == 1
    if "inventory.link_edit" in client.application.view_functions:
        assert f'href="/links/{fast.id}/edit"' in html


def test_device_counts_by_category_and_status_and_devices_per_student(
    client, login_as, make_school, make_device
):
    school = make_school(students=10)
    for _ in range(3):
        make_device(school, category="laptop", status="in_use")
    make_device(school, category="tablet", status="in_use")
    make_device(school, category="tablet", status="in_repair")
    make_device(school, category="projector", status="in_use")  # not an end-user device
    login_as("department")

    counts = pages.device_counts(school)
    assert counts.count("laptop", "in_use") == 3
    assert counts.count("tablet", "in_repair") == 1
    assert counts.total == 6
    assert counts.end_user_in_use == 4

    html = _page(client, school)
    laptop_row = _row(html, "<td>Laptop</td>")
    assert '<td class="num">3</td>' in laptop_row
    assert "0,40" in html  # 4 end-user devices in use / 10 students


def test_devices_per_student_without_students_is_a_dash(make_school, app):
    school = make_school(students=None)
    assert pages.devices_per_student(pages.device_counts(school), school.students) is None


def test_device_counts_use_one_query(make_school, make_device, count_queries):
    school = make_school()
    for category in ("laptop", "tablet", "desktop", "printer"):
        make_device(school, category=category)
    assert school.id  # loaded before counting
    with count_queries() as counter:
        pages.device_counts(school)
    assert counter.count == 1


def test_offerings_are_grouped_by_learning_level(client, login_as, make_school, make_offering):
    school = make_school()
    make_offering(
        school, learning_level="sek2", kind="computer_science", description="Informatik-LK"
    )
    make_offering(
        school, learning_level="sek1", kind="tablet_class_set", description="iPad-Klasse 5"
    )
    login_as("department")
    html = _page(client, school)
    sek1 = html.index("<h3>Sekundarstufe I</h3>")
    sek2 = html.index("<h3>Sekundarstufe II</h3>")
    assert sek1 < html.index("iPad-Klasse 5") < sek2 < html.index("Informatik-LK")


def test_page_shows_the_latest_history_entries(client, login_as, make_school, make_device):
    school = make_school()
    for _ in range(20):
        make_device(school)
    login_as("department")
    html = _page(client, school)
    history = html[html.index('<table class="history">') :]
    history = history[: history.index("</table>")]
    assert history.count("<tr>") == pages.RECENT_HISTORY + 1  # header row + entries
    assert f"/schools/{school.school_number}/history" in html


def test_school_page_query_count_does_not_grow_with_records(
    client, login_as, make_school, make_site, make_link, make_device, make_offering, count_queries
):
    school = make_school()
    login_as("department")

    def queries() -> int:
        with count_queries() as counter:
            _page(client, school)
        return counter.count

    make_site(school)
    make_link(school)
    make_device(school)
    make_offering(school)
    few = queries()
    for index in range(10):
        site = make_site(school, name=f"Standort {index}")
        make_link(school, site=site)
        make_device(school, site=site, category="tablet")
        make_offering(school, learning_level="sek2")
    assert queries() == few


@pytest.mark.parametrize(
    "path",
    [
        "/schools/{number}",
        "/schools/{number}/edit",
        "/schools/{number}/history",
        "/schools/{number}/sites/new",
        "/sites/{site}/edit",
        "/sites/{site}/delete",
    ],
)
def test_school_admin_gets_404_for_another_schools_pages(client, login_as, make_school, path):
    own = make_school()
    other = make_school()
    login_as("school_admin", school=own)
    url = path.format(number=other.school_number, site=other.main_site.id)
    assert client.get(url).status_code == 404
    if not url.endswith(("/history", other.school_number)):
        assert client.post(url, data={"name": "Übernommen"}).status_code == 404


@pytest.mark.parametrize("role", ["department", "admin"])
@pytest.mark.parametrize(
    "path",
    [
        "/schools/{number}",
        "/schools/{number}/edit",
        "/schools/{number}/history",
        "/schools/{number}/delete",
        "/schools/{number}/sites/new",
        "/sites/{site}/edit",
        "/sites/{site}/delete",
        "/schools/new",
    ],
)
def test_department_and_admin_see_every_school(client, login_as, make_school, role, path):
    school = make_school()
    login_as(role)
    url = path.format(number=school.school_number, site=school.main_site.id)
    assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/schools/{number}",
        "/schools/{number}/edit",
        "/schools/{number}/history",
        "/schools/{number}/sites/new",
        "/sites/{site}/edit",
    ],
)
def test_school_admin_sees_own_school(client, login_as, make_school, path):
    school = make_school()
    login_as("school_admin", school=school)
    url = path.format(number=school.school_number, site=school.main_site.id)
    assert client.get(url).status_code == 200


def test_school_admin_may_not_create_or_delete_schools(client, login_as, make_school):
    school = make_school()
    login_as("school_admin", school=school)
    assert client.get("/schools/new").status_code == 403
    assert client.get(f"/schools/{school.school_number}/delete").status_code == 403
    assert client.post(f"/schools/{school.school_number}/delete").status_code == 403
    html = _page(client, school)
    assert f"/schools/{school.school_number}/delete" not in html


def test_unknown_school_is_404(client, login_as):
    login_as("department")
    assert client.get("/schools/999999").status_code == 404
    assert client.get("/sites/99999/edit").status_code == 404
