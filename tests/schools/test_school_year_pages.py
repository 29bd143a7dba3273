"""The department's school-year pages: list, new, edit (schools/school_year_views.py)."""

import datetime as dt

import pytest
import sqlalchemy as sa

from app.extensions import db
from schools.models import SchoolYear


def test_school_year_list_and_create(client, login_as, make_school_year):
    make_school_year(2026, dt.date(2026, 9, 2))
    login_as("department")
    page = client.get("/school-years/").get_data(as_text=True)
    assert "2026/27" in page and "02.09.2026" in page
    response = client.post(
        "/school-years/new", data={"label": "2031/32", "first_school_day": "2031-08-13"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    year = db.session.scalar(sa.select(SchoolYear).where(SchoolYear.start_year == 2031))
    assert (year.label, year.first_school_day) == ("2031/32", dt.date(2031, 8, 13))


@pytest.mark.parametrize(
    ("data", "field_id", "message"),
    [
        ({"label": "2031/33", "first_school_day": "2031-08-13"}, "label", "2026/27"),
        ({"label": "2026/27", "first_school_day": "2026-08-13"}, "label", "gibt es bereits"),
        ({"label": "2031/32", "first_school_day": "2030-08-13"}, "first_school_day", "Jahr"),
        ({"label": "2031/32", "first_school_day": "13.08."}, "first_school_day", "Feld"),
    ],
)
def test_invalid_school_year_shows_german_error_at_field(
    client, login_as, make_school_year, data, field_id, message
):
    make_school_year(2026, dt.date(2026, 9, 2))
    login_as("department")
    response = client.post("/school-years/new", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{field_id}-error"' in page
    assert message in page
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SchoolYear)) == 1


def test_school_year_edit_saves_with_current_version(client, login_as, make_school_year):
    year = make_school_year(2026, dt.date(2026, 9, 2))
    login_as("department")
    form = client.get("/school-years/2026/edit").get_data(as_text=True)
    assert 'value="2026-09-02"' in form
    response = client.post(
        "/school-years/2026/edit",
        data={"label": "2026/27", "first_school_day": "2026-08-26", "version": year.version},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(SchoolYear, year.id).first_school_day == dt.date(2026, 8, 26)


def test_stale_school_year_edit_is_refused_and_shows_current_values(
    client, login_as, make_school_year
):
    year = make_school_year(2026, dt.date(2026, 9, 2))
    loaded_version = year.version
    year.first_school_day = dt.date(2026, 8, 31)  # someone else saves first
    db.session.commit()
    login_as("department")
    response = client.post(
        "/school-years/2026/edit",
        data={"label": "2026/27", "first_school_day": "2026-08-26", "version": loaded_version},
    )
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "inzwischen geändert" in page and 'value="2026-08-31"' in page
    db.session.expire_all()
    assert db.session.get(SchoolYear, year.id).first_school_day == dt.date(2026, 8, 31)


def test_unknown_school_year_is_404(client, login_as):
    login_as("department")
    assert client.get("/school-years/1999/edit").status_code == 404
