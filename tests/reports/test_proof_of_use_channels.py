"""The proof-of-use workbook's two doors: `flask export-funding` and /reports/proof-of-use."""

import datetime as dt
import io
from decimal import Decimal

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.audit import AuditEntry
from app.extensions import db
from reports.exports import MIME_TYPE
from tests.reports.test_proof_of_use import _programme, _share

PAGE = "/reports/proof-of-use"


@pytest.fixture
def two_schools(make_school, make_device):
    programme = _programme()
    own = make_school("300001", "Eigene Schule")
    other = make_school("300002", "Andere Schule")
    for school, number in ((own, "OWN-1"), (other, "OTHER-1")):
        device = make_device(
            school,
            inventory_number=number,
            price=Decimal("100.00"),
            purchase_date=dt.date(2024, 1, 1),
        )
        _share(device, programme)
    return own, other


def _devices(workbook) -> set[str]:
    return {row[2] for row in workbook["Geräte"].iter_rows(min_row=2, values_only=True)}


# --- CLI ---------------------------------------------------------------------------------


def test_cli_writes_the_workbook_and_logs_it(runner, tmp_path, two_schools):
    target = tmp_path / "nachweis.xlsx"
    result = runner.invoke(
        args=[
            "export-funding",
            str(target),
            "--programme",
            "gute_schule_2020",
            "--as-of",
            "2026-06-30",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "nachweis.xlsx geschrieben" in result.output
    workbook = load_workbook(target)
    assert _devices(workbook) == {"OWN-1", "OTHER-1"}
    info = dict(workbook["Info"].iter_rows(min_row=2, values_only=True))
    assert info["Erstellt von"] == "cli" and info["Stichtag"] == dt.datetime(2026, 6, 30)
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "export"))
    assert entry.actor == "cli" and entry.object_id == "nachweis.xlsx"
    assert entry.changes["programme"] == "gute_schule_2020"
    assert entry.changes["as_of"] == "2026-06-30"


def test_cli_keeps_to_the_given_school(runner, tmp_path, two_schools):
    target = tmp_path / "eine.xlsx"
    args = ["export-funding", str(target), "--programme", "gute_schule_2020"]
    result = runner.invoke(args=[*args, "--as-of", "2026-06-30", "--school", "300002"])
    assert result.exit_code == 0, result.output
    assert _devices(load_workbook(target)) == {"OTHER-1"}


@pytest.mark.parametrize(
    ("options", "message", "code"),
    [
        (["--programme", "nope", "--as-of", "2026-06-30"], "Kein Förderprogramm mit dem Code 'nope'", 1),
        (["--programme", "gute_schule_2020", "--as-of", "30.06.2026"], "JJJJ-MM-TT", 2),
        (["--programme", "gute_schule_2020", "--as-of", "2026-02-30"], "JJJJ-MM-TT", 2),
        (["--programme", "gute_schule_2020", "--as-of", "２０２６-06-30"], "JJJJ-MM-TT", 2),
        (["--programme", "gute_schule_2020", "--as-of", "2026-06-30", "--school", "999999"], "Keine Schule mit der Nummer 999999", 1),
    ],
)  # fmt: skip
def test_cli_refuses_bad_input_with_a_message(
    runner, tmp_path, two_schools, options, message, code
):
    target = tmp_path / "x.xlsx"
    result = runner.invoke(args=["export-funding", str(target), *options])
    assert result.exit_code == code, result.output
    assert message in result.output
    assert "Traceback" not in result.output and result.exception.__class__ is SystemExit
    assert not target.exists()


def test_cli_lists_the_known_programmes_in_english(runner, tmp_path, two_schools):
    args = ["export-funding", str(tmp_path / "x.xlsx"), "--programme", "x", "--as-of", "2026-06-30"]
    result = runner.invoke(args=args, env={"LANG": "en"})
    assert result.exit_code == 1
    assert "No funding programme with code 'x'" in result.output
    assert "gute_schule_2020" in result.output


# --- the page ----------------------------------------------------------------------------


def test_department_downloads_the_proof_of_use(client, login_as, two_schools):
    login_as("department")
    response = client.get(
        PAGE, query_string={"programme": "gute_schule_2020", "as_of": "2026-06-30"}
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == MIME_TYPE
    assert (
        response.headers["Content-Disposition"]
        == "attachment; filename=verwendungsnachweis-gute-schule-2020-2026-06-30.xlsx"
    )
    workbook = load_workbook(io.BytesIO(response.data))
    assert _devices(workbook) == {"OWN-1", "OTHER-1"}
    info = dict(workbook["Info"].iter_rows(min_row=2, values_only=True))
    assert info["Erstellt von"].endswith("@stadt.example.org")
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "export"))
    assert entry.changes == {"programme": "gute_schule_2020", "as_of": "2026-06-30"}


def test_page_offers_the_programmes_and_the_last_cut_off(client, login_as, two_schools):
    login_as("department")
    response = client.get(PAGE)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'value="gute_schule_2020"' in html and "Gute Schule 2020 (gute_schule_2020)" in html
    assert 'name="as_of"' in html and 'type="date"' in html


@pytest.mark.parametrize(
    "query",
    [
        {"programme": "nope", "as_of": "2026-06-30"},
        {"programme": "gute_schule_2020", "as_of": "kein Datum"},
        {"programme": "gute_schule_2020"},
    ],
)
def test_bad_choices_answer_400_with_the_form(client, login_as, two_schools, query):
    login_as("department")
    response = client.get(PAGE, query_string=query)
    assert response.status_code == 400
    assert 'id="error-summary"' in response.get_data(as_text=True)


@pytest.mark.parametrize("path", [PAGE, PAGE + "?programme=gute_schule_2020&as_of=2026-06-30"])
def test_school_admin_is_refused(client, login_as, two_schools, path):
    login_as("school_admin", school=two_schools[0])
    assert client.get(path).status_code == 403


def test_reports_page_links_to_it_for_the_department_only(client, login_as, two_schools):
    login_as("department")
    assert 'id="proof-link"' in client.get("/reports/").get_data(as_text=True)


def test_reports_page_has_no_link_for_a_school_admin(client, login_as, two_schools):
    login_as("school_admin", school=two_schools[0])
    assert 'id="proof-link"' not in client.get("/reports/").get_data(as_text=True)
