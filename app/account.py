"""A user's own account: change the password, issue and revoke API tokens."""

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user

from app import user_service
from app.access import SIGNED_IN, access
from app.account_forms import PasswordChangeForm, TokenForm
from app.extensions import db
from app.model_base import utcnow
from app.saving import saving
from app.users import ApiToken, User

bp = Blueprint("account", __name__, url_prefix="/account")


# --- service functions ---------------------------------------------------------------------


def tokens_of(user: User) -> list[ApiToken]:
    return db.session.scalars(
        sa.select(ApiToken)
        .where(ApiToken.user_id == user.id)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    ).all()


def own_token_or_404(user: User, token_id: int) -> ApiToken:
    """One of the user's own tokens; another user's token answers 404."""
    token = db.session.scalar(
        sa.select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id)
    )
    if token is None:
        abort(404)
    return token


def issue_token(user: User, name: str) -> str:
    """Create a token and return the plain text (only its hash is stored)."""
    _token, plain = ApiToken.issue(user, name)
    db.session.commit()
    return plain


def revoke_token(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.commit()


def change_password(user: User, password: str) -> None:
    """A new password; the user's other sessions end, the current one is renewed."""
    with saving():
        user_service.set_password(user, password)
    login_user(user)


# --- views ---------------------------------------------------------------------------------


def _render_account(password_form=None, token_form=None):
    return render_template(
        "account/account.html",
        password_form=password_form or PasswordChangeForm(current_user, formdata=None),
        token_form=token_form or TokenForm(formdata=None),
        tokens=tokens_of(current_user),
    )


@bp.get("/")
@access(SIGNED_IN)
def account():
    return _render_account()


@bp.post("/password")
@access(SIGNED_IN)
def password():
    form = PasswordChangeForm(current_user)
    if form.validate_on_submit():
        change_password(current_user, form.password.data)
        flash(_("Your password has been changed."), "success")
        return redirect(url_for("account.account"))
    return _render_account(password_form=form)


@bp.post("/tokens")
@access(SIGNED_IN)
def token_new():
    form = TokenForm()
    if form.validate_on_submit():
        plain = issue_token(current_user, form.name.data)
        # The plain token is shown on this one page and stored nowhere.
        return render_template("account/token_created.html", name=form.name.data, token=plain)
    return _render_account(token_form=form)


@bp.post("/tokens/<int:token_id>/revoke")
@access(SIGNED_IN)
def token_revoke(token_id: int):
    token = own_token_or_404(current_user, token_id)
    revoke_token(token)
    flash(_("The token “%(name)s” has been revoked.", name=token.name), "success")
    return redirect(url_for("account.account"))
