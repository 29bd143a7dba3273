"""The loan endpoints of the API v1: a school's and a device's loans, lend, change, return.

Thin views over inventory/loan_service.py, scoped like every other endpoint: another
school's device or loan answers 404. Refusals: a broken rule 422 with the messages per
field, a device out on loan already or a loan returned already 409."""

import contextlib

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from api.loan_schemas import (
    LoanPageSchema,
    LoanPatchSchema,
    LoanQuerySchema,
    LoanReturnSchema,
    LoanSchema,
)
from api.service import ApiError, _values, changing
from api.views import bp
from app.access import SIGNED_IN, access, record_or_404, school_or_404
from app.extensions import db
from inventory import loan_service as loans
from inventory.loan_models import Loan
from inventory.models import Device
from schools.school_years import today_in_berlin


@contextlib.contextmanager
def _lending():
    try:
        with changing():
            yield
    except loans.DeviceOnLoanError as exc:
        message = _("This device is out on loan already; return it first.")
        raise ApiError(409, message, {"inventory_number": [message]}) from exc
    except loans.LoanReturnedError as exc:
        raise ApiError(409, _("This loan was returned already.")) from exc


def _page(criteria: list, args: dict) -> dict:
    today = today_in_berlin()
    if args.get("open") is not None:
        criteria.append(
            Loan.returned_on.is_(None) if args["open"] else Loan.returned_on.is_not(None)
        )
    if args.get("overdue") is not None:
        late = sa.and_(Loan.returned_on.is_(None), Loan.due_on < today)
        criteria.append(late if args["overdue"] else sa.not_(late))
    if args.get("damaged") is not None:
        criteria.append(Loan.damaged.is_(args["damaged"]))
    stmt = sa.select(Loan).where(*criteria)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery()))
    items = db.session.scalars(
        stmt.options(selectinload(Loan.device), selectinload(Loan.school))
        .order_by(Loan.issued_on.desc(), Loan.id.desc())
        .limit(args["per_page"])
        .offset((args["page"] - 1) * args["per_page"])
    ).all()
    return {"items": items, "page": args["page"], "per_page": args["per_page"], "total": total}


@bp.route("/schools/<school_number>/loans", methods=["GET"])
@access(SIGNED_IN)
@bp.arguments(LoanQuerySchema, location="query")
@bp.response(200, LoanPageSchema)
def school_loan_list(args, school_number):
    """A school's loans, the latest issued first; filters open, overdue, damaged."""
    school = school_or_404(school_number)
    return _page([Loan.school_id == school.id], args)


def _device(inventory_number: str) -> Device:
    return record_or_404(Device, Device.inventory_number == inventory_number)


@bp.route("/devices/<inventory_number>/loans", methods=["GET"])
@access(SIGNED_IN)
@bp.arguments(LoanQuerySchema, location="query")
@bp.response(200, LoanPageSchema)
def device_loan_list(args, inventory_number):
    """A device's loans, the latest first."""
    return _page([Loan.device_id == _device(inventory_number).id], args)


@bp.route("/devices/<inventory_number>/loans", methods=["POST"])
@access(SIGNED_IN)
@bp.arguments(LoanSchema)
@bp.response(201, LoanSchema)
def device_loan_create(payload, inventory_number):
    """Lend the device: loan_number and issued_on; due_on defaults to the last school day
    before the summer holidays. A device out on loan already answers 409."""
    device = _device(inventory_number)
    values, _version = _values(payload)
    with _lending():
        loan = loans.issue(device.school, {**values, "inventory_number": device.inventory_number})
    return loan


def _loan(loan_id: int) -> Loan:
    return record_or_404(Loan, Loan.id == loan_id)


@bp.route("/loans/<int(max=2147483647):loan_id>", methods=["GET"])
@access(SIGNED_IN)
@bp.response(200, LoanSchema)
def loan_get(loan_id):
    """One loan."""
    return _loan(loan_id)


@bp.route("/loans/<int(max=2147483647):loan_id>", methods=["PATCH"])
@access(SIGNED_IN)
@bp.arguments(LoanPatchSchema)
@bp.response(200, LoanSchema)
def loan_patch(payload, loan_id):
    """Change a loan; a returned_on on an open loan returns it."""
    loan = _loan(loan_id)
    values, version = _values(payload)
    with _lending():
        loans.update(loan, values, version)
    return loan


@bp.route("/loans/<int(max=2147483647):loan_id>/return", methods=["POST"])
@access(SIGNED_IN)
@bp.arguments(LoanReturnSchema)
@bp.response(200, LoanSchema)
def loan_return(payload, loan_id):
    """Take the device back: returned_on, condition_in, damaged. Returned already: 409."""
    loan = _loan(loan_id)
    values, version = _values(payload)
    with _lending():
        loans.return_loan(loan, values, version)
    return loan
