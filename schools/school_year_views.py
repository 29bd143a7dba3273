"""The school-year pages of the department: the list, a new school year, an edit.
The writes are schools.service's (create_school_year, update_school_year)."""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.access import DEPARTMENT, access
from app.errors import DuplicateError, InvalidFieldsError, SaveConflictError, StaleVersionError
from app.extensions import db
from app.form_rules import add_errors
from app.saving import saving
from schools import bp, service
from schools.forms import SchoolYearForm
from schools.models import SchoolYear
from schools.school_years import school_year_by_start

STALE_MESSAGE = _l(
    "Someone else has changed this school year in the meantime. Your changes were not "
    "saved; the form now shows the current values. Please enter your changes again."
)


@bp.get("/school-years/")
@access(DEPARTMENT)
def school_years():
    years = db.session.scalars(sa.select(SchoolYear).order_by(SchoolYear.start_year)).all()
    return render_template("schools/school_years.html", school_years=years)


def _save(form: SchoolYearForm, school_year: SchoolYear | None) -> SchoolYear | None:
    """The saved school year, or None with the refusal shown at the form's fields."""
    try:
        with saving():
            if school_year is None:
                return service.create_school_year(form.start_year, form.first_school_day.data)
            return service.update_school_year(
                school_year, form.start_year, form.first_school_day.data, form.version.data
            )
    except InvalidFieldsError as error:
        add_errors(form, error.fields)
    except (DuplicateError, SaveConflictError):  # the latter: the same year saved meanwhile
        form.label.errors.append(str(service.DUPLICATE_SCHOOL_YEAR))
    return None


@bp.route("/school-years/new", methods=["GET", "POST"])
@access(DEPARTMENT)
def school_year_new():
    form = SchoolYearForm()
    if request.method == "POST" and form.validate():
        school_year = _save(form, None)
        if school_year is not None:
            flash(
                _("The school year %(label)s has been added.", label=school_year.label), "success"
            )
            return redirect(url_for("schools.school_years"))
    status = 422 if request.method == "POST" else 200
    return render_template("schools/school_year_form.html", form=form, school_year=None), status


@bp.route("/school-years/<int:start_year>/edit", methods=["GET", "POST"])
@access(DEPARTMENT)
def school_year_edit(start_year: int):
    school_year = school_year_by_start(start_year) or abort(404)
    stale = False
    if request.method == "POST":
        form = SchoolYearForm()
        if form.validate():
            try:
                saved = _save(form, school_year)
            except StaleVersionError:
                stale = True
            else:
                if saved is not None:
                    flash(_("The changes have been saved."), "success")
                    return redirect(url_for("schools.school_years"))
        if stale:
            school_year = school_year_by_start(start_year) or abort(404)
            form = SchoolYearForm(formdata=None, obj=school_year)
    else:
        form = SchoolYearForm(formdata=None, obj=school_year)
    status = 409 if stale else (422 if request.method == "POST" else 200)
    return render_template(
        "schools/school_year_form.html",
        form=form,
        school_year=school_year,
        stale=stale,
        stale_message=STALE_MESSAGE,
    ), status
