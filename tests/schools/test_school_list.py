"""The school list: search, filters, scoping, gigabit badges, constant queries."""

import datetime as dt

import pytest

from schools.school_years import today_in_berlin


@pytest.fixture
def upcoming_year(make_school_year):
    today = today_in_berlin()
    return make_school_year(today.year + 1, dt.date(today.year + 1, 8, 20))


def _list(client, **params):
    response = client.get("/schools/", query_string=params)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _row(html: str, text: str) -> str:
    """The table row that contains text."""
    start = html.rindex("<tr", 0, html.index(text))
    return html[start : html.index("</tr>", start)]


def test_list_shows_schools_with_sites_students_and_badges(
    client, login_as, make_school, make_site, make_link, upcoming_year
):
    ready = make_school(name="Schule Bereit", students=812)
    make_link(ready)
    planned = make_school(name="Schule Geplant")
    make_link(planned, status="planned", planned_date=upcoming_year.first_school_day)
    missing = make_school(name="Schule Ohne")
    make_site(missing, name="Außenstelle")
    login_as("department")

    html = _list(client)

    assert "Schule Bereit" in html and "Schule Geplant" in html and "Schule Ohne" in html
    assert 'class="badge ready"' in _row(html, "Schule Bereit")
    assert 'class="badge planned"' in _row(html, "Schule Geplant")
    assert 'class="badge not-ready"' in _row(html, "Schule Ohne")
    assert '<td class="num">2</td>' in _row(html, "Schule Ohne")  # two sites
    assert '<td class="num">812</td>' in _row(html, "Schule Bereit")
    assert "3 Schulen" in html


def test_search_by_name_or_school_number(client, login_as, make_school):
    make_school(school_number="412345", name="Goethe-Gymnasium")
    make_school(school_number="198765", name="Schiller-Schule")
    login_as("department")

    by_name = _list(client, q="goethe")
    assert "Goethe-Gymnasium" in by_name and "Schiller-Schule" not in by_name

    by_number = _list(client, q="19876")
    assert "Schiller-Schule" in by_number and "Goethe-Gymnasium" not in by_number

    none = _list(client, q="%")
    assert "Keine Schule entspricht der Suche." in none


def test_filter_by_school_form_and_district(client, login_as, make_school):
    make_school(name="Grundschule Wattenscheid", school_form="grundschule", district="Wattenscheid")
    make_school(name="Gymnasium Mitte", school_form="gymnasium", district="Bochum-Mitte")
    make_school(name="Grundschule Mitte", school_form="grundschule", district="Bochum-Mitte")
    login_as("department")

    html = _list(client)
    assert '<option value="grundschule">Grundschule</option>' in html
    assert '<option value="Wattenscheid">Wattenscheid</option>' in html
    assert '<option value="realschule"' not in html  # only forms that occur are offered

    primary = _list(client, school_form="grundschule")
    assert "Grundschule Wattenscheid" in primary and "Grundschule Mitte" in primary
    assert "Gymnasium Mitte" not in primary

    both = _list(client, school_form="grundschule", district="Bochum-Mitte")
    assert "Grundschule Mitte" in both
    assert "Grundschule Wattenscheid" not in both and "Gymnasium Mitte" not in both


def test_unknown_filter_values_are_ignored(client, login_as, make_school):
    make_school(name="Eine Schule")
    login_as("department")
    assert "Eine Schule" in _list(client, school_form="<nonsense>")
    assert "&lt;nonsense&gt;" not in _list(client, school_form="<nonsense>")
    assert "Keine Schule entspricht der Suche." in _list(client, q="x" * 5000)


def test_school_admin_sees_only_their_schools(client, login_as, make_school):
    own = make_school(name="Eigene Schule", district="Süd")
    make_school(name="Fremde Schule", district="Nord")
    login_as("school_admin", school=own)

    html = _list(client)
    assert "Eigene Schule" in html
    assert "Fremde Schule" not in html
    assert '<option value="Nord">' not in html  # filter values come from visible schools only
    assert "Fremde Schule" not in _list(client, q="Fremde")


def test_new_school_button_only_for_department_and_admin(client, make_school, make_user, login):
    school = make_school()
    login(make_user("school_admin", schools=[school]))
    assert "Neue Schule" not in _list(client)
    for role in ("department", "admin"):
        other = client.application.test_client()
        login(make_user(role), client=other)
        response = other.get("/schools/")
        assert "Neue Schule" in response.get_data(as_text=True)


def test_list_query_count_does_not_grow_with_schools(
    client, login_as, make_school, make_site, make_link, count_queries, upcoming_year
):
    login_as("department")

    def queries_for_list() -> int:
        with count_queries() as counter:
            _list(client)
        return counter.count

    for _ in range(3):
        school = make_school()
        make_site(school)
        make_link(school)
    few = queries_for_list()
    for _ in range(27):
        school = make_school()
        make_site(school)
        make_link(school)
    many = queries_for_list()
    assert many == few


def test_school_name_with_markup_is_escaped(client, login_as, make_school):
    school = make_school(name="<script>alert(1)</script>")
    login_as("department")

    listing = _list(client)
    page = client.get(f"/schools/{school.school_number}").get_data(as_text=True)
    for html in (listing, page):
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_signed_out_visitor_is_sent_to_login(client):
    response = client.get("/schools/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
