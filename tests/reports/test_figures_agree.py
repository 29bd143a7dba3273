"""The dashboard, the department workbook and the API tell the same gigabit story: on the
demo city, ready counts, at-risk counts and every school's ready flag agree."""

import io

import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from lxml import html
from openpyxl import load_workbook

from app.audit import acting_as
from app.demo import seed_demo
from app.extensions import db
from app.users import ApiToken, User
from reports import dashboard
from reports.exports import LOCALE, SHEET_GIGABIT, SHEET_SCHOOLS, status_texts, write_workbook
from reports.readiness import STATUS_AT_RISK, STATUS_PLANNED
from tests.conftest import PASSWORD

DEPARTMENT_EMAIL = "schulamt@gute-schule.example.org"
SCHOOL_ADMIN_EMAIL = "it-admin@gute-schule.example.org"


@pytest.fixture
def demo(app):
    with acting_as("test"):
        seed_demo()
    users = {user.email: user for user in db.session.scalars(sa.select(User))}
    for user in users.values():
        user.set_password(PASSWORD)
    db.session.commit()
    return users


def _sheet_rows(workbook, title) -> list[dict]:
    rows = workbook[title].iter_rows(values_only=True)
    header = next(rows)
    return [dict(zip(header, row, strict=False)) for row in rows]


def _workbook_figures() -> tuple[dict[str, bool], dict[str, str]]:
    """Per school: the ready flag of the Schulen sheet and the status of Gigabit-Status."""
    buffer = io.BytesIO()
    write_workbook(buffer)
    buffer.seek(0)
    workbook = load_workbook(buffer, read_only=True)
    try:
        with force_locale(LOCALE):
            ready_column, number_column = _("Gigabit-ready"), _("School number")
            status_column = _("School status")
            status_codes = {text: code for code, text in status_texts().items()}
        ready = {}
        for row in _sheet_rows(workbook, SHEET_SCHOOLS):
            assert row[ready_column] in ("ja", "nein")
            ready[str(row[number_column])] = row[ready_column] == "ja"
        statuses: dict[str, str] = {}
        for row in _sheet_rows(workbook, SHEET_GIGABIT):
            number = str(row[number_column])
            status = status_codes[row[status_column]]
            # Every site row of a school repeats the school's status.
            assert statuses.setdefault(number, status) == status
        return ready, statuses
    finally:
        workbook.close()


def _api_figures(client, user) -> tuple[dict[str, bool], dict[str, str]]:
    _token, plain = ApiToken.issue(user, name="figures agree")
    db.session.commit()
    response = client.get("/api/v1/readiness", headers={"Authorization": f"Bearer {plain}"})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    items = response.get_json()["items"]
    return (
        {item["school_number"]: item["ready"] for item in items},
        {item["school_number"]: item["status"] for item in items},
    )


def test_dashboard_workbook_and_api_agree_on_the_demo_city(app, client, login, demo):
    figures = dashboard.city_figures()
    workbook_ready, workbook_status = _workbook_figures()
    api_ready, api_status = _api_figures(client, demo[DEPARTMENT_EMAIL])

    assert len(figures.ready_flags) == 97
    # The demo city is mixed, so agreement means something.
    assert 0 < figures.schools_ready < 97
    assert figures.count(STATUS_AT_RISK) > 0 and figures.count(STATUS_PLANNED) > 0

    assert workbook_ready == figures.ready_flags
    assert api_ready == figures.ready_flags
    assert workbook_status == figures.statuses
    assert api_status == figures.statuses
    at_risk = {item.school.school_number for item in figures.at_risk}
    assert at_risk == {n for n, s in workbook_status.items() if s == STATUS_AT_RISK}
    assert at_risk == {n for n, s in api_status.items() if s == STATUS_AT_RISK}

    # And the page shows those very numbers.
    login(demo[DEPARTMENT_EMAIL])
    page = html.fromstring(client.get("/").get_data(as_text=True))
    ready_count = sum(workbook_ready.values())
    assert page.get_element_by_id("count-ready").text_content().strip() == str(ready_count)
    assert page.get_element_by_id("count-at-risk").text_content().strip() == str(len(at_risk))
    listed = {row.get("data-school") for row in page.xpath("//table[@id='at-risk-list']/tbody/tr")}
    assert listed == at_risk
    share = page.get_element_by_id("share-schools").text_content()
    assert f"({ready_count} von 97)" in " ".join(share.split())


def test_school_admin_dashboard_agrees_with_the_api_for_their_schools(app, client, login, demo):
    user = demo[SCHOOL_ADMIN_EMAIL]
    own = dashboard.own_schools_figures(user)
    api_ready, api_status = _api_figures(client, user)

    assert {school.school_number for school in own.schools} == {"169213", "128594"}
    assert {s.school_number: s.readiness.ready for s in own.schools} == api_ready
    assert {s.school_number: s.status for s in own.schools} == api_status
