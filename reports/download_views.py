"""Downloads: the department workbook (the city, or a school admin's own schools)."""

import os
import tempfile

import sqlalchemy as sa
from flask import Response, abort, current_app, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectField, SelectMultipleField
from wtforms.validators import Optional

from app import audit
from app.access import SIGNED_IN, access, scope_to_user, visible_school_ids
from app.codes import SCHOOL_FORMS, CodeChoice, choices
from app.extensions import db
from app.forms import BaseForm
from reports import bp, exports
from schools.models import School, SchoolYear


class DownloadForm(BaseForm):
    """The workbook's filters (a GET form: nothing changes, no CSRF token)."""

    class Meta:
        csrf = False

    school_form = SelectField(
        _l("School form"), choices=choices(SCHOOL_FORMS, blank=True), validators=[Optional()]
    )
    district = SelectField(_l("City district"), validators=[Optional()])
    school = SelectMultipleField(_l("Schools"), validators=[Optional()])
    school_year = SelectField(_l("School year"), validators=[Optional()])

    def __init__(self, *args, schools, districts, school_years, **kwargs):
        super().__init__(*args, **kwargs)
        self.school_form.choices = [CodeChoice("", _l("All school forms"))] + choices(SCHOOL_FORMS)
        self.district.choices = [CodeChoice("", _l("All districts"))] + [
            CodeChoice(d, d) for d in districts
        ]
        self.school.choices = [
            CodeChoice(s.school_number, f"{s.school_number} {s.name}") for s in schools
        ]
        self.school_year.choices = [CodeChoice("", _l("Upcoming school year"))] + [
            CodeChoice(year.label, year.label) for year in school_years
        ]


def _download_form() -> DownloadForm:
    visible = visible_school_ids()
    schools = db.session.execute(
        sa.select(School.school_number, School.name)
        .where(School.id.in_(visible))
        .order_by(School.name, School.school_number)
    ).all()
    districts = db.session.scalars(
        sa.select(School.district)
        .where(School.id.in_(visible), School.district != "")
        .distinct()
        .order_by(School.district)
    ).all()
    school_years = db.session.scalars(sa.select(SchoolYear).order_by(SchoolYear.start_year)).all()
    return DownloadForm(
        request.args, schools=schools, districts=districts, school_years=school_years
    )


@bp.get("/reports/")
@access(SIGNED_IN)
def downloads():
    form = _download_form()
    own_schools = []
    if not current_user.sees_all_schools:
        own_schools = db.session.scalars(
            scope_to_user(sa.select(School).order_by(School.name), School.id)
        ).all()
    return render_template("reports/downloads.html", form=form, own_schools=own_schools)


@bp.get("/reports/workbook.xlsx")
@access(SIGNED_IN)
def download_workbook():
    numbers = request.args.getlist("school")
    visible = visible_school_ids()
    # Another school's (or no school's) number: 404, existence is not leaked.
    if exports.unknown_school_numbers(numbers, visible):
        abort(404)
    form = _download_form()
    if not form.validate():
        return render_template("reports/downloads.html", form=form, own_schools=[]), 400
    school_ids = exports.select_schools(
        visible,
        school_form=form.school_form.data or None,
        district=form.district.data or None,
        school_numbers=numbers,
    )
    filters_text = exports.describe_filters(
        school_form=form.school_form.data,
        district=form.district.data,
        school_numbers=numbers,
        school_year=form.school_year.data,
    )
    filename = _filename(school_ids)
    try:
        return send_workbook(
            lambda fh: exports.write_workbook(
                fh,
                school_ids=school_ids,
                school_year=form.school_year.data or None,
                generated_by=current_user.email,
                filters_text=filters_text,
            ),
            filename,
            {"filters": filters_text, "school_year": form.school_year.data or None},
        )
    except exports.ExportError:
        abort(404)


def send_workbook(write, filename: str, changes: dict) -> Response:
    """write(fh) a workbook into a temporary file (not memory: it may be large), log the
    export, commit, and send the file as a download named `filename`."""
    workbook = tempfile.TemporaryFile()  # noqa: SIM115 (closed by _chunks)
    try:
        write(workbook)
        audit.record("export", "workbook", filename, changes=changes)
        db.session.commit()
    except BaseException:
        workbook.close()
        raise
    size = workbook.seek(0, os.SEEK_END)
    workbook.seek(0)
    response = Response(_chunks(workbook), mimetype=exports.MIME_TYPE)
    response.headers.set("Content-Disposition", "attachment", filename=filename)
    response.headers["Content-Length"] = str(size)
    return response


def _filename(school_ids: sa.Select) -> str:
    """Named after the school when the workbook holds one, else after the city."""
    schools = db.session.scalars(sa.select(School).where(School.id.in_(school_ids)).limit(2)).all()
    if len(schools) == 1:
        return exports.suggested_filename(school=schools[0])
    return exports.suggested_filename(city=current_app.config["SITE_OPERATOR"])


def _chunks(file, size: int = 64 * 1024):
    """The file's content in chunks; the file is closed when it is sent (or abandoned)."""
    try:
        while chunk := file.read(size):
            yield chunk
    finally:
        file.close()
