"""User management for admins: list, create, edit, deactivate, reset passwords.

Every change is a change of a User row (or its schools), so the audit listener logs it.
"""

import secrets

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user
from sqlalchemy.orm.exc import StaleDataError

from app.access import ADMIN, access
from app.admin_forms import PasswordResetForm, UserCreateForm, UserEditForm
from app.audit import record
from app.extensions import db
from app.users import User
from schools.models import School

bp = Blueprint("admin", __name__, url_prefix="/admin")


# --- service functions (the views below only parse, call and render) ---------------------


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


def email_taken(email: str) -> bool:
    return db.session.scalar(sa.select(User.id).where(User.email == email)) is not None


def generate_password() -> str:
    """A random password an admin passes on (16 URL-safe characters)."""
    return secrets.token_urlsafe(12)


def create_user(email: str, name: str, role: str, schools, password: str) -> User:
    user = User(
        email=User.normalize_email(email),
        name=name,
        role=role,
        schools=list(schools) if role == "school_admin" else [],
    )
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


def update_user(user: User, name: str, role: str, schools) -> None:
    user.name = name
    user.role = role
    # Only school admins are scoped to schools; the others see every school anyway.
    user.schools = list(schools) if role == "school_admin" else []
    db.session.commit()


def set_active(user: User, active: bool) -> None:
    """Deactivating ends the user's sessions and revokes their API tokens for good, so
    reactivating later brings neither back."""
    user.active = active
    if not active:
        user.end_sessions()
        user.revoke_tokens()
    db.session.commit()


def reset_password(user: User, password: str) -> None:
    """A new password set by an admin: every session of the user ends."""
    user.set_password(password)
    user.end_sessions()
    # The hash is never logged; that a new password was set, and by whom, is.
    record("password", "users", user.email, record_id=user.id)
    db.session.commit()


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
        email = User.normalize_email(form.email.data)
        if email_taken(email):
            form.email.errors.append(_("A user with this email address exists already."))
        else:
            password = generate_password() if form.generate_password.data else form.password.data
            try:
                user = create_user(
                    email,
                    form.name.data or "",
                    form.role.data,
                    schools_by_id(form.schools.data),
                    password,
                )
            except sa.exc.IntegrityError:  # created at the same moment by someone else
                db.session.rollback()
                form.email.errors.append(_("A user with this email address exists already."))
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
        if form.version.data is not None and form.version.data != user.version:
            form.form_errors.append(
                _("Someone else changed this user meanwhile. Please reload the page.")
            )
        elif user.id == current_user.id and form.role.data != "admin":
            form.role.errors.append(_("You cannot take the admin role away from yourself."))
        else:
            try:
                update_user(
                    user, form.name.data or "", form.role.data, schools_by_id(form.schools.data)
                )
            except StaleDataError:
                db.session.rollback()
                form.form_errors.append(
                    _("Someone else changed this user meanwhile. Please reload the page.")
                )
            else:
                flash(_("User %(email)s saved.", email=user.email), "success")
                return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=user)


@bp.post("/users/<int:user_id>/deactivate")
@access(ADMIN)
def user_deactivate(user_id: int):
    user = _user_or_404(user_id)
    if user.id == current_user.id:
        flash(_("You cannot deactivate yourself."), "error")
    else:
        set_active(user, False)
        flash(_("User %(email)s deactivated.", email=user.email), "success")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/reactivate")
@access(ADMIN)
def user_reactivate(user_id: int):
    user = _user_or_404(user_id)
    set_active(user, True)
    flash(_("User %(email)s reactivated.", email=user.email), "success")
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>/password", methods=["GET", "POST"])
@access(ADMIN)
def user_password(user_id: int):
    user = _user_or_404(user_id)
    form = PasswordResetForm()
    if form.validate_on_submit():
        reset_password(user, form.password.data)
        if user.id == current_user.id:  # an admin's own reset keeps this session
            login_user(user)
        flash(_("New password for %(email)s set.", email=user.email), "success")
        return redirect(url_for("admin.users"))
    return render_template("admin/user_password.html", form=form, user=user)
