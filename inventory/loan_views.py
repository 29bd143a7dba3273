"""Loan pages: the school's lists (out, overdue, returned damaged) and the phone page that
issues or takes back one number at a time, typed or scanned (without JavaScript by
POST-redirect-GET; stocktake.js sends by fetch and adds the camera, as for stock-taking)."""

import sqlalchemy as sa
from flask import jsonify, redirect, render_template, session, url_for
from flask_babel import format_date
from flask_babel import gettext as _

from app.access import SCHOOL, access, school_or_404
from app.errors import InvalidFieldsError, SaveConflictError
from app.extensions import db
from app.form_rules import add_errors, form_values
from app.saving import saving
from inventory import bp
from inventory import loan_service as loans
from inventory.kinds import LOANS
from inventory.loan_forms import IssueLoanForm, ReturnLoanForm
from inventory.loan_models import Loan
from inventory.stocktake_service import number_from_scan
from inventory.stocktake_views import wants_json, what_device
from schools.school_years import today_in_berlin

LAST_RESULT = "loan_last_result"  # the session key of the result shown after a redirect
RECENT = 10
MODES = {
    "issue": (IssueLoanForm, "inventory.loan_issue"),
    "return": (ReturnLoanForm, "inventory.loan_return"),
}


def _day(value) -> str:
    return format_date(value, "dd.MM.yyyy")


@bp.get("/schools/<school_number>/loans/")
@access(SCHOOL)
def loans_index(school_number):
    school = school_or_404(school_number)
    today = today_in_berlin()
    out = loans.loans_out(school)
    return render_template(
        "inventory/loans/index.html",
        school=school,
        out=out,
        overdue=[loan for loan in out if loan.is_overdue(today)],
        damaged=loans.returned_damaged(school),
        today=today,
    )


def _recent(school, mode: str) -> list[str]:
    stmt = sa.select(Loan).where(Loan.school_id == school.id)
    if mode == "issue":
        stmt = stmt.where(Loan.returned_on.is_(None)).order_by(Loan.id.desc())
    else:
        stmt = stmt.where(Loan.returned_on.is_not(None)).order_by(
            Loan.returned_on.desc(), Loan.id.desc()
        )
    return [loan.device.inventory_number for loan in loans.listed(stmt.limit(RECENT))]


def _open_count(school) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(Loan.id)).where(
            Loan.school_id == school.id, Loan.returned_on.is_(None)
        )
    )


def _page(school, mode: str, form, last=None, status=200):
    return (
        render_template(
            "inventory/loans/scan.html",
            school=school,
            mode=mode,
            form=form,
            action=url_for(MODES[mode][1], school_number=school.school_number),
            last=last,
            count=_open_count(school),
            recent=_recent(school, mode),
        ),
        status,
    )


def _shown(school, mode: str, form):
    last = session.pop(LAST_RESULT, None)
    if not last or last.get("mode") != mode or last.get("school") != school.school_number:
        last = None
    return _page(school, mode, form, last)


@bp.get("/schools/<school_number>/loans/issue")
@access(SCHOOL)
def loan_issue_page(school_number):
    school = school_or_404(school_number)
    today = today_in_berlin()
    form = IssueLoanForm(formdata=None, issued_on=today)
    return _shown(school, "issue", form)


@bp.get("/schools/<school_number>/loans/return")
@access(SCHOOL)
def loan_return_page(school_number):
    school = school_or_404(school_number)
    form = ReturnLoanForm(formdata=None, returned_on=today_in_berlin())
    return _shown(school, "return", form)


def _answer(school, mode: str, form, tone: str, message: str, done: bool):
    """The result of one number: JSON for stocktake.js, else back to the page."""
    if wants_json():
        return jsonify(
            tone=tone,
            message=message,
            count=_open_count(school),
            counted=done,
            number=number_from_scan(form.inventory_number.data or ""),
        )
    session[LAST_RESULT] = {
        "mode": mode,
        "school": school.school_number,
        "tone": tone,
        "message": message,
    }
    endpoint = "inventory.loan_issue_page" if mode == "issue" else "inventory.loan_return_page"
    return redirect(url_for(endpoint, school_number=school.school_number))


def _refused(school, mode: str, form):
    if wants_json():
        errors = [str(e) for errors in form.errors.values() for e in errors]
        errors += [str(e) for e in form.form_errors]
        return jsonify(error=" ".join(errors) or _("Please enter a number."), tone="bad"), 422
    return _page(school, mode, form, status=422)


def _number_refused(school, mode, form, exc: InvalidFieldsError):
    """A refusal of the number itself is the scan's result; of another field, at the field."""
    if set(exc.fields) == {"inventory_number"}:
        number = number_from_scan(form.inventory_number.data or "")
        message = f"{number}: {' '.join(exc.fields['inventory_number'])}"
        return _answer(school, mode, form, "bad", message, False)
    add_errors(form, exc.fields)
    return _refused(school, mode, form)


@bp.post("/schools/<school_number>/loans/issue")
@access(SCHOOL)
def loan_issue(school_number):
    school = school_or_404(school_number)
    form = IssueLoanForm()
    if not form.validate_on_submit():
        return _refused(school, "issue", form)
    number = number_from_scan(form.inventory_number.data)
    try:
        with saving():
            loan = loans.issue(school, form_values(form, LOANS))
    except InvalidFieldsError as exc:
        return _number_refused(school, "issue", form, exc)
    except (loans.DeviceOnLoanError, SaveConflictError) as exc:
        current = getattr(exc, "loan", None)
        if current is not None:
            message = _(
                "%(number)s: already out on loan %(loan)s (due %(due)s); take it back first.",
                number=current.device.inventory_number,
                loan=current.loan_number,
                due=_day(current.due_on),
            )
        else:
            message = _("%(number)s: already out on loan; take it back first.", number=number)
        return _answer(school, "issue", form, "warn", message, False)
    message = _(
        "%(number)s: lent (%(what)s), due %(due)s.",
        number=loan.device.inventory_number,
        what=what_device(loan.device),
        due=_day(loan.due_on),
    )
    return _answer(school, "issue", form, "ok", message, True)


@bp.post("/schools/<school_number>/loans/return")
@access(SCHOOL)
def loan_return(school_number):
    school = school_or_404(school_number)
    form = ReturnLoanForm()
    if not form.validate_on_submit():
        return _refused(school, "return", form)
    values = form_values(form, LOANS)
    text = values.pop("inventory_number")
    number = number_from_scan(text)
    try:
        with saving():
            loan = loans.return_device(school, text, values)
    except InvalidFieldsError as exc:
        return _number_refused(school, "return", form, exc)
    except loans.NotOnLoanError:
        message = _("%(number)s: not out on loan.", number=number)
        return _answer(school, "return", form, "warn", message, False)
    if loan.damaged:
        message = _(
            "%(number)s: back (%(what)s), recorded as damaged.",
            number=loan.device.inventory_number,
            what=what_device(loan.device),
        )
        return _answer(school, "return", form, "warn", message, True)
    message = _(
        "%(number)s: back (%(what)s).",
        number=loan.device.inventory_number,
        what=what_device(loan.device),
    )
    return _answer(school, "return", form, "ok", message, True)
