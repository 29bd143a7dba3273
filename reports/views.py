"""Dashboard and report downloads."""

from flask import Blueprint, render_template

from app.access import SIGNED_IN, access

bp = Blueprint("reports", __name__, template_folder="templates")


@bp.get("/")
@access(SIGNED_IN)
def dashboard():
    return render_template("reports/dashboard.html")
