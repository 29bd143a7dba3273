"""Who may do what through the API: every role against every endpoint.

Reads follow the web's scoping (another school's data is 404); writes to the
inventory are allowed within scope; the school registry and school years are the
department's (403 inside scope for school admins); no valid token is always 401.
"""

import datetime as dt

import pytest

from app.extensions import db
from app.model_base import utcnow
from app.users import ApiToken

ROLES = (
    "department",
    "admin",
    "own_school_admin",
    "other_school_admin",
    "anonymous",
    "bad_token",
    "revoked_token",
    "deactivated_user",
)
UNAUTHENTICATED = ("anonymous", "bad_token", "revoked_token", "deactivated_user")


@pytest.fixture
def world(make_school, make_site, make_device, make_link, make_offering, make_school_year):
    """School A (with a record of each kind) and school B, each with its own admin."""
    school_a = make_school(name="Schule A")
    school_b = make_school(name="Schule B")
    make_school_year(2026, dt.date(2026, 8, 26))
    return {
        "a": school_a,
        "b": school_b,
        "site": make_site(school_a, name="Turnhalle"),
        "device": make_device(school_a, inventory_number="A-0001"),
        "link": make_link(school_a),
        "offering": make_offering(school_a),
    }


@pytest.fixture
def caller_token(world, make_user, make_token):
    def token(role: str) -> str | None:
        if role == "anonymous":
            return None
        if role == "bad_token":
            return "gs_made-up"
        if role in ("department", "admin"):
            return make_token(make_user(role=role))
        if role == "own_school_admin":
            return make_token(make_user(role="school_admin", schools=[world["a"]]))
        if role == "other_school_admin":
            return make_token(make_user(role="school_admin", schools=[world["b"]]))
        if role == "revoked_token":
            user = make_user(role="department")
            row, plain = ApiToken.issue(user)
            row.revoked_at = utcnow()
            db.session.commit()
            return plain
        if role == "deactivated_user":
            return make_token(make_user(role="department", active=False))
        raise AssertionError(role)

    return token


def _cases(world):
    """(method, path, body, {role: expected status}) for school A's data."""
    number = world["a"].school_number
    site, device = world["site"].id, world["device"].inventory_number
    link, offering = world["link"].id, world["offering"].id
    everyone = {"department": 200, "admin": 200, "own_school_admin": 200}
    in_scope = {**everyone, "other_school_admin": 404}
    department_only = {
        "department": 200,
        "admin": 200,
        "own_school_admin": 403,
        "other_school_admin": 403,
    }
    reads = [
        ("GET", "/schools", None, {**everyone, "other_school_admin": 200}),
        ("GET", f"/schools/{number}", None, in_scope),
        ("GET", f"/schools/{number}/sites", None, in_scope),
        ("GET", f"/sites/{site}", None, in_scope),
        ("GET", f"/schools/{number}/devices", None, in_scope),
        ("GET", f"/devices/{device}", None, in_scope),
        ("GET", f"/schools/{number}/links", None, in_scope),
        ("GET", f"/links/{link}", None, in_scope),
        ("GET", f"/schools/{number}/offerings", None, in_scope),
        ("GET", f"/offerings/{offering}", None, in_scope),
        ("GET", "/school-years", None, {**everyone, "other_school_admin": 200}),
        ("GET", "/school-years/2026", None, {**everyone, "other_school_admin": 200}),
        ("GET", "/readiness", None, {**everyone, "other_school_admin": 200}),
    ]
    created = {"department": 201, "admin": 201, "own_school_admin": 201}
    writes = [
        ("PATCH", f"/schools/{number}", {"street": "Neue Str. 1"}, in_scope),
        (
            "PATCH",
            f"/schools/{number}",
            {"name": "Umbenannt"},
            {**department_only, "other_school_admin": 404},
        ),
        ("PATCH", f"/sites/{site}", {"street": "Halle 2"}, in_scope),
        ("PATCH", f"/devices/{device}", {"room": "R 101"}, in_scope),
        ("PATCH", f"/links/{link}", {"provider": "Stadtwerke"}, in_scope),
        ("PATCH", f"/offerings/{offering}", {"description": "Moodle"}, in_scope),
        (
            "POST",
            f"/schools/{number}/sites",
            {"name": "Neubau"},
            {**created, "other_school_admin": 404},
        ),
        (
            "POST",
            f"/schools/{number}/devices",
            {"inventory_number": "{unique}", "category": "tablet"},
            {**created, "other_school_admin": 404},
        ),
        (
            "POST",
            f"/schools/{number}/links",
            {"technology": "vdsl", "down_mbps": 250, "up_mbps": 40, "status": "active"},
            {**created, "other_school_admin": 404},
        ),
        (
            "POST",
            f"/schools/{number}/offerings",
            {"learning_level": "sek1", "kind": "lms"},
            {**created, "other_school_admin": 404},
        ),
        (
            "POST",
            "/schools",
            {"school_number": "{number}", "name": "Neue Schule", "school_form": "grundschule"},
            {**department_only, "department": 201, "admin": 201},
        ),
        ("PUT", "/school-years/2026", {"first_school_day": "2026-08-27"}, department_only),
    ]
    deletes = [
        (
            "DELETE",
            f"/offerings/{offering}",
            None,
            {**in_scope, "department": 204, "admin": 204, "own_school_admin": 204},
        ),
        (
            "DELETE",
            f"/links/{link}",
            None,
            {**in_scope, "department": 204, "admin": 204, "own_school_admin": 204},
        ),
        (
            "DELETE",
            f"/devices/{device}",
            None,
            {**in_scope, "department": 204, "admin": 204, "own_school_admin": 204},
        ),
        (
            "DELETE",
            f"/sites/{site}",
            None,
            {**in_scope, "department": 204, "admin": 204, "own_school_admin": 204},
        ),
        (
            "DELETE",
            f"/schools/{number}",
            None,
            {**department_only, "department": 204, "admin": 204, "other_school_admin": 404},
        ),
    ]
    return reads + writes + deletes


@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(role, world, caller_token, api):
    token = caller_token(role)
    failures = []
    for index, (method, path, body, expected) in enumerate(_cases(world)):
        if body is not None:
            body = {
                key: value.format(unique=f"M-{role}-{index}", number=f"{700000 + index}")
                if isinstance(value, str)
                else value
                for key, value in body.items()
            }
        want = 401 if role in UNAUTHENTICATED else expected[role]
        response = api.request(method, path, token=token, json=body)
        if response.status_code != want:
            failures.append(f"{method} {path}: {response.status_code}, wanted {want}")
        if response.status_code >= 400:
            assert response.is_json and "error" in response.get_json()
    assert not failures, "\n".join(failures)


def test_every_api_view_declares_its_access_level(app):
    for endpoint, view in app.view_functions.items():
        if endpoint.startswith(("api.", "api_docs.")):
            assert getattr(view, "access_level", None), endpoint
