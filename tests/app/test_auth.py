from app.auth import safe_next
from tests.conftest import PASSWORD


def test_login_with_right_password_signs_in(client, make_user):
    user = make_user(role="department")
    response = client.post("/login", data={"email": user.email.upper(), "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_failed_login_says_the_same_for_unknown_email_and_wrong_password(client, make_user):
    user = make_user(role="department")
    wrong = client.post("/login", data={"email": user.email, "password": "nope-nope-nope"})
    unknown = client.post("/login", data={"email": "ghost@stadt.example.org", "password": "nope"})
    assert wrong.status_code == unknown.status_code == 200
    assert "E-Mail-Adresse oder Passwort ist falsch." in wrong.get_data(as_text=True)
    assert "E-Mail-Adresse oder Passwort ist falsch." in unknown.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_deactivated_user_cannot_sign_in(client, make_user):
    user = make_user(role="department", active=False)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 200
    assert client.get("/").status_code == 302


def test_anonymous_is_sent_to_login_with_next(client):
    response = client.get("/schools/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_login_follows_only_local_next(client, make_user):
    user = make_user(role="department")
    response = client.post(
        "/login?next=https://evil.example/x", data={"email": user.email, "password": PASSWORD}
    )
    assert response.headers["Location"] == "/"


def test_safe_next_rejects_other_hosts():
    assert safe_next("/schools/?q=a") == "/schools/?q=a"
    for bad in ("https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:x"):
        assert safe_next(bad) is None


def test_logout_needs_post(client, login, make_user):
    login(make_user(role="department"))
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 302
    assert client.get("/").status_code == 302


def test_login_is_rate_limited(make_app, make_user):
    app = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute")
    client = app.test_client()
    user = make_user(role="department")
    statuses = [
        client.post("/login", data={"email": user.email, "password": "wrong-wrong"}).status_code
        for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]


def test_german_is_default_and_english_can_be_chosen(client):
    assert "Anmelden" in client.get("/login").get_data(as_text=True)
    client.get("/language/en")
    assert "Sign in" in client.get("/login").get_data(as_text=True)
