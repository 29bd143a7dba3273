"""The department's pages for the funding programmes: the list and the edit form."""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from app.access import DEPARTMENT, access
from app.audit import history_of
from app.errors import InvalidFieldsError, StaleVersionError
from app.extensions import db
from app.form_rules import add_errors, form_fields, form_values
from app.forms import VersionedForm
from app.saving import saving
from inventory import bp
from inventory.funding_models import FundingProgramme
from inventory.programmes import PROGRAMMES, update_programme

ProgrammeForm = type("ProgrammeForm", (VersionedForm,), form_fields(PROGRAMMES))


def _programme_or_404(code: str) -> FundingProgramme:
    programme = db.session.scalar(sa.select(FundingProgramme).filter_by(code=code))
    if programme is None:
        abort(404)
    return programme


@bp.route("/funding-programmes/")
@access(DEPARTMENT)
def programme_list():
    programmes = db.session.scalars(sa.select(FundingProgramme).order_by(FundingProgramme.name))
    return render_template("inventory/programmes/list.html", programmes=list(programmes))


@bp.route("/funding-programmes/<programme_code>/edit", methods=["GET", "POST"])
@access(DEPARTMENT)
def programme_edit(programme_code):
    programme = _programme_or_404(programme_code)
    form = ProgrammeForm(obj=programme)
    status = 200
    if form.is_submitted():
        status = 422
        if form.validate():
            try:
                with saving():
                    update_programme(
                        programme, form_values(form, PROGRAMMES), version=form.version.data
                    )
            except StaleVersionError:
                db.session.refresh(programme)
                form = ProgrammeForm(formdata=None, obj=programme)
                form.form_errors.append(
                    _("The programme was changed in the meantime. Below you see the current state.")
                )
                status = 409
            except InvalidFieldsError as exc:
                add_errors(form, exc.fields)
            else:
                flash(_("The programme %(name)s was saved.", name=programme.name), "success")
                return redirect(url_for("inventory.programme_list"))
    page = render_template(
        "inventory/programmes/form.html",
        form=form,
        programme=programme,
        history=history_of(programme),
    )
    return page, status
