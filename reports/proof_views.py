"""The proof-of-use page: choose a funding programme and a cut-off date, download the
workbook (reports/proof_of_use.py). Department and admin only."""

import sqlalchemy as sa
from flask import render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import DateField, SelectField
from wtforms.validators import DataRequired

from app.access import DEPARTMENT, access, visible_school_ids
from app.codes import CodeChoice
from app.extensions import db
from app.forms import BaseForm
from inventory.funding_models import FundingProgramme
from reports import bp, proof_of_use
from reports.download_views import send_workbook
from schools.school_years import today_in_berlin


class ProofOfUseForm(BaseForm):
    """The programme and the cut-off date (a GET form: nothing changes, no CSRF token)."""

    class Meta:
        csrf = False

    programme = SelectField(_l("Funding programme"), validators=[DataRequired()])
    as_of = DateField(_l("Cut-off date"), validators=[DataRequired()])

    def __init__(self, *args, programmes, **kwargs):
        super().__init__(*args, **kwargs)
        self.programme.choices = [CodeChoice(p.code, f"{p.name} ({p.code})") for p in programmes]


@bp.get("/reports/proof-of-use")
@access(DEPARTMENT)
def proof_of_use_page():
    """The form; submitted (with a programme), the workbook as a download."""
    programmes = db.session.scalars(
        sa.select(FundingProgramme).order_by(FundingProgramme.name, FundingProgramme.code)
    ).all()
    submitted = "programme" in request.args
    form = ProofOfUseForm(
        request.args if submitted else None,
        programmes=programmes,
        data=None if submitted else {"as_of": proof_of_use.latest_cut_off(today_in_berlin())},
    )
    if not submitted or not form.validate():
        status = 400 if submitted else 200
        return render_template(
            "reports/proof_of_use.html", form=form, programmes=programmes
        ), status
    programme = next(p for p in programmes if p.code == form.programme.data)
    as_of = form.as_of.data
    return send_workbook(
        lambda fh: proof_of_use.write_proof_of_use(
            fh,
            programme=programme,
            as_of=as_of,
            school_ids=visible_school_ids(),
            generated_by=current_user.email,
        ),
        proof_of_use.suggested_filename(programme, as_of),
        {"programme": programme.code, "as_of": as_of.isoformat()},
    )
