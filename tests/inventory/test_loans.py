"""inventory.loan_service: the rules of a loan (one open loan per device, no return before
issue, one school only, no pupil field), the default due date, the lists and figures."""

import csv
import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.audit import history_of
from app.errors import InvalidFieldsError, SaveConflictError
from app.extensions import db
from app.saving import saving
from inventory import loan_service as loans
from inventory import service
from inventory.kinds import LOANS
from inventory.loan_models import Loan
from schools.school_years import last_school_day_before_summer

ISSUED = dt.date(2026, 10, 5)
SCHOOL_YEARS_CSV = Path(__file__).parents[2] / "data" / "nrw_school_years.csv"


@pytest.fixture(autouse=True)
def _request(app):
    with app.test_request_context():
        yield


@pytest.fixture
def years(make_school_year):
    return [
        make_school_year(2026, dt.date(2026, 9, 2)),
        make_school_year(2027, dt.date(2027, 9, 1)),
    ]


@pytest.fixture
def school(make_school):
    return make_school(name="Graf-Engelbert-Schule")


def issue(school, number, **values):
    values.setdefault("loan_number", "LV-2026-001")
    values.setdefault("issued_on", ISSUED)
    with saving():
        return loans.issue(school, {"inventory_number": number, **values})


def test_a_loan_is_issued_with_the_default_due_date_and_history(school, years, make_device):
    device = make_device(school, inventory_number="GES-001", use="pupil_loan")
    loan = issue(school, "GES-001", condition_out="neu, Hülle")
    assert (loan.device_id, loan.school_id) == (device.id, school.id)
    # The last school day before the 2027 summer holidays (19 July 2027): Friday 16 July.
    assert loan.due_on == dt.date(2027, 7, 16)
    assert loan.is_open and loan.condition_out == "neu, Hülle"
    entries = history_of(loan)
    assert [entry.action for entry in entries] == ["create"]
    assert entries[0].school_id == school.id


def test_the_default_due_date_is_the_weekday_before_every_nrw_summer_holidays(app, years):
    from schools.models import SchoolYear

    with open(SCHOOL_YEARS_CSV, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    db.session.execute(sa.delete(SchoolYear))
    for row in rows:
        start = int(row["school_year"][:4])
        first = dt.date.fromisoformat(row["first_school_day"])
        db.session.add(
            SchoolYear(start_year=start, label=SchoolYear.label_for(start), first_school_day=first)
        )
    db.session.commit()
    for row in rows[1:]:
        holidays = dt.date.fromisoformat(row["summer_holiday_start"])
        expected = holidays - dt.timedelta(days=3)  # they start on a Monday
        assert last_school_day_before_summer(holidays - dt.timedelta(days=30)) == expected
    # Issued in the summer holidays: due before the next summer holidays.
    assert last_school_day_before_summer(dt.date(2026, 8, 1)) == dt.date(2027, 7, 16)


def test_a_device_can_have_only_one_open_loan(school, years, make_device):
    make_device(school, inventory_number="GES-001")
    issue(school, "GES-001")
    with pytest.raises(loans.DeviceOnLoanError):
        issue(school, "GES-001", loan_number="LV-2026-002")
    loan = db.session.scalar(sa.select(Loan))
    with saving():
        loans.return_loan(loan, {"returned_on": dt.date(2026, 11, 2)})
    again = issue(school, "ges-001", loan_number="LV-2026-002")
    assert again.is_open


def test_the_database_keeps_one_open_loan_per_device(school, years, make_device):
    device = make_device(school)
    issue(school, device.inventory_number)
    db.session.add(
        Loan(
            school_id=school.id,
            device_id=device.id,
            loan_number="x",
            issued_on=ISSUED,
            due_on=ISSUED,
        )
    )
    with pytest.raises(SaveConflictError), saving():
        pass
    assert db.session.scalar(sa.select(sa.func.count(Loan.id))) == 1


def test_nothing_comes_back_before_it_was_issued(school, years, make_device):
    device = make_device(school)
    loan = issue(school, device.inventory_number)
    with pytest.raises(InvalidFieldsError) as refused:
        loans.return_loan(loan, {"returned_on": ISSUED - dt.timedelta(days=1)})
    assert "returned_on" in refused.value.fields
    with pytest.raises(InvalidFieldsError) as refused:
        issue(school, make_device(school).inventory_number, due_on=dt.date(2026, 1, 1))
    assert "due_on" in refused.value.fields
    db.session.rollback()
    assert db.session.get(Loan, loan.id).is_open


def test_another_schools_number_is_unknown_never_its_device(
    school, years, make_school, make_device
):
    other = make_school()
    make_device(other, inventory_number="OTHER-1")
    with pytest.raises(InvalidFieldsError) as refused:
        issue(school, "OTHER-1")
    assert refused.value.fields["inventory_number"] == [str(loans.UNKNOWN_DEVICE)]
    assert loans.find_device(school, "OTHER-1") is None
    with pytest.raises(InvalidFieldsError) as refused:
        issue(school, "NOBODY-1")
    assert refused.value.fields["inventory_number"] == [str(loans.UNKNOWN_DEVICE)]
    issue(other, "OTHER-1")
    with pytest.raises(InvalidFieldsError):
        loans.return_device(school, "OTHER-1", {"returned_on": ISSUED})
    assert db.session.scalar(sa.select(Loan)).is_open


def test_a_loan_refuses_a_pupil_field_and_the_schema_has_none(school, years, make_device):
    device = make_device(school)
    with pytest.raises(InvalidFieldsError) as refused:
        issue(school, device.inventory_number, pupil_name="Max Mustermann")
    assert list(refused.value.fields) == ["pupil_name"]
    columns = {column.name for column in Loan.__table__.columns}
    with db.engine.connect() as conn:
        columns |= {c["name"] for c in sa.inspect(conn).get_columns("loans")}
    personal = ("pupil", "student", "schueler", "name", "address", "street", "class", "birth")
    assert [c for c in columns if any(word in c for word in personal) and c != "loan_number"] == []
    assert [c for c in LOANS.codes if any(word in c for word in personal)] == []


def test_a_return_by_number_records_condition_and_damage(school, years, make_device):
    device = make_device(school, inventory_number="GES-007")
    issue(school, "GES-007")
    with saving():
        loan = loans.return_device(
            school,
            "https://gute-schule.example/devices/GES-007",
            {
                "returned_on": dt.date(2027, 7, 1),
                "condition_in": "Display gesprungen",
                "damaged": True,
            },
        )
    assert not loan.is_open and loan.damaged and loan.condition_in == "Display gesprungen"
    assert loans.returned_damaged(school) == [loan]
    with pytest.raises(loans.NotOnLoanError):
        loans.return_device(school, device.inventory_number, {"returned_on": dt.date(2027, 7, 2)})
    with pytest.raises(loans.LoanReturnedError):
        loans.return_loan(loan, {"returned_on": dt.date(2027, 7, 2)})
    assert [e.action for e in history_of(loan)] == ["update", "create"]


def test_a_retired_device_is_not_lent(school, years, make_device):
    device = make_device(school, status="retired")
    with pytest.raises(InvalidFieldsError):
        issue(school, device.inventory_number)


def test_overdue_loans_lists_open_loans_past_due_with_their_school(
    school, years, make_school, make_device
):
    other = make_school()
    late = issue(school, make_device(school).inventory_number, due_on=dt.date(2026, 12, 1))
    issue(other, make_device(other).inventory_number, due_on=dt.date(2026, 12, 20))
    back = issue(school, make_device(school).inventory_number, due_on=dt.date(2026, 11, 1))
    with saving():
        loans.return_loan(back, {"returned_on": dt.date(2026, 11, 20)})
    found = loans.overdue_loans(dt.date(2026, 12, 10))
    assert found == [late]
    assert found[0].school.school_number == school.school_number
    figures = loans.figures([school.id, other.id], dt.date(2026, 12, 10))
    assert figures[school.id] == loans.LoanFigures(lent=1, overdue=1, damaged=0)
    assert figures[other.id] == loans.LoanFigures(lent=1, overdue=0, damaged=0)


def test_a_device_use_is_a_registry_code(school, make_device):
    device = make_device(school)
    assert device.use is None  # devices recorded before the field: not recorded
    with saving():
        service.update(device, {"use": "class_set"})
    assert device.use == "class_set"
    with pytest.raises(InvalidFieldsError) as refused:
        service.update(device, {"use": "borrowed"})
    assert "use" in refused.value.fields
