"""/reports/: the workbook download for the department and for school admins."""

import io

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.audit import AuditEntry
from app.extensions import db
from reports.exports import MIME_TYPE
from schools.school_years import today_in_berlin


def _workbook(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return load_workbook(io.BytesIO(response.data))


def _school_numbers(workbook, sheet="Geräte", column=0) -> set[str]:
    return {row[column] for row in workbook[sheet].iter_rows(min_row=2, values_only=True)}


@pytest.fixture
def two_schools(make_school, make_device, make_school_year):
    make_school_year(2026)
    own = make_school("200001", "Eigene Schule", school_form="grundschule", district="Wattenscheid")
    other = make_school("200002", "Andere Schule", school_form="gymnasium")
    make_device(own, inventory_number="OWN-1")
    make_device(other, inventory_number="OTHER-1")
    return own, other


def test_department_downloads_the_whole_city(client, login_as, two_schools):
    login_as("department")
    response = client.get("/reports/workbook.xlsx")
    assert response.mimetype == MIME_TYPE
    disposition = response.headers["Content-Disposition"]
    today = today_in_berlin().isoformat()
    assert f"filename=gute-schule-stadt-bochum-{today}.xlsx" in disposition
    workbook = _workbook(response)
    assert _school_numbers(workbook) == {"200001", "200002"}
    assert _school_numbers(workbook, "Schulen") == {"200001", "200002"}


def test_one_schools_workbook_is_named_with_its_number_name_and_date(
    client, login_as, make_school, make_school_year
):
    make_school_year(2026)
    make_school("200003", "Städt. Gemeinschaftsgrundschule Am Ölbach")
    make_school("200004", "Andere Schule")
    login_as("department")
    response = client.get("/reports/workbook.xlsx?school=200003")
    today = today_in_berlin().isoformat()
    assert response.headers["Content-Disposition"] == (
        f"attachment; filename=gute-schule-200003-staedt-gemeinschaftsgrundschule-am-oelbach-{today}.xlsx"
    )


def test_school_admin_with_one_school_gets_it_named_after_the_school(client, login_as, two_schools):
    own, _other = two_schools
    login_as("school_admin", school=own)
    response = client.get("/reports/workbook.xlsx")
    today = today_in_berlin().isoformat()
    assert (
        f"filename=gute-schule-200001-eigene-schule-{today}.xlsx"
        in response.headers["Content-Disposition"]
    )


def test_department_filters_by_school_form_district_and_school(client, login_as, two_schools):
    login_as("department")
    by_form = _workbook(client.get("/reports/workbook.xlsx?school_form=gymnasium"))
    assert _school_numbers(by_form) == {"200002"}
    by_district = _workbook(client.get("/reports/workbook.xlsx?district=Wattenscheid"))
    assert _school_numbers(by_district) == {"200001"}
    by_school = _workbook(client.get("/reports/workbook.xlsx?school=200002"))
    assert _school_numbers(by_school, "Gigabit-Status") == {"200002"}
    info = dict(by_school["Info"].iter_rows(min_row=2, values_only=True))
    assert "200002" in info["Filter"]


def test_school_admin_gets_only_their_own_schools(client, login_as, two_schools):
    own, _other = two_schools
    login_as("school_admin", school=own)
    workbook = _workbook(client.get("/reports/workbook.xlsx"))
    for sheet in ("Schulen", "Geräte", "Gigabit-Status"):
        assert _school_numbers(workbook, sheet) == {"200001"}, sheet
    assert _school_numbers(workbook, "Standorte", column=1) == {"200001"}


def test_school_admin_gets_404_for_another_schools_number(client, login_as, two_schools):
    own, _other = two_schools
    login_as("school_admin", school=own)
    assert client.get("/reports/workbook.xlsx?school=200002").status_code == 404
    assert client.get("/reports/workbook.xlsx?school=200001&school=200002").status_code == 404
    assert client.get("/reports/workbook.xlsx?school=999999").status_code == 404


def test_download_is_recorded_in_the_audit_log(client, login_as, two_schools):
    user = login_as("department")
    _workbook(client.get("/reports/workbook.xlsx?school_form=gymnasium"))
    db.session.expire_all()
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "export"))
    assert entry.actor == user.email
    assert entry.object_id.startswith("gute-schule-")
    assert "Gymnasium" in entry.changes["filters"]


def test_bad_filters_answer_400_not_500(client, login_as, two_schools):
    login_as("department")
    assert client.get("/reports/workbook.xlsx?school_year=1999/00").status_code == 400
    assert client.get("/reports/workbook.xlsx?school_form=burg").status_code == 400
    assert client.get("/reports/workbook.xlsx?district=Atlantis").status_code == 400


def test_chosen_school_year_is_used(client, login_as, two_schools):
    login_as("department")
    workbook = _workbook(client.get("/reports/workbook.xlsx?school_year=2026/27"))
    years = {row[9] for row in workbook["Gigabit-Status"].iter_rows(min_row=2, values_only=True)}
    assert years == {"2026/27"}


def test_downloads_page_offers_the_workbook(client, login_as, two_schools):
    login_as("department")
    page = client.get("/reports/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'action="/reports/workbook.xlsx"' in html
    assert "Andere Schule" in html and "Eigene Schule" in html


def test_downloads_page_of_a_school_admin_lists_only_their_schools(client, login_as, two_schools):
    own, _other = two_schools
    login_as("school_admin", school=own)
    html = client.get("/reports/").get_data(as_text=True)
    assert "Eigene Schule" in html
    assert "Andere Schule" not in html
    assert "/reports/workbook.xlsx?school=200001" in html


def test_downloads_need_sign_in(client, two_schools):
    assert client.get("/reports/").status_code == 302
    assert client.get("/reports/workbook.xlsx").status_code == 302
