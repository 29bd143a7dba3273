"""Sign-in, sign-out, the language switch, and how a request finds its user."""

from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user

from app.access import PUBLIC, SIGNED_IN, access
from app.extensions import db, limiter, login_manager
from app.forms import LoginForm
from app.model_base import utcnow
from app.users import User

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.login"
login_manager.login_message = _l("Please sign in to see this page.")
login_manager.login_message_category = "info"
login_manager.session_protection = "strong"

# A hash to check against when the email is unknown, so both cases take as long.
_DUMMY_HASH = None


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The user of a session id "<id>:<session_version>" while that version is current."""
    user_id, _, version = session_id.partition(":")
    if not (user_id.isascii() and user_id.isdigit() and version.isascii() and version.isdigit()):
        return None
    if len(user_id) > 18 or len(version) > 18:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


def safe_next(target: str | None) -> str | None:
    """Only local paths are followed after sign-in (no open redirect)."""
    if not target:
        return None
    target = target.replace("\\", "/")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def authenticate(email: str, password: str) -> User | None:
    global _DUMMY_HASH
    user = db.session.scalar(sa.select(User).where(User.email == User.normalize_email(email)))
    if user is None:
        if _DUMMY_HASH is None:
            probe = User()
            probe.set_password("not a password")
            _DUMMY_HASH = probe
        _DUMMY_HASH.check_password(password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    return user


def _login_rate_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_rate_limit, methods=["POST"])
@access(PUBLIC)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("reports.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is None:
            # Same message whether the email exists or not.
            form.password.errors.append(_("Email or password is wrong."))
        else:
            user.last_login_at = utcnow()
            db.session.commit()
            login_user(user)
            return redirect(safe_next(request.args.get("next")) or url_for("reports.dashboard"))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@access(SIGNED_IN)
def logout():
    # Ends the session on the server too: a copy of the cookie no longer signs in.
    current_user.end_sessions()
    db.session.commit()
    logout_user()
    flash(_("You have been signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.get("/language/<code>")
@access(PUBLIC)
def set_language(code: str):
    if code in current_app.config["LANGUAGES"]:
        session["language"] = code
    return redirect(safe_next(request.args.get("next")) or url_for("reports.dashboard"))
