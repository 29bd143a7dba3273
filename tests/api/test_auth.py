"""Bearer tokens: who may call the API, and what a request leaves behind."""

import datetime as dt

import sqlalchemy as sa

from app.audit import AuditEntry
from app.extensions import db
from app.model_base import utcnow
from app.users import ApiToken


def test_request_without_token_is_401_with_bearer_challenge(api):
    response = api.get("/schools")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_unknown_token_is_401(api, make_school):
    make_school()
    response = api.get("/schools", token="gs_not-a-real-token")
    assert response.status_code == 401


def test_other_authorization_scheme_is_401(api, token_for):
    _user, token = token_for("department")
    response = api.get("/schools", headers={"Authorization": f"Basic {token}"})
    assert response.status_code == 401


def test_revoked_token_is_401(api, token_for):
    user, token = token_for("department")
    assert api.get("/schools", token=token).status_code == 200
    row = db.session.scalar(sa.select(ApiToken).where(ApiToken.user_id == user.id))
    row.revoked_at = utcnow()
    db.session.commit()
    assert api.get("/schools", token=token).status_code == 401


def test_token_of_deactivated_user_is_401(api, token_for):
    user, token = token_for("department")
    user.active = False
    db.session.commit()
    assert api.get("/schools", token=token).status_code == 401


def test_session_cookie_alone_does_not_authenticate_the_api(api, client, login, make_user):
    user = make_user(role="department")
    login(user)
    assert client.get("/schools/").status_code == 200  # signed in on the web
    response = api.get("/schools")
    assert response.status_code == 401


def test_api_response_sets_no_cookie(api, token_for):
    _user, token = token_for("department")
    response = api.get("/schools", token=token)
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers


def test_api_needs_no_csrf_token_but_a_bearer_token(make_app, make_user, make_token, make_school):
    school = make_school()
    csrf_app = make_app(WTF_CSRF_ENABLED=True)
    client = csrf_app.test_client()
    token = make_token(make_user(role="department"))
    body = {"inventory_number": "CSRF-1", "category": "tablet"}
    path = f"/api/v1/schools/{school.school_number}/devices"
    response = client.post(path, json=body, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 201
    assert client.post(path, json={**body, "inventory_number": "CSRF-2"}).status_code == 401


def test_last_used_is_written_at_most_once_a_minute(api, token_for):
    user, token = token_for("department")
    assert api.get("/schools", token=token).status_code == 200
    db.session.expire_all()
    row = db.session.scalar(sa.select(ApiToken).where(ApiToken.user_id == user.id))
    first = row.last_used_at
    assert first is not None and utcnow() - first < dt.timedelta(seconds=30)
    assert api.get("/schools", token=token).status_code == 200
    db.session.expire_all()
    assert db.session.get(ApiToken, row.id).last_used_at == first

    row.last_used_at = first - dt.timedelta(minutes=2)
    db.session.commit()
    assert api.get("/schools", token=token).status_code == 200
    db.session.expire_all()
    assert db.session.get(ApiToken, row.id).last_used_at > first - dt.timedelta(minutes=2)


def test_audit_log_names_the_token_user(api, token_for, make_school):
    school = make_school()
    user, token = token_for("school_admin", schools=[school])
    body = {"inventory_number": "AUD-1", "category": "laptop"}
    response = api.post(f"/schools/{school.school_number}/devices", token=token, json=body)
    assert response.status_code == 201
    entry = db.session.scalar(
        sa.select(AuditEntry).where(
            AuditEntry.object_type == "devices", AuditEntry.object_id == "AUD-1"
        )
    )
    assert entry.action == "create"
    assert entry.user_id == user.id and entry.actor == user.email


def test_rate_limit_answers_429_with_retry_after_per_token(make_app, make_user, make_token):
    limited = make_app(RATELIMIT_ENABLED=True, API_RATE_LIMIT="2 per minute")
    client = limited.test_client()
    first = make_token(make_user(role="department"))
    second = make_token(make_user(role="department"))

    def get(token):
        return client.get("/api/v1/schools", headers={"Authorization": f"Bearer {token}"})

    assert get(first).status_code == 200
    assert get(first).status_code == 200
    response = get(first)
    assert response.status_code == 429
    assert response.get_json()["error"]["code"] == "too_many_requests"
    assert int(response.headers["Retry-After"]) > 0
    assert get(second).status_code == 200  # counted per token


def test_api_answers_are_not_cached(api, token_for):
    _user, token = token_for("department")
    assert api.get("/schools", token=token).headers["Cache-Control"] == "no-store"
