"""The replacement planning page: devices due per year, school and category, with cost."""

from flask import render_template, request
from flask_babel import lazy_gettext as _l
from wtforms import IntegerField
from wtforms.validators import NumberRange, Optional

from app.access import SIGNED_IN, access, visible_school_ids
from app.forms import BaseForm
from reports import replacement
from reports.views import bp
from schools.school_years import today_in_berlin


class PlanForm(BaseForm):
    """The plan's period (a GET form: nothing changes, no CSRF token)."""

    class Meta:
        csrf = False

    first_year = IntegerField(
        _l("From year"), validators=[Optional(), NumberRange(min=2000, max=2100)]
    )
    years = IntegerField(
        _l("Years"), validators=[Optional(), NumberRange(min=1, max=replacement.MAX_YEARS)]
    )


@bp.get("/reports/replacement")
@access(SIGNED_IN)
def replacement_plan():
    form = PlanForm(request.args)
    valid = form.validate()
    first_year = (form.first_year.data if valid else None) or today_in_berlin().year
    years = (form.years.data if valid else None) or 5
    plan = replacement.plan(visible_school_ids(), first_year=first_year, years=years)
    status = 200 if valid else 400
    return render_template("reports/replacement.html", form=form, plan=plan), status
