"""A user created through `flask create-user` and through the admin form is stored the
same: both channels call app/user_service.py."""

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.users import User

PASSWORD = "ein-langes-passwort"


def _stored(email: str) -> dict:
    db.session.expire_all()
    user = db.session.scalar(sa.select(User).where(User.email == email))
    return {
        "name": user.name,
        "role": user.role,
        "schools": [school.school_number for school in user.schools],
        "active": user.active,
        "session_version": user.session_version,
        "password_works": user.check_password(PASSWORD),
    }


@pytest.mark.parametrize(
    ("role", "with_school"),
    [("school_admin", True), ("department", True), ("admin", False)],
)
def test_cli_and_admin_form_store_the_same_user(
    runner, client, login_as, make_school, role, with_school
):
    school = make_school()
    login_as("admin")
    cli_args = ["create-user", " Cli.User@Schule.EXAMPLE.org ", "--role", role, "--name", "Frau IT"]
    form = {
        "email": " Web.User@Schule.EXAMPLE.org ",
        "name": "Frau IT",
        "role": role,
        "password": PASSWORD,
    }
    if with_school:
        cli_args += ["--school", school.school_number]
        form["schools"] = [str(school.id)]
    result = runner.invoke(args=cli_args, input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert client.post("/admin/users/new", data=form).status_code == 302
    via_cli = _stored("cli.user@schule.example.org")
    assert via_cli == _stored("web.user@schule.example.org")
    assert via_cli["schools"] == ([school.school_number] if role == "school_admin" else [])


@pytest.mark.parametrize(
    ("email", "role", "password", "field"),
    [
        ("kein-at", "department", PASSWORD, "email"),
        ("x@stadt.example.org", "school_admin", PASSWORD, "schools"),
        ("x@stadt.example.org", "department", "kurz", "password"),
    ],
)
def test_cli_and_admin_form_refuse_the_same_user(
    runner, client, login_as, email, role, password, field
):
    login_as("admin")
    result = runner.invoke(args=["create-user", email, "--role", role], input=password + "\n")
    assert result.exit_code != 0
    response = client.post(
        "/admin/users/new", data={"email": email, "role": role, "password": password}
    )
    assert response.status_code == 200
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 1  # the signed-in admin
