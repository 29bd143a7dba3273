"""The one door for writes to users: create, change role and schools, deactivate and
reactivate, set a password. The CLI (create-user), the admin pages, the own account
page and the demo seed call these functions with typed values; they apply the rules
once, flush and never commit (the caller owns the transaction, app/saving.py).

Rules kept here and nowhere else:
- an email address is stored trimmed and in lower case, checked by the shared email rule
  (app/rules.py), and is unique;
- the role is one of app.codes.ROLES; a school admin looks after at least one school,
  the other roles see every school and keep no list;
- a password has 10 to 500 characters and only its hash is stored;
- a new password or a deactivation ends every session signed in before (session_version),
  a deactivation also revokes every API token for good;
- an admin cannot take the admin role away from themselves nor deactivate themselves.
"""

from collections.abc import Iterable

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.audit import record
from app.codes import ROLES
from app.errors import DuplicateError, InvalidFieldsError
from app.extensions import db
from app.rules import Field, FieldError, clean
from app.saving import check_version
from app.users import User
from schools.models import School

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 500
PASSWORD_LENGTH_MESSAGE = _l("The password must have 10 to 500 characters.")
NEEDS_A_SCHOOL = _l("A school IT admin needs at least one school.")
DUPLICATE_EMAIL = _l("A user with this email address exists already.")
OWN_ADMIN_ROLE = _l("You cannot take the admin role away from yourself.")
OWN_DEACTIVATION = _l("You cannot deactivate yourself.")

EMAIL = Field("email", _l("Email"), type="email", required=True, max_length=254)
NAME = Field("name", _l("Name"), max_length=200)
ROLE = Field("role", _l("Role"), type="code", required=True, vocabulary=ROLES)


# --- the rules of a user's fields (the admin forms validate with them as well) ---------


def normalize_email(email: str) -> str:
    return User.normalize_email(email)


def check_password(password: str) -> None:
    """FieldError unless the password has 10 to 500 characters."""
    if not isinstance(password, str) or not (
        MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH
    ):
        raise FieldError(PASSWORD_LENGTH_MESSAGE)


def check_role_schools(role: str, schools: Iterable[School]) -> None:
    """FieldError when a school admin is given no school."""
    if role == "school_admin" and not list(schools):
        raise FieldError(NEEDS_A_SCHOOL)


def email_taken(email: str, except_id: int | None = None) -> bool:
    stmt = sa.select(User.id).where(User.email == normalize_email(email))
    if except_id is not None:
        stmt = stmt.where(User.id != except_id)
    return db.session.scalar(stmt) is not None


def _clean_profile(errors: dict, name: str, role: str, schools: Iterable[School]) -> dict:
    """Name, role and schools cleaned; what is wrong lands in errors by field code."""
    schools = list(schools)
    cleaned = {"name": "", "role": role, "schools": []}
    try:
        cleaned["name"] = clean(NAME, name)
    except FieldError as exc:
        errors["name"] = [str(exc.args[0])]
    try:
        cleaned["role"] = clean(ROLE, role)
    except FieldError as exc:
        errors["role"] = [str(exc.args[0])]
        return cleaned
    try:
        check_role_schools(role, schools)
    except FieldError as exc:
        errors["schools"] = [str(exc.args[0])]
    # Only school admins are scoped to schools; the others see every school anyway.
    cleaned["schools"] = schools if role == "school_admin" else []
    return cleaned


def clean_new_user(email: str, role: str, *, name: str = "", schools=()) -> dict:
    """The values of a new user (without the password) cleaned, or InvalidFieldsError /
    DuplicateError. The CLI calls it before it prompts for the password."""
    errors: dict[str, list[str]] = {}
    cleaned = {}
    try:
        cleaned["email"] = normalize_email(clean(EMAIL, email))
    except FieldError as exc:
        errors["email"] = [str(exc.args[0])]
    cleaned |= _clean_profile(errors, name, role, schools)
    if errors:
        raise InvalidFieldsError(errors)
    if email_taken(cleaned["email"]):
        raise DuplicateError("email", str(DUPLICATE_EMAIL))
    return cleaned


# --- writes ----------------------------------------------------------------------------


def _hash_password(user: User, password: str) -> None:
    try:
        check_password(password)
    except FieldError as exc:
        raise InvalidFieldsError({"password": [str(exc.args[0])]}) from None
    user.set_password(password)


def create_user(
    email: str, role: str, *, password: str, name: str = "", schools: Iterable[School] = ()
) -> User:
    """A new active user with that password (checked, stored as a hash only)."""
    cleaned = clean_new_user(email, role, name=name, schools=schools)
    user = User(**cleaned)
    _hash_password(user, password)
    db.session.add(user)
    db.session.flush()
    return user


def update_user(
    user: User,
    *,
    name: str,
    role: str,
    schools: Iterable[School] = (),
    version: int | None = None,
    by: User | None = None,
) -> User:
    """Change name, role and schools; by: the admin making the change, if any."""
    check_version(user, version)
    errors: dict[str, list[str]] = {}
    cleaned = _clean_profile(errors, name, role, schools)
    if by is not None and by.id == user.id and role != "admin" and "role" not in errors:
        errors["role"] = [str(OWN_ADMIN_ROLE)]
    if errors:
        raise InvalidFieldsError(errors)
    user.name = cleaned["name"]
    user.role = cleaned["role"]
    user.schools = cleaned["schools"]
    db.session.flush()
    return user


def set_active(user: User, active: bool, *, by: User | None = None) -> User:
    """Deactivating ends the user's sessions and revokes their API tokens for good, so
    reactivating later brings neither back."""
    if not active and by is not None and by.id == user.id:
        raise InvalidFieldsError({"active": [str(OWN_DEACTIVATION)]})
    user.active = active
    if not active:
        user.end_sessions()
        user.revoke_tokens()
    db.session.flush()
    return user


def set_password(user: User, password: str) -> User:
    """A new password (by an admin or the user): every session of the user ends."""
    _hash_password(user, password)
    user.end_sessions()
    # The hash is never logged; that a new password was set, and by whom, is.
    record("password", "users", user.email, record_id=user.id)
    db.session.flush()
    return user
