"""User administration: list, create, edit, deactivate, reset passwords (admins only)."""

import re

import sqlalchemy as sa

from app.audit import AuditEntry
from app.extensions import db
from app.users import ApiToken, User
from tests.conftest import PASSWORD


def _user(email: str) -> User:
    db.session.expire_all()
    return db.session.scalar(sa.select(User).where(User.email == email))


def test_user_list_shows_email_name_role_schools_and_search_narrows_it(
    client, login_as, make_user, make_school
):
    login_as("admin")
    school = make_school(name="Goethe-Schule")
    make_user(role="school_admin", schools=[school], email="anna@schule.example.org", name="Anna")
    make_user(role="department", email="bert@stadt.example.org", name="Bert")
    page = client.get("/admin/users/").get_data(as_text=True)
    assert "anna@schule.example.org" in page and "bert@stadt.example.org" in page
    assert "Goethe-Schule" in page
    assert "Schul-IT-Administration" in page
    found = client.get("/admin/users/?q=ANNA").get_data(as_text=True)
    assert "anna@schule.example.org" in found
    assert "bert@stadt.example.org" not in found


def test_admin_creates_school_admin_with_typed_password(client, login_as, make_school, login):
    login_as("admin")
    school = make_school()
    response = client.post(
        "/admin/users/new",
        data={
            "email": " New.Admin@Schule.example.org ",
            "name": "Neue Betreuung",
            "role": "school_admin",
            "schools": [str(school.id)],
            "password": "ein-langes-passwort",
        },
    )
    assert response.status_code == 302
    user = _user("new.admin@schule.example.org")
    assert user.role == "school_admin" and user.name == "Neue Betreuung"
    assert [s.school_number for s in user.schools] == [school.school_number]
    assert user.check_password("ein-langes-passwort")
    other = client.application.test_client()
    login(user, password="ein-langes-passwort", client=other)
    assert other.get("/").status_code == 200


def test_generated_password_is_shown_once_and_works(client, login_as, login):
    login_as("admin")
    response = client.post(
        "/admin/users/new",
        data={"email": "gen@stadt.example.org", "role": "department", "generate_password": "y"},
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    password = re.search(r'<code class="secret">([^<]+)</code>', page).group(1)
    assert len(password) >= 10
    user = _user("gen@stadt.example.org")
    assert user.check_password(password)
    assert password not in user.password_hash
    # The user list does not show it again.
    assert password not in client.get("/admin/users/").get_data(as_text=True)


def test_school_admin_without_school_is_refused_at_the_field(client, login_as):
    login_as("admin")
    response = client.post(
        "/admin/users/new",
        data={"email": "x@schule.example.org", "role": "school_admin", "password": "0123456789ab"},
    )
    assert response.status_code == 200
    assert "Eine Schul-IT-Administration braucht mindestens eine Schule." in response.get_data(
        as_text=True
    )
    assert _user("x@schule.example.org") is None


def test_short_or_missing_password_is_refused(client, login_as):
    login_as("admin")
    short = client.post(
        "/admin/users/new",
        data={"email": "s@stadt.example.org", "role": "department", "password": "kurz"},
    )
    assert "Das Passwort muss 10 bis 500 Zeichen lang sein." in short.get_data(as_text=True)
    missing = client.post(
        "/admin/users/new", data={"email": "s@stadt.example.org", "role": "admin"}
    )
    assert "Geben Sie ein Passwort ein" in missing.get_data(as_text=True)
    assert _user("s@stadt.example.org") is None


def test_duplicate_email_gives_german_field_error(client, login_as, make_user):
    login_as("admin")
    make_user(role="department", email="taken@stadt.example.org")
    response = client.post(
        "/admin/users/new",
        data={"email": "TAKEN@stadt.example.org", "role": "admin", "password": "0123456789ab"},
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'id="email-error">Es gibt bereits einen Benutzer mit dieser E-Mail-Adresse.' in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 2


def test_edit_changes_name_role_and_schools(client, login_as, make_user, make_school):
    login_as("admin")
    first, second = make_school(), make_school()
    user = make_user(role="school_admin", schools=[first])
    form = client.get(f"/admin/users/{user.id}/edit").get_data(as_text=True)
    assert re.search(rf'name="schools" value="{first.id}" id="schools-\d+" checked>', form)
    response = client.post(
        f"/admin/users/{user.id}/edit",
        data={"name": "Umbenannt", "role": "school_admin", "schools": [str(second.id)]},
    )
    assert response.status_code == 302
    changed = _user(user.email)
    assert changed.name == "Umbenannt"
    assert [s.id for s in changed.schools] == [second.id]
    client.post(f"/admin/users/{user.id}/edit", data={"name": "Umbenannt", "role": "department"})
    promoted = _user(user.email)
    assert promoted.role == "department" and promoted.schools == []


def test_edit_with_stale_version_is_refused(client, login_as, make_user):
    login_as("admin")
    user = make_user(role="department", name="Alt")
    response = client.post(
        f"/admin/users/{user.id}/edit",
        data={"name": "Neu", "role": "department", "version": str(user.version - 1 or 99)},
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert (
        "data-error-summary>" in page
        and '<p class="error">Dieser Benutzer wurde zwischenzeitlich' in page
    )
    assert _user(user.email).name == "Alt"


def test_admin_cannot_demote_or_deactivate_themselves(client, login_as):
    me = login_as("admin")
    demote = client.post(f"/admin/users/{me.id}/edit", data={"name": "", "role": "department"})
    assert demote.status_code == 200
    assert _user(me.email).role == "admin"
    response = client.post(f"/admin/users/{me.id}/deactivate")
    assert response.status_code == 302
    assert _user(me.email).active is True
    assert client.get("/admin/users/").status_code == 200


def test_deactivated_users_session_stops_working_at_once(client, app, login_as, make_user, login):
    login_as("admin")
    victim = make_user(role="department")
    victim_client = app.test_client()
    login(victim, client=victim_client)
    assert victim_client.get("/").status_code == 200
    assert client.post(f"/admin/users/{victim.id}/deactivate").status_code == 302
    assert _user(victim.email).active is False
    response = victim_client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    # Reactivated, the user may sign in again.
    client.post(f"/admin/users/{victim.id}/reactivate")
    login(victim, client=victim_client)
    assert victim_client.get("/").status_code == 200


def test_deactivate_needs_post(client, login_as, make_user):
    login_as("admin")
    user = make_user(role="department")
    assert client.get(f"/admin/users/{user.id}/deactivate").status_code == 405
    assert _user(user.email).active is True


def test_admin_sets_new_password(client, app, login_as, make_user, login):
    login_as("admin")
    user = make_user(role="department")
    mismatch = client.post(
        f"/admin/users/{user.id}/password",
        data={"password": "neues-passwort-1", "confirm": "neues-passwort-2"},
    )
    assert "Die Passwörter stimmen nicht überein." in mismatch.get_data(as_text=True)
    assert _user(user.email).check_password(PASSWORD)
    response = client.post(
        f"/admin/users/{user.id}/password",
        data={"password": "neues-passwort-1", "confirm": "neues-passwort-1"},
    )
    assert response.status_code == 302
    assert _user(user.email).check_password("neues-passwort-1")
    login(user, password="neues-passwort-1", client=app.test_client())


def test_unknown_user_answers_404(client, login_as):
    login_as("admin")
    assert client.get("/admin/users/999999/edit").status_code == 404
    assert client.post("/admin/users/999999/deactivate").status_code == 404


def test_department_and_school_admin_get_403(client, login_as, make_school, make_user, app):
    user = make_user(role="department")
    login_as("department")
    assert client.get("/admin/users/").status_code == 403
    assert client.post(f"/admin/users/{user.id}/deactivate").status_code == 403
    other = app.test_client()
    login_as("school_admin", school=make_school(), client=other)
    assert other.get("/admin/users/new").status_code == 403
    assert _user(user.email).active is True


def test_user_changes_land_in_audit_log_without_password_hashes(client, login_as, make_school):
    admin = login_as("admin")
    school = make_school()
    client.post(
        "/admin/users/new",
        data={
            "email": "logged@schule.example.org",
            "role": "school_admin",
            "schools": [str(school.id)],
            "password": "erstes-passwort-1",
        },
    )
    user = _user("logged@schule.example.org")
    other = make_school()
    client.post(
        f"/admin/users/{user.id}/edit",
        data={"name": "Lena", "role": "school_admin", "schools": [str(other.id)]},
    )
    client.post(
        f"/admin/users/{user.id}/password",
        data={"password": "zweites-passwort-2", "confirm": "zweites-passwort-2"},
    )
    client.post(f"/admin/users/{user.id}/deactivate")
    db.session.expire_all()
    entries = db.session.scalars(
        sa.select(AuditEntry)
        .where(AuditEntry.object_type == "users", AuditEntry.object_id == user.email)
        .order_by(AuditEntry.id)
    ).all()
    assert [e.action for e in entries][:1] == ["create"]
    assert all(e.actor == admin.email and e.user_id == admin.id for e in entries)
    updates = [e.changes for e in entries if e.action == "update"]
    assert {"name": ["", "Lena"], "schools": [[school.school_number], [other.school_number]]} in [
        {k: v for k, v in c.items() if k in ("name", "schools")} for c in updates
    ]
    assert {"active": [True, False]} in updates
    assert [e.changes for e in entries if e.action == "password"] == [{}]
    hashes = {user.password_hash}
    everything = str([(e.changes, e.object_id) for e in db.session.scalars(sa.select(AuditEntry))])
    assert "password_hash" not in everything
    assert not any(h in everything for h in hashes)
    assert "scrypt" not in everything


def test_user_list_query_count_does_not_grow_with_users(
    client, login_as, make_school, count_queries
):
    login_as("admin")
    school = make_school()
    client.get("/admin/users/")

    def queries() -> int:
        with count_queries() as counter:
            assert client.get("/admin/users/").status_code == 200
        return counter.count

    few = queries()
    for n in range(6):
        extra = User(email=f"many{n}@schule.example.org", role="school_admin", schools=[school])
        extra.password_hash = "x"
        db.session.add(extra)
    db.session.commit()
    assert queries() == few


def test_deactivated_users_api_tokens_stop_working(client, app, login_as, make_user):
    login_as("admin")
    user = make_user(role="department")
    _token, plain = ApiToken.issue(user, "Skript")
    db.session.commit()
    api = app.test_client()
    headers = {"Authorization": f"Bearer {plain}"}
    assert api.get("/api/v1/schools", headers=headers).status_code == 200
    client.post(f"/admin/users/{user.id}/deactivate")
    assert api.get("/api/v1/schools", headers=headers).status_code == 401


def test_deactivate_without_csrf_token_is_refused(make_app, make_user):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    admin = make_user(role="admin")
    victim = make_user(role="department")
    page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]
    client.post("/login", data={"email": admin.email, "password": PASSWORD, "csrf_token": csrf})
    assert client.post(f"/admin/users/{victim.id}/deactivate").status_code == 400
    assert _user(victim.email).active is True
    listing = client.get("/admin/users/").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', listing)[1]
    response = client.post(f"/admin/users/{victim.id}/deactivate", data={"csrf_token": csrf})
    assert response.status_code == 302
    assert _user(victim.email).active is False


def test_edit_to_school_admin_needs_a_school(client, login_as, make_user):
    login_as("admin")
    user = make_user(role="department")
    response = client.post(f"/admin/users/{user.id}/edit", data={"role": "school_admin"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'id="schools-error">Eine Schul-IT-Administration braucht mindestens eine Schule.' in page
    assert _user(user.email).role == "department"


def test_unknown_school_id_is_a_field_error_not_a_500(client, login_as, make_user):
    login_as("admin")
    user = make_user(role="department")
    response = client.post(
        f"/admin/users/{user.id}/edit", data={"role": "school_admin", "schools": ["999999"]}
    )
    assert response.status_code == 200
    assert 'id="schools-error"' in response.get_data(as_text=True)
    bad = client.post(
        f"/admin/users/{user.id}/edit", data={"role": "school_admin", "schools": ["abc"]}
    )
    assert bad.status_code == 200
    assert _user(user.email).role == "department"
