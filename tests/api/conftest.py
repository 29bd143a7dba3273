"""API test helpers: tokens for users and a client that sends them."""

import pytest

from app.extensions import db
from app.users import ApiToken


@pytest.fixture
def make_token(app):
    """make_token(user) -> the plain bearer token of a new API token for the user."""

    def factory(user, name="test") -> str:
        _row, plain = ApiToken.issue(user, name)
        db.session.commit()
        return plain

    return factory


class ApiClient:
    """client.get("/schools", token=t) -> response; paths are relative to /api/v1."""

    def __init__(self, client):
        self.client = client

    def request(self, method, path, token=None, json=None, headers=None, **kwargs):
        headers = dict(headers or {})
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return self.client.open(
            "/api/v1" + path, method=method, json=json, headers=headers, **kwargs
        )

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, **kwargs):
        return self.request("POST", path, **kwargs)

    def patch(self, path, **kwargs):
        return self.request("PATCH", path, **kwargs)

    def put(self, path, **kwargs):
        return self.request("PUT", path, **kwargs)

    def delete(self, path, **kwargs):
        return self.request("DELETE", path, **kwargs)


@pytest.fixture
def api(client):
    return ApiClient(client)


@pytest.fixture
def token_for(make_user, make_token):
    """token_for("school_admin", schools=[s]) -> (user, token)."""

    def factory(role="department", schools=(), **fields):
        user = make_user(role=role, schools=list(schools), **fields)
        return user, make_token(user)

    return factory
