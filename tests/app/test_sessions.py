"""Sessions end on the server: a copied cookie stops working after logout, a password
change or reset, and deactivation; reactivation brings no old API token back."""

import sqlalchemy as sa

from app.extensions import db
from app.users import ApiToken, User
from tests.conftest import PASSWORD

NEW_PASSWORD = "ein-ganz-neues-passwort"


def _copy_session(source, app):
    """A second client holding a copy of the source client's session cookie."""
    cookie = source.get_cookie("session")
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie("session", cookie.value)
    return thief


def _signed_in(client) -> bool:
    return client.get("/account/").status_code == 200


def test_copied_cookie_works_while_the_session_lives(client, app, login, make_user):
    login(make_user(role="department"))
    assert _signed_in(_copy_session(client, app))


def test_logout_ends_the_session_for_a_copied_cookie(client, app, login, make_user):
    login(make_user(role="department"))
    copy = _copy_session(client, app)
    assert client.post("/logout").status_code == 302
    assert not _signed_in(copy)
    assert not _signed_in(client)


def test_own_password_change_ends_other_sessions_and_keeps_this_one(client, app, login, make_user):
    user = make_user(role="department")
    login(user)
    other = app.test_client()
    login(user, client=other)
    response = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert _signed_in(client)
    assert not _signed_in(other)


def test_admin_password_reset_ends_the_users_sessions(client, app, login_as, login, make_user):
    login_as("admin")
    user = make_user(role="department")
    victim = app.test_client()
    login(user, client=victim)
    response = client.post(
        f"/admin/users/{user.id}/password",
        data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert not _signed_in(victim)
    assert _signed_in(client)  # the admin's own session is untouched


def test_admin_resetting_own_password_stays_signed_in(client, login_as):
    admin = login_as("admin")
    response = client.post(
        f"/admin/users/{admin.id}/password",
        data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert _signed_in(client)


def test_deactivation_ends_sessions_and_reactivation_does_not_revive_them(
    client, app, login_as, login, make_user
):
    login_as("admin")
    user = make_user(role="department")
    victim = app.test_client()
    login(user, client=victim)
    client.post(f"/admin/users/{user.id}/deactivate")
    client.post(f"/admin/users/{user.id}/reactivate")
    assert not _signed_in(victim)
    login(user, client=victim)  # signing in again works
    assert _signed_in(victim)


def test_reactivation_does_not_bring_old_api_tokens_back(client, app, login_as, make_user):
    login_as("admin")
    user = make_user(role="department")
    _token, plain = ApiToken.issue(user, "Skript")
    db.session.commit()
    api = app.test_client()
    headers = {"Authorization": f"Bearer {plain}"}
    assert api.get("/api/v1/schools", headers=headers).status_code == 200
    client.post(f"/admin/users/{user.id}/deactivate")
    client.post(f"/admin/users/{user.id}/reactivate")
    db.session.expire_all()
    assert db.session.get(User, user.id).active is True
    assert api.get("/api/v1/schools", headers=headers).status_code == 401
    revoked = db.session.scalars(sa.select(ApiToken.revoked_at).where(ApiToken.user_id == user.id))
    assert all(at is not None for at in revoked)


def test_session_id_of_another_format_signs_nobody_in(app, make_user):
    from app.auth import load_user

    user = make_user(role="department")
    assert load_user(user.get_id()) is not None
    for bad in (str(user.id), f"{user.id}:0", f"{user.id}:x", "9" * 40 + ":1", "１:1", ""):
        assert load_user(bad) is None
