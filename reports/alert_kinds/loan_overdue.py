"""Overdue loans: a lent device not back after its due date.

Stages: "overdue-<n>" for each n in LOAN_OVERDUE_DAYS (days after the due date; default
1, 14 and 28): the largest n reached, so each reminder goes out once and a loan that
stays out past the last one gets no more mail. A loan returned, or given a later due
date, is no longer due (its key holds the due date: a new due date is reminded anew).
The mail names the device and the loan-contract number only, never a pupil
(docs/loans.md).
"""

import datetime as dt

from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l

from app.codes import DEVICE_CATEGORIES
from inventory.loan_service import overdue_loans
from reports.alert_kinds import DueRecord, RecordAlertKind, config_days, format_date, record_url

NAME = "loan_overdue"
PREFIX = "overdue-"


def overdue_stage(due_on: dt.date, today: dt.date, reminder_days: list[int]) -> str | None:
    """The stage due on `today` for a loan due on `due_on`: "overdue-<n>" for the largest
    n of reminder_days reached (days late, from 1); None while it is not late."""
    late = (today - due_on).days
    reached = [days for days in reminder_days if 1 <= days <= late]
    return f"{PREFIX}{max(reached)}" if reached else None


def _text(loan, today: dt.date) -> str:
    device = loan.device
    return gettext(
        "Device %(number)s (%(what)s), loan %(loan)s: due on %(due)s (%(late)s late)",
        number=device.inventory_number,
        what=str(DEVICE_CATEGORIES.get(device.category, device.category)),
        loan=loan.loan_number,
        due=format_date(loan.due_on),
        late=ngettext("%(num)d day", "%(num)d days", (today - loan.due_on).days),
    )


def due(today: dt.date) -> list[DueRecord]:
    reminder_days = config_days("LOAN_OVERDUE_DAYS")
    records = []
    for loan in overdue_loans(today):
        stage = overdue_stage(loan.due_on, today, reminder_days)
        if stage is None:
            continue
        records.append(
            DueRecord(
                school_id=loan.school_id,
                record_key=f"loan:{loan.id}@{loan.due_on.isoformat()}",
                stage=stage,
                text=_text(loan, today),
                url=record_url("schools", loan.school.school_number, "loans") + "/",
            )
        )
    return records


def stage_label(stage: str) -> str:
    number = stage.removeprefix(PREFIX)
    if not stage.startswith(PREFIX) or not (number.isascii() and number.isdigit()):
        return stage
    return ngettext(
        "%(num)d day after the due date", "%(num)d days after the due date", int(number)
    )


def what(count: int) -> str:
    return ngettext("%(num)d overdue loan", "%(num)d overdue loans", count)


ALERT = RecordAlertKind(
    name=NAME,
    label=_l("Overdue loan"),
    intro=_l(
        "These lent devices are past their due date. Please ask for them back by their "
        "loan-contract number and record the return."
    ),
    due=due,
    stage_label=stage_label,
    what=what,
)
