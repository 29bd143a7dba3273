"""Who may see and change what: the one place for role checks and school scoping.

Every view declares its access level with @access(...); the role matrix test walks
app.url_map and fails for any view without one. Every query that reads school data
goes through scope_to_user(), and single records through school_or_404() /
record_or_404(), so another school's data answers 404, never 403.
"""

import functools

import sqlalchemy as sa
from flask import abort
from flask_login import current_user

from app.extensions import db, login_manager
from app.users import User, user_schools
from schools.models import School

PUBLIC = "public"  # no sign-in (login page, health check)
SIGNED_IN = "signed_in"  # any signed-in user; data scoped to their schools
SCHOOL = "school"  # one school's data: school admin of it, department, admin
DEPARTMENT = "department"  # department and admin
ADMIN = "admin"  # admin only
ACCESS_LEVELS = (PUBLIC, SIGNED_IN, SCHOOL, DEPARTMENT, ADMIN)


def access(level: str):
    """Declare and enforce a view's access level."""
    if level not in ACCESS_LEVELS:
        raise ValueError(f"unknown access level {level!r}")

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if level != PUBLIC:
                if not current_user.is_authenticated:
                    return login_manager.unauthorized()
                if level == DEPARTMENT and not current_user.is_department:
                    abort(403)
                if level == ADMIN and not current_user.is_admin:
                    abort(403)
            return view(*args, **kwargs)

        wrapper.access_level = level
        return wrapper

    return decorator


def scope_to_user(stmt: sa.Select, school_id_column=School.id, user: User | None = None):
    """Restrict a query to the schools the user may see (the one scoping rule)."""
    user = user if user is not None else current_user
    if not user or not user.is_authenticated:
        return stmt.where(sa.false())
    if user.sees_all_schools:
        return stmt
    own = sa.select(user_schools.c.school_id).where(user_schools.c.user_id == user.id)
    return stmt.where(school_id_column.in_(own))


def school_or_404(school_number: str, user: User | None = None) -> School:
    stmt = sa.select(School).where(School.school_number == school_number)
    school = db.session.scalar(scope_to_user(stmt, School.id, user))
    if school is None:
        abort(404)
    return school


def record_or_404(model, *criteria, user: User | None = None):
    """One record of a school-owned model (Device, Site, ...) within the user's scope."""
    stmt = scope_to_user(sa.select(model).where(*criteria), model.school_id, user)
    record = db.session.scalar(stmt)
    if record is None:
        abort(404)
    return record


def visible_school_ids(user: User | None = None) -> sa.Select:
    """A subquery of the ids of the schools the user may see."""
    return scope_to_user(sa.select(School.id), School.id, user)


def may_edit_school_registry(user: User | None = None) -> bool:
    """Creating and deleting schools, changing their form and number: department and admin."""
    user = user if user is not None else current_user
    return bool(user and user.is_authenticated and user.is_department)
