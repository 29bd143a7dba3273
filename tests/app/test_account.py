"""The own account page: password change and API tokens."""

import re

import sqlalchemy as sa

from app.audit import AuditEntry
from app.extensions import db
from app.users import ApiToken, User
from tests.conftest import PASSWORD


def _tokens(user) -> list[ApiToken]:
    db.session.expire_all()
    return db.session.scalars(sa.select(ApiToken).where(ApiToken.user_id == user.id)).all()


def test_account_page_is_for_every_signed_in_user(client, login_as, make_school):
    assert client.get("/account/").status_code == 302
    login_as("school_admin", school=make_school(name="Annette-Schule"))
    page = client.get("/account/").get_data(as_text=True)
    assert "Passwort ändern" in page and "API-Tokens" in page
    assert "Annette-Schule" in page


def test_password_change_needs_the_current_password(client, app, login, make_user):
    user = make_user(role="school_admin")
    login(user)
    wrong = client.post(
        "/account/password",
        data={
            "current_password": "falsch",
            "password": "neues-passwort",
            "confirm": "neues-passwort",
        },
    )
    assert "Das aktuelle Passwort ist falsch." in wrong.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password(PASSWORD)


def test_password_change_needs_matching_confirmation_and_length(client, login, make_user):
    user = make_user(role="department")
    login(user)
    mismatch = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "password": "neues-passwort", "confirm": "anderes"},
    )
    assert "Die Passwörter stimmen nicht überein." in mismatch.get_data(as_text=True)
    short = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "password": "kurz", "confirm": "kurz"},
    )
    assert "Das Passwort muss 10 bis 500 Zeichen lang sein." in short.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password(PASSWORD)


def test_password_change_takes_effect(client, app, login, make_user):
    user = make_user(role="department")
    login(user)
    response = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "password": "neues-passwort",
            "confirm": "neues-passwort",
        },
    )
    assert response.status_code == 302
    [entry] = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "password"))
    assert (entry.object_id, entry.actor, entry.changes) == (user.email, user.email, {})
    client.post("/logout")
    fresh = app.test_client()
    old = fresh.post("/login", data={"email": user.email, "password": PASSWORD})
    assert old.status_code == 200
    login(user, password="neues-passwort", client=fresh)


def test_new_token_is_shown_once_and_only_its_hash_is_stored(client, login, make_user):
    user = make_user(role="school_admin")
    login(user)
    response = client.post("/account/tokens", data={"name": "Inventarskript"})
    assert response.status_code == 200
    plain = re.search(r'<code class="secret">([^<]+)</code>', response.get_data(as_text=True))[1]
    [token] = _tokens(user)
    assert token.name == "Inventarskript"
    assert token.token_hash == ApiToken.hash(plain)
    assert plain not in token.token_hash
    # Not shown again, neither on the account page nor anywhere in the database or the log.
    page = client.get("/account/").get_data(as_text=True)
    assert "Inventarskript" in page and plain not in page
    log = str([e.changes for e in db.session.scalars(sa.select(AuditEntry))])
    assert plain not in log and token.token_hash not in log


def test_token_needs_a_label(client, login, make_user):
    user = make_user(role="department")
    login(user)
    response = client.post("/account/tokens", data={"name": "  "})
    assert response.status_code == 200
    assert 'id="name-error"' in response.get_data(as_text=True)
    assert _tokens(user) == []


def test_token_list_shows_label_created_last_used_and_revoked(client, login, make_user):
    user = make_user(role="department")
    token, _plain = ApiToken.issue(user, "Zweiter Token")
    db.session.commit()
    login(user)
    page = client.get("/account/").get_data(as_text=True)
    assert "Zweiter Token" in page
    assert "nie" in page  # never used
    assert f"/account/tokens/{token.id}/revoke" in page


def test_revoking_own_token(client, login, make_user):
    user = make_user(role="department")
    token, _plain = ApiToken.issue(user, "Alt")
    db.session.commit()
    login(user)
    response = client.post(f"/account/tokens/{token.id}/revoke")
    assert response.status_code == 302
    [revoked] = _tokens(user)
    assert revoked.revoked_at is not None
    page = client.get("/account/").get_data(as_text=True)
    assert f"/account/tokens/{token.id}/revoke" not in page


def test_another_users_token_answers_404_and_stays_valid(client, login, make_user):
    owner = make_user(role="admin")
    token, _plain = ApiToken.issue(owner, "Fremd")
    db.session.commit()
    login(make_user(role="admin"))
    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 404
    assert client.post("/account/tokens/999999/revoke").status_code == 404
    assert _tokens(owner)[0].revoked_at is None


def test_revoke_needs_post(client, login, make_user):
    user = make_user(role="department")
    token, _plain = ApiToken.issue(user, "Alt")
    db.session.commit()
    login(user)
    assert client.get(f"/account/tokens/{token.id}/revoke").status_code == 405
    assert _tokens(user)[0].revoked_at is None


def test_account_forms_carry_csrf_tokens(make_app, make_user, login):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    user = make_user(role="department")
    page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]
    client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": csrf})
    without = client.post("/account/tokens", data={"name": "Ohne"})
    assert without.status_code == 400
    assert _tokens(user) == []
    page = client.get("/account/").get_data(as_text=True)
    assert page.count('name="csrf_token"') >= 2
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]
    with_token = client.post("/account/tokens", data={"name": "Mit", "csrf_token": csrf})
    assert with_token.status_code == 200
    assert [t.name for t in _tokens(user)] == ["Mit"]


def test_token_from_the_page_works_in_the_api_until_revoked(client, app, login, make_user):
    user = make_user(role="department")
    login(user)
    created = client.post("/account/tokens", data={"name": "API-Test"}).get_data(as_text=True)
    plain = re.search(r'<code class="secret">([^<]+)</code>', created)[1]
    api = app.test_client()
    headers = {"Authorization": f"Bearer {plain}"}
    assert api.get("/api/v1/schools", headers=headers).status_code == 200
    [token] = _tokens(user)
    assert token.last_used_at is not None
    page = client.get("/account/").get_data(as_text=True)
    assert "zuletzt benutzt" in page.lower()
    client.post(f"/account/tokens/{token.id}/revoke")
    assert api.get("/api/v1/schools", headers=headers).status_code == 401
