"""User management for admins: list, create, edit, deactivate, reset passwords.

The writes are app/user_service.py's; every change is a change of a User row (or its
schools), so the audit listener logs it.
"""

import secrets

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user

from app import user_service
from app.access import ADMIN, access
from app.admin_forms import PasswordResetForm, UserCreateForm, UserEditForm
from app.errors import DuplicateError, InvalidFieldsError, SaveConflictError, StaleVersionError
from app.extensions import db
from app.form_rules import add_errors
from app.saving import saving
from app.users import User
from schools.models import School

bp = Blueprint("admin", __name__, url_prefix="/admin")


# --- queries (the writes are app/user_service.py's) --------------------------------------


def search_users(query: str = "") -> sa.Select:
    """All users, or those whose email or name contains the query, by email."""
    stmt = sa.select(User).order_by(User.email)
    query = query.strip()
    if query:
        pattern = f"%{query.lower()}%"
        stmt = stmt.where(
            sa.or_(sa.func.lower(User.email).like(pattern), sa.func.lower(User.name).like(pattern))
        )
    return stmt


def all_schools() -> list[School]:
    return db.session.scalars(sa.select(School).order_by(School.name)).all()


def schools_by_id(ids) -> list[School]:
    if not ids:
        return []
    return db.session.scalars(sa.select(School).where(School.id.in_(ids))).all()


def generate_password() -> str:
    """A random password an admin passes on (16 URL-safe characters)."""
    return secrets.token_urlsafe(12)


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


# --- views ---------------------------------------------------------------------------------


@bp.get("/users/")
@access(ADMIN)
def users():
    query = request.args.get("q", "")
    page = request.args.get("page", 1, type=int)
    pagination = db.paginate(
        search_users(query),
        page=max(page, 1),
        per_page=current_app.config["PER_PAGE"],
        error_out=False,
    )
    return render_template("admin/users.html", pagination=pagination, query=query)


@bp.route("/users/new", methods=["GET", "POST"])
@access(ADMIN)
def user_new():
    schools = all_schools()
    form = UserCreateForm()
    form.set_school_choices(schools)
    if form.validate_on_submit():
        password = generate_password() if form.generate_password.data else form.password.data
        try:
            with saving():
                user = user_service.create_user(
                    form.email.data,
                    form.role.data,
                    password=password,
                    name=form.name.data or "",
                    schools=schools_by_id(form.schools.data),
                )
        except InvalidFieldsError as error:
            add_errors(form, error.fields)
        except (DuplicateError, SaveConflictError):  # the latter: created meanwhile
            form.email.errors.append(str(user_service.DUPLICATE_EMAIL))
        else:
            if form.generate_password.data:
                # Shown on this one page only; it is stored nowhere but as a hash.
                return render_template("admin/user_created.html", user=user, password=password)
            flash(_("User %(email)s created.", email=user.email), "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=None)


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@access(ADMIN)
def user_edit(user_id: int):
    user = _user_or_404(user_id)
    form = UserEditForm(obj=user)
    form.set_school_choices(all_schools())
    if request.method == "GET":
        form.schools.data = [school.id for school in user.schools]
    if form.validate_on_submit():
        try:
            with saving():
                user_service.update_user(
                    user,
                    name=form.name.data or "",
                    role=form.role.data,
                    schools=schools_by_id(form.schools.data),
                    version=form.version.data,
                    by=current_user,
                )
        except StaleVersionError:
            form.form_errors.append(
                _("Someone else changed this user meanwhile. Please reload the page.")
            )
        except InvalidFieldsError as error:
            add_errors(form, error.fields)
        else:
            flash(_("User %(email)s saved.", email=user.email), "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=user)


@bp.post("/users/<int:user_id>/deactivate")
@access(ADMIN)
def user_deactivate(user_id: int):
    user = _user_or_404(user_id)
    try:
        with saving():
            user_service.set_active(user, False, by=current_user)
    except InvalidFieldsError as error:
        for messages in error.fields.values():
            for message in messages:
                flash(message, "error")
    else:
        flash(_("User %(email)s deactivated.", email=user.email), "success")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/reactivate")
@access(ADMIN)
def user_reactivate(user_id: int):
    user = _user_or_404(user_id)
    with saving():
        user_service.set_active(user, True)
    flash(_("User %(email)s reactivated.", email=user.email), "success")
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>/password", methods=["GET", "POST"])
@access(ADMIN)
def user_password(user_id: int):
    user = _user_or_404(user_id)
    form = PasswordResetForm()
    if form.validate_on_submit():
        try:
            with saving():
                user_service.set_password(user, form.password.data)
        except InvalidFieldsError as error:
            add_errors(form, error.fields)
        else:
            if user.id == current_user.id:  # an admin's own reset keeps this session
                login_user(user)
            flash(_("New password for %(email)s set.", email=user.email), "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_password.html", form=form, user=user)
