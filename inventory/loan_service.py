"""The one door for loans (Leihgeräte): issue, return, change; the lists and figures.

Typed values keyed by the loan's field codes (inventory/kinds.py LOANS) in, flush only:
the caller owns the transaction (app/saving.py). The audit listener writes each loan's
history (app/audit.py). Rules kept here and nowhere else:

- a loan is of one school's device: the device is looked up among that school's devices
  only, so another school's inventory number is "unknown", exactly like a number nobody
  has (its existence is never revealed);
- a device is out on one open loan at a time (a unique index decides under concurrency);
- nothing comes back before it was issued, nothing is due before it was issued;
- a loan has no field for a pupil: an unknown field is refused, never dropped silently;
- the due date defaults to the last school day before the summer holidays
  (schools.school_years.last_school_day_before_summer).
"""

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from app.errors import DomainError, InvalidFieldsError
from app.extensions import db
from app.rules import require, validate
from app.saving import check_version
from inventory.kinds import LOANS
from inventory.loan_models import Loan
from inventory.models import Device
from inventory.stocktake_service import number_from_scan, school_device
from schools.models import School
from schools.school_years import last_school_day_before_summer, today_in_berlin

EDITABLE = tuple(spec.code for spec in LOANS.editable)
RETURN_FIELDS = ("returned_on", "condition_in", "damaged")
NOT_LENDABLE = ("retired", "missing")

UNKNOWN_DEVICE = _l("Unknown – not an inventory number of this school.")
NO_SUCH_FIELD = _l(
    "A loan has no such field. It holds the loan contract number, never a pupil's name, "
    "address or class."
)


class DeviceOnLoanError(DomainError):
    """The device is out on an open loan already."""

    def __init__(self, loan: Loan):
        super().__init__(f"device {loan.device_id} is on loan {loan.id}")
        self.loan = loan


class NotOnLoanError(DomainError):
    """The device is not out on a loan (nothing to return)."""


class LoanReturnedError(DomainError):
    """The loan was returned already."""


def _refuse_unknown(values: dict, allowed=EDITABLE) -> None:
    unknown = [code for code in values if code not in allowed]
    if unknown:
        raise InvalidFieldsError({code: [str(NO_SUCH_FIELD)] for code in unknown})


def find_device(school: School, text: str) -> Device | None:
    """The school's device with the number typed or scanned (a label's URL too), or None:
    never another school's."""
    number = number_from_scan(text if isinstance(text, str) else "")
    if not number or len(number) > 64:
        return None
    return school_device(school.id, number)


def open_loan(device: Device) -> Loan | None:
    return db.session.scalar(
        sa.select(Loan).where(Loan.device_id == device.id, Loan.returned_on.is_(None))
    )


def default_due_date(issued_on: dt.date) -> dt.date | None:
    return last_school_day_before_summer(issued_on)


def check_return_fields(cleaned: dict) -> None:
    if cleaned.get("returned_on") is None and (
        cleaned.get("condition_in") or cleaned.get("damaged")
    ):
        message = _l("The condition at return needs a return date.")
        raise InvalidFieldsError({"returned_on": [str(message)]})


def issue(school: School, values: dict) -> Loan:
    """Lend one of the school's devices: a new loan (or the record of a past one, when it
    has a return date already)."""
    values = dict(values)
    _refuse_unknown(values)
    if isinstance(values.get("inventory_number"), str):
        values["inventory_number"] = number_from_scan(values["inventory_number"])
    cleaned = validate(LOANS, require(LOANS, values))
    check_return_fields(cleaned)
    device = school_device(school.id, cleaned["inventory_number"])
    if device is None:
        raise InvalidFieldsError({"inventory_number": [str(UNKNOWN_DEVICE)]})
    if device.status in NOT_LENDABLE:
        message = _l("A retired or missing device cannot be lent.")
        raise InvalidFieldsError({"inventory_number": [str(message)]})
    if cleaned["due_on"] is None:
        cleaned["due_on"] = default_due_date(cleaned["issued_on"])
        if cleaned["due_on"] is None:
            message = _l(
                "No school year with summer holidays after the issue date: enter a due date."
            )
            raise InvalidFieldsError({"due_on": [str(message)]})
    if cleaned["returned_on"] is None:
        current = open_loan(device)
        if current is not None:
            raise DeviceOnLoanError(current)
    del cleaned["inventory_number"]
    loan = Loan(school_id=school.id, device_id=device.id, **cleaned)
    loan.school, loan.device = school, device
    db.session.add(loan)
    db.session.flush()
    return loan


def _current(loan: Loan) -> dict:
    return {code: getattr(loan, code) for code in EDITABLE}


def return_loan(loan: Loan, values: dict, version: int | None = None) -> Loan:
    """Take a lent device back: the return date, the condition and whether it is damaged."""
    _refuse_unknown(values, RETURN_FIELDS)
    check_version(loan, version)
    if not loan.is_open:
        raise LoanReturnedError()
    if values.get("returned_on") in (None, ""):
        raise InvalidFieldsError({"returned_on": [str(_l("This field is required."))]})
    cleaned = validate(LOANS, values, current=_current(loan))
    for code, value in cleaned.items():
        setattr(loan, code, value)
    db.session.flush()
    return loan


def return_device(school: School, text: str, values: dict) -> Loan:
    """Take back the school's device with the number typed or scanned."""
    device = find_device(school, text)
    if device is None:
        raise InvalidFieldsError({"inventory_number": [str(UNKNOWN_DEVICE)]})
    loan = open_loan(device)
    if loan is None:
        raise NotOnLoanError()
    return return_loan(loan, values)


def update(loan: Loan, values: dict, version: int | None = None) -> Loan:
    """Change a loan's fields (only those given); the device stays the loan's."""
    values = dict(values)
    _refuse_unknown(values)
    check_version(loan, version)
    number = values.pop("inventory_number", None)
    if number is not None and number_from_scan(str(number)) != loan.device.inventory_number:
        message = _l("A loan's device cannot be changed; return it and issue another.")
        raise InvalidFieldsError({"inventory_number": [str(message)]})
    cleaned = validate(LOANS, values, current=_current(loan))
    if "due_on" in cleaned and cleaned["due_on"] is None:
        raise InvalidFieldsError({"due_on": [str(_l("This field is required."))]})
    check_return_fields({**_current(loan), **cleaned})
    reopened = not loan.is_open and "returned_on" in cleaned and cleaned["returned_on"] is None
    if reopened:
        current = open_loan(loan.device)
        if current is not None:
            raise DeviceOnLoanError(current)
    for code, value in cleaned.items():
        setattr(loan, code, value)
    db.session.flush()
    return loan


# --- lists and figures -------------------------------------------------------------------


def listed(stmt: sa.Select) -> list[Loan]:
    stmt = stmt.options(selectinload(Loan.device), selectinload(Loan.school))
    return list(db.session.scalars(stmt))


def loans_out(school: School) -> list[Loan]:
    """The school's open loans, the earliest due first."""
    return listed(
        sa.select(Loan)
        .where(Loan.school_id == school.id, Loan.returned_on.is_(None))
        .order_by(Loan.due_on, Loan.id)
    )


def overdue(school: School, today: dt.date | None = None) -> list[Loan]:
    today = today or today_in_berlin()
    return [loan for loan in loans_out(school) if loan.due_on < today]


def returned_damaged(school: School) -> list[Loan]:
    """The school's loans that came back damaged, the latest first."""
    return listed(
        sa.select(Loan)
        .where(Loan.school_id == school.id, Loan.returned_on.is_not(None), Loan.damaged)
        .order_by(Loan.returned_on.desc(), Loan.id.desc())
    )


def overdue_loans(today: dt.date) -> list[Loan]:
    """Every open loan past its due date, of all schools, with its school and device loaded
    (for the overdue reminders through the alert outbox), by school and due date."""
    return listed(
        sa.select(Loan)
        .join(School, School.id == Loan.school_id)
        .where(Loan.returned_on.is_(None), Loan.due_on < today)
        .order_by(School.school_number, Loan.due_on, Loan.id)
    )


@dataclass(frozen=True)
class LoanFigures:
    lent: int = 0  # devices out now
    overdue: int = 0
    damaged: int = 0  # loans returned damaged (all time)


def figures(school_ids, today: dt.date | None = None) -> dict[int, LoanFigures]:
    """Per school, its devices lent, overdue, and returned damaged (one query)."""
    today = today or today_in_berlin()
    ids = school_ids if isinstance(school_ids, sa.Select) else list(school_ids)
    is_open = Loan.returned_on.is_(None)
    count = lambda condition: sa.func.count(Loan.id).filter(condition)  # noqa: E731
    rows = db.session.execute(
        sa.select(
            Loan.school_id,
            count(is_open),
            count(sa.and_(is_open, Loan.due_on < today)),
            count(sa.and_(Loan.returned_on.is_not(None), Loan.damaged)),
        )
        .where(Loan.school_id.in_(ids))
        .group_by(Loan.school_id)
    ).all()
    return {row[0]: LoanFigures(*row[1:]) for row in rows}
