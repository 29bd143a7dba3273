"""The rules of a user, tested once on the service every channel calls (app/user_service.py)."""

import pytest
import sqlalchemy as sa

from app import user_service
from app.audit import AuditEntry
from app.errors import DuplicateError, InvalidFieldsError, StaleVersionError
from app.extensions import db
from app.saving import saving
from app.users import ApiToken, User

PASSWORD = "ein-langes-passwort"


@pytest.fixture(autouse=True)
def _messages(app):
    """The refusals carry translated messages, as they do in a request or the CLI."""
    with app.test_request_context():
        yield


def _create(email="It@Schule.example.org", role="department", **values) -> User:
    with saving():
        return user_service.create_user(email, role, password=PASSWORD, **values)


def _refused_fields(call, *args, **kwargs) -> dict:
    with pytest.raises(InvalidFieldsError) as refused, saving():
        call(*args, **kwargs)
    return refused.value.fields


def test_email_is_stored_trimmed_and_in_lower_case(app):
    user = _create(" New.Admin@Schule.EXAMPLE.org ")
    assert user.email == "new.admin@schule.example.org"


def test_email_syntax_is_the_shared_rule_and_internal_domains_pass(app):
    assert _create("it@schulamt.bochum.local").email == "it@schulamt.bochum.local"
    fields = _refused_fields(user_service.create_user, "kein-at", "admin", password=PASSWORD)
    assert set(fields) == {"email"}
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 1


def test_duplicate_email_is_refused_whatever_its_case(app):
    _create("anna@schule.example.org")
    with pytest.raises(DuplicateError) as refused:
        _create("ANNA@schule.example.org ")
    assert refused.value.field == "email"


def test_unknown_role_is_refused(app):
    fields = _refused_fields(
        user_service.create_user, "x@stadt.example.org", "superuser", password=PASSWORD
    )
    assert set(fields) == {"role"}


def test_school_admin_needs_a_school_and_other_roles_keep_none(app, make_school):
    fields = _refused_fields(
        user_service.create_user, "x@stadt.example.org", "school_admin", password=PASSWORD
    )
    assert set(fields) == {"schools"}
    school = make_school()
    admin = _create("sa@schule.example.org", "school_admin", schools=[school])
    assert admin.schools == [school]
    department = _create("dep@stadt.example.org", "department", schools=[school])
    assert department.schools == []


@pytest.mark.parametrize("password", ["", "short", "x" * 9, "x" * 501])
def test_password_needs_10_to_500_characters(app, password):
    fields = _refused_fields(
        user_service.create_user, "x@stadt.example.org", "admin", password=password
    )
    assert set(fields) == {"password"}
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def test_only_the_password_hash_is_stored(app):
    user = _create()
    assert PASSWORD not in user.password_hash
    assert user.check_password(PASSWORD)


def test_name_longer_than_200_characters_is_refused(app):
    fields = _refused_fields(
        user_service.create_user, "x@stadt.example.org", "admin", password=PASSWORD, name="n" * 201
    )
    assert set(fields) == {"name"}


def test_update_changes_role_and_drops_schools_of_a_city_wide_role(app, make_school):
    school = make_school()
    user = _create("sa@schule.example.org", "school_admin", schools=[school])
    with saving():
        user_service.update_user(user, name="Bert", role="department", schools=[school])
    assert (user.name, user.role, user.schools) == ("Bert", "department", [])


def test_update_with_an_old_version_is_refused(app):
    user = _create()
    old = user.version
    with saving():
        user_service.update_user(user, name="Neu", role="department")
    with pytest.raises(StaleVersionError), saving():
        user_service.update_user(user, name="Alt", role="department", version=old)
    db.session.expire_all()
    assert user.name == "Neu"


def test_an_admin_cannot_demote_or_deactivate_themselves(app):
    admin = _create("admin@stadt.example.org", "admin")
    fields = _refused_fields(user_service.update_user, admin, name="", role="department", by=admin)
    assert set(fields) == {"role"}
    assert set(_refused_fields(user_service.set_active, admin, False, by=admin)) == {"active"}
    db.session.expire_all()
    assert (admin.role, admin.active) == ("admin", True)


def test_deactivation_ends_sessions_and_revokes_tokens_and_reactivation_keeps_them_ended(app):
    user = _create()
    with saving():
        token, _plain = ApiToken.issue(user)
    sessions = user.session_version
    with saving():
        user_service.set_active(user, False)
    assert user.active is False and user.session_version == sessions + 1
    assert token.revoked_at is not None
    with saving():
        user_service.set_active(user, True)
    assert user.active is True and user.session_version == sessions + 1
    assert token.revoked_at is not None


def test_new_password_ends_sessions_and_is_logged_without_the_hash(app):
    user = _create()
    sessions = user.session_version
    with saving():
        user_service.set_password(user, "noch-ein-langes-passwort")
    assert user.check_password("noch-ein-langes-passwort")
    assert user.session_version == sessions + 1
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "password"))
    assert entry.object_id == user.email and user.password_hash not in str(entry.changes)


def test_short_new_password_changes_nothing(app):
    user = _create()
    sessions = user.session_version
    assert set(_refused_fields(user_service.set_password, user, "kurz")) == {"password"}
    db.session.expire_all()
    assert user.check_password(PASSWORD) and user.session_version == sessions


def test_the_services_flush_and_leave_the_commit_to_the_caller(app):
    user_service.create_user("x@stadt.example.org", "admin", password=PASSWORD)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0
