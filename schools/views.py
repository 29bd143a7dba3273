"""School registry pages."""

import sqlalchemy as sa
from flask import Blueprint, render_template

from app.access import SIGNED_IN, access, scope_to_user
from app.extensions import db
from schools.models import School

bp = Blueprint("schools", __name__, template_folder="templates")


@bp.get("/schools/")
@access(SIGNED_IN)
def school_list():
    schools = db.session.scalars(scope_to_user(sa.select(School).order_by(School.name))).all()
    return render_template("schools/list.html", schools=schools)
